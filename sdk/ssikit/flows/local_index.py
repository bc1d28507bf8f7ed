"""A local node ready for the participants' walkthroughs: the system, the seven MAG7 assets with
TestPriceFeeds at the synthetic snapshot's prices and MAG7.ssi on the snapshot basket ($100 a
token), with Anvil's test account 1 as index compiler, 2 as custodian and 3 as WLP. Idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..chain.accounts import LocalRole as R
from ..chain.accounts import role_accounts
from ..chain.protocol import Deployment, IssuanceSettings, configure_issuance
from ..core.assets import MAG7_ASSETS
from ..presets.indices import mag7_params
from ..presets.synthetic import synthetic_prices


def setup_local_index(accounts: Any, registry_path: Path, log: Any = print) -> dict[str, str]:
    deployer, compiler, custodian, wlp, fee_recipient = role_accounts(
        accounts, R.DEPLOYER, R.INDEX_COMPILER, R.CUSTODIAN, R.WLP, R.FEE_RECIPIENT
    )
    deployment = Deployment(deployer, path=registry_path, log=log)
    system = deployment.system()
    deployment.assets(system, MAG7_ASSETS)
    deployment.price_feeds(system, synthetic_prices())
    token = deployment.index(system, mag7_params(compiler.address, fee_recipient.address))
    configure_issuance(
        deployment, system, token, IssuanceSettings(), [custodian.address], [wlp.address]
    )
    return {"index": token.address, "issuer": system.issuer.address}
