"""The indexer's pure parts (no chain): log decoding, the deployment roots, the store's refusals
and the read-model arithmetic."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from ssikit.chain.deployments import Deployed, DeploymentRegistry
from ssikit.core.basket import pack_basket
from ssikit.core.units import RAY
from ssikit.indexer import (
    DatabaseUnreachableError,
    IndexerError,
    ReserveAccount,
    Store,
    StoreMismatchError,
    deployment_roots,
)
from ssikit.indexer.abi import event_types
from ssikit.indexer.contracts import ROOTS
from ssikit.indexer.models import UINT256_MAX, IndexState, coverage_of
from ssikit.indexer.projections import decode_packed_basket

REPORTED_ABI = {
    "type": "event",
    "name": "ReserveReported",
    "inputs": [
        {"name": "custodian", "type": "address", "indexed": True},
        {"name": "sequence", "type": "uint64", "indexed": True},
        {"name": "asOf", "type": "uint40", "indexed": False},
        {"name": "attestation", "type": "bytes32", "indexed": False},
        {
            "name": "holdings",
            "type": "tuple[]",
            "indexed": False,
            "components": [
                {"name": "index", "type": "address"},
                {"name": "assetId", "type": "bytes32"},
                {"name": "balance", "type": "uint128"},
            ],
        },
    ],
}
CUSTODIAN = to_checksum_address("0x" + "ab" * 20)
INDEX = to_checksum_address("0x" + "cd" * 20)


def test_decode__indexed_topics_and_tuple_array__named_and_checksummed():
    (topic, event), *_ = event_types("ReserveOracle", [REPORTED_ABI]).items()
    signature = "ReserveReported(address,uint64,uint40,bytes32,(address,bytes32,uint128)[])"
    assert topic == keccak(text=signature)
    data = encode(
        ["uint40", "bytes32", "(address,bytes32,uint128)[]"],
        [1_700_000_000, b"\x01" * 32, [(INDEX, b"\x02" * 32, 2**128 - 1)]],
    )
    topics = [topic, encode(["address"], [CUSTODIAN]), encode(["uint64"], [9])]

    args = event.decode(topics, data)

    assert args == {
        "custodian": CUSTODIAN,
        "sequence": 9,
        "asOf": 1_700_000_000,
        "attestation": "0x" + "01" * 32,
        "holdings": [{"index": INDEX, "assetId": "0x" + "02" * 32, "balance": 2**128 - 1}],
    }


def test_decode__wrong_topic_count__named_error():
    (_, event), *_ = event_types("ReserveOracle", [REPORTED_ABI]).items()
    with pytest.raises(IndexerError, match="topics"):
        event.decode([event.topic], b"")


def test_packed_basket__as_basket_codec_packs_it():
    components = [(b"\x01" * 32, 5 * 10**17), (b"\x02" * 32, 2**159)]
    assert decode_packed_basket("0x" + pack_basket(components).hex()) == [
        ["0x" + "01" * 32, 5 * 10**17],
        ["0x" + "02" * 32, 2**159],
    ]


def _registry(tmp_path, chain_id, block):
    path = tmp_path / "deployments.json"
    registry = DeploymentRegistry()
    record = registry.for_chain(chain_id)
    for i, name in enumerate(ROOTS):
        record.contracts[name] = Deployed(address="0x" + f"{i + 1:02x}" * 20, block=block)
    registry.save(path)
    return path


def test_roots__from_each_recorded_block(tmp_path):
    roots = deployment_roots(_registry(tmp_path, 11155111, 7_000_123), 11155111)
    assert [(r.contract, r.from_block) for r in roots] == [
        ("Issuer", 7_000_123),
        ("ReserveOracle", 7_000_123),
        ("IndexFactory", 7_000_123),
        ("CustodyVault", 7_000_123),
        ("VersionRegistry", 7_000_123),
    ]


def test_roots__another_chain__names_the_chains_recorded(tmp_path):
    path = _registry(tmp_path, 11155111, 5)
    with pytest.raises(IndexerError, match=r"no deployment for chain 31337 .*chains: 11155111"):
        deployment_roots(path, 31337)


def test_roots__no_block_recorded__block_0_on_a_local_chain_only(tmp_path):
    local = _registry(tmp_path, 31337, None)
    assert {r.from_block for r in deployment_roots(local, 31337)} == {0}
    live = _registry(tmp_path, 84532, None)
    with pytest.raises(IndexerError, match="no deployment block recorded for Issuer"):
        deployment_roots(live, 84532)


def test_store__unreachable_url__one_line_without_the_password():
    with pytest.raises(DatabaseUnreachableError) as err:
        Store("postgresql+psycopg://user:hunter2@127.0.0.1:1/none")
    message = str(err.value)
    assert message.startswith("cannot reach the database postgresql+psycopg://user:***@")
    assert "hunter2" not in message and "\n" not in message


def test_store__not_a_url__named_error():
    with pytest.raises(DatabaseUnreachableError, match="not a database URL"):
        Store("index.sqlite")


def test_store__bound_to_one_chain__refuses_another(tmp_path):
    url = f"sqlite:///{tmp_path / 'index.sqlite'}"
    Store(url).bind(31337, "0xIssuer")
    Store(url).bind(31337, "0xIssuer")  # the same chain and deployment: fine
    with pytest.raises(StoreMismatchError, match="indexes chain 31337, not 1"):
        Store(url).bind(1, "0xIssuer")


def _account(**overrides):
    values = dict(
        index=INDEX,
        asset_id=b"\x02" * 32,
        opened=True,
        max_age=100,
        token=None,
        reserves=1_000,
        as_of=50,
        custodians={},
    )
    return ReserveAccount(**{**values, **overrides})


def test_coverage__as_the_oracle__ratio_age_and_freshness():
    # liability = ceil(stored × units / 1e36) = ceil(3e17 × 3e18 / 1e36) = 1 (0.9 rounded up)
    covered = coverage_of(_account(), 3 * 10**17, 3 * 10**18, now=150)
    assert (covered.liabilities, covered.ratio, covered.age, covered.fresh) == (
        1,
        1_000 * 10**18,
        100,
        True,
    )
    stale = coverage_of(_account(), 3 * 10**17, 3 * 10**18, now=151)
    assert not stale.fresh and not stale.covered
    nothing = coverage_of(_account(as_of=0, reserves=0), 10**18, 0, now=10)
    assert (nothing.ratio, nothing.age, nothing.fresh) == (UINT256_MAX, UINT256_MAX, False)


def test_index_state__fee_factor_decays_from_the_checkpoint():
    state = IndexState(
        address=INDEX,
        symbol="X",
        name="X",
        created_block=1,
        basket_version=1,
        basket=[],
        backing_units=10**18,
        supply=10**18,
        fee_rate=10**18,  # {RAY per second}: 1e-9 a second
        max_fee_rate=10**18,
        fee_factor_checkpoint=RAY,
        fee_checkpoint=1_000,
        fees_collected=0,
        mint_fee_bps=None,
        redeem_fee_bps=None,
        mint_paused=False,
        breaker_tripped=False,
        redeem_paused_until=0,
        limits=None,
        pending_proposal=None,
    )
    assert state.fee_factor(1_000) == RAY
    assert state.fee_factor(1_001) == RAY - 10**18
    assert state.fee_share(1_000) == 0
    assert state.fee_share(1_001) > 0
