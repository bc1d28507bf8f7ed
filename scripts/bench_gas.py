"""`ape run bench_gas`: measure the key flows' gas and write snapshots/gas.json."""

import click
from ape import accounts
from ape.cli import ConnectedProviderCommand
from rich.console import Console
from rich.table import Table

from ssikit.bench.gas import (
    GAS_BUDGETS,
    measure,
    measure_issuance,
    over_budget,
    write_snapshot,
)


@click.command(cls=ConnectedProviderCommand)
def cli() -> None:
    gas = {**measure(accounts.test_accounts), **measure_issuance(accounts.test_accounts)}
    write_snapshot(gas)
    table = Table(title="gas used (snapshots/gas.json)")
    for column in ("flow", "gas", "budget"):
        table.add_column(column, justify="right" if column != "flow" else "left")
    for name, used in sorted(gas.items()):
        budget = f"{GAS_BUDGETS[name]:,}" if name in GAS_BUDGETS else "-"
        table.add_row(name, f"{used:,}", budget)
    Console().print(table)
    if over := over_budget(gas):
        raise click.ClickException(f"over budget: {over}")
