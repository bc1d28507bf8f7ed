"""What the participants' programs cost against the chain's history, on Anvil (issue 11's
benchmark; ``make bench-services`` writes ``benchmarks/services.json``).

One run, one chain:

1. **Short history.** A deployment (MAG7.ssi, a custodian, seven WLPs), three mints confirmed
   through the custodian service and two left awaiting delivery, padded to ``SHORT_HISTORY``
   blocks since the deployment began. Then the custodian service's steady-state tick (a block
   mined before each: the tick indexes it, finds the two pending mints, reports nothing) and
   ``ssikit wlp status`` (a new Protocol and event index each time, resuming from the cursor
   of the embedded database, as a new process would) are timed, ``REPEATS`` times each.
2. **Long history.** ``LONG_HISTORY`` more blocks (``anvil_mine``). The indexer's catch-up is
   timed into a fresh database (blocks per second); the service's first tick catches its own
   index up (timed, not counted as steady state); then the same two timings again. The ratio
   of the medians (long / short) must stay at or below ``RATIO_GOAL``.
3. **Throughput.** ``PENDING`` mints (fifteen per WLP, seven WLPs: each WLP has a ring of
   sixteen request slots), each delivered, settled by one service tick after another; requests
   settled per minute of wall-clock time. Blocks are one second apart here (as-of times of
   reports must increase, as on a real chain's clock).

Wall-clock figures go to the JSON file only; no test asserts them.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OUTPUT = Path("benchmarks/services.json")
SHORT_HISTORY = 100  # {blocks} since the deployment began, in the short phase
LONG_HISTORY = 50_000  # {blocks} mined on top of it
REPEATS = 15
PENDING = 100
PER_WLP = 15  # requests per WLP in the throughput phase (its ring has 16 slots)
RATIO_GOAL = 1.3
MAX_TICKS = 20  # throughput phase: ticks before giving up
MINE_CHUNK = 500  # {blocks} per anvil_mine: Anvil's cost per block grows with the chain's
# length (about 15 ms at 20,000 blocks on the shared machine), and Ape's RPC timeout is 30 s


def _timed(function: Callable[[], Any], repeats: int, before: Callable[[], Any]) -> list[float]:
    times = []
    for _ in range(repeats):
        before()
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def _figure(times: list[float]) -> dict[str, Any]:
    return {
        "seconds_median": round(statistics.median(times), 4),
        "seconds_min": round(min(times), 4),
        "seconds_runs": _rounded(times),
    }


def _progress(message: str) -> None:
    print(f"[bench-services] {message}", file=sys.stderr, flush=True)


def _rounded(times: list[float]) -> list[float]:
    return [round(t, 4) for t in times]


@dataclass
class Bench:
    registry: Path
    wallets: Path
    protocol: Any
    token: Any
    ids: dict[str, bytes]
    custodian: Any
    wlps: list[Any]
    start_block: int  # the deployment's first block

    def service(self) -> Any:
        from ..bots.custodian import CustodianService, WalletFileCustody
        from ..chain.issuance import CustodianClient

        return CustodianService(
            CustodianClient(self.protocol, self.custodian),
            WalletFileCustody(self.wallets),
            self.ids,
            ["MAG7.ssi"],
            log=lambda entry: None,
        )

    def deliver(self, tracked: Any) -> None:
        """The WLP delivers what this mint owes, recorded against its id."""
        from ..bots.custodian import WalletFileCustody
        from ..core.assets import MAG7_ASSETS
        from ..math import basket as bm

        symbols = {a.id: a.symbol for a in MAG7_ASSETS}
        custody = WalletFileCustody(self.wallets)
        for asset_id, amount in self.token.basketState()[0]:
            owed = bm.deposit_for(int(amount), tracked.request.factor, tracked.request.amount)
            custody.receive(tracked.id, "MAG7.ssi", symbols[bytes(asset_id)], owed)

    def wlp_status(self) -> list[dict[str, Any]]:
        """``ssikit wlp status --json`` in this process (a new Protocol and index each time)."""
        from click.testing import CliRunner

        from ..cli.main import cli

        args = ["wlp", "status", "--registry", str(self.registry), "--json"]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        if result.exit_code != 0:
            raise RuntimeError(f"wlp status failed: {result.output}")
        return list(json.loads(result.output))


def set_up(accounts: Any, directory: Path) -> Bench:
    from ape import chain

    from ..chain.protocol import Deployment, IssuanceSettings, configure_issuance
    from ..core.assets import MAG7_ASSETS
    from ..presets.indices import mag7_params
    from ..presets.synthetic import synthetic_prices

    deployer, compiler, custodian, fee_recipient = (accounts[i] for i in (0, 1, 2, 4))
    # Anvil funds ten accounts: the compiler and the fee recipient are WLPs here too.
    wlps = [accounts[i] for i in (3, 1, 4, 5, 6, 7, 8, 9)]
    start = int(chain.blocks.head.number) + 1
    registry = directory / "deployments.json"
    deployment = Deployment(deployer, path=registry)
    protocol = deployment.system()
    ids = deployment.assets(protocol, MAG7_ASSETS)
    deployment.price_feeds(protocol, synthetic_prices())
    token = deployment.index(protocol, mag7_params(compiler.address, fee_recipient.address))
    configure_issuance(
        deployment,
        protocol,
        token,
        IssuanceSettings(),
        [custodian.address],
        [w.address for w in wlps],
    )
    wallets = directory / "wallets.json"
    rows = [
        {"index": "MAG7.ssi", "asset": a.symbol, "address": f"{a.symbol.lower()}-cold"}
        | {"balance": 10**30}
        for a in MAG7_ASSETS
    ]
    wallets.write_text(json.dumps({"custodian": custodian.address, "wallets": rows}))
    return Bench(registry, wallets, protocol, token, ids, custodian, wlps, start)


def _settle(bench: Bench, service: Any, wanted: set[str]) -> tuple[int, int]:
    """Ticks until every id in ``wanted`` is confirmed; (confirmed, ticks)."""
    done: set[str] = set()
    ticks = 0
    while wanted - done and ticks < MAX_TICKS:
        ticks += 1
        done |= {c["id"] for c in service.tick()["confirmed"]} & wanted
    return len(done), ticks


def measure(accounts: Any) -> dict[str, Any]:
    from ape import chain

    from ..chain.indexed import open_indexer
    from ..chain.issuance import WlpClient
    from ..core.units import INDEX_UNIT

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        previous_home = os.environ.get("SSIKIT_HOME")
        os.environ["SSIKIT_HOME"] = str(directory / "home")  # never ~/.ssikit
        try:
            bench = set_up(accounts, directory)
            service = bench.service()
            wlp = WlpClient(bench.protocol, bench.wlps[0])

            def later() -> None:  # a report needs a later as-of time
                chain.mine(1, timestamp=int(chain.blocks.head.timestamp) + 2)

            later()
            service.tick()  # the first report
            for _ in range(3):
                minted = wlp.mint("MAG7.ssi", INDEX_UNIT)
                bench.deliver(minted)
                later()
                service.tick()
            for _ in range(2):
                wlp.mint("MAG7.ssi", INDEX_UNIT)  # awaiting delivery: each tick looks at them
            later()
            service.tick()  # reports the deliveries; from here on a tick changes nothing
            padding = bench.start_block + SHORT_HISTORY - int(chain.blocks.head.number)
            if padding > 0:
                chain.mine(padding)
            service.tick()

            def one_block() -> None:
                chain.mine(1)

            def tick() -> None:
                entry = service.tick()
                assert entry["reported"] is False and len(entry["waiting"]) == 2, entry

            _progress(f"short history: timing {REPEATS} ticks and wlp status runs")
            statuses = bench.wlp_status()
            short_blocks = int(chain.blocks.head.number) - bench.start_block + 1
            short_tick = _timed(tick, REPEATS, one_block)
            short_status = _timed(bench.wlp_status, REPEATS, one_block)

            for n in range(LONG_HISTORY // MINE_CHUNK):  # one anvil_mine each: within a timeout
                chain.mine(MINE_CHUNK)
                if (n + 1) * MINE_CHUNK % 5_000 == 0:
                    _progress(f"mined {(n + 1) * MINE_CHUNK:,} of {LONG_HISTORY:,} blocks")
            web3 = chain.provider.web3
            fresh = open_indexer(web3, bench.registry, f"sqlite:///{directory / 'catch-up.sqlite'}")
            started = time.perf_counter()
            caught = fresh.sync()
            catch_up_seconds = time.perf_counter() - started
            fresh.close()
            started = time.perf_counter()
            service.tick()  # catches the service's own index up; may report (staleness)
            first_tick = time.perf_counter() - started
            service.tick()
            bench.wlp_status()  # the same for the embedded index `wlp status` reads
            long_blocks = int(chain.blocks.head.number) - bench.start_block + 1
            _progress(f"long history ({long_blocks:,} blocks): timing again")
            long_tick = _timed(tick, REPEATS, one_block)
            long_status = _timed(bench.wlp_status, REPEATS, one_block)

            _progress(f"throughput: {PENDING} pending mints")
            throughput = _throughput(bench, service)
        finally:
            if previous_home is None:
                os.environ.pop("SSIKIT_HOME", None)
            else:
                os.environ["SSIKIT_HOME"] = previous_home

    tick_ratio = statistics.median(long_tick) / statistics.median(short_tick)
    status_ratio = statistics.median(long_status) / statistics.median(short_status)
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            # the machine is shared: the 1-minute load average after the runs, for context
            "load_average_1min": round(os.getloadavg()[0], 2),
        },
        "node": "Anvil (ape-foundry), automine",
        "history": {
            "what": "custodian service steady-state tick and `ssikit wlp status`, with short "
            "and long history since the deployment (one block mined before each run); the "
            "ratios are of the medians (and, for the shared machine's noise, of the minima)",
            "short_blocks": short_blocks,
            "long_blocks": long_blocks,
            "requests_listed": len(statuses),
            "pending_per_tick": 2,
            "tick_short": _figure(short_tick),
            "tick_long": _figure(long_tick),
            "tick_ratio": round(tick_ratio, 3),
            "tick_ratio_of_minima": round(min(long_tick) / min(short_tick), 3),
            "wlp_status_short": _figure(short_status),
            "wlp_status_long": _figure(long_status),
            "wlp_status_ratio": round(status_ratio, 3),
            "wlp_status_ratio_of_minima": round(min(long_status) / min(short_status), 3),
            "first_tick_after_long_history_seconds": round(first_tick, 3),
            "goal_ratio": RATIO_GOAL,
            "meets_goal": max(tick_ratio, status_ratio) <= RATIO_GOAL,
        },
        "indexer_catch_up": {
            "what": "Indexer.sync from the deployment block into a fresh SQLite database",
            "blocks": caught.blocks,
            "events": caught.events,
            "pages": caught.pages,
            "seconds": round(catch_up_seconds, 3),
            "blocks_per_second": round(caught.blocks / catch_up_seconds),
        },
        "settlement": throughput,
    }


def _throughput(bench: Bench, service: Any) -> dict[str, Any]:
    from ape import chain

    from ..chain.issuance import WlpClient
    from ..core.units import INDEX_UNIT

    wanted: set[str] = set()
    for n in range(PENDING):
        # wlps[0] keeps its two requests awaiting delivery: the others make these
        client = WlpClient(bench.protocol, bench.wlps[1 + n // PER_WLP])
        minted = client.mint("MAG7.ssi", INDEX_UNIT)
        bench.deliver(minted)
        wanted.add("0x" + minted.id.hex())
    chain.provider.make_request("anvil_setBlockTimestampInterval", [1])
    try:
        started = time.perf_counter()
        settled, ticks = _settle(bench, service, wanted)
        seconds = time.perf_counter() - started
    finally:
        chain.provider.make_request("anvil_removeBlockTimestampInterval", [])
    return {
        "what": f"{PENDING} pending mints, each delivered, settled by one custodian service "
        "(acknowledge, report, confirm per mint)",
        "pending": PENDING,
        "settled": settled,
        "ticks": ticks,
        "seconds": round(seconds, 2),
        "per_minute": round(settled / seconds * 60, 1),
    }


def write(result: dict[str, Any], path: Path = OUTPUT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")


def load(path: Path = OUTPUT) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))
