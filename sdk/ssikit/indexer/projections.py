"""Read models from events: one handler per (contract, event), applied in (block, log index)
order inside the page's transaction. Each handler mirrors the contract code that emitted the
event (named beside it), so the read models equal the contracts' views without calling them.

A new event needs only a function here and an entry in ``HANDLERS``; events without a handler
are still stored (``events`` table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_utils import to_checksum_address
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.basket import unpack_basket
from ..core.units import RAY
from ..math import basket as bm
from ..math.rounding import Rounding
from .store import (
    AccountRow,
    IndexRow,
    Meta,
    PositionRow,
    ProposalRow,
    ReportRow,
    RequestRow,
    VaultRow,
)

ZERO = "0x0000000000000000000000000000000000000000"


@dataclass(frozen=True)
class LogEvent:
    """A decoded log: where it is, who emitted it, and its arguments by name."""

    block: int
    log_index: int
    timestamp: int  # {unix seconds} of its block
    block_hash: str
    tx_hash: str
    address: str
    contract: str
    name: str
    args: dict[str, Any]


Handler = Callable[[Session, LogEvent], None]


def decode_packed_basket(data: str) -> list[list[Any]]:
    """BasketCodec's packed form (``core.basket.unpack_basket``) -> [[asset id hex, amount]]."""
    return [["0x" + a.hex(), x] for a, x in unpack_basket(bytes.fromhex(data.removeprefix("0x")))]


def _components(items: list[dict[str, Any]]) -> list[list[Any]]:
    return [[c["assetId"], int(c["amount"])] for c in items]


def _index(session: Session, address: str) -> IndexRow:
    """The index row, created on first sight (an index's first basket is logged before its
    factory's IndexCreated, in the same transaction)."""
    address = to_checksum_address(address)
    row = session.get(IndexRow, address)
    if row is None:
        row = IndexRow(
            address=address,
            symbol="",
            name="",
            created_block=0,
            compiler="",
            fee_recipient="",
            basket_version=0,
            basket=[],
            backing_units=0,
            supply=0,
            fee_rate=0,
            max_fee_rate=0,
            fee_factor=RAY,
            fee_checkpoint=0,
            fees_collected=0,
            mint_paused=False,
            breaker_tripped=False,
            redeem_paused_until=0,
            issuer="",
            oracle="",
            former_issuers=[],
            pending_moves={},
            deprecated=False,
        )
        session.add(row)
    return row


def _request(session: Session, request_id: str) -> RequestRow | None:
    return session.get(RequestRow, request_id)


def _move(request: RequestRow, status: str, ev: LogEvent) -> None:
    request.status = status
    request.updated_block = ev.block
    request.history = [*request.history, [status, ev.block, ev.log_index]]


# ------------------------------------------------------------------ Issuer
def _requested(is_mint: bool) -> Handler:
    def handle(session: Session, ev: LogEvent) -> None:
        a = ev.args
        escrow = (
            [[t, int(x)] for t, x in zip(a["escrowTokens"], a["escrowAmounts"], strict=True)]
            if is_mint
            else []
        )
        status = "mint pending" if is_mint else "redeem pending"
        session.merge(
            RequestRow(
                id=a["id"],
                is_mint=is_mint,
                requester=a["requester"],
                index=a["index"],
                amount=int(a["amount"]),
                basket_version=int(a["basketVersion"]),
                max_fee_bps=int(a["maxFeeBps"]),
                nonce=int(a["nonce"]),
                deadline=int(a["deadline"]),
                factor=int(a["factor"]),
                status=status,
                block=ev.block,
                requested_at=ev.timestamp,
                updated_block=ev.block,
                escrow=escrow,
                refs=[],
                paid_on_chain=[],
                history=[[status, ev.block, ev.log_index]],
                issuer=to_checksum_address(ev.address),
            )
        )

    return handle


def _simple_status(status: str) -> Handler:
    def handle(session: Session, ev: LogEvent) -> None:
        request = _request(session, ev.args["id"])
        if request is not None:
            _move(request, status, ev)

    return handle


def _acknowledged(session: Session, ev: LogEvent) -> None:
    request = _request(session, ev.args["id"])
    if request is not None:
        request.custodian = ev.args["custodian"]
        request.refs = [*request.refs, *ev.args["refs"]]
        _move(request, "mint acknowledged", ev)


def _mint_confirmed(session: Session, ev: LogEvent) -> None:
    """Issuer.confirmMint -> IndexToken.mint: backing units grow by backing(amount, the
    request's factor), rounded up."""
    request = _request(session, ev.args["id"])
    if request is None:
        return
    request.custodian = ev.args["custodian"]
    request.minted, request.fee = int(ev.args["minted"]), int(ev.args["fee"])
    request.refs = [*request.refs, *ev.args["refs"]]
    _move(request, "confirmed", ev)
    index = _index(session, request.index)
    index.backing_units += bm.backing(request.amount, request.factor, Rounding.CEIL)


def _redeem_accepted(session: Session, ev: LogEvent) -> None:
    request = _request(session, ev.args["id"])
    if request is not None:
        request.custodian = ev.args["custodian"]
        request.settlement_fee_bps = int(ev.args["feeBps"])
        request.settlement_factor = int(ev.args["factor"])
        request.fee, request.paid_for = int(ev.args["fee"]), int(ev.args["paidFor"])
        _move(request, "redeem accepted", ev)


def _redeem_confirmed(session: Session, ev: LogEvent) -> None:
    """Issuer.confirmRedeem -> IndexToken.burnLocked: backing units fall by backing(paidFor,
    the acceptance factor), rounded down."""
    request = _request(session, ev.args["id"])
    if request is None:
        return
    request.custodian = ev.args["custodian"]
    request.paid_for, request.fee = int(ev.args["paidFor"]), int(ev.args["fee"])
    request.refs = [*request.refs, *ev.args["refs"]]
    _move(request, "confirmed", ev)
    factor = request.settlement_factor or 0
    index = _index(session, request.index)
    index.backing_units -= bm.backing(int(ev.args["paidFor"]), factor, Rounding.FLOOR)


def _paid_on_chain(session: Session, ev: LogEvent) -> None:
    request = _request(session, ev.args["id"])
    if request is not None:
        tokens, amounts = ev.args["tokens"], ev.args["amounts"]
        request.paid_on_chain = [[t, int(x)] for t, x in zip(tokens, amounts, strict=True)]


def _rejected(session: Session, ev: LogEvent) -> None:
    request = _request(session, ev.args["id"])
    if request is not None:
        request.custodian = ev.args["custodian"]
        request.reject_reason = int(ev.args["reasonCode"])
        _move(request, "rejected", ev)


def _fees_set(session: Session, ev: LogEvent) -> None:
    index = _index(session, ev.args["index"])
    index.mint_fee_bps = int(ev.args["mintFeeBps"])
    index.redeem_fee_bps = int(ev.args["redeemFeeBps"])


def _limits_set(session: Session, ev: LogEvent) -> None:
    _index(session, ev.args["index"]).limits = dict(ev.args["limits"])


def _mint_pause(session: Session, ev: LogEvent) -> None:
    _index(session, ev.args["index"]).mint_paused = bool(ev.args["paused"])


def _breaker(session: Session, ev: LogEvent) -> None:
    _index(session, ev.args["index"]).breaker_tripped = bool(ev.args["tripped"])


def _redeem_pause(session: Session, ev: LogEvent) -> None:
    _index(session, ev.args["index"]).redeem_paused_until = int(ev.args["pausedUntil"])


# ------------------------------------------------------------------ IndexFactory
def _defaults_set(session: Session, ev: LogEvent) -> None:
    """IndexFactory.DefaultsSet: the issuer and oracle the factory's next indices start on."""
    for key in ("issuer", "oracle"):
        name = f"factory_default_{key}:{ev.address}"
        row = session.get(Meta, name)
        value = to_checksum_address(ev.args[key])
        if row is None:
            session.add(Meta(key=name, value=value))
        else:
            row.value = value


def _index_created(session: Session, ev: LogEvent) -> None:
    """IndexToken.initialize: fee factor RAY checkpointed at the creation block's time; the
    issuer and oracle are the factory's defaults (clone arguments)."""
    a = ev.args
    index = _index(session, a["index"])
    for key in ("issuer", "oracle"):
        row = session.get(Meta, f"factory_default_{key}:{ev.address}")
        setattr(index, key, row.value if row is not None else "")
    index.symbol, index.name = a["symbol"], a["name"]
    index.fee_rate, index.max_fee_rate = int(a["feeRate"]), int(a["maxFeeRate"])
    index.compiler, index.fee_recipient = a["compiler"], a["feeRecipient"]
    index.created_block = ev.block
    index.fee_factor, index.fee_checkpoint = RAY, ev.timestamp


# ------------------------------------------------------------------ IndexToken
_KINDS = {0: "issuer", 1: "oracle"}  # IVersionRegistry.Kind


def _move_signalled(session: Session, ev: LogEvent) -> None:
    index = _index(session, ev.address)
    moves = dict(index.pending_moves or {})
    moves[_KINDS[int(ev.args["kind"])]] = {
        "target": to_checksum_address(ev.args["to"]),
        "code_hash": str(ev.args["codeHash"]),  # decoded bytes32: already 0x hex (abi.py)
        "executable_at": int(ev.args["executableAt"]),
        "block": ev.block,
    }
    index.pending_moves = moves


def _move_cancelled(session: Session, ev: LogEvent) -> None:
    index = _index(session, ev.address)
    moves = dict(index.pending_moves or {})
    moves.pop(_KINDS[int(ev.args["kind"])], None)
    index.pending_moves = moves


def _move_executed(session: Session, ev: LogEvent) -> None:
    index = _index(session, ev.address)
    kind = _KINDS[int(ev.args["kind"])]
    _move_cancelled(session, ev)
    target = to_checksum_address(ev.args["to"])
    if kind == "issuer":
        former = [a for a in (index.former_issuers or []) if a != target]
        index.former_issuers = [*former, to_checksum_address(ev.args["from"])]
        index.issuer = target
    else:
        index.oracle = target


def _deprecated(session: Session, ev: LogEvent) -> None:
    _index(session, ev.address).deprecated = True


def _basket_updated(session: Session, ev: LogEvent) -> None:
    index = _index(session, ev.address)
    index.basket = _components(ev.args["components"])
    index.basket_version = int(ev.args["version"])


def _fee_rate(session: Session, ev: LogEvent) -> None:
    _index(session, ev.address).fee_rate = int(ev.args["newRate"])


def _fee_accrued(session: Session, ev: LogEvent) -> None:
    index = _index(session, ev.address)
    index.fee_factor, index.fee_checkpoint = int(ev.args["factor"]), int(ev.args["timestamp"])


def _fees_collected(session: Session, ev: LogEvent) -> None:
    index = _index(session, ev.address)
    index.fees_collected += int(ev.args["amount"])


def _transfer(session: Session, ev: LogEvent) -> None:
    """Supply: mints come from address(0), burns go to it."""
    value = int(ev.args["value"])
    if ev.args["from"] == ZERO:
        _index(session, ev.address).supply += value
    if ev.args["to"] == ZERO:
        _index(session, ev.address).supply -= value


def _proposed(session: Session, ev: LogEvent) -> None:
    a = ev.args
    session.merge(
        ProposalRow(
            id=a["id"],
            index=ev.address,
            from_version=int(a["fromVersion"]),
            proposer=a["by"],
            commitment=a["commitment"],
            activation_time=int(a["activationTime"]),
            components=_components(a["components"]),
            prices=[[p["assetId"], int(p["price"])] for p in a["prices"]],
            turnover_bps=int(a["turnoverBps"]),
            changed=int(a["changed"]),
            max_component_change_bps=int(a["maxComponentChangeBps"]),
            status="pending",
            block=ev.block,
        )
    )
    _index(session, ev.address).pending_proposal = a["id"]


def _close_proposal(session: Session, ev: LogEvent, status: str) -> None:
    proposal = session.get(ProposalRow, ev.args["id"])
    if proposal is not None:
        proposal.status, proposal.closed_block = status, ev.block
    index = _index(session, ev.address)
    if index.pending_proposal == ev.args["id"]:
        index.pending_proposal = None


def _rebalance_cancelled(session: Session, ev: LogEvent) -> None:
    _close_proposal(session, ev, "cancelled")


def _rebalance_activated(session: Session, ev: LogEvent) -> None:
    _close_proposal(session, ev, "activated")
    index = _index(session, ev.address)
    index.basket = decode_packed_basket(ev.args["newBasket"])
    index.basket_version = int(ev.args["version"])


# ------------------------------------------------------------------ ReserveOracle
def _account_opened(session: Session, ev: LogEvent) -> None:
    token = ev.args["token"]
    session.merge(
        AccountRow(
            index=ev.args["index"],
            asset_id=ev.args["assetId"],
            max_age=int(ev.args["maxAge"]),
            token=None if token == ZERO else token,
        )
    )


def _max_age(session: Session, ev: LogEvent) -> None:
    account = session.get(AccountRow, (ev.args["index"], ev.args["assetId"]))
    if account is not None:
        account.max_age = int(ev.args["maxAge"])


def _custodian_added(session: Session, ev: LogEvent) -> None:
    """ReserveOracle.addCustodian: a custodian added (again) starts from nothing."""
    key = (ev.args["index"], ev.args["assetId"], ev.args["custodian"])
    session.merge(PositionRow(index=key[0], asset_id=key[1], custodian=key[2], balance=0, as_of=0))


def _custodian_removed(session: Session, ev: LogEvent) -> None:
    key = (ev.args["index"], ev.args["assetId"], ev.args["custodian"])
    position = session.get(PositionRow, key)
    if position is not None:
        session.delete(position)


def _reported(session: Session, ev: LogEvent) -> None:
    """ReserveOracle._accept: each holding is the custodian's new balance for its account."""
    a = ev.args
    holdings = [{**h, "balance": int(h["balance"])} for h in a["holdings"]]
    session.merge(
        ReportRow(
            custodian=a["custodian"],
            sequence=int(a["sequence"]),
            as_of=int(a["asOf"]),
            attestation=a["attestation"],
            holdings=holdings,
            block=ev.block,
        )
    )
    for h in holdings:
        position = session.get(PositionRow, (h["index"], h["assetId"], a["custodian"]))
        if position is not None:
            position.balance, position.as_of = h["balance"], int(a["asOf"])


def _coverage_refreshed(session: Session, ev: LogEvent) -> None:
    index = _index(session, ev.args["index"])
    index.coverage_max_units = int(ev.args["maxUnits"])
    index.coverage_valid_until = int(ev.args["validUntil"])


# ------------------------------------------------------------------ CustodyVault
def _vault_row(session: Session, index: str, token: str) -> VaultRow:
    row = session.get(VaultRow, (index, token))
    if row is None:
        row = VaultRow(index=index, token=token, held=0)
        session.add(row)
    return row


def _deposited(session: Session, ev: LogEvent) -> None:
    _vault_row(session, ev.args["index"], ev.args["token"]).held += int(ev.args["amount"])


def _released(session: Session, ev: LogEvent) -> None:
    _vault_row(session, ev.args["index"], ev.args["token"]).held -= int(ev.args["amount"])


HANDLERS: dict[tuple[str, str], Handler] = {
    ("Issuer", "MintRequested"): _requested(True),
    ("Issuer", "RedeemRequested"): _requested(False),
    ("Issuer", "MintAcknowledged"): _acknowledged,
    ("Issuer", "MintConfirmed"): _mint_confirmed,
    ("Issuer", "RedeemAccepted"): _redeem_accepted,
    ("Issuer", "RedeemConfirmed"): _redeem_confirmed,
    ("Issuer", "RedeemPaidOnChain"): _paid_on_chain,
    ("Issuer", "RequestRejected"): _rejected,
    ("Issuer", "RequestCancelled"): _simple_status("cancelled"),
    ("Issuer", "RequestExpired"): _simple_status("expired"),
    ("Issuer", "RequestReclaimed"): _simple_status("reclaimed"),
    ("Issuer", "FeesSet"): _fees_set,
    ("Issuer", "LimitsSet"): _limits_set,
    ("Issuer", "MintPauseSet"): _mint_pause,
    ("Issuer", "CircuitBreakerSet"): _breaker,
    ("Issuer", "RedeemPauseSet"): _redeem_pause,
    ("IndexFactory", "IndexCreated"): _index_created,
    ("IndexFactory", "DefaultsSet"): _defaults_set,
    ("IndexToken", "MoveSignalled"): _move_signalled,
    ("IndexToken", "MoveCancelled"): _move_cancelled,
    ("IndexToken", "MoveExecuted"): _move_executed,
    ("IndexToken", "IndexDeprecated"): _deprecated,
    ("IndexToken", "BasketUpdated"): _basket_updated,
    ("IndexToken", "FeeRateUpdated"): _fee_rate,
    ("IndexToken", "FeeAccrued"): _fee_accrued,
    ("IndexToken", "FeesCollected"): _fees_collected,
    ("IndexToken", "Transfer"): _transfer,
    ("IndexToken", "RebalanceProposed"): _proposed,
    ("IndexToken", "RebalanceCancelled"): _rebalance_cancelled,
    ("IndexToken", "RebalanceActivated"): _rebalance_activated,
    ("ReserveOracle", "AccountOpened"): _account_opened,
    ("ReserveOracle", "MaxAgeSet"): _max_age,
    ("ReserveOracle", "CustodianAdded"): _custodian_added,
    ("ReserveOracle", "CustodianRemoved"): _custodian_removed,
    ("ReserveOracle", "ReserveReported"): _reported,
    ("ReserveOracle", "CoverageRefreshed"): _coverage_refreshed,
    ("CustodyVault", "Deposited"): _deposited,
    ("CustodyVault", "Released"): _released,
}


def apply(session: Session, ev: LogEvent) -> None:
    """Updates the read models for one event (no-op for events without a handler)."""
    handler = HANDLERS.get((ev.contract, ev.name))
    if handler is not None:
        handler(session, ev)
        session.flush()


def positions(session: Session, index: str, asset_id: str) -> list[PositionRow]:
    return list(
        session.scalars(
            select(PositionRow).where(PositionRow.index == index, PositionRow.asset_id == asset_id)
        )
    )
