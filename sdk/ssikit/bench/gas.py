"""Measures the gas of the protocol's key flows on a local chain.

Used by ``make bench-gas`` (which writes the committed ``snapshots/gas.json``) and by the budget
test, which measures again and fails when a flow exceeds its budget or drifts from the snapshot.
Every figure is the ``gas_used`` of one real transaction on Anvil, set up so that it is
deterministic (fixed elapsed times, fresh accounts).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..builders.index import create_index_args
from ..chain.accounts import LocalRole as R
from ..chain.accounts import role_accounts
from ..chain.artifacts import container
from ..core.assets import MAG7_ASSETS
from ..core.units import INDEX_UNIT
from ..presets.indices import fixed_announcement, mag7_params

SNAPSHOT_PATH = Path("snapshots/gas.json")

BUDGETS_PATH = Path("snapshots/gas-budgets.json")


def load_budgets(path: Path = BUDGETS_PATH) -> dict[str, dict[str, Any]]:
    """flow -> {"budget": gas, "status": "enforced" | "over: <why>"} (the issues' upper bounds,
    kept as data beside the snapshot)."""
    return dict(json.loads(path.read_text()))


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

    deployer, compiler, fee_recipient, issuer, holder, receiver = role_accounts(
        accounts, R.DEPLOYER, R.INDEX_COMPILER, R.FEE_RECIPIENT, R.ISSUER, R.HOLDER, R.STRANGER
    )
    with tempfile.TemporaryDirectory() as tmp:
        deployment = Deployment(deployer, path=Path(tmp) / "deployments.json")
        protocol = deployment.system()
        deployment.assets(protocol, MAG7_ASSETS)
    roles, factory = protocol.roles, protocol.factory
    gas: dict[str, int] = {}
    params = mag7_params(compiler.address, fee_recipient.address)
    gas["create_index_7"] = factory.createIndex(create_index_args(params), sender=deployer).gas_used

    # The fee and transfer flows need tokens minted directly: a factory whose indices trust the
    # `issuer` account (the protocol's indices trust only the Issuer contract).
    factory = container("IndexFactory").deploy(
        roles, protocol.assets, protocol.versions, issuer, protocol.oracle, sender=deployer
    )
    roles.grantRole(roles.INDEX_FACTORY_ROLE(), factory, sender=deployer)
    receipt = factory.createIndex(create_index_args(params), sender=deployer)
    token_1d = _token_at(receipt.decode_logs(factory.IndexCreated)[0].index)

    second = params.model_copy(update={"symbol": "MAG7B.ssi"})
    receipt = factory.createIndex(create_index_args(second), sender=deployer)
    token_365d = _token_at(receipt.decode_logs(factory.IndexCreated)[0].index)

    checkpoints = []
    for token in (token_1d, token_365d):
        token.mint(holder, 1_000 * INDEX_UNIT, 0, 10**27, sender=issuer)
        checkpoints.append(_block_time(token.accrueFee(sender=holder)))

    chain.pending_timestamp = checkpoints[0] + DAY
    gas["fee_accrue_7_1day"] = token_1d.accrueFee(sender=holder).gas_used
    chain.pending_timestamp = checkpoints[1] + 365 * DAY
    gas["fee_accrue_7_365days"] = token_365d.accrueFee(sender=holder).gas_used

    gas["token_transfer"] = token_1d.transfer(receiver, INDEX_UNIT, sender=holder).gas_used
    return gas


FLOWS: dict[str, Callable[[IssuanceBench], int]] = {}
"""Issuance flows by name, in the order they run: each prepares what it needs on the shared
bench and returns the gas of the one transaction it measures."""


def flow(function: Callable[[IssuanceBench], int]) -> Callable[[IssuanceBench], int]:
    FLOWS[function.__name__] = function
    return function


@dataclass
class IssuanceBench:
    """Two 7-component off-chain indices sharing every asset (MAG7.ssi, MAG7B.ssi), one
    7-component on-chain index, one custodian and one active WLP."""

    protocol: Any
    offchain: Any
    sibling: Any
    onchain: Any
    custodian: Any
    wlp: Any
    compiler: Any
    deployer: Any
    first: dict[str, int]
    nonces: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**6)))
    refs: list[bytes] = field(default_factory=lambda: [bytes([i]) * 32 for i in range(1, 8)])

    def request(self, token: Any, amount: int, mint: bool = True) -> tuple[tuple[Any, ...], Any]:
        from ape import chain

        issuer = self.protocol.issuer
        deadline = _deadline(chain.blocks.head.timestamp + 20 * DAY)  # within MAX_REQUEST_TTL
        terms = (token, amount, token.basketVersion(), 50, next(self.nonces), deadline)
        call = issuer.requestMint if mint else issuer.requestRedeem
        receipt = call(*terms, sender=self.wlp)
        event = receipt.decode_logs(issuer.MintRequested if mint else issuer.RedeemRequested)
        return (
            self.wlp.address,
            *(t.address if i == 0 else t for i, t in enumerate(terms)),
            event[0].factor,
        ), receipt

    def report(self, token: Any, balance: int, assets: Any = None) -> Any:
        from ape import chain

        oracle = self.protocol.oracle
        sequence, last = oracle.lastReport(self.custodian)
        ids = sorted(a.id for a in (assets or MAG7_ASSETS))
        holdings = [(token.address, a, balance) for a in ids]
        as_of = max(int(chain.blocks.head.timestamp), int(last) + 1)
        chain.mine(1, timestamp=as_of)
        report = (
            self.custodian.address,
            sequence + 1,
            as_of,
            bytes([sequence % 255 + 1]) * 32,
            holdings,
        )
        return oracle.report(report, sender=self.custodian)

    def accept(self, pending: tuple[Any, ...]) -> tuple[tuple[int, int], Any]:
        issuer = self.protocol.issuer
        receipt = issuer.acceptRedeem(pending, sender=self.custodian)
        log = receipt.decode_logs(issuer.RedeemAccepted)[0]
        return (log.feeBps, log.factor), receipt


def measure_issuance(accounts: Any) -> dict[str, int]:
    """Every issuance flow (``FLOWS``) for 7-component baskets, off-chain and on-chain.

    Steady-state figures are the names without a suffix: an active WLP (its request slots and
    balance already written, one redemption done before), a custodian's second report.
    ``_first`` figures are the one-off costs of a WLP's first request, mint and redemption and a
    custodian's first report.
    """
    with deterministic_clock():
        bench = set_up_issuance(accounts)
        gas = dict(bench.first)
        for name, measure_flow in FLOWS.items():
            gas[name] = measure_flow(bench)
        return gas


def set_up_issuance(accounts: Any) -> IssuanceBench:
    from ape import chain

    from ..chain.protocol import Deployment, IssuanceSettings, configure_issuance
    from ..core.assets import Asset
    from ..core.basket import Basket, Component
    from ..core.units import PRECISION
    from ..presets.synthetic import synthetic_prices

    deployer, compiler, custodian, wlp, fee_recipient = role_accounts(
        accounts, R.DEPLOYER, R.INDEX_COMPILER, R.CUSTODIAN, R.WLP, R.FEE_RECIPIENT
    )
    with tempfile.TemporaryDirectory() as tmp:
        deployment = Deployment(deployer, path=Path(tmp) / "deployments.json")
        protocol = deployment.system()
        deployment.assets(protocol, MAG7_ASSETS)
        deployment.price_feeds(protocol, synthetic_prices())
        params = mag7_params(compiler.address, fee_recipient.address)
        offchain = deployment.index(protocol, params)
        sibling = deployment.index(protocol, params.model_copy(update={"symbol": "MAG7B.ssi"}))
        local_assets = []
        for i, decimals in enumerate((6, 8, 18, 18, 9, 12, 18)):
            token = container("TestToken").deploy(f"Bench{i}", f"B{i}", decimals, sender=deployer)
            token.mint(wlp, 10**12 * 10**decimals, sender=deployer)
            local_assets.append(Asset.local_token(chain.chain_id, token.address, f"B{i}", decimals))
        deployment.assets(protocol, local_assets)
        basket = Basket.of(
            Component(asset_id=a.id, amount=(i + 1) * 10**a.decimals * PRECISION)
            for i, a in enumerate(local_assets)
        )
        onchain = deployment.index(
            protocol, params.model_copy(update={"symbol": "ONCHAIN7", "basket": basket})
        )
        for token in (offchain, sibling, onchain):
            configure_issuance(
                deployment, protocol, token, IssuanceSettings(), [custodian.address], [wlp.address]
            )
    for asset in local_assets:
        container("TestToken").at(asset.token).approve(protocol.vault, 2**256 - 1, sender=wlp)
    bench = IssuanceBench(
        protocol, offchain, sibling, onchain, custodian, wlp, compiler, deployer, first={}
    )
    issuer, oracle = protocol.issuer, protocol.oracle
    bench.first["reserve_report_7_first"] = bench.report(offchain, 10**30).gas_used
    bench.report(sibling, 10**30)
    for token in (offchain, sibling, onchain):
        oracle.refreshCoverage(token, sender=custodian)  # what the custodian service does
    unit = 10**18
    for token, refs in ((offchain, bench.refs), (onchain, []), (sibling, bench.refs)):
        first, receipt = bench.request(token, unit)
        if token is offchain:
            bench.first["mint_request_7_first"] = receipt.gas_used
        receipt = issuer.confirmMint(first, refs, sender=custodian)
        if token is offchain:
            bench.first["mint_confirm_7_first"] = receipt.gas_used
        for _ in range(16):  # an active WLP: every request slot has been used before
            pending, _ = bench.request(token, unit)
            issuer.cancel(pending, True, sender=wlp)
    # The WLP's and the index's first redemption: one-off writes of the lock, the redeem
    # buckets and the fee recipient's share.
    pending, receipt = bench.request(offchain, unit // 2, mint=False)
    bench.first["redeem_request_7_first"] = receipt.gas_used
    settlement, receipt = bench.accept(pending)
    bench.first["redeem_accept_7_first"] = receipt.gas_used
    receipt = issuer.confirmRedeem(pending, settlement, bench.refs, sender=custodian)
    bench.first["redeem_confirm_7_first"] = receipt.gas_used
    return bench


UNIT = 10**18


def _deadline(at: int) -> int:
    """``at`` or a little later, with no zero byte: calldata costs 4 gas per zero byte and 16
    per other, so a deadline read off the clock would make the figures drift by 12 gas."""
    while any(b == 0 for b in at.to_bytes(4, "big")):
        at += 1
    return at


@flow
def reserve_report_7(bench: IssuanceBench) -> int:
    """A custodian's steady-state report of one index's 7 reserve accounts."""
    receipt = bench.report(bench.offchain, 10**30)
    RECEIPTS["reserve_report_7"] = receipt
    bench.protocol.oracle.refreshCoverage(bench.offchain, sender=bench.custodian)
    return int(receipt.gas_used)


@flow
def mint_request_7(bench: IssuanceBench) -> int:
    bench.pending_mint, receipt = bench.request(bench.offchain, UNIT)  # type: ignore[attr-defined]
    RECEIPTS["mint_request_7"] = receipt
    return int(receipt.gas_used)


@flow
def mint_confirm_7(bench: IssuanceBench) -> int:
    pending = bench.pending_mint  # type: ignore[attr-defined]
    receipt = bench.protocol.issuer.confirmMint(pending, bench.refs, sender=bench.custodian)
    RECEIPTS["mint_confirm_7"] = receipt
    return int(receipt.gas_used)


@flow
def mint_request_7_onchain(bench: IssuanceBench) -> int:
    bench.pending_onchain, receipt = bench.request(bench.onchain, UNIT)  # type: ignore[attr-defined]
    RECEIPTS["mint_request_7_onchain"] = receipt
    return int(receipt.gas_used)


@flow
def mint_confirm_7_onchain(bench: IssuanceBench) -> int:
    pending = bench.pending_onchain  # type: ignore[attr-defined]
    receipt = bench.protocol.issuer.confirmMint(pending, [], sender=bench.custodian)
    RECEIPTS["mint_confirm_7_onchain"] = receipt
    return int(receipt.gas_used)


@flow
def mint_confirm_7_uncached(bench: IssuanceBench) -> int:
    """A confirmation when the coverage cache is stale (a report lowered some reserves)."""
    bench.report(bench.offchain, 10**30 - 1)
    pending, _ = bench.request(bench.offchain, UNIT)
    return int(
        bench.protocol.issuer.confirmMint(pending, bench.refs, sender=bench.custodian).gas_used
    )


@flow
def redeem_request_7(bench: IssuanceBench) -> int:
    bench.pending_redeem, receipt = bench.request(  # type: ignore[attr-defined]
        bench.offchain, UNIT, mint=False
    )
    RECEIPTS["redeem_request_7"] = receipt
    return int(receipt.gas_used)


@flow
def redeem_accept_7(bench: IssuanceBench) -> int:
    bench.settlement, receipt = bench.accept(bench.pending_redeem)  # type: ignore[attr-defined]
    RECEIPTS["redeem_accept_7"] = receipt
    return int(receipt.gas_used)


@flow
def redeem_confirm_7(bench: IssuanceBench) -> int:
    receipt = bench.protocol.issuer.confirmRedeem(
        bench.pending_redeem,  # type: ignore[attr-defined]
        bench.settlement,  # type: ignore[attr-defined]
        bench.refs,
        sender=bench.custodian,
    )
    RECEIPTS["redeem_confirm_7"] = receipt
    return int(receipt.gas_used)


@flow
def rebalance_propose_7(bench: IssuanceBench) -> int:
    """MAG7 7 -> 7 with ADA and DOGE replaced by DOT and LTC, on an index with supply (its
    sibling index shares every asset)."""
    from decimal import Decimal

    from ape import chain

    from ..builders.rebalance import plan_rebalance
    from ..chain.asset_setup import set_up_asset
    from ..core.assets import KNOWN_ASSETS
    from ..core.basket import Basket, Component

    protocol, token = bench.protocol, bench.offchain
    usd = {"BTC": "43000", "ETH": "2550", "BNB": "310", "SOL": "95", "XRP": "0.57"}
    usd |= {"ADA": "0.52", "DOGE": "0.08", "DOT": "7.2", "LTC": "70"}
    for symbol in ("DOT", "LTC"):  # registered, a TestPriceFeed, reserve accounts of the index
        set_up_asset(
            protocol,
            KNOWN_ASSETS[symbol],
            price=Decimal(usd[symbol]),
            feed_max_age=DAY,
            index=token.address,
            custodians=[bench.custodian.address],
            reserve_max_age=DAY,
            sender=bench.deployer,
        )
    stored, _, units, version, _ = token.basketState()
    plan = plan_rebalance(
        fixed_announcement(reason="bench"),
        {k: Decimal(v) for k, v in usd.items()},
        Basket.of(Component(asset_id=bytes(a), amount=int(x)) for a, x in stored),
        int(units),
        int(version),
        {a.id: a for a in MAG7_ASSETS},
    )
    when = chain.blocks.head.timestamp + 3 * DAY
    commitment = bytes.fromhex(plan.commitment[2:])
    receipt = token.proposeRebalance(
        plan.components(),
        plan.price_tuples(),
        commitment,
        when,
        b"\x00" * 32,
        sender=bench.compiler,
    )
    bench.plan = (plan, commitment, when)  # type: ignore[attr-defined]
    RECEIPTS["rebalance_propose_7"] = receipt
    return int(receipt.gas_used)


@flow
def rebalance_activate_7(bench: IssuanceBench) -> int:
    from ape import chain

    from ..math import basket as bm

    plan, commitment, when = bench.plan  # type: ignore[attr-defined]
    chain.mine(1, timestamp=when)
    oracle, token = bench.protocol.oracle, bench.offchain
    sequence, _ = oracle.lastReport(bench.custodian)
    holdings = sorted(
        (token.address, bytes.fromhex(a[2:]), bm.liability(x, plan.backing_units) + 10**12)
        for a, x in plan.new_basket
    )
    as_of = chain.blocks.head.timestamp
    oracle.report(
        (bench.custodian.address, sequence + 1, as_of, b"\x04" * 32, holdings),
        sender=bench.custodian,
    )
    receipt = token.activateRebalance(
        plan.components(), commitment, when, bench.compiler.address, sender=bench.custodian
    )
    RECEIPTS["rebalance_activate_7"] = receipt
    return int(receipt.gas_used)


def _token_at(address: str) -> Any:
    return container("IndexToken").at(address)


def over_budget(
    gas: dict[str, int],
    budgets: dict[str, dict[str, Any]] | None = None,
    enforced_only: bool = False,
) -> dict[str, tuple[int, int]]:
    """Flows whose gas exceeds their budget: name -> (gas, budget); ``enforced_only`` leaves out
    the flows recorded as over (status "over: ...")."""
    budgets = load_budgets() if budgets is None else budgets
    return {
        k: (v, budgets[k]["budget"])
        for k, v in gas.items()
        if k in budgets
        and v > budgets[k]["budget"]
        and (not enforced_only or budgets[k]["status"] == "enforced")
    }


def load_snapshot(path: Path = SNAPSHOT_PATH) -> dict[str, int]:
    return dict(json.loads(path.read_text())) if path.exists() else {}


def write_snapshot(gas: dict[str, int], path: Path = SNAPSHOT_PATH) -> None:
    """Merges ``gas`` into the snapshot (keys sorted, one per line, for reviewable diffs)."""
    merged = {**load_snapshot(path), **gas}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(merged.items())), indent=2) + "\n")
