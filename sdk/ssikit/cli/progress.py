"""A progress bar for the event index's catch-up (``ssikit indexer run``, and the sync every
read of the participants' programs does first), drawn on stderr only: stdout stays the
command's output (its JSON with ``--json``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Protocol

PROGRESS_MIN_BLOCKS = 10_000
"""{blocks} A catch-up over more blocks than this shows a bar (five of the indexer's default
pages); a shorter one is over before a bar would help."""


class Bar(Protocol):
    """What draws the bar: started once, updated with (done, total) blocks, stopped once."""

    def start(self) -> None: ...

    def update(self, done: int, total: int) -> None: ...

    def stop(self) -> None: ...


class RichBar:
    """The bar in rich, on stderr, removed when done (``transient``)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]indexing[/] blocks"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._progress.add_task("sync", total=None)

    def start(self) -> None:
        self._progress.start()

    def update(self, done: int, total: int) -> None:
        self._progress.update(self._task, completed=done, total=total)

    def stop(self) -> None:
        self._progress.stop()


class CatchUpProgress:
    """Called with (done, total) blocks of a catch-up after each page the indexer commits
    (``on_page`` adapts the indexer's ``PageProgress``). Draws a bar, made by ``bar``, while a
    catch-up of more than ``min_blocks`` blocks runs, when ``enabled`` (stderr is a terminal:
    ``for_terminal()``); the bar goes when the catch-up is done, or on ``close()``."""

    def __init__(
        self,
        enabled: bool,
        min_blocks: int = PROGRESS_MIN_BLOCKS,
        bar: Callable[[], Bar] = RichBar,
    ) -> None:
        self.enabled = enabled
        self.min_blocks = min_blocks
        self._make_bar = bar
        self._bar: Bar | None = None

    @classmethod
    def for_terminal(cls, stream: Any = None) -> CatchUpProgress:
        """Enabled when ``stream`` (default: stderr) is a terminal."""
        stream = sys.stderr if stream is None else stream
        return cls(enabled=bool(getattr(stream, "isatty", lambda: False)()))

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if not self.enabled or total <= self.min_blocks or done >= total:
                return
            self._bar = self._make_bar()
            self._bar.start()
        self._bar.update(min(done, total), total)
        if done >= total:
            self.close()

    def on_page(self, page: Any) -> None:
        """The indexer's ``on_page`` callback: its ``PageProgress`` as (done, total) blocks."""
        total = max(page.target - page.start + 1, 1)
        self(page.to_block - page.start + 1, total)

    def close(self) -> None:
        """Removes a bar still drawn (a catch-up that stopped on an error or Ctrl-C)."""
        if self._bar is not None:
            bar, self._bar = self._bar, None
            bar.stop()

    def __enter__(self) -> CatchUpProgress:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()
