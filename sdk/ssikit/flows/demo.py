"""The demo's main job: deploy the system, create MAG7.ssi on a 7-asset basket, show it.

Later issues grow this into the full cycle (mint, arbitrage, fee month, rebalance, redeem).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ..chain.protocol import Deployment, IssuanceSettings, configure_issuance
from ..core.assets import MAG7_ASSETS
from ..core.units import PRECISION
from ..math.fees import annual_rate
from ..presets.indices import mag7_params
from ..presets.synthetic import SYNTHETIC_LABEL, synthetic_prices


def run_demo(accounts: Any, registry_path: Path, console: Console | None = None) -> dict[str, Any]:
    """Runs the demo on the connected (local) chain and returns what was deployed."""
    console = console or Console()
    deployer, compiler, custodian, wlp, fee_recipient = (accounts[i] for i in range(5))
    deployment = Deployment(deployer, path=registry_path, log=console.print)
    system = deployment.system()
    deployment.assets(system, MAG7_ASSETS)
    params = mag7_params(compiler.address, fee_recipient.address)
    token = deployment.index(system, params)
    configure_issuance(
        deployment, system, token, IssuanceSettings(), [custodian.address], [wlp.address]
    )

    contracts = Table(title="deployed contracts")
    contracts.add_column("contract")
    contracts.add_column("address")
    for name, item in (
        ("ProtocolRoles", system.roles),
        ("AssetRegistry", system.assets),
        ("IndexFactory", system.factory),
        ("CustodyVault", system.vault),
        ("ReserveOracle", system.oracle),
        ("Issuer", system.issuer),
        ("IndexToken implementation", system.factory.implementation()),
        (f"{params.symbol} (clone)", token),
    ):
        contracts.add_row(name, str(getattr(item, "address", item)))
    console.print(contracts)

    prices = synthetic_prices()
    basket = Table(
        title=f"{params.symbol} basket, version {token.basketVersion()} ({SYNTHETIC_LABEL})"
    )
    for column in ("asset", "chain", "amount per token", "USD per token"):
        basket.add_column(column, justify="left" if column in ("asset", "chain") else "right")
    total = Fraction(0)
    by_id = {a.id: a for a in MAG7_ASSETS}
    for asset_id, amount in token.basket():
        asset = by_id[bytes(asset_id)]
        whole = Fraction(amount, 10**asset.decimals * PRECISION)
        value = whole * prices[asset]
        total += value
        basket.add_row(asset.symbol, asset.chain, f"{float(whole):.10f}", f"{float(value):.4f}")
    basket.add_row("total", "", "", f"{float(total):.4f}")
    console.print(basket)
    fee, cap = annual_rate(token.feeRate()), annual_rate(token.maxFeeRate())
    console.print(f"management fee: {float(fee) * 100:.3f}% a year (cap {float(cap) * 100:.1f}%)")
    return {
        "contracts": {
            "ProtocolRoles": system.roles.address,
            "AssetRegistry": system.assets.address,
            "IndexFactory": system.factory.address,
            "CustodyVault": system.vault.address,
            "ReserveOracle": system.oracle.address,
            "Issuer": system.issuer.address,
        },
        "roles": {
            "index_compiler": compiler.address,
            "custodian": custodian.address,
            "wlp": wlp.address,
            "fee_recipient": fee_recipient.address,
        },
        "index": token.address,
        "nav_usd": float(total),
    }
