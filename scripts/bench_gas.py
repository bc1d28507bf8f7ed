"""`ape run bench_gas`: measure the key flows' gas and write snapshots/gas.json (budgets: the
data file snapshots/gas-budgets.json beside it)."""

import click
from ape import accounts
from ape.cli import ConnectedProviderCommand
from rich.console import Console
from rich.table import Table

from ssikit.bench.gas import load_budgets, measure, measure_issuance, over_budget, write_snapshot


@click.command(cls=ConnectedProviderCommand)
def cli() -> None:
    gas = {**measure(accounts.test_accounts), **measure_issuance(accounts.test_accounts)}
    write_snapshot(gas)
    budgets = load_budgets()
    table = Table(title="gas used (snapshots/gas.json)")
    for column in ("flow", "gas", "budget", "status"):
        table.add_column(column, justify="right" if column in ("gas", "budget") else "left")
    for name, used in sorted(gas.items()):
        entry = budgets.get(name)
        budget = f"{entry['budget']:,}" if entry else "-"
        table.add_row(name, f"{used:,}", budget, entry["status"] if entry else "-")
    Console().print(table)
    if over := over_budget(gas, budgets):
        Console().print(f"over budget: {over}")
    if enforced := over_budget(gas, budgets, enforced_only=True):
        raise click.ClickException(f"over an enforced budget: {enforced}")
