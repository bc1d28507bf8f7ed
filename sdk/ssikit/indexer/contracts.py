"""Which contracts the indexer follows, as data.

The roots are read from the deployments registry (address and deployment block); every other
contract is discovered from an event of a contract already followed (each IndexToken from its
factory's ``IndexCreated``). Every event in a followed contract's ABI is decoded and stored, so an
event added to a contract later is indexed once the project is compiled again; a read model that
needs it adds a handler in ``projections.HANDLERS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eth_utils import to_checksum_address

from ..chain.deployments import DeploymentRegistry
from .errors import IndexerError

LOCAL_CHAIN_IDS = (31337, 1337)
"""Anvil and Ganache: a deployment file without blocks is read from block 0 only here."""

ROOTS: tuple[str, ...] = (
    "Issuer",
    "ReserveOracle",
    "IndexFactory",
    "CustodyVault",
    "VersionRegistry",
)
"""Deployment-registry names followed from their deployment block; each is also its ABI name."""


@dataclass(frozen=True)
class Discovery:
    """``event`` of ``emitter`` names, in ``address_arg``, a new ``follows`` contract, followed
    from that event's block on; ``label_arg`` gives it a readable label (e.g. the symbol)."""

    emitter: str
    event: str
    address_arg: str
    follows: str
    label_arg: str | None = None
    only_if: tuple[str, int] | None = None  # (argument, value) the event must have


DISCOVERIES: tuple[Discovery, ...] = (
    Discovery("IndexFactory", "IndexCreated", "index", "IndexToken", "symbol"),
    # Issuer and oracle versions an index may move to (IVersionRegistry.Kind 0 and 1): followed
    # from their listing on, so requests on a new issuer and reports to a new oracle are indexed
    # before and after an index moves (the token's MoveSignalled/MoveExecuted are stored too).
    Discovery("VersionRegistry", "VersionListed", "target", "Issuer", "label", ("kind", 0)),
    Discovery("VersionRegistry", "VersionListed", "target", "ReserveOracle", "label", ("kind", 1)),
)


@dataclass(frozen=True)
class Followed:
    """A followed contract: its address, ABI name, label and first block."""

    address: str
    contract: str
    label: str
    from_block: int


def deployment_roots(path: Path, chain_id: int) -> list[Followed]:
    """The root contracts recorded for ``chain_id`` in the registry at ``path``.

    A registry without deployment blocks (written before they were recorded) is read from block
    0 on a local chain; elsewhere that would scan the whole chain, so it is an IndexerError."""
    registry = DeploymentRegistry.load(path)
    if str(chain_id) not in registry.chains:
        recorded = ", ".join(sorted(registry.chains)) or "none"
        raise IndexerError(
            f"{path} has no deployment for chain {chain_id} (it records chains: {recorded})"
        )
    record = registry.chains[str(chain_id)]
    roots: list[Followed] = []
    for name in ROOTS:
        known = record.contracts.get(name)
        if known is None:
            raise IndexerError(f"{path}: {name} is not deployed on chain {chain_id}")
        block = known.block
        if block is None:
            if chain_id not in LOCAL_CHAIN_IDS:
                raise IndexerError(
                    f"{path}: no deployment block recorded for {name} on chain {chain_id}; "
                    'add its "block" (the deploy script records it) or pass --from-block'
                )
            block = 0
        roots.append(Followed(to_checksum_address(known.address), name, name, block))
    return roots
