"""IndexToken rebalancing: propose (prices bounded by feeds), cancel, replace, activate (within
its window, while the proposer is the compiler); every refusal by its custom error."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ssikit.builders.rebalance import RebalanceBounds, plan_rebalance
from ssikit.core.assets import KNOWN_ASSETS, MAG7_ASSETS, Asset
from ssikit.core.basket import Basket, Component, unpack_basket
from ssikit.core.units import INDEX_UNIT, PRECISION
from ssikit.math import basket as bm
from ssikit.presets.indices import REBALANCE_SYMBOLS, REBALANCE_WEIGHTS, fixed_announcement

DAY = 86_400
REFS7 = [bytes([i]) * 32 for i in range(1, 8)]
USD = {
    "BTC": "43000",
    "ETH": "2550",
    "BNB": "310",
    "SOL": "95",
    "XRP": "0.57",
    "ADA": "0.52",
    "DOGE": "0.08",
    "DOT": "7.2",
    "LTC": "70",
}
NEW_SYMBOLS, WEIGHTS = REBALANCE_SYMBOLS, REBALANCE_WEIGHTS  # ADA and DOGE replaced


def _announcement(symbols=NEW_SYMBOLS, weights=WEIGHTS):
    return fixed_announcement(symbols, weights)


def _plan(token, symbols=NEW_SYMBOLS, weights=WEIGHTS, usd=None):
    stored, _, units, version, _ = token.basketState()
    current = Basket.of(Component(asset_id=bytes(a), amount=int(x)) for a, x in stored)
    assets = {a.id: a for a in MAG7_ASSETS}
    prices = {s: Decimal(p) for s, p in (usd or USD).items()}
    return plan_rebalance(
        _announcement(symbols, weights), prices, current, int(units), int(version), assets
    )


@pytest.fixture(scope="module")
def new_assets(protocol, deployer, custodian, index):
    """DOT and LTC registered with price feeds at USD, with reserve accounts of MAG7.ssi in the
    oracle (1 day staleness), with the custodian."""
    from ssikit.chain.asset_setup import set_up_asset

    for symbol in ("DOT", "LTC"):
        set_up_asset(
            protocol,
            KNOWN_ASSETS[symbol],
            price=Decimal(USD[symbol]),
            feed_max_age=DAY,
            index=index.address,
            custodians=[custodian.address],
            reserve_max_age=DAY,
            sender=deployer,
        )
    return [KNOWN_ASSETS["DOT"], KNOWN_ASSETS["LTC"]]


def _feed(registry, project, symbol):
    return project.TestPriceFeed.at(registry.priceFeed(KNOWN_ASSETS[symbol].id)[0])


def _activate(token, plan, when, proposer, sender, components=None):
    return token.activateRebalance(
        components or plan.components(),
        bytes.fromhex(plan.commitment[2:]),
        when,
        proposer,
        sender=sender,
    )


def _bounds(token, **changes) -> tuple[int, ...]:
    bounds = RebalanceBounds.from_abi(token.rebalanceBounds())
    return bounds.model_copy(update=changes).as_abi()


@pytest.fixture
def supplied(index, new_assets, cover, mint_request, issuer_contract, custodian):
    """MAG7.ssi with 10 tokens minted (so the reserves owe something)."""
    request, _ = mint_request(index, 10 * INDEX_UNIT)
    cover(index, 10 * INDEX_UNIT)
    issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    return index


def _propose(token, plan, compiler, when, replaces=b"\x00" * 32):
    receipt = token.proposeRebalance(
        plan.components(),
        plan.price_tuples(),
        bytes.fromhex(plan.commitment[2:]),
        when,
        replaces,
        sender=compiler,
    )
    return bytes(receipt.decode_logs(token.RebalanceProposed)[0].id), receipt


def _report_new_basket(post_report, plan, margin=1):
    """The custodian reports holdings covering the proposed basket for the current units."""
    balances = {
        bytes.fromhex(a[2:]): bm.liability(x, plan.backing_units) * margin
        for a, x in plan.new_basket
    }
    return post_report({k: int(v) for k, v in balances.items()})


def _later(chain, seconds=2 * DAY + 60) -> int:
    return chain.blocks.head.timestamp + seconds


def test_propose_then_activate__basket_replaced_value_kept(
    expect_revert, supplied, index_compiler, stranger, post_report, chain, oracle
):
    token = supplied
    plan = _plan(token)
    assert token.previewRebalance(plan.components(), plan.price_tuples()) == (
        plan.old_value,
        plan.new_value,
        plan.turnover_bps,
        plan.changed,
        plan.max_change_bps,
    )
    assert plan.changed == 2 and 0 < plan.turnover_bps < 10_000
    when = _later(chain)
    proposal_id, receipt = _propose(token, plan, index_compiler, when)
    assert token.pendingRebalance() == (proposal_id, when)
    event = receipt.decode_logs(token.RebalanceProposed)[0]
    assert "0x" + bytes(event.commitment).hex() == plan.commitment and event.fromVersion == 1

    components = plan.components()
    with expect_revert(token.RebalanceNotDue, activationTime=when):
        _activate(token, plan, when, index_compiler, stranger)
    chain.mine(1, timestamp=when)
    with expect_revert(oracle.OracleReservesStale):  # DOT and LTC never reported
        _activate(token, plan, when, index_compiler, stranger)
    assert token.basketVersion() == 1

    _report_new_basket(post_report, plan)
    receipt = _activate(token, plan, when, index_compiler, stranger)
    activated = receipt.decode_logs(token.RebalanceActivated)[0]
    assert activated.version == 2 and "0x" + bytes(activated.commitment).hex() == plan.commitment
    assert unpack_basket(bytes(activated.oldBasket)) == [
        (bytes.fromhex(a[2:]), x) for a, x in plan.old_basket
    ]
    assert unpack_basket(bytes(activated.newBasket)) == plan.components()
    assert token.basketVersion() == 2 and token.pendingRebalance()[0] == b"\x00" * 32
    stored, *_ = token.basketState()
    assert [(bytes(a), int(x)) for a, x in stored] == components
    assert token.issuanceInfo()[:3] == (2, False, 7)
    with expect_revert(token.RebalanceNotPending):
        _activate(token, plan, when, index_compiler, stranger)


def test_activate__short_reserves__reverts_and_keeps_the_basket(
    expect_revert, supplied, index_compiler, stranger, post_report, chain, oracle
):
    token = supplied
    plan = _plan(token)
    when = _later(chain)
    _propose(token, plan, index_compiler, when)
    chain.mine(1, timestamp=when)
    balances = {
        bytes.fromhex(a[2:]): bm.liability(x, plan.backing_units) for a, x in plan.new_basket
    }
    dot = KNOWN_ASSETS["DOT"].id
    balances[dot] -= 1  # one base unit short
    post_report(balances)
    with expect_revert(oracle.OracleReservesShort, assetId=dot):
        _activate(token, plan, when, index_compiler, stranger)
    assert token.basketVersion() == 1 and token.pendingRebalance()[1] == when


def test_activate__other_contents_than_proposed__reverts(
    expect_revert, supplied, index_compiler, stranger, chain
):
    token = supplied
    plan = _plan(token)
    when = _later(chain)
    _propose(token, plan, index_compiler, when)
    chain.mine(1, timestamp=when)
    tampered = list(plan.components())
    tampered[0] = (tampered[0][0], tampered[0][1] + 1)
    with expect_revert(token.RebalanceNotPending):
        _activate(token, plan, when, index_compiler, stranger, components=tampered)
    with expect_revert(token.RebalanceNotPending):  # the proposer is part of the proposal
        _activate(token, plan, when, stranger, stranger)


def _bad(token, compiler, components, prices, when):
    return token.proposeRebalance(
        components, prices, b"\x01" * 32, when, b"\x00" * 32, sender=compiler
    )


@pytest.mark.parametrize(
    "change, error",
    [
        ("zero_amount", "BasketZeroAmount"),
        ("duplicate", "BasketDuplicateAsset"),
        ("unsorted", "BasketNotSorted"),
        ("too_large", "BasketAmountTooLarge"),
        ("price_missing", "RebalancePricesInvalid"),
        ("price_zero", "RebalancePricesInvalid"),
        ("value_down", "RebalanceValueChanged"),
    ],
)
def test_propose__bad_basket__named_error_and_nothing_pending(
    expect_revert, supplied, index_compiler, chain, change, error
):
    token = supplied
    plan = _plan(token)
    components, prices = list(plan.components()), list(plan.price_tuples())
    if change == "zero_amount":
        components[1] = (components[1][0], 0)
    elif change == "duplicate":
        components[1] = (components[0][0], components[1][1])
    elif change == "unsorted":
        components[0], components[1] = components[1], components[0]
    elif change == "too_large":
        components[1] = (components[1][0], 2**160)
    elif change == "price_missing":
        prices = prices[1:]
    elif change == "price_zero":
        prices[2] = (prices[2][0], 0)
    elif change == "value_down":
        components[0] = (components[0][0], components[0][1] * 99 // 100)
    with expect_revert(getattr(token, error)):
        _bad(token, index_compiler, components, prices, _later(chain))
    assert token.pendingRebalance() == (b"\x00" * 32, 0)


def test_propose__unknown_asset__registry_error(
    expect_revert, supplied, index_compiler, registry, chain
):
    token = supplied
    plan = _plan(token)
    unknown = Asset(chain="nowhere", identity="native", symbol="NOPE", decimals=8)
    components = sorted([*plan.components()[:6], (unknown.id, 10**18)])
    prices = sorted([*plan.price_tuples(), (unknown.id, 10**30)])
    with expect_revert(registry.AssetUnknown, assetId=unknown.id):
        _bad(token, index_compiler, components, prices, _later(chain))
    assert token.pendingRebalance() == (b"\x00" * 32, 0)


def test_propose__too_soon__reverts(expect_revert, supplied, index_compiler, chain):
    plan = _plan(supplied)
    with expect_revert(supplied.RebalanceTooSoon):
        _propose(supplied, plan, index_compiler, chain.blocks.head.timestamp + DAY)


def test_bounds__changes_turnover_and_component_change_enforced(
    expect_revert, supplied, index_compiler, deployer, stranger, chain
):
    token = supplied
    plan = _plan(token)
    with expect_revert(token.AccessControlUnauthorizedAccount, account=stranger.address):
        token.setRebalanceBounds(_bounds(token, max_changed=1), sender=stranger)
    tighter = [  # each bound just below what the plan needs, the others loose enough
        ({"max_changed": 1}, token.RebalanceTooManyChanges, {"changed": 2, "maxChanged": 1}),
        (
            {"max_changed": 2, "max_turnover_bps": plan.turnover_bps - 1},
            token.RebalanceTurnoverTooHigh,
            {"turnoverBps": plan.turnover_bps, "maxTurnoverBps": plan.turnover_bps - 1},
        ),
        (
            {
                "max_turnover_bps": plan.turnover_bps,
                "max_component_change_bps": plan.max_change_bps - 1,
            },
            token.RebalanceComponentChangeTooHigh,
            {"changeBps": plan.max_change_bps, "maxChangeBps": plan.max_change_bps - 1},
        ),
    ]
    for changes, error, inputs in tighter:
        token.setRebalanceBounds(_bounds(token, **changes), sender=deployer)
        with expect_revert(error, **inputs):
            _propose(token, plan, index_compiler, _later(chain))
    token.setRebalanceBounds(
        _bounds(token, max_component_change_bps=plan.max_change_bps), sender=deployer
    )
    _propose(token, plan, index_compiler, _later(chain))


@pytest.mark.parametrize(
    "field, value",
    [
        ("min_delay", 60),  # under an hour of notice
        ("activation_window", 0),
        ("activation_window", 30 * DAY + 1),
        ("max_changed", 0),
        ("max_changed", 33),
        ("max_turnover_bps", 0),
        ("max_turnover_bps", 10_001),
        ("max_component_change_bps", 0),
        ("max_component_change_bps", 10_001),
        ("price_band_bps", 0),
        ("price_band_bps", 1_001),
    ],
)
def test_set_bounds__out_of_range__reverts_naming_the_bound(
    expect_revert, supplied, deployer, field, value
):
    token = supplied
    name = "".join(w if k == 0 else w.title() for k, w in enumerate(field.split("_")))
    with expect_revert(token.RebalanceBoundsInvalid, bound=name, value=value):
        token.setRebalanceBounds(_bounds(token, **{field: value}), sender=deployer)


def test_set_bounds__loosest_and_tightest_accepted(supplied, deployer):
    token = supplied
    loosest = (2**32 - 1, 30 * DAY, 32, 10_000, 10_000, 1_000, 2**64 - 1)
    receipt = token.setRebalanceBounds(loosest, sender=deployer)
    assert tuple(token.rebalanceBounds()) == loosest
    assert tuple(receipt.decode_logs(token.RebalanceBoundsSet)[0].bounds) == loosest
    tightest = (3_600, 3_600, 1, 1, 1, 1, 0)
    token.setRebalanceBounds(tightest, sender=deployer)
    assert tuple(token.rebalanceBounds()) == tightest


def test_defaults__every_bound_non_zero(create_index):
    token = create_index(symbol="DEFAULTS.ssi")
    bounds = RebalanceBounds.from_abi(token.rebalanceBounds())
    assert bounds == RebalanceBounds(
        min_delay=2 * DAY,
        activation_window=3 * DAY,
        max_changed=3,
        max_turnover_bps=5_000,
        max_component_change_bps=3_500,
        price_band_bps=200,
        value_tolerance=10**12,
    )


def test_roles__stranger_cannot_propose_or_cancel(
    expect_revert, supplied, index_compiler, stranger, roles, chain
):
    token = supplied
    plan = _plan(token)
    compiler_role = roles.indexRole(roles.INDEX_COMPILER_ROLE(), token)
    with expect_revert(
        roles.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=compiler_role
    ):
        _propose(token, plan, stranger, _later(chain))
    proposal_id, _ = _propose(token, plan, index_compiler, _later(chain))
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        token.cancelRebalance(proposal_id, sender=stranger)
    assert token.pendingRebalance()[0] == proposal_id


@pytest.mark.parametrize("who", ["admin", "compiler"])
def test_cancel__by_admin_or_compiler(
    supplied, index_compiler, deployer, chain, who, expect_revert
):
    token = supplied
    proposal_id, _ = _propose(token, _plan(token), index_compiler, _later(chain))
    receipt = token.cancelRebalance(
        proposal_id, sender=deployer if who == "admin" else index_compiler
    )
    assert bytes(receipt.decode_logs(token.RebalanceCancelled)[0].id) == proposal_id
    assert token.pendingRebalance() == (b"\x00" * 32, 0)
    with expect_revert(token.RebalanceNotPending):
        token.cancelRebalance(proposal_id, sender=deployer)


def test_replace__only_explicitly(expect_revert, supplied, index_compiler, chain):
    token = supplied
    first, _ = _propose(token, _plan(token), index_compiler, _later(chain))
    other = _plan(token, weights=(0.3, 0.16, 0.11, 0.11, 0.11, 0.105, 0.105))
    with expect_revert(token.RebalancePending, pendingId=first):
        _propose(token, other, index_compiler, _later(chain))
    second, receipt = _propose(token, other, index_compiler, _later(chain), replaces=first)
    assert bytes(receipt.decode_logs(token.RebalanceCancelled)[0].id) == first
    assert token.pendingRebalance()[0] == second != first


def test_old_version_requests__cannot_be_confirmed_and_anyone_expires_them(
    expect_revert,
    supplied,
    index_compiler,
    stranger,
    post_report,
    chain,
    mint_request,
    issuer_contract,
    custodian,
    wlp,
):
    token = supplied
    plan = _plan(token)
    when = _later(chain)
    _propose(token, plan, index_compiler, when)
    mint, _ = mint_request(token, INDEX_UNIT, deadline=when + 10 * DAY)  # version 1
    redeem, _ = mint_request(token, INDEX_UNIT, is_mint=False, deadline=when + 10 * DAY)
    assert token.lockedOf(wlp) == INDEX_UNIT
    chain.mine(1, timestamp=when)
    _report_new_basket(post_report, plan)
    _activate(token, plan, when, index_compiler, stranger)
    with expect_revert(issuer_contract.IssuerBasketVersionMismatch, requested=1, current=2):
        issuer_contract.confirmMint(mint.as_abi(), REFS7, sender=custodian)
    with expect_revert(issuer_contract.IssuerBasketVersionMismatch):
        issuer_contract.acceptRedeem(redeem.as_abi(), sender=custodian)
    issuer_contract.expire(mint.as_abi(), True, sender=stranger)
    issuer_contract.expire(redeem.as_abi(), False, sender=stranger)
    assert issuer_contract.statusOf(wlp, mint.nonce) == 6  # expired
    assert token.lockedOf(wlp) == 0


def test_local_component__cannot_change(
    expect_revert, create_index, project, deployer, registry, index_compiler, chain
):
    erc20 = project.TestToken.deploy("Local", "LOC", 18, sender=deployer)
    registry.registerLocalToken(erc20, sender=deployer)
    local = Asset.local_token(chain.chain_id, erc20.address, "LOC", 18)
    feed = project.TestPriceFeed.deploy(8, "LOC / USD", 10**8, sender=deployer)  # $1
    registry.setPriceFeed(local.id, feed, DAY, sender=deployer)
    btc = MAG7_ASSETS[0]
    basket = Basket.of(
        [
            Component(asset_id=local.id, amount=10**18 * PRECISION),
            Component(asset_id=btc.id, amount=10**5 * PRECISION),
        ]
    )
    token = create_index(symbol="LOCAL.ssi", basket=basket)
    components = sorted([(local.id, 2 * 10**18 * PRECISION), (btc.id, 10**5 * PRECISION // 2)])
    prices = sorted([(local.id, 10**18), (btc.id, 43_000 * 10**28)])  # at the feeds
    with expect_revert(token.RebalanceLocalComponentChanged, assetId=local.id):
        _bad(token, index_compiler, components, prices, _later(chain))


# ---------------------------------------------------------------- finding 3 and its kin
def test_propose__price_far_from_feed__reverts(
    expect_revert, supplied, index_compiler, deployer, chain
):
    """The attack: BTC declared at a near-zero price lets 99.99% of it leave with turnover 0 and
    no asset changed, whatever the bounds on those. The feed band refuses it."""
    token = supplied
    token.setRebalanceBounds(_bounds(token, max_changed=1, max_turnover_bps=1), sender=deployer)
    btc = KNOWN_ASSETS["BTC"].id
    stored = [(bytes(a), int(x)) for a, x in token.basketState()[0]]
    components = [(a, x // 10_000 if a == btc else x) for a, x in stored]
    plan = _plan(token)
    feeds = dict(plan.price_tuples())
    prices = [(a, 1 if a == btc else feeds[a]) for a, _ in stored]
    feed = feeds[btc]
    with expect_revert(
        token.RebalancePriceOutsideBand, assetId=btc, declared=1, feed=feed, bandBps=200
    ):
        _bad(token, index_compiler, components, prices, _later(chain))
    # On the edge of the band: 2% above the feed passes the band (and fails on value only).
    high = [(a, feed * 10_200 // 10_000 if a == btc else p) for a, p in prices]
    with expect_revert(token.RebalanceValueChanged):
        _bad(token, index_compiler, components, high, _later(chain))
    just_out = [(a, feed * 10_200 // 10_000 + 1 if a == btc else p) for a, p in prices]
    with expect_revert(token.RebalancePriceOutsideBand, assetId=btc):
        _bad(token, index_compiler, components, just_out, _later(chain))
    assert token.pendingRebalance() == (b"\x00" * 32, 0)


def test_propose__no_feed__reverts(
    expect_revert, supplied, index_compiler, deployer, registry, chain
):
    token = supplied
    ltc = KNOWN_ASSETS["LTC"].id
    registry.setPriceFeed(ltc, "0x" + "00" * 20, 0, sender=deployer)
    assert registry.priceFeed(ltc) == ("0x" + "00" * 20, 0, 0)
    with expect_revert(registry.AssetPriceFeedMissing, assetId=ltc):
        _propose(token, _plan(token), index_compiler, _later(chain))


def test_propose__stale_feed__reverts(
    expect_revert, supplied, index_compiler, registry, project, deployer, chain
):
    token = supplied
    plan = _plan(token)
    dot = _feed(registry, project, "DOT")
    updated = dot.latestRoundData()[3]
    chain.mine(1, timestamp=updated + DAY + 1)
    for symbol in ("BTC", "ETH", "BNB", "SOL", "XRP", "ADA", "DOGE", "LTC"):  # all but DOT fresh
        feed = _feed(registry, project, symbol)
        feed.setAnswer(feed.latestRoundData()[1], sender=deployer)
    with expect_revert(
        registry.AssetPriceStale, assetId=KNOWN_ASSETS["DOT"].id, updatedAt=updated, maxAge=DAY
    ):
        _propose(token, plan, index_compiler, _later(chain))


@pytest.mark.parametrize("fault", ["negative", "zero", "round_incomplete"])
def test_propose__feed_answer_refused__reverts(
    expect_revert, supplied, index_compiler, registry, project, deployer, chain, fault
):
    token = supplied
    eth = _feed(registry, project, "ETH")
    eth_id = KNOWN_ASSETS["ETH"].id
    if fault == "round_incomplete":
        eth.setAnsweredInRoundLag(1, sender=deployer)
        round_id = eth.latestRoundData()[0]
        error, inputs = registry.AssetPriceRoundIncomplete, {"answeredInRound": round_id - 1}
    else:
        eth.setAnswer(-1 if fault == "negative" else 0, sender=deployer)
        error, inputs = registry.AssetPriceInvalid, {"answer": -1 if fault == "negative" else 0}
    with expect_revert(error, assetId=eth_id, **inputs):
        _propose(token, _plan(token), index_compiler, _later(chain))


def test_propose__component_change_above_bound__reverts_with_no_asset_changed(
    expect_revert, supplied, index_compiler, deployer, chain
):
    """Every asset stays, so the bound on assets changed says nothing; 90% of BTC's value moving
    to ETH is a change of ~26% of the basket, above a 20% bound."""
    token = supplied
    token.setRebalanceBounds(_bounds(token, max_component_change_bps=2_000), sender=deployer)
    symbols = ("BTC", "ETH", "BNB", "SOL", "XRP", "ADA", "DOGE")
    weights = (0.029, 0.431, 0.11, 0.11, 0.11, 0.105, 0.105)
    plan = _plan(token, symbols=symbols, weights=weights)
    assert plan.changed == 0 and plan.max_change_bps > 2_000
    with expect_revert(
        token.RebalanceComponentChangeTooHigh,
        changeBps=plan.max_change_bps,
        maxChangeBps=2_000,
    ):
        _propose(token, plan, index_compiler, _later(chain))


def test_activate__after_window__reverts_and_anyone_cancels(
    expect_revert, supplied, index_compiler, stranger, post_report, chain
):
    token = supplied
    plan = _plan(token)
    when = _later(chain)
    proposal_id, _ = _propose(token, plan, index_compiler, when)
    deadline = when + 3 * DAY
    chain.mine(1, timestamp=deadline)
    _report_new_basket(post_report, plan)
    with chain.isolate():  # the last second of the window still activates
        _activate(token, plan, when, index_compiler, stranger)
    chain.mine(1, timestamp=deadline + 1)
    _report_new_basket(post_report, plan)
    with expect_revert(token.RebalanceLapsed, activationTime=when, deadline=deadline):
        _activate(token, plan, when, index_compiler, stranger)
    token.cancelRebalance(proposal_id, sender=stranger)  # lapsed: anyone clears it
    assert token.pendingRebalance() == (b"\x00" * 32, 0) and token.basketVersion() == 1


def test_cancel__before_lapse__stranger_refused(
    expect_revert, supplied, index_compiler, stranger, roles, chain
):
    token = supplied
    when = _later(chain)
    proposal_id, _ = _propose(token, _plan(token), index_compiler, when)
    chain.mine(1, timestamp=when + 3 * DAY)
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        token.cancelRebalance(proposal_id, sender=stranger)


def test_activate__proposer_lost_role__reverts(
    expect_revert, supplied, index_compiler, stranger, deployer, roles, post_report, chain
):
    token = supplied
    plan = _plan(token)
    when = _later(chain)
    _propose(token, plan, index_compiler, when)
    compiler_role = roles.indexRole(roles.INDEX_COMPILER_ROLE(), token)
    roles.revokeRole(compiler_role, index_compiler, sender=deployer)
    roles.grantRole(compiler_role, stranger, sender=deployer)  # a new compiler takes over
    chain.mine(1, timestamp=when)
    _report_new_basket(post_report, plan)
    with expect_revert(
        roles.AccessControlUnauthorizedAccount,
        account=index_compiler.address,
        neededRole=compiler_role,
    ):
        _activate(token, plan, when, index_compiler, stranger)
    assert token.basketVersion() == 1


def test_activate__components_revalidated(
    expect_revert, supplied, index_compiler, stranger, post_report, chain
):
    """An amount above 2^160 - 1 packs to the same bytes as the proposed one (BasketCodec keeps
    20 bytes), so only checking the components again tells the two apart."""
    token = supplied
    plan = _plan(token)
    when = _later(chain)
    _propose(token, plan, index_compiler, when)
    chain.mine(1, timestamp=when)
    _report_new_basket(post_report, plan)
    aliased = list(plan.components())
    asset, amount = aliased[0]
    aliased[0] = (asset, amount + 2**160)
    with expect_revert(token.BasketAmountTooLarge, assetId=asset, amount=amount + 2**160):
        _activate(token, plan, when, index_compiler, stranger, components=aliased)
    _activate(token, plan, when, index_compiler, stranger)
    assert token.basketVersion() == 2


def test_preview__feed_checked_like_the_proposal(expect_revert, supplied):
    token = supplied
    plan = _plan(token)
    prices = [(a, p * 2) for a, p in plan.price_tuples()]
    with expect_revert(token.RebalancePriceOutsideBand):
        token.previewRebalance(plan.components(), prices)


def test_feed_prices__converted_to_the_price_unit_rounding_down(registry, deployer, project):
    btc, eth = KNOWN_ASSETS["BTC"], KNOWN_ASSETS["ETH"]
    prices, local = registry.feedPrices([btc.id])
    assert list(prices) == [43_000 * 10**36 // 10**8] and list(local) == [False]
    # 20 feed decimals on an 18-decimal asset: floor(answer × 1e36 / 1e38) = floor(answer / 100)
    feed = project.TestPriceFeed.deploy(20, "ETH / USD (20)", 2_550 * 10**20 + 99, sender=deployer)
    receipt = registry.setPriceFeed(eth.id, feed, 60, sender=deployer)
    event = receipt.decode_logs(registry.PriceFeedSet)[0]
    assert (event.feed, event.maxAge, event.decimals) == (feed.address, 60, 20)
    assert list(registry.feedPrices([eth.id])[0]) == [2_550 * 10**18]
    assert registry.priceFeed(eth.id) == (feed.address, 60, 20)


def test_set_price_feed__refusals(expect_revert, registry, deployer, stranger, project, roles):
    btc = KNOWN_ASSETS["BTC"]
    feed = registry.priceFeed(btc.id)[0]
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        registry.setPriceFeed(btc.id, feed, DAY, sender=stranger)
    with expect_revert(registry.AssetPriceFeedInvalid, feed=feed, maxAge=0):
        registry.setPriceFeed(btc.id, feed, 0, sender=deployer)
    with expect_revert(registry.AssetPriceFeedInvalid, feed=stranger.address):
        registry.setPriceFeed(btc.id, stranger.address, DAY, sender=deployer)  # no code
    too_fine = project.TestPriceFeed.deploy(37, "37 decimals", 1, sender=deployer)
    with expect_revert(registry.AssetPriceFeedInvalid, feed=too_fine.address):
        registry.setPriceFeed(btc.id, too_fine, DAY, sender=deployer)
    unknown = Asset(chain="nowhere", identity="native", symbol="NOPE", decimals=8)
    with expect_revert(registry.AssetUnknown, assetId=unknown.id):
        registry.setPriceFeed(unknown.id, feed, DAY, sender=deployer)
    with expect_revert(registry.AssetUnknown, assetId=unknown.id):
        registry.feedPrices([unknown.id])
