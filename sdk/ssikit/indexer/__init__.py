"""The event indexer (``ssikit.indexer``): the protocol's events and the read models its
participants need, in SQLite or PostgreSQL, read in bounded pages, reorg-aware, resumable.

    from web3 import Web3
    from ssikit.indexer import Indexer

    indexer = Indexer.for_deployment(Web3(Web3.HTTPProvider(url)), Path("deployments.json"))
    indexer.sync()
    indexer.requests(index="MAG7.ssi", status="mint pending")
"""

from .chain import BlockHeader, ChainReader, Web3Chain
from .contracts import DISCOVERIES, ROOTS, Discovery, Followed, deployment_roots
from .errors import (
    DatabaseUnreachableError,
    IndexerError,
    NodeUnreachableError,
    RangeRefusedError,
    ReorgTooDeepError,
    StoreMismatchError,
)
from .indexer import DEFAULT_PAGE_SIZE, Indexer, PageProgress, default_confirmations
from .models import (
    Coverage,
    IndexedRequest,
    IndexerStatus,
    IndexState,
    Proposal,
    Reorg,
    ReserveAccount,
    SyncResult,
)
from .store import Store, default_url

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DISCOVERIES",
    "ROOTS",
    "BlockHeader",
    "ChainReader",
    "Coverage",
    "DatabaseUnreachableError",
    "Discovery",
    "Followed",
    "IndexState",
    "IndexedRequest",
    "Indexer",
    "IndexerError",
    "IndexerStatus",
    "NodeUnreachableError",
    "PageProgress",
    "Proposal",
    "RangeRefusedError",
    "Reorg",
    "ReorgTooDeepError",
    "ReserveAccount",
    "Store",
    "StoreMismatchError",
    "SyncResult",
    "Web3Chain",
    "default_confirmations",
    "default_url",
    "deployment_roots",
]
