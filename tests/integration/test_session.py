"""The typed session facade and the README's WLP script (examples/wlp_mint_redeem.py), run as
the README shows it against the session's deployment on Anvil."""

from __future__ import annotations

import runpy
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from ssikit.chain.issuance import CustodianClient
from ssikit.chain.session import RequestView, Session
from ssikit.core.requests import AmountError, RequestStatus

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "wlp_mint_redeem.py"
REFS7 = [bytes([i]) * 32 for i in range(1, 8)]


def _run_example(registry, monkeypatch, capsys) -> list[list[str]]:
    monkeypatch.setattr(sys, "argv", [str(EXAMPLE), str(registry)])
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    return [line.split() for line in capsys.readouterr().out.splitlines()]


def test_readme_script__mint_then_redeem_then_cancel(
    index, deployments_file, protocol, custodian, wlp, cover, monkeypatch, capsys
):
    from ape import accounts

    assert wlp.address == accounts.test_accounts[3].address  # the account the script uses
    first = _run_example(deployments_file, monkeypatch, capsys)
    assert [line[0] for line in first] == ["mint"] and first[0][2:] == ["mint", "pending"]
    minted = first[0][1]
    assert len(minted) == 66  # ids whole
    issuer = protocol.issuer

    cover(index, 25 * 10**17, Fraction(101, 100))
    CustodianClient(protocol, custodian).confirm(minted, REFS7)
    second = _run_example(deployments_file, monkeypatch, capsys)
    assert [line[0] for line in second] == ["mint", "redeem"]
    assert second[1][2:] == ["redeem", "pending"] and index.lockedOf(wlp) == 10**18

    third = _run_example(deployments_file, monkeypatch, capsys)
    cancelled = [line for line in third if line[0] == "cancel"]
    assert [c[1] for c in cancelled] == [second[0][1]] and cancelled[0][2] == "cancelled"
    with Session.open(deployments_file, test_account=3) as session:
        mag7 = session.index("MAG7.ssi")
        views = mag7.requests()
        assert all(isinstance(v, RequestView) for v in views)
        by_id = {v.id: v for v in views}
        assert by_id[minted].status is RequestStatus.CONFIRMED
        assert by_id[second[0][1]].status is RequestStatus.CANCELLED
        assert by_id[second[1][1]].status is RequestStatus.REDEEM_PENDING
        assert mag7.ring_size == int(issuer.RING_SIZE()) == 16
        for view in views:
            assert int(issuer.statusOf(wlp, view.nonce)) == view.status


def test_session__bad_amount__named_error_and_nothing_sent(index, deployments_file, wlp):
    with Session.open(deployments_file, test_account=3) as session:
        mag7 = session.index("MAG7.ssi")
        nonce = wlp.nonce
        for bad in ("0", "-1", "1e-19", "abc"):
            with pytest.raises(AmountError):
                mag7.request_mint(bad)
        assert wlp.nonce == nonce
