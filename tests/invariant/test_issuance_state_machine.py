"""The trust core as a Hypothesis state machine: many short examples, each on a fresh chain
(Anvil `evm_snapshot` at `initialize`, `evm_revert` at `teardown`), so a failure shrinks.

World: two indices (SM-A, SM-B) sharing all their assets (two ERC-20s of 6 and 18 decimals,
off-chain BTC and ETH); three WLPs (alice and bob honest, mallory adversarial); two custodians
per off-chain reserve account (the second can be removed); rebalances of SM-A (propose, then an
activation attempted by anyone, mallory included, at any moment); the lifecycle (issue 12): each
index may move between two issuer versions (signal, execute by anyone once due, cancel; every
request is finished on the issuer it was made on) and may be deprecated (no mint from then on,
redemption, cancel, expiry and reclaim open). Honest chains (a whole mint, a whole redemption)
make sure the walk reaches confirmed mints and paid redemptions; a full-size run asserts it did.

Ghosts: what the custodians really hold per (index, asset) (deliveries in, returns and payouts
out), what each redemption paid, each WLP's locked tokens, escrow and claimables per token, every
request's status history, each index's supply.

Invariants after every step:
- reserves: for every asset, the reserves reported and held (plus payouts of paid redemptions
  not yet burned) are at least the sum of all indices' liabilities, whenever a mint was
  confirmed or a rebalance activated since the last shortfall signal (a short report or a
  custodian removal); on-chain reserves (the vault's ledger) always;
- no redemption was paid without its tokens burned or still locked;
- escrow held equals pending escrow, claimables equal what refunds made claimable, and the
  vault's token balance is held + escrowed + claimable;
- every request's on-chain status is its ghost's, and its history has at most one terminal
  state, never left;
- no honest WLP was refused for capacity; no action of mallory's lowers an honest WLP's or the
  index's capacity.

Operating assumption modelled: a custodian that paid a redemption confirms it within the 14-day
grace period (time never jumps past a paid, unconfirmed redemption's grace).
Size and seed: 50 examples of up to 40 steps (about a minute on the 2-core machine: every view
is read in one batched JSON-RPC request, past Ape's proxies; see `Rpc`) from a fixed seed, printed
at the start; SSIKIT_SM_EXAMPLES, SSIKIT_SM_STEPS and SSIKIT_SM_SEED change them.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode, encode
from eth_utils import keccak
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ssikit.bench.gas import deterministic_clock
from ssikit.builders.requests import Request, Settlement
from ssikit.chain.protocol import set_up_account
from ssikit.core.assets import MAG7_ASSETS, Asset
from ssikit.core.basket import Basket, Component
from ssikit.core.units import INDEX_UNIT, PRECISION
from ssikit.math import basket as bm

DAY = 86_400
GRACE = 14 * DAY
RAY = 10**27
MAX_EXAMPLES = int(os.environ.get("SSIKIT_SM_EXAMPLES", "50"))
STEPS = int(os.environ.get("SSIKIT_SM_STEPS", "40"))
SEED = int(os.environ.get("SSIKIT_SM_SEED", "10"))  # Hypothesis's seed: the same walk every run
# Status enum
NONE, MINT_PENDING, REDEEM_PENDING, CONFIRMED, REJECTED, CANCELLED, EXPIRED = range(7)
ACKNOWLEDGED, ACCEPTED, RECLAIMED = 7, 8, 9
STATUS_NAMES = [
    "none",
    "mint_pending",
    "redeem_pending",
    "confirmed",
    "rejected",
    "cancelled",
    "expired",
    "acknowledged",
    "accepted",
    "reclaimed",
]
# How often the walk moved a request into each status, or activated a rebalance, over a run: a
# run that never reaches a flow checks nothing about it.
REACHED: Counter[str] = Counter()
OPEN = {MINT_PENDING, REDEEM_PENDING, ACKNOWLEDGED, ACCEPTED}
TERMINAL = {CONFIRMED, REJECTED, CANCELLED, EXPIRED, RECLAIMED}
REF = b"\x0a" * 32
WLPS = ("alice", "bob", "mallory")
HONEST = ("alice", "bob")
SHARE_1 = 60  # % of each off-chain account held by the first custodian (the rest: the second)
PARTICIPANT_CAP = 60 * INDEX_UNIT


@dataclass
class Tracked:
    request: Request
    is_mint: bool
    who: str
    idx: int
    escrow: dict[str, int] = field(default_factory=dict)  # token -> amount (ERC-20s)
    delivered: dict[bytes, int] = field(default_factory=dict)  # off-chain asset -> base units
    status: int = 0
    history: list[int] = field(default_factory=list)
    settlement: Settlement | None = None
    payout: dict[bytes, int] = field(default_factory=dict)
    paid: bool = False
    iss: Any = None  # the issuer contract it was made on (an index's issuer can move)

    def move(self, status: int) -> None:
        assert self.status not in TERMINAL, f"left terminal state {self.status}"
        self.status = status
        self.history.append(status)
        REACHED[STATUS_NAMES[status]] += 1


class Rpc:
    """Reads and revert checks straight over JSON-RPC, past Ape's contract proxies.

    Ape spends some 15 ms of Python on every call (settings objects, a code check, gas fields)
    and over a second on every revert (it fetches a trace to explain it), and the machine reads
    some forty views after every step; so reads and "this must revert" checks come here instead,
    encoded with eth_abi from the contracts' own ABIs and sent several to one batch request.
    Transactions still go through Ape. Every call runs on the pending block, the one a
    transaction sent now is mined in (its timestamp is the head's + 1 under the deterministic
    clock), so a simulation sees what that transaction would.
    """

    def __init__(self, web3) -> None:
        self._provider = web3.provider  # the HTTP provider: no middleware, batches allowed
        self._abis: dict[tuple[str, str, int], tuple[bytes, list[str], list[str]]] = {}

    def _abi(self, contract, name: str, arity: int) -> tuple[bytes, list[str], list[str]]:
        key = (contract.address, name, arity)
        if key not in self._abis:
            (abi,) = [a for a in getattr(contract, name).abis if len(a.inputs) == arity]
            self._abis[key] = (
                keccak(text=abi.selector)[:4],
                [i.canonical_type for i in abi.inputs],
                [o.canonical_type for o in abi.outputs],
            )
        return self._abis[key]

    def _batch(self, calls: list[tuple]) -> list[tuple[dict, list[str]]]:
        """[(contract, method, *args)] or [(contract, method, *args, {"sender": account})]
        -> each call's JSON-RPC response and output types, in order."""
        requests, outputs = [], []
        for contract, name, *args in calls:
            sender = args.pop()["sender"] if args and isinstance(args[-1], dict) else None
            selector, inputs, out = self._abi(contract, name, len(args))
            args = [getattr(a, "address", a) for a in args]
            tx = {"to": contract.address, "data": "0x" + (selector + encode(inputs, args)).hex()}
            if sender is not None:
                tx["from"] = sender.address
            requests.append(("eth_call", [tx, "pending"]))
            outputs.append(out)
        if not requests:
            return []
        responses = self._provider.make_batch_request(requests)
        assert isinstance(responses, list), responses  # a whole-batch error
        return list(zip(responses, outputs, strict=True))

    def read(self, calls: dict) -> dict:
        """{key: (contract, method, *args)} -> {key: returned value}, in one round trip."""
        out = {}
        for key, (response, types) in zip(calls, self._batch(list(calls.values())), strict=True):
            assert "error" not in response, (key, response["error"])
            raw = bytes.fromhex(response["result"][2:])
            values = decode(types, raw)
            out[key] = values[0] if len(values) == 1 else values
        return out

    def view(self, contract, name: str, *args):
        return self.read({0: (contract, name, *args)})[0]

    def reverts(self, contract, name: str, *args, sender) -> bool:
        """Whether `contract.name(*args)` sent by `sender` now would revert (a revert of any
        kind; any other RPC error fails the test instead of passing for a revert)."""
        ((response, _),) = self._batch([(contract, name, *args, {"sender": sender})])
        if "error" not in response:
            return False
        assert "revert" in response["error"]["message"], response["error"]
        return True

    def timestamp(self) -> int:
        """The head block's timestamp {s}."""
        block = self._provider.make_request("eth_getBlockByNumber", ["latest", False])
        return int(block["result"]["timestamp"], 16)


def test_issuance_state_machine(
    deployer,
    registry,
    project,
    create_index,
    configure_index,
    wlp,
    holder,
    custodian,
    stranger,
    issuer_contract,
    oracle,
    vault,
    versions,
    roles,
    index_compiler,
    accounts,
    chain,
):
    issuer = issuer_contract
    tokens = [project.TestToken.deploy(f"SM{d}", f"SM{d}", d, sender=deployer) for d in (6, 18)]
    local_ids = {}
    comps_a, comps_b = [], []
    for token, decimals in zip(tokens, (6, 18), strict=True):
        registry.registerLocalToken(token, sender=deployer)
        asset = Asset.local_token(chain.chain_id, token.address, f"SM{decimals}", decimals)
        local_ids[asset.id] = token
        comps_a.append(Component(asset_id=asset.id, amount=2 * 10**decimals * PRECISION + 3))
        comps_b.append(Component(asset_id=asset.id, amount=10**decimals * PRECISION + 7))
    assets = {a.symbol: a for a in MAG7_ASSETS}
    btc, eth, sol = assets["BTC"], assets["ETH"], assets["SOL"]
    comps_a += [
        Component(asset_id=btc.id, amount=10**5 * PRECISION),
        Component(asset_id=eth.id, amount=3 * 10**16 * PRECISION),
    ]
    comps_b += [
        Component(asset_id=btc.id, amount=3 * 10**4 * PRECISION + 1),
        Component(asset_id=eth.id, amount=10**17 * PRECISION),
    ]
    indices = [
        configure_index(create_index(symbol="SMA.ssi", basket=Basket.of(comps_a))),
        configure_index(create_index(symbol="SMB.ssi", basket=Basket.of(comps_b))),
    ]
    # A second issuer version each index may move to (listed, bound to the vault; configured
    # for an index when a move to it is signalled).
    issuer2 = project.Issuer.deploy(roles, registry, vault, sender=deployer)
    versions.list(0, issuer2, "Issuer v2", sender=deployer)
    vault.bindIssuer(issuer2, sender=deployer)
    ISSUERS = (issuer, issuer2)
    custodian2 = accounts.generate_test_account()
    mallory = accounts[9]
    deployer.transfer(custodian2, 10**20)
    roles.grantRole(roles.CUSTODIAN_ROLE(), custodian2, sender=deployer)
    wlps = {"alice": wlp, "bob": holder, "mallory": mallory}
    limits = (10**16, 10**22, 1_000 * INDEX_UNIT, 1_000 * INDEX_UNIT) + (PARTICIPANT_CAP,) * 2
    for token in indices:
        issuer.setLimits(token, (*limits, DAY), sender=deployer)
        for account in wlps.values():
            roles.grantRole(roles.indexRole(roles.WLP_ROLE(), token), account, sender=deployer)
        for asset in (btc, eth, sol):
            set_up_account(oracle, token.address, asset.id, DAY, [custodian.address], deployer)
            if not oracle.isCustodianOf(custodian2, token, asset.id):
                oracle.addCustodian(token, asset.id, custodian2, sender=deployer)
    for token in tokens:
        for account in wlps.values():
            token.mint(account, 10**30, sender=deployer)
            token.approve(vault, 2**256 - 1, sender=account)
    offchain_ids = [btc.id, eth.id, sol.id]
    local_prices = {a: 10**36 // 10 ** int(t.decimals()) for a, t in local_ids.items()}
    base_prices = {
        btc.id: 43_000 * 10**36 // 10**8,
        eth.id: 2_550 * 10**36 // 10**18,
        sol.id: 95 * 10**36 // 10**9,
    }
    custodians = {1: custodian, 2: custodian2}
    # Every off-chain reserve account: (index number, index, asset id).
    ACCOUNTS = [(i, token, a) for i, token in enumerate(indices) for a in offchain_ids]
    rpc = Rpc(chain.provider.web3)
    print(
        f"\nstate machine: seed {SEED} (SSIKIT_SM_SEED), {MAX_EXAMPLES} examples"
        f" of up to {STEPS} steps"
    )

    @seed(SEED)
    class Issuance(RuleBasedStateMachine):
        # ---------------------------------------------------------------- set-up / teardown
        @initialize()
        def start(self) -> None:
            self.snapshot = chain.provider.snapshot()
            self.requests: list[Tracked] = []
            self.nonces = dict.fromkeys(WLPS, 0)
            self.supply = [0, 0]
            self.holdings = [dict.fromkeys(offchain_ids, 0) for _ in indices]
            self.second_removed: set[tuple[int, bytes]] = set()
            self.must_cover = [False, False]
            self.escrow = {t.address: 0 for t in tokens}
            self.claimable = {(w, t.address): 0 for w in WLPS for t in tokens}
            self.proposal = None
            self.baskets = [self._basket(i) for i in range(2)]
            self.current = [issuer, issuer]  # each index's issuer now
            self.moves: list[tuple[Any, int] | None] = [None, None]  # (target, executable at)
            self.deprecated = [False, False]

        def teardown(self) -> None:
            if hasattr(self, "snapshot"):
                on_chain = self._statuses(self.requests)
                for t, status in zip(self.requests, on_chain, strict=True):  # terminal: final
                    assert status in (t.status, NONE) or (
                        t.request.nonce < self._last_nonce_of_slot(t)
                    )
                chain.provider.restore(self.snapshot)

        # ---------------------------------------------------------------- helpers
        def _basket(self, i: int) -> list[tuple[bytes, int]]:
            return [(bytes(a), int(x)) for a, x in rpc.view(indices[i], "basketState")[0]]

        def _statuses(self, requests: list[Tracked]) -> list[int]:
            """Each request's on-chain status, in one read."""
            calls = {
                k: (t.iss, "statusOf", t.request.requester, t.request.nonce)
                for k, t in enumerate(requests)
            }
            return list(rpc.read(calls).values())

        def _offchain(self, i: int) -> list[tuple[bytes, int]]:
            return [(a, x) for a, x in self.baskets[i] if a not in local_ids]

        def _last_nonce_of_slot(self, t: Tracked) -> int:
            same = [
                r.request.nonce
                for r in self.requests
                if r.who == t.who
                and r.iss == t.iss
                and r.request.nonce % 16 == t.request.nonce % 16
            ]
            return max(same)

        def _pick(self, pick: int, statuses: set[int], who: str | None = None, mint=None):
            found = [
                t
                for t in self.requests
                if t.status in statuses
                and (who is None or t.who == who)
                and (mint is None or t.is_mint == mint)
            ]
            return found[pick % len(found)] if found else None

        def _open_of(self, who: str) -> list[Tracked]:
            return [t for t in self.requests if t.who == who and t.status in OPEN]

        def _capacities(self) -> list[tuple[int, ...]]:
            """The index's capacity and each honest WLP's, per index (mint, redeem)."""
            calls: dict = {}
            for i, token in enumerate(indices):
                calls[i] = (self.current[i], "availableCapacity", token)
                for w in HONEST:
                    calls[i, w] = (self.current[i], "participantCapacity", token, wlps[w])
            return [tuple(v) for v in rpc.read(calls).values()]

        def _request(self, who: str, i: int, amount: int, is_mint: bool) -> Tracked | None:
            account, token, issuer = wlps[who], indices[i], self.current[i]
            if len(self._open_of(who)) >= 16:
                return None
            busy = {t.request.nonce % 16 for t in self._open_of(who)}
            self.nonces[who] += 1
            while self.nonces[who] % 16 in busy:
                self.nonces[who] += 1
            nonce = self.nonces[who]
            got = rpc.read(
                {
                    "version": (token, "basketVersion"),
                    "capacity": (issuer, "participantCapacity", token, account),
                }
            )
            version, available = got["version"], got["capacity"][0 if is_mint else 1]
            deadline = rpc.timestamp() + DAY
            terms = (token, amount, version, 50, nonce, deadline)
            name = "requestMint" if is_mint else "requestRedeem"
            if amount > available or (is_mint and self.deprecated[i]):
                assert rpc.reverts(issuer, name, *terms, sender=account)
                return None
            receipt = getattr(issuer, name)(*terms, sender=account)  # honest: never refused
            event = receipt.decode_logs(
                issuer.MintRequested if is_mint else issuer.RedeemRequested
            )[0]
            request = Request(
                requester=account.address,
                index=token.address,
                amount=amount,
                basket_version=version,
                max_fee_bps=50,
                nonce=nonce,
                deadline=deadline,
                factor=event.factor,
            )
            t = Tracked(request, is_mint, who, i, iss=issuer)
            if is_mint:
                t.escrow = dict(zip(event.escrowTokens, event.escrowAmounts, strict=True))
                for token_address, amount_ in t.escrow.items():
                    self.escrow[token_address] += amount_
                for a, x in self._offchain(i):  # delivered to the custodians off chain
                    t.delivered[a] = bm.deposit_for(x, event.factor, amount)
                    self.holdings[i][a] += t.delivered[a]
            t.move(MINT_PENDING if is_mint else REDEEM_PENDING)
            self.requests.append(t)
            return t

        def _refund(self, t: Tracked) -> None:
            """A mint that ends without issuance: escrow becomes claimable, deliveries go back."""
            if not t.is_mint:
                return
            for token_address, amount in t.escrow.items():
                self.escrow[token_address] -= amount
                self.claimable[(t.who, token_address)] += amount
            for a, x in t.delivered.items():
                self.holdings[t.idx][a] = max(self.holdings[t.idx][a] - x, 0)

        def _refs(self, i: int) -> list[bytes]:
            return [REF] * len(self._offchain(i))

        # ---------------------------------------------------------------- WLP rules
        @rule(
            who=st.sampled_from(WLPS),
            i=st.integers(0, 1),
            whole=st.integers(1, 20),
            frac=st.integers(0, 999),
        )
        def request_mint(self, who, i, whole, frac) -> None:
            before = self._capacities() if who == "mallory" else None
            self._request(who, i, whole * INDEX_UNIT + frac * 10**15, True)
            if before is not None:
                assert all(
                    a >= b
                    for x, y in zip(self._capacities(), before, strict=True)
                    for a, b in zip(x, y, strict=True)
                )

        @rule(who=st.sampled_from(WLPS), i=st.integers(0, 1), share=st.integers(1, 100))
        def request_redeem(self, who, i, share) -> None:
            account, token = wlps[who], indices[i]
            got = rpc.read({k: (token, k, account) for k in ("balanceOf", "lockedOf")})
            amount = (got["balanceOf"] - got["lockedOf"]) * share // 100
            amount -= amount % 10**12
            if amount >= 10**16:
                self._request(who, i, amount, False)

        @rule(i=st.integers(0, 1))
        def mallory_drains_own_capacity(self, i) -> None:
            """Mallory requests until her own capacity refuses her, then cancels them all:
            honest WLPs' and the index's capacity must not move."""
            before = self._capacities()
            made = []
            for _ in range(4):
                t = self._request("mallory", i, 20 * INDEX_UNIT, True)
                if t is None:
                    break
                made.append(t)
            for t in made:
                t.iss.cancel(t.request.as_abi(), True, sender=mallory)
                t.move(CANCELLED)
                self._refund(t)
            after = self._capacities()
            assert all(
                a >= b
                for x, y in zip(after, before, strict=True)
                for a, b in zip(x, y, strict=True)
            )

        @rule(pick=st.integers(0, 99))
        def cancel(self, pick) -> None:
            t = self._pick(pick, OPEN)
            if t is None:
                return
            abi = t.request.as_abi()
            account = wlps[t.who]
            if t.status in (MINT_PENDING, REDEEM_PENDING):
                t.iss.cancel(abi, t.is_mint, sender=account)
                t.move(CANCELLED)
                self._refund(t)
            else:  # acknowledged or accepted (maybe already paid): the cancel must revert
                assert rpc.reverts(t.iss, "cancel", abi, t.is_mint, sender=account)

        @rule(pick=st.integers(0, 99))
        def mallory_cancels_after_payout(self, pick) -> None:
            t = self._pick(pick, {ACCEPTED}, who="mallory")
            if t is None:
                return
            abi = t.request.as_abi()
            assert rpc.reverts(t.iss, "cancel", abi, False, sender=mallory)
            assert rpc.reverts(t.iss, "expire", abi, False, sender=mallory)
            assert rpc.reverts(t.iss, "reclaimRedeem", abi, t.settlement.as_abi(), sender=mallory)

        @rule(pick=st.integers(0, 99))
        def expire(self, pick) -> None:
            t = self._pick(pick, OPEN)
            if t is None:
                return
            abi = t.request.as_abi()
            expirable = t.status in (MINT_PENDING, REDEEM_PENDING) and (
                rpc.timestamp() + 1 > t.request.deadline
                or t.request.basket_version != rpc.view(indices[t.idx], "basketVersion")
            )
            if expirable:
                t.iss.expire(abi, t.is_mint, sender=stranger)
                t.move(EXPIRED)
                self._refund(t)
            else:
                assert rpc.reverts(t.iss, "expire", abi, t.is_mint, sender=stranger)

        @rule(pick=st.integers(0, 99))
        def reclaim(self, pick) -> None:
            t = self._pick(pick, {ACKNOWLEDGED, ACCEPTED})
            if t is None or t.paid:
                return
            account = wlps[t.who]
            if t.is_mint:
                name, args = "reclaimMint", (t.request.as_abi(),)
            else:
                name, args = "reclaimRedeem", (t.request.as_abi(), t.settlement.as_abi())
            if rpc.timestamp() + 1 > t.request.deadline + GRACE:
                getattr(t.iss, name)(*args, sender=account)
                t.move(RECLAIMED)
                self._refund(t)
            else:
                assert rpc.reverts(t.iss, name, *args, sender=account)

        @rule(who=st.sampled_from(WLPS), k=st.integers(0, 1))
        def claim(self, who, k) -> None:
            token = tokens[k]
            if self.claimable[(who, token.address)] == 0:
                return
            before = rpc.view(token, "balanceOf", wlps[who])
            vault.claim(token, wlps[who], sender=wlps[who])
            got = rpc.view(token, "balanceOf", wlps[who]) - before
            assert got == self.claimable[(who, token.address)]
            self.claimable[(who, token.address)] = 0

        # ---------------------------------------------------------------- custodian rules
        @rule(pick=st.integers(0, 99))
        def acknowledge(self, pick) -> None:
            t = self._pick(pick, {MINT_PENDING})
            if t is None:
                return
            abi = t.request.as_abi()
            if rpc.reverts(t.iss, "acknowledgeMint", abi, self._refs(t.idx), sender=custodian):
                return  # past its deadline or an old basket
            t.iss.acknowledgeMint(abi, self._refs(t.idx), sender=custodian)
            t.move(ACKNOWLEDGED)

        @rule(pick=st.integers(0, 99), report_first=st.booleans())
        def confirm_mint(self, pick, report_first) -> None:
            """The custodian confirms a mint, as it is (`report_first` false: the reserves may
            be short or stale) or once both custodians have reported what they hold, the
            delivery included (the honest flow)."""
            t = self._pick(pick, {MINT_PENDING, ACKNOWLEDGED})
            if t is None:
                return
            abi = t.request.as_abi()
            refs = self._refs(t.idx) if t.status == MINT_PENDING else []
            if report_first:
                self.report(1, 100)
                self.report(2, 100)
            if rpc.reverts(t.iss, "confirmMint", abi, refs, sender=custodian):
                return  # short or stale reserves, past its deadline, or deprecated index
            assert not self.deprecated[t.idx], "a deprecated index minted"
            receipt = t.iss.confirmMint(abi, refs, sender=custodian)
            self.supply[t.idx] += receipt.decode_logs(t.iss.MintConfirmed)[0].minted
            t.move(CONFIRMED)
            for token_address, amount in t.escrow.items():
                self.escrow[token_address] -= amount
            self.must_cover[t.idx] = True

        @rule(pick=st.integers(0, 99))
        def accept_redeem(self, pick) -> None:
            t = self._pick(pick, {REDEEM_PENDING})
            if t is None:
                return
            abi = t.request.as_abi()
            if rpc.reverts(t.iss, "acceptRedeem", abi, sender=custodian):
                return
            receipt = t.iss.acceptRedeem(abi, sender=custodian)
            event = receipt.decode_logs(t.iss.RedeemAccepted)[0]
            t.settlement = Settlement(fee_bps=event.feeBps, factor=event.factor)
            stored = self._basket(t.idx)
            assert event.basketVersion == t.request.basket_version
            t.payout = {a: bm.payout_for(x, t.settlement.factor, event.paidFor) for a, x in stored}
            t.move(ACCEPTED)

        @rule(pick=st.integers(0, 99))
        def pay(self, pick) -> None:
            """The custodians pay an accepted redemption's off-chain components."""
            t = self._pick(pick, {ACCEPTED})
            if t is None or t.paid:
                return
            for a, x in t.payout.items():
                if a not in local_ids:
                    self.holdings[t.idx][a] -= x
            t.paid = True

        @rule(pick=st.integers(0, 99))
        def confirm_redeem(self, pick) -> None:
            t = self._pick(pick, {ACCEPTED})
            if t is None or not t.paid:
                return
            receipt = t.iss.confirmRedeem(
                t.request.as_abi(), t.settlement.as_abi(), self._refs(t.idx), sender=custodian
            )
            self.supply[t.idx] -= receipt.decode_logs(t.iss.RedeemConfirmed)[0].burned
            for paid in receipt.decode_logs(t.iss.RedeemPaidOnChain):
                # On-chain payouts are credited to the WLP's claimable balance in the vault.
                for token_address, amount in zip(paid.tokens, paid.amounts, strict=True):
                    self.claimable[(t.who, token_address)] += amount
            t.move(CONFIRMED)

        @rule(pick=st.integers(0, 99), code=st.integers(1, 9))
        def reject(self, pick, code) -> None:
            t = self._pick(pick, OPEN)
            if t is None:
                return
            abi = t.request.as_abi()
            if t.status in (MINT_PENDING, ACKNOWLEDGED, REDEEM_PENDING):
                t.iss.reject(abi, t.is_mint, code, sender=custodian)
                t.move(REJECTED)
                self._refund(t)
            else:  # accepted: no reject
                assert rpc.reverts(t.iss, "reject", abi, t.is_mint, code, sender=custodian)

        @rule(which=st.sampled_from([1, 2]), margin=st.sampled_from([100, 100, 100, 90, 0, 120]))
        def report(self, which, margin) -> None:
            """One custodian reports its share of what it holds, per index and asset (`margin`
            %: below 100 is a shortfall signal)."""
            who = custodians[which]
            calls: dict = {(i, a): (oracle, "isCustodianOf", who, t, a) for i, t, a in ACCOUNTS}
            calls["last"] = (oracle, "lastReport", who)
            got = rpc.read(calls)
            holdings = []
            for i, token in enumerate(indices):
                for a in offchain_ids:
                    if not got[i, a]:
                        continue
                    alone = (i, a) in self.second_removed
                    share = 100 if alone else (SHARE_1 if which == 1 else 100 - SHARE_1)
                    held = self.holdings[i][a]
                    mine = (
                        held * share // 100 if which == 1 or alone else held - held * SHARE_1 // 100
                    )
                    holdings.append((token.address, a, mine * margin // 100))
            if not holdings:
                return
            sequence, last = got["last"]
            now = max(rpc.timestamp() + 1, last + 1)
            chain.mine(1, timestamp=now)
            oracle.report((who.address, sequence + 1, now, REF, holdings), sender=who)
            if margin < 100:
                self.must_cover = [False, False]

        @rule(i=st.integers(0, 1), k=st.integers(0, 2))
        def remove_second_custodian(self, i, k) -> None:
            """The admin removes the second custodian of one account; its holdings move to the
            first, which must report them again (until then: a shortfall signal)."""
            a = offchain_ids[k]
            if (i, a) in self.second_removed:
                assert rpc.reverts(
                    oracle, "removeCustodian", indices[i], a, custodian2, sender=deployer
                )
                return
            oracle.removeCustodian(indices[i], a, custodian2, sender=deployer)
            self.second_removed.add((i, a))
            self.must_cover[i] = False
            assert not rpc.view(oracle, "isCustodianOf", custodian2, indices[i], a)

        # ---------------------------------------------------------------- rebalancing (SM-A)
        @rule(
            pick=st.sampled_from([(0, 1), (0, 2), (1, 2)]),
            weight=st.integers(10, 90),
            moves=st.tuples(*[st.integers(50, 200)] * 3),
        )
        def propose(self, pick, weight, moves) -> None:
            token = indices[0]
            stored = self.baskets[0]
            prices = dict(local_prices)
            for (a, base), move in zip(base_prices.items(), moves, strict=True):
                prices[a] = base * move // 100
            value = sum(x * prices[a] for a, x in stored if a not in local_ids)
            chosen = [offchain_ids[pick[0]], offchain_ids[pick[1]]]
            new = [(a, x) for a, x in stored if a in local_ids]
            new += [
                (a, value * w // (100 * prices[a]))
                for a, w in zip(chosen, (weight, 100 - weight), strict=True)
            ]
            new.sort()
            union = sorted({a for a, _ in stored} | {a for a, _ in new})
            when = rpc.timestamp() + 2 * DAY + 1
            pending = bytes(rpc.view(token, "pendingRebalance")[0])
            args = (new, [(a, prices[a]) for a in union], b"\x0c" * 32, when, pending)
            if rpc.reverts(token, "proposeRebalance", *args, sender=index_compiler):
                return  # out of the rebalance bounds
            token.proposeRebalance(*args, sender=index_compiler)
            self.proposal = (new, b"\x0c" * 32, when)

        @precondition(lambda self: self.proposal is not None)
        @rule(by_mallory=st.booleans())
        def activate(self, by_mallory) -> None:
            """Anyone activates a due rebalance; mallory tries at the worst moment (open
            settlements, not due): that must revert and change nothing. An honest activation
            is preceded by the custodians' trade into the new basket and their reports."""
            token = indices[0]
            new, commitment, when = self.proposal
            now = rpc.timestamp() + 1
            open_ = sum(rpc.view(x, "openSettlements", token) for x in ISSUERS)
            args = (new, commitment, when)
            if by_mallory or open_ or now < when:
                if rpc.reverts(token, "activateRebalance", *args, sender=mallory):
                    return  # and so changes nothing
                token.activateRebalance(*args, sender=mallory)
                assert not open_, "activated with open settlements"
                assert now >= when
            else:
                units = rpc.view(token, "basketState")[2]
                traded = {a: bm.liability(x, units) + 1 for a, x in new if a not in local_ids}
                for a in offchain_ids:
                    self.holdings[0][a] = traded.get(a, 0)
                self.report(1, 100)
                self.report(2, 100)  # returns at once where the second custodian was removed
                if rpc.reverts(token, "activateRebalance", *args, sender=stranger):
                    return  # a stale account (a removed custodian's replacement not reported)
                token.activateRebalance(*args, sender=stranger)
            self.proposal = None
            self.baskets[0] = self._basket(0)
            assert self.baskets[0] == new
            self.must_cover[0] = True
            REACHED["rebalance activated"] += 1

        # ---------------------------------------------------------------- honest chains
        def _index_of(self, t: Tracked, statuses: set[int]) -> int:
            """The `pick` that makes `_pick(pick, statuses)` choose `t`."""
            return [x for x in self.requests if x.status in statuses].index(t)

        @rule(who=st.sampled_from(HONEST), i=st.integers(0, 1), whole=st.integers(1, 10))
        def honest_mint(self, who, i, whole) -> None:
            """An honest WLP's whole mint: request, delivery, both custodians report, confirm
            (so the walk reaches confirmed mints and the solvency check they switch on)."""
            t = self._request(who, i, whole * INDEX_UNIT, True)
            if t is not None:
                self.confirm_mint(self._index_of(t, {MINT_PENDING, ACKNOWLEDGED}), True)

        @rule(who=st.sampled_from(HONEST), i=st.integers(0, 1), share=st.integers(1, 100))
        def honest_redeem(self, who, i, share) -> None:
            """An honest WLP's whole redemption: request, accept, pay, confirm (after a whole
            mint when it holds nothing yet)."""
            got = rpc.read({k: (indices[i], k, wlps[who]) for k in ("balanceOf", "lockedOf")})
            if got["balanceOf"] - got["lockedOf"] < 10**18:
                self.honest_mint(who, i, 5)
            before = len(self.requests)
            self.request_redeem(who, i, share)
            if len(self.requests) == before:
                return
            t = self.requests[-1]
            self.accept_redeem(self._index_of(t, {REDEEM_PENDING}))
            if t.status == ACCEPTED:
                self.pay(self._index_of(t, {ACCEPTED}))
                self.confirm_redeem(self._index_of(t, {ACCEPTED}))

        # ---------------------------------------------------------------- lifecycle
        @rule(i=st.integers(0, 1))
        def signal_issuer_move(self, i) -> None:
            """The admin signals a move of index i to the other issuer version and configures
            that version for it (limits and fees as today's) during the notice."""
            token = indices[i]
            target = ISSUERS[1] if self.current[i] == ISSUERS[0] else ISSUERS[0]
            if self.moves[i] is not None or self.deprecated[i]:
                assert rpc.reverts(token, "signalMove", 0, target, sender=deployer)
                return
            receipt = token.signalMove(0, target, sender=deployer)
            at = receipt.decode_logs(token.MoveSignalled)[0].executableAt
            self.moves[i] = (target, at)
            if rpc.view(target, "limits", token)[6] == 0:
                target.setLimits(token, rpc.view(self.current[i], "limits", token), sender=deployer)
                target.setFees(token, *rpc.view(self.current[i], "fees", token), sender=deployer)
            REACHED["move signalled"] += 1

        @rule(i=st.integers(0, 1), wait=st.booleans())
        def execute_issuer_move(self, i, wait) -> None:
            """Anyone executes a signalled move (`wait`: after time passes to its execution
            time, as far as paid redemptions allow); too early it reverts and changes nothing."""
            token = indices[i]
            if self.moves[i] is None:
                assert rpc.reverts(token, "executeMove", 0, sender=stranger)
                return
            target, at = self.moves[i]
            if wait and rpc.timestamp() + 1 < at:
                self.time_passes(at - rpc.timestamp())
            if rpc.timestamp() + 1 < at or self.deprecated[i]:
                assert rpc.reverts(token, "executeMove", 0, sender=stranger)
                return
            token.executeMove(0, sender=stranger)
            self.current[i], self.moves[i] = target, None
            assert rpc.view(token, "issuer").lower() == target.address.lower()
            REACHED["move executed"] += 1

        @rule(i=st.integers(0, 1))
        def honest_migration(self, i) -> None:
            """The admin's whole migration of index i: signal, configure, wait, execute."""
            if self.moves[i] is None:
                self.signal_issuer_move(i)
            if self.moves[i] is not None:
                self.execute_issuer_move(i, True)

        @rule(i=st.integers(0, 1))
        def cancel_issuer_move(self, i) -> None:
            token = indices[i]
            if self.moves[i] is None:
                assert rpc.reverts(token, "cancelMove", 0, sender=deployer)
                return
            token.cancelMove(0, sender=deployer)
            self.moves[i] = None

        @rule(i=st.integers(0, 1))
        def deprecate(self, i) -> None:
            """The admin deprecates an index: minting stops for good, redemption stays open."""
            token = indices[i]
            if self.deprecated[i]:
                assert rpc.reverts(token, "deprecate", sender=deployer)
                return
            token.deprecate(sender=deployer)
            self.deprecated[i] = True
            REACHED["deprecated"] += 1

        # ---------------------------------------------------------------- time
        @rule(seconds=st.sampled_from([60, 3600, DAY // 2, DAY + 1, GRACE + DAY]))
        def time_passes(self, seconds) -> None:
            now = rpc.timestamp()
            if seconds > DAY and any(
                t.paid and t.status == ACCEPTED and now + seconds > t.request.deadline + GRACE
                for t in self.requests
            ):
                return  # custodians confirm what they paid within the grace period
            chain.mine(1, timestamp=now + seconds)

        # ---------------------------------------------------------------- invariants
        def _system_views(self) -> dict:
            """Every view the solvency invariant reads, keyed by what it is (one batch)."""
            calls: dict = {}
            for i, token in enumerate(indices):
                calls["supply", i] = (token, "totalSupply")
                for who, account in wlps.items():
                    calls["locked", i, who] = (token, "lockedOf", account)
                for a in offchain_ids:
                    if a in dict(self.baskets[i]):
                        calls["owed", i, a] = (token, "liability", a)
                        calls["reserves", i, a] = (oracle, "reservesOf", token, a)
                for a, erc20 in local_ids.items():
                    calls["owed", i, a] = (token, "liability", a)
                    calls["held", i, a] = (vault, "heldFor", token, erc20)
            for a, erc20 in local_ids.items():
                for view in ("totalHeld", "escrowed", "claimableTotal"):
                    calls[view, a] = (vault, view, erc20)
                calls["balance", a] = (erc20, "balanceOf", vault)
            return calls

        @invariant()
        def system_owes_what_it_holds(self) -> None:
            if not hasattr(self, "snapshot"):
                return
            got = rpc.read(self._system_views())
            for i in range(len(indices)):
                assert got["supply", i] == self.supply[i]
                for who in wlps:
                    locked = sum(
                        t.request.amount
                        for t in self.requests
                        if t.who == who
                        and t.idx == i
                        and t.status in (REDEEM_PENDING, ACCEPTED)
                        and not t.is_mint
                    )
                    assert got["locked", i, who] == locked
            # paid => still locked (accepted) or burned (confirmed)
            for t in self.requests:
                if t.paid:
                    assert t.status in (ACCEPTED, CONFIRMED), (t.request.nonce, t.history)
                assert sum(s in TERMINAL for s in t.history) <= 1
            # reserves vs liabilities, per asset over both indices
            for a in offchain_ids:
                reserves = liabilities = 0
                for i in range(len(indices)):
                    if a not in dict(self.baskets[i]):
                        continue
                    owed = got["owed", i, a]
                    unpaid = sum(
                        t.payout.get(a, 0)
                        for t in self.requests
                        if t.idx == i and t.paid and t.status == ACCEPTED
                    )
                    held = got["reserves", i, a][0] + unpaid
                    if self.must_cover[i]:
                        assert held >= owed, (indices[i].address, a.hex(), held, owed)
                    assert self.holdings[i][a] + unpaid >= owed or not self.must_cover[i]
                    reserves += held
                    liabilities += owed
                if all(self.must_cover):
                    assert reserves >= liabilities
            for a, erc20 in local_ids.items():
                held = [got["held", i, a] for i in range(len(indices))]
                for i in range(len(indices)):
                    assert held[i] >= got["owed", i, a]
                total = got["totalHeld", a]
                assert total == sum(held)
                assert got["escrowed", a] == self.escrow[erc20.address]
                claimables = sum(v for (w, t), v in self.claimable.items() if t == erc20.address)
                assert got["claimableTotal", a] == claimables
                assert got["balance", a] == total + self.escrow[erc20.address] + claimables

        @invariant()
        def statuses_match(self) -> None:
            if not hasattr(self, "snapshot"):
                return
            checked = [
                t
                for t in self.requests
                if t.status in OPEN or (t.history and len(t.history) and t is self.requests[-1])
            ]
            for t, on_chain in zip(checked, self._statuses(checked), strict=True):
                assert on_chain == t.status, (t.who, t.request.nonce, on_chain, t.history)

    with deterministic_clock():
        run_state_machine_as_test(
            Issuance,
            settings=settings(
                max_examples=MAX_EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                print_blob=True,
            ),
        )
    print("reached:", dict(sorted(REACHED.items())))
    # A walk that never reaches a flow checks nothing about it (a full-size run only).
    if MAX_EXAMPLES >= 50 and STEPS >= 40:
        for flow in ("confirmed", "accepted", "move executed", "deprecated"):
            assert REACHED[flow] > 0, f"the walk never reached {flow!r}: {dict(REACHED)}"
