"""The assets a plan removes are resolved for their feeds to move (``prepare_assets`` with
``move_local_feeds``): known by symbol and matching the plan's id, or a named refusal."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ssikit.chain.rebalance import CompilerClient
from ssikit.core.assets import asset_for_symbol
from ssikit.core.errors import RebalanceError


def _plan(constituents: list[str], priced: list[tuple[str, str]]) -> SimpleNamespace:
    return SimpleNamespace(
        document={
            "constituents": [{"asset_id": asset_for_symbol(s).id_hex} for s in constituents],
            "prices": [{"symbol": s, "asset_id": i, "usd": "1"} for s, i in priced],
        }
    )


def test_removed_assets__the_priced_assets_not_kept():
    btc, doge = asset_for_symbol("BTC"), asset_for_symbol("DOGE")
    plan = _plan(["BTC"], [("BTC", btc.id_hex), ("DOGE", doge.id_hex)])
    assert CompilerClient._removed_assets(plan) == [doge]


def test_removed_assets__unknown_symbol_is_refused():
    plan = _plan(["BTC"], [("ZZZ9", "0x" + "11" * 32)])
    with pytest.raises(RebalanceError, match=r"ZZZ9 .*not in the table of known assets"):
        CompilerClient._removed_assets(plan)


def test_removed_assets__a_symbol_whose_id_differs_is_refused():
    plan = _plan(["BTC"], [("DOGE", "0x" + "22" * 32)])  # a DOGE on some other chain
    with pytest.raises(RebalanceError, match="DOGE"):
        CompilerClient._removed_assets(plan)
