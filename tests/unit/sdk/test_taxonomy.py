"""Sectors from the vendor taxonomy: the CoinGecko client's category endpoints over real HTTP
(recorded responses, tests/fixtures/coingecko/taxonomy), the mapping and its rule for assets in
several categories, the overrides, snapshots and their diff, the CLI, and the commitment."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from ssikit.builders.rebalance import plan_rebalance
from ssikit.cli.main import cli
from ssikit.clients.coingecko import CoinGeckoClient, CoinGeckoError
from ssikit.core.assets import MAG7_ASSETS
from ssikit.methodology.sectors import ClassificationRecord
from ssikit.methodology.taxonomy import (
    Classifier,
    TaxonomyError,
    TaxonomyStore,
    diff,
    fetch_taxonomy,
    load_mapping,
    load_overrides,
)
from ssikit.presets.indices import fixed_announcement

FIXTURES = Path(__file__).parents[2] / "fixtures" / "coingecko"
NOVEMBER, DECEMBER = FIXTURES / "taxonomy" / "2024-11-27", FIXTURES / "taxonomy" / "2024-12-27"


def _replay_module():
    spec = importlib.util.spec_from_file_location("replay", FIXTURES / "replay.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


replay = _replay_module()


@pytest.fixture
def serve():
    servers = []

    def start(folder: Path):
        httpd, url, log = replay.serve_in_background(folder)
        servers.append(httpd)
        return url, log

    yield start
    for httpd in servers:
        httpd.shutdown()


def _client(url: str) -> CoinGeckoClient:
    return CoinGeckoClient(url, cache_dir=None, api_key="", min_interval=0, backoff=0)


def _snapshot(serve, folder: Path, day: int):
    url, _ = serve(folder)
    return fetch_taxonomy(_client(url), now=datetime(2024, 11 + (day > 27), 27, tzinfo=UTC))


# ---------------------------------------------------------------- the client


def test_client__categories_and_members_over_http(serve, tmp_path):
    url, log = serve(DECEMBER)
    client = CoinGeckoClient(url, cache_dir=tmp_path, api_key="", min_interval=0)
    categories = {c.category_id: c.name for c in client.categories()}
    assert categories["meme-token"] == "Meme" and len(categories) == 41
    memes = client.category_members("meme-token")
    assert [m.id for m in memes[:2]] == ["dogecoin", "shiba-inu"]  # largest first
    assert memes[0].symbol == "doge" and memes[0].market_cap_rank == 6
    assert log[-1] == (
        "/api/v3/coins/markets?category=meme-token&order=market_cap_desc&page=1&per_page=250"
        "&vs_currency=usd"
    )
    client.categories()
    assert client.requests_sent == 3  # the taxonomy is never served from the cache
    assert not list(tmp_path.iterdir())


def test_client__members_page_until_a_short_page(serve, tmp_path):
    item = {"id": "a", "symbol": "a", "name": "A"}
    for page, count in ((1, 2), (2, 2), (3, 1)):
        body = [dict(item, id=f"c{page}{k}") for k in range(count)]
        (tmp_path / f"coins_markets_category=x_page={page}.json").write_text(json.dumps(body))
    url, log = serve(tmp_path)
    members = _client(url).category_members("x", per_page=2)
    assert [m.id for m in members] == ["c10", "c11", "c20", "c21", "c30"] and len(log) == 3
    assert len(_client(url).category_members("x", per_page=2, max_pages=2)) == 4


def test_client__malformed_listing__named_error(serve, tmp_path):
    (tmp_path / "coins_markets_category=x_page=1.json").write_text('[{"id": "a", "name": "A"}]')
    (tmp_path / "coins_categories_list.json").write_text('{"error": "oops"}')
    url, _ = serve(tmp_path)
    with pytest.raises(CoinGeckoError, match=r"unexpected item \(0.symbol: Field required\)"):
        _client(url).category_members("x")
    with pytest.raises(CoinGeckoError, match="expected a JSON list"):
        _client(url).categories()


# ---------------------------------------------------------------- mapping and overrides


def test_mapping__assets_in_several_categories_take_the_first_sector_of_the_precedence():
    mapping = load_mapping()
    assert mapping.decide(["layer-1", "meme-token", "dog-themed-coins"]) == (
        "Meme",
        ["dog-themed-coins", "meme-token"],
    )
    assert mapping.decide(["exchange-based-tokens", "layer-1"])[0] == "CeFi"
    assert mapping.decide(["layer-1", "decentralized-finance-defi", "perpetuals"])[0] == "DeFi"
    assert mapping.decide(["layer-2", "decentralized-finance-defi"])[0] == "Layer2"
    assert mapping.decide(["solana-ecosystem"]) == (None, [])  # not mapped: no sector


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("version: '1'\nvendor: x\nprecedence: [Meme]\nsectors: {}\n", "each of the 12"),
        (
            "version: '1'\nvendor: x\nprecedence: [Meme, AI, GameFi, NFT, SocialFi, DePIN, RWA,"
            " Payment, CeFi, Layer2, DeFi, Layer1]\nsectors: {Meme: [a], AI: [a]}\n",
            "category 'a' is mapped to Meme and AI",
        ),
        (
            "version: '1'\nvendor: x\nprecedence: [Meme, AI, GameFi, NFT, SocialFi, DePIN, RWA,"
            " Payment, CeFi, Layer2, DeFi, Layer1]\nsectors: {Metaverse: [a]}\n",
            "unknown sector 'Metaverse'",
        ),
    ],
)
def test_mapping__bad_file__named_error(tmp_path, text, reason):
    path = tmp_path / "mapping.yaml"
    path.write_text(text)
    with pytest.raises(TaxonomyError, match=reason) as caught:
        load_mapping(path)
    assert caught.value.file == str(path)


def test_overrides__decide_first_with_a_reason_and_a_hash(tmp_path):
    project = load_overrides()
    assert project.entries["near"].sector == "Layer1" and project.entries["near"].reason
    path = tmp_path / "overrides.yaml"
    path.write_text("dogecoin: {sector: null, reason: not a meme to us}\n")
    mine = load_overrides(path)
    assert mine.sha256 != project.sha256
    classifier = Classifier(overrides=mine)
    assert classifier.decide("dogecoin", "DOGE").source == "override"
    assert classifier.sector_of("dogecoin", "DOGE") is None
    assert classifier.decide("shiba-inu", "SHIB").source == "baseline"
    assert classifier.decide("no-such-coin", "ZZZ").source == "none"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("near: {sector: Layer1}\n", "near.reason: Field required"),
        ("near: {sector: Metaverse, reason: x}\n", "unknown sector 'Metaverse'"),
        ("near: {sector: Layer1, reason: ''}\n", "near.reason"),
        ("- near\n", "expected a mapping"),
    ],
)
def test_overrides__bad_file__named_error(tmp_path, text, reason):
    path = tmp_path / "overrides.yaml"
    path.write_text(text)
    with pytest.raises(TaxonomyError, match=reason):
        load_overrides(path)


# ---------------------------------------------------------------- snapshots and the diff


def test_snapshot__mapped_categories_members_and_what_the_vendor_no_longer_offers(serve, tmp_path):
    snapshot = _snapshot(serve, DECEMBER, 27 + 1)
    assert snapshot.not_offered == [] and len(snapshot.categories) == 38
    assert "solana-ecosystem" not in snapshot.categories  # offered but not mapped: not fetched
    assert snapshot.categories_by_asset["hyperliquid"][:2] == [
        "decentralized-exchange",
        "decentralized-finance-defi",
    ]
    assert snapshot.symbols["hyperliquid"] == "HYPE"
    assert snapshot.id.startswith("coingecko-2024-12-27T000000Z-")
    classifier = Classifier(snapshot=snapshot)
    assert classifier.decide("dogecoin", "DOGE").sector == "Meme"  # meme-token beats layer-1
    assert classifier.decide("near", "NEAR").source == "override"
    assert classifier.decide("terra-luna", "LUNA").source == "baseline"  # gone from the vendor
    reduced = tmp_path / "categories"
    reduced.mkdir()
    (reduced / "coins_categories_list.json").write_text(
        '[{"category_id": "meme-token", "name": "Meme"}]'
    )
    (reduced / "coins_markets_category=meme-token_page=1.json").write_text("[]")
    thin = _snapshot(serve, reduced, 27)
    assert "layer-1" in thin.not_offered and list(thin.categories) == ["meme-token"]


def test_diff__november_to_december__every_sector_change_with_its_reason(serve):
    november, december = _snapshot(serve, NOVEMBER, 27), _snapshot(serve, DECEMBER, 28)
    changes = {
        c.asset_id: c for c in diff(Classifier(snapshot=november), Classifier(snapshot=december))
    }
    assert set(changes) == {"ai16z", "near", "ondo-finance", "render-token", "virtual-protocol"}
    assert (changes["ondo-finance"].before, changes["ondo-finance"].after) == ("DeFi", "RWA")
    assert changes["ondo-finance"].why == "joined real-world-assets-rwa"
    assert (changes["virtual-protocol"].before, changes["virtual-protocol"].after) == ("AI", "Meme")
    assert (changes["render-token"].before, changes["render-token"].after) == ("AI", "DePIN")
    assert changes["render-token"].why == "left artificial-intelligence"
    assert (changes["ai16z"].before, changes["ai16z"].after) == (None, "AI")
    held = changes["near"]
    assert held.before == held.after == "Layer1" and held.source == "override"
    assert held.why.startswith("taxonomy now says AI; held by override")
    assert diff(Classifier(snapshot=december), Classifier(snapshot=december)) == []


def test_store__latest_previous_by_id_and_unknown(serve, tmp_path):
    store = TaxonomyStore(tmp_path / "store")
    with pytest.raises(TaxonomyError, match="no latest snapshot"):
        store.load("latest")
    november, december = _snapshot(serve, NOVEMBER, 27), _snapshot(serve, DECEMBER, 28)
    store.save(december)
    path = store.save(november)
    assert store.load("latest") == december and store.load("previous") == november
    assert store.load(november.id) == november and store.load(str(path)) == november
    with pytest.raises(TaxonomyError, match=f"known: {november.id}, {december.id}"):
        store.load("coingecko-nope")


# ---------------------------------------------------------------- CLI and announcements


def _fetch(serve, folder: Path, store: Path) -> dict:
    url, _ = serve(folder)
    args = ["data", "sectors", "fetch", "--base-url", url, "--store", str(store)]
    result = CliRunner().invoke(cli, [*args, "--min-interval", "0", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_cli_sectors__fetch_twice_then_diff_and_show(serve, tmp_path):
    store = tmp_path / "store"
    first = _fetch(serve, NOVEMBER, store)
    assert first["previous"] is None and first["changes"] == []
    second = _fetch(serve, DECEMBER, store)
    assert second["previous"] == first["snapshot"]
    assert {c["asset_id"] for c in second["changes"]} >= {"ondo-finance", "virtual-protocol"}
    runner = CliRunner()
    table = runner.invoke(
        cli, ["data", "sectors", "diff", "--store", str(store)], env={"COLUMNS": "200"}
    )
    assert table.exit_code == 0 and "joined real-world-assets-rwa" in table.output
    shown = runner.invoke(
        cli, ["data", "sectors", "show", "--store", str(store), "--sector", "RWA", "--json"]
    )
    data = json.loads(shown.output)
    assert data["taxonomy_snapshot"] == second["snapshot"]
    assert {a["asset"] for a in data["assets"]} >= {"ondo-finance", "mantra-dao"}


def test_cli_sectors__user_mistakes_are_one_line_errors(tmp_path):
    runner = CliRunner()
    empty = runner.invoke(cli, ["data", "sectors", "diff", "--store", str(tmp_path)])
    assert empty.exit_code == 1 and "no previous snapshot (0 in the store" in empty.output
    bad = runner.invoke(
        cli, ["data", "sectors", "show", "--store", str(tmp_path), "--sector", "Metaverse"]
    )
    assert bad.exit_code == 2 and "the 12 are" in bad.output
    for result in (empty, bad):
        assert "Traceback" not in result.output


def test_cli_compose__taxonomy_recorded_in_the_announcement(serve, tmp_path):
    store = tmp_path / "store"
    snapshot = _fetch(serve, DECEMBER, store)["snapshot"]
    data = tmp_path / "market.parquet"
    from ssikit.methodology.data import save_market_data
    from ssikit.presets.synthetic import synthetic_market

    save_market_data(synthetic_market(days=120).drop(columns=["sector"]), data)
    args = ["index", "compose", "--spec", "MAG7", "--data", str(data), "--date", "2024-03-01"]
    result = CliRunner().invoke(
        cli, [*args, "--taxonomy", str(store / f"{snapshot}.json"), "--json"]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)["classification"]
    assert record["taxonomy_snapshot"] == snapshot and record["mapping_version"] == "2024-12.1"
    assert record["overrides_sha256"] == load_overrides().sha256
    plain = CliRunner().invoke(cli, [*args, "--json"])
    assert json.loads(plain.output)["classification"]["source"] == "curated"


def test_commitment__covers_the_taxonomy_snapshot_and_the_overrides():
    usd = {
        s: Decimal(1 + k)
        for k, s in enumerate(("BTC", "ETH", "BNB", "SOL", "XRP", "DOT", "LTC", "ADA", "DOGE"))
    }
    from ssikit.core.basket import Basket, Component

    current = Basket.of(Component(asset_id=a.id, amount=10**18) for a in MAG7_ASSETS)
    assets = {a.id: a for a in MAG7_ASSETS}

    def commitment(record):
        announcement = fixed_announcement().model_copy(update={"classification": record})
        plan = plan_rebalance(announcement, usd, current, 10**18, 1, assets)
        return plan.commitment, plan.document

    a = ClassificationRecord(source="taxonomy", taxonomy_snapshot="s1", overrides_sha256="aa")
    first, document = commitment(a)
    assert document["classification"]["taxonomy_snapshot"] == "s1"
    assert commitment(a.model_copy(update={"taxonomy_snapshot": "s2"}))[0] != first
    assert commitment(a.model_copy(update={"overrides_sha256": "bb"}))[0] != first
    legacy, document = commitment(None)
    assert "classification" not in document and legacy != first
