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


class CustodyConfigError(CustodyError):
    """The custody config is malformed: names the field and why (one line)."""

    def __init__(self, field: str, why: str, path: object = None) -> None:
        where = f"custody config {path}" if path is not None else "custody config"
        super().__init__(f"{where}: {field}: {why}")
        self.field = field


class CustodyBroadcastError(CustodyError):
    """The custody chain's node refused a signed transaction (insufficient funds, a fee too
    low, ...). A payout stays recorded as signed: a retry re-sends that very transaction (same
    nonce), so it can never be paid twice."""

    def __init__(self, tx_hash: str, reason: str) -> None:
        super().__init__(f"custody chain node refused tx {tx_hash}: {reason}")
        self.tx_hash = tx_hash
        self.reason = reason


class GasFloatError(CustodyError):
    """A payout of the native coin would dip into the gas float the custody address keeps (the
    float is not reserves: it pays the payouts' gas)."""


class DecimalsMismatchError(CustodyError):
    """A token on the custody chain whose ``decimals()`` differ from its registered asset's:
    its amounts would be scaled wrongly, so the adapter refuses to start."""


class UnregisteredPayeeError(CustodyError):
    """A redemption payout to a redeemer with no custody-chain address registered in the
    config (``participants``): the same address on another chain may be someone else's."""


class ContractPayeeError(CustodyError):
    """A payee on the custody chain that holds code: a contract can accept one leg of a
    redemption and refuse the next, leaving it paid in part, so payouts go to plain accounts
    only."""
