"""Custodian reserve reports: from a JSON file of wallet balances to a signed EIP-712 report.

The wallet file lists, per wallet, the index it is segregated for (by symbol or address), the
asset (by symbol or id), the address and the balance in base units. The report carries one
total per (index, asset) reserve account and, as attestation, the keccak256 of the canonical JSON
of the wallet list: anyone given the file can check it against the chain. A wallet backs one
index, so the same coins can never be reported for two.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.errors import SsikitError
from .eip712 import digest, typed_message

ORACLE_DOMAIN_NAME = "ssikit ReserveOracle"
MAX_BALANCE = 2**128 - 1


class ReportError(SsikitError, ValueError):
    """A wallet file or report is invalid (unknown asset, negative balance, bad field)."""


class Wallet(BaseModel):
    model_config = ConfigDict(frozen=True)

    index: str = Field(min_length=1, description="index symbol known to the caller, or address")
    asset: str = Field(description="asset symbol known to the caller, or 0x asset id")
    address: str = Field(min_length=1, description="the wallet on the asset's own chain")
    balance: int = Field(ge=0, le=MAX_BALANCE, description="{base units}")


class WalletFile(BaseModel):
    """What a custodian's back office exports: its wallets and their balances at ``as_of``."""

    custodian: str
    as_of: int | None = Field(
        default=None, gt=0, lt=2**40, description="{unix seconds}; omitted: the time of posting"
    )
    wallets: list[Wallet] = Field(min_length=1)
    # The custody service's own ledgers, kept in the same file and NOT covered by the
    # attestation (which hashes the wallet list only): what a WLP delivered for a mint request
    # (request id 0x.. -> asset -> base units) and the payouts made for a redemption
    # (request id 0x.. -> asset -> payout reference 0x..), so a restart never pays twice.
    deliveries: dict[str, dict[str, int]] = Field(default_factory=dict)
    payouts: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("custodian")
    @classmethod
    def _address(cls, value: str) -> str:
        return to_checksum_address(value)

    @classmethod
    def load(cls, path: Path) -> WalletFile:
        try:
            return cls.model_validate_json(path.read_text())
        except (OSError, ValueError) as err:
            raise ReportError(f"{path}: {err}") from err

    def attestation(self) -> bytes:
        """keccak256 of the canonical JSON (sorted keys, no spaces) of the wallet list."""
        wallets = sorted(
            (w.model_dump() for w in self.wallets),
            key=lambda w: (w["index"], w["asset"], w["address"]),
        )
        return keccak(text=json.dumps(wallets, sort_keys=True, separators=(",", ":")))


class ReserveReport(BaseModel):
    """``IReserveOracle.ReserveReport``."""

    model_config = ConfigDict(frozen=True)

    custodian: str
    sequence: int = Field(gt=0, lt=2**64)
    as_of: int = Field(gt=0, lt=2**40)
    attestation: bytes
    holdings: tuple[tuple[str, bytes, int], ...] = Field(
        min_length=1, description="(index address, asset id, balance {base units})"
    )

    def as_abi(self) -> tuple[str, int, int, bytes, list[tuple[str, bytes, int]]]:
        return (self.custodian, self.sequence, self.as_of, self.attestation, list(self.holdings))


def _index_address(wallet: Wallet, indices: Mapping[str, str]) -> str:
    if wallet.index in indices:
        return to_checksum_address(indices[wallet.index])
    if wallet.index.startswith("0x") and len(wallet.index) == 42:
        return to_checksum_address(wallet.index)
    raise ReportError(f"wallet {wallet.address}: unknown index {wallet.index!r}")


def _asset_id(wallet: Wallet, asset_ids: Mapping[str, bytes]) -> bytes:
    if wallet.asset.startswith("0x") and len(wallet.asset) == 66:
        return bytes.fromhex(wallet.asset[2:])
    if wallet.asset in asset_ids:
        return asset_ids[wallet.asset]
    raise ReportError(f"wallet {wallet.address}: unknown asset {wallet.asset!r}")


def build_report(
    wallets: WalletFile,
    asset_ids: Mapping[str, bytes],
    sequence: int,
    now: int | None = None,
    indices: Mapping[str, str] | None = None,
) -> ReserveReport:
    """Sums the wallets per (index, asset) reserve account into a report. ``asset_ids`` maps
    symbols to ids and ``indices`` index symbols to addresses; ``now`` is the as-of time when the
    file gives none."""
    as_of = wallets.as_of or now
    if as_of is None:
        raise ReportError("the wallet file has no as_of and no time was given")
    totals: dict[tuple[str, bytes], int] = defaultdict(int)
    for wallet in wallets.wallets:
        key = (_index_address(wallet, indices or {}), _asset_id(wallet, asset_ids))
        totals[key] += wallet.balance
    for (index, asset_id), total in totals.items():
        if total > MAX_BALANCE:
            raise ReportError(
                f"{index} asset 0x{asset_id.hex()}: total {total} does not fit uint128"
            )
    return ReserveReport(
        custodian=wallets.custodian,
        sequence=sequence,
        as_of=as_of,
        attestation=wallets.attestation(),
        holdings=tuple((i, a, b) for (i, a), b in sorted(totals.items())),
    )


def report_typed_data(report: ReserveReport, chain_id: int, oracle: str) -> dict[str, Any]:
    types = {
        "ReserveReport": [
            {"name": "custodian", "type": "address"},
            {"name": "sequence", "type": "uint64"},
            {"name": "asOf", "type": "uint40"},
            {"name": "attestation", "type": "bytes32"},
            {"name": "holdings", "type": "Holding[]"},
        ],
        "Holding": [
            {"name": "index", "type": "address"},
            {"name": "assetId", "type": "bytes32"},
            {"name": "balance", "type": "uint128"},
        ],
    }
    message = {
        "custodian": report.custodian,
        "sequence": report.sequence,
        "asOf": report.as_of,
        "attestation": report.attestation,
        "holdings": [{"index": i, "assetId": a, "balance": b} for i, a, b in report.holdings],
    }
    return typed_message(ORACLE_DOMAIN_NAME, chain_id, oracle, "ReserveReport", types, message)


def report_digest(report: ReserveReport, chain_id: int, oracle: str) -> bytes:
    return digest(report_typed_data(report, chain_id, oracle))


def sign_report(report: ReserveReport, chain_id: int, oracle: str, private_key: Any) -> bytes:
    """65-byte signature (r ‖ s ‖ v) of the report by ``private_key``."""
    message = encode_typed_data(full_message=report_typed_data(report, chain_id, oracle))
    signed = Account.sign_message(message, private_key)
    return bytes(signed.signature)
