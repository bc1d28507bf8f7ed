"""The deployments registry: contract addresses per chain id, in one JSON file.

Written after every step of a deployment, so an interrupted deployment resumes where it stopped.
Each chain's record also keeps the chain's genesis block hash: a chain id alone does not name a
chain (every fresh Anvil is 31337), so a file written for an Anvil since restarted is noticed.
This module does file I/O only (no chain), so it is tested without Anvil.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from ..core.errors import DeploymentError

DEFAULT_PATH = Path("deployments.json")


class Deployed(BaseModel):
    address: str
    tx_hash: str | None = None
    block: int | None = None


class ChainDeployments(BaseModel):
    genesis: str | None = Field(
        default=None, description="hash of the chain's block 0 (0x hex); absent in older files"
    )
    contracts: dict[str, Deployed] = Field(default_factory=dict)
    indices: dict[str, Deployed] = Field(default_factory=dict)
    assets: dict[str, str] = Field(default_factory=dict, description="symbol -> asset id hex")

    def check_genesis(self, chain_id: int, genesis: str, path: Path) -> None:
        """DeploymentError if this record names another chain than the one whose block 0 hash is
        ``genesis`` (a record without a genesis, from an older file, is not checked here)."""
        if self.genesis is not None and self.genesis.lower() != genesis.lower():
            raise DeploymentError(
                f"{path} was written for another chain {chain_id} (genesis "
                f"{_short(self.genesis)}, now {_short(genesis)}): redeploy or remove it"
            )


def _short(hash_hex: str) -> str:
    return f"{hash_hex[:10]}…"


class DeploymentRegistry(BaseModel):
    """``{"chains": {"<chain id>": {...}}}``."""

    chains: dict[str, ChainDeployments] = Field(default_factory=dict)

    def for_chain(self, chain_id: int) -> ChainDeployments:
        return self.chains.setdefault(str(chain_id), ChainDeployments())

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> DeploymentRegistry:
        if not path.exists():
            return cls()
        try:
            return cls.model_validate_json(path.read_text())
        except (ValidationError, json.JSONDecodeError) as err:
            raise DeploymentError(f"{path}: not a deployments registry: {err}") from err

    def save(self, path: Path = DEFAULT_PATH) -> None:
        """Writes atomically (temp file + rename) so a crash never leaves half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            f.write(self.model_dump_json(indent=2, exclude_none=True))
            f.write("\n")
        os.replace(tmp, path)
