"""Reserve feeds: one index's reserves of one asset as a Chainlink-style feed (``ReserveFeed``),
deployed, updated and read; and Chainlink's own ``EACAggregatorProxy`` (and ``MockV3Aggregator``)
from the artifacts ``make compile`` builds from npm ``@chainlink/contracts@0.8.0`` sources
(``tools/chainlink/build.js`` -> ``.build/chainlink``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.assets import Asset
from .artifacts import ROOT, artifact_container, container
from .deployments import ChainDeployments

CHAINLINK_BUILD = ROOT / ".build" / "chainlink"
CHAINLINK_CONTRACTS = ("EACAggregatorProxy", "MockV3Aggregator")
AGGREGATOR_ROUND_MASK = 2**64 - 1  # EACAggregatorProxy round id = phase_id << 64 | this part
ZERO = "0x0000000000000000000000000000000000000000"


@dataclass(frozen=True)
class FeedRound:
    """One round of a feed, as ``latestRoundData`` / ``getRoundData`` answer it."""

    round_id: int  # behind a proxy: phase_id << 64 | the feed's round id
    answer: int  # {asset base units}
    started_at: int  # {unix seconds} = updated_at for a ReserveFeed
    updated_at: int  # {unix seconds} as-of time of the oldest report counted
    answered_in_round: int

    @classmethod
    def from_abi(cls, values: Sequence[int]) -> FeedRound:
        round_id, answer, started_at, updated_at, answered_in_round = (int(v) for v in values)
        return cls(round_id, answer, started_at, updated_at, answered_in_round)


def chainlink_container(name: str, build: Path = CHAINLINK_BUILD) -> Any:
    """``EACAggregatorProxy`` or ``MockV3Aggregator``, built by ``make compile``."""
    if name not in CHAINLINK_CONTRACTS:
        raise KeyError(
            f"{name!r} is not one of the Chainlink contracts built ({CHAINLINK_CONTRACTS})"
        )
    path = build / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `make compile`")
    return artifact_container(name, path)


def deploy_chainlink_proxy(aggregator: Any, sender: Any) -> Any:
    """Chainlink's ``EACAggregatorProxy`` over ``aggregator``, phase 1, no access controller
    (anyone may read), owned by ``sender``."""
    return chainlink_container("EACAggregatorProxy").deploy(aggregator, ZERO, sender=sender)


def feed_description(asset: Asset, index_symbol: str) -> str:
    return f"{asset.symbol} reserves of {index_symbol} (ssikit)"


def deploy_reserve_feed(source: Any, index: Any, asset: Asset, sender: Any) -> Any:
    """A ``ReserveFeed`` of ``index``'s reserves of ``asset``, read from ``source`` (the reserve
    oracle, or any ``IReserveSource``)."""
    return container("ReserveFeed").deploy(
        source,
        index,
        asset.id,
        asset.decimals,
        feed_description(asset, index.symbol()),
        sender=sender,
    )


def feed_record_name(index_symbol: str, asset_symbol: str) -> str:
    """The name a feed is recorded under in the deployments registry."""
    return f"ReserveFeed.{index_symbol}.{asset_symbol}"


def recorded_feeds(record: ChainDeployments, index_symbols: Iterable[str]) -> list[Any]:
    """The recorded feeds of these indices (every asset), as ``ReserveFeed`` instances."""
    prefixes = tuple(feed_record_name(symbol, "") for symbol in index_symbols)
    return [
        container("ReserveFeed").at(deployed.address)
        for name, deployed in sorted(record.contracts.items())
        if name.startswith(prefixes)
    ]


def update_feed(feed: Any, sender: Any) -> FeedRound | None:
    """Calls ``update()``; the round it recorded, or None when the reserves had not changed."""
    receipt = feed.update(sender=sender)
    if not receipt.decode_logs(feed.AnswerUpdated):
        return None
    return latest_round(feed)


def latest_round(feed: Any) -> FeedRound | None:
    """The latest round of a feed or of a proxy over it, or None before the first (where
    ``latestRoundData`` reverts; a proxy's ``latestRound`` is then ``phase_id << 64``)."""
    if int(feed.latestRound()) & AGGREGATOR_ROUND_MASK == 0:
        return None
    return FeedRound.from_abi(feed.latestRoundData())
