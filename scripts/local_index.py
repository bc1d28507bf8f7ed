"""`ape run local_index` (make local-index): MAG7.ssi on a local node for the walkthroughs
(test account 1 compiles, 2 is the custodian, 3 the WLP)."""

import click
from ape import accounts
from ape.cli import ConnectedProviderCommand

from ssikit.chain.deployments import DEFAULT_PATH
from ssikit.core.errors import DeploymentError
from ssikit.flows.local_index import setup_local_index


@click.command(cls=ConnectedProviderCommand)
def cli():
    try:
        done = setup_local_index(accounts.test_accounts, DEFAULT_PATH)
    except DeploymentError as err:  # e.g. the demo's MAG7.ssi already on this node
        raise click.ClickException(
            f"{err} (run it on a fresh node, e.g. restart `make anvil` and remove deployments.json)"
        ) from err
    click.echo(f"MAG7.ssi at {done['index']}; registry {DEFAULT_PATH}")
