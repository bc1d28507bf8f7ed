"""Errors the indexer raises, each one line a user can act on."""

from __future__ import annotations

from ..core.errors import SsikitError


class IndexerError(SsikitError):
    """The indexer cannot go on (base class; also a missing ABI or an unusable deployment)."""


class DatabaseUnreachableError(IndexerError):
    """The database URL cannot be opened or reached."""


class StoreMismatchError(IndexerError):
    """The database already indexes another chain, deployment or schema version."""


class RangeRefusedError(IndexerError):
    """The RPC refuses ``eth_getLogs`` even for a single block."""


class ReorgTooDeepError(IndexerError):
    """The chain no longer has any block hash the store kept: the fork is older than the
    stored window, so the indexer cannot find the last common block to rewind to."""


class NodeUnreachableError(IndexerError):
    """No node answers at the RPC URL."""
