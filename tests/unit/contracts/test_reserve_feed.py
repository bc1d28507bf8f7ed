"""ReserveFeed: one index's reserves of one asset as a Chainlink feed with real rounds, read
directly and through Chainlink's own EACAggregatorProxy, beside Chainlink's MockV3Aggregator."""

from __future__ import annotations

from typing import Any

import ape
import pytest

from ssikit.chain.reserve_feed import (
    FeedRound,
    chainlink_container,
    deploy_chainlink_proxy,
    deploy_reserve_feed,
    latest_round,
    recorded_feeds,
    update_feed,
)
from ssikit.core.assets import MAG7_ASSETS

BTC = MAG7_ASSETS[0]
PHASE_1 = 1 << 64  # EACAggregatorProxy round id = phase_id << 64 | aggregator round id
MAX_ANSWER = 2**128 - 1  # {base units}
MAX_AS_OF = 2**64 - 1  # {unix seconds}


# ------------------------------------------------------------------ fixtures, by role
@pytest.fixture(scope="session")
def reserve_source(deployer: Any, project: Any) -> Any:
    """Stands in for the reserve oracle: answers whatever the test sets."""
    return project.TestReserveSource.deploy(sender=deployer)


@pytest.fixture(scope="session")
def reserve_feed(reserve_source: Any, mag7: Any, deployer: Any) -> Any:
    return deploy_reserve_feed(reserve_source, mag7, BTC, deployer)


@pytest.fixture(scope="session")
def feed_proxy(reserve_feed: Any, deployer: Any) -> Any:
    """Chainlink's EACAggregatorProxy over the reserve feed (phase 1)."""
    return deploy_chainlink_proxy(reserve_feed, deployer)


@pytest.fixture(scope="session")
def reference_aggregator(deployer: Any) -> Any:
    """Chainlink's MockV3Aggregator, the reference the feed is compared with (its constructor
    records round 1; `set_reserves` overwrites it)."""
    return chainlink_container("MockV3Aggregator").deploy(BTC.decimals, 1, sender=deployer)


@pytest.fixture(scope="session")
def reference_proxy(reference_aggregator: Any, deployer: Any) -> Any:
    return deploy_chainlink_proxy(reference_aggregator, deployer)


@pytest.fixture(scope="session")
def round_consumer(deployer: Any, project: Any) -> Any:
    """Liquity PriceFeed's Chainlink checks (latest and previous round)."""
    return project.TestRoundConsumer.deploy(sender=deployer)


@pytest.fixture(scope="session")
def set_reserves(reserve_source: Any, mag7: Any, deployer: Any) -> Any:
    """set_reserves(reserves, as_of): what the source answers for (MAG7, BTC) from now on."""

    def set_(reserves: int, as_of: int) -> None:
        reserve_source.set(mag7, BTC.id, reserves, as_of, sender=deployer)

    return set_


@pytest.fixture(scope="session")
def record_round(
    set_reserves: Any, reserve_feed: Any, reference_aggregator: Any, stranger: Any, deployer: Any
) -> Any:
    """record_round(reserves, as_of) -> receipt of `update()` (called by a stranger: anyone may);
    the reference aggregator records the same round with the same times."""

    def record(reserves: int, as_of: int) -> Any:
        set_reserves(reserves, as_of)
        receipt = reserve_feed.update(sender=stranger)
        round_id = reserve_feed.latestRound()
        reference_aggregator.updateRoundData(round_id, reserves, as_of, as_of, sender=deployer)
        return receipt

    return record


@pytest.fixture
def now(chain: Any) -> int:
    return int(chain.blocks.head.timestamp)


def _liquity_check(consumer: Any, feed: Any) -> tuple[dict[str, Any], dict[str, Any], bool, bool]:
    """TestRoundConsumer.check, its two responses as dicts."""
    fields = ("success", "roundId", "answer", "timestamp", "decimals")
    current, previous, current_broken, previous_broken = consumer.check(feed)
    return (
        dict(zip(fields, current, strict=True)),
        dict(zip(fields, previous, strict=True)),
        current_broken,
        previous_broken,
    )


def _rounds(feed: Any, ids: range) -> list[tuple[int, ...]]:
    return [tuple(feed.getRoundData(i)) for i in ids]


# ------------------------------------------------------------------ rounds
def test_latest_round_data__before_first_round__reverts(expect_revert, reserve_feed, feed_proxy):
    with expect_revert(reserve_feed.ReserveFeedNoDataPresent, roundId=0):
        reserve_feed.latestRoundData()
    with expect_revert(reserve_feed.ReserveFeedNoDataPresent, roundId=0):
        feed_proxy.latestRoundData()
    assert latest_round(reserve_feed) is None and latest_round(feed_proxy) is None
    assert (reserve_feed.latestAnswer(), reserve_feed.latestTimestamp()) == (0, 0)
    assert (reserve_feed.latestRound(), feed_proxy.latestRound()) == (0, PHASE_1)


def test_update__nothing_reported__records_nothing(reserve_feed, set_reserves, stranger):
    set_reserves(0, 0)
    assert reserve_feed.update.call(sender=stranger) is False
    assert update_feed(reserve_feed, stranger) is None
    set_reserves(5, 0)  # an answer without an as-of time is not data either
    assert update_feed(reserve_feed, stranger) is None
    assert reserve_feed.latestRound() == 0


def test_update__change__records_next_round_and_emits(reserve_feed, record_round, stranger, now):
    receipt = record_round(100, now)
    new_round = receipt.decode_logs(reserve_feed.NewRound)[0]
    answer = receipt.decode_logs(reserve_feed.AnswerUpdated)[0]
    assert (new_round.roundId, new_round.startedBy, new_round.startedAt) == (1, stranger, now)
    assert (answer.current, answer.roundId, answer.updatedAt) == (100, 1, now)
    assert tuple(reserve_feed.latestRoundData()) == (1, 100, now, now, 1)
    assert tuple(reserve_feed.getRoundData(1)) == (1, 100, now, now, 1)


def test_update__unchanged__records_nothing(reserve_feed, record_round, stranger, now):
    record_round(100, now)
    assert reserve_feed.update.call(sender=stranger) is False
    receipt = reserve_feed.update(sender=stranger)
    assert not receipt.decode_logs(reserve_feed.AnswerUpdated)
    assert reserve_feed.latestRound() == 1


def test_update__reserves_or_as_of_changed__each_a_new_round(reserve_feed, record_round, now):
    record_round(100, now)
    record_round(90, now)  # reserves changed, same as-of (one custodian of several reported)
    record_round(90, now + 1)  # same reserves, newer report
    record_round(90, now + 1)  # unchanged: no round
    assert reserve_feed.latestRound() == 3
    assert _rounds(reserve_feed, range(1, 4)) == [
        (1, 100, now, now, 1),
        (2, 90, now, now, 2),
        (3, 90, now + 1, now + 1, 3),
    ]


def test_superseded_rounds__keep_answer_and_time(reserve_feed, record_round, now):
    record_round(100, now)
    first = tuple(reserve_feed.getRoundData(1))
    for step in range(1, 4):
        record_round(100 + step, now + step)
    assert tuple(reserve_feed.getRoundData(1)) == first
    assert tuple(reserve_feed.getRoundData(2)) == (2, 101, now + 1, now + 1, 2)
    assert tuple(reserve_feed.getRoundData(reserve_feed.latestRound())) == tuple(
        reserve_feed.latestRoundData()
    )


def test_get_round_data__unknown_round__reverts_directly_and_through_proxy(
    expect_revert, reserve_feed, feed_proxy, record_round, now
):
    record_round(100, now)
    record_round(200, now + 1)
    for unknown in (0, 3, PHASE_1 + 1):  # the feed itself has no phases
        with expect_revert(reserve_feed.ReserveFeedNoDataPresent, roundId=unknown):
            reserve_feed.getRoundData(unknown)
    assert tuple(feed_proxy.getRoundData(PHASE_1 | 1)) == (PHASE_1 | 1, 100, now, now, PHASE_1 | 1)
    for unknown in (0, 3):  # phase 1, unknown aggregator rounds: the feed's revert, forwarded
        with expect_revert(reserve_feed.ReserveFeedNoDataPresent, roundId=unknown):
            feed_proxy.getRoundData(PHASE_1 | unknown)
    with ape.reverts():  # phase 2 has no aggregator: the proxy's call to address 0 reverts
        feed_proxy.getRoundData((2 << 64) | 1)


def test_update__answer_and_as_of_at_range_ends(
    expect_revert, reserve_feed, set_reserves, stranger
):
    set_reserves(MAX_ANSWER, MAX_AS_OF)
    reserve_feed.update(sender=stranger)
    assert tuple(reserve_feed.latestRoundData()) == (1, MAX_ANSWER, MAX_AS_OF, MAX_AS_OF, 1)
    set_reserves(MAX_ANSWER + 1, 1)
    with expect_revert(reserve_feed.ReserveFeedValueOutOfRange, reserves=MAX_ANSWER + 1, asOf=1):
        reserve_feed.update(sender=stranger)
    set_reserves(0, MAX_AS_OF + 1)
    with expect_revert(reserve_feed.ReserveFeedValueOutOfRange, reserves=0, asOf=MAX_AS_OF + 1):
        reserve_feed.update(sender=stranger)
    set_reserves(0, 1)  # zero reserves at the earliest time are data
    reserve_feed.update(sender=stranger)
    assert tuple(reserve_feed.latestRoundData()) == (2, 0, 1, 1, 2)


# ------------------------------------------------------------------ consumers
def test_liquity_style_check__through_proxy__same_as_chainlink_reference(
    round_consumer, feed_proxy, reference_proxy, record_round, now
):
    # Times in the past: Liquity counts a timestamp after block.timestamp as broken.
    record_round(100, now - 1)
    current, previous, current_broken, previous_broken = _liquity_check(round_consumer, feed_proxy)
    assert (current["roundId"], current["answer"], current["timestamp"]) == (
        PHASE_1 | 1,
        100,
        now - 1,
    )
    assert not current_broken and previous_broken  # no round before the first
    # Same verdicts; the previous response differs in form only: Chainlink's mock answers round 0
    # with zeros (broken: no timestamp), the feed reverts as Chainlink's live aggregators do.
    reference = _liquity_check(round_consumer, reference_proxy)
    assert (current, current_broken, previous_broken) == (reference[0], *reference[2:])
    assert previous["success"] is False and reference[1]["timestamp"] == 0

    record_round(120, now)
    current, previous, current_broken, previous_broken = _liquity_check(round_consumer, feed_proxy)
    assert (previous["roundId"], previous["answer"], previous["timestamp"]) == (
        PHASE_1 | 1,
        100,
        now - 1,
    )
    assert (current["roundId"], current["answer"]) == (PHASE_1 | 2, 120)
    assert not current_broken and not previous_broken
    assert _liquity_check(round_consumer, feed_proxy) == _liquity_check(
        round_consumer, reference_proxy
    )


def test_liquity_style_check__direct__reads_previous_round(
    round_consumer, reserve_feed, record_round, now
):
    record_round(100, now - 1)
    record_round(120, now)
    current, previous, current_broken, previous_broken = _liquity_check(
        round_consumer, reserve_feed
    )
    assert (current["roundId"], current["answer"], previous["roundId"], previous["answer"]) == (
        2,
        120,
        1,
        100,
    )
    assert not current_broken and not previous_broken


def test_v2_views__direct_and_through_proxy__from_the_rounds(
    reserve_feed, feed_proxy, reference_proxy, record_round, now
):
    record_round(100, now)
    record_round(120, now + 1)
    assert (
        reserve_feed.latestAnswer(),
        reserve_feed.latestTimestamp(),
        reserve_feed.latestRound(),
    ) == (120, now + 1, 2)
    assert [reserve_feed.getAnswer(i) for i in (0, 1, 2, 3)] == [0, 100, 120, 0]
    assert [reserve_feed.getTimestamp(i) for i in (0, 1, 2, 3)] == [0, now, now + 1, 0]
    for proxy in (feed_proxy, reference_proxy):
        assert (proxy.latestAnswer(), proxy.latestTimestamp(), proxy.latestRound()) == (
            120,
            now + 1,
            PHASE_1 | 2,
        )
        assert proxy.getAnswer(PHASE_1 | 1) == 100 and proxy.getTimestamp(PHASE_1 | 1) == now
        assert proxy.getAnswer(PHASE_1 | 3) == 0 and proxy.getAnswer((2 << 64) | 1) == 0


def test_metadata__direct_and_through_proxy(reserve_feed, feed_proxy, reserve_source, mag7):
    for feed in (reserve_feed, feed_proxy):
        assert feed.decimals() == BTC.decimals and feed.version() == 2
        assert feed.description() == "BTC reserves of MAG7.ssi (ssikit)"
    assert (reserve_feed.SOURCE(), reserve_feed.INDEX()) == (reserve_source, mag7)
    assert bytes(reserve_feed.ASSET_ID()) == BTC.id


# ------------------------------------------------------------------ SDK helpers, gas
def test_update_feed__returns_the_recorded_round(
    reserve_feed, feed_proxy, set_reserves, stranger, now
):
    set_reserves(7, now)
    assert update_feed(reserve_feed, stranger) == FeedRound(1, 7, now, now, 1)
    assert update_feed(reserve_feed, stranger) is None
    assert latest_round(feed_proxy) == FeedRound(PHASE_1 | 1, 7, now, now, PHASE_1 | 1)


def test_deployment_reserve_feed__over_the_oracle__once(protocol, mag7, deployer, tmp_path):
    from ssikit.chain.protocol import Deployment

    deployment = Deployment(deployer, path=tmp_path / "deployments.json")
    feed = deployment.reserve_feed(protocol, mag7, BTC)
    assert deployment.reserve_feed(protocol, mag7, BTC).address == feed.address
    assert "ReserveFeed.MAG7.ssi.BTC" in deployment.record.contracts
    assert [f.address for f in recorded_feeds(deployment.record, ["MAG7.ssi"])] == [feed.address]
    assert recorded_feeds(deployment.record, ["OTHER"]) == []
    assert (feed.SOURCE(), feed.INDEX(), bytes(feed.ASSET_ID())) == (protocol.oracle, mag7, BTC.id)


def test_update__gas(reserve_feed, set_reserves, stranger, now):
    """First round, a later round, and a call that changes nothing (see the report / snapshot)."""
    used = {}
    set_reserves(100, now)
    used["first"] = reserve_feed.update(sender=stranger).gas_used
    set_reserves(101, now + 1)
    used["next"] = reserve_feed.update(sender=stranger).gas_used
    used["unchanged"] = reserve_feed.update(sender=stranger).gas_used
    print(f"ReserveFeed.update gas: {used}")
    assert used["next"] < 70_000 and used["unchanged"] < 35_000
