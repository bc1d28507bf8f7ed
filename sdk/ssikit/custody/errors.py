"""What can go wrong in custody: the custodian's systems cannot do what was asked, or cannot be
reached (then nothing is acknowledged or paid on a guess)."""

from __future__ import annotations

from ..core.errors import SsikitError


class CustodyError(SsikitError):
    """Custody cannot do what was asked (too little to pay, unknown wallet, bad config)."""


class CustodyUnavailableError(CustodyError):
    """The custody chain's RPC does not answer: no balance, delivery or payout can be checked."""

    def __init__(self, url: str) -> None:
        super().__init__(f"custody chain unreachable: no node at {url}")
        self.url = url
