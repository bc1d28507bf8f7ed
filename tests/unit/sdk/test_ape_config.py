"""ape-config.yaml's settings for live networks, read as the file says them (no Ape, no chain)."""

from __future__ import annotations

from pathlib import Path

import yaml

CONFIG = Path(__file__).resolve().parents[3] / "ape-config.yaml"


def _config() -> dict:
    return yaml.safe_load(CONFIG.read_text())


def test_ape_config__ethereum_sepolia__sends_a_gas_margin_over_the_estimate():
    gas_limit = _config()["ethereum"]["sepolia"]["gas_limit"]
    assert gas_limit["auto"]["multiplier"] >= 1.2


def test_ape_config__local_network__keeps_apes_default_gas_limit():
    assert "gas_limit" not in (_config()["ethereum"]["local"] or {})


def test_ape_config__base_sepolia__no_margin_in_a_form_ape_would_drop():
    """Without the ape-base plugin Ape leaves ``base``'s ``gas_limit: {auto: ...}`` a dict that
    sets no gas limit at all (see the comment in ape-config.yaml); until that plugin is in the
    install, no such entry may be there."""
    base = _config().get("base") or {}
    assert "gas_limit" not in (base.get("sepolia") or {})
