"""A ready custody chain for tests and the demo: deploy the ERC-20, fund the WLPs, give each
index a custody address of its own, write the custodian's config file.

    chain = start_custody_chain()
    config = set_up_local_custody(chain, folder, ["MAG7.ssi"], wlps=[wlp])
    custody = CompositeCustody(WalletFileCustody(wallets), EvmCustody(config).routes())
    ...  # CustodianService(client, custody, ...); deliver(chain, local_key(3), config, ...)
    simulate_trade(chain, config, "MAG7.ssi", "ETH", +10**18)  # a rebalance buys ETH
    chain.stop()
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .chain import CustodyChain, local_key
from .evm import CustodyConfig

NATIVE = "ETH"
"""The custody chain's native coin stands in for this asset."""
ERC20 = "BNB"
"""And a TestToken (OpenZeppelin ERC20) there for this one (BNB began as an ERC-20 on
Ethereum); both are MAG7 components, so a MAG7 mint delivers to the custody chain."""
FUNDING = 10**24
"""{token base units} minted to each WLP (one million tokens at 18 decimals)."""
FIRST_CUSTODY_ACCOUNT = 20
"""Test mnemonic accounts from here on are the indices' custody addresses: Anvil funds only
the first ten, so each starts with nothing but its gas float."""
GAS_FLOAT = 10**17
"""{wei} sent to each custody address for the gas of its payouts (0.1 ETH). The config's
``gas_float`` (``set_up_local_custody(gas_float=...)``, default 0) is the part of it kept out of
the reported reserves; with the default the whole 0.1 ETH is the custodian's own surplus,
counted as reserves, from which the payouts' gas is paid."""


def set_up_local_custody(
    chain: CustodyChain,
    folder: Path,
    indices: Iterable[str],
    wlps: Iterable[str] = (),
    confirmations: int = 1,
    deployer_test_account: int = 0,
    gas_float: int = 0,
) -> CustodyConfig:
    """Deploys the ``ERC20`` token on ``chain`` and mints ``FUNDING`` of it to each WLP; gives
    each index its own custody address (test accounts from ``FIRST_CUSTODY_ACCOUNT``, funded
    with ``GAS_FLOAT``, of which ``gas_float`` {wei} is kept out of the reserves); registers
    each WLP at its own address as a participant (payouts go only to registered addresses);
    writes ``folder/custody.json`` (ledger and notices beside it) and returns the loaded
    config. Local chains only (test keys)."""
    deployer = local_key(deployer_test_account)
    token = chain.deploy_token(deployer, f"Custody {ERC20}", ERC20, 18)
    wlps = list(wlps)
    for wlp in wlps:
        chain.mint_token(deployer, token, wlp, FUNDING)
    numbers = {index: FIRST_CUSTODY_ACCOUNT + k for k, index in enumerate(indices)}
    accounts = {index: local_key(n).address for index, n in numbers.items()}
    for address in accounts.values():
        chain.send(deployer, {"to": address, "value": GAS_FLOAT})
    folder.mkdir(parents=True, exist_ok=True)
    config = CustodyConfig(
        rpc=chain.url,
        chain_id=chain.chain_id,
        confirmations=confirmations,
        assets={NATIVE: None, ERC20: token},
        accounts=accounts,
        participants={wlp: wlp for wlp in wlps},
        gas_float={address: gas_float for address in accounts.values()} if gas_float else {},
        ledger=Path("custody-ledger.json"),
        notices=Path("delivery-notices.jsonl"),
        test_accounts=list(numbers.values()),
    )
    path = folder / "custody.json"
    path.write_text(config.model_dump_json(indent=2))
    return CustodyConfig.load(path)


MARKET_TEST_ACCOUNT = 9
"""The test account that stands in for the market the custodian trades with."""


def simulate_trade(
    chain: CustodyChain, config: CustodyConfig, index: str, asset: str, delta: int
) -> bytes:
    """The custodian bought (``delta`` > 0) or sold ``|delta|`` {base units} of ``asset`` for
    ``index`` on a market, as a rebalance asks: real transfers between the index's custody
    address and the market's test account (a bought ERC-20 is minted by the test token).
    Returns the transaction hash."""
    from .errors import CustodyError

    if delta == 0:
        raise CustodyError("a trade moves a non-zero amount")
    custody = config.accounts[index]
    token = config.assets[asset]
    market = local_key(MARKET_TEST_ACCOUNT)
    if delta > 0:
        if token is None:
            return chain.send(market, {"to": custody, "value": delta})
        return chain.mint_token(market, token, custody, delta)
    key, amount = config.key_for(custody), -delta
    if token is None:
        return chain.send(key, {"to": market.address, "value": amount})
    data = chain.erc20(token).encode_abi("transfer", [market.address, amount])
    return chain.send(key, {"to": token, "data": data})
