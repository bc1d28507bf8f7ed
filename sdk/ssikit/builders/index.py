"""Call arguments for creating an index."""

from __future__ import annotations

from ..core.index import IndexParams

CreateIndexArgs = tuple[str, str, list[tuple[bytes, int]], int, int, str, str]


def create_index_args(params: IndexParams) -> CreateIndexArgs:
    """The ``IIndexFactory.CreateIndexParams`` tuple for ``createIndex``."""
    return (
        params.name,
        params.symbol,
        params.basket.as_abi(),
        params.fee_rate,
        params.max_fee_rate,
        params.compiler,
        params.fee_recipient,
    )


def index_differences(
    params: IndexParams,
    name: str,
    max_fee_rate: int,
    basket: list[tuple[bytes, int]],
    basket_version: int,
) -> list[str]:
    """How an index already on chain (its ``name``, ``max_fee_rate`` {RAY per second}, stored
    ``basket`` of (asset id, precise units per token) and ``basket_version``) differs from the
    ``params`` a deployment asks for, one phrase each; empty when it is the same index. The
    basket is compared only at version 1: a rebalanced index has moved on by design."""
    found = []
    if name != params.name:
        found.append(f"name {name!r}, the config says {params.name!r}")
    if max_fee_rate != params.max_fee_rate:
        found.append(f"max fee rate {max_fee_rate}, the config says {params.max_fee_rate}")
    wanted = sorted((bytes(a), int(x)) for a, x in params.basket.as_abi())
    if basket_version == 1 and sorted((bytes(a), int(x)) for a, x in basket) != wanted:
        found.append("a different basket")
    return found
