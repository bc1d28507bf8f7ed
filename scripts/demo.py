"""`ape run demo` (make demo): the whole protocol on a local Anvil chain; DATA=path uses a real
market table instead of the synthetic market. Exits 0 only if every step did what it should."""

import os
from pathlib import Path

import click
from ape import accounts
from ape.cli import ConnectedProviderCommand

from ssikit.chain.deployments import DEFAULT_PATH
from ssikit.core.errors import DeploymentError
from ssikit.flows.demo import run_demo


@click.command(cls=ConnectedProviderCommand)
@click.option("--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True)
def cli(out):
    data = None
    if os.environ.get("DATA"):
        from ssikit.methodology.data import load_market_data

        data = load_market_data(Path(os.environ["DATA"]))
    try:
        report = run_demo(accounts.test_accounts, registry_path=DEFAULT_PATH, out=out, data=data)
    except DeploymentError as err:  # e.g. the walkthrough's MAG7.ssi already on this node
        raise click.ClickException(
            f"{err} (the demo deploys its own indices: run it on a fresh node, e.g. restart "
            "`make anvil` and remove deployments.json)"
        ) from err
    click.echo(f"report: {out / 'demo-report.json'}; chart: {out / 'demo.png'}")
    if not report["ok"]:
        failed = [s["name"] for s in report["steps"] if not s["ok"]]
        raise click.ClickException(f"steps that did not do what they should: {failed}")
