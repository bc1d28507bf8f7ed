"""The services' loop: bounded rounds, or until stopped with bounded memory."""

from __future__ import annotations

import pytest

from ssikit.bots.loop import KEPT_WHEN_FOREVER, run_rounds


def test_bounded_rounds__run_that_many_and_return_each_entry() -> None:
    calls = iter(range(10))
    entries = run_rounds(lambda: {"n": next(calls)}, 3, 0.0, lambda _: None)
    assert entries == [{"n": 0}, {"n": 1}, {"n": 2}]


def test_forever__runs_until_interrupted__keeps_only_the_latest_entries() -> None:
    count = 0
    logged: list[dict[str, str]] = []

    def step() -> dict[str, int]:
        nonlocal count
        count += 1
        if count > KEPT_WHEN_FOREVER + 50:
            raise KeyboardInterrupt
        return {"n": count}

    entries = run_rounds(step, 0, 0.0, logged.append)
    assert count == KEPT_WHEN_FOREVER + 51
    assert len(entries) == KEPT_WHEN_FOREVER
    assert entries[-1] == {"n": KEPT_WHEN_FOREVER + 50}
    assert logged == [{"stopped": "interrupted"}]


def test_negative_rounds__refused_before_any_step() -> None:
    steps: list[int] = []
    with pytest.raises(ValueError, match="rounds must be 0"):
        run_rounds(lambda: steps.append(1) or {}, -1, 0.0, lambda _: None)
    assert steps == []
