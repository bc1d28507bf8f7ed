"""The participants' programs read the event index, not the chain's history: every request's
status as the services read it equals ``issuer.statusOf``; a new program resumes from the
cursor the database kept; a tick and ``wlp status`` never scan events with Ape and read only
the blocks since the last read; ``--db URL`` is the database they share; the embedded index is
rebuilt when it no longer fits, a given one is never touched."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from click.testing import CliRunner

from ssikit.bots.custodian import CustodianService, WalletFileCustody
from ssikit.chain.indexed import IndexedSource, embedded_url
from ssikit.chain.issuance import (
    STATUS,
    CustodianClient,
    WlpClient,
    pending_requests,
    requests_of,
)
from ssikit.chain.protocol import load_protocol
from ssikit.cli.main import cli
from ssikit.core.assets import MAG7_ASSETS
from ssikit.core.units import INDEX_UNIT
from ssikit.math import basket as bm

SYMBOLS = {a.id: a.symbol for a in MAG7_ASSETS}
REFS7 = [bytes([i]) * 32 for i in range(1, 8)]


@pytest.fixture
def served(serve_mag7):
    """MAG7.ssi with the custodian and WLP, reserves reported far above any mint here."""
    registry, _, system, ids, token, wallets = serve_mag7(balance=10**30)
    return registry, system, ids, token, wallets


def _service(system, custodian, wallets, ids):
    return CustodianService(
        CustodianClient(system, custodian),
        WalletFileCustody(wallets),
        ids,
        ["MAG7.ssi"],
        log=lambda entry: None,
    )


def _deliver(wallets, token, tracked):
    custody = WalletFileCustody(wallets)
    for asset_id, amount in token.basketState()[0]:
        owed = bm.deposit_for(int(amount), tracked.request.factor, tracked.request.amount)
        custody.receive(tracked.id, "MAG7.ssi", SYMBOLS[bytes(asset_id)], owed)


def _later(chain):
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)


def test_statuses__every_transition__equal_status_of_on_chain(served, custodian, wlp, chain):
    """Confirmed, cancelled, rejected, accepted and pending requests: the status every program
    reads (WLP, custodian service) is the issuer's ``statusOf``, request by request."""
    _, system, ids, token, wallets = served
    service = _service(system, custodian, wallets, ids)
    wlp_client, custodian_client = WlpClient(system, wlp), CustodianClient(system, custodian)
    _later(chain)
    service.tick()  # the first report
    confirmed = wlp_client.mint("MAG7.ssi", 3 * INDEX_UNIT)
    _deliver(wallets, token, confirmed)
    _later(chain)
    service.tick()
    cancelled = wlp_client.mint("MAG7.ssi", INDEX_UNIT)
    wlp_client.cancel("0x" + cancelled.id.hex())
    rejected = wlp_client.mint("MAG7.ssi", INDEX_UNIT)
    custodian_client.reject("0x" + rejected.id.hex(), 7)
    accepted = wlp_client.redeem("MAG7.ssi", INDEX_UNIT)
    custodian_client.accept("0x" + accepted.id.hex())
    pending = wlp_client.mint("MAG7.ssi", INDEX_UNIT)

    read = requests_of(system, wlp.address)

    assert [t.id for t in read] == [
        r.id for r in (confirmed, cancelled, rejected, accepted, pending)
    ]
    for tracked in read:
        on_chain = STATUS[int(system.issuer.statusOf(wlp, tracked.request.nonce))]
        assert tracked.status == on_chain, tracked.as_dict()
        assert tracked.issuer == system.issuer.address
    assert [t.status for t in read] == [
        "confirmed",
        "cancelled",
        "rejected",
        "redeem accepted",
        "mint pending",
    ]
    by_id = {t.id: t for t in read}
    assert by_id[accepted.id].settlement is not None and by_id[accepted.id].paid_for is not None
    assert [t.id for t in pending_requests(system, token.address)] == [accepted.id, pending.id]


def test_restart__new_program_resumes_from_the_cursor(served, chain, wlp):
    registry, *_ = served
    first = load_protocol(registry)
    WlpClient(first, wlp).mint("MAG7.ssi", INDEX_UNIT)
    assert len(requests_of(first, wlp.address)) == 1
    cursor = first.indexed().indexer.cursor
    assert cursor == chain.blocks.head.number
    chain.mine(5)

    restarted = load_protocol(registry)  # a new process: a new Protocol on the same file
    resumed = restarted.indexed().sync()

    assert restarted.indexed().url == first.indexed().url
    assert (resumed.start, resumed.cursor) == (cursor + 1, chain.blocks.head.number)
    assert resumed.blocks == 5
    assert len(requests_of(restarted, wlp.address)) == 1


@pytest.fixture
def no_event_scans(monkeypatch):
    """Ape's event range queries (the old block-0 scans, and Ape's search for a contract's
    creation block) fail the test if anything calls them."""
    from ape.contracts.base import ContractEvent

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an event range was scanned through Ape")

    monkeypatch.setattr(ContractEvent, "range", refuse)
    monkeypatch.setattr(ContractEvent, "query", refuse)


@pytest.fixture
def log_ranges(monkeypatch):
    """Every eth_getLogs range the programs' indexers read, in order."""
    ranges: list[tuple[int, int]] = []
    original = IndexedSource.sync

    def sync(self: IndexedSource) -> Any:
        result = original(self)
        ranges.extend(result.log_queries)
        return result

    monkeypatch.setattr(IndexedSource, "sync", sync)
    return ranges


def test_tick_and_status__read_only_new_blocks__no_event_scan(
    served, custodian, wlp, chain, no_event_scans, log_ranges
):
    registry, system, ids, _, wallets = served
    service = _service(system, custodian, wallets, ids)
    minted = WlpClient(system, wlp).mint("MAG7.ssi", INDEX_UNIT)
    _later(chain)
    service.tick()
    cursor = system.indexed().indexer.cursor
    chain.mine(3_000)  # more than a page of history since the last read
    log_ranges.clear()

    tick = service.tick()

    assert tick["waiting"] == [
        {"id": "0x" + minted.id.hex(), "kind": "mint", "outcome": "awaiting delivery"}
    ]
    assert log_ranges and min(lo for lo, _ in log_ranges) == cursor + 1
    assert max(hi for _, hi in log_ranges) == chain.blocks.head.number
    assert max(hi - lo + 1 for lo, hi in log_ranges) <= 2_000  # the indexer's page size

    log_ranges.clear()
    chain.mine(1)
    result = CliRunner().invoke(
        cli, ["wlp", "status", "--registry", str(registry), "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.output)] == ["0x" + minted.id.hex()]
    assert log_ranges == [(chain.blocks.head.number, chain.blocks.head.number)]


def test_db_url__programs_share_it_and_no_embedded_file(served, wlp, tmp_path, ssikit_home):
    registry, system, *_ = served
    WlpClient(system, wlp).mint("MAG7.ssi", INDEX_UNIT)  # the embedded index of `system`
    shared = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    embedded = list(ssikit_home.iterdir())

    status = CliRunner().invoke(
        cli, ["wlp", "status", "--registry", str(registry), "--db", shared, "--json"]
    )
    ran = CliRunner().invoke(
        cli, ["indexer", "status", "--registry", str(registry), "--db", shared, "--json"]
    )

    assert status.exit_code == 0, status.output
    assert [r["status"] for r in json.loads(status.output)] == ["mint pending"]
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.output)["requests"] == {"mint pending": 1}
    assert list(ssikit_home.iterdir()) == embedded  # no embedded file for the --db run


def test_db_url__unreachable__one_line(served):
    registry, *_ = served
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:1/index"

    result = CliRunner().invoke(cli, ["wlp", "status", "--registry", str(registry), "--db", url])

    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot reach the database")
    assert "secret" not in result.output


def _set_schema(url: str, schema: str) -> None:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE indexer_meta SET value = ? WHERE key = 'schema'", (schema,))


def test_embedded_index__another_schema__rebuilt(served, wlp, chain):
    registry, system, *_ = served
    WlpClient(system, wlp).mint("MAG7.ssi", INDEX_UNIT)
    url = embedded_url(chain.chain_id, system.issuer.address)
    assert system.indexed().url == url
    system.indexed().close()
    _set_schema(url, "1")  # as an older ssikit left it

    reopened = load_protocol(registry)

    assert [t.status for t in requests_of(reopened, wlp.address)] == ["mint pending"]


def test_given_db__another_schema__refused_not_rebuilt(served, wlp, tmp_path):
    registry, *_ = served
    shared = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    WlpClient(load_protocol(registry, shared), wlp).mint("MAG7.ssi", INDEX_UNIT)
    load_protocol(registry, shared).indexed().close()
    _set_schema(shared, "1")

    result = CliRunner().invoke(cli, ["wlp", "status", "--registry", str(registry), "--db", shared])

    assert result.exit_code == 1
    assert "has schema 1, this indexer writes 2: use a new database" in result.output
