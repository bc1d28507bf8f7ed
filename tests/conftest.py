"""Shared fixtures.

Chain fixtures are role-named and session-scoped (Ape reverts the chain after every test, so
each test starts from the state these fixtures built). Nothing here imports ape at module level,
so the pure SDK tests (`pytest -p no:ape_test tests/unit/sdk`) never load it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ssikit.chain.accounts import LocalRole

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(autouse=True)
def ssikit_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own $SSIKIT_HOME: the programs' embedded event index starts empty in every
    test (the chain is reverted between tests) and never touches ~/.ssikit."""
    home = tmp_path_factory.mktemp("ssikit-home")
    monkeypatch.setenv("SSIKIT_HOME", str(home))
    monkeypatch.delenv("SSIKIT_DB", raising=False)
    return home


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or a clean skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real market data not found at {SHARED_DATA}")
    return SHARED_DATA


# ------------------------------------------------------------------ accounts, by role
@pytest.fixture(scope="session")
def deployer(accounts: Any) -> Any:
    """Deploys the system and holds the admin role in tests."""
    return accounts[LocalRole.DEPLOYER]


@pytest.fixture(scope="session")
def index_compiler(accounts: Any) -> Any:
    return accounts[LocalRole.INDEX_COMPILER]


@pytest.fixture(scope="session")
def custodian(accounts: Any) -> Any:
    return accounts[LocalRole.CUSTODIAN]


@pytest.fixture(scope="session")
def wlp(accounts: Any) -> Any:
    return accounts[LocalRole.WLP]


@pytest.fixture(scope="session")
def fee_recipient(accounts: Any) -> Any:
    return accounts[LocalRole.FEE_RECIPIENT]


@pytest.fixture(scope="session")
def issuer(accounts: Any) -> Any:
    """Stands in for the issuer contract in the token's unit tests: the issuer of
    `direct_factory`'s indices, and a holder of ISSUER_ROLE (the vault's release)."""
    return accounts[LocalRole.ISSUER]


@pytest.fixture(scope="session")
def holder(accounts: Any) -> Any:
    """An ordinary token holder."""
    return accounts[LocalRole.HOLDER]


@pytest.fixture(scope="session")
def stranger(accounts: Any) -> Any:
    """Holds no role at all."""
    return accounts[LocalRole.STRANGER]


@pytest.fixture(scope="session")
def pauser(accounts: Any) -> Any:
    return accounts[LocalRole.PAUSER]


# ------------------------------------------------------------------ the system
@pytest.fixture(scope="session")
def deployments_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The deployments registry `protocol` records into (addresses and deployment blocks)."""
    return tmp_path_factory.mktemp("deploy") / "deployments.json"


@pytest.fixture(scope="session")
def protocol(deployer: Any, issuer: Any, deployments_file: Path) -> Any:
    """ProtocolRoles + AssetRegistry + IndexFactory, MAG7 assets registered with TestPriceFeeds
    at the synthetic market's prices (1 day staleness), issuer role granted."""
    from ssikit.chain.protocol import Deployment
    from ssikit.core.assets import MAG7_ASSETS
    from ssikit.presets.synthetic import synthetic_prices

    deployment = Deployment(deployer, path=deployments_file)
    system = deployment.system()
    deployment.assets(system, MAG7_ASSETS)
    deployment.price_feeds(system, synthetic_prices())
    system.roles.grantRole(system.roles.ISSUER_ROLE(), issuer, sender=deployer)
    return system


@pytest.fixture(scope="session")
def roles(protocol: Any) -> Any:
    return protocol.roles


@pytest.fixture(scope="session")
def registry(protocol: Any) -> Any:
    return protocol.assets


@pytest.fixture(scope="session")
def factory(protocol: Any) -> Any:
    return protocol.factory


@pytest.fixture(scope="session")
def direct_factory(protocol: Any, deployer: Any, issuer: Any, project: Any) -> Any:
    """A second factory whose indices trust the `issuer` account, so the token's own tests can
    mint, lock and burn directly (the protocol's indices trust only the Issuer contract)."""
    roles = protocol.roles
    factory = project.IndexFactory.deploy(
        roles, protocol.assets, protocol.versions, issuer, protocol.oracle, sender=deployer
    )
    roles.grantRole(roles.INDEX_FACTORY_ROLE(), factory, sender=deployer)
    return factory


@pytest.fixture(scope="session")
def mag7_params(index_compiler: Any, fee_recipient: Any) -> Any:
    from ssikit.presets.indices import mag7_params

    return mag7_params(index_compiler.address, fee_recipient.address)


def _index_maker(factory: Any, deployer: Any, mag7_params: Any, project: Any) -> Any:
    """make(**overrides) -> IndexToken created by `factory` from the MAG7 parameters."""
    from ssikit.builders.index import create_index_args

    def make(**overrides: Any) -> Any:
        params = mag7_params.model_copy(update=overrides)
        receipt = factory.createIndex(create_index_args(params), sender=deployer)
        return project.IndexToken.at(receipt.decode_logs(factory.IndexCreated)[0].index)

    return make


@pytest.fixture(scope="session")
def create_index(factory: Any, deployer: Any, mag7_params: Any, project: Any) -> Any:
    """Factory fixture: create_index(**overrides) -> IndexToken, from the MAG7 parameters."""
    return _index_maker(factory, deployer, mag7_params, project)


@pytest.fixture(scope="session")
def mag7(create_index: Any) -> Any:
    """MAG7.ssi, created once per session."""
    return create_index()


@pytest.fixture(scope="session")
def create_direct_index(direct_factory: Any, deployer: Any, mag7_params: Any, project: Any) -> Any:
    """create_direct_index(**overrides) -> an IndexToken whose issuer is the `issuer` account."""
    return _index_maker(direct_factory, deployer, mag7_params, project)


@pytest.fixture(scope="session")
def direct_mag7(create_direct_index: Any) -> Any:
    """MAG7.ssi from `direct_factory` (its issuer is the `issuer` account), created once."""
    return create_direct_index()


# ------------------------------------------------------------------ issuance
DAY = 86_400
INDEX_UNIT = 10**18


@pytest.fixture(scope="session")
def oracle(protocol: Any) -> Any:
    return protocol.oracle


@pytest.fixture(scope="session")
def issuer_contract(protocol: Any) -> Any:
    return protocol.issuer


@pytest.fixture(scope="session")
def vault(protocol: Any) -> Any:
    return protocol.vault


@pytest.fixture(scope="session")
def versions(protocol: Any) -> Any:
    return protocol.versions


@pytest.fixture(scope="session")
def configure_index(
    protocol: Any, deployer: Any, custodian: Any, wlp: Any, pauser: Any, tmp_path_factory: Any
) -> Any:
    """configure_index(token, max_age=DAY): limits, fees (10 / 20 bps), oracle assets with the
    custodian for the off-chain ones, the WLP and custodian roles; and the pauser role."""
    from ssikit.chain.protocol import Deployment, IssuanceSettings, configure_issuance

    deployment = Deployment(deployer, path=tmp_path_factory.mktemp("cfg") / "deployments.json")
    roles = protocol.roles

    def configure(token: Any, max_age: int = DAY) -> Any:
        settings = IssuanceSettings(max_age=max_age)
        configure_issuance(
            deployment, protocol, token, settings, [custodian.address], [wlp.address]
        )
        deployment.grant(roles, roles.PAUSER_ROLE(), pauser.address, "PAUSER")
        return token

    return configure


_default_index: dict[str, Any] = {}


@pytest.fixture(scope="session")
def index(mag7: Any, configure_index: Any) -> Any:
    """MAG7.ssi ready for mint and redeem (off-chain components only)."""
    _default_index["token"] = mag7
    return configure_index(mag7)


@pytest.fixture(scope="session")
def post_report(oracle: Any, custodian: Any, chain: Any) -> Any:
    """post_report(balances: {asset_id: base units}, as_of=None) by the custodian, next sequence."""

    def post(
        balances: dict[bytes, int],
        as_of: int | None = None,
        sender: Any = None,
        index: Any = None,
        holdings: list[tuple[str, bytes, int]] | None = None,
    ) -> Any:
        """Balances for one index (``index``, default the `index` fixture's MAG7.ssi), or
        explicit ``holdings`` (index address, asset id, balance) for several."""
        who = sender or custodian
        sequence, last = oracle.lastReport(who)
        if as_of is None:
            # An as-of time must increase and never be in the future: a report in the same second
            # as the last one waits for the next block.
            if chain.blocks.head.timestamp <= last:
                chain.mine(1, timestamp=last + 1)
            as_of = max(chain.blocks.head.timestamp, last + 1)
        if holdings is None:
            target = index if index is not None else _default_index["token"]
            holdings = [(target.address, a, b) for a, b in sorted(balances.items())]
        report = (who.address, sequence + 1, as_of, b"\x01" * 32, holdings)
        return oracle.report(report, sender=who)

    return post


@pytest.fixture(scope="session")
def cover(post_report: Any, oracle: Any) -> Any:
    """cover(token, tokens_owed, margin=1): report reserves of the off-chain components for
    `tokens_owed` more index wei (on-chain components are the vault's balance)."""
    from fractions import Fraction

    from ssikit.math import basket as bm
    from ssikit.math.rounding import Rounding

    def report(token: Any, tokens_owed: int, margin: Fraction = Fraction(1)) -> Any:
        stored, factor, units, *_ = token.basketState()
        owed_units = units + bm.backing(tokens_owed, factor, Rounding.CEIL)
        balances = {
            bytes(a): int(bm.liability(amount, owed_units) * margin)
            for a, amount in stored
            if not oracle.accountConfig(token, a)[3]
        }
        return post_report(balances, index=token)

    return report


@pytest.fixture(scope="session")
def mint_request(issuer_contract: Any, wlp: Any, chain: Any) -> Any:
    """mint_request(token, amount, nonce=None) -> (Request, receipt); deadline in one day. The
    request's fee factor is the one the issuer filled in (from the event)."""
    from ssikit.builders.requests import Request

    counter = iter(range(1, 10**6))

    def make(
        token: Any, amount: int, nonce: int | None = None, is_mint: bool = True, **terms: Any
    ) -> Any:
        sender = terms.get("sender", wlp)
        version = terms.get("basket_version", token.basketVersion())
        max_fee = terms.get("max_fee_bps", 50)
        nonce = nonce if nonce is not None else next(counter)
        deadline = terms.get("deadline", chain.blocks.head.timestamp + DAY)
        call = issuer_contract.requestMint if is_mint else issuer_contract.requestRedeem
        receipt = call(token, amount, version, max_fee, nonce, deadline, sender=sender)
        event = issuer_contract.MintRequested if is_mint else issuer_contract.RedeemRequested
        log = receipt.decode_logs(event)[0]
        request = Request(
            requester=sender.address,
            index=token.address,
            amount=amount,
            basket_version=version,
            max_fee_bps=max_fee,
            nonce=nonce,
            deadline=deadline,
            factor=log.factor,
        )
        return request, receipt

    return make


# ------------------------------------------------------------------ reverts
def _same(expected: Any, got: Any) -> bool:
    if isinstance(expected, bytes | bytearray):
        return bytes(got) == bytes(expected)
    if isinstance(expected, str) and isinstance(got, str):
        return expected.lower() == got.lower()
    return bool(expected == got)


def _revert_data(message: str) -> bytes:
    from ssikit.chain.reverts import revert_data

    return revert_data(message)


@pytest.fixture(scope="session")
def expect_revert() -> Any:
    """``with expect_revert(contract.ErrorName, **inputs):`` — the named custom error, with those
    inputs, wherever in the call tree it was raised.

    ``ape.reverts`` matches an error only against the called contract's ABI, so an error raised by
    a contract deeper in the call (the asset registry under the factory, say) is not recognised;
    this decodes the revert data against the expected error's own ABI instead.
    """
    from contextlib import contextmanager

    from ape.exceptions import ContractLogicError, CustomError
    from eth_abi import decode
    from eth_utils import keccak

    @contextmanager
    def check(error: Any, **inputs: Any) -> Any:
        abi = error.abi
        try:
            yield
        except ContractLogicError as exc:
            if isinstance(exc, CustomError) and exc.abi.selector == abi.selector:
                got = exc.inputs
            else:
                raw = _revert_data(exc.revert_message or "")
                selector = keccak(text=abi.selector)[:4]
                if raw[:4] != selector:
                    raise AssertionError(f"expected {abi.selector}, got {exc!r}") from exc
                types = [i.canonical_type for i in abi.inputs]
                got = dict(zip([i.name for i in abi.inputs], decode(types, raw[4:]), strict=True))
            for key, value in inputs.items():
                assert _same(value, got[key]), (
                    f"{abi.name}.{key}: expected {value!r}, got {got[key]!r}"
                )
        else:
            raise AssertionError(f"expected a revert with {abi.selector}, but the call succeeded")

    return check


@pytest.fixture(scope="session")
def accept_redeem(issuer_contract: Any, custodian: Any) -> Any:
    """accept_redeem(request, sender=custodian) -> Settlement, from the RedeemAccepted event."""
    from ssikit.builders.requests import Settlement

    def accept(request: Any, sender: Any = None) -> Any:
        receipt = issuer_contract.acceptRedeem(request.as_abi(), sender=sender or custodian)
        log = receipt.decode_logs(issuer_contract.RedeemAccepted)[0]
        fee_bps, factor = log.feeBps, log.factor
        return Settlement(fee_bps=fee_bps, factor=factor)

    return accept


# ------------------------------------------------------------------ PostgreSQL, for real
def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@pytest.fixture(scope="session")
def postgres_server() -> Any:
    """A PostgreSQL server of our own: initdb into a temp dir, started on a free port of
    127.0.0.1 (its socket in the temp dir), stopped at the end. Yields a factory:
    ``new_database() -> URL`` of a fresh empty database. As root, the server runs as `nobody`
    (PostgreSQL refuses to run as root). Fails (never skips) when PostgreSQL is not installed:
    `make setup` installs it."""
    import os
    import shutil
    import socket
    import subprocess
    import tempfile
    from itertools import count

    bindir = _postgres_bin()
    if bindir is None:
        pytest.fail("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): make setup")
    root = Path(tempfile.mkdtemp(prefix="ssikit-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = root / "data"

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, cwd=root)

    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -F"
    log = str(root / "server.log")
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", log, "-w", "start")
    names = count(1)

    def new_database() -> str:
        name = f"ssikit_{next(names)}"
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", name)
        return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{name}"

    try:
        yield new_database
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
