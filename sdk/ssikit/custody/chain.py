"""A custody chain: a second EVM node standing in for another network (Ethereum mainnet, say),
where the custodian holds native coin and ERC-20s for the indices and WLPs deliver to it.

``start_custody_chain`` runs a local Anvil on a free port (for tests and the demo);
``connect`` reaches any EVM RPC. Both give a ``CustodyChain``: a web3.py connection with the
few helpers the adapter and the WLP's delivery need (deploy a token, mine, sign and send).
The protocol's own chain stays Ape's provider; nothing here imports ape.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from web3 import HTTPProvider, Web3

from ..chain.artifacts import artifact
from .errors import CustodyBroadcastError, CustodyError, CustodyUnavailableError

TEST_MNEMONIC = "test test test test test test test test test test test junk"
"""Anvil's (and the project's ape-config) test mnemonic: the same accounts on both chains."""
CUSTODY_CHAIN_ID = 31_338
"""The local custody chain's id (the protocol's Anvil is 31337): a transaction signed for one
chain can never be replayed on the other."""


def local_key(index: int, mnemonic: str = TEST_MNEMONIC) -> Any:
    """The ``index``-th test account's key (``eth_account`` LocalAccount): ``.address``,
    ``.key``. Only for local chains."""
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{index}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class CustodyChain:
    """A connection to the custody chain (``w3``), and the Anvil process when this started it."""

    url: str
    w3: Any
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def chain_id(self) -> int:
        return int(self.w3.eth.chain_id)

    def head(self) -> int:
        return int(self.w3.eth.block_number)

    def mine(self, blocks: int = 1) -> None:
        """Mines ``blocks`` empty blocks (Anvil only): confirmations for what was sent."""
        self.w3.provider.make_request("anvil_mine", [hex(blocks)])

    def send(self, key: Any, tx: dict[str, Any]) -> bytes:
        """Signs ``tx`` with ``key`` (nonce, gas, fees and chain id filled in), sends it and
        waits for its receipt; returns the transaction hash. A reverted transaction raises."""
        signed = self.sign(key, tx)
        self.broadcast(signed.raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(signed.hash, timeout=30)
        if receipt.status != 1:
            raise CustodyError(f"custody chain transaction 0x{bytes(signed.hash).hex()} reverted")
        return bytes(signed.hash)

    def sign(self, key: Any, tx: dict[str, Any]) -> Any:
        """``tx`` completed (from, nonce, chain id, gas with a 20% margin, EIP-1559 fees) and
        signed by ``key``: ``.hash`` and ``.raw_transaction``, known before anything is sent."""
        w3 = self.w3
        sender = Account.from_key(key.key if hasattr(key, "key") else key)
        full = {
            "from": sender.address,
            "chainId": self.chain_id,
            "nonce": w3.eth.get_transaction_count(sender.address, "pending"),
            **tx,
        }
        if "gas" not in full:
            from web3.exceptions import ContractLogicError

            try:
                full["gas"] = w3.eth.estimate_gas(full) * 6 // 5
            except ContractLogicError as err:  # web3's, not Ape's: named here, one line
                raise CustodyError(f"custody chain transaction would revert: {err}") from err
        if "maxFeePerGas" not in full and "gasPrice" not in full:
            base = int(w3.eth.get_block("latest")["baseFeePerGas"])
            full["maxPriorityFeePerGas"] = 10**9
            full["maxFeePerGas"] = 2 * base + 10**9
        return sender.sign_transaction(full)

    def broadcast(self, raw: bytes) -> None:
        """Sends a signed transaction. One the node already has, or whose nonce is used (it was
        sent before), is no error; any other refusal (insufficient funds, fee too low, ...) is
        CustodyBroadcastError with the node's one line."""
        from eth_utils import keccak
        from web3.exceptions import Web3RPCError

        try:
            self.w3.eth.send_raw_transaction(raw)
        except (ValueError, Web3RPCError) as err:
            reason = _rpc_message(err)
            if "already" in reason.lower() or "nonce too low" in reason.lower():
                return
            raise CustodyBroadcastError("0x" + keccak(bytes(raw)).hex(), reason) from err

    def deploy_token(self, key: Any, name: str, symbol: str, decimals: int = 18) -> str:
        """Deploys the project's ``TestToken`` (OpenZeppelin ERC20 with open minting, test
        only) and returns its address."""
        found = artifact("TestToken")
        contract = self.w3.eth.contract(abi=found["abi"], bytecode=found["bytecode"])
        data = contract.constructor(name, symbol, decimals).build_transaction(
            {"from": Account.from_key(key.key).address, "gas": 3_000_000}
        )["data"]
        tx_hash = self.send(key, {"data": data, "gas": 3_000_000})
        receipt = self.w3.eth.get_transaction_receipt(tx_hash)
        return str(receipt.contractAddress)

    def erc20(self, address: str) -> Any:
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=_erc20_abi())

    def mint_token(self, key: Any, token: str, to: str, amount: int) -> bytes:
        """``TestToken.mint(to, amount)`` (test tokens only)."""
        contract = self.w3.eth.contract(
            address=Web3.to_checksum_address(token), abi=artifact("TestToken")["abi"]
        )
        data = contract.encode_abi("mint", [Web3.to_checksum_address(to), amount])
        return self.send(key, {"to": contract.address, "data": data})

    def stop(self) -> None:
        """Stops the Anvil this started (no-op for a connected chain)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def __enter__(self) -> CustodyChain:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _rpc_message(err: Exception) -> str:
    """The node's message of a refused call, on one line."""
    found: Any = getattr(err, "rpc_response", None) or (err.args[0] if err.args else err)
    if isinstance(found, dict):
        found = found.get("error", found)
        found = found.get("message", found) if isinstance(found, dict) else found
    return " ".join(str(found).split())


def _erc20_abi() -> list[dict[str, Any]]:
    return [
        entry
        for entry in artifact("TestToken")["abi"]
        if entry.get("name") in ("balanceOf", "transfer", "decimals", "symbol", "Transfer")
    ]


def connect(url: str, timeout: float = 10.0) -> CustodyChain:
    """The custody chain at ``url``; CustodyUnavailableError when nothing answers there."""
    w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}))
    try:
        w3.eth.chain_id  # noqa: B018  (a round trip: is anything there?)
    except Exception as err:
        raise CustodyUnavailableError(url) from err
    return CustodyChain(url, w3)


def start_custody_chain(
    chain_id: int = CUSTODY_CHAIN_ID, port: int | None = None, anvil: str = "anvil"
) -> CustodyChain:
    """Starts ``anvil --port <free port> --chain-id <chain_id> --silent`` (the test mnemonic's
    accounts, 10,000 ETH each) and waits until it answers. Stop it with ``.stop()`` or use it
    as a context manager."""
    binary = shutil.which(anvil)
    if binary is None:
        raise CustodyError(f"{anvil} is not installed (npm's node_modules/.bin or Foundry)")
    port = port or _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--chain-id", str(chain_id), "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            found = connect(url, timeout=2)
            found.process = process
            return found
        except CustodyUnavailableError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise CustodyError(f"anvil did not start at {url}") from None
            time.sleep(0.1)
