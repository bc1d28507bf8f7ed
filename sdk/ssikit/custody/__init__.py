"""Custody: the interface to a custodian's systems (``adapter``), a custody chain to hold and
move assets on (``chain``), and the adapter for it (``evm``). The wallet-file adapter for
assets with no chain here is ``bots.custodian.WalletFileCustody``."""

from .adapter import CompositeCustody, CustodyAdapter, Delivery, DeliveryStatus
from .errors import CustodyError, CustodyUnavailableError

__all__ = [
    "CompositeCustody",
    "CustodyAdapter",
    "CustodyError",
    "CustodyUnavailableError",
    "Delivery",
    "DeliveryStatus",
]
