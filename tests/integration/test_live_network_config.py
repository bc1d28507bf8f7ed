"""Ape reads ape-config.yaml's gas margin for live networks as meant (no connection needed)."""

from __future__ import annotations


def test_ethereum_sepolia__ape_multiplies_its_gas_estimate(networks):
    sepolia = networks.get_ecosystem("ethereum").get_network("sepolia")
    assert sepolia.auto_gas_multiplier >= 1.2


def test_ethereum_local__ape_keeps_the_block_gas_limit(networks):
    assert networks.get_ecosystem("ethereum").get_network("local").gas_limit == "max"
