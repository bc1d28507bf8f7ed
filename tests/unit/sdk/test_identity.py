"""One identity across vendors: the project's table, resolution without guessing, and the table
checked against the real vendor files (skipped when ../shared/data is absent)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ssikit.methodology.identity import IdentityError, IdentityTable, Status, identity_table


def test_table__the_same_coin_from_each_vendor_is_one_asset():
    table = identity_table()
    assert table.resolve_cmc("POPCAT", "Popcat (SOL)").asset_id == "popcat"
    assert table.resolve_cmc("BNB", "Binance Coin").asset_id == "binancecoin"  # its 2021 name
    assert table.resolve_cmc("BNB", "BNB").asset_id == "binancecoin"
    assert table.resolve_cmc("XXX", "whatever", slug="popcat-sol").asset_id == "popcat"
    assert table.resolve_symbol("popcat").asset_id == "popcat"  # an exchange's base
    assert table.resolve_coingecko("popcat").status is Status.RESOLVED
    assert table.resolve_cmc("POL", "POL (ex-MATIC)").asset_id == "polygon-ecosystem-token"
    assert table.resolve_cmc("MATIC", "Polygon").asset_id == "matic-network"


def test_table__ambiguous_or_unknown_is_reported_never_guessed():
    table = identity_table()
    luna = table.resolve_cmc("LUNA", "Terra")  # the 2021 chain and its 2022 successor
    assert luna.status is Status.AMBIGUOUS and luna.asset_id is None
    assert luna.candidates == ["terra-luna", "terra-luna-2"]
    strike = table.resolve_cmc("STRK", "Strike")  # Starknet's ticker, another coin
    assert strike.status is Status.AMBIGUOUS and strike.candidates == ["starknet"]
    assert table.resolve_symbol("LUNA").status is Status.AMBIGUOUS
    assert table.resolve_cmc("ZZZ", "Nothing").status is Status.UNKNOWN
    assert table.resolve_symbol("ZZZ").status is Status.UNKNOWN
    assert table.resolve_coingecko("no-such-coin").status is Status.UNKNOWN


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("asset_id,symbol,name,cmc_slug\n", "column 'cmc_names' is missing"),
        ("asset_id,symbol,name,cmc_slug,cmc_names\na,A,,a,A\n", "line 2: empty value"),
        (
            "asset_id,symbol,name,cmc_slug,cmc_names\na,A,A,s,A\nb,B,B,s,B\n",
            "slug 's' names a and b",
        ),
    ],
)
def test_table__malformed__named_error(text, reason):
    with pytest.raises(IdentityError, match=reason):
        IdentityTable.from_csv(text)


@pytest.mark.shared_data
def test_table__agrees_with_the_vendor_files(shared_data):
    """Every CoinGecko id of the table that the 2021 CoinGecko list has carries its ticker
    there (a renamed ticker has its own row), and every (ticker, name) the table gives for
    CoinMarketCap appears in the CoinMarketCap snapshots."""
    table = identity_table()
    listing = pd.read_csv(shared_data / "hathix_coingecko_2021" / "fullcoinlist.csv", dtype=str)
    symbols = listing.groupby("id")["symbol"].agg(lambda s: set(s.str.upper()))
    rows = table.rows
    known = rows[rows["asset_id"].isin(symbols.index)]
    assert len(known) >= 90
    for row in known.itertuples(index=False):
        tickers = {r.symbol for r in rows[rows["asset_id"] == row.asset_id].itertuples()}
        assert symbols[row.asset_id] & tickers, (row.asset_id, symbols[row.asset_id], tickers)
    cmc = pd.read_csv(
        shared_data / "smoothbrainquant_cmc_coinbase" / "coinmarketcap_monthly_all_snapshots.csv",
        dtype=str,
    )
    seen = set(zip(cmc["Symbol"].str.upper(), cmc["Name"].str.casefold(), strict=True))
    listed = {(r.symbol, n.casefold()) for r in rows.itertuples() for n in r.cmc_names.split("|")}
    missing = sorted(listed - seen)
    assert len(missing) <= len(listed) // 20, missing  # names of coins outside the top 200


@pytest.mark.shared_data
def test_cmc_import__largest_assets_resolve_and_meme_is_not_short_of_coins(shared_data):
    from ssikit.methodology.compose import compose
    from ssikit.methodology.importers import import_cmc_monthly
    from ssikit.methodology.spec import preset

    frame = import_cmc_monthly(shared_data / "smoothbrainquant_cmc_coinbase")
    report = frame.attrs["identity"]
    assert report.ambiguous["LUNA / Terra"] == ["terra-luna", "terra-luna-2"]
    top = frame[frame["date"] == "2025-01-01"].nlargest(100, "market_cap")
    assert top["asset_id"].isin(identity_table().rows["asset_id"]).all()
    assert "popcat" in set(frame["asset_id"])  # CoinMarketCap's "Popcat (SOL)"
    meme = compose(frame, preset("MEME"), date(2024, 12, 1))
    assert len(meme.constituents) >= 9
    assert {"DOGE", "SHIB", "PEPE", "BONK", "WIF", "FLOKI", "POPCAT"} <= {
        c.symbol for c in meme.constituents
    }


@pytest.mark.shared_data
def test_exchange_listings__coinbase_bases_resolve_or_are_reported(shared_data):
    coinbase = pd.read_csv(
        next((shared_data / "smoothbrainquant_cmc_coinbase").glob("coinbase_top200_daily_*.csv")),
        usecols=["base"],
        dtype=str,
    )
    table = identity_table()
    found = {b: table.resolve_symbol(b) for b in coinbase["base"].unique()}
    assert found["BTC"].asset_id == "bitcoin" and found["PENGU"].asset_id == "pudgy-penguins"
    assert found["MATIC"].asset_id == "matic-network"
    resolved = [b for b, r in found.items() if r.status is Status.RESOLVED]
    assert len(resolved) >= 55
    assert all(r.asset_id is None for r in found.values() if r.status is not Status.RESOLVED)
