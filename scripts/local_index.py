"""`ape run local_index` (make local-index): MAG7.ssi on a local node for the walkthroughs
(test account 1 compiles, 2 is the custodian, 3 the WLP)."""

import click
from ape import accounts
from ape.cli import ConnectedProviderCommand

from ssikit.chain.deployments import DEFAULT_PATH
from ssikit.flows.local_index import setup_local_index


@click.command(cls=ConnectedProviderCommand)
def cli():
    done = setup_local_index(accounts.test_accounts, DEFAULT_PATH)
    click.echo(f"MAG7.ssi at {done['index']}; registry {DEFAULT_PATH}")
