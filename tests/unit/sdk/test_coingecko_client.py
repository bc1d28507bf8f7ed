"""The CoinGecko client over real HTTP against a local server that replays recorded bodies
(tests/fixtures/coingecko): retries, rate limiting, the disk cache and failures. No network."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest

from ssikit.clients.coingecko import CoinGeckoClient, CoinGeckoError, RateLimiter

FIXTURES = Path(__file__).parents[2] / "fixtures" / "coingecko"


class Replay:
    """Scripted responses per path: a list of (status, body) served in order, the last one
    repeated; every request is logged."""

    def __init__(self) -> None:
        self.script: dict[str, list[tuple[int, str, dict[str, str]]]] = {}
        self.log: list[tuple[str, dict[str, str]]] = []

    def serve(self, path: str, *responses: tuple[int, str] | tuple[int, str, dict[str, str]]):
        self.script[path] = [(r[0], r[1], r[2] if len(r) > 2 else {}) for r in responses]


@pytest.fixture
def replay() -> Iterator[tuple[Replay, str]]:
    state = Replay()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            state.log.append((url.path, {k: v for k, v in self.headers.items()}))
            queue = state.script.get(url.path, [(404, '{"error":"coin not found"}', {})])
            status, body, headers = queue.pop(0) if len(queue) > 1 else queue[0]
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/api/v3"
    finally:
        server.shutdown()


def _body(name: str) -> str:
    return (FIXTURES / name).read_text()


def _client(url: str, tmp_path: Path | None, **options) -> CoinGeckoClient:
    options.setdefault("min_interval", 0)
    options.setdefault("backoff", 0)
    return CoinGeckoClient(url, cache_dir=tmp_path, api_key="", **options)


CHART = "/api/v3/coins/{}/market_chart/range"


def test_fetch__canonical_daily_rows_from_recorded_bodies(replay, tmp_path):
    server, url = replay
    server.serve("/api/v3/coins/list", (200, _body("coins_list.json")))
    server.serve(CHART.format("bitcoin"), (200, _body("bitcoin_market_chart_range.json")))
    server.serve(CHART.format("ethereum"), (200, _body("ethereum_market_chart_range.json")))
    frame = _client(url, tmp_path).fetch(
        ["bitcoin", "ethereum"], date(2024, 1, 1), date(2024, 1, 5)
    )
    assert len(frame) == 10 and set(frame["symbol"]) == {"BTC", "ETH"}
    btc = frame[frame["asset_id"] == "bitcoin"].set_index("date")
    # The intraday point CoinGecko appends is not a second row for Jan 5: the day's first wins.
    assert btc["price"].iloc[-1] == pytest.approx(44179.92)
    assert btc.index[0].isoformat() == "2024-01-01T00:00:00+00:00"
    assert (frame["date"] == frame["date"].dt.normalize()).all()


def test_market_chart__range_parameters_are_whole_utc_days(replay, tmp_path):
    server, url = replay
    server.serve(CHART.format("bitcoin"), (200, _body("bitcoin_market_chart_range.json")))
    requests_seen = []
    client = _client(url, None)
    original = client.session.get

    def spy(*args, **kwargs):
        requests_seen.append(kwargs["params"])
        return original(*args, **kwargs)

    client.session.get = spy  # type: ignore[method-assign]
    client.market_chart("bitcoin", date(2024, 1, 1), date(2024, 1, 5))
    assert requests_seen == [{"from": 1704067200, "to": 1704499199, "vs_currency": "usd"}]


def test_retries__429_with_retry_after_then_success(replay, tmp_path):
    server, url = replay
    server.serve(
        CHART.format("bitcoin"),
        (429, '{"status":{"error_code":429}}', {"Retry-After": "0"}),
        (503, "unavailable"),
        (200, _body("bitcoin_market_chart_range.json")),
    )
    chart = _client(url, tmp_path).market_chart("bitcoin", date(2024, 1, 1), date(2024, 1, 5))
    assert len(chart["prices"]) == 6
    assert [p for p, _ in server.log] == [CHART.format("bitcoin")] * 3


def test_retries__gives_up_with_a_named_error(replay, tmp_path):
    server, url = replay
    server.serve(CHART.format("bitcoin"), (500, "boom"))
    with pytest.raises(CoinGeckoError, match=r"HTTP 500"):
        _client(url, tmp_path, retries=2).market_chart(
            "bitcoin", date(2024, 1, 1), date(2024, 1, 5)
        )
    assert len(server.log) == 3  # the first try and two retries
    assert not any(tmp_path.rglob("*.json"))  # failures are never cached


def test_unknown_coin__not_retried_and_named(replay, tmp_path):
    server, url = replay
    with pytest.raises(CoinGeckoError, match="HTTP 404") as err:
        _client(url, tmp_path).market_chart("no-such-coin", date(2024, 1, 1), date(2024, 1, 5))
    assert "/coins/no-such-coin/" in err.value.path and len(server.log) == 1


def test_cache__a_second_fetch_sends_nothing(replay, tmp_path):
    server, url = replay
    server.serve(CHART.format("ethereum"), (200, _body("ethereum_market_chart_range.json")))
    first = _client(url, tmp_path).fetch(
        ["ethereum"], date(2024, 1, 1), date(2024, 1, 5), symbols={"ethereum": "ETH"}
    )
    again_client = _client(url, tmp_path)
    again = again_client.fetch(
        ["ethereum"], date(2024, 1, 1), date(2024, 1, 5), symbols={"ethereum": "ETH"}
    )
    assert first.equals(again) and len(server.log) == 1 and again_client.requests_sent == 0
    cached = list(tmp_path.rglob("*.json"))
    assert len(cached) == 1 and json.loads(cached[0].read_text())["prices"][0][1] == 2281.47


def test_api_key__sent_as_header_never_cached(replay, tmp_path):
    server, url = replay
    server.serve(CHART.format("bitcoin"), (200, _body("bitcoin_market_chart_range.json")))
    client = CoinGeckoClient(url, api_key="demo-key", cache_dir=tmp_path, min_interval=0)
    client.market_chart("bitcoin", date(2024, 1, 1), date(2024, 1, 5))
    assert server.log[0][1].get("x-cg-pro-api-key") == "demo-key"
    assert all("demo-key" not in p.read_text() for p in tmp_path.rglob("*.json"))


def test_rate_limiter__spaces_requests():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(2.5, clock=lambda: now[0], sleep=sleep)
    limiter.wait()  # first call: no wait
    now[0] += 1.0
    limiter.wait()  # 1 s later: waits the remaining 1.5 s
    now[0] += 3.0
    limiter.wait()  # 3 s later: no wait
    assert slept == [pytest.approx(1.5)]


def test_cli_data_fetch__writes_the_table(replay, tmp_path):
    from click.testing import CliRunner

    from ssikit.cli.main import cli

    server, url = replay
    server.serve("/api/v3/coins/list", (200, _body("coins_list.json")))
    server.serve(CHART.format("bitcoin"), (200, _body("bitcoin_market_chart_range.json")))
    out = tmp_path / "btc.parquet"
    result = CliRunner().invoke(
        cli,
        [
            "data",
            "fetch",
            "--coins",
            "bitcoin",
            "--start",
            "2024-01-01",
            "--end",
            "2024-01-05",
            "--base-url",
            url,
            "--cache-dir",
            str(tmp_path / "cache"),
            "--min-interval",
            "0",
            "-o",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["rows"] == 5 and summary["assets"] == 1 and out.exists()
