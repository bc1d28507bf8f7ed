"""A malformed custody config (custody audit, F6) is one line naming the field, never a
pydantic traceback: unknown asset, bad address, negative numbers, a custody address with no
key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ssikit.cli.main import cli
from ssikit.custody.errors import CustodyConfigError
from ssikit.custody.evm import CustodyConfig

CUSTODY = "0x" + "22" * 20


def _good() -> dict[str, Any]:
    return {
        "rpc": "http://127.0.0.1:9",
        "assets": {"ETH": None, "BNB": "0x" + "33" * 20},
        "accounts": {"MAG7.ssi": CUSTODY},
        "ledger": "ledger.json",
        "notices": "notices.jsonl",
    }


def _write(tmp_path: Path, **change: Any) -> Path:
    path = tmp_path / "custody.json"
    path.write_text(json.dumps(_good() | change))
    return path


@pytest.mark.parametrize(
    ("change", "field", "why"),
    [
        ({"assets": {"FOO": None}}, "assets", "unknown asset 'FOO'"),
        ({"assets": {"ETH": None, "BNB": None}}, "assets", "only one asset can be the native"),
        ({"accounts": {"MAG7.ssi": "0x1234"}}, "accounts", "MAG7.ssi: not an address"),
        ({"assets": {"BNB": "bnb-token"}}, "assets", "BNB: not an address"),
        ({"confirmations": -1}, "confirmations", "greater than or equal to 1"),
        ({"chain_id": -5}, "chain_id", "greater than or equal to 1"),
        ({"gas_float": {CUSTODY: -1}}, "gas_float", "not negative"),
        ({"gas_float": {"0x" + "44" * 20: 1}}, "gas_float", "no custody address"),
        ({"colour": "blue"}, "colour", "Extra inputs"),
        (
            {"accounts": {"MAG7.ssi": CUSTODY, "TOP2.ssi": CUSTODY.upper().replace("X", "x")}},
            "accounts",
            "TOP2.ssi and MAG7.ssi share the custody address",
        ),
    ],
)
def test_load__malformed__one_line_naming_the_field(tmp_path, change, field, why):
    with pytest.raises(CustodyConfigError) as refused:
        CustodyConfig.load(_write(tmp_path, **change))
    line = str(refused.value)
    assert "\n" not in line
    assert f": {field}" in line and why in line, line
    assert line.startswith(f"custody config {tmp_path / 'custody.json'}: ")


def test_load__good__gas_float_per_custody_address(tmp_path):
    config = CustodyConfig.load(_write(tmp_path, gas_float={CUSTODY.lower(): 5}))
    assert config.float_of(CUSTODY) == 5
    assert config.float_of("0x" + "44" * 20) == 0


def test_check_keys__custody_address_without_key__names_it(tmp_path):
    config = CustodyConfig.load(_write(tmp_path, test_accounts=[1]))
    with pytest.raises(CustodyConfigError, match=r"accounts\.MAG7\.ssi: no key for the custody"):
        config.check_keys()


def test_cli__malformed_config__one_line(tmp_path):
    path = _write(tmp_path, accounts={"MAG7.ssi": "0x1234"})
    result = CliRunner().invoke(cli, ["custody", "status", "--custody", str(path)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: custody config {path}: accounts: Value error, MAG7.ssi: not an address: '0x1234'\n"
    ).replace("Value error, ", "")
    assert "Traceback" not in result.output


def test_serve_custody__custody_address_without_key__one_line(tmp_path):
    """``ssikit custodian serve --custody`` refuses, before it connects, a config whose custody
    address has no key (it could acknowledge deliveries but never pay a redemption)."""
    import click

    from ssikit.cli.custody import with_custody_chain

    path = _write(tmp_path, test_accounts=[1])
    with pytest.raises(click.ClickException) as refused:
        with_custody_chain(object(), path, None)
    line = refused.value.message
    assert line.startswith("custody config: accounts.MAG7.ssi: no key for the custody address 0x")
    assert "\n" not in line
