"""The deployment config, read without a chain: baskets in whole units of each asset, fees and
issuance settings, and a named error, in one line naming the field, for every mistake."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ssikit.chain.deploy_config import DeployConfig, DeployConfigError
from ssikit.chain.protocol import IssuanceSettings
from ssikit.core.assets import KNOWN_ASSETS
from ssikit.core.errors import DeploymentError
from ssikit.math.fees import per_second_rate

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "deploy-config.yaml"
COMPILER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
FEE_RECIPIENT = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"


def _custom(**changes: Any) -> dict[str, Any]:
    entry = {
        "symbol": "L1.ssi",
        "name": "Layer-1 Majors Index",
        "basket": {"BTC": "0.0005", "ETH": "0.01"},
        "fee": {"annual": "0.005", "max_annual": "0.02"},
        "compiler": COMPILER,
        "fee_recipient": FEE_RECIPIENT,
    }
    entry.update(changes)
    return entry


def _refused(data: dict[str, Any] | str) -> DeployConfigError:
    with pytest.raises(DeployConfigError) as err:
        DeployConfig.parse(data)
    message = str(err.value)
    assert "\n" not in message and "Traceback" not in message  # one line
    assert isinstance(err.value, DeploymentError)
    return err.value


def test_example__two_indices__basket_in_whole_units_stored_exactly():
    config = DeployConfig.load(EXAMPLE)
    mag7, custom = config.indices
    assert mag7.params().symbol == "MAG7.ssi" and mag7.issuance.settings() == IssuanceSettings()
    params = custom.params()
    btc, eth, dot = KNOWN_ASSETS["BTC"], KNOWN_ASSETS["ETH"], KNOWN_ASSETS["DOT"]
    # {base units × 1e18 per whole index token} = whole units × 10^decimals × 1e18
    assert params.basket.amount_of(btc.id) == 5 * 10**4 * 10**18  # 0.0005 BTC = 50,000 sat
    assert params.basket.amount_of(eth.id) == 10**16 * 10**18  # 0.01 ETH, exactly
    assert params.basket.amount_of(dot.id) == 2 * 10**10 * 10**18
    assert (params.fee_rate, params.max_fee_rate) == (
        per_second_rate("0.005"),
        per_second_rate("0.02"),
    )
    settings = custom.issuance.settings()
    assert (settings.min_amount, settings.max_amount) == (10**17, 1_000 * 10**18)
    assert (settings.mint_fee_bps, settings.redeem_fee_bps, settings.max_age) == (15, 25, 43_200)
    assert [a.symbol for a in config.assets()][-1] == "DOT"  # each asset once
    assert config.feed_sources(local=True)[dot] == Decimal("7.2")


def test_basket__unknown_asset_symbol__named_error():
    err = _refused({"indices": [_custom(basket={"BTC": 1, "FOO": 2})]})
    assert (err.rule, err.field) == ("unknown_asset", "indices[0].basket")
    assert "unknown asset symbol 'FOO'" in str(err)


def test_basket__empty__named_error():
    err = _refused({"indices": [_custom(basket={})]})
    assert (err.rule, err.field) == ("empty_basket", "indices[0].basket")


@pytest.mark.parametrize("amount", [0, "-0.5", "0"])
def test_basket__zero_or_negative_amount__named_error(amount):
    err = _refused({"indices": [_custom(basket={"BTC": "0.001", "ETH": amount})]})
    assert (err.rule, err.field) == ("non_positive_amount", "indices[0].basket")
    assert "ETH" in str(err)


def test_basket__finer_than_a_precise_unit__named_error_not_rounded():
    err = _refused({"indices": [_custom(basket={"BTC": "0.0000000000000000000000000001"})]})
    assert (err.rule, err.field) == ("amount_too_precise", "indices[0].basket")


def test_basket__same_asset_twice__named_error():
    err = _refused({"indices": [_custom(basket={"BTC": 1, "btc": 2})]})
    assert (err.rule, err.field) == ("duplicate_symbol", "indices[0].basket")
    text = f"""
indices:
  - symbol: L1.ssi
    name: L1
    basket: {{BTC: "0.001", BTC: "0.002"}}
    fee: {{annual: "0.005", max_annual: "0.02"}}
    compiler: "{COMPILER}"
    fee_recipient: "{FEE_RECIPIENT}"
"""
    err = _refused(text)  # YAML alone would keep the last amount silently
    assert err.rule == "duplicate_key" and "duplicate key 'BTC'" in str(err)


def test_indices__duplicate_symbol__named_error():
    preset = {"preset": "MAG7", "compiler": COMPILER, "fee_recipient": FEE_RECIPIENT}
    err = _refused({"indices": [preset, _custom(symbol="MAG7.ssi")]})
    assert (err.rule, err.field) == ("duplicate_symbol", "indices")
    assert "MAG7.ssi" in str(err) and "indices[1]" in str(err)


def test_fee__management_cap_above_the_protocol_ceiling__named_error():
    err = _refused({"indices": [_custom(fee={"annual": "0.01", "max_annual": "0.5"})]})
    assert (err.rule, err.field) == ("fee_above_cap", "indices[0].fee.max_annual")


def test_fee__above_its_own_cap__named_error():
    err = _refused({"indices": [_custom(fee={"annual": "0.03", "max_annual": "0.02"})]})
    assert (err.rule, err.field) == ("fee_above_cap", "indices[0].fee")


def test_issuance__fee_above_the_issuers_cap__named_error():
    err = _refused({"indices": [_custom(issuance={"redeem_fee_bps": 501})]})
    assert (err.rule, err.field) == ("fee_above_cap", "indices[0].issuance.redeem_fee_bps")
    assert "500 bps" in str(err)


@pytest.mark.parametrize(
    ("issuance", "field"),
    [
        ({"min_amount": "0.0000001"}, "min_amount"),  # finer than a millionth of a token
        ({"min_amount": "5", "max_amount": "1"}, "max_amount"),
        ({"mint_capacity": "10", "redeem_capacity": "5"}, "redeem_capacity"),
        ({"participant_mint_capacity": 0}, "participant_mint_capacity"),
    ],
)
def test_issuance__limits_the_issuer_refuses__named_error(issuance, field):
    err = _refused({"indices": [_custom(issuance=issuance)]})
    assert (err.rule, err.field) == ("invalid_limits", f"indices[0].issuance.{field}")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"indices": [_custom(compiler="0x1234")]}, "indices[0].compiler"),
        ({"indices": [_custom(wlps=[COMPILER, "alice"])]}, "indices[0].wlps"),
        ({"pausers": ["not-an-address"]}, "pausers"),
        ({"admin": "0xZZ"}, "admin"),
        ({"price_feeds": {"BTC": "0x12"}}, "price_feeds"),
    ],
)
def test_address__not_an_address__named_error(data, field):
    err = _refused(data)
    assert (err.rule, err.field) == ("not_an_address", field)


def test_index__preset_and_basket_together__named_error():
    entry = {"preset": "MAG7", "basket": {"BTC": 1}, "compiler": COMPILER}
    err = _refused({"indices": [entry | {"fee_recipient": FEE_RECIPIENT}]})
    assert (err.rule, err.field) == ("preset_conflict", "indices[0]")


def test_index__neither_preset_nor_basket__named_error():
    entry = {"symbol": "X.ssi", "compiler": COMPILER, "fee_recipient": FEE_RECIPIENT}
    err = _refused({"indices": [entry]})
    assert err.rule == "missing" and "name, basket, fee" in str(err)


def test_feed_sources__live_chain_without_a_feed__named_error_nothing_sent():
    config = DeployConfig.parse({"indices": [_custom()]})
    with pytest.raises(DeployConfigError) as err:
        config.feed_sources(local=False)
    assert err.value.field == "price_feeds.BTC"
    with pytest.raises(DeployConfigError) as err:  # a local chain: no price known for DOT
        DeployConfig.parse({"indices": [_custom(basket={"DOT": 1})]}).feed_sources(local=True)
    assert err.value.field == "test_prices.DOT"
