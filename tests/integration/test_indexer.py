"""The event indexer against Anvil: a real mint and redemption indexed into SQLite and into a
PostgreSQL server the tests start; its read models equal the contracts' current views; it
resumes from its cursor, rewinds a reorg, keeps to its page size and halves refused ranges."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from typing import Any

import pytest
from click.testing import CliRunner
from web3 import Web3
from web3.providers import HTTPProvider
from web3.providers.base import BaseProvider

from ssikit.chain.issuance import STATUS
from ssikit.cli.main import cli
from ssikit.core.units import INDEX_UNIT
from ssikit.indexer import (
    Indexer,
    RangeRefusedError,
    ReorgTooDeepError,
    StoreMismatchError,
)

REFS7 = [bytes([i]) * 32 for i in range(1, 8)]
MINTED = 10 * INDEX_UNIT
REDEEMED = 4 * INDEX_UNIT


class RecordingProvider(BaseProvider):
    """Test double: passes every request to the node, records each eth_getLogs range, and
    refuses (as public RPCs do, with a JSON-RPC error) ranges longer than ``max_range``."""

    def __init__(self, inner: HTTPProvider, max_range: int | None = None) -> None:
        super().__init__()
        self.inner = inner
        self.max_range = max_range
        self.served: list[tuple[int, int]] = []
        self.addresses: list[list[str]] = []  # of each served query
        self.refused: list[tuple[int, int]] = []
        self.calls: list[str] = []

    def make_request(self, method: Any, params: Any) -> Any:
        self.calls.append(str(method))
        if method == "eth_getLogs":
            query = params[0]
            lo, hi = (
                int(query[k], 16) if isinstance(query[k], str) else int(query[k])
                for k in ("fromBlock", "toBlock")
            )
            if self.max_range is not None and hi - lo + 1 > self.max_range:
                self.refused.append((lo, hi))
                message = f"query exceeds max block range {self.max_range}"
                return {"jsonrpc": "2.0", "id": 1, "error": {"code": -32005, "message": message}}
            self.served.append((lo, hi))
            self.addresses.append([str(a).lower() for a in query["address"]])
        return self.inner.make_request(method, params)

    def is_connected(self, show_traceback: bool = False) -> bool:
        return True


@pytest.fixture
def node_url(chain: Any) -> str:
    return str(chain.provider.web3.provider.endpoint_uri)


@pytest.fixture
def recorded(node_url: str) -> Any:
    """make(max_range=None) -> (Web3 over a RecordingProvider, the provider)."""

    def make(max_range: int | None = None) -> tuple[Web3, RecordingProvider]:
        provider = RecordingProvider(HTTPProvider(node_url), max_range)
        return Web3(provider), provider

    return make


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: Any, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'index.sqlite'}"
    return str(request.getfixturevalue("postgres_server")())


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    return f"sqlite:///{tmp_path / 'index.sqlite'}"


@pytest.fixture
def open_indexer(chain: Any, deployments_file: Any) -> Any:
    """open_indexer(url, web3=None, **options) -> Indexer of the session's deployment."""
    made: list[Indexer] = []

    def make(url: str, web3: Web3 | None = None, **options: Any) -> Indexer:
        indexer = Indexer.for_deployment(
            web3 or chain.provider.web3, deployments_file, url, **options
        )
        made.append(indexer)
        return indexer

    yield make
    for indexer in made:
        indexer.close()


@pytest.fixture
def mint_flow(index: Any, mint_request: Any, cover: Any, issuer_contract: Any, custodian: Any):
    """flow() -> the mint request, acknowledged then confirmed."""

    def flow() -> Any:
        request, _ = mint_request(index, MINTED)
        issuer_contract.acknowledgeMint(request.as_abi(), REFS7, sender=custodian)
        # A margin: the request's fee factor is a few seconds older than the one cover() reads.
        cover(index, MINTED, margin=Fraction(1001, 1000))
        issuer_contract.confirmMint(request.as_abi(), [], sender=custodian)
        return request

    return flow


@pytest.fixture
def redeem_flow(
    index: Any, mint_request: Any, accept_redeem: Any, issuer_contract: Any, custodian: Any
):
    """flow() -> (the redeem request, its settlement), accepted then confirmed."""

    def flow() -> Any:
        request, _ = mint_request(index, REDEEMED, is_mint=False)
        settlement = accept_redeem(request)
        issuer_contract.confirmRedeem(
            request.as_abi(), settlement.as_abi(), REFS7, sender=custodian
        )
        return request, settlement

    return flow


def _assert_matches_chain(indexer: Indexer, index: Any, issuer: Any, oracle: Any, chain: Any):
    """Every read model against the contracts' views at the head."""
    requests = indexer.requests(index=index.symbol())
    assert requests, "no request indexed"
    for tracked in requests:
        on_chain = STATUS[int(issuer.statusOf(tracked.request.requester, tracked.request.nonce))]
        assert tracked.status == on_chain, tracked.id.hex()
    state = indexer.index_state(index.symbol())
    assert state.address == index.address
    assert state.supply == index.totalSupply() == indexer.supply(index.address)
    assert state.backing_units == index.backingUnits()
    assert state.basket_version == index.basketVersion()
    stored, factor, *_ = index.basketState()
    assert state.basket == [(bytes(a), int(x)) for a, x in stored]
    now = chain.blocks.head.timestamp
    assert state.fee_factor(now) == factor
    assert (state.mint_fee_bps, state.redeem_fee_bps) == tuple(issuer.fees(index))
    for asset, _ in state.basket:
        assert (
            indexer.reserves(index.symbol(), asset).reserves == oracle.reservesOf(index, asset)[0]
        )
    expected = [
        (bytes(c.assetId), int(c.reserves), int(c.liabilities), int(c.ratio), int(c.age), c.fresh)
        for c in oracle.coverage(index)
    ]
    got = [
        (c.asset_id, c.reserves, c.liabilities, c.ratio, c.age, c.fresh)
        for c in indexer.coverage(index.symbol(), now=now)
    ]
    assert got == expected


def test_sync__mint_and_redeem__read_models_equal_the_chain(
    db_url, open_indexer, mint_flow, redeem_flow, index, issuer_contract, oracle, chain, wlp
):
    minted = mint_flow()
    redeemed, settlement = redeem_flow()
    indexer = open_indexer(db_url)

    result = indexer.sync()

    assert result.cursor == chain.blocks.head.number
    by_id = {r.request.nonce: r for r in indexer.requests(requester=wlp.address)}
    mint, redeem = by_id[minted.nonce], by_id[redeemed.nonce]
    assert (mint.status, mint.is_mint, mint.request) == ("confirmed", True, minted)
    assert [h[0] for h in mint.history] == ["mint pending", "mint acknowledged", "confirmed"]
    assert mint.refs == REFS7  # acknowledged with the refs, confirmed with none
    assert mint.minted is not None and mint.fee is not None
    assert mint.minted + mint.fee == MINTED
    assert [h[0] for h in redeem.history] == ["redeem pending", "redeem accepted", "confirmed"]
    assert redeem.settlement == settlement
    assert indexer.requests(status="redeem pending") == []
    _assert_matches_chain(indexer, index, issuer_contract, oracle, chain)


def test_sync__fee_accrued_and_collected__fee_state_and_supply_equal_the_chain(
    sqlite_url,
    open_indexer,
    mint_flow,
    index,
    fee_recipient,
    stranger,
    issuer_contract,
    oracle,
    chain,
):
    mint_flow()
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 10 * 86_400)
    index.accrueFee(sender=stranger)
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 20 * 86_400)
    receipt = index.collectFees(fee_recipient, sender=fee_recipient)
    collected = int(receipt.decode_logs(index.FeesCollected)[0].amount)
    indexer = open_indexer(sqlite_url)

    indexer.sync()

    state = indexer.index_state(index.address)
    assert collected > 0 and state.fees_collected == collected
    accrued = indexer.events(name="FeeAccrued", address=index.address)
    assert accrued, "accrueFee's checkpoint was not indexed"
    assert state.fee_checkpoint == accrued[-1].args["timestamp"] > state.created_block
    assert state.fee_share(chain.blocks.head.timestamp) == index.feeShare()
    _assert_matches_chain(indexer, index, issuer_contract, oracle, chain)


def test_sync__restart__a_new_indexer_reads_only_the_new_blocks(
    sqlite_url,
    open_indexer,
    recorded,
    mint_flow,
    redeem_flow,
    index,
    issuer_contract,
    oracle,
    chain,
):
    mint_flow()
    first = open_indexer(sqlite_url)
    cursor = first.sync().cursor
    first.close()
    redeem_flow()
    web3, provider = recorded()

    again = open_indexer(sqlite_url, web3)
    result = again.sync()

    assert result.start == cursor + 1
    assert provider.served and min(lo for lo, _ in provider.served) == cursor + 1
    assert result.blocks == chain.blocks.head.number - cursor
    assert again.requests(is_mint=False)[0].status == "confirmed"
    _assert_matches_chain(again, index, issuer_contract, oracle, chain)


def test_sync__page_size__no_range_longer_and_every_block_read_once(
    sqlite_url, open_indexer, recorded, mint_flow, issuer_contract, chain
):
    mint_flow()
    chain.mine(40)
    web3, provider = recorded()
    indexer = open_indexer(sqlite_url, web3, page_size=7)

    result = indexer.sync()

    assert provider.served and all(hi - lo + 1 <= 7 for lo, hi in provider.served)
    issuer = issuer_contract.address.lower()
    # The page queries (the ones for every followed contract; a discovered index's first
    # query covers only the rest of its page) are contiguous, from the deployment to the head.
    pages = sorted(
        r for r, a in zip(provider.served, provider.addresses, strict=True) if issuer in a
    )
    assert pages[0][0] == indexer.start_block
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(pages))
    assert pages[-1][1] == chain.blocks.head.number
    assert result.pages == len(pages) > 40 // 7
    assert len(provider.served) > len(pages)  # the IndexToken was found and read from its block


def test_sync__confirmations__stays_that_far_behind_the_head(sqlite_url, open_indexer, chain):
    chain.mine(5)
    indexer = open_indexer(sqlite_url, confirmations=3)

    result = indexer.sync()

    assert result.cursor == chain.blocks.head.number - 3


def test_sync__rpc_refuses_long_ranges__halves_and_indexes_the_same(
    sqlite_url,
    tmp_path,
    open_indexer,
    recorded,
    mint_flow,
    redeem_flow,
    index,
    issuer_contract,
    oracle,
    chain,
):
    mint_flow()
    redeem_flow()
    web3, provider = recorded(max_range=5)
    indexer = open_indexer(sqlite_url, web3, page_size=64)

    indexer.sync()

    assert provider.refused, "the double never refused: the test proves nothing"
    assert all(hi - lo + 1 <= 5 for lo, hi in provider.served)
    _assert_matches_chain(indexer, index, issuer_contract, oracle, chain)
    plain = open_indexer(f"sqlite:///{tmp_path / 'plain.sqlite'}")
    plain.sync()
    assert [r.status for r in indexer.requests()] == [r.status for r in plain.requests()]
    assert len(indexer.events()) == len(plain.events())


def test_sync__rpc_refuses_even_one_block__one_clear_error(sqlite_url, open_indexer, recorded):
    web3, _ = recorded(max_range=0)
    indexer = open_indexer(sqlite_url, web3)

    with pytest.raises(RangeRefusedError, match="even for the single block"):
        indexer.sync()


def _rpc(chain: Any, method: str, *params: Any) -> Any:
    return chain.provider.web3.provider.make_request(method, list(params))["result"]


def test_sync__reorg__rewinds_to_the_common_block_and_follows_the_new_branch(
    sqlite_url, open_indexer, index, mint_request, cover, issuer_contract, custodian, chain
):
    request, _ = mint_request(index, MINTED)
    indexer = open_indexer(sqlite_url)
    indexer.sync()
    fork = chain.blocks.head.number
    snapshot = _rpc(chain, "evm_snapshot")
    issuer_contract.acknowledgeMint(request.as_abi(), REFS7, sender=custodian)
    cover(index, MINTED, margin=Fraction(1001, 1000))
    issuer_contract.confirmMint(request.as_abi(), [], sender=custodian)
    indexer.sync()
    assert indexer.requests()[-1].status == "confirmed"
    assert indexer.supply(index.address) > 0
    old_cursor = indexer.cursor

    assert _rpc(chain, "evm_revert", snapshot)
    issuer_contract.reject(request.as_abi(), True, 7, sender=custodian)
    chain.mine(5)  # the new branch is longer than the old one
    result = indexer.sync()

    assert [(r.cursor, r.ancestor) for r in result.reorgs] == [(old_cursor, fork)]
    tracked = indexer.requests()[-1]
    assert (tracked.status, tracked.reject_reason) == ("rejected", 7)
    assert indexer.supply(index.address) == index.totalSupply() == 0
    assert result.cursor == chain.blocks.head.number
    assert not [e for e in indexer.events(name="MintConfirmed") if e.block > fork]


def test_sync__reorg_deeper_than_the_window__named_error(
    sqlite_url, open_indexer, index, mint_request, chain
):
    indexer = open_indexer(sqlite_url, reorg_window=2)
    chain.mine(5)
    snapshot = _rpc(chain, "evm_snapshot")
    chain.mine(6)
    indexer.sync()
    assert _rpc(chain, "evm_revert", snapshot)
    mint_request(index, MINTED)
    chain.mine(8)

    with pytest.raises(ReorgTooDeepError, match="deeper than the 2-block reorg window"):
        indexer.sync()


def test_indexer__database_of_another_deployment__refused(
    sqlite_url, open_indexer, deployments_file
):
    open_indexer(sqlite_url).sync()
    registry = json.loads(deployments_file.read_text())
    chain_record = next(iter(registry["chains"].values()))
    chain_record["contracts"]["Issuer"]["address"] = "0x" + "11" * 20
    other = deployments_file.parent / "other.json"
    other.write_text(json.dumps(registry))
    from ape import chain

    with pytest.raises(StoreMismatchError, match="another deployment"):
        Indexer.for_deployment(chain.provider.web3, other, sqlite_url)


# ------------------------------------------------------------------ CLI
def test_cli_run_once_then_status__json(sqlite_url, deployments_file, mint_flow, chain):
    mint_flow()
    runner = CliRunner()
    args = ["--registry", str(deployments_file), "--db", sqlite_url, "--json"]

    text = runner.invoke(cli, ["indexer", "run", "--once", "--page-size", "50", *args[:-1]])
    ran = runner.invoke(cli, ["indexer", "run", "--once", "--page-size", "50", *args])
    status = runner.invoke(cli, ["indexer", "status", *args])

    assert text.exit_code == 0, text.output
    assert f"indexed to block {chain.blocks.head.number}" in text.output

    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.output)["cursor"] == chain.blocks.head.number
    assert status.exit_code == 0, status.output
    data = json.loads(status.output)
    assert data["behind"] == 0 and data["requests"] == {"confirmed": 1}


def test_cli_run__deployment_file_of_another_chain__one_line(
    sqlite_url, tmp_path, deployments_file
):
    registry = json.loads(deployments_file.read_text())
    other = tmp_path / "sepolia.json"
    other.write_text(json.dumps({"chains": {"11155111": next(iter(registry["chains"].values()))}}))

    ran = CliRunner().invoke(
        cli, ["indexer", "run", "--once", "--registry", str(other), "--db", sqlite_url]
    )

    assert ran.exit_code == 1
    assert ran.output.strip().splitlines() == [
        f"Error: {other} has no deployment for chain 31337 (it records chains: 11155111)"
    ]


def test_cli_run__unreachable_database__one_line(deployments_file):
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:1/index"

    ran = CliRunner().invoke(
        cli, ["indexer", "run", "--once", "--registry", str(deployments_file), "--db", url]
    )

    assert ran.exit_code == 1
    lines = ran.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot reach the database")
    assert "secret" not in ran.output


def test_sync__issuer_move__followed_and_requests_on_both_versions_indexed(
    sqlite_url, open_indexer, mint_flow, index, project, protocol, deployer, stranger, wlp, chain
):
    """The indexer follows the lifecycle: a listed issuer version is followed from its listing,
    the move's signal and execution update the index's read model, and a request on the new
    issuer is indexed beside those on the old one."""
    from ssikit.core.lifecycle import VersionKind

    mint_flow()
    v2 = project.Issuer.deploy(protocol.roles, protocol.assets, protocol.vault, sender=deployer)
    protocol.versions.list(int(VersionKind.ISSUER), v2, "Issuer v2", sender=deployer)
    signal = index.signalMove(int(VersionKind.ISSUER), v2, sender=deployer)
    indexer = open_indexer(sqlite_url)
    indexer.sync()
    state = indexer.index_state(index.address)
    assert state.issuer == protocol.issuer.address and state.oracle == protocol.oracle.address
    move = state.pending_moves["issuer"]
    assert move["target"] == v2.address
    assert move["executable_at"] == signal.decode_logs(index.MoveSignalled)[0].executableAt

    v2.setLimits(index, protocol.issuer.limits(index), sender=deployer)
    protocol.vault.bindIssuer(v2, sender=deployer)  # ready: configured, same vault, bound
    chain.pending_timestamp = move["executable_at"]
    index.executeMove(int(VersionKind.ISSUER), sender=stranger)
    version = index.basketVersion()
    deadline = chain.blocks.head.timestamp + 86_400
    v2.requestMint(index, 10**18, version, 50, 1, deadline, sender=wlp)
    index.deprecate(sender=deployer)
    indexer.sync()

    state = indexer.index_state(index.address)
    assert state.issuer == v2.address and state.former_issuers == [protocol.issuer.address]
    assert state.pending_moves == {} and state.deprecated
    on_v2 = [r for r in indexer.requests(index=index.address) if r.status == "mint pending"]
    assert [(r.request.nonce, r.issuer) for r in on_v2] == [(1, v2.address)]
    assert v2.statusOf(wlp, 1) == 1
    assert {r.issuer for r in indexer.requests(index=index.address)} == {
        protocol.issuer.address,
        v2.address,
    }
