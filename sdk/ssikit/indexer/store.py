"""The indexer's database (SQLAlchemy 2): SQLite by default, a file per chain, or PostgreSQL
by URL. One page of blocks is one transaction: its events, read-model updates, block hashes and
the cursor are committed together, so a crash never leaves half a page.

Amounts are uint256: stored as decimal text (``U256``), since SQLite integers are 64-bit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Dialect,
    Integer,
    String,
    TypeDecorator,
    create_engine,
    delete,
    event,
    select,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .errors import DatabaseUnreachableError, StoreMismatchError

SCHEMA_VERSION = 2  # 2: requests.issuer, indices.issuer/oracle/moves/deprecated
DEFAULT_DIR = Path.home() / ".ssikit"


def default_url(chain_id: int, directory: Path = DEFAULT_DIR) -> str:
    """``sqlite:///~/.ssikit/index-<chain id>.sqlite``: a file per chain."""
    return f"sqlite:///{directory / f'index-{chain_id}.sqlite'}"


class U256(TypeDecorator[int]):
    """An unsigned 256-bit integer as decimal text (exact on every database)."""

    impl = String(78)
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> str | None:
        return None if value is None else str(int(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


class Base(DeclarativeBase):
    pass


class Meta(Base):
    """What this database indexes, and how far: one row per key."""

    __tablename__ = "indexer_meta"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)  # e.g. a name:address pair
    value: Mapped[str] = mapped_column(String(256))


class BlockRow(Base):
    """Hashes of processed blocks (each page's last block and every block with a log), kept
    within the reorg window to find the last block the chain still has."""

    __tablename__ = "indexer_blocks"
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(66))


class ContractRow(Base):
    """A followed contract (roots from the deployment, the rest discovered)."""

    __tablename__ = "indexer_contracts"
    address: Mapped[str] = mapped_column(String(42), primary_key=True)
    contract: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(128))
    from_block: Mapped[int] = mapped_column(BigInteger)
    discovered: Mapped[bool] = mapped_column(Boolean, default=False)


class EventRow(Base):
    """Every decoded log of a followed contract, keyed by (block, log index)."""

    __tablename__ = "events"
    block_number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    block_hash: Mapped[str] = mapped_column(String(66))
    timestamp: Mapped[int] = mapped_column(BigInteger)  # {unix seconds} of the block
    tx_hash: Mapped[str] = mapped_column(String(66))
    address: Mapped[str] = mapped_column(String(42), index=True)
    contract: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64), index=True)
    args: Mapped[dict[str, Any]] = mapped_column(JSON)


class RequestRow(Base):
    """A mint or redeem request and where it stands (``chain.issuance.STATUS`` names)."""

    __tablename__ = "requests"
    id: Mapped[str] = mapped_column(String(66), primary_key=True)
    is_mint: Mapped[bool] = mapped_column(Boolean)
    requester: Mapped[str] = mapped_column(String(42), index=True)
    index: Mapped[str] = mapped_column(String(42), index=True)
    amount: Mapped[int] = mapped_column(U256)  # {index wei}
    basket_version: Mapped[int] = mapped_column(BigInteger)
    max_fee_bps: Mapped[int] = mapped_column(Integer)
    nonce: Mapped[int] = mapped_column(U256)
    deadline: Mapped[int] = mapped_column(BigInteger)  # {unix seconds}
    factor: Mapped[int] = mapped_column(U256)  # {RAY}
    status: Mapped[str] = mapped_column(String(32), index=True)
    block: Mapped[int] = mapped_column(BigInteger)  # requested in
    requested_at: Mapped[int] = mapped_column(BigInteger)  # {unix seconds}
    updated_block: Mapped[int] = mapped_column(BigInteger)
    custodian: Mapped[str | None] = mapped_column(String(42), nullable=True)
    fee: Mapped[int | None] = mapped_column(U256, nullable=True)  # {index wei}
    minted: Mapped[int | None] = mapped_column(U256, nullable=True)  # {index wei}
    paid_for: Mapped[int | None] = mapped_column(U256, nullable=True)  # {index wei}
    settlement_fee_bps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    settlement_factor: Mapped[int | None] = mapped_column(U256, nullable=True)  # {RAY}
    reject_reason: Mapped[int | None] = mapped_column(Integer, nullable=True)
    escrow: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[token, base units]]
    refs: Mapped[list[Any]] = mapped_column(JSON, default=list)  # delivery / payout refs
    paid_on_chain: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[token, units]]
    history: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[status, block, log]]
    issuer: Mapped[str] = mapped_column(String(42), default="")  # the issuer version it is on


class IndexRow(Base):
    """An index token: basket, backing units, supply, fee state, issuance settings."""

    __tablename__ = "indices"
    address: Mapped[str] = mapped_column(String(42), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(64), default="")
    created_block: Mapped[int] = mapped_column(BigInteger, default=0)
    compiler: Mapped[str] = mapped_column(String(42), default="")
    fee_recipient: Mapped[str] = mapped_column(String(42), default="")
    basket_version: Mapped[int] = mapped_column(BigInteger, default=0)
    basket: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[asset id, stored amount]]
    backing_units: Mapped[int] = mapped_column(U256, default=0)  # {index wei at stored amounts}
    supply: Mapped[int] = mapped_column(U256, default=0)  # {index wei}
    fee_rate: Mapped[int] = mapped_column(U256, default=0)  # {RAY per second}
    max_fee_rate: Mapped[int] = mapped_column(U256, default=0)  # {RAY per second}
    fee_factor: Mapped[int] = mapped_column(U256, default=10**27)  # {RAY} at fee_checkpoint
    fee_checkpoint: Mapped[int] = mapped_column(BigInteger, default=0)  # {unix seconds}
    fees_collected: Mapped[int] = mapped_column(U256, default=0)  # {index wei} in total
    mint_fee_bps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    redeem_fee_bps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    mint_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    breaker_tripped: Mapped[bool] = mapped_column(Boolean, default=False)
    redeem_paused_until: Mapped[int] = mapped_column(BigInteger, default=0)
    limits: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    coverage_max_units: Mapped[int | None] = mapped_column(U256, nullable=True)
    coverage_valid_until: Mapped[int | None] = mapped_column(U256, nullable=True)
    pending_proposal: Mapped[str | None] = mapped_column(String(66), nullable=True)
    # Lifecycle (IIndexToken moves): the factory's defaults at creation, then each executed move.
    issuer: Mapped[str] = mapped_column(String(42), default="")
    oracle: Mapped[str] = mapped_column(String(42), default="")
    former_issuers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    pending_moves: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # kind -> move
    deprecated: Mapped[bool] = mapped_column(Boolean, default=False)


class AccountRow(Base):
    """An open reserve account (index, asset) of the oracle; ``token`` is the asset's ERC-20
    on this chain (its reserves are the vault's ledger), or None."""

    __tablename__ = "reserve_accounts"
    index: Mapped[str] = mapped_column(String(42), primary_key=True)
    asset_id: Mapped[str] = mapped_column(String(66), primary_key=True)
    max_age: Mapped[int] = mapped_column(BigInteger)  # {seconds}
    token: Mapped[str | None] = mapped_column(String(42), nullable=True)  # on-chain asset


class PositionRow(Base):
    """One custodian's latest reported balance for an account (while it counts)."""

    __tablename__ = "reserve_positions"
    index: Mapped[str] = mapped_column(String(42), primary_key=True)
    asset_id: Mapped[str] = mapped_column(String(66), primary_key=True)
    custodian: Mapped[str] = mapped_column(String(42), primary_key=True)
    balance: Mapped[int] = mapped_column(U256, default=0)  # {base units}
    as_of: Mapped[int] = mapped_column(BigInteger, default=0)  # {unix seconds}; 0 = none


class VaultRow(Base):
    """The vault's ledger per (index, token) {base units}: Deposited less Released."""

    __tablename__ = "vault_ledger"
    index: Mapped[str] = mapped_column(String(42), primary_key=True)
    token: Mapped[str] = mapped_column(String(42), primary_key=True)
    held: Mapped[int] = mapped_column(U256, default=0)


class ReportRow(Base):
    """A reserve report the oracle accepted."""

    __tablename__ = "reserve_reports"
    custodian: Mapped[str] = mapped_column(String(42), primary_key=True)
    sequence: Mapped[int] = mapped_column(U256, primary_key=True)
    as_of: Mapped[int] = mapped_column(BigInteger)
    attestation: Mapped[str] = mapped_column(String(66))
    holdings: Mapped[list[Any]] = mapped_column(JSON)  # [{index, assetId, balance}]
    block: Mapped[int] = mapped_column(BigInteger)


class ProposalRow(Base):
    """A rebalance proposal: pending, cancelled or activated."""

    __tablename__ = "proposals"
    id: Mapped[str] = mapped_column(String(66), primary_key=True)
    index: Mapped[str] = mapped_column(String(42), index=True)
    from_version: Mapped[int] = mapped_column(BigInteger)
    proposer: Mapped[str] = mapped_column(String(42))
    commitment: Mapped[str] = mapped_column(String(66))
    activation_time: Mapped[int] = mapped_column(BigInteger)  # {unix seconds}
    components: Mapped[list[Any]] = mapped_column(JSON)  # [[asset id, stored amount]]
    prices: Mapped[list[Any]] = mapped_column(JSON)  # [[asset id, USD × 1e36 per base unit]]
    turnover_bps: Mapped[int] = mapped_column(U256)
    changed: Mapped[int] = mapped_column(U256)
    max_component_change_bps: Mapped[int] = mapped_column(U256)
    status: Mapped[str] = mapped_column(String(16))
    block: Mapped[int] = mapped_column(BigInteger)
    closed_block: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


READ_MODELS: tuple[type[Base], ...] = (
    RequestRow,
    IndexRow,
    AccountRow,
    PositionRow,
    VaultRow,
    ReportRow,
    ProposalRow,
)
"""Tables rebuilt from ``events`` when a reorg rewinds the store."""


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


class Store:
    """The database at ``url`` (created if new), checked to be reachable."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            parsed = make_url(url)
        except ArgumentError as err:
            raise DatabaseUnreachableError(f"not a database URL: {url!r}") from err
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql":
            connect_args["connect_timeout"] = 5
        try:
            self.engine: Engine = create_engine(url, connect_args=connect_args)
            if parsed.get_backend_name() == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            Base.metadata.create_all(self.engine)
        except (OperationalError, ImportError) as err:
            first = str(getattr(err, "orig", err) or err).strip().splitlines()[0]
            raise DatabaseUnreachableError(
                f"cannot reach the database {_safe(url)}: {first}"
            ) from err
        except SQLAlchemyError as err:
            raise DatabaseUnreachableError(f"cannot open the database {_safe(url)}: {err}") from err

    @property
    def safe_url(self) -> str:
        return _safe(self.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    # -- meta ------------------------------------------------------------------------------
    def meta(self, session: Session) -> dict[str, str]:
        return {row.key: row.value for row in session.scalars(select(Meta))}

    def set_meta(self, session: Session, **values: object) -> None:
        for key, value in values.items():
            session.merge(Meta(key=key, value=str(value)))

    def bind(self, chain_id: int, deployment: str) -> None:
        """Claims an empty database for this chain and deployment, or checks it holds them."""
        with self.session() as session:
            meta = self.meta(session)
            if not meta:
                self.set_meta(
                    session, chain_id=chain_id, deployment=deployment, schema=SCHEMA_VERSION
                )
                return
            if meta.get("schema") != str(SCHEMA_VERSION):
                raise StoreMismatchError(
                    f"{self.safe_url} has schema {meta.get('schema')}, this indexer writes "
                    f"{SCHEMA_VERSION}: use a new database"
                )
            if meta.get("chain_id") != str(chain_id):
                raise StoreMismatchError(
                    f"{self.safe_url} indexes chain {meta.get('chain_id')}, not {chain_id}"
                )
            if meta.get("deployment") != deployment:
                raise StoreMismatchError(
                    f"{self.safe_url} indexes another deployment on chain {chain_id} "
                    f"(issuer {meta.get('deployment')}, not {deployment})"
                )

    def clear_read_models(self, session: Session) -> None:
        for table in READ_MODELS:
            session.execute(delete(table))

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
