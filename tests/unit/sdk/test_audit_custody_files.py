"""The custodian's shared files (custody audit, F1): two service processes, or a crash in the
middle of a write, must never lose a binding (one delivery would then back two requests) or a
payout record (a redemption would then be paid twice)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from ssikit.bots.custodian import WalletFileCustody
from ssikit.custody.adapter import Delivery, DeliveryStatus
from ssikit.custody.evm import (
    CustodyConfig,
    DeliveryNotice,
    EvmCustody,
    read_notices,
    record_notice,
)

CUSTODY = "0x" + "22" * 20


def _config(tmp_path: Path) -> CustodyConfig:
    return CustodyConfig(
        rpc="http://127.0.0.1:9",
        assets={"ETH": None},
        accounts={"MAG7.ssi": CUSTODY},
        ledger=tmp_path / "ledger.json",
        notices=tmp_path / "notices.jsonl",
    )


def _accepted(tx: int) -> Delivery:
    return Delivery(DeliveryStatus.ACCEPTED, "ETH", 1, ref=bytes([tx]) * 32)


def _interleaved(first: Any, second: Any, slow: Any) -> None:
    """Runs ``first()`` in a thread whose write (``slow``'s ``_save``) waits until ``second()``,
    run meanwhile by another "process", is done (or 0.5 s, if a lock keeps it out)."""
    inside, other_done = threading.Event(), threading.Event()
    save = slow._save

    def paused_save(data: Any) -> None:
        inside.set()
        other_done.wait(timeout=0.5)
        save(data)

    slow._save = paused_save
    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(timeout=5)

    def run_second() -> None:
        second()
        other_done.set()

    other = threading.Thread(target=run_second)
    other.start()
    thread.join(timeout=10)
    other.join(timeout=10)


def test_bind__two_processes_at_once__neither_binding_lost(tmp_path):
    one, two = EvmCustody(_config(tmp_path)), EvmCustody(_config(tmp_path))
    first, second = b"\x01" * 32, b"\x02" * 32
    _interleaved(lambda: one.bind(first, _accepted(1)), lambda: two.bind(second, _accepted(2)), one)

    bound = json.loads((tmp_path / "ledger.json").read_text())["bound"]
    assert bound["0x" + "01" * 32]["request"] == "0x" + first.hex()
    assert bound["0x" + "02" * 32]["request"] == "0x" + second.hex()  # lost without the lock


def test_bind__same_tx_for_two_requests_at_once__only_one_binds(tmp_path):
    """Two processes checking one transaction for two requests at the same moment: without the
    lock both read 'unbound' and both bind (the later write wins, the earlier mint is
    acknowledged with a delivery that now backs another request)."""
    one, two = EvmCustody(_config(tmp_path)), EvmCustody(_config(tmp_path))
    outcomes: list[str] = []

    def attempt(adapter: EvmCustody, request: bytes) -> None:
        try:
            adapter.bind(request, _accepted(9))
            outcomes.append("bound")
        except Exception as err:
            outcomes.append(f"refused: {err}")

    _interleaved(lambda: attempt(one, b"\x01" * 32), lambda: attempt(two, b"\x02" * 32), one)
    assert sorted(o.split(":")[0] for o in outcomes) == ["bound", "refused"], outcomes


def _wallet_file(tmp_path: Path) -> Path:
    path = tmp_path / "wallets.json"
    path.write_text(
        json.dumps(
            {
                "custodian": "0x" + "11" * 20,
                "wallets": [
                    {"index": "MAG7.ssi", "asset": "BTC", "address": "btc-cold", "balance": 100}
                ],
            }
        )
    )
    return path


def test_wallet_file_pay__two_processes_at_once__both_payouts_recorded(tmp_path):
    path = _wallet_file(tmp_path)
    one, two = WalletFileCustody(path), WalletFileCustody(path)
    first, second = b"\x01" * 32, b"\x02" * 32
    _interleaved(
        lambda: one.pay(first, "MAG7.ssi", "BTC", 10, "0xabc"),
        lambda: two.pay(second, "MAG7.ssi", "BTC", 20, "0xabc"),
        one,
    )
    data = json.loads(path.read_text())
    assert set(data["payouts"]) == {"0x" + first.hex(), "0x" + second.hex()}  # else paid again
    assert data["wallets"][0]["balance"] == 70


def test_notice__after_a_crash_mid_line__the_next_notice_is_kept(tmp_path):
    path = tmp_path / "notices.jsonl"
    path.write_text('{"request": "0x' + "01" * 32 + '", "asset": "ETH", "tx"')  # cut short
    notice = DeliveryNotice(b"\x02" * 32, "ETH", b"\x03" * 32)
    record_notice(path, notice)
    assert read_notices(path) == [notice]


def test_ledger_write__crash_before_replace__old_ledger_intact(tmp_path, monkeypatch):
    import os

    adapter = EvmCustody(_config(tmp_path))
    adapter.bind(b"\x01" * 32, _accepted(1))
    before = (tmp_path / "ledger.json").read_text()

    def die(*args: Any) -> None:
        raise RuntimeError("crashed")

    monkeypatch.setattr(os, "replace", die)
    with pytest.raises(RuntimeError, match="crashed"):
        adapter.bind(b"\x02" * 32, _accepted(2))
    assert (tmp_path / "ledger.json").read_text() == before
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []  # no debris


def test_ledger_not_json__named_error_not_a_traceback(tmp_path):
    from ssikit.custody.files import CustodyFileError

    (tmp_path / "ledger.json").write_text('{"bound": {')  # damaged by hand
    with pytest.raises(CustodyFileError, match=r"custody file .*ledger.json: not readable JSON"):
        EvmCustody(_config(tmp_path)).bind(b"\x01" * 32, _accepted(1))


def test_locked__reentrant_in_one_thread_and_released_after_an_error(tmp_path):
    from ssikit.custody.files import held_elsewhere, locked

    ledger = tmp_path / "ledger.json"
    with locked(ledger):
        with locked(ledger):  # a leg's pay inside the redemption's block
            assert held_elsewhere(ledger)
        assert held_elsewhere(ledger)  # the inner exit keeps the outer hold
    assert not held_elsewhere(ledger)
    try:
        with locked(ledger):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert not held_elsewhere(ledger)
    with locked(ledger):  # and it can be taken again
        assert held_elsewhere(ledger)


def test_locked__a_link_to_the_file_takes_the_same_lock(tmp_path):
    from ssikit.custody.files import held_elsewhere, locked

    ledger = tmp_path / "ledger.json"
    ledger.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(ledger)
    with locked(link):
        assert held_elsewhere(ledger)
