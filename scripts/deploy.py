"""`ape run deploy`: deploy (or resume deploying) the ssikit system on the connected network.

Local: `ape run deploy --network ethereum:local:foundry`. Live: `--network ethereum:sepolia:node
--account ALIAS` (an `ape accounts` alias; keys never on the command line or in files).
"""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand
from rich.console import Console

from ssikit.chain.accounts import AccountError, resolve_sender
from ssikit.chain.deployments import DEFAULT_PATH
from ssikit.chain.protocol import Deployment
from ssikit.core.assets import MAG7_ASSETS
from ssikit.core.errors import DeploymentError


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
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="deployment config (roles, indices, admin hand-off): see examples/deploy-config.yaml",
)
@click.option("--dry-run", is_flag=True, help="run the plan on a throwaway chain, print its gas")
@click.option("--yes", is_flag=True, help="do not ask for confirmation on a live network")
def cli(alias, registry, admin, admin_delay, register_mag7, config_path, dry_run, yes):
    from ape import chain

    from ssikit.chain.accounts import is_local_network
    from ssikit.chain.deploy_config import DeployConfig, deploy, rehearse

    console = Console()
    try:
        sender = resolve_sender(alias)
    except AccountError as err:
        raise click.UsageError(str(err)) from err
    if config_path is not None:
        try:
            config = DeployConfig.load(config_path)
        except DeploymentError as err:  # one line naming the field and why
            raise click.ClickException(str(err)) from err

        def run(deployment: Deployment) -> None:
            deploy(deployment, config)

    else:  # the bare system (and MAG7's assets), no index

        def run(deployment: Deployment) -> None:
            system = deployment.system(admin=admin, admin_delay=admin_delay)
            if register_mag7:
                deployment.assets(system, MAG7_ASSETS)

    if dry_run:  # with or without a config: nothing is kept
        try:
            plan = rehearse(sender, registry, run)
        except DeploymentError as err:
            raise click.ClickException(str(err)) from err
        for action in plan["actions"]:
            console.print(f"  {action}")
        console.print(
            f"dry run: {plan['transactions']} transaction(s), {plan['gas']:,} gas; nothing was kept"
        )
        return
    if not is_local_network() and not yes:
        click.confirm(
            f"deploy to {chain.provider.network.name} (chain {chain.chain_id}) "
            f"from {sender.address}?",
            abort=True,
        )
    deployment = Deployment(sender, path=registry, log=console.log)
    run(deployment)
    console.print(f"done: {len(deployment.actions)} action(s); registry {registry}")
