"""Solvency across indices: for every asset, what every index owes against what is attributed to
it in the oracle's reserve accounts. The chain enforces coverage index by index (each index's
accounts cover its own liabilities at every confirmed mint and activation); this read model sums
over indices, the figure the protocol's promise is about."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .protocol import Protocol


@dataclass(frozen=True)
class AssetSolvency:
    asset_id: bytes
    reserves: int  # {base units} Σ over indices of the reserves attributed to each
    liabilities: int  # {base units} Σ over indices of what each owes (holders + fee recipient)
    indices: tuple[str, ...]  # the indices holding the asset

    @property
    def covered(self) -> bool:
        return self.reserves >= self.liabilities

    def as_dict(self, symbol: str | None = None) -> dict[str, Any]:
        return {
            "asset_id": "0x" + self.asset_id.hex(),
            "symbol": symbol,
            "reserves": str(self.reserves),
            "liabilities": str(self.liabilities),
            "ratio": None if self.liabilities == 0 else self.reserves / self.liabilities,
            "covered": self.covered,
            "indices": list(self.indices),
        }


def solvency(protocol: Protocol, tokens: list[Any]) -> list[AssetSolvency]:
    """Per asset held by any of ``tokens``: Σ reserves against Σ liabilities over those indices."""
    totals: dict[bytes, list[Any]] = {}
    for token in tokens:
        for row in protocol.oracle.coverage(token):
            entry = totals.setdefault(bytes(row.assetId), [0, 0, []])
            entry[0] += int(row.reserves)
            entry[1] += int(row.liabilities)
            entry[2].append(token.symbol())
    return [
        AssetSolvency(asset_id, reserves, owed, tuple(indices))
        for asset_id, (reserves, owed, indices) in sorted(totals.items())
    ]
