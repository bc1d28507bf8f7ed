"""Running a participant's program for a bounded number of rounds or until stopped."""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable
from typing import Any

FOREVER = 0
"""``rounds`` for a service that runs until stopped (Ctrl-C or SIGTERM's KeyboardInterrupt)."""
KEPT_WHEN_FOREVER = 100
"""Entries a service running forever returns: the latest ones (memory stays bounded)."""


def run_rounds(
    step: Callable[[], dict[str, Any]],
    rounds: int,
    interval: float,
    log: Callable[[dict[str, Any]], None],
) -> list[dict[str, Any]]:
    """Calls ``step`` ``rounds`` times, ``interval`` seconds apart, or, with ``rounds`` =
    FOREVER (0), until stopped, keeping the latest KEPT_WHEN_FOREVER entries; Ctrl-C stops
    cleanly. A negative ``rounds`` is a ValueError."""
    if rounds < 0:
        raise ValueError(f"rounds must be 0 (until stopped) or more, not {rounds}")
    forever = rounds == FOREVER
    entries: deque[dict[str, Any]] = deque(maxlen=KEPT_WHEN_FOREVER if forever else None)
    try:
        for i in itertools.count() if forever else range(rounds):
            entries.append(step())
            if interval and (forever or i + 1 < rounds):
                time.sleep(interval)
    except KeyboardInterrupt:
        log({"stopped": "interrupted"})
    return list(entries)
