"""A monthly rebalance end to end on Anvil: compose from market data, create the index, mint,
compose the next month against it, plan, propose, custodians report the traded holdings, activate;
the token's value per unit at the implementation prices is the plan's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from ssikit.chain.protocol import Deployment
from ssikit.chain.rebalance import CompilerClient
from ssikit.core.assets import asset_for_symbol
from ssikit.core.basket import basket_from_weights
from ssikit.core.errors import RebalanceError
from ssikit.core.units import INDEX_UNIT, RAY
from ssikit.math import basket as bm
from ssikit.math.rebalance import component_value
from ssikit.methodology.backtest import backtest
from ssikit.methodology.compose import compose
from ssikit.methodology.panel import MarketPanel
from ssikit.methodology.spec import preset

DAY = 86_400


@pytest.fixture
def deployment(deployer, tmp_path):
    return Deployment(deployer, path=tmp_path / "deployments.json")


def _launch(panel, symbol, until, deployment, protocol, create_index, configure_index):
    """The index as the methodology has it (buffers applied month after month) for the last
    implementation up to ``until``: $100 a token at that implementation day's prices."""
    first = backtest(panel, preset("MAG7"), date(until.year, 1, 1), until).announcements[-1]
    weights = {
        asset_for_symbol(c.symbol, c.asset_id): Fraction(c.weight) for c in first.constituents
    }
    total = sum(weights.values())
    weights = {a: w / total for a, w in weights.items()}
    usd = panel.usd_prices(first.implementation_date, [a.symbol for a in weights])
    prices = {a: Fraction(Decimal(str(usd[a.symbol]))) for a in weights}
    deployment.assets(protocol, list(weights))
    deployment.price_feeds(protocol, prices, update=True)  # the feeds follow the market
    basket = basket_from_weights(weights, prices, Fraction(100))
    token = configure_index(create_index(symbol=symbol, basket=basket))
    return token, first


def _rebalance_once(
    panel,
    token,
    first,
    deployment,
    protocol,
    index_compiler,
    custodian,
    stranger,
    post_report,
    cover,
    mint_request,
    issuer_contract,
    chain,
    move_local_feeds=False,
):
    # Supply: a WLP mints 10 tokens against the launch basket.
    request, _ = mint_request(token, 10 * INDEX_UNIT)
    cover(token, 10 * INDEX_UNIT)
    count = token.issuanceInfo()[2]
    issuer_contract.confirmMint(request.as_abi(), [b"\x01" * 32] * count, sender=custodian)

    # The next month's announcement, buffers applied against the launch constituents.
    incumbents = [c.asset_id for c in first.constituents]
    later = first.implementation_date.replace(day=10)
    announcement = compose(panel, preset("MAG7"), later, incumbents)
    compiler = CompilerClient(protocol, index_compiler)
    symbols = {c.symbol for c in announcement.constituents}
    symbols |= {c.symbol for c in first.constituents}
    usd = panel.usd_prices(announcement.implementation_date, sorted(symbols))
    # The market moved to the implementation day's prices, and the feeds with it; newcomers not
    # yet registered get their feeds when the admin prepares them.
    both = [*first.constituents, *announcement.constituents]
    registered = {
        a for a in (asset_for_symbol(c.symbol, c.asset_id) for c in both)
        if protocol.assets.isRegistered(a.id)
    }  # fmt: skip
    if not move_local_feeds:
        deployment.price_feeds(
            protocol, {a: Decimal(str(usd[a.symbol])) for a in registered}, update=True
        )
    plan = compiler.plan(token.address, announcement, {k: Decimal(str(v)) for k, v in usd.items()})
    if move_local_feeds:  # the README's path: the plan moves every feed it declares a price of
        with pytest.raises(RebalanceError, match="more than 200 bps from its feed"):
            compiler.check(token.address, plan)
    compiler.prepare_assets(
        deployment, token.address, plan, [custodian.address], DAY, move_local_feeds=move_local_feeds
    )

    proposed = compiler.propose(token.address, plan)
    status = compiler.status(token.address)
    assert status["pending"]["id"] == proposed["id"]
    assert status["pending"]["seconds_to_activation"] > 0
    added = {c.symbol for c in announcement.constituents} - {c.symbol for c in first.constituents}
    if added:  # nobody has reported the newcomers yet
        assert not status["pending"]["covered"]

    # The custodians trade and report the new holdings for the whole supply.
    chain.mine(1, timestamp=proposed["activation_time"])
    post_report(
        {bytes.fromhex(a[2:]): bm.liability(x, plan.backing_units) for a, x in plan.new_basket},
        index=token,
    )
    assert compiler.status(token.address)["pending"]["covered"]
    activated = CompilerClient(protocol, stranger).activate(token.address)
    assert activated["version"] == plan.from_version + 1 == token.basketVersion()

    # The basket is the plan's; its value per token at the implementation prices is the plan's.
    stored, factor, *_ = token.basketState()
    assert [("0x" + bytes(a).hex(), int(x)) for a, x in stored] == plan.new_basket
    prices = dict(plan.prices)
    on_chain = sum(
        component_value(int(c.amount), prices["0x" + bytes(c.assetId).hex()])
        for c in token.basket()
    )
    planned = plan.new_value * factor // RAY
    assert abs(on_chain - planned) <= 2 * len(stored)  # floors per component, either side
    assert abs(plan.old_value - plan.new_value) <= plan.old_value // 10**9 + len(plan.prices)
    return plan, announcement


def test_rebalance__synthetic_market(
    protocol,
    deployment,
    create_index,
    configure_index,
    index_compiler,
    custodian,
    stranger,
    post_report,
    cover,
    mint_request,
    issuer_contract,
    chain,
):
    from ssikit.presets.synthetic import synthetic_market

    panel = MarketPanel.from_frame(synthetic_market())
    token, first = _launch(
        panel, "SYN7.ssi", date(2024, 8, 31), deployment, protocol, create_index, configure_index
    )
    plan, announcement = _rebalance_once(
        panel,
        token,
        first,
        deployment,
        protocol,
        index_compiler,
        custodian,
        stranger,
        post_report,
        cover,
        mint_request,
        issuer_contract,
        chain,
        move_local_feeds=True,
    )
    assert plan.changed == 1  # the synthetic market swaps one constituent that month
    removed = {c.symbol for c in first.constituents} - {c.symbol for c in announcement.constituents}
    assert len(removed) == 1  # priced in the proposal: its feed moved with the others
    assert any(c.action == "add" for c in announcement.constituents)


@pytest.mark.shared_data
def test_rebalance__real_coingecko_2021_sol_replaces_doge(
    shared_data,
    protocol,
    deployment,
    create_index,
    configure_index,
    index_compiler,
    custodian,
    stranger,
    post_report,
    cover,
    mint_request,
    issuer_contract,
    chain,
):
    from ssikit.methodology.importers import import_coingecko_2021

    panel = MarketPanel.from_frame(import_coingecko_2021(shared_data / "hathix_coingecko_2021"))
    token, first = _launch(
        panel, "REAL7.ssi", date(2021, 10, 31), deployment, protocol, create_index, configure_index
    )
    assert first.implementation_date == date(2021, 11, 1)
    assert "DOGE" in {c.symbol for c in first.constituents}
    plan, announcement = _rebalance_once(
        panel,
        token,
        first,
        deployment,
        protocol,
        index_compiler,
        custodian,
        stranger,
        post_report,
        cover,
        mint_request,
        issuer_contract,
        chain,
    )
    symbols = {c.symbol for c in announcement.constituents}
    assert "SOL" in symbols and "DOGE" not in symbols and plan.changed == 1
    trades = {t.symbol: t.side for t in plan.trades}
    assert trades["SOL"] == "buy" and trades["DOGE"] == "sell"
