"""The demo's steps, in order. Each is a function of the demo's state and its own record: it
does one thing, leaves what the next steps need in the state, and records the checks that say
it did what it should (``run_demo`` stops at the first step whose check fails)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ...bots.arbitrage import Costs, Limits, band
from ...bots.custodian import CustodianService, WalletFileCustody
from ...bots.runner import ArbitrageBot, BotConfig, nav_per_token
from ...chain.accounts import LocalRole as R
from ...chain.issuance import CustodianClient, TrackedRequest, WlpClient
from ...chain.protocol import Deployment, IssuanceSettings, configure_issuance
from ...chain.rebalance import CompilerClient
from ...chain.session import Session
from ...chain.uniswap import add_liquidity, reserves, swap_exact_in
from ...core.assets import MAG7_ASSETS, asset_for_symbol
from ...core.basket import basket_from_weights
from ...core.units import INDEX_UNIT
from ...math import basket as bm
from ...methodology.backtest import backtest
from ...methodology.compose import compose
from ...methodology.spec import preset
from ...presets.indices import mag7_params
from .state import DAY, USDC, DemoState, Step

StepFunction = Callable[[DemoState, Step], None]


def _usd_prices(panel: Any, day: date, symbols: list[str]) -> dict[str, Decimal]:
    return {k: Decimal(str(v)) for k, v in panel.usd_prices(day, sorted(set(symbols))).items()}


def _mine(seconds: int = 2) -> None:
    from ape import chain

    chain.mine(1, timestamp=chain.blocks.head.timestamp + seconds)


def nav(state: DemoState) -> Fraction:
    """NAV per token of the first index {USDC base units}, at the market's prices now."""
    return nav_per_token(state.token, state.system.assets, state.prices_now, 6)


def pool_price(state: DemoState) -> Fraction:
    """The pool's price of the first index {USDC base units per token}."""
    r_index, r_usd = reserves(state.pair, state.token.address)
    return Fraction(r_usd * INDEX_UNIT, r_index)


def _bot_note(entry: dict[str, Any]) -> str:
    what = entry["done"] if entry["decision"] != "hold" else entry["reasons"][0]
    return f"bot: {entry['decision']}: {what[:48]}"


# 1 ---------------------------------------------------------------------------------------------
def deploy(state: DemoState, step: Step) -> None:
    """The system, Uniswap V2 and a test USDC (nothing twice: a rerun deploys nothing)."""
    from ...chain.artifacts import container

    deployer = state.role(R.DEPLOYER)
    state.deployment = Deployment(deployer, path=state.registry_path)
    state.system = state.deployment.system()
    state.uniswap = state.deployment.uniswap()
    state.usd = state.deployment.contract(
        "USDC", "USD Coin (test)", "USDC", 6, container=container("TestToken")
    )
    step.notes.append(f"{len(state.deployment.actions)} deployment actions (0 on a rerun)")
    step.checks["system deployed"] = state.system.issuer.address is not None


# 2 ---------------------------------------------------------------------------------------------
def create_indices(state: DemoState, step: Step) -> None:
    """MAG7 composed from the market by the methodology, and a second, equally weighted index
    over the same assets; both set up for issuance (custodian, WLP)."""
    settings, panel, deployment, system = (
        state.settings,
        state.panel,
        state.deployment,
        state.system,
    )
    compiler, custodian, wlp, fee_recipient = (
        state.role(r) for r in (R.INDEX_COMPILER, R.CUSTODIAN, R.WLP, R.FEE_RECIPIENT)
    )
    history = backtest(panel, preset("MAG7"), date(settings.launch.year, 1, 1), settings.launch)
    state.launch = launch = history.announcements[-1]
    weights = {
        asset_for_symbol(c.symbol, c.asset_id): Fraction(c.weight) for c in launch.constituents
    }
    total = sum(weights.values())
    state.weights = weights = {a: w / total for a, w in weights.items()}
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
    state.token = token = deployment.index(system, params)
    configure_issuance(
        deployment, system, token, IssuanceSettings(), [custodian.address], [wlp.address]
    )
    equal = {a: Fraction(1, len(weights)) for a in weights}
    second_basket = basket_from_weights(
        equal, {a: Fraction(launch_usd[a.symbol]) for a in weights}, Fraction(100)
    )
    second_params = params.model_copy(
        update={"symbol": settings.second_symbol, "name": "MAG7 equal weight"}
    )
    state.second = second = deployment.index(
        system, second_params.model_copy(update={"basket": second_basket})
    )
    configure_issuance(
        deployment, system, second, IssuanceSettings(), [custodian.address], [wlp.address]
    )
    state.prices_now = dict(launch_usd)
    state.symbols = {a.id: a.symbol for a in weights}
    state.ids = {a.symbol: a.id for a in weights}
    step.notes.append(
        f"constituents {' '.join(c.symbol for c in launch.constituents)} "
        f"({launch.implementation_date}, {state.source})"
    )
    step.checks["basket has 7 components"] = token.issuanceInfo()[2] == 7
    step.checks["second index shares every asset"] = {
        bytes(a) for a, _ in token.basketState()[0]
    } == {bytes(a) for a, _ in second.basketState()[0]}


# 3 ---------------------------------------------------------------------------------------------
def set_up_custody(state: DemoState, step: Step) -> None:
    """The custody chain (a second Anvil standing in for another network) holds the assets it
    has (ETH native, BNB an ERC-20), each index at a custody address of its own; the rest (BTC,
    SOL, XRP, ...) stay on the wallet-file adapter, a named test double. One composite adapter
    routes each asset; the custodian's service runs over it."""
    from ...custody import CompositeCustody
    from ...custody.chain import start_custody_chain
    from ...custody.evm import EvmCustody
    from ...custody.local import set_up_local_custody

    settings = state.settings
    indices = [settings.symbol, settings.second_symbol]
    state.custody_chain = start_custody_chain()
    state.custody_config = config = set_up_local_custody(
        state.custody_chain,
        state.out / "custody",
        indices,
        wlps=[state.role(R.WLP).address],
        confirmations=settings.confirmations,
    )
    on_chain = set(config.assets)
    state.out.mkdir(parents=True, exist_ok=True)
    wallet_path = state.out / "demo-custody.json"
    wallet_path.write_text(
        json.dumps(
            {
                "custodian": state.role(R.CUSTODIAN).address,
                "wallets": [
                    {
                        "index": symbol,
                        "asset": a.symbol,
                        "address": f"{symbol.lower()}-{a.symbol.lower()}-cold",
                        "balance": 0,
                    }
                    for symbol in indices
                    for a in state.weights
                    if a.symbol not in on_chain
                ],
            },
            indent=2,
        )
    )
    state.wallet_file = WalletFileCustody(wallet_path)
    state.custody = CompositeCustody(state.wallet_file, EvmCustody(config).routes())
    state.service = CustodianService(
        CustodianClient(state.system, state.role(R.CUSTODIAN)),
        state.custody,
        state.ids,
        indices,
        log=lambda e: None,
    )
    in_basket = sorted(on_chain & set(state.ids))
    step.notes.append(
        f"custody chain {state.custody_chain.chain_id} at {state.custody_chain.url}: "
        f"{', '.join(in_basket)} there"
    )
    step.checks["custody chain holds basket assets"] = bool(in_basket)
    from ape import chain

    step.checks["custody chain is another chain"] = state.custody_chain.chain_id != chain.chain_id


# 4 ---------------------------------------------------------------------------------------------
def report_reserves(state: DemoState, step: Step) -> None:
    """The custodian's first proof of reserves (nothing minted yet: all zero)."""
    _mine()
    step.checks["report posted"] = state.service.tick()["reported"]


def deliver(state: DemoState, tracked: TrackedRequest) -> None:
    """The WLP sends what its mint request owes (at the request's fee factor): a real transfer
    on the custody chain, carrying the request id, for the assets there; a wallet-file delivery
    for the others."""
    from ...chain.artifacts import container
    from ...custody.chain import local_key
    from ...custody.evm import deliver as send_delivery

    target = container("IndexToken").at(tracked.request.index)
    symbol = str(target.symbol())
    on_chain = state.custody_config.assets
    for asset_id, stored_amount in target.basketState()[0]:
        owed = bm.deposit_for(int(stored_amount), tracked.request.factor, tracked.request.amount)
        asset = state.symbols[bytes(asset_id)]
        if asset in on_chain:
            sent = send_delivery(
                state.custody_chain,
                local_key(R.WLP),
                state.custody_config,
                tracked.id,
                symbol,
                asset,
                owed,
            )
            tx = "0x" + sent.notice.tx.hex()
            state.deliveries.append({"request": "0x" + tracked.id.hex(), "asset": asset, "tx": tx})
        else:
            state.wallet_file.receive(tracked.id, symbol, asset, owed)
    state.delivered.add(tracked.id)
    state.custody_chain.mine(max(state.settings.confirmations - 1, 0))


def _deliver_pending(state: DemoState) -> None:
    for tracked in WlpClient(state.system, state.role(R.WLP)).pending():
        if tracked.is_mint and tracked.id not in state.delivered:
            deliver(state, tracked)


# 5 ---------------------------------------------------------------------------------------------
def request_mints(state: DemoState, step: Step) -> None:
    """The WLP asks to mint both indices (its typed session); the custodian confirms nothing
    before the delivery arrives."""
    settings = state.settings
    state.wlp_session = session = Session(state.system, state.role(R.WLP))
    state.minted = [
        session.index(settings.symbol).request_mint(settings.mint_tokens),
        session.index(settings.second_symbol).request_mint(settings.second_mint_tokens),
    ]
    _mine()
    waiting = state.service.tick()
    step.checks["no mint confirmed before its delivery"] = not waiting["confirmed"]
    step.checks["mints pending"] = all(r.status.label == "mint pending" for r in state.minted)


# 6 ---------------------------------------------------------------------------------------------
def deliver_and_confirm(state: DemoState, step: Step) -> None:
    """The WLP delivers the baskets (on the custody chain for ETH and BNB); the custodian checks
    each transfer there, acknowledges, reports and confirms."""
    _deliver_pending(state)
    _mine()
    tick = state.service.tick()
    confirmed = {c["id"] for c in tick["confirmed"]}
    wlp = state.role(R.WLP)
    step.notes.append(f"{len(state.deliveries)} custody-chain transfers")
    step.checks["deliveries are custody-chain transfers"] = bool(state.deliveries)
    step.checks["mints confirmed"] = {r.id for r in state.minted} <= confirmed
    step.checks["WLP holds tokens"] = (
        state.token.balanceOf(wlp) > 0 and state.second.balanceOf(wlp) > 0
    )


# 7 ---------------------------------------------------------------------------------------------
def seed_pool(state: DemoState, step: Step) -> None:
    """A Uniswap V2 pool of the first index against USDC, seeded at NAV by the WLP."""
    deployer, wlp, trader = state.role(R.DEPLOYER), state.role(R.WLP), state.role(R.HOLDER)
    state.usd.mint(wlp, 10**7 * USDC, sender=deployer)
    state.usd.mint(trader, 10**6 * USDC, sender=deployer)
    tokens = state.settings.pool_tokens
    state.pair = add_liquidity(
        state.uniswap,
        state.token,
        state.usd,
        tokens * INDEX_UNIT,
        int(nav(state) * tokens),
        wlp,
    )
    step.checks["pool at NAV"] = abs(pool_price(state) / nav(state) - 1) < Fraction(1, 1000)


# 8 ---------------------------------------------------------------------------------------------
def market_moves(state: DemoState, step: Step) -> None:
    """A buyer pushes the pool above the band around NAV."""
    # Buying with dy raises the pool price by (1 + dy / y)^2 (before the 0.3% fee).
    _, r_usd = reserves(state.pair, state.token.address)
    push = int(r_usd * ((1 + state.settings.premium_bps / 10_000) ** 0.5 - 1) / 0.997)
    trader = state.role(R.HOLDER)
    receipt = swap_exact_in(state.uniswap, state.usd, state.token, push, 0, trader)
    state.rec.tx(receipt, "a buyer pushes the pool up")
    step.notes.append(f"pool {float(pool_price(state) / nav(state) - 1) * 100:+.2f}% against NAV")
    fees = Costs(*state.system.issuer.fees(state.token), gas_usd=0)
    step.checks["pool above the band"] = pool_price(state) > band(nav(state), fees)[1]


def _bot_until_hold(state: DemoState, rounds: int = 4) -> None:
    """Bot rounds until it holds: between rounds the WLP delivers what its pending mints owe and
    the custodian's service settles them."""
    for _ in range(rounds):
        entry = state.bot.round()
        _mine()
        _deliver_pending(state)
        state.service.tick()
        if entry["decision"] == "hold":
            return


def _within_band(state: DemoState) -> bool:
    lower, upper = band(nav(state), state.costs)
    price = pool_price(state)
    return lower * Fraction(9_999, 10_000) <= price <= upper * Fraction(10_001, 10_000)


# 9 ---------------------------------------------------------------------------------------------
def bot_closes_gap(state: DemoState, step: Step) -> None:
    """The WLP's arbitrage bot mints, has the custodian confirm, and sells into the pool until
    it is back within the band."""
    wlp, fee_recipient = state.role(R.WLP), state.role(R.FEE_RECIPIENT)
    mint_bps, redeem_bps = state.system.issuer.fees(state.token)
    state.costs = Costs(int(mint_bps), int(redeem_bps), gas_usd=USDC, threshold_bps=10)
    limits = Limits(max_index=1_000 * INDEX_UNIT, max_usd=10**6 * USDC)
    state.bot = ArbitrageBot(
        state.wlp_session.index(state.settings.symbol),
        state.uniswap,
        state.usd,
        lambda: state.prices_now,
        BotConfig(state.costs, limits),
        log=lambda e: step.notes.append(_bot_note(e)),
    )
    # The bot has no inventory beyond what it pooled: it mints, the custodian confirms, it sells.
    token = state.token
    token.transfer(fee_recipient, token.balanceOf(wlp) - token.lockedOf(wlp), sender=wlp)
    _bot_until_hold(state)
    step.checks["pool back within the band"] = _within_band(state)


# 10 --------------------------------------------------------------------------------------------
def month_passes(state: DemoState, step: Step) -> None:
    """A month: the management fee accrues and the market moves; the custodian's report goes
    stale and its service reports again."""
    from ape import chain

    token = state.token
    before = token.feeFactor()
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 30 * DAY)
    state.rec.tx(token.accrueFee(sender=state.role(R.STRANGER)), "checkpoint the fee factor")
    step.checks["fee factor fell"] = token.feeFactor() < before
    launch = state.launch
    incumbents = [c.asset_id for c in launch.constituents]
    state.announcement = announcement = compose(
        state.panel, preset("MAG7"), launch.implementation_date + timedelta(days=10), incumbents
    )
    symbols = [c.symbol for c in announcement.constituents] + [a.symbol for a in state.weights]
    state.prices_now = _usd_prices(state.panel, announcement.implementation_date, symbols)
    _mine()
    step.checks["report refreshed"] = state.service.tick()["reported"]


def _trade(state: DemoState, symbol: str, asset: str, delta: int) -> None:
    """The custodian trades for the index: on the custody chain for its assets (real
    transfers with the market's test account), in the wallet file for the others."""
    from ...custody.local import simulate_trade

    if asset in state.custody_config.assets:
        simulate_trade(state.custody_chain, state.custody_config, symbol, asset, delta)
        state.custody_chain.mine(max(state.settings.confirmations - 1, 0))
    else:
        state.wallet_file.trade(symbol, asset, delta)


# 11 --------------------------------------------------------------------------------------------
def rebalance(state: DemoState, step: Step) -> None:
    """The compiler plans against the chain, the admin registers newcomers, the compiler
    proposes; at the activation time the custodian trades (keeping 0.1% spare) and reports, and
    anyone activates the new basket."""
    from ape import chain

    system, token, prices = state.system, state.token, state.prices_now
    deployer, compiler = state.role(R.DEPLOYER), state.role(R.INDEX_COMPILER)
    custodian, anyone = state.role(R.CUSTODIAN), state.role(R.STRANGER)
    compiler_client = CompilerClient(system, compiler)
    # The feeds follow the market to this month's prices (newcomers get theirs when prepared).
    constituents = [*state.launch.constituents, *state.announcement.constituents]
    registered = [
        a
        for a in (asset_for_symbol(c.symbol, c.asset_id) for c in constituents)
        if system.assets.isRegistered(a.id)
    ]
    state.deployment.price_feeds(system, {a: prices[a.symbol] for a in registered}, update=True)
    plan = compiler_client.plan(token.address, state.announcement, prices)
    admin_deployment = Deployment(deployer, path=state.registry_path)
    CompilerClient(system, deployer).prepare_assets(
        admin_deployment, token.address, plan, [custodian.address], DAY
    )
    for c in plan.document["constituents"]:
        a = asset_for_symbol(c["symbol"], c["source_id"])
        state.ids[a.symbol], state.symbols[a.id] = a.id, a.symbol
    proposed = compiler_client.propose(token.address, plan)
    step.txs.append({"what": "propose", "tx": proposed["tx"], "gas": proposed["gas"]})
    chain.mine(1, timestamp=proposed["activation_time"])
    for trade in plan.trades:  # the custodian trades into the new basket, keeping 0.1% spare
        if trade.side == "buy":
            _trade(state, state.settings.symbol, trade.symbol, trade.quantity * 1001 // 1000)
        elif trade.side == "sell":
            _trade(state, state.settings.symbol, trade.symbol, -(trade.quantity * 999 // 1000))
    state.service.tick()
    activated = CompilerClient(system, anyone).activate(token.address)
    step.txs.append({"what": "activate", "tx": activated["tx"], "gas": activated["gas"]})
    step.notes.append(f"{plan.changed} replaced, turnover {plan.turnover_bps / 100:.2f}%")
    step.checks["basket version bumped"] = int(token.basketVersion()) == plan.from_version + 1


# 12 --------------------------------------------------------------------------------------------
def bot_after_rebalance(state: DemoState, step: Step) -> None:
    """The new NAV against the pool: the bot closes that gap too."""
    state.bot.log = lambda e: step.notes.append(_bot_note(e))
    _bot_until_hold(state)
    step.checks["pool within the band of the new NAV"] = _within_band(state)


# 13 --------------------------------------------------------------------------------------------
def redeem(state: DemoState, step: Step) -> None:
    """The WLP redeems; the custodian accepts, pays (real transfers on the custody chain for its
    assets), reports and confirms."""
    token, wlp, fee_recipient = state.token, state.role(R.WLP), state.role(R.FEE_RECIPIENT)
    amount = state.settings.redeem_tokens * INDEX_UNIT
    if token.balanceOf(wlp) - token.lockedOf(wlp) < amount:  # buy back what the bot sold
        token.transfer(wlp, min(token.balanceOf(fee_recipient), amount), sender=fee_recipient)
    chain_before = _custody_chain_balances(state)
    before = state.custody.totals()
    state.redeemed = state.wlp_session.index(state.settings.symbol).request_redeem(
        state.settings.redeem_tokens
    )
    _mine()
    tick = state.service.tick()
    step.checks["redeem confirmed"] = any(c["id"] == state.redeemed.id for c in tick["confirmed"])
    after = state.custody.totals()
    step.checks["custody paid out"] = all(after.get(k, 0) <= v for k, v in before.items())
    received = {
        asset: _custody_chain_balances(state)[asset] - chain_before[asset] for asset in chain_before
    }
    step.notes.append(
        "paid on the custody chain: " + ", ".join(f"{a} {v}" for a, v in sorted(received.items()))
    )
    step.checks["redeemer paid on the custody chain"] = all(v > 0 for v in received.values())


def _custody_chain_balances(state: DemoState) -> dict[str, int]:
    """The WLP's balances on the custody chain of the first index's assets there {base units}."""
    owner = state.role(R.WLP).address
    w3, config = state.custody_chain.w3, state.custody_config
    held = {state.symbols[bytes(a)] for a, _ in state.token.basketState()[0]}
    out: dict[str, int] = {}
    for asset, token in config.assets.items():
        if asset not in held:
            continue
        if token is None:
            out[asset] = int(w3.eth.get_balance(owner))
        else:
            out[asset] = int(state.custody_chain.erc20(token).functions.balanceOf(owner).call())
    return out


STEPS: list[tuple[str, StepFunction]] = [
    ("deploy", deploy),
    ("compose and create MAG7.ssi", create_indices),
    ("custody chain set up", set_up_custody),
    ("custodian reports reserves", report_reserves),
    ("WLP requests mints of both indices", request_mints),
    ("WLP delivers; custodian confirms", deliver_and_confirm),
    ("Uniswap pool seeded at NAV", seed_pool),
    ("the market moves", market_moves),
    ("arbitrage bot closes the gap", bot_closes_gap),
    ("a month passes: the fee accrues, the market moves", month_passes),
    ("compiler rebalances; custodian trades and reports", rebalance),
    ("arbitrage bot after the rebalance", bot_after_rebalance),
    ("WLP redeems", redeem),
]
"""The demo, in order: (name, step)."""
