"""Running a participant's program for a bounded number of rounds or until stopped."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def run_rounds(
    step: Callable[[], dict[str, Any]],
    rounds: int,
    interval: float,
    log: Callable[[dict[str, Any]], None],
) -> list[dict[str, Any]]:
    """Calls ``step`` up to ``rounds`` times, ``interval`` seconds apart; Ctrl-C stops cleanly."""
    entries = []
    try:
        for i in range(rounds):
            entries.append(step())
            if interval and i + 1 < rounds:
                time.sleep(interval)
    except KeyboardInterrupt:
        log({"stopped": "interrupted"})
    return entries
