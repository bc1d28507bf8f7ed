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
