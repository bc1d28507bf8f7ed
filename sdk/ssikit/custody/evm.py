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
3. The transaction is then bound to the request in the ledger (a JSON file, locked and written
   atomically) before the mint is acknowledged; a bound transaction is refused for every other
   request, also after a restart.

Payouts are transfers from the custody address to the redeemer's registered custody-chain
address (``participants``: never an address the redeemer did not register), with the
redemption's id as memo. Each is signed first and written to the ledger (hash, raw transaction,
nonce, amount) before it is broadcast, so a restart re-sends the very same transaction (same
nonce: it can be mined at most once) instead of paying again. A node that refuses it raises
``CustodyBroadcastError`` and the signed transaction stays recorded for the retry; one whose
max fee fell below the base fee is replaced by the same transaction (same nonce) at today's
fees, recorded before it is sent (every hash that could be mined is kept); a new payout is
signed only once the recorded one can never be mined (it reverted, or another transaction took
its nonce in a confirmed block).

Reserves are counted conservatively: the balance at the last confirmed block, minus everything
the custody address sent since (transfers out and, for the native coin, their gas) and every
recorded payout not mined yet; for the native coin, minus the address's ``gas_float`` too (the
coins kept to pay gas are not reserves; a native payout that would dip into it is refused with
``GasFloatError``). Incoming coins count once confirmed, outgoing ones at once.

The ledger and the notices are shared by every process of the custodian: each read-modify-write
holds an exclusive file lock, and each write is atomic (``custody.files``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from eth_utils import to_checksum_address
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from web3.exceptions import ContractLogicError

from ..builders.custody import (
    TRANSFER_TOPIC,
    erc20_transfer_data,
    memo_of,
    native_memo,
)
from ..builders.reports import Wallet
from .adapter import Delivery, DeliveryStatus, totals_of
from .chain import CustodyChain, connect, local_key
from .errors import (
    ContractPayeeError,
    CustodyConfigError,
    CustodyError,
    CustodyUnavailableError,
    DecimalsMismatchError,
    GasFloatError,
    UnregisteredPayeeError,
)
from .files import append_line, locked, read_json, write_atomic

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
    chain_id: int | None = Field(default=None, ge=1, description="refuse a node of another chain")
    confirmations: int = Field(default=2, ge=1, description="blocks, the delivery's included")
    assets: dict[str, str | None] = Field(
        min_length=1, description="symbol -> ERC-20 address on the custody chain; null: native"
    )
    accounts: dict[str, str] = Field(
        min_length=1, description="index symbol -> its custody address (holds all its assets)"
    )
    participants: dict[str, str] = Field(
        default_factory=dict,
        description="protocol-chain address -> custody-chain address of a WLP: deliveries are "
        "accepted from it (default: the same address) and payouts go only to it",
    )
    gas_float: dict[str, int] = Field(
        default_factory=dict,
        description="custody address -> {wei} of the native coin it keeps for gas: not reported "
        "as reserves, and no native payout may dip into it",
    )
    ledger: Path = Field(description="bound deliveries and payouts (JSON, locked, atomic)")
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
        from ..core.assets import KNOWN_ASSETS

        for symbol in value:
            if symbol not in KNOWN_ASSETS:
                raise ValueError(f"unknown asset {symbol!r} (not in the asset table)")
        if sum(t is None for t in value.values()) > 1:
            raise ValueError("only one asset can be the native coin (null)")
        return {s: None if t is None else _address(t, s) for s, t in value.items()}

    @field_validator("accounts", "participants")
    @classmethod
    def _addresses(cls, value: dict[str, str]) -> dict[str, str]:
        return {k: _address(v, k) for k, v in value.items()}

    @field_validator("gas_float")
    @classmethod
    def _floats(cls, value: dict[str, int]) -> dict[str, int]:
        for address, wei in value.items():
            if wei < 0:
                raise ValueError(f"{address}: a gas float is not negative ({wei})")
        return {_address(k, k): v for k, v in value.items()}

    @model_validator(mode="after")
    def _one_index_per_address(self) -> CustodyConfig:
        """A custody address backs one index: two indices at one address would each report
        the same coins as theirs (reserves counted twice over the indices)."""
        seen: dict[str, str] = {}
        for index, address in self.accounts.items():
            if address in seen:
                raise ValueError(
                    f"accounts: {index} and {seen[address]} share the custody address {address}"
                    " (its coins would back both)"
                )
            seen[address] = index
        return self

    @model_validator(mode="after")
    def _floats_are_custody_addresses(self) -> CustodyConfig:
        mine = set(self.accounts.values())
        for address in self.gas_float:
            if address not in mine:
                raise ValueError(f"gas_float: {address} is no custody address of accounts")
        return self

    @classmethod
    def load(cls, path: Path) -> CustodyConfig:
        """Relative ``ledger`` and ``notices`` paths are relative to the file's folder; a
        malformed file is a CustodyConfigError naming the field and why (one line)."""
        try:
            found = cls.model_validate_json(path.read_text())
        except OSError as err:
            raise CustodyConfigError("file", f"not readable ({err.strerror})", path) from err
        except ValidationError as err:
            raise _config_error(err, path) from None
        base = path.parent
        return found.model_copy(
            update={"ledger": base / found.ledger, "notices": base / found.notices}
        )

    def float_of(self, address: str) -> int:
        """{wei} the custody address keeps for gas (0 when the config names none)."""
        return self.gas_float.get(to_checksum_address(address), 0)

    def check_keys(self) -> None:
        """CustodyConfigError unless every custody address of ``accounts`` has its key (what
        the custodian's service needs to pay; a WLP's side needs none)."""
        for index, address in self.accounts.items():
            try:
                self.key_for(address)
            except CustodyError as err:
                raise CustodyConfigError(f"accounts.{index}", str(err)) from None

    def key_for(self, address: str) -> Any:
        """The key of the custody address ``address`` that signs its payouts: ``$key_env``'s,
        or one of the test accounts'; CustodyError when none is that address's."""
        keys = [local_key(i) for i in self.test_accounts]
        if self.key_env is not None:
            secret = os.environ.get(self.key_env)
            if not secret:
                raise CustodyError(f"custody config: ${self.key_env} is not set")
            from eth_account import Account

            try:
                keys.append(Account.from_key(secret))
            except (ValueError, TypeError) as err:
                raise CustodyConfigError("key_env", f"${self.key_env} is no private key") from err
        for key in keys:
            if key.address == address:
                return key
        raise CustodyError(f"no key for the custody address {address} (config key_env)")


def _address(value: str, name: str) -> str:
    try:
        return str(to_checksum_address(value))
    except (ValueError, TypeError):
        raise ValueError(f"{name}: not an address: {value!r}") from None


def _config_error(err: ValidationError, path: Path) -> CustodyConfigError:
    """The first problem of a ValidationError, as one line naming the field."""
    first = err.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    why = str(first["msg"]).removeprefix("Value error, ")
    if not where:  # a check of the whole config: its message starts with the field
        where, _, why = why.partition(": ")
    more = len(err.errors()) - 1
    return CustodyConfigError(where, why + (f" (and {more} more)" if more else ""), path)


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
    """Appends ``notice`` to a notices file (one JSON object a line; locked, fsynced)."""
    append_line(path, notice.as_json())


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
            try:  # a token scaled wrongly is refused before anything is read or paid
                self.check_decimals()
            except BaseException:
                self._chain = None
                raise
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
        """The ledger as on disk (callers that write it back hold ``locked(ledger)``)."""
        data: dict[str, Any] = read_json(self.config.ledger)
        data.setdefault("bound", {})
        data.setdefault("payouts", {})
        return data

    def _save(self, data: dict[str, Any]) -> None:
        write_atomic(self.config.ledger, json.dumps(data, indent=2))

    def _balance(self, address: str, asset: str, block: int | str) -> int:
        token = self._token(asset)
        if token is None:
            return int(self.chain.w3.eth.get_balance(address, block_identifier=block))
        erc20 = self.chain.erc20(token)
        return int(erc20.functions.balanceOf(address).call(block_identifier=block))

    def check_decimals(self, expected: dict[str, int] | None = None) -> None:
        """DecimalsMismatchError unless each asset's token on the custody chain has the
        decimals of its registered asset (``expected``: symbol -> decimals, by default the
        asset table's; the native coin has 18): amounts are base units, a token with other
        decimals would be scaled wrongly. Runs when the adapter first connects."""
        from ..core.assets import KNOWN_ASSETS

        want = expected or {s: a.decimals for s, a in KNOWN_ASSETS.items()}
        for asset, token in self.config.assets.items():
            if asset not in want:
                continue
            if token is None:
                found = 18
            else:
                found = int(self.chain.erc20(token).functions.decimals().call())
            if found != want[asset]:
                where = "the native coin" if token is None else f"token {token}"
                raise DecimalsMismatchError(
                    f"{asset} on the custody chain ({where}) has {found} decimals, the "
                    f"registered asset {want[asset]}: amounts would be scaled wrongly"
                )

    # ------------------------------------------------------------------ reserves
    @_reachable
    def wallets(self) -> list[Wallet]:
        """One row per (index, asset): the balance at the last confirmed block, minus what the
        custody address sent since and every recorded payout not mined yet, minus its gas
        float for the native coin (never below zero).

        Read under the ledger's lock (no payout is recorded or sent meanwhile, by this
        process or another), and the unmined payouts before the head: a payout mined between
        the two reads is then subtracted twice (reserves under-stated for a moment), never
        not at all."""
        with locked(self.config.ledger):
            return self._wallets()

    def _wallets(self) -> list[Wallet]:
        pending = self._pending_out()
        head = self.chain.head()
        confirmed = max(head - self.config.confirmations + 1, 0)
        rows = []
        for index, address in self.config.accounts.items():
            for asset in self.config.assets:
                balance = self._balance(address, asset, confirmed)
                balance -= self._sent_since(address, asset, confirmed, head)
                balance -= pending.get((address, asset), 0)
                if self._token(asset) is None:
                    balance -= self.config.float_of(address)
                rows.append(
                    Wallet(
                        index=index,
                        asset=asset,
                        address=f"eip155:{self.chain.chain_id}:{address}",
                        balance=max(balance, 0),
                    )
                )
        return rows

    def _sent_since(self, address: str, asset: str, confirmed: int, head: int) -> int:
        """{base units} of ``asset`` that left ``address`` in blocks after ``confirmed`` up to
        ``head``: ERC-20 ``Transfer`` logs from it; native: its transactions' value and gas."""
        if head <= confirmed:
            return 0
        w3, token = self.chain.w3, self._token(asset)
        if token is not None:
            topic = "0x" + bytes(12).hex() + address.lower().removeprefix("0x")
            logs = w3.eth.get_logs(
                {
                    "address": token,
                    "fromBlock": confirmed + 1,
                    "toBlock": head,
                    "topics": ["0x" + TRANSFER_TOPIC.hex(), topic],
                }
            )
            return sum(int.from_bytes(bytes(log["data"]), "big") for log in logs)
        out = 0
        for number in range(confirmed + 1, head + 1):
            block = w3.eth.get_block(number, full_transactions=True)
            for tx in block["transactions"]:
                if to_checksum_address(tx["from"]) != address:
                    continue
                receipt = w3.eth.get_transaction_receipt(tx["hash"])
                out += int(tx["value"]) + int(receipt["gasUsed"]) * int(
                    receipt["effectiveGasPrice"]
                )
        return out

    def _pending_out(self) -> dict[tuple[str, str], int]:
        """(custody address, asset) -> {base units} of recorded payouts with no receipt yet
        (signed, maybe broadcast): they may leave at any moment. Native: with their gas."""
        out: dict[tuple[str, str], int] = {}
        for paid in self._load()["payouts"].values():
            for asset, entry in paid.items():
                if entry.get("state") == "done" or "from" not in entry:
                    continue
                if self._mined(entry) is not None:
                    continue  # mined: in the balances (or in what was sent since)
                source = to_checksum_address(entry["from"])
                key = (source, asset)
                out[key] = out.get(key, 0) + int(entry["amount"])
                native = next((a for a, t in self.config.assets.items() if t is None), None)
                if native is not None:
                    gas = int(entry["gas"]) * int(entry["max_fee"])
                    out[(source, native)] = out.get((source, native), 0) + gas
        return out

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
        ref = _rid(delivery.ref)
        with locked(self.config.ledger):  # read, check and write as one step
            data = self._load()
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

    def _payee(self, to: str, check_code: bool = True) -> str:
        """The redeemer's registered custody-chain address; UnregisteredPayeeError when the
        config's ``participants`` has none (the same address on another chain may not be the
        redeemer's: a contract wallet, say). With ``check_code`` (a redemption not yet begun),
        ContractPayeeError when it holds code. A begun one is never refused for code the payee
        gained since (an EIP-7702 delegation, a CREATE2 deployment): that would let it stop a
        redemption paid in part; its only refusable leg, the native coin, is paid first
        (``refusable``)."""
        known = {k.lower(): v for k, v in self.config.participants.items()}
        if to.lower() not in known:
            raise UnregisteredPayeeError(
                f"redeemer {to} has no custody-chain address in the custody config "
                "(participants): not paid"
            )
        payee = known[to.lower()]
        if check_code and bytes(self.chain.w3.eth.get_code(to_checksum_address(payee))):
            raise ContractPayeeError(
                f"redeemer {to}'s custody-chain address {payee} is a contract (it could take "
                "one leg and refuse the next): payouts go to plain accounts only; not paid"
            )
        return payee

    def _check_pay(
        self, index: str, asset: str, amount: int, to: str, begun: bool = False
    ) -> tuple[str, Any, str, str | None]:
        """(custody address, its key, payee, token) of a payout ``pay`` may make now; the
        CustodyError it would be refused with otherwise (``begun``: another leg of the same
        redemption is recorded, so the payee's code is not judged again)."""
        custody = self._account(index)
        key = self.config.key_for(custody)
        payee, token = self._payee(to, check_code=not begun), self._token(asset)
        pending = self._pending_out()
        held = self._balance(custody, asset, "latest") - pending.get((custody, asset), 0)
        if held < amount:
            raise CustodyError(
                f"custody holds {held} {asset} for {index}, too little to pay {amount}"
            )
        gas_float = self.config.float_of(custody)
        if token is None and held - amount < gas_float:
            raise GasFloatError(
                f"paying {amount} {asset} for {index} would leave {held - amount} {{wei}}, "
                f"below the gas float of {gas_float}: not paid"
            )
        return custody, key, payee, token

    def exclusive(self) -> AbstractContextManager[None]:
        """The ledger's lock: no other process records or sends a payout meanwhile."""
        return locked(self.config.ledger)

    def started(self, request_id: bytes) -> bool:
        return bool(self._load()["payouts"].get(_rid(request_id)))

    def refusable(self, asset: str) -> bool:
        """The native coin: a payee that gains code can make its transfer revert (an ERC-20
        transfer cannot be refused by its recipient)."""
        return self._token(asset) is None

    @_reachable
    def can_pay(self, request_id: bytes, index: str, legs: Mapping[str, int], to: str) -> list[str]:
        """Every leg's balance, and the native coin for all of them together: the native leg
        plus every leg's gas (estimated with ``sign``'s margin, at ``sign``'s maximum fee) must
        leave the custody address its gas float, so that paying the token legs first cannot
        leave the native leg unpayable."""
        recorded = self._load()["payouts"].get(_rid(request_id), {})
        todo = {asset: amount for asset, amount in legs.items() if asset not in recorded}
        if not todo:
            return []
        try:
            custody = self._account(index)
            self.config.key_for(custody)
            payee = self._payee(to, check_code=not recorded)
        except CustodyUnavailableError:
            raise
        except CustodyError as err:
            return [f"{asset}: {err}" for asset in todo]
        w3, pending = self.chain.w3, self._pending_out()
        max_fee = 2 * int(w3.eth.get_block("latest")["baseFeePerGas"]) + 10**9  # as ``sign``
        native = next((a for a, t in self.config.assets.items() if t is None), None)
        refused, gas_cost = [], 0
        for asset, amount in todo.items():
            held = self._balance(custody, asset, "latest") - pending.get((custody, asset), 0)
            if held < amount:
                refused.append(
                    f"{asset}: custody holds {held} {asset} for {index}, too little to pay {amount}"
                )
                continue
            tx = self._payout_tx(request_id, asset, amount, payee)
            try:
                gas = w3.eth.estimate_gas({"from": custody, **tx})
            except ContractLogicError as err:
                refused.append(f"{asset}: the payout would revert ({err})")
                continue
            gas_cost += gas * 6 // 5 * max_fee
        if refused:
            return refused
        coin = native or "native coin"
        held = int(w3.eth.get_balance(custody)) - pending.get((custody, coin), 0)
        left = held - todo.get(coin, 0) - gas_cost
        gas_float = self.config.float_of(custody)
        if left < gas_float:
            return [
                f"{coin}: paying {', '.join(sorted(todo))} for {index} and their gas "
                f"({gas_cost} {{wei}}) would leave {left} {{wei}}, below the gas float of "
                f"{gas_float}: not paid"
            ]
        return []

    def _payout_tx(self, request_id: bytes, asset: str, amount: int, payee: str) -> dict[str, Any]:
        """The unsigned transfer of a payout leg, the request id as memo."""
        token = self._token(asset)
        if token is None:
            return {"to": payee, "value": amount, "data": native_memo(request_id)}
        return {"to": token, "data": erc20_transfer_data(payee, amount, request_id)}

    @_reachable
    def pay(self, request_id: bytes, index: str, asset: str, amount: int, to: str) -> bytes:
        with locked(self.config.ledger):  # one payer at a time: the check and the record
            return self._pay(request_id, index, asset, amount, to)

    def _pay(self, request_id: bytes, index: str, asset: str, amount: int, to: str) -> bytes:
        data = self._load()
        entries = data["payouts"].setdefault(_rid(request_id), {})
        entry = entries.get(asset)
        if entry is not None:
            if entry.get("state") == "done":
                return _hex32(entry["hash"])
            resumed = self._resume(entry, lambda: self._save(data))  # broadcast error: kept
            if resumed is not None:
                entry["state"] = "done"
                self._save(data)
                return resumed
            del entries[asset]  # can never be mined (reverted, or its nonce went elsewhere)
            self._save(data)
        begun = any(other != asset for other in entries)
        custody, key, payee, _ = self._check_pay(index, asset, amount, to, begun=begun)
        signed = self.chain.sign(key, self._payout_tx(request_id, asset, amount, payee))
        from eth_account.typed_transactions import TypedTransaction
        from hexbytes import HexBytes

        fields = TypedTransaction.from_bytes(HexBytes(signed.raw_transaction)).as_dict()
        entries[asset] = {
            "hash": _rid(signed.hash),
            "raw": "0x" + bytes(signed.raw_transaction).hex(),
            "state": "sent",
            "from": custody,
            "nonce": int(fields["nonce"]),
            "gas": int(fields["gas"]),
            "max_fee": int(fields["maxFeePerGas"]),
            "amount": amount,
            "to": payee,
        }
        self._save(data)  # written before it is sent: a restart re-sends this same transaction
        resumed = self._resume(entries[asset], lambda: self._save(data))  # refused: kept
        if resumed is None:
            del entries[asset]
            self._save(data)
            raise CustodyError(f"payout tx {_rid(signed.hash)} of {asset} reverted")
        entries[asset]["state"] = "done"
        self._save(data)
        return resumed

    def _nonce_taken(self, entry: dict[str, Any]) -> bool:
        """Whether a transaction other than ``entry``'s took its nonce in a confirmed block
        (then the recorded one can never be mined). Unknown for entries without a nonce."""
        if "nonce" not in entry:
            return False
        head = self.chain.head()
        confirmed = max(head - self.config.confirmations + 1, 0)
        used = self.chain.w3.eth.get_transaction_count(
            to_checksum_address(entry["from"]), confirmed
        )
        return int(used) > int(entry["nonce"])

    def _mined(self, entry: dict[str, Any]) -> tuple[bytes, Any] | None:
        """(hash, receipt) of whichever of the entry's transactions (the one recorded, or one
        it replaced: all share one nonce, so at most one is ever mined) is mined, if any."""
        from web3.exceptions import TransactionNotFound

        for text in [entry["hash"], *entry.get("replaced", [])]:
            try:
                return _hex32(text), self.chain.w3.eth.get_transaction_receipt(_hex32(text))
            except TransactionNotFound:
                continue
        return None

    def _reprice(self, entry: dict[str, Any], save: Callable[[], None]) -> None:
        """When the recorded payout's max fee is below the base fee now (the node refuses it,
        or it waits in the mempool for good), replaces it by the same transaction (same nonce:
        at most one of them is ever mined) at today's fees, recorded before it is sent; the
        earlier hash is kept in ``replaced``."""
        if "nonce" not in entry:
            return
        base = int(self.chain.w3.eth.get_block("latest")["baseFeePerGas"])
        if int(entry["max_fee"]) >= base:
            return
        from eth_account.typed_transactions import TypedTransaction
        from hexbytes import HexBytes

        fields = TypedTransaction.from_bytes(HexBytes(entry["raw"])).as_dict()
        fields = {k: v for k, v in fields.items() if k not in ("v", "r", "s")}
        tip = max(int(fields["maxPriorityFeePerGas"]) * 11 // 10 + 1, 10**9)
        fields["maxPriorityFeePerGas"] = tip
        fields["maxFeePerGas"] = max(int(fields["maxFeePerGas"]) * 11 // 10 + 1, 2 * base + tip)
        signed = self.config.key_for(to_checksum_address(entry["from"])).sign_transaction(fields)
        entry.setdefault("replaced", []).append(entry["hash"])
        entry["hash"] = _rid(signed.hash)
        entry["raw"] = "0x" + bytes(signed.raw_transaction).hex()
        entry["max_fee"] = int(fields["maxFeePerGas"])
        save()  # recorded before it is sent: every hash that could be mined is known

    def _resume(self, entry: dict[str, Any], save: Callable[[], None]) -> bytes | None:
        """The hash of a recorded payout once mined successfully (the very same signed
        transaction re-sent if the node does not know it, or the same one at today's fees when
        its fee fell below the base fee); None if it reverted or can never be mined (another
        transaction took its nonce, confirmed). A node refusing it raises
        CustodyBroadcastError; the entry is then kept for a retry. ``save`` writes the ledger
        (a replacement is recorded before it is sent)."""
        from web3.exceptions import TimeExhausted

        found = self._mined(entry)
        if found is None:
            if self._nonce_taken(entry):
                found = self._mined(entry)  # mined just now, by the nonce it took?
                if found is None:
                    return None
            else:
                self._reprice(entry, save)
                self.chain.broadcast(bytes.fromhex(entry["raw"].removeprefix("0x")))
                with suppress(TimeExhausted):  # an earlier hash of its nonce may be mined
                    self.chain.w3.eth.wait_for_transaction_receipt(
                        _hex32(entry["hash"]), timeout=30
                    )
                found = self._mined(entry)
                if found is None:
                    raise CustodyError(f"payout tx {entry['hash']} is not mined yet")
        tx_hash, receipt = found
        if receipt["status"] != 1:
            return None
        if _rid(tx_hash) != entry["hash"]:  # an earlier one of the same nonce was mined
            entry["replaced"] = [h for h in entry["replaced"] if h != _rid(tx_hash)]
            entry["replaced"].append(entry["hash"])
            entry["hash"] = _rid(tx_hash)
        return tx_hash


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
    ``notices`` (default the config's). Returns the notice (its ``tx`` is the reference).

    The transaction is signed first and its notice recorded before it is sent (a notice is a
    claim the custodian checks on chain, so one for a transaction that never lands costs
    nothing): a receipt that comes late, or a crash after sending, cannot leave coins at the
    custody address that no notice names. A receipt not seen within the wait is a
    CustodyError naming the hash (the notice stands; do not send again)."""
    from web3.exceptions import TimeExhausted

    custody = EvmCustody(config, chain)
    to, token = custody._account(index), custody._token(asset)
    if token is None:
        tx: dict[str, Any] = {"to": to, "value": amount, "data": native_memo(request_id)}
    else:
        tx = {"to": token, "data": erc20_transfer_data(to, amount, request_id)}
    try:
        signed = chain.sign(key, tx)
        notice = DeliveryNotice(request_id, asset, bytes(signed.hash))
        record_notice(notices or config.notices, notice)
        chain.broadcast(signed.raw_transaction)
        receipt = chain.w3.eth.wait_for_transaction_receipt(signed.hash, timeout=30)
    except (ConnectionError, OSError) as err:
        raise CustodyUnavailableError(chain.url) from err
    except TimeExhausted as err:
        raise CustodyError(
            f"delivery 0x{bytes(signed.hash).hex()} sent and its notice recorded, but not mined "
            "within 30 s: wait for it; do not deliver again"
        ) from err
    if receipt.status != 1:
        raise CustodyError(f"delivery 0x{bytes(signed.hash).hex()} reverted")
    return Transfer(notice, amount)
