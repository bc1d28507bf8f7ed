"""`ape run bench_services`: the services' cost against the chain's history on Anvil, written to
benchmarks/services.json (see ssikit.bench.services)."""

import click
from ape import accounts
from ape.cli import ConnectedProviderCommand
from rich.console import Console

from ssikit.bench.services import OUTPUT, measure, write


@click.command(cls=ConnectedProviderCommand)
def cli() -> None:
    from ape.logging import logger

    logger.set_level("WARNING")  # one line per transaction otherwise
    result = measure(accounts.test_accounts)
    write(result)
    history, settlement = result["history"], result["settlement"]
    catch_up = result["indexer_catch_up"]
    console = Console()
    console.print(
        f"{history['short_blocks']:,} -> {history['long_blocks']:,} blocks: custodian tick "
        f"{history['tick_short']['seconds_median']} -> {history['tick_long']['seconds_median']} s "
        f"(x{history['tick_ratio']}), wlp status {history['wlp_status_short']['seconds_median']}"
        f" -> {history['wlp_status_long']['seconds_median']} s (x{history['wlp_status_ratio']}); "
        f"goal x{history['goal_ratio']}: {'met' if history['meets_goal'] else 'NOT met'}"
    )
    console.print(
        f"indexer catch-up: {catch_up['blocks_per_second']:,} blocks/s; settlement: "
        f"{settlement['settled']}/{settlement['pending']} in {settlement['seconds']} s "
        f"({settlement['per_minute']}/min)"
    )
    console.print(f"written to {OUTPUT}")
    if not history["meets_goal"]:
        raise click.ClickException(f"ratio over {history['goal_ratio']}")
