"""`ape run deploy`: deploy (or resume deploying) the ssikit system on the connected network.

Local: `ape run deploy --network ethereum:local:foundry`. Live: `--network ethereum:sepolia:node
--account ALIAS` (an `ape accounts` alias; keys never on the command line or in files).
"""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand
from rich.console import Console

from ssikit.chain.accounts import resolve_sender
from ssikit.chain.deployments import DEFAULT_PATH
from ssikit.chain.protocol import Deployment
from ssikit.core.assets import MAG7_ASSETS


@click.command(cls=ConnectedProviderCommand)
@click.option("--account", "alias", default=None, help="ape account alias (live networks)")
@click.option(
    "--registry", type=click.Path(path_type=Path), default=DEFAULT_PATH, show_default=True
)
@click.option(
    "--admin", default=None, help="admin of the roles (timelock or Safe); default: deployer"
)
@click.option("--admin-delay", default=0, show_default=True, help="seconds for an admin transfer")
@click.option("--register-mag7/--no-register-mag7", default=True, help="register the 7 MAG7 assets")
def cli(alias, registry, admin, admin_delay, register_mag7):
    console = Console()
    sender = resolve_sender(alias)
    deployment = Deployment(sender, path=registry, log=console.log)
    system = deployment.system(admin=admin, admin_delay=admin_delay)
    if register_mag7:
        deployment.assets(system, MAG7_ASSETS)
    console.print(f"done: {len(deployment.actions)} action(s); registry {registry}")
