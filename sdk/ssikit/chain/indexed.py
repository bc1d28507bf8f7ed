"""What the participants' programs read from the event indexer (``ssikit.indexer``): requests
with their status, the issuer versions they sit on, rebalance proposals.

Every read first syncs the index from its cursor to the head, so a read costs what the new
blocks cost, not the chain's history, and a program that restarts goes on from the cursor its
database kept. The index is read up to the head (no confirmations): what the programs act on is
the chain's state now, and a reorg is rewound by the indexer itself.

Where the index lives:

- **embedded** (the default): a SQLite file per chain and deployment,
  ``$SSIKIT_HOME/index-<chain id>-<issuer>.sqlite`` (``SSIKIT_HOME`` defaults to ``~/.ssikit``),
  shared with ``ssikit indexer run`` on the same deployment. It is a cache: when it no longer
  fits the chain (another schema, or a local chain restarted deeper than the reorg window), it
  is deleted and rebuilt from the deployment block.
- **shared** (``--db URL``, any SQLAlchemy URL, PostgreSQL for several services): never deleted;
  a mismatch is an error naming the database. Several programs may sync the same database: a
  page another one committed first is read again from the new cursor.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError

from ..core.errors import SsikitError
from .issuance import OPEN, TrackedRequest

CONCURRENT_RETRIES = 5
"""Syncs retried when another writer committed the same page first."""


def ssikit_home() -> Path:
    """``$SSIKIT_HOME``, else ``~/.ssikit``."""
    return Path(os.environ.get("SSIKIT_HOME", Path.home() / ".ssikit")).expanduser()


def embedded_url(chain_id: int, issuer: str, home: Path | None = None) -> str:
    """The embedded index of the deployment whose (first) Issuer is ``issuer``."""
    directory = home if home is not None else ssikit_home()
    return f"sqlite:///{directory / f'index-{chain_id}-{issuer.lower()}.sqlite'}"


@lru_cache(maxsize=1)
def _abis() -> Any:
    """The shipped ABIs, read once per process (every program opens an index)."""
    from . import artifacts

    return artifacts.abis()


def _embedded_url(web3: Any, registry: Path) -> str:
    from ..indexer import Web3Chain, deployment_roots

    chain_id = Web3Chain(web3).chain_id()
    roots = deployment_roots(registry, chain_id)
    return embedded_url(chain_id, next(r.address for r in roots if r.contract == "Issuer"))


def open_indexer(web3: Any, registry: Path, url: str | None = None, **options: Any) -> Any:
    """The indexer of the deployment recorded for ``web3``'s chain in ``registry``: in the
    database at ``url``, or the embedded one (rebuilt when it no longer fits, see above)."""
    from ..indexer import Indexer, StoreMismatchError, Web3Chain, deployment_roots
    from ..indexer.store import Store

    chain = Web3Chain(web3)
    roots = deployment_roots(registry, chain.chain_id())
    embedded = url is None
    url = url if url is not None else _embedded_url(web3, registry)
    options.setdefault("abis", _abis())
    try:
        return Indexer(chain, Store(url), roots, **options)
    except StoreMismatchError:
        if not embedded:
            raise
        _delete_sqlite(url)
        return Indexer(chain, Store(url), roots, **options)


def _delete_sqlite(url: str) -> None:
    database = make_url(url).database
    if database:
        for suffix in ("", "-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)


class IndexedSource:
    """Requests and proposals of one deployment, from its event index synced to the head."""

    def __init__(
        self,
        web3: Any,
        registry: Path,
        url: str | None = None,
        on_page: Callable[[Any], None] | None = None,
        **options: Any,
    ) -> None:
        """``on_page`` is the indexer's progress callback for every sync (``Indexer.sync``: a
        ``PageProgress`` after each committed page), e.g. the CLI's progress bar."""
        self._open_args = (web3, registry, url)
        self.on_page = on_page
        self._options = {"confirmations": 0, **options}
        self.embedded = url is None
        self._home = ssikit_home()
        self.indexer = open_indexer(web3, registry, url, **self._options)

    @property
    def url(self) -> str:
        return str(self.indexer.store.url)

    def moved(self) -> bool:
        """An embedded index whose file is no longer the one ``$SSIKIT_HOME`` names now."""
        return self.embedded and ssikit_home() != self._home

    def sync(self) -> Any:
        """Indexes the new blocks (``SyncResult``). An embedded index the chain no longer has
        any block of is rebuilt; a page another writer committed first is read again."""
        from ..indexer import ReorgTooDeepError

        attempt = 0
        while True:
            try:
                return self.indexer.sync(on_page=self.on_page)
            except ReorgTooDeepError:
                if not self.embedded:
                    raise
                self.close()  # a local chain restarted: start the cache again
                _delete_sqlite(self.url)
                self.indexer = open_indexer(*self._open_args, **self._options)
            except (IntegrityError, OperationalError) as err:
                attempt += 1
                concurrent = isinstance(err, IntegrityError) or "locked" in str(err)
                if not concurrent or attempt > CONCURRENT_RETRIES:
                    first = str(getattr(err, "orig", err)).strip().splitlines()[0]
                    raise SsikitError(
                        f"the index at {self.indexer.store.safe_url} cannot be updated: {first}"
                    ) from err

    # ------------------------------------------------------------------ requests
    def requests(
        self,
        requester: str | None = None,
        index: str | None = None,
        issuer: str | None = None,
        open_only: bool = False,
    ) -> list[TrackedRequest]:
        """Requests in (block, nonce) order, each with its status now, filtered by requester,
        index (address), the Issuer they were made on, and open (pending, acknowledged or
        accepted) only."""
        self.sync()
        found = self.indexer.requests(
            index=index,
            requester=requester,
            issuer=issuer,
            status=OPEN if open_only else None,
        )
        return [r.tracked() for r in found]

    def request(self, request_id: bytes) -> TrackedRequest | None:
        self.sync()
        found = self.indexer.request(request_id)
        return None if found is None else found.tracked()

    # ------------------------------------------------------------------ rebalances
    def proposal(self, index: str, proposal_id: bytes) -> Any | None:
        """The rebalance proposal ``proposal_id`` of ``index`` (symbol or address) as its
        ``RebalanceProposed`` event told it (``indexer.Proposal``), or None."""
        self.sync()
        return next((p for p in self.indexer.proposals(index) if p.id == proposal_id), None)

    def close(self) -> None:
        self.indexer.close()
