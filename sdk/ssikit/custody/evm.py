"""``EvmCustody``: the ``CustodyAdapter`` for assets held on an EVM custody chain (native coin
and ERC-20s), checked and moved by real transactions there.

How a WLP's delivery is found and bound to one request:

1. The WLP sends the transfer to the index's custody address with the request id as memo
   (``builders.custody``) from its own address, and hands the custodian a **delivery notice**
   (request id, asset, transaction hash): ``deliver`` does both; notices are lines of a JSON
   file (``notices``) the custodian reads. A notice is a claim, never evidence.
2. The custodian checks the claim on the custody chain: the receipt exists and succeeded; the
   sender is the requester's custody-chain address; the memo is this request's id; the token
   is the asset's (the native coin: ``tx.to`` and ``tx.value``; an ERC-20: its contract is
   ``tx.to`` and the amount is the sum of that contract's ``Transfer`` logs from the sender to
   the custody address, so a fee-on-transfer or fake token cannot inflate it); the amount is
   at least what the request owes; the block has ``confirmations`` confirmations.
3. The transaction is then bound to the request in the ledger (a JSON file written atomically)
   before the mint is acknowledged; a bound transaction is refused for every other request,
   also after a restart.

Payouts are transfers from the custody address to the redeemer's custody-chain address, with
the redemption's id as memo. Each is signed first and written to the ledger (hash and raw
transaction) before it is broadcast, so a restart re-sends the very same transaction (same
nonce: it can be mined at most once) instead of paying again.

Reserves are the custody addresses' balances, counted conservatively: the lower of the balance
at the head and at the last confirmed block, so an incoming transfer counts once it is
confirmed and an outgoing one at once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from eth_utils import to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..builders.custody import (
    TRANSFER_TOPIC,
    erc20_transfer_data,
    memo_of,
    native_memo,
)
from ..builders.reports import Wallet
from .adapter import Delivery, DeliveryStatus, totals_of
from .chain import CustodyChain, connect, local_key
from .errors import CustodyError, CustodyUnavailableError

P = ParamSpec("P")
T = TypeVar("T")


def _rid(request_id: bytes) -> str:
    return "0x" + bytes(request_id).hex()


def _hex32(value: str) -> bytes:
    raw = bytes.fromhex(value.removeprefix("0x"))
    if len(raw) != 32:
        raise ValueError(f"not 32 bytes: {value}")
    return raw


class CustodyConfig(BaseModel):
    """The custody chain and what the custodian holds there (a JSON file, ``load``)."""

    model_config = ConfigDict(extra="forbid")

    rpc: str = Field(min_length=1, description="the custody chain's RPC URL")
    chain_id: int | None = Field(default=None, description="refuse a node of another chain")
    confirmations: int = Field(default=2, ge=1, description="blocks, the delivery's included")
    assets: dict[str, str | None] = Field(
        min_length=1, description="symbol -> ERC-20 address on the custody chain; null: native"
    )
    accounts: dict[str, str] = Field(
        min_length=1, description="index symbol -> its custody address (holds all its assets)"
    )
    participants: dict[str, str] = Field(
        default_factory=dict,
        description="protocol-chain address -> custody-chain address of a WLP (default: same)",
    )
    ledger: Path = Field(description="bound deliveries and payouts (JSON, written atomically)")
    notices: Path = Field(description="delivery notices handed over by WLPs (JSON lines)")
    key_env: str | None = Field(
        default=None, description="environment variable holding the custody address's key"
    )
    test_accounts: list[int] = Field(
        default_factory=list, description="local chains only: test mnemonic accounts that sign"
    )

    @field_validator("assets")
    @classmethod
    def _tokens(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        return {s: None if t is None else to_checksum_address(t) for s, t in value.items()}

    @field_validator("accounts", "participants")
    @classmethod
    def _addresses(cls, value: dict[str, str]) -> dict[str, str]:
        return {k: to_checksum_address(v) for k, v in value.items()}

    @classmethod
    def load(cls, path: Path) -> CustodyConfig:
        """Relative ``ledger`` and ``notices`` paths are relative to the file's folder."""
        try:
            found = cls.model_validate_json(path.read_text())
        except (OSError, ValidationError) as err:
            raise CustodyError(f"custody config {path}: {err}") from err
        base = path.parent
        return found.model_copy(
            update={"ledger": base / found.ledger, "notices": base / found.notices}
        )

    def key_for(self, address: str) -> Any:
        """The key of the custody address ``address`` that signs its payouts: ``$key_env``'s,
        or one of the test accounts'; CustodyError when none is that address's."""
        keys = [local_key(i) for i in self.test_accounts]
        if self.key_env is not None:
            secret = os.environ.get(self.key_env)
            if not secret:
                raise CustodyError(f"custody config: ${self.key_env} is not set")
            from eth_account import Account

            keys.append(Account.from_key(secret))
        for key in keys:
            if key.address == address:
                return key
        raise CustodyError(f"no key for the custody address {address} (config key_env)")


def _reachable(method: Callable[P, T]) -> Callable[P, T]:
    """A refused or timed-out RPC becomes CustodyUnavailableError (one line, no guess)."""
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from requests.exceptions import Timeout

    @wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(*args, **kwargs)
        except (RequestsConnectionError, Timeout, ConnectionError) as err:
            self = args[0]
            raise CustodyUnavailableError(self.config.rpc) from err  # type: ignore[attr-defined]

    return call


@dataclass(frozen=True)
class DeliveryNotice:
    """What a WLP hands the custodian: 'transaction ``tx`` delivers ``asset`` for ``request``'."""

    request: bytes
    asset: str
    tx: bytes

    def as_json(self) -> str:
        return json.dumps({"request": _rid(self.request), "asset": self.asset, "tx": _rid(self.tx)})


def record_notice(path: Path, notice: DeliveryNotice) -> None:
    """Appends ``notice`` to a notices file (one JSON object a line)."""
    with path.open("a") as out:
        out.write(notice.as_json() + "\n")


def read_notices(path: Path) -> list[DeliveryNotice]:
    """The notices of a file; a malformed line is skipped (a notice is only a claim)."""
    if not path.is_file():
        return []
    found = []
    for line in path.read_text().splitlines():
        try:
            raw = json.loads(line)
            found.append(
                DeliveryNotice(_hex32(raw["request"]), str(raw["asset"]), _hex32(raw["tx"]))
            )
        except (ValueError, KeyError, TypeError):
            continue
    return found


@dataclass
class EvmCustody:
    """``CustodyAdapter`` for the assets of ``config.assets`` on the custody chain."""

    config: CustodyConfig
    _chain: CustodyChain | None = field(default=None, repr=False)

    @classmethod
    def from_file(cls, path: Path) -> EvmCustody:
        return cls(CustodyConfig.load(path))

    # ------------------------------------------------------------------ plumbing
    @property
    def chain(self) -> CustodyChain:
        """The connection, made on first use (a chain that is down fails the call that needs
        it, with CustodyUnavailableError, not the service's start)."""
        if self._chain is None:
            found = connect(self.config.rpc)
            if self.config.chain_id is not None and found.chain_id != self.config.chain_id:
                raise CustodyError(
                    f"the custody RPC {self.config.rpc} serves chain {found.chain_id}, "
                    f"not {self.config.chain_id}"
                )
            self._chain = found
        return self._chain

    @property
    def assets(self) -> list[str]:
        return list(self.config.assets)

    def routes(self) -> dict[str, EvmCustody]:
        """asset -> this adapter, for ``CompositeCustody(default, routes)``."""
        return {asset: self for asset in self.config.assets}

    def _account(self, index: str) -> str:
        for name, address in self.config.accounts.items():
            if name.lower() == index.lower():
                return address
        raise CustodyError(f"custody config has no custody address for index {index!r}")

    def _participant(self, address: str) -> str:
        known = {k.lower(): v for k, v in self.config.participants.items()}
        return known.get(address.lower(), to_checksum_address(address))

    def _token(self, asset: str) -> str | None:
        if asset not in self.config.assets:
            raise CustodyError(f"asset {asset} is not held on the custody chain")
        return self.config.assets[asset]

    def _load(self) -> dict[str, Any]:
        path = self.config.ledger
        data: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}
        data.setdefault("bound", {})
        data.setdefault("payouts", {})
        return data

    def _save(self, data: dict[str, Any]) -> None:
        path = self.config.ledger
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        tmp.replace(path)

    def _balance(self, address: str, asset: str, block: int | str) -> int:
        token = self._token(asset)
        if token is None:
            return int(self.chain.w3.eth.get_balance(address, block_identifier=block))
        erc20 = self.chain.erc20(token)
        return int(erc20.functions.balanceOf(address).call(block_identifier=block))

    # ------------------------------------------------------------------ reserves
    @_reachable
    def wallets(self) -> list[Wallet]:
        head = self.chain.head()
        confirmed = max(head - self.config.confirmations + 1, 0)
        return [
            Wallet(
                index=index,
                asset=asset,
                address=f"eip155:{self.chain.chain_id}:{address}",
                balance=min(
                    self._balance(address, asset, head), self._balance(address, asset, confirmed)
                ),
            )
            for index, address in self.config.accounts.items()
            for asset in self.config.assets
        ]

    def totals(self) -> dict[tuple[str, str], int]:
        return totals_of(self.wallets())

    # ------------------------------------------------------------------ deliveries
    def notify(self, notice: DeliveryNotice) -> None:
        """Records a WLP's delivery notice (as ``deliver`` does on the WLP's side)."""
        record_notice(self.config.notices, notice)

    @_reachable
    def delivery(
        self, request_id: bytes, index: str, requester: str, asset: str, owed: int
    ) -> Delivery:
        self._token(asset)  # an asset not held here is a configuration error
        claims = [
            n.tx
            for n in read_notices(self.config.notices)
            if n.request == request_id and n.asset == asset
        ]
        if not claims:
            return Delivery(DeliveryStatus.MISSING, asset, reason="no delivery notice")
        found = [self._verify(tx, request_id, index, requester, asset, owed) for tx in claims]
        rank = [
            DeliveryStatus.ACCEPTED,
            DeliveryStatus.UNCONFIRMED,
            DeliveryStatus.SHORT,
            DeliveryStatus.REFUSED,
            DeliveryStatus.MISSING,
        ]
        return min(found, key=lambda d: rank.index(d.status))

    def _verify(
        self, tx_hash: bytes, request_id: bytes, index: str, requester: str, asset: str, owed: int
    ) -> Delivery:
        ref = _rid(tx_hash)

        def refused(why: str) -> Delivery:
            return Delivery(DeliveryStatus.REFUSED, asset, reason=f"tx {ref} {why}")

        bound = self._load()["bound"].get(ref)
        if bound is not None and bound["request"] != _rid(request_id):
            return refused(f"already backs request {bound['request']}")
        w3 = self.chain.w3
        from web3.exceptions import TransactionNotFound

        try:
            tx = w3.eth.get_transaction(tx_hash)
        except TransactionNotFound:
            return Delivery(DeliveryStatus.MISSING, asset, reason=f"tx {ref} not found")
        try:
            receipt = w3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            return Delivery(DeliveryStatus.UNCONFIRMED, asset, reason=f"tx {ref} not mined")
        if receipt["status"] != 1:
            return refused("reverted")
        sender = self._participant(requester)
        if to_checksum_address(tx["from"]) != sender:
            return refused(f"was sent by {tx['from']}, not by the requester's {sender}")
        custody = self._account(index)
        token = self._token(asset)
        memo = memo_of(bytes(tx["input"]), native=token is None)
        if memo is None:
            return refused("carries no request id as memo")
        if memo != request_id:
            return refused(f"is bound to request {_rid(memo)}, not this one")
        to = to_checksum_address(tx["to"]) if tx["to"] else None
        if token is None:
            if to != custody:
                return refused(f"pays {to}, not the custody address {custody}")
            amount = int(tx["value"])
            if amount == 0:
                return refused(f"moves no {asset} (native coin)")
        else:
            if to != token:
                return refused(f"transfers {to}, not {asset}'s token {token}")
            amount, payees = self._transferred(receipt, token, sender, custody)
            if amount == 0:
                paid = ", ".join(payees) or "nobody"
                return refused(f"pays {paid}, not the custody address {custody}")
        if amount < owed:
            return Delivery(
                DeliveryStatus.SHORT,
                asset,
                amount,
                reason=f"tx {ref} delivers {amount}, the request owes {owed} {{base units}}",
            )
        have = self.chain.head() - int(receipt["blockNumber"]) + 1
        need = self.config.confirmations
        if have < need:
            return Delivery(
                DeliveryStatus.UNCONFIRMED,
                asset,
                amount,
                reason=f"tx {ref} has {have} of {need} confirmations",
            )
        return Delivery(DeliveryStatus.ACCEPTED, asset, amount, ref=bytes(tx_hash))

    @staticmethod
    def _transferred(receipt: Any, token: str, sender: str, custody: str) -> tuple[int, list[str]]:
        """{token base units} the receipt's ``Transfer`` logs of ``token`` move from ``sender``
        to ``custody``, and every payee of that token's transfers in it."""
        amount, payees = 0, list[str]()
        for log in receipt["logs"]:
            topics = [bytes(t) for t in log["topics"]]
            if to_checksum_address(log["address"]) != token or len(topics) != 3:
                continue
            if topics[0] != TRANSFER_TOPIC:
                continue
            source = to_checksum_address(topics[1][12:])
            payee = to_checksum_address(topics[2][12:])
            payees.append(payee)
            if source == sender and payee == custody:
                amount += int.from_bytes(bytes(log["data"]), "big")
        return amount, payees

    def bind(self, request_id: bytes, delivery: Delivery) -> None:
        if not delivery.accepted or delivery.ref is None:
            raise CustodyError(f"only an accepted delivery can be bound ({delivery.line()})")
        data = self._load()
        ref = _rid(delivery.ref)
        bound = data["bound"].get(ref)
        if bound is not None and bound["request"] != _rid(request_id):
            raise CustodyError(f"tx {ref} already backs request {bound['request']}")
        data["bound"][ref] = {"request": _rid(request_id), "asset": delivery.asset}
        self._save(data)

    # ------------------------------------------------------------------ payouts
    def payout_of(self, request_id: bytes, asset: str) -> bytes | None:
        done = self._load()["payouts"].get(_rid(request_id), {}).get(asset)
        if done is None or done.get("state") != "done":
            return None
        return _hex32(done["hash"])

    @_reachable
    def pay(self, request_id: bytes, index: str, asset: str, amount: int, to: str) -> bytes:
        data = self._load()
        entries = data["payouts"].setdefault(_rid(request_id), {})
        entry = entries.get(asset)
        if entry is not None:
            resumed = self._resume(entry)
            if resumed is not None:
                entry["state"] = "done"
                self._save(data)
                return resumed
            del entries[asset]  # never mined (reverted, or its nonce went elsewhere): pay anew
            self._save(data)
        custody = self._account(index)
        key = self.config.key_for(custody)
        held = self._balance(custody, asset, "latest")
        if held < amount:
            raise CustodyError(
                f"custody holds {held} {asset} for {index}, too little to pay {amount}"
            )
        payee, token = self._participant(to), self._token(asset)
        tx: dict[str, Any]
        if token is None:
            tx = {"to": payee, "value": amount, "data": native_memo(request_id)}
        else:
            tx = {"to": token, "data": erc20_transfer_data(payee, amount, request_id)}
        signed = self.chain.sign(key, tx)
        entries[asset] = {
            "hash": _rid(signed.hash),
            "raw": "0x" + bytes(signed.raw_transaction).hex(),
            "state": "sent",
        }
        self._save(data)  # written before it is sent: a restart re-sends this same transaction
        resumed = self._resume(entries[asset])
        if resumed is None:
            del entries[asset]
            self._save(data)
            raise CustodyError(f"payout tx {_rid(signed.hash)} of {asset} reverted")
        entries[asset]["state"] = "done"
        self._save(data)
        return resumed

    def _resume(self, entry: dict[str, Any]) -> bytes | None:
        """The hash of a recorded payout once mined successfully (re-sent if the node does not
        know it); None if it reverted or can never be mined (its nonce was used)."""
        from web3.exceptions import TimeExhausted, TransactionNotFound

        tx_hash = _hex32(entry["hash"])
        w3 = self.chain.w3
        try:
            receipt = w3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            try:
                self.chain.broadcast(bytes.fromhex(entry["raw"].removeprefix("0x")))
            except ValueError:
                return None  # nonce too low and no receipt: another transaction took it
            try:
                receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
            except TimeExhausted as err:
                raise CustodyError(f"payout tx {entry['hash']} is not mined yet") from err
        return tx_hash if receipt["status"] == 1 else None


@dataclass(frozen=True)
class Transfer:
    """A delivery sent: its notice (which holds the transaction hash)."""

    notice: DeliveryNotice
    amount: int  # {asset base units}


def deliver(
    chain: CustodyChain,
    key: Any,
    config: CustodyConfig,
    request_id: bytes,
    index: str,
    asset: str,
    amount: int,
    notices: Path | None = None,
) -> Transfer:
    """The WLP's side: sends ``amount`` {asset base units} of ``asset`` from ``key`` to the
    index's custody address with the request id as memo, and records the delivery notice in
    ``notices`` (default the config's). Returns the notice (its ``tx`` is the reference)."""
    custody = EvmCustody(config, chain)
    to, token = custody._account(index), custody._token(asset)
    if token is None:
        tx: dict[str, Any] = {"to": to, "value": amount, "data": native_memo(request_id)}
    else:
        tx = {"to": token, "data": erc20_transfer_data(to, amount, request_id)}
    try:
        tx_hash = chain.send(key, tx)
    except (ConnectionError, OSError) as err:
        raise CustodyUnavailableError(chain.url) from err
    notice = DeliveryNotice(request_id, asset, tx_hash)
    record_notice(notices or config.notices, notice)
    return Transfer(notice, amount)
