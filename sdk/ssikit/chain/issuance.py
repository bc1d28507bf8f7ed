"""Thin clients for WLPs and custodians: send the issuer's and the oracle's transactions and
read their state. Requests are read from the deployment's event index (``Protocol.indexed``,
synced to the head on each read, never kept in memory), so a client that restarts finds its
pending requests again, and a read costs the blocks since the last one, not the history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..builders.reports import ReserveReport, WalletFile, build_report, report_typed_data
from ..builders.requests import Request, Settlement
from ..core.errors import SsikitError
from ..core.requests import RequestStatus
from ..core.units import whole_units
from .protocol import Protocol

# IIssuer.Status is mirrored once, in core.requests.RequestStatus; these are its labels.
STATUS = {s.value: s.label for s in RequestStatus}
OPEN = tuple(s.label for s in RequestStatus if s.open)
RING = 16  # IIssuer.RING_SIZE (the session reads it from the contract)


class IssuanceError(SsikitError):
    """A request cannot be made or found (no free nonce, unknown id, wrong kind)."""


@dataclass(frozen=True)
class TrackedRequest:
    id: bytes
    request: Request
    is_mint: bool
    status: str
    block: int
    settlement: Settlement | None = None
    issuer: str = ""  # the issuer contract it was made on (an index's issuer can move)
    paid_for: int | None = None  # {index wei} a redemption's accepted payout is for
    updated_block: int | None = None  # the block of its last status change (None: not known)

    @property
    def open(self) -> bool:
        return self.status in OPEN

    def as_dict(self) -> dict[str, Any]:
        """The CLI's row: ``chain.session.RequestView``'s, the one place it is spelled."""
        from .session import RequestView

        return RequestView.of(self).as_dict()


def mint_deposit(protocol: Protocol, token: Any, amount: int) -> list[tuple[str, int]]:
    """The ERC-20 components a mint of ``amount`` escrows now, rounded up (as the issuer
    computes them at the fee factor of the request's block; a factor read a moment earlier is
    never lower, so this never under-approves)."""
    from ..math.basket import deposit_for

    stored, factor, *_ = token.basketState()
    ids = [bytes(a) for a, _ in stored]
    tokens = protocol.assets.tokensOf(ids)
    return [
        (address, deposit_for(amount_, int(factor), amount))
        for (_, amount_), address in zip(stored, tokens, strict=True)
        if int(address, 16) != 0
    ]


def _index(protocol: Protocol, index: str) -> Any:
    """An index by symbol or address."""
    from .artifacts import container

    if index.startswith("0x") and len(index) == 42:
        return container("IndexToken").at(index)
    return protocol.index(index)


def requests_of(protocol: Protocol, requester: str) -> list[TrackedRequest]:
    """Every request of ``requester`` on every issuer version, with its status now (from the
    event index, synced to the head)."""
    found: list[TrackedRequest] = protocol.indexed().requests(requester=requester)
    return found


def pending_requests(protocol: Protocol, index: str) -> list[TrackedRequest]:
    """Every open request on ``index`` (address), whoever made it, on every issuer version (a
    former issuer keeps finishing its requests), from the event index."""
    found: list[TrackedRequest] = protocol.indexed().requests(index=index, open_only=True)
    return found


def find_request(
    protocol: Protocol, request_id: str, requester: str | None = None
) -> TrackedRequest:
    """A request by id (of ``requester``, when given), from the event index."""
    try:
        wanted = bytes.fromhex(request_id.removeprefix("0x"))
    except ValueError:
        raise IssuanceError(f"no request with id {request_id}") from None
    tracked: TrackedRequest | None = (
        protocol.indexed().request(wanted) if len(wanted) == 32 else None
    )
    if tracked is None or (
        requester is not None and tracked.request.requester.lower() != requester.lower()
    ):
        raise IssuanceError(f"no request with id {request_id}")
    return tracked


def issuer_of(protocol: Protocol, tracked: TrackedRequest) -> Any:
    """The issuer contract ``tracked`` was made on: only it can finish the request."""
    return protocol.issuer_at(tracked.issuer) if tracked.issuer else protocol.issuer


class WlpClient:
    """A WLP's view of the issuer: request, cancel, expire, and list its own requests."""

    def __init__(self, protocol: Protocol, account: Any) -> None:
        self.protocol = protocol
        self.account = account

    def next_nonce(self, issuer: Any = None) -> int:
        """A nonce above every nonce used before on ``issuer`` (default the deployment's)
        whose ring slot is free: each issuer version keeps its own ring."""
        issuer = issuer if issuer is not None else self.protocol.issuer
        mine = self.protocol.indexed().requests(
            requester=self.account.address, issuer=issuer.address
        )
        nonce = max((t.request.nonce for t in mine), default=0) + 1
        busy = {t.request.nonce % RING for t in mine if t.open}
        for candidate in range(nonce, nonce + RING):
            if candidate % RING not in busy:
                return candidate
        raise IssuanceError("16 requests are pending: wait for one to finish")

    def _request(
        self, index: str, amount: int, max_fee_bps: int, ttl: int, is_mint: bool
    ) -> TrackedRequest:
        from ape import chain

        token = _index(self.protocol, index)
        issuer = self.protocol.issuer_for(token)  # follows an executed move
        version = int(token.basketVersion())
        nonce = self.next_nonce(issuer)
        deadline = chain.blocks.head.timestamp + ttl
        if is_mint:
            from .artifacts import container

            vault = self.protocol.vault
            for address, owed in mint_deposit(self.protocol, token, amount):
                erc20 = container("TestToken").at(address)  # any ERC-20: the standard ABI
                if erc20.allowance(self.account, vault) < owed:
                    erc20.approve(vault, owed, sender=self.account)
            receipt = issuer.requestMint(
                token, amount, version, max_fee_bps, nonce, deadline, sender=self.account
            )
            log = receipt.decode_logs(issuer.MintRequested)[0]
        else:  # the tokens are locked in the WLP's balance: no approval
            receipt = issuer.requestRedeem(
                token, amount, version, max_fee_bps, nonce, deadline, sender=self.account
            )
            log = receipt.decode_logs(issuer.RedeemRequested)[0]
        request = Request(
            requester=self.account.address,
            index=token.address,
            amount=amount,
            basket_version=version,
            max_fee_bps=max_fee_bps,
            nonce=nonce,
            deadline=deadline,
            factor=log.factor,
        )
        status = "mint pending" if is_mint else "redeem pending"
        return TrackedRequest(
            bytes(log.id), request, is_mint, status, receipt.block_number, None, issuer.address
        )

    def mint(
        self, index: str, amount: int, max_fee_bps: int = 50, ttl: int = 86_400
    ) -> TrackedRequest:
        return self._request(index, amount, max_fee_bps, ttl, True)

    def redeem(
        self, index: str, amount: int, max_fee_bps: int = 50, ttl: int = 86_400
    ) -> TrackedRequest:
        return self._request(index, amount, max_fee_bps, ttl, False)

    def requests(self) -> list[TrackedRequest]:
        return requests_of(self.protocol, self.account.address)

    def pending(self) -> list[TrackedRequest]:
        return [t for t in self.requests() if t.open]

    def cancel(self, request_id: str) -> TrackedRequest:
        tracked = find_request(self.protocol, request_id, self.account.address)
        issuer_of(self.protocol, tracked).cancel(
            tracked.request.as_abi(), tracked.is_mint, sender=self.account
        )
        return find_request(self.protocol, request_id, self.account.address)

    def reclaim(self, request_id: str) -> TrackedRequest:
        """Takes back an acknowledged mint or accepted redemption nobody settled in time."""
        tracked = find_request(self.protocol, request_id, self.account.address)
        issuer = issuer_of(self.protocol, tracked)
        if tracked.is_mint:
            issuer.reclaimMint(tracked.request.as_abi(), sender=self.account)
        else:
            assert tracked.settlement is not None
            issuer.reclaimRedeem(
                tracked.request.as_abi(), tracked.settlement.as_abi(), sender=self.account
            )
        return find_request(self.protocol, request_id, self.account.address)

    def claim(self, token: str) -> int:
        """Withdraws refunded escrow of ``token`` from the vault; the amount claimed."""
        receipt = self.protocol.vault.claim(token, self.account, sender=self.account)
        return int(receipt.decode_logs(self.protocol.vault.RefundClaimed)[0].amount)

    def expire(self, request_id: str) -> TrackedRequest:
        tracked = find_request(self.protocol, request_id)
        issuer_of(self.protocol, tracked).expire(
            tracked.request.as_abi(), tracked.is_mint, sender=self.account
        )
        return find_request(self.protocol, request_id, tracked.request.requester)


class CustodianClient:
    """A custodian's view: post reserve reports, confirm or reject requests, read coverage."""

    def __init__(self, protocol: Protocol, account: Any) -> None:
        self.protocol = protocol
        self.account = account

    def build_report(
        self,
        wallets: WalletFile,
        asset_ids: dict[str, bytes],
        indices: dict[str, str] | None = None,
        oracle: Any = None,
    ) -> ReserveReport:
        """The next report to ``oracle`` (default the deployment's; each oracle version keeps
        its own sequence per custodian)."""
        from ape import chain

        oracle = oracle if oracle is not None else self.protocol.oracle
        sequence, _ = oracle.lastReport(self.account)
        now = int(chain.blocks.head.timestamp)
        return build_report(wallets, asset_ids, int(sequence) + 1, now=now, indices=indices)

    def post(self, report: ReserveReport, signed: bool = True, oracle: Any = None) -> Any:
        """Posts the report to ``oracle`` (default the deployment's): as an EIP-712 signature
        of the custodian's key (relayable by anyone), or directly from the custodian's
        account."""
        from ape import chain
        from eth_account.messages import encode_typed_data

        oracle = oracle if oracle is not None else self.protocol.oracle
        if not signed:
            return oracle.report(report.as_abi(), sender=self.account)
        message = encode_typed_data(
            full_message=report_typed_data(report, chain.chain_id, oracle.address)
        )
        signature = self.account.sign_message(message)
        return oracle.reportSigned(report.as_abi(), signature.encode_rsv(), sender=self.account)

    def refresh(self, index: str) -> Any:
        token = _index(self.protocol, index)
        return self.protocol.oracle_for(token).refreshCoverage(token, sender=self.account)

    def acknowledge(self, request_id: str, refs: list[bytes]) -> TrackedRequest:
        """A mint's delivery arrived: from now on it settles at its basket version."""
        tracked = find_request(self.protocol, request_id)
        issuer_of(self.protocol, tracked).acknowledgeMint(
            tracked.request.as_abi(), refs, sender=self.account
        )
        return find_request(self.protocol, request_id, tracked.request.requester)

    def accept(self, request_id: str) -> TrackedRequest:
        """Fixes a redemption's settlement before anything is paid."""
        tracked = find_request(self.protocol, request_id)
        issuer_of(self.protocol, tracked).acceptRedeem(
            tracked.request.as_abi(), sender=self.account
        )
        return find_request(self.protocol, request_id, tracked.request.requester)

    def offchain_components(self, token: Any) -> list[tuple[bytes, int]]:
        """(asset id, stored amount) of ``token``'s components the custodians hold off chain
        (an ERC-20 on this chain is in the custody vault, which the issuer pays from)."""
        stored, *_ = token.basketState()
        oracle = self.protocol.oracle_for(token)
        return [
            (bytes(a), int(x)) for a, x in stored if not oracle.accountConfig(token, bytes(a))[3]
        ]

    def payout(self, tracked: TrackedRequest) -> list[dict[str, Any]]:
        """What an accepted redemption owes its redeemer, per component the custodians hold
        off chain (on-chain components the issuer pays itself): symbol, base units (rounded
        down, as ``confirmRedeem`` settles them) and whole units. Empty before acceptance."""
        from ..math.basket import payout_for

        if tracked.settlement is None or tracked.paid_for is None:
            return []
        token = _index(self.protocol, tracked.request.index)
        rows = []
        for asset_id, amount in self.offchain_components(token):
            asset = self.protocol.assets.asset(asset_id)
            owed = payout_for(amount, tracked.settlement.factor, tracked.paid_for)
            rows.append(
                {
                    "symbol": str(asset.symbol),
                    "amount": str(owed),
                    "amount_whole": whole_units(owed, int(asset.decimals)),
                }
            )
        return rows

    def confirm(self, request_id: str, refs: list[bytes]) -> TrackedRequest:
        """Confirms a mint (pending with refs, or acknowledged with none) or an accepted
        redemption (with its payout refs)."""
        tracked = find_request(self.protocol, request_id)
        issuer = issuer_of(self.protocol, tracked)
        if tracked.is_mint:
            issuer.confirmMint(tracked.request.as_abi(), refs, sender=self.account)
        else:
            if tracked.settlement is None:
                raise IssuanceError(f"redemption {request_id} is not accepted: accept it first")
            issuer.confirmRedeem(
                tracked.request.as_abi(), tracked.settlement.as_abi(), refs, sender=self.account
            )
        return find_request(self.protocol, request_id, tracked.request.requester)

    def reject(self, request_id: str, reason: int) -> TrackedRequest:
        tracked = find_request(self.protocol, request_id)
        issuer_of(self.protocol, tracked).reject(
            tracked.request.as_abi(), tracked.is_mint, reason, sender=self.account
        )
        return find_request(self.protocol, request_id, tracked.request.requester)

    def coverage(self, index: str) -> list[dict[str, Any]]:
        rows = []
        token = _index(self.protocol, index)
        for row in self.protocol.oracle_for(token).coverage(token):
            asset = self.protocol.assets.asset(row.assetId)
            symbol, decimals = str(asset.symbol), int(asset.decimals)
            rows.append(
                {
                    "asset_id": "0x" + bytes(row.assetId).hex(),
                    "symbol": symbol,
                    "reserves": str(row.reserves),
                    "liabilities": str(row.liabilities),
                    "reserves_whole": whole_units(int(row.reserves), decimals),
                    "liabilities_whole": whole_units(int(row.liabilities), decimals),
                    "ratio": None if row.ratio == 2**256 - 1 else row.ratio / 10**18,
                    "age_seconds": None if row.age == 2**256 - 1 else int(row.age),
                    "fresh": bool(row.fresh),
                }
            )
        return rows
