"""Pure models: asset ids, baskets, index parameters, weights."""

from __future__ import annotations

from fractions import Fraction

import pytest
from eth_abi import encode
from eth_utils import keccak
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ssikit.builders.index import create_index_args
from ssikit.core.assets import MAG7_ASSETS, Asset, asset_id
from ssikit.core.basket import Basket, Component, basket_from_weights
from ssikit.core.errors import AssetError, BasketError
from ssikit.core.index import IndexParams
from ssikit.core.units import PRECISION
from ssikit.methodology.weights import hybrid_weights, market_cap_weights
from ssikit.presets.indices import MAG7_INITIAL_NAV, mag7_params
from ssikit.presets.synthetic import synthetic_market_caps, synthetic_prices

A = "0x" + "11" * 20
B = "0x" + "22" * 20


def test_asset_id__abi_encode_not_packed():
    assert asset_id("bitcoin", "native") == keccak(
        encode(["string", "string"], ["bitcoin", "native"])
    )
    assert asset_id("ab", "c") != asset_id("a", "bc")


def test_asset_id__empty__raises():
    with pytest.raises(AssetError):
        asset_id("", "native")


def test_asset__decimals_over_36__rejected():
    with pytest.raises(ValidationError, match="decimals"):
        Asset(chain="x", identity="native", symbol="X", decimals=37)


def test_asset__local_token_identity_is_lowercase_address():
    asset = Asset.local_token(31337, "0x" + "aB" * 20, "TT", 6)
    assert asset.identity == ("0x" + "ab" * 20) and asset.chain == "eip155:31337"
    with pytest.raises(ValidationError, match="lowercase token address"):
        Asset(chain="eip155:1", identity="native", symbol="T", decimals=6, token=asset.token)


def _component(i: int, amount: int = 1) -> Component:
    return Component(asset_id=i.to_bytes(32, "big"), amount=amount)


def test_basket_of__sorts_components():
    basket = Basket.of([_component(3), _component(1), _component(2)])
    assert [int.from_bytes(c.asset_id, "big") for c in basket.components] == [1, 2, 3]


@pytest.mark.parametrize(
    ("components", "message"),
    [
        ([], "size 0"),
        ([_component(i) for i in range(1, 34)], "size 33"),
        ([_component(1), _component(1)], "duplicate"),
    ],
)
def test_basket_of__bad__raises(components, message):
    with pytest.raises(BasketError, match=message):
        Basket.of(components)


def test_component__zero_amount__rejected():
    with pytest.raises(ValidationError, match="positive"):
        _component(1, 0)


@given(st.lists(st.integers(min_value=1, max_value=10**30), min_size=2, max_size=10, unique=True))
def test_market_cap_and_hybrid_weights__sum_to_one(caps):
    weights = market_cap_weights({i: Fraction(c) for i, c in enumerate(caps)})
    assert sum(weights.values()) == 1


def test_hybrid_weights__mag7_each_at_least_ten_percent():
    weights = hybrid_weights(synthetic_market_caps())
    assert sum(weights.values()) == 1
    assert all(w >= Fraction(1, 10) for w in weights.values())


def test_basket_from_weights__value_per_token_at_most_nav_and_within_rounding():
    prices = synthetic_prices()
    weights = hybrid_weights(synthetic_market_caps())
    basket = basket_from_weights(weights, prices, MAG7_INITIAL_NAV)
    value = sum(
        Fraction(basket.amount_of(a.id), 10**a.decimals * PRECISION) * prices[a]
        for a in MAG7_ASSETS
    )
    assert value <= MAG7_INITIAL_NAV
    assert MAG7_INITIAL_NAV - value < Fraction(1, 10**15)


def test_basket_from_weights__weights_not_summing_to_one__raises():
    asset = MAG7_ASSETS[0]
    with pytest.raises(BasketError, match="sum"):
        basket_from_weights({asset: Fraction(1, 2)}, {asset: Fraction(1)}, Fraction(1))


def test_index_params__fee_above_cap__rejected():
    basket = Basket.of([_component(1)])
    with pytest.raises(ValidationError, match="above max_fee_rate"):
        IndexParams(
            name="N",
            symbol="S",
            basket=basket,
            fee_rate=2,
            max_fee_rate=1,
            compiler=A,
            fee_recipient=B,
        )


@pytest.mark.parametrize("symbol", ["", "x" * 32])
def test_index_params__bad_symbol__rejected(symbol):
    basket = Basket.of([_component(1)])
    with pytest.raises(ValidationError, match=r"1\.\.31 bytes"):
        IndexParams(
            name="N",
            symbol=symbol,
            basket=basket,
            fee_rate=0,
            max_fee_rate=0,
            compiler=A,
            fee_recipient=B,
        )


def test_index_params__zero_address__rejected():
    basket = Basket.of([_component(1)])
    with pytest.raises(ValidationError, match="non-zero address"):
        IndexParams(
            name="N",
            symbol="S",
            basket=basket,
            fee_rate=0,
            max_fee_rate=0,
            compiler="0x" + "00" * 20,
            fee_recipient=B,
        )


def test_create_index_args__tuple_matches_solidity_struct_order():
    params = mag7_params(A, B)
    name, symbol, basket, fee, max_fee, compiler, recipient = create_index_args(params)
    assert (name, symbol) == ("SoSoValue MAG7 Index", "MAG7.ssi")
    assert len(basket) == 7 and basket == sorted(basket)
    assert 0 < fee < max_fee
    assert compiler.lower() == A and recipient.lower() == B
