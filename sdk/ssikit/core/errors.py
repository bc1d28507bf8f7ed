"""Errors the SDK raises for bad input, each named for its domain and condition."""

from __future__ import annotations


class SsikitError(Exception):
    """Base class of every error ssikit raises on purpose."""


class BasketError(SsikitError, ValueError):
    """A basket breaks a rule the contracts enforce (size, order, duplicates, zero amounts)."""


class AssetError(SsikitError, ValueError):
    """An asset description is invalid (empty field, decimals above 36, unknown asset)."""


class FeeError(SsikitError, ValueError):
    """A fee rate is negative, above its cap or above the protocol's ceiling, or an elapsed time
    is beyond the fee decay's range."""


class DeploymentError(SsikitError):
    """The deployments registry is unreadable, or a recorded contract is missing."""


class RebalanceError(SsikitError, ValueError):
    """A rebalance the contracts would refuse, or one the plan cannot be built for; ``rule``
    names the IndexToken error it mirrors (e.g. ``RebalanceValueChanged``) where there is one."""

    def __init__(self, message: str, rule: str = "") -> None:
        super().__init__(message)
        self.rule = rule
