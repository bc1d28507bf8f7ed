"""`ape run demo` (make demo): the protocol's main job on a local Anvil chain."""

import json
from pathlib import Path

import click
from ape import accounts
from ape.cli import ConnectedProviderCommand

from ssikit.chain.deployments import DEFAULT_PATH
from ssikit.flows.demo import run_demo


@click.command(cls=ConnectedProviderCommand)
@click.option("--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True)
def cli(out):
    out.mkdir(parents=True, exist_ok=True)
    report = run_demo(accounts.test_accounts, registry_path=DEFAULT_PATH)
    (out / "demo-report.json").write_text(json.dumps(report, indent=2) + "\n")
