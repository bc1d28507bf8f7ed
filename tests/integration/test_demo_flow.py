"""The demo's flow on Anvil with shorter parameters: every step does what it should, the pool
ends within the band of NAV after the bot runs, coverage never drops below 100%, and the index
tokens add up across every participant."""

from __future__ import annotations

import json

from ssikit.flows.demo import DemoSettings, run_demo


def test_demo_flow__every_step_checks_out(accounts, tmp_path, project):
    # A pool deep enough that closing a 4% premium pays more than the bot's gas.
    settings = DemoSettings(mint_tokens=60, pool_tokens=50, redeem_tokens=3, symbol="DEMO.ssi")
    report = run_demo(accounts, tmp_path / "deployments.json", tmp_path / "out", settings=settings)
    failed = {s["name"]: s["checks"] for s in report["steps"] if not s["ok"]}
    assert report["ok"], failed
    names = [s["name"] for s in report["steps"]]
    assert names[0] == "deploy" and names[-1] == "WLP redeems" and len(names) == 13
    assert report["failure"] is None
    assert all(s["coverage_min"] is None or s["coverage_min"] >= 1 for s in report["steps"])
    bot_steps = [s for s in report["steps"] if s["name"].startswith("arbitrage bot")]
    assert all(s["checks"] and all(s["checks"].values()) for s in bot_steps)
    final = report["final"]
    assert abs(final["pool_price_usd"] / final["nav_usd"] - 1) < 0.01
    assert final["basket_version"] == 2
    # The report lists each index's issuer version (both on the deployment's first).
    lifecycle = report["lifecycle"]
    assert set(lifecycle) == set(report["indices"])
    assert {v["issuer_version"] for v in lifecycle.values()} == {"Issuer v1"}
    assert all(not v["deprecated"] and v["former_issuers"] == [] for v in lifecycle.values())
    # Every index token is somewhere: the participants, the pool.
    token = project.IndexToken.at(report["index"])
    from ssikit.chain.deployments import DeploymentRegistry

    record = next(iter(DeploymentRegistry.load(tmp_path / "deployments.json").chains.values()))
    from ssikit.chain.uniswap import container

    factory = container("UniswapV2Factory").at(record.contracts["UniswapV2Factory"].address)
    pair = factory.getPair(token.address, record.contracts["USDC"].address)
    holders = [a.address for a in list(accounts)[:10]] + [pair]
    assert sum(token.balanceOf(h) for h in holders) == token.totalSupply()
    written = json.loads((tmp_path / "out" / "demo-report.json").read_text())
    assert written["ok"] and (tmp_path / "out" / "demo.png").read_bytes()[:4] == b"\x89PNG"
    assert all(t["gas"] > 0 for s in written["steps"] for t in s["transactions"])


def test_demo_steps__a_wlp_that_never_delivers__stops_at_the_confirmation_step(accounts, tmp_path):
    """Each step checks its own effect: with the delivery left out, the confirmation step's
    check fails, the run stops there naming it, and nothing was minted."""
    from ssikit.flows.demo import STEPS, DemoState, run_steps
    from ssikit.flows.demo.state import Step
    from ssikit.methodology.eligibility import panel_of
    from ssikit.presets.synthetic import synthetic_market

    def confirm_without_delivery(state: DemoState, step: Step) -> None:
        from ape import chain

        chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)
        tick = state.service.tick()
        step.checks["mints confirmed"] = {r.id for r in state.minted} <= {
            c["id"] for c in tick["confirmed"]
        }

    names = [name for name, _ in STEPS]
    at = names.index("WLP delivers; custodian confirms")
    steps = [*STEPS[:at], (names[at], confirm_without_delivery), *STEPS[at + 1 :]]
    state = DemoState(
        accounts=accounts,
        registry_path=tmp_path / "deployments.json",
        out=tmp_path / "out",
        settings=DemoSettings(mint_tokens=5, second_mint_tokens=2, symbol="NODELIVERY.ssi"),
        panel=panel_of(synthetic_market()),
        source="SYNTHETIC market",
    )
    try:
        ok, failure = run_steps(state, steps)
    finally:
        state.custody_chain.stop()
    assert not ok
    assert failure == "step 'WLP delivers; custodian confirms' failed: mints confirmed"
    assert [s.name for s in state.rec.steps] == names[: at + 1]  # nothing ran after it
    assert state.token.totalSupply() == 0 and state.second.totalSupply() == 0
    session = state.wlp_session
    now = [
        v for symbol in ("NODELIVERY.ssi", "MAG7EW.ssi") for v in session.index(symbol).requests()
    ]
    assert {v.id for v in now} == {r.id for r in state.minted}
    assert all(v.status.label == "mint pending" for v in now)  # read again: still waiting
