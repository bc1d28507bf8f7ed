"""IndexToken rebalancing: propose, cancel, replace, activate; every refusal by its custom error."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ssikit.builders.rebalance import plan_rebalance
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
def new_assets(protocol, deployer, custodian, oracle):
    """DOT and LTC registered, configured in the oracle (1 day staleness), with the custodian."""
    for symbol in ("DOT", "LTC"):
        asset = KNOWN_ASSETS[symbol]
        protocol.assets.registerExternalAsset(
            asset.chain, asset.identity, asset.symbol, asset.decimals, sender=deployer
        )
        oracle.configureAsset(asset.id, DAY, sender=deployer)
        oracle.addCustodian(asset.id, custodian, sender=deployer)
    return [KNOWN_ASSETS["DOT"], KNOWN_ASSETS["LTC"]]


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
    )
    assert plan.changed == 2 and 0 < plan.turnover_bps < 10_000
    when = _later(chain)
    proposal_id, receipt = _propose(token, plan, index_compiler, when)
    assert token.pendingRebalance() == (proposal_id, when)
    event = receipt.decode_logs(token.RebalanceProposed)[0]
    assert "0x" + bytes(event.commitment).hex() == plan.commitment and event.fromVersion == 1

    components, commitment = plan.components(), bytes.fromhex(plan.commitment[2:])
    with expect_revert(token.RebalanceNotDue, activationTime=when):
        token.activateRebalance(components, commitment, when, sender=stranger)
    chain.mine(1, timestamp=when)
    with expect_revert(oracle.OracleReservesStale):  # DOT and LTC never reported
        token.activateRebalance(components, commitment, when, sender=stranger)
    assert token.basketVersion() == 1

    _report_new_basket(post_report, plan)
    receipt = token.activateRebalance(components, commitment, when, sender=stranger)
    activated = receipt.decode_logs(token.RebalanceActivated)[0]
    assert activated.version == 2 and "0x" + bytes(activated.commitment).hex() == plan.commitment
    assert unpack_basket(bytes(activated.oldBasket)) == [
        (bytes.fromhex(a[2:]), x) for a, x in plan.old_basket
    ]
    assert unpack_basket(bytes(activated.newBasket)) == plan.components()
    assert token.basketVersion() == 2 and token.pendingRebalance()[0] == b"\x00" * 32
    stored, *_ = token.basketState()
    assert [(bytes(a), int(x)) for a, x in stored] == components
    assert token.basketInfo() == (2, False, 7)
    with expect_revert(token.RebalanceNotPending):
        token.activateRebalance(components, commitment, when, sender=stranger)


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
        token.activateRebalance(
            plan.components(), bytes.fromhex(plan.commitment[2:]), when, sender=stranger
        )
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
        token.activateRebalance(tampered, bytes.fromhex(plan.commitment[2:]), when, sender=stranger)


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


def test_bounds__changes_and_turnover_enforced(
    expect_revert, supplied, index_compiler, deployer, stranger, chain
):
    token = supplied
    plan = _plan(token)
    with expect_revert(token.AccessControlUnauthorizedAccount, account=stranger.address):
        token.setRebalanceBounds(2 * DAY, 1, 0, sender=stranger)
    with expect_revert(token.RebalanceBoundsInvalid):
        token.setRebalanceBounds(60, 1, 0, sender=deployer)  # under an hour of notice
    token.setRebalanceBounds(2 * DAY, 1, 0, sender=deployer)
    assert token.rebalanceBounds() == (2 * DAY, 1, 0)
    with expect_revert(token.RebalanceTooManyChanges, changed=2, maxChanged=1):
        _propose(token, plan, index_compiler, _later(chain))
    token.setRebalanceBounds(2 * DAY, 2, plan.turnover_bps - 1, sender=deployer)
    with expect_revert(
        token.RebalanceTurnoverTooHigh,
        turnoverBps=plan.turnover_bps,
        maxTurnoverBps=plan.turnover_bps - 1,
    ):
        _propose(token, plan, index_compiler, _later(chain))
    token.setRebalanceBounds(2 * DAY, 2, plan.turnover_bps, sender=deployer)
    _propose(token, plan, index_compiler, _later(chain))


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
    token.activateRebalance(
        plan.components(), bytes.fromhex(plan.commitment[2:]), when, sender=stranger
    )
    with expect_revert(issuer_contract.IssuerBasketVersionMismatch, requested=1, current=2):
        issuer_contract.confirmMint(mint.as_abi(), REFS7, sender=custodian)
    with expect_revert(issuer_contract.IssuerBasketVersionMismatch):
        issuer_contract.confirmRedeem(redeem.as_abi(), REFS7, sender=custodian)
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
    btc = MAG7_ASSETS[0]
    basket = Basket.of(
        [
            Component(asset_id=local.id, amount=10**18 * PRECISION),
            Component(asset_id=btc.id, amount=10**5 * PRECISION),
        ]
    )
    token = create_index(symbol="LOCAL.ssi", basket=basket)
    components = sorted([(local.id, 2 * 10**18 * PRECISION), (btc.id, 10**5 * PRECISION // 2)])
    prices = sorted([(local.id, 10**18), (btc.id, 10**36)])  # worth the same at these prices
    with expect_revert(token.RebalanceLocalComponentChanged, assetId=local.id):
        _bad(token, index_compiler, components, prices, _later(chain))
