"""Measures the gas of the protocol's key flows on a local chain.

Used by ``make bench-gas`` (which writes the committed ``snapshots/gas.json``) and by the budget
test, which measures again and fails when a flow exceeds its budget or drifts from the snapshot.
Every figure is the ``gas_used`` of one real transaction on Anvil, set up so that it is
deterministic (fixed elapsed times, fresh accounts).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..builders.index import create_index_args
from ..core.assets import MAG7_ASSETS
from ..core.units import INDEX_UNIT
from ..presets.indices import mag7_params

SNAPSHOT_PATH = Path("snapshots/gas.json")

# Upper bounds from the issues (production SSI, WBTC and Set figures are in the README).
GAS_BUDGETS: dict[str, int] = {
    "create_index_7": 400_000,
    "fee_accrue_7_1day": 40_000,
    "fee_accrue_7_365days": 40_000,
    "token_transfer": 60_000,
    "mint_request_7": 60_000,
    "mint_confirm_7": 110_000,
    "redeem_request_7": 60_000,
    "redeem_confirm_7": 80_000,
    "reserve_report_7": 100_000,
    "rebalance_propose_7": 200_000,
    "rebalance_activate_7": 200_000,
}

DAY = 86_400
RECEIPTS: dict[str, Any] = {}
"""The receipts behind the last measurement, for inspecting a flow's trace."""


@contextmanager
def deterministic_clock() -> Iterator[None]:
    """Every block one second after the previous one, so every elapsed time a flow sees (and so
    the fee arithmetic's cost, which depends on it) is the same on every run."""
    from ape import chain

    chain.provider.make_request("anvil_setBlockTimestampInterval", [1])
    try:
        yield
    finally:
        chain.provider.make_request("anvil_removeBlockTimestampInterval", [])


def _block_time(receipt: Any) -> int:
    from ape import chain

    return int(chain.blocks[receipt.block_number].timestamp)


def measure(accounts: Any) -> dict[str, int]:
    """Runs every flow once on the connected local chain and returns name -> gas used."""
    with deterministic_clock():
        return _measure(accounts)


def _measure(accounts: Any) -> dict[str, int]:
    from ape import chain

    from ..chain.protocol import Deployment

    deployer, compiler, fee_recipient, issuer, holder, receiver = (accounts[i] for i in range(6))
    with tempfile.TemporaryDirectory() as tmp:
        deployment = Deployment(deployer, path=Path(tmp) / "deployments.json")
        protocol = deployment.system()
        deployment.assets(protocol, MAG7_ASSETS)
    from ape import project

    roles, factory = protocol.roles, protocol.factory
    gas: dict[str, int] = {}
    params = mag7_params(compiler.address, fee_recipient.address)
    gas["create_index_7"] = factory.createIndex(create_index_args(params), sender=deployer).gas_used

    # The fee and transfer flows need tokens minted directly: a factory whose indices trust the
    # `issuer` account (the protocol's indices trust only the Issuer contract).
    factory = project.IndexFactory.deploy(
        roles, protocol.assets, protocol.oracle, issuer, sender=deployer
    )
    roles.grantRole(roles.INDEX_FACTORY_ROLE(), factory, sender=deployer)
    receipt = factory.createIndex(create_index_args(params), sender=deployer)
    token_1d = _token_at(receipt.decode_logs(factory.IndexCreated)[0].index)

    second = params.model_copy(update={"symbol": "MAG7B.ssi"})
    receipt = factory.createIndex(create_index_args(second), sender=deployer)
    token_365d = _token_at(receipt.decode_logs(factory.IndexCreated)[0].index)

    checkpoints = []
    for token in (token_1d, token_365d):
        token.mint(holder, 1_000 * INDEX_UNIT, 0, sender=issuer)
        checkpoints.append(_block_time(token.accrueFee(sender=holder)))

    chain.pending_timestamp = checkpoints[0] + DAY
    gas["fee_accrue_7_1day"] = token_1d.accrueFee(sender=holder).gas_used
    chain.pending_timestamp = checkpoints[1] + 365 * DAY
    gas["fee_accrue_7_365days"] = token_365d.accrueFee(sender=holder).gas_used

    gas["token_transfer"] = token_1d.transfer(receiver, INDEX_UNIT, sender=holder).gas_used
    return gas


def measure_issuance(accounts: Any) -> dict[str, int]:
    """Mint, redeem and reserve-report flows for 7-component baskets, off-chain and on-chain.

    Steady-state figures are the names without a suffix: an active WLP (its request slots and
    balance already written), a custodian's second report, redeem fees already held. ``_first``
    figures are the one-off costs of a WLP's first requests and mint, a custodian's first report
    and the first redemption.
    """
    with deterministic_clock():
        return _measure_issuance(accounts)


def _measure_issuance(accounts: Any) -> dict[str, int]:
    from ape import chain, project

    from ..chain.protocol import Deployment, IssuanceSettings, configure_issuance
    from ..core.assets import Asset
    from ..core.basket import Basket, Component
    from ..core.units import PRECISION
    from ..presets.synthetic import synthetic_prices

    deployer, compiler, custodian, wlp, fee_recipient = (accounts[i] for i in range(5))
    gas: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        deployment = Deployment(deployer, path=Path(tmp) / "deployments.json")
        protocol = deployment.system()
        deployment.assets(protocol, MAG7_ASSETS)
        deployment.price_feeds(protocol, synthetic_prices())
        offchain = deployment.index(protocol, mag7_params(compiler.address, fee_recipient.address))
        local_assets = []
        for i, decimals in enumerate((6, 8, 18, 18, 9, 12, 18)):
            token = project.TestToken.deploy(f"Bench{i}", f"B{i}", decimals, sender=deployer)
            token.mint(wlp, 10**12 * 10**decimals, sender=deployer)
            local_assets.append(Asset.local_token(chain.chain_id, token.address, f"B{i}", decimals))
        deployment.assets(protocol, local_assets)
        basket = Basket.of(
            Component(asset_id=a.id, amount=(i + 1) * 10**a.decimals * PRECISION)
            for i, a in enumerate(local_assets)
        )
        onchain_params = mag7_params(compiler.address, fee_recipient.address).model_copy(
            update={"symbol": "ONCHAIN7", "basket": basket}
        )
        onchain = deployment.index(protocol, onchain_params)
        for token in (offchain, onchain):
            configure_issuance(
                deployment, protocol, token, IssuanceSettings(), [custodian.address], [wlp.address]
            )
    issuer, oracle = protocol.issuer, protocol.oracle
    for asset in local_assets:
        project.TestToken.at(asset.token).approve(issuer, 2**256 - 1, sender=wlp)

    balances = sorted((a.id, 10**30) for a in MAG7_ASSETS)
    report = (custodian.address, 1, chain.blocks.head.timestamp, b"\x01" * 32, balances)
    gas["reserve_report_7_first"] = oracle.report(report, sender=custodian).gas_used
    report = (custodian.address, 2, chain.blocks.head.timestamp, b"\x02" * 32, balances)
    RECEIPTS["reserve_report_7"] = oracle.report(report, sender=custodian)
    gas["reserve_report_7"] = RECEIPTS["reserve_report_7"].gas_used

    for token in (offchain, onchain):
        oracle.refreshCoverage(token, sender=custodian)  # what the custodian service does
    refs = [bytes([i]) * 32 for i in range(1, 8)]
    nonces = iter(range(1, 10**6))

    def request(token: Any, amount: int, mint: bool = True) -> tuple[tuple[Any, ...], Any]:
        terms = (token, amount, token.basketVersion(), 50, next(nonces), 2**39)
        call = issuer.requestMint if mint else issuer.requestRedeem
        return (wlp.address, *terms), call(*terms, sender=wlp)

    unit = 10**18
    for token, suffix in ((offchain, ""), (onchain, "_onchain")):
        first, receipt = request(token, unit)
        if not suffix:
            gas["mint_request_7_first"] = receipt.gas_used
        receipt = issuer.confirmMint(first, refs if not suffix else [], sender=custodian)
        if not suffix:
            gas["mint_confirm_7_first"] = receipt.gas_used
        for _ in range(16):  # an active WLP: every request slot has been used before
            pending, _ = request(token, unit)
            issuer.cancel(pending, True, sender=wlp)
        pending, receipt = request(token, unit)
        gas[f"mint_request_7{suffix}"] = receipt.gas_used
        RECEIPTS[f"mint_request_7{suffix}"] = receipt
        receipt = issuer.confirmMint(pending, refs if not suffix else [], sender=custodian)
        gas[f"mint_confirm_7{suffix}"] = receipt.gas_used
        RECEIPTS[f"mint_confirm_7{suffix}"] = receipt

    # The same confirmation when the coverage cache is stale (a report lowered some reserves).
    lowered = sorted((a.id, 10**30 - 1) for a in MAG7_ASSETS)
    report = (custodian.address, 3, chain.blocks.head.timestamp, b"\x03" * 32, lowered)
    oracle.report(report, sender=custodian)
    pending, _ = request(offchain, unit)
    gas["mint_confirm_7_uncached"] = issuer.confirmMint(pending, refs, sender=custodian).gas_used

    pending, receipt = request(offchain, unit, mint=False)
    gas["redeem_request_7_first"] = receipt.gas_used
    receipt = issuer.confirmRedeem(pending, refs, sender=custodian)
    gas["redeem_confirm_7_first"] = receipt.gas_used
    pending, receipt = request(offchain, unit, mint=False)
    gas["redeem_request_7"] = receipt.gas_used
    RECEIPTS["redeem_request_7"] = receipt
    RECEIPTS["redeem_confirm_7"] = issuer.confirmRedeem(pending, refs, sender=custodian)
    gas["redeem_confirm_7"] = RECEIPTS["redeem_confirm_7"].gas_used
    gas.update(_measure_rebalance(deployer, compiler, custodian, protocol, offchain, report[1]))
    return gas


def _measure_rebalance(
    deployer: Any, compiler: Any, custodian: Any, protocol: Any, token: Any, sequence: int
) -> dict[str, int]:
    """MAG7 7 -> 7 with ADA and DOGE replaced by DOT and LTC, on an index with supply; every
    asset has a TestPriceFeed (Chainlink's interface) at the declared price."""
    from decimal import Decimal

    from ape import chain, project

    from ..builders.rebalance import plan_rebalance
    from ..core.assets import KNOWN_ASSETS
    from ..core.basket import Basket, Component
    from ..math import basket as bm
    from ..presets.indices import fixed_announcement

    oracle = protocol.oracle
    for symbol in ("DOT", "LTC"):
        asset = KNOWN_ASSETS[symbol]
        protocol.assets.registerExternalAsset(
            asset.chain, asset.identity, asset.symbol, asset.decimals, sender=deployer
        )
        oracle.configureAsset(asset.id, DAY, sender=deployer)
        oracle.addCustodian(asset.id, custodian, sender=deployer)
        answer = {"DOT": 720_000_000, "LTC": 7_000_000_000}[symbol]  # {USD × 1e8}
        feed = project.TestPriceFeed.deploy(8, f"{symbol} / USD", answer, sender=deployer)
        protocol.assets.setPriceFeed(asset.id, feed, DAY, sender=deployer)
    announcement = fixed_announcement(reason="bench")
    usd = {"BTC": "43000", "ETH": "2550", "BNB": "310", "SOL": "95", "XRP": "0.57"}
    usd |= {"ADA": "0.52", "DOGE": "0.08", "DOT": "7.2", "LTC": "70"}
    stored, _, units, version, _ = token.basketState()
    plan = plan_rebalance(
        announcement,
        {k: Decimal(v) for k, v in usd.items()},
        Basket.of(Component(asset_id=bytes(a), amount=int(x)) for a, x in stored),
        int(units),
        int(version),
        {a.id: a for a in MAG7_ASSETS},
    )
    when = chain.blocks.head.timestamp + 3 * DAY
    commitment = bytes.fromhex(plan.commitment[2:])
    receipt = token.proposeRebalance(
        plan.components(), plan.price_tuples(), commitment, when, b"\x00" * 32, sender=compiler
    )
    gas = {"rebalance_propose_7": receipt.gas_used}
    RECEIPTS["rebalance_propose_7"] = receipt
    chain.mine(1, timestamp=when)
    balances = sorted(
        (bytes.fromhex(a[2:]), bm.liability(x, plan.backing_units) + 10**12)
        for a, x in plan.new_basket
    )
    report = (custodian.address, sequence + 1, chain.blocks.head.timestamp, b"\x04" * 32, balances)
    oracle.report(report, sender=custodian)
    receipt = token.activateRebalance(
        plan.components(), commitment, when, compiler.address, sender=custodian
    )
    gas["rebalance_activate_7"] = receipt.gas_used
    RECEIPTS["rebalance_activate_7"] = receipt
    return gas


def _token_at(address: str) -> Any:
    from ape import project

    return project.IndexToken.at(address)


def over_budget(gas: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Flows whose gas exceeds their budget: name -> (gas, budget)."""
    return {
        k: (v, GAS_BUDGETS[k]) for k, v in gas.items() if k in GAS_BUDGETS and v > GAS_BUDGETS[k]
    }


def load_snapshot(path: Path = SNAPSHOT_PATH) -> dict[str, int]:
    return dict(json.loads(path.read_text())) if path.exists() else {}


def write_snapshot(gas: dict[str, int], path: Path = SNAPSHOT_PATH) -> None:
    """Merges ``gas`` into the snapshot (keys sorted, one per line, for reviewable diffs)."""
    merged = {**load_snapshot(path), **gas}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(merged.items())), indent=2) + "\n")
