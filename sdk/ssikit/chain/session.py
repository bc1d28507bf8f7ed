"""A typed session for scripts: one object that holds the network, the account and the
deployment, and hands out typed clients per index.

    with Session.open("deployments.json", test_account=3) as session:
        mag7 = session.index("MAG7.ssi")
        request = mag7.request_mint("2.5")          # whole tokens
        assert request.status is RequestStatus.MINT_PENDING

Everything returned is a model (`RequestView`) with `RequestStatus` members, not dicts and
strings. The index's current issuer is used for new requests (it can move, issue 12); each
request is finished on the issuer it was made on. A thin layer over `issuance.WlpClient`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..builders.requests import Settlement
from ..core.requests import RequestStatus, whole_tokens
from ..core.units import whole_units
from .deployments import DEFAULT_PATH
from .issuance import TrackedRequest, WlpClient, _index


class RequestView(BaseModel):
    """One request as the chain tells it now."""

    model_config = ConfigDict(frozen=True)

    id: str  # 0x + 64 hex digits, whole
    kind: Literal["mint", "redeem"]
    status: RequestStatus
    index: str
    amount: int  # {index wei}
    nonce: int
    deadline: int  # {unix seconds}
    issuer: str  # the issuer contract it was made on
    basket_version: int
    factor: int  # {RAY} the fee factor the issuer filled in at request time
    block: int  # the block it was requested in
    settlement: Settlement | None = None  # an accepted redemption's terms

    @classmethod
    def of(cls, tracked: TrackedRequest) -> RequestView:
        return cls(
            id="0x" + tracked.id.hex(),
            kind="mint" if tracked.is_mint else "redeem",
            status=RequestStatus.from_label(tracked.status),
            index=tracked.request.index,
            amount=tracked.request.amount,
            nonce=tracked.request.nonce,
            deadline=tracked.request.deadline,
            issuer=tracked.issuer,
            basket_version=tracked.request.basket_version,
            factor=tracked.request.factor,
            block=tracked.block,
            settlement=tracked.settlement,
        )

    @property
    def amount_tokens(self) -> str:
        """The amount in whole index tokens, exactly (``"2.5"``)."""
        return whole_units(self.amount, 18)

    def as_dict(self) -> dict[str, Any]:
        """What the CLI prints: the status by its label, big integers as strings, the amount
        in whole tokens beside index wei."""
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status.label,
            "index": self.index,
            "amount": str(self.amount),
            "amount_tokens": self.amount_tokens,
            "nonce": self.nonce,
            "basket_version": self.basket_version,
            "deadline": self.deadline,
            "factor": str(self.factor),
            "block": self.block,
            "issuer": self.issuer,
            "settlement": None
            if self.settlement is None
            else {"fee_bps": self.settlement.fee_bps, "factor": str(self.settlement.factor)},
        }


class IndexSession:
    """One index, as the session's account (a WLP) uses it."""

    def __init__(self, session: Session, symbol: str) -> None:
        self.session = session
        self.token = _index(session.protocol, symbol)
        self.symbol = str(self.token.symbol())

    @property
    def _client(self) -> WlpClient:
        return WlpClient(self.session.protocol, self.session.account)

    @property
    def ring_size(self) -> int:
        """Open requests the issuer keeps per requester (`IIssuer.RING_SIZE`)."""
        return int(self.session.protocol.issuer_for(self.token).RING_SIZE())

    def free_balance(self) -> int:
        """What the account can spend or redeem {index wei}: balance less locked."""
        account = self.session.account
        return int(self.token.balanceOf(account)) - int(self.token.lockedOf(account))

    def request_mint(
        self, amount: Decimal | str | int, max_fee_bps: int = 50, ttl: int = 86_400
    ) -> RequestView:
        """Asks to mint ``amount`` whole tokens (``"2.5"``); deliver the basket next."""
        return RequestView.of(
            self._client.mint(self.symbol, whole_tokens(amount), max_fee_bps, ttl)
        )

    def request_redeem(
        self, amount: Decimal | str | int, max_fee_bps: int = 50, ttl: int = 86_400
    ) -> RequestView:
        """Asks to redeem ``amount`` whole tokens; they are locked until the request ends."""
        return RequestView.of(
            self._client.redeem(self.symbol, whole_tokens(amount), max_fee_bps, ttl)
        )

    def requests(self) -> list[RequestView]:
        """The account's requests on this index, oldest first, with their status now."""
        mine = self._client.requests()
        return [RequestView.of(t) for t in mine if t.request.index == self.token.address]

    def request(self, request_id: str) -> RequestView:
        """One of the account's requests by its whole id."""
        from .issuance import find_request

        return RequestView.of(
            find_request(self.session.protocol, request_id, self.session.account.address)
        )

    def pending(self) -> list[RequestView]:
        """The account's open requests on this index (pending, acknowledged or accepted)."""
        return [r for r in self.requests() if r.status.open]

    def cancel(self, request_id: str) -> RequestView:
        return RequestView.of(self._client.cancel(request_id))


class Session:
    """The network, the account and the deployment a script works with."""

    def __init__(self, protocol: Any, account: Any) -> None:
        self.protocol = protocol
        self.account = account

    @classmethod
    @contextmanager
    def open(
        cls,
        registry: Path | str = DEFAULT_PATH,
        account: str | None = None,
        test_account: int = 0,
        network: str = "ethereum:local:foundry",
    ) -> Iterator[Session]:
        """Connects to ``network`` (unless a provider is connected already, as inside `ape run`
        or a test), loads the deployment recorded in ``registry`` and the account: the ape
        account ``account`` (live networks) or Anvil's test account ``test_account``."""
        from ape import networks

        from .accounts import resolve_sender
        from .protocol import load_protocol

        def made() -> Session:
            return cls(load_protocol(Path(registry)), resolve_sender(account, test_account))

        provider = networks.active_provider
        if provider is not None and provider.is_connected:
            yield made()
            return
        with networks.parse_network_choice(network):
            yield made()

    def index(self, symbol: str) -> IndexSession:
        """A typed client for the index with this symbol (or address)."""
        return IndexSession(self, symbol)

    def requests(self, only_open: bool = False) -> list[RequestView]:
        """The account's requests on every index and issuer version, oldest first (only the
        open ones with ``only_open``)."""
        found = [RequestView.of(t) for t in WlpClient(self.protocol, self.account).requests()]
        return [r for r in found if r.status.open] if only_open else found

    def cancel(self, request_id: str) -> RequestView:
        """Cancels one of the account's pending requests, on whichever index it is."""
        return RequestView.of(WlpClient(self.protocol, self.account).cancel(request_id))
