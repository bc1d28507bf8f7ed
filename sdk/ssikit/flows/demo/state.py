"""The demo's settings, its state (everything a step reads or leaves for the next) and the record
of each step (transactions, checks, NAV, pool price, coverage)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

USDC = 10**6
DAY = 86_400


@dataclass
class DemoSettings:
    launch: date = date(2024, 8, 31)  # the index launches with the announcement up to here
    mint_tokens: int = 100
    pool_tokens: int = 50
    premium_bps: int = 400  # how far a buyer pushes the pool above NAV
    redeem_tokens: int = 20
    symbol: str = "MAG7.ssi"
    # A second index over the same assets, equally weighted: both hold BTC, ETH, ...; reserves are
    # attributed to each, and the report shows every asset's reserves against the sum owed.
    second_symbol: str = "MAG7EW.ssi"
    second_mint_tokens: int = 30
    # Blocks the custodian waits on the custody chain before a delivery counts (its own included).
    confirmations: int = 1


@dataclass
class Step:
    name: str
    txs: list[dict[str, Any]] = field(default_factory=list)
    checks: dict[str, bool] = field(default_factory=dict)
    nav: float | None = None
    pool_price: float | None = None
    coverage: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(self.checks.values())

    def failed(self) -> list[str]:
        return [name for name, held in self.checks.items() if not held]


class Recorder:
    """Collects every transaction the demo sends, step by step: all transactions mined between
    a step's start and its measurement (the local chain mines one block per transaction)."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self._from_block = 0

    def step(self, name: str) -> Step:
        from ape import chain

        self.steps.append(Step(name))
        self._from_block = int(chain.blocks.head.number) + 1
        return self.steps[-1]

    def collect(self, step: Step) -> None:
        """Every transaction mined since the step began: sender, method, gas."""
        from ape import chain

        head = int(chain.blocks.head.number)
        seen = {t["tx"] for t in step.txs}
        for number in range(self._from_block, head + 1):
            for txn in chain.blocks[number].transactions:
                tx_hash = "0x" + bytes(txn.txn_hash).hex()
                if tx_hash in seen:
                    continue
                receipt = chain.provider.get_receipt(tx_hash)
                selector = bytes(txn.data[:4]).hex() if txn.data else ""
                step.txs.append(
                    {"what": selector or "transfer", "tx": tx_hash, "gas": int(receipt.gas_used)}
                )
        self._from_block = head + 1

    def tx(self, receipt: Any, what: str) -> Any:
        self.steps[-1].txs.append(
            {"what": what, "tx": str(receipt.txn_hash), "gas": int(receipt.gas_used)}
        )
        return receipt


@dataclass
class DemoState:
    """What the steps share. Each step reads what earlier steps left here and sets its own
    fields; nothing is passed through closures. Fields are ``None`` until their step ran."""

    accounts: Any  # Ape's test accounts (roles by ``chain.accounts.LocalRole``)
    registry_path: Path
    out: Path
    settings: DemoSettings
    panel: Any  # the market panel the compiler reads
    source: str  # "SYNTHETIC market" or "market data file"
    rec: Recorder = field(default_factory=Recorder)
    # deploy
    deployment: Any = None
    system: Any = None  # chain.protocol.Protocol
    uniswap: Any = None
    usd: Any = None  # the test USDC
    # compose and create
    launch: Any = None  # the launch announcement
    weights: dict[Any, Fraction] = field(default_factory=dict)  # core.assets.Asset -> weight
    prices_now: dict[str, Any] = field(default_factory=dict)  # symbol -> USD (Decimal)
    token: Any = None  # the first index
    second: Any = None  # the second index over the same assets
    symbols: dict[bytes, str] = field(default_factory=dict)  # asset id -> symbol
    ids: dict[str, bytes] = field(default_factory=dict)  # symbol -> asset id
    # custody (the seam a custodian's own systems plug into)
    custody_chain: Any = None  # custody.chain.CustodyChain: the second Anvil
    custody_config: Any = None  # custody.evm.CustodyConfig
    wallet_file: Any = None  # bots.custodian.WalletFileCustody: assets with no chain here
    custody: Any = None  # custody.adapter.CompositeCustody: what the service uses
    service: Any = None  # bots.custodian.CustodianService
    # the WLP
    wlp_session: Any = None  # chain.session.Session of the WLP
    delivered: set[bytes] = field(default_factory=set)  # mint request ids delivered
    deliveries: list[dict[str, Any]] = field(default_factory=list)  # custody-chain transfers
    minted: list[Any] = field(default_factory=list)  # the WLP's mint requests (RequestView)
    # the market
    pair: Any = None  # the Uniswap V2 pair
    bot: Any = None  # bots.runner.ArbitrageBot
    costs: Any = None  # bots.arbitrage.Costs
    # the month and the rebalance
    announcement: Any = None
    redeemed: Any = None  # the WLP's redemption request (RequestView)

    def role(self, role: Any) -> Any:
        return self.accounts[role]
