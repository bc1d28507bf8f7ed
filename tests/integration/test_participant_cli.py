"""The WLP's and custodian's programs (`ssikit wlp ...`, `ssikit custodian ...`, the same
commands as `ape run wlp|custodian`), driven through click on the test chain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ssikit.chain.accounts import LocalRole
from ssikit.chain.protocol import Deployment, IssuanceSettings, configure_issuance, load_protocol
from ssikit.cli.main import cli
from ssikit.core.assets import MAG7_ASSETS
from ssikit.presets.synthetic import synthetic_prices


@pytest.fixture
def deployed(deployer, custodian, wlp, mag7_params, tmp_path):
    path = tmp_path / "deployments.json"
    deployment = Deployment(deployer, path=path)
    system = deployment.system()
    deployment.assets(system, MAG7_ASSETS)
    deployment.price_feeds(system, synthetic_prices())
    token = deployment.index(system, mag7_params)
    configure_issuance(
        deployment, system, token, IssuanceSettings(), [custodian.address], [wlp.address]
    )
    return path, token


def _run(*args):
    result = CliRunner().invoke(cli, [*map(str, args), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_wlp_and_custodian_programs__mint_confirm_redeem_cancel(
    deployed, custodian, chain, tmp_path
):
    registry, token = deployed
    wallets = tmp_path / "wallets.json"
    wallets.write_text(
        json.dumps(
            {
                "custodian": custodian.address,
                "as_of": chain.blocks.head.timestamp,
                "wallets": [
                    {
                        "index": "MAG7.ssi",
                        "asset": a.symbol,
                        "address": f"{a.symbol.lower()}-cold-1",
                        "balance": 10 ** (a.decimals + 6),
                    }
                    for a in MAG7_ASSETS
                ],
            }
        )
    )
    posted = _run("custodian", "report", wallets, "--refresh", "MAG7.ssi", "--registry", registry)
    assert posted["sequence"] == 1 and len(posted["holdings"]) == 7

    minted = _run("wlp", "mint", "MAG7.ssi", "2.5", "--registry", registry)
    assert minted["status"] == "mint pending" and minted["amount"] == str(25 * 10**17)
    pending = _run("wlp", "status", "--pending", "--registry", registry)
    assert [p["id"] for p in pending] == [minted["id"]]

    refs = [arg for i in range(7) for arg in ("--ref", f"0x{i + 1:02x}")]
    confirmed = _run("custodian", "confirm", minted["id"], *refs, "--registry", registry)
    assert confirmed["status"] == "confirmed"
    assert token.totalSupply() > 0

    rows = _run("custodian", "coverage", "MAG7.ssi", "--registry", registry)
    assert len(rows) == 7 and all(r["fresh"] and r["ratio"] >= 1 for r in rows)

    redeem = _run("wlp", "redeem", "MAG7.ssi", "1", "--registry", registry)
    cancelled = _run("wlp", "cancel", redeem["id"], "--registry", registry)
    assert cancelled["status"] == "cancelled"
    assert [r["status"] for r in _run("wlp", "status", "--registry", registry)] == [
        "confirmed",
        "cancelled",
    ]

    # Accepted: what is owed per off-chain component is shown, as the event states it.
    redeem = _run("wlp", "redeem", "MAG7.ssi", "1", "--registry", registry)
    accepted = _run("custodian", "accept", redeem["id"], "--registry", registry)
    assert accepted["status"] == "redeem accepted" and len(accepted["payout"]) == 7
    from ssikit.chain.issuance import find_request
    from ssikit.math.basket import payout_for

    paid_for = find_request(load_protocol(registry), redeem["id"]).paid_for
    factor = int(accepted["settlement"]["factor"])
    stored, *_ = token.basketState()
    owed = sorted(int(p["amount"]) for p in accepted["payout"])
    assert owed == sorted(payout_for(int(x), factor, paid_for) for _, x in stored)
    assert all(p["amount_whole"] and p["symbol"] for p in accepted["payout"])


def test_wlp_mint__bad_amount__usage_error(deployed):
    registry, _ = deployed
    result = CliRunner().invoke(
        cli, ["wlp", "mint", "MAG7.ssi", "0.0000000000000000001", "--registry", str(registry)]
    )
    assert result.exit_code == 2 and "not a positive amount" in result.output


def test_wlp_cancel__unknown_id__one_line_error(deployed):
    registry, _ = deployed
    unknown = "0x" + "ab" * 32
    result = CliRunner().invoke(cli, ["wlp", "cancel", unknown, "--registry", str(registry)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip() == f"Error: no request with id {unknown}"


def test_compiler_program__plan_prepare_propose_status_activate(
    deployed, custodian, chain, tmp_path
):
    """`ssikit rebalance ...`: DOGE makes way for DOT; the admin prepares DOT, the compiler
    proposes, the custodian reports, anyone activates."""
    registry, token = deployed
    symbols = ["BTC", "ETH", "BNB", "SOL", "XRP", "ADA", "DOT"]
    announcement = {
        "index": "MAG7",
        "reference_date": "2024-02-26",
        "announcement_date": "2024-02-26",
        "implementation_date": "2024-03-01",
        "constituents": [
            {
                "asset_id": s.lower(),
                "symbol": s,
                "rank": k + 1,
                "weight": w,
                "ref_market_cap": 1e9,
                "ref_volume": 1e8,
                "action": "keep" if s != "DOT" else "add",
                "reason": "cli test",
            }
            for k, (s, w) in enumerate(
                zip(symbols, (0.28, 0.18, 0.11, 0.11, 0.11, 0.105, 0.105), strict=True)
            )
        ],
        "removed": [],
        "excluded": {},
        "unverified_rules": [],
        "eligible_count": 40,
    }
    (tmp_path / "announcement.json").write_text(json.dumps(announcement))
    prices = {"BTC": 43000, "ETH": 2550, "BNB": 310, "SOL": 95, "XRP": 0.57}
    prices |= {"ADA": 0.52, "DOGE": 0.08, "DOT": 7.2}
    (tmp_path / "prices.json").write_text(json.dumps(prices))
    plan_path = tmp_path / "plan.json"
    plan = _run(
        "rebalance", "plan", "MAG7.ssi", "--announcement", tmp_path / "announcement.json",
        "--prices", tmp_path / "prices.json", "-o", plan_path, "--registry", registry,
    )  # fmt: skip
    assert plan["changed"] == 1 and plan_path.exists()
    table = CliRunner().invoke(  # the table, as the README runs it (no --json)
        cli,
        ["rebalance", "plan", "MAG7.ssi", "--announcement", str(tmp_path / "announcement.json"),
         "--prices", str(tmp_path / "prices.json"), "--registry", str(registry)],
    )  # fmt: skip
    assert table.exit_code == 0, table.output
    assert "value per token" in table.output and "DOT" in table.output
    # No tokens yet: the custodians have nothing to trade.
    assert plan["backing_units"] == 0 and {t["side"] for t in plan["trades"]} == {"hold"}

    prepared = _run(
        "rebalance", "prepare", "--plan", plan_path, "--index", "MAG7.ssi",
        "--custodian", custodian.address,
        "--registry", registry,
    )  # fmt: skip
    assert prepared["done"]
    proposed = _run("rebalance", "propose", "MAG7.ssi", "--plan", plan_path, "--registry", registry)
    assert proposed["commitment"] == plan["commitment"] and proposed["replaced"] is None
    status = _run("rebalance", "status", "MAG7.ssi", "--registry", registry)
    assert status["pending"]["id"] == proposed["id"] and not status["pending"]["covered"]

    chain.mine(1, timestamp=proposed["activation_time"])
    wallets = tmp_path / "traded.json"
    wallets.write_text(
        json.dumps(
            {
                "custodian": custodian.address,
                "wallets": [
                    {
                        "index": "MAG7.ssi",
                        "asset": s,
                        "address": f"{s.lower()}-cold",
                        "balance": 10**20,
                    }
                    for s in symbols
                ],
            }
        )
    )
    _run("custodian", "report", wallets, "--registry", registry)
    assert _run("rebalance", "status", "MAG7.ssi", "--registry", registry)["pending"]["covered"]
    activated = _run(
        "rebalance", "activate", "MAG7.ssi", "--account", "TEST::7", "--registry", registry
    )
    assert activated["version"] == 2 == token.basketVersion()
    assert _run("rebalance", "status", "MAG7.ssi", "--registry", registry)["pending"] is None


def test_compiler_program__refusal_is_one_named_line(deployed, tmp_path):
    """A proposal the token refuses (activation too soon) ends the command with the contract's
    error by name, not a traceback."""
    registry, _ = deployed
    plan = {
        "index": "MAG7", "from_version": 1, "activation_time": 1, "commitment": "0x" + "11" * 32,
        "document": {}, "old_basket": [], "new_basket": [], "prices": [], "old_value": 0,
        "new_value": 0, "turnover_bps": 0, "changed": 0, "trades": [], "backing_units": 0,
    }  # fmt: skip
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    result = CliRunner().invoke(
        cli,
        ["rebalance", "propose", "MAG7.ssi", "--plan", str(tmp_path / "plan.json"),
         "--activation", "1", "--registry", str(registry)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Error: RebalanceTooSoon(activationTime=1, earliest=" in result.output


# ------------------------------------------------------------------ Ape's options, one-line errors
def _fails(*args):
    """Runs the command, which fails: exit non-zero, no traceback, one ``Error:`` line (that
    line is returned)."""
    result = CliRunner().invoke(cli, [*map(str, args)])
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not a crash
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.output
    return lines[0]


def test_account_option__test_n__that_account_signs(deployed, accounts, chain):
    registry, _ = deployed
    minted = _run("wlp", "mint", "MAG7.ssi", "1", "--registry", registry)  # the WLP: TEST::3
    mine = _run("wlp", "status", "--account", f"TEST::{LocalRole.WLP}", "--registry", registry)
    assert [r["id"] for r in mine] == [minted["id"]]
    assert _run("wlp", "status", "--account", "TEST::6", "--registry", registry) == []

    # Test account 6 is no WLP: the issuer refuses it, by name, and nothing is sent.
    head = chain.blocks.head.number
    line = _fails("wlp", "mint", "MAG7.ssi", "1", "--account", "TEST::6", "--registry", registry)
    assert line.startswith("Error: AccessControlUnauthorizedAccount(account="), line
    assert accounts[6].address.lower() in line.lower(), line
    assert chain.blocks.head.number == head


def test_account_option__unknown_alias__one_line(deployed):
    registry, _ = deployed
    line = _fails("wlp", "status", "--account", "nobody-here", "--registry", registry)
    assert (
        line == "Error: Invalid value for '--account': Account with alias 'nobody-here' not found."
    )


def test_network_option__unknown_network__one_line(deployed):
    registry, _ = deployed
    line = _fails("wlp", "status", "--network", "ethereum:nowhere", "--registry", registry)
    assert line.startswith("Error: Invalid value for '--network': No network in 'ethereum' named")
    assert "sepolia" in line  # the networks there are, on the same line


def test_wlp_mint__below_the_minimum__decoded_error_and_nothing_changes(deployed, chain):
    registry, token = deployed
    head = chain.blocks.head.number
    line = _fails("wlp", "mint", "MAG7.ssi", "0.000000000000000001", "--registry", registry)
    minimum, maximum = load_protocol(registry).issuer.limits(token)[:2]
    assert line == (
        f"Error: IssuerAmountOutOfLimits(amount=1, minAmount={minimum}, maxAmount={maximum})"
    )
    assert chain.blocks.head.number == head
    assert _run("wlp", "status", "--registry", registry) == []


def _ssikit(chain, *args, exit_code=0):
    """The real `ssikit` program in a process of its own, on the test's node; (stdout, stderr)."""
    root = Path(__file__).resolve().parents[2]
    env = os.environ | {"PYTHONPATH": str(root / "sdk"), "APE_FOUNDRY_HOST": chain.provider.uri}
    result = subprocess.run(
        [sys.executable, "-c", "from ssikit.cli.main import cli; cli()", *map(str, args)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == exit_code, result.stdout + result.stderr
    return result.stdout, result.stderr


def test_json__a_write_and_a_read_in_their_own_process__stdout_is_only_json(deployed, chain):
    """Ape logs each transaction it sends (on stdout); under --json stdout is the JSON alone."""
    registry, _ = deployed
    out, _ = _ssikit(chain, "wlp", "mint", "MAG7.ssi", "2", "--registry", registry, "--json")
    minted = json.loads(out)
    assert minted["status"] == "mint pending" and minted["amount"] == str(2 * 10**18)
    out, _ = _ssikit(chain, "wlp", "status", "--registry", registry, "--json")
    assert [r["id"] for r in json.loads(out)] == [minted["id"]]


def test_revert__in_its_own_process__one_line_on_stderr_nothing_on_stdout(deployed, chain):
    """Not a WLP: the issuer's refusal is the program's only output (ape-foundry's call trace of
    the revert, printed on stdout, is off; `-v DEBUG` shows it on stderr)."""
    registry, _ = deployed
    head = chain.blocks.head.number
    out, err = _ssikit(
        chain, "wlp", "mint", "MAG7.ssi", "1", "--account", "TEST::7", "--registry", registry,
        "--json", exit_code=1,
    )  # fmt: skip
    assert out == ""
    assert (
        err.startswith("Error: AccessControlUnauthorizedAccount(account=") and err.count("\n") == 1
    )
    assert chain.blocks.head.number == head
