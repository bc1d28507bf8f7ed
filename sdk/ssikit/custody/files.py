"""The custodian's JSON files (the custody ledger, the delivery notices, the wallet file), read
and written safely when several processes share them and any of them may die mid-write.

- ``locked(path)``: an exclusive ``fcntl.flock`` on ``path`` + ``.lock``, re-entrant per thread
  (a side file: the data file itself is replaced on every write, so a lock on it would guard a
  file no longer there).
  Every read-modify-write of a shared file happens inside it, so two service processes never
  both read the old ledger and each write back only their own binding or payout.
- ``write_atomic(path, text)``: the new text goes to a temporary file in the same folder, is
  fsynced, and replaces ``path`` with ``os.replace`` (then the folder is fsynced): a crash
  leaves the old file or the new one, never half of one.
- ``append_line(path, line)``: one line appended under the lock and fsynced; a line left
  unterminated by a crash is closed first, so it cannot swallow the next one.
- ``read_json(path)``: a file that is not JSON is a CustodyFileError naming it.

POSIX only (``fcntl``), as the services are.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import CustodyError


class CustodyFileError(CustodyError):
    """A custody file that cannot be read back (not JSON, not an object)."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"custody file {path}: {why}")
        self.path = path


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


_held = threading.local()  # this thread's locks: path -> depth (re-entrant)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Holds the exclusive lock of ``path`` (blocks until no other process or thread holds
    it). Re-entrant in one thread: a block that holds it (a whole redemption's payout) may
    call what takes it again (each leg's ``pay``)."""
    depths: dict[str, int] = _held.__dict__.setdefault("depths", {})
    path = path.resolve()  # one lock file whatever name (link, relative path) reaches it
    key = str(path)
    if depths.get(key, 0) > 0:
        depths[key] += 1
        try:
            yield
        finally:
            depths[key] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path(path).open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        depths[key] = 1
        try:
            yield
        finally:
            depths[key] = 0
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def held_elsewhere(path: Path) -> bool:
    """Whether ``path``'s lock is taken by another holder than a new one (another process, or
    this one through ``locked``): a non-blocking try on a fresh open of the lock file."""
    with lock_path(path.resolve()).open("a") as other:
        try:
            fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(other.fileno(), fcntl.LOCK_UN)
        return False


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, text: str) -> None:
    """Replaces ``path`` by ``text``: written to a temporary file beside it, fsynced, renamed
    over it (callers that read-modify-write hold ``locked(path)``)."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def read_json(path: Path, default: Callable[[], Any] = dict) -> Any:
    """``path``'s JSON (``default()`` when there is no file); CustodyFileError when it is not
    JSON."""
    if not path.is_file():
        return default()
    try:
        return json.loads(path.read_text())
    except (ValueError, OSError) as err:
        raise CustodyFileError(path, f"not readable JSON ({err})") from err


def append_line(path: Path, line: str) -> None:
    """Appends ``line`` (no newline in it) under the lock, fsynced."""
    if "\n" in line:
        raise CustodyError("a notice line holds no newline")
    with locked(path), path.open("a+b") as out:
        out.seek(0, os.SEEK_END)
        if out.tell() > 0:
            out.seek(-1, os.SEEK_END)
            if out.read(1) != b"\n":  # a crash left the last line unterminated
                out.write(b"\n")
        out.write(line.encode() + b"\n")
        out.flush()
        os.fsync(out.fileno())
