"""``builders.index.index_differences``: an index already on chain against the params a
deployment asks for (a symbol names one index)."""

from __future__ import annotations

from ssikit.builders.index import index_differences
from ssikit.core.basket import Basket, Component
from ssikit.core.index import IndexParams

A, B = b"\x01" * 32, b"\x02" * 32
ADDRESS = "0x" + "11" * 20


def _params(**changes) -> IndexParams:
    fields = {
        "name": "Test Index",
        "symbol": "TST.ssi",
        "basket": Basket.of([Component(asset_id=A, amount=5), Component(asset_id=B, amount=7)]),
        "fee_rate": 1,
        "max_fee_rate": 10,
        "compiler": ADDRESS,
        "fee_recipient": ADDRESS,
    }
    return IndexParams(**(fields | changes))


def test_index_differences__the_same_index__none():
    assert index_differences(_params(), "Test Index", 10, [(B, 7), (A, 5)], 1) == []


def test_index_differences__each_difference_named():
    found = index_differences(_params(), "Other", 9, [(A, 5), (B, 8)], 1)
    assert len(found) == 3
    assert "name 'Other'" in found[0] and "max fee rate 9" in found[1]
    assert found[2] == "a different basket"


def test_index_differences__rebalanced_basket_not_compared():
    assert index_differences(_params(), "Test Index", 10, [(A, 1)], 2) == []
