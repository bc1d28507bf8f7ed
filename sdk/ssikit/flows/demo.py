"""The demo: the whole protocol doing its job on a local chain.

deploy -> compose MAG7 from market data (the SYNTHETIC market by default) -> create MAG7.ssi ->
custodian reports -> a WLP mints -> a Uniswap V2 pool is seeded -> the market price moves and the
WLP's arbitrage bot closes the gap -> a month passes with fee accrual -> the compiler rebalances,
the custodian trades and reports -> a WLP redeems.

Every step records its transactions (hash, gas), the NAV, the pool price and the reserves'
coverage, and checks what it should have done; ``run_demo`` returns the report and whether every
check held.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ..bots.arbitrage import Costs, Limits, band
from ..bots.custodian import CustodianService, WalletFileCustody
from ..bots.runner import ArbitrageBot, BotConfig, nav_per_token
from ..chain.accounts import LocalRole as R
from ..chain.accounts import role_accounts
from ..chain.issuance import CustodianClient, WlpClient
from ..chain.protocol import Deployment, IssuanceSettings, configure_issuance
from ..chain.rebalance import CompilerClient
from ..chain.solvency import solvency
from ..chain.uniswap import add_liquidity, reserves, swap_exact_in
from ..core.assets import MAG7_ASSETS, asset_for_symbol
from ..core.basket import basket_from_weights
from ..core.units import INDEX_UNIT
from ..math import basket as bm
from ..methodology.backtest import backtest
from ..methodology.compose import compose
from ..methodology.eligibility import panel_of
from ..methodology.spec import preset
from ..presets.indices import mag7_params

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


def _bot_note(entry: dict[str, Any]) -> str:
    what = entry["done"] if entry["decision"] != "hold" else entry["reasons"][0]
    return f"bot: {entry['decision']}: {what[:48]}"


def _usd_prices(panel: Any, day: date, symbols: list[str]) -> dict[str, Decimal]:
    return {k: Decimal(str(v)) for k, v in panel.usd_prices(day, sorted(set(symbols))).items()}


def run_demo(
    accounts: Any,
    registry_path: Path,
    out: Path,
    data: Any = None,
    settings: DemoSettings | None = None,
    console: Console | None = None,
) -> dict[str, Any]:
    """The whole demo on the connected local chain. ``data``: a market table (default: the
    synthetic market). Returns the report (also written to ``out/demo-report.json``)."""
    from ape import chain

    from ..chain.artifacts import container
    from ..presets.synthetic import SYNTHETIC_LABEL, synthetic_market

    settings = settings or DemoSettings()
    console = console or Console()
    deployer, compiler, custodian, wlp, fee_recipient = role_accounts(
        accounts, R.DEPLOYER, R.INDEX_COMPILER, R.CUSTODIAN, R.WLP, R.FEE_RECIPIENT
    )
    trader, anyone = role_accounts(accounts, R.HOLDER, R.STRANGER)
    frame = synthetic_market() if data is None else data
    panel = panel_of(frame)
    source = SYNTHETIC_LABEL if frame.attrs.get("source") == "synthetic" else "market data file"
    rec = Recorder()

    # 1. deploy --------------------------------------------------------------------------------
    step = rec.step("deploy")
    deployment = Deployment(deployer, path=registry_path)
    system = deployment.system()
    uniswap = deployment.uniswap()
    usd = deployment.contract(
        "USDC", "USD Coin (test)", "USDC", 6, container=container("TestToken")
    )
    step.notes.append(f"{len(deployment.actions)} deployment actions (0 on a rerun)")
    step.checks["system deployed"] = system.issuer.address is not None
    rec.collect(step)

    # 2. compose and create MAG7.ssi ------------------------------------------------------------
    step = rec.step("compose and create MAG7.ssi")
    history = backtest(panel, preset("MAG7"), date(settings.launch.year, 1, 1), settings.launch)
    launch = history.announcements[-1]
    weights = {
        asset_for_symbol(c.symbol, c.asset_id): Fraction(c.weight) for c in launch.constituents
    }
    total = sum(weights.values())
    weights = {a: w / total for a, w in weights.items()}
    launch_usd = _usd_prices(panel, launch.implementation_date, [a.symbol for a in weights])
    deployment.assets(system, [*MAG7_ASSETS, *weights])
    # The index's assets' USD feeds (on a local chain, TestPriceFeeds that follow the market).
    deployment.price_feeds(system, {a: launch_usd[a.symbol] for a in weights}, update=True)
    basket = basket_from_weights(
        weights, {a: Fraction(launch_usd[a.symbol]) for a in weights}, Fraction(100)
    )
    params = mag7_params(compiler.address, fee_recipient.address).model_copy(
        update={"symbol": settings.symbol, "basket": basket}
    )
    token = deployment.index(system, params)
    configure_issuance(
        deployment, system, token, IssuanceSettings(), [custodian.address], [wlp.address]
    )
    step.notes.append(
        f"constituents {' '.join(c.symbol for c in launch.constituents)} "
        f"({launch.implementation_date}, {source})"
    )
    prices_now = dict(launch_usd)

    def nav() -> Fraction:
        return nav_per_token(token, system.assets, prices_now, 6)

    step.checks["basket has 7 components"] = token.issuanceInfo()[2] == 7
    equal = {a: Fraction(1, len(weights)) for a in weights}
    second_basket = basket_from_weights(
        equal, {a: Fraction(launch_usd[a.symbol]) for a in weights}, Fraction(100)
    )
    second = deployment.index(
        system,
        params.model_copy(
            update={
                "symbol": settings.second_symbol,
                "name": "MAG7 equal weight",
                "basket": second_basket,
            }
        ),
    )
    configure_issuance(
        deployment, system, second, IssuanceSettings(), [custodian.address], [wlp.address]
    )
    step.checks["second index shares every asset"] = {
        bytes(a) for a, _ in token.basketState()[0]
    } == {bytes(a) for a, _ in second.basketState()[0]}
    market: dict[str, Any] = {"pair": None}

    def measure(done: Step) -> None:
        """The step's transactions; NAV, pool price and the reserves' lowest coverage after it."""
        rec.collect(done)
        done.nav = float(nav()) / USDC
        if market["pair"] is not None:
            r_index, r_usd = reserves(market["pair"], token.address)
            done.pool_price = r_usd * INDEX_UNIT / r_index / USDC
        ratios = [
            r.ratio / 10**18
            for t in (token, second)
            if t.totalSupply() > 0
            for r in system.oracle.coverage(t)
            if r.ratio != 2**256 - 1
        ]
        done.coverage = min(ratios) if ratios else None
        if done.coverage is not None:
            done.checks["reserves cover the supply"] = done.coverage >= 1

    measure(step)

    # 3. custodian reports ----------------------------------------------------------------------
    step = rec.step("custodian reports reserves")
    out.mkdir(parents=True, exist_ok=True)
    custody_file = out / "demo-custody.json"
    custody_file.write_text(
        json.dumps(
            {
                "custodian": custodian.address,
                "wallets": [
                    {
                        "index": symbol,
                        "asset": a.symbol,
                        "address": f"{symbol.lower()}-{a.symbol.lower()}-cold",
                        "balance": 0,
                    }
                    for symbol in (settings.symbol, settings.second_symbol)
                    for a in weights
                ],
            },
            indent=2,
        )
    )
    custody = WalletFileCustody(custody_file)
    symbols = {a.id: a.symbol for a in weights}
    ids = {a.symbol: a.id for a in weights}
    service = CustodianService(
        CustodianClient(system, custodian),
        custody,
        ids,
        [settings.symbol, settings.second_symbol],
        log=lambda e: None,
    )
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)
    step.checks["report posted"] = service.tick()["reported"]
    measure(step)

    wlp_client = WlpClient(system, wlp)

    def deliver(tracked: Any) -> None:
        """The WLP sends what its mint request owes (at the request's fee factor) to the
        custodian's wallets of that index, naming the request."""
        target = container("IndexToken").at(tracked.request.index)
        for asset_id, stored_amount in target.basketState()[0]:
            owed = bm.deposit_for(
                int(stored_amount), tracked.request.factor, tracked.request.amount
            )
            custody.receive(tracked.id, target.symbol(), symbols[bytes(asset_id)], owed)

    # 4. WLPs mint both indices ------------------------------------------------------------------
    step = rec.step("WLP mints both indices")
    minted = wlp_client.mint(settings.symbol, settings.mint_tokens * INDEX_UNIT)
    minted_second = wlp_client.mint(
        settings.second_symbol, settings.second_mint_tokens * INDEX_UNIT
    )
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)
    waiting = service.tick()
    step.checks["no mint confirmed before its delivery"] = not waiting["confirmed"]
    deliver(minted)
    deliver(minted_second)
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)
    tick = service.tick()
    confirmed = {c["id"] for c in tick["confirmed"]}
    step.checks["mints confirmed"] = {
        "0x" + minted.id.hex(),
        "0x" + minted_second.id.hex(),
    } <= confirmed
    step.checks["WLP holds tokens"] = token.balanceOf(wlp) > 0 and second.balanceOf(wlp) > 0
    measure(step)

    # 5. the pool is seeded at NAV --------------------------------------------------------------
    step = rec.step("Uniswap pool seeded at NAV")
    usd.mint(wlp, 10**7 * USDC, sender=deployer)
    usd.mint(trader, 10**6 * USDC, sender=deployer)
    pool_tokens = settings.pool_tokens * INDEX_UNIT
    pair = add_liquidity(uniswap, token, usd, pool_tokens, int(nav() * settings.pool_tokens), wlp)
    market["pair"] = pair

    def pool_price() -> Fraction:
        r_index, r_usd = reserves(pair, token.address)
        return Fraction(r_usd * INDEX_UNIT, r_index)

    step.checks["pool at NAV"] = abs(pool_price() / nav() - 1) < Fraction(1, 1000)
    measure(step)

    # 6. the market moves; the bot closes the gap ----------------------------------------------
    step = rec.step("the market moves")
    # Buying with dy raises the pool price by (1 + dy / y)^2 (before the 0.3% fee).
    _, r_usd = reserves(pair, token.address)
    push = int(r_usd * ((1 + settings.premium_bps / 10_000) ** 0.5 - 1) / 0.997)
    rec.tx(swap_exact_in(uniswap, usd, token, push, 0, trader), "a buyer pushes the pool up")
    step.notes.append(f"pool {float(pool_price() / nav() - 1) * 100:+.2f}% against NAV")
    step.checks["pool above the band"] = (
        pool_price() > band(nav(), Costs(*system.issuer.fees(token), gas_usd=0))[1]
    )
    measure(step)
    step = rec.step("arbitrage bot closes the gap")
    mint_bps, redeem_bps = system.issuer.fees(token)
    costs = Costs(int(mint_bps), int(redeem_bps), gas_usd=USDC, threshold_bps=10)
    bot = ArbitrageBot(
        wlp_client,
        uniswap,
        usd,
        lambda: prices_now,
        BotConfig(
            settings.symbol, costs, Limits(max_index=1_000 * INDEX_UNIT, max_usd=10**6 * USDC)
        ),
        log=lambda e: step.notes.append(_bot_note(e)),
    )
    # The bot has no inventory beyond what it pooled: it mints, the custodian confirms, it sells.
    token.transfer(fee_recipient, token.balanceOf(wlp) - token.lockedOf(wlp), sender=wlp)

    def bot_until_hold(rounds: int = 4) -> None:
        """Bot rounds until it holds: between rounds the WLP delivers what its pending mints
        owe and the custodian's service settles them."""
        for _ in range(rounds):
            entry = bot.round()
            chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)
            for tracked in wlp_client.pending():
                if tracked.is_mint and not custody.delivery_for(tracked.id):
                    deliver(tracked)
            service.tick()
            if entry["decision"] == "hold":
                return

    bot_until_hold()
    lower, upper = band(nav(), costs)
    step.checks["pool back within the band"] = (
        lower * Fraction(9_999, 10_000) <= pool_price() <= upper * Fraction(10_001, 10_000)
    )
    measure(step)

    # 7. a month passes ------------------------------------------------------------------------
    step = rec.step("a month passes: the fee accrues, the market moves")
    before = token.feeFactor()
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 30 * DAY)
    rec.tx(token.accrueFee(sender=anyone), "checkpoint the fee factor")
    step.checks["fee factor fell"] = token.feeFactor() < before
    incumbents = [c.asset_id for c in launch.constituents]
    announcement = compose(
        panel, preset("MAG7"), launch.implementation_date + timedelta(days=10), incumbents
    )
    symbols_all = [c.symbol for c in announcement.constituents] + [a.symbol for a in weights]
    prices_now = _usd_prices(panel, announcement.implementation_date, symbols_all)
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)
    service.tick()  # the old report went stale: the service reports again
    measure(step)

    # 8. the compiler rebalances ---------------------------------------------------------------
    step = rec.step("compiler rebalances; custodian trades and reports")
    compiler_client = CompilerClient(system, compiler)
    # The feeds follow the market to this month's prices (newcomers get theirs when prepared).
    registered = [
        a
        for a in (
            asset_for_symbol(c.symbol, c.asset_id)
            for c in [*launch.constituents, *announcement.constituents]
        )
        if system.assets.isRegistered(a.id)
    ]
    deployment.price_feeds(system, {a: prices_now[a.symbol] for a in registered}, update=True)
    plan = compiler_client.plan(token.address, announcement, prices_now)
    CompilerClient(system, deployer).prepare_assets(
        Deployment(deployer, path=registry_path), token.address, plan, [custodian.address], DAY
    )
    for c in plan.document["constituents"]:
        a = asset_for_symbol(c["symbol"], c["source_id"])
        ids[a.symbol], symbols[a.id] = a.id, a.symbol
    proposed = compiler_client.propose(token.address, plan)
    rec.steps[-1].txs.append({"what": "propose", "tx": proposed["tx"], "gas": proposed["gas"]})
    chain.mine(1, timestamp=proposed["activation_time"])
    for trade in plan.trades:  # the custodian trades into the new basket, keeping 0.1% spare
        if trade.side == "buy":
            custody.trade(settings.symbol, trade.symbol, trade.quantity * 1001 // 1000)
        elif trade.side == "sell":
            custody.trade(settings.symbol, trade.symbol, -(trade.quantity * 999 // 1000))
    service.tick()
    activated = CompilerClient(system, anyone).activate(token.address)
    rec.steps[-1].txs.append({"what": "activate", "tx": activated["tx"], "gas": activated["gas"]})
    step.notes.append(f"{plan.changed} replaced, turnover {plan.turnover_bps / 100:.2f}%")
    step.checks["basket version bumped"] = int(token.basketVersion()) == plan.from_version + 1
    measure(step)

    # 9. the new NAV against the pool: the bot closes that gap too -----------------------------
    step = rec.step("arbitrage bot after the rebalance")
    bot.log = lambda e: step.notes.append(_bot_note(e))
    bot_until_hold()
    lower, upper = band(nav(), costs)
    step.checks["pool within the band of the new NAV"] = (
        lower * Fraction(9_999, 10_000) <= pool_price() <= upper * Fraction(10_001, 10_000)
    )
    measure(step)

    # 10. a WLP redeems ---------------------------------------------------------------------
    step = rec.step("WLP redeems")
    free = token.balanceOf(wlp) - token.lockedOf(wlp)
    if free < settings.redeem_tokens * INDEX_UNIT:  # buy back what the bot sold, if needed
        token.transfer(
            wlp,
            min(token.balanceOf(fee_recipient), settings.redeem_tokens * INDEX_UNIT),
            sender=fee_recipient,
        )
    before_custody = custody.totals()
    redeemed = wlp_client.redeem(settings.symbol, settings.redeem_tokens * INDEX_UNIT)
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)
    tick = service.tick()
    step.checks["redeem confirmed"] = any(
        c["id"] == "0x" + redeemed.id.hex() for c in tick["confirmed"]
    )
    step.checks["custody paid out"] = all(
        custody.totals().get(s, 0) <= before_custody.get(s, 0) for s in before_custody
    )
    measure(step)

    final_coverage = rec.steps[-1].coverage
    sums = solvency(system, [token, second])
    symbol_of = {a.id: a.symbol for a in (*MAG7_ASSETS, *weights)} | {v: k for k, v in ids.items()}
    solvency_rows = [row.as_dict(symbol_of.get(row.asset_id)) for row in sums]
    coverage_ok = all(s.coverage is None or s.coverage >= 1 for s in rec.steps)
    from ..chain.lifecycle import LifecycleClient

    versions = {
        t.symbol(): LifecycleClient(system, None).status(t.address) for t in (token, second)
    }
    report = {
        "data": source,
        "index": token.address,
        "indices": {settings.symbol: token.address, settings.second_symbol: second.address},
        "steps": [
            {
                "name": s.name,
                "ok": s.ok,
                "checks": s.checks,
                "transactions": s.txs,
                "nav_usd": s.nav,
                "pool_price_usd": s.pool_price,
                "coverage_min": s.coverage,
                "notes": s.notes,
            }
            for s in rec.steps
        ],
        "final": {
            "nav_usd": float(nav()) / USDC,
            "pool_price_usd": float(pool_price()) / USDC,
            "coverage_min": final_coverage,
            "supply": str(token.totalSupply()),
            "basket_version": int(token.basketVersion()),
        },
        "solvency": solvency_rows,
        "lifecycle": versions,
        "ok": all(s.ok for s in rec.steps) and coverage_ok and all(r.covered for r in sums),
    }
    (out / "demo-report.json").write_text(json.dumps(report, indent=2) + "\n")
    plot(rec.steps, out / "demo.png", source)
    table = Table(title=f"ssikit demo ({source})")
    for column in ("step", "ok", "txs", "gas", "notes"):
        table.add_column(column)
    for s in rec.steps:
        table.add_row(
            s.name,
            "yes" if s.ok else "NO",
            str(len(s.txs)),
            f"{sum(t['gas'] for t in s.txs):,}",
            "; ".join(s.notes)[:90],
        )
    console.print(table)
    sums_table = Table(title="every asset: reserves against what all indices owe")
    for column in ("asset", "indices", "reserves", "liabilities", "ratio"):
        sums_table.add_column(column)
    for row in solvency_rows:
        sums_table.add_row(
            str(row["symbol"]),
            " ".join(row["indices"]),
            row["reserves"],
            row["liabilities"],
            "-" if row["ratio"] is None else f"{row['ratio']:.6f}",
        )
    console.print(sums_table)
    versions_table = Table(title="each index: the issuer and oracle versions it uses")
    for column in ("index", "issuer", "version", "oracle", "deprecated", "pending moves"):
        versions_table.add_column(column)
    for symbol, v in versions.items():
        pending = [k for k, move in v["pending_moves"].items() if move is not None]
        versions_table.add_row(
            symbol,
            v["issuer"],
            v["issuer_version"],
            v["oracle_version"],
            "yes" if v["deprecated"] else "no",
            ", ".join(pending) or "none",
        )
    console.print(versions_table)
    return report


def plot(steps: list[Step], path: Path, source: str) -> None:
    """NAV against the pool price, step by step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=110)
    xs = list(range(len(steps)))
    ax.plot(xs, [s.nav for s in steps], marker="o", label="NAV per token")
    pool = [(x, s.pool_price) for x, s in zip(xs, steps, strict=True) if s.pool_price is not None]
    ax.plot([x for x, _ in pool], [p for _, p in pool], marker="s", label="Uniswap pool price")
    ax.set_xticks(xs, [s.name for s in steps], rotation=30, ha="right", fontsize=7)
    ax.set_ylabel("USD per token")
    ax.set_title(f"ssikit demo: NAV vs pool price ({source})")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
