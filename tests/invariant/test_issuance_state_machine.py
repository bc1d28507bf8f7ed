"""Random sequences of requests, confirmations, rejections, cancellations, expiries, reports and
time jumps against a mixed basket (two ERC-20s of 6 and 18 decimals, native BTC and ETH), with
the protocol's invariants checked after every step:

- no confirmed mint ever left the index under-reserved;
- escrow held equals the sum of pending requests' escrow (per ERC-20, and in index tokens);
- every request ends in exactly one terminal state, and a terminal state never changes;
- calls from accounts without the role change nothing;
- no rebalance activation ever leaves the index under-reserved: the index compiler proposes new
  off-chain components (BTC, ETH, SOL reweighted or swapped, value kept at random prices), the
  custodian reports the traded holdings (sometimes short), and an activation that succeeds is
  followed by a full coverage check; requests made against the old basket cannot be confirmed.

500 steps per run.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field

import pytest
from ape.exceptions import ContractLogicError
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from ssikit.bench.gas import deterministic_clock
from ssikit.builders.requests import Request
from ssikit.core.assets import MAG7_ASSETS, Asset
from ssikit.core.basket import Basket, Component
from ssikit.core.units import INDEX_UNIT, PRECISION
from ssikit.math import basket as bm
from ssikit.math.rounding import Rounding

DAY = 86_400
# Every step's action and its arguments come from a PRNG with this seed (set SSIKIT_SM_SEED to
# explore another walk). Hypothesis drives the steps and checks the invariants after each, but
# its own draws are not used: the first example it runs is always the simplest one, every draw
# at its minimum, which would repeat a single rule 500 times.
SEED = int(os.environ.get("SSIKIT_SM_SEED", "20261121"))
PENDING = {1, 2}
TERMINAL = {3, 4, 5, 6}
REF = b"\x0a" * 32


@dataclass
class Tracked:
    request: Request
    is_mint: bool
    escrow: dict[str, int] = field(default_factory=dict)  # token -> amount (mints)
    status: int = 0


def test_issuance_state_machine(
    deployer,
    registry,
    project,
    create_index,
    configure_index,
    wlp,
    custodian,
    stranger,
    issuer_contract,
    oracle,
    index_compiler,
    chain,
):
    tokens = [project.TestToken.deploy(f"SM{d}", f"SM{d}", d, sender=deployer) for d in (6, 18)]
    components = []
    for token, decimals in zip(tokens, (6, 18), strict=True):
        registry.registerLocalToken(token, sender=deployer)
        asset = Asset.local_token(chain.chain_id, token.address, f"SM{decimals}", decimals)
        components.append(Component(asset_id=asset.id, amount=2 * 10**decimals * PRECISION + 3))
        token.mint(wlp, 10**15 * 10**decimals, sender=deployer)
        token.approve(issuer_contract, 2**256 - 1, sender=wlp)
    btc, eth = MAG7_ASSETS[0], MAG7_ASSETS[1]
    components += [
        Component(asset_id=btc.id, amount=10**5 * PRECISION),
        Component(asset_id=eth.id, amount=3 * 10**16 * PRECISION),
    ]
    index = configure_index(create_index(symbol="SM.ssi", basket=Basket.of(components)))
    assets = {a.symbol: a for a in MAG7_ASSETS}
    sol = assets["SOL"]
    if not oracle.assetConfig(sol.id)[0]:
        oracle.configureAsset(sol.id, DAY, sender=deployer)
    if not oracle.isCustodianOf(custodian, sol.id):
        oracle.addCustodian(sol.id, custodian, sender=deployer)
    offchain_ids = [btc.id, eth.id, sol.id]
    # Declared prices {USD × 1e36 per base unit}: $1 ERC-20s, then BTC, ETH, SOL (moved at random).
    local_prices = {
        c.asset_id: 10**36 // 10**d for c, d in zip(components[:2], (6, 18), strict=True)
    }
    OFFCHAIN_PRICES = {
        "BTC": 43_000 * 10**36 // 10**8,
        "ETH": 2_550 * 10**36 // 10**18,
        "SOL": 95 * 10**36 // 10**9,
    }
    # The feeds follow the market: the compiler's random prices are set on them before each
    # proposal (the $1 ERC-20s get feeds of their own). Bounds loose enough for any of the
    # machine's reweightings, and the longest window: this machine tests reserves, not bounds.
    decimals = {a: d for a, d in zip(local_prices, (6, 18), strict=True)}
    decimals |= {assets[s].id: assets[s].decimals for s in OFFCHAIN_PRICES}
    for asset_id in local_prices:
        feed = project.TestPriceFeed.deploy(8, "SM / USD", 10**8, sender=deployer)
        registry.setPriceFeed(asset_id, feed, DAY, sender=deployer)
    feeds = {a: project.TestPriceFeed.at(registry.priceFeed(a)[0]) for a in decimals}
    index.setRebalanceBounds((2 * DAY, 30 * DAY, 32, 10_000, 10_000, 200, 0), sender=deployer)

    first_errors: list[str] = []
    activations: list[int] = []
    # Hypothesis may start the machine more than once (an attempt it discards does not count as
    # an example): every start rewinds the chain to this state, then snapshots it again (a
    # restore consumes the snapshot).
    clean: dict[str, str] = {}

    def recorded(function):
        import functools
        import traceback

        @functools.wraps(function)
        def wrapper(self, *args, **kwargs):
            try:
                return function(self, *args, **kwargs)
            except BaseException:
                if not first_errors:
                    steps = "\n".join(self.log)
                    first_errors.append(f"{traceback.format_exc()}\nsteps:\n{steps}")
                raise

        return wrapper

    class Issuance(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            if "snapshot" in clean:
                chain.restore(clean["snapshot"])
            clean["snapshot"] = chain.snapshot()
            self.requests: list[Tracked] = []
            self.nonce = 0
            self.sequence, self.last_as_of = oracle.lastReport(custodian)
            self.log: list[str] = []
            self.proposal: tuple[list[tuple[bytes, int]], bytes, int] | None = None
            self.rng = random.Random(SEED)

        # ---------------------------------------------------------------- helpers
        def _pending(self, is_mint: bool | None = None) -> list[Tracked]:
            return [
                t
                for t in self.requests
                if t.status in PENDING and (is_mint is None or t.is_mint == is_mint)
            ]

        def _new_request(self, amount: int, is_mint: bool) -> Request:
            # Like WlpClient.next_nonce: the next nonce whose ring slot holds no pending request.
            busy = {t.request.nonce % 16 for t in self._pending()}
            self.nonce += 1
            while self.nonce % 16 in busy:
                self.nonce += 1
            return Request(
                requester=wlp.address,
                index=index.address,
                amount=amount,
                basket_version=index.basketVersion(),
                max_fee_bps=50,
                nonce=self.nonce,
                deadline=chain.blocks.head.timestamp + DAY,
            )

        # ---------------------------------------------------------------- rules
        @initialize()
        def start(self) -> None:
            assert index.totalSupply() == 0

        @rule()
        def step(self) -> None:
            """One action, chosen at random among those whose precondition holds."""
            enabled = [name for name, ready in self._actions().items() if ready]
            getattr(self, self.rng.choice(enabled))()

        def _actions(self) -> dict[str, bool]:
            pending = self._pending()
            return {
                "request_mint": len(pending) < 16,
                "request_redeem": len(pending) < 16,
                "report": True,
                "confirm_mint": bool(self._pending(True)),
                "confirm_redeem": bool(self._pending(False)),
                "finish": bool(pending),
                "propose": True,
                "report_traded": self.proposal is not None,
                "activate": self.proposal is not None,
                "rebalance_through": True,
                "cancel_proposal": self.proposal is not None,
                "time_passes": True,
                "stranger_tries": bool(self.requests),
            }

        @recorded
        def request_mint(self) -> None:
            whole, frac = self.rng.randint(1, 50), self.rng.randint(0, 999)
            amount = whole * INDEX_UNIT + frac * 10**15
            request = self._new_request(amount, True)
            self.log.append(f"request_mint nonce={request.nonce} amount={amount}")
            receipt = issuer_contract.requestMint(*request.as_abi()[1:], sender=wlp)
            event = receipt.decode_logs(issuer_contract.MintRequested)[0]
            escrow = dict(zip(event.escrowTokens, event.escrowAmounts, strict=True))
            self.requests.append(Tracked(request, True, escrow, 1))

        @recorded
        def request_redeem(self) -> None:
            share = self.rng.randint(1, 100)
            free = index.balanceOf(wlp) - index.lockedOf(
                wlp
            )  # locked tokens cannot be redeemed twice
            amount = free * share // 100
            if amount < 10**16:
                return
            amount -= amount % 10**12
            request = self._new_request(amount, False)
            self.log.append(f"request_redeem nonce={request.nonce} amount={amount}")
            issuer_contract.requestRedeem(*request.as_abi()[1:], sender=wlp)
            self.requests.append(Tracked(request, False, {}, 2))

        @recorded
        def report(self, margin: int | None = None) -> None:
            """The custodian reports off-chain reserves: `margin`% of what all pending mints
            would need (0 = nothing)."""
            margin = self.rng.choice([0, 90, 100, 100, 150]) if margin is None else margin
            stored, factor, units, *_ = index.basketState()
            pending = sum(t.request.amount for t in self._pending(True))
            owed = units + bm.backing(pending, factor, Rounding.CEIL)
            balances = []
            for asset_id, amount in stored:
                if bytes(asset_id) in offchain_ids:
                    balances.append((bytes(asset_id), bm.liability(amount, owed) * margin // 100))
            self.sequence += 1
            now = chain.blocks.head.timestamp
            oracle.report(
                (custodian.address, self.sequence, now, REF, sorted(balances)), sender=custodian
            )
            oracle.refreshCoverage(index, sender=stranger)

        @recorded
        def confirm_mint(self) -> None:
            tracked = self.rng.choice(self._pending(True))
            abi = tracked.request.as_abi()
            try:  # simulate first: short or stale reserves, or past its deadline, stays pending
                issuer_contract.confirmMint.call(abi, [REF, REF], sender=custodian)
            except ContractLogicError:
                assert issuer_contract.statusOfRequest(abi, True) == 1
                return
            self.log.append(f"confirm_mint nonce={tracked.request.nonce}")
            issuer_contract.confirmMint(abi, [REF, REF], sender=custodian)
            tracked.status = 3
            stored, _, units, *_ = index.basketState()
            oracle.requireCovered(stored, units)  # never left under-reserved

        @recorded
        def confirm_redeem(self) -> None:
            tracked = self.rng.choice(self._pending(False))
            if chain.blocks.head.timestamp >= tracked.request.deadline:
                return
            if tracked.request.basket_version != index.basketVersion():
                with pytest.raises(ContractLogicError):  # made against the old basket
                    issuer_contract.confirmRedeem.call(
                        tracked.request.as_abi(), [REF, REF], sender=custodian
                    )
                return
            self.log.append(f"confirm_redeem nonce={tracked.request.nonce}")
            issuer_contract.confirmRedeem(tracked.request.as_abi(), [REF, REF], sender=custodian)
            tracked.status = 3

        @recorded
        def finish(self) -> None:
            action = self.rng.choice(["reject", "cancel", "expire"])
            tracked = self.rng.choice(self._pending())
            abi = tracked.request.as_abi()
            self.log.append(f"{action} nonce={tracked.request.nonce}")
            if action == "reject":
                issuer_contract.reject(abi, tracked.is_mint, 7, sender=custodian)
                tracked.status = 4
            elif action == "cancel":
                issuer_contract.cancel(abi, tracked.is_mint, sender=wlp)
                tracked.status = 5
            elif (
                chain.blocks.head.timestamp > tracked.request.deadline
                or tracked.request.basket_version != index.basketVersion()
            ):
                issuer_contract.expire(abi, tracked.is_mint, sender=stranger)
                tracked.status = 6

        # ---------------------------------------------------------------- rebalancing
        @rule(
            pick=st.sampled_from([("BTC", "ETH"), ("BTC", "SOL"), ("ETH", "SOL")]),
            weight=st.integers(min_value=10, max_value=90),
            moves=st.tuples(*[st.integers(min_value=50, max_value=200)] * 3),
        )
        @recorded
        def propose(self) -> None:
            """The compiler proposes new off-chain components worth what the current ones are,
            at random prices (USD × 1e36 per base unit); ERC-20 components stay as they are."""
            pick = self.rng.choice([("BTC", "ETH"), ("BTC", "SOL"), ("ETH", "SOL")])
            weight = self.rng.randint(10, 90)
            moves = tuple(self.rng.randint(50, 200) for _ in range(3))
            stored = [(bytes(a), int(x)) for a, x in index.basketState()[0]]
            prices = dict(local_prices)
            for (symbol, base), move in zip(OFFCHAIN_PRICES.items(), moves, strict=True):
                prices[assets[symbol].id] = base * move // 100
            current_off = [(a, x) for a, x in stored if a not in local_prices]
            value = sum(x * prices[a] for a, x in current_off)
            chosen = [assets[pick[0]].id, assets[pick[1]].id]
            shares = [weight, 100 - weight]
            new = [(a, x) for a, x in stored if a in local_prices]
            new += [
                (a, value * w // (100 * prices[a])) for a, w in zip(chosen, shares, strict=True)
            ]
            new.sort()
            union = sorted({a for a, _ in stored} | {a for a, _ in new})
            price_list = [(a, prices[a]) for a in union]
            for a, price in price_list:  # {USD × 1e8 per whole asset}
                feeds[a].setAnswer(price * 10 ** decimals[a] // 10**28, sender=deployer)
            when = chain.blocks.head.timestamp + 2 * DAY + 1
            pending = bytes(index.pendingRebalance()[0])
            self.log.append(f"propose {pick} {weight}% prices {moves}")
            index.proposeRebalance(
                new, price_list, b"\x0c" * 32, when, pending, sender=index_compiler
            )
            self.proposal = (new, b"\x0c" * 32, when)

        @recorded
        def report_traded(self, margin: int | None = None) -> None:
            """The custodian trades into the proposed basket and reports it (margin %)."""
            margin = self.rng.choice([0, 99, 100, 100, 120]) if margin is None else margin
            assert self.proposal is not None
            _, _, units, *_ = index.basketState()
            balances = [
                (a, bm.liability(x, units) * margin // 100)
                for a, x in self.proposal[0]
                if a not in local_prices
            ]
            self.sequence += 1
            self.log.append(f"report_traded {margin}%")
            oracle.report(
                (custodian.address, self.sequence, chain.blocks.head.timestamp, REF, balances),
                sender=custodian,
            )

        @recorded
        def activate(self) -> None:
            assert self.proposal is not None
            components, commitment, when = self.proposal
            version = index.basketVersion()
            try:
                index.activateRebalance.call(
                    components, commitment, when, index_compiler, sender=stranger
                )
            except ContractLogicError:
                assert index.basketVersion() == version  # not due, or not covered: nothing moved
                return
            self.log.append("activate")
            index.activateRebalance(components, commitment, when, index_compiler, sender=stranger)
            activations.append(index.basketVersion())
            assert index.basketVersion() == version + 1
            stored, _, units, *_ = index.basketState()
            assert [(bytes(a), int(x)) for a, x in stored] == components
            oracle.requireCovered(stored, units)  # never left under-reserved
            self.proposal = None

        @rule(
            pick=st.sampled_from([("BTC", "ETH"), ("BTC", "SOL"), ("ETH", "SOL")]),
            weight=st.integers(min_value=10, max_value=90),
            moves=st.tuples(*[st.integers(min_value=50, max_value=200)] * 3),
        )
        @recorded
        def rebalance_through(self) -> None:
            """A whole month in one step: propose, wait for the activation time, the custodian
            reports the traded holdings in full, anyone activates."""
            self.propose()
            assert self.proposal is not None
            chain.mine(1, timestamp=self.proposal[2])
            self.report_traded(100)
            self.activate()
            assert self.proposal is None, "a due, fully covered proposal did not activate"

        @recorded
        def cancel_proposal(self) -> None:
            self.log.append("cancel proposal")
            index.cancelRebalance(index.pendingRebalance()[0], sender=index_compiler)
            self.proposal = None

        @recorded
        def time_passes(self) -> None:
            seconds = self.rng.choice([60, 3600, DAY // 2, DAY + 1])
            self.log.append(f"time +{seconds}")
            chain.mine(1, timestamp=chain.blocks.head.timestamp + seconds)

        @recorded
        def stranger_tries(self) -> None:
            action = self.rng.choice(["confirm", "reject", "cancel", "limits"])
            tracked = self.rng.choice(self.requests)
            before = (index.totalSupply(), index.balanceOf(wlp), index.lockedOf(wlp))
            abi = tracked.request.as_abi()
            calls = {
                "confirm": lambda: issuer_contract.confirmMint(abi, [REF, REF], sender=stranger),
                "reject": lambda: issuer_contract.reject(abi, tracked.is_mint, 1, sender=stranger),
                "cancel": lambda: issuer_contract.cancel(abi, tracked.is_mint, sender=stranger),
                "limits": lambda: issuer_contract.setLimits(
                    index, (0, 10**18, 1, 1, 1), sender=stranger
                ),
            }
            try:
                calls[action]()
            except Exception:
                pass
            else:
                raise AssertionError(f"a stranger's {action} went through")
            assert (index.totalSupply(), index.balanceOf(wlp), index.lockedOf(wlp)) == before

        # ---------------------------------------------------------------- invariants
        @invariant()
        @recorded
        def escrow_matches_pending(self) -> None:
            redeem_escrow = sum(t.request.amount for t in self._pending(False))
            assert index.lockedOf(wlp) == redeem_escrow  # the only requester
            for token in tokens:
                pending = sum(t.escrow.get(token.address, 0) for t in self._pending(True))
                assert issuer_contract.escrowed(token) == pending
                assert token.balanceOf(issuer_contract) == pending

        @invariant()
        @recorded
        def every_request_in_exactly_one_state(self) -> None:
            """The chain's record of each live request equals the model's single state. A
            finished request's record is reused by the requester's nonce 16 higher (a ring of
            16); it was checked while it was live, and afterwards only the events keep it."""
            live = {t.request.nonce % 16: t for t in self.requests}
            for tracked in live.values():
                on_chain = issuer_contract.statusOfRequest(
                    tracked.request.as_abi(), tracked.is_mint
                )
                assert on_chain == tracked.status, (tracked.request.nonce, on_chain, tracked.status)
            for tracked in self.requests:
                if live[tracked.request.nonce % 16] is not tracked:
                    assert tracked.status in TERMINAL

    # One run of 500 steps, not shrunk: a chain cannot be rewound cheaply enough to replay and
    # shrink many examples. On failure the first error is raised with the steps that led to it.
    Issuance.TestCase.settings = settings(
        max_examples=1,
        stateful_step_count=500,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    # Block times advance by exactly one second a block (not with the wall clock), so every
    # replay of an example sees the same elapsed times.
    with deterministic_clock():
        try:
            run_state_machine_as_test(Issuance, settings=Issuance.TestCase.settings)
        except BaseException as err:
            if first_errors:  # the failure as it first happened, not Hypothesis's replay of it
                raise AssertionError(first_errors[0]) from err
            raise
    assert activations, "no rebalance was activated in 500 steps"
