"""Setting an asset up for an index, in one idempotent step: registered in the AssetRegistry, with
a USD price feed, and with a reserve account of the index in the ReserveOracle that its
custodians report to.

    setup = set_up_asset(protocol, KNOWN_ASSETS["DOT"], price=Decimal("7.2"),
                         index=token.address, custodians=[custodian.address], sender=admin)
    setup.actions   # what was sent, in order; () when everything was already so

The current state is read first and only what is missing is sent (each transaction simulated
first, ``chain.transact``). A setting that is already there but differs from the one asked for
(another feed or staleness limit, an asset registered under other metadata) is refused with
``AssetSetupConflict`` before anything is sent, unless ``replace=True`` says the new feed and
limits are meant to replace the old (an admin's decision: the feed bounds every rebalance
proposal). An asset's registration is never replaced: the registry keeps assets forever.

Every call here is admin-only on chain (``DEFAULT_ADMIN_ROLE`` of the protocol's roles): a
``sender`` without it is refused by the simulation, nothing sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..core.assets import Asset
from ..core.errors import DeploymentError
from .transact import transact

LOCAL_CHAIN_IDS = (31337, 1337)
"""Chains where a missing price feed is a TestPriceFeed the deployer sets (Anvil, Ganache)."""
TEST_FEED_DECIMALS = 8  # as Chainlink's USD feeds: answer {USD × 1e8 per whole asset}
DEFAULT_FEED_MAX_AGE = 86_400  # {seconds}: Chainlink's slowest USD heartbeat is a day
DEFAULT_RESERVE_MAX_AGE = 86_400  # {seconds}: IssuanceSettings.max_age's default

ZERO_ADDRESS = "0x" + "00" * 20

FeedDeployer = Callable[[Asset, int], str]
"""(asset, answer {USD × 1e8 per whole asset}) -> the address of a new TestPriceFeed."""


class AssetSetupError(DeploymentError):
    """An asset cannot be set up as asked (no feed and no price, a price on a live chain, ...);
    nothing was sent."""


class AssetSetupConflict(AssetSetupError):
    """The chain already holds a different setting than the one asked for: ``field`` names it
    (``feed``, ``feed_max_age``, ``reserve_max_age``, ``symbol``, ``decimals``, ``token``),
    ``current`` and ``wanted`` are the two values. Nothing was sent."""

    def __init__(self, asset: Asset, field: str, current: object, wanted: object) -> None:
        hint = (
            " (pass replace=True to replace it)"
            if field in ("feed", "feed_max_age", "reserve_max_age")
            else " (a registered asset is never changed)"
        )
        super().__init__(
            f"{asset.symbol}: {field} is {current} on chain, not {wanted}{hint}; nothing sent"
        )
        self.field = field
        self.current = current
        self.wanted = wanted


@dataclass(frozen=True)
class AssetSetup:
    """An asset as set up after ``set_up_asset``: its registry feed (None: it has none and none
    was asked for) with staleness ``feed_max_age`` {seconds}; the index whose reserve account was
    set up (None: none asked) with staleness ``reserve_max_age`` {seconds} and the custodians
    asked for (every one of them counts for the account; others added before are kept);
    ``actions``, what this call sent, in order (empty: it sent nothing)."""

    asset: Asset
    feed: str | None
    feed_max_age: int
    index: str | None
    reserve_max_age: int
    custodians: tuple[str, ...]
    actions: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.actions)


def feed_answer(asset: Asset, usd: Decimal | Fraction) -> int:
    """{USD × 1e8 per whole asset}, rounded down; AssetSetupError when that is zero."""
    scaled = Fraction(usd) * 10**TEST_FEED_DECIMALS
    answer = scaled.numerator // scaled.denominator
    if answer <= 0:
        raise AssetSetupError(f"{asset.symbol} at {usd} USD is zero at 8 decimals")
    return int(answer)


def is_local_chain() -> bool:
    from ape import chain

    return chain.chain_id in LOCAL_CHAIN_IDS


def set_up_asset(
    protocol: Any,
    asset: Asset,
    *,
    sender: Any,
    feed: str | None = None,
    price: Decimal | Fraction | None = None,
    feed_max_age: int = DEFAULT_FEED_MAX_AGE,
    update_price: bool = False,
    index: str | None = None,
    custodians: Iterable[str] = (),
    reserve_max_age: int = DEFAULT_RESERVE_MAX_AGE,
    replace: bool = False,
    deploy_feed: FeedDeployer | None = None,
) -> AssetSetup:
    """Sets ``asset`` up on ``protocol`` (a ``chain.protocol.Protocol``) from ``sender`` (its
    admin), sending only what is missing:

    1. registered in the AssetRegistry (``registerLocalToken`` for an ERC-20 of this chain,
       ``registerExternalAsset`` otherwise); an asset registered under another symbol, decimals
       or token is an ``AssetSetupConflict``;
    2. its USD price feed, if ``feed`` or ``price`` is given (not both): ``feed`` is the address
       of a Chainlink AggregatorV3 (live networks); ``price`` {USD per whole asset}, on a local
       chain only, stands a TestPriceFeed (8 decimals, answer rounded down) in for one, deployed
       by ``deploy_feed`` (default: an unrecorded deployment from ``sender``). The registry's
       staleness limit is ``feed_max_age`` {seconds}. An asset whose feed is already set keeps
       it when it is the one asked for (``price``: any feed); a different feed or limit is an
       ``AssetSetupConflict`` unless ``replace``. With ``update_price`` (``price`` on a local
       chain), the asset's TestPriceFeed is set to ``price`` when its answer differs or is
       older than ``feed_max_age``: the local market moved;
    3. if ``index`` (an index token's address) is given, its reserve account for the asset in
       the ReserveOracle, staleness ``reserve_max_age`` {seconds} (another limit: a conflict
       unless ``replace``, then ``setMaxAge``), with ``custodians`` added (an ERC-20 of this
       chain has none: the vault's ledger is its reserve).

    Every conflict is found before anything is sent. Returns what is set up and what was sent.
    """
    if feed is not None and price is not None:
        raise AssetSetupError(f"{asset.symbol}: give its feed's address or a price, not both")
    if not 0 < feed_max_age < 2**32 or not 0 < reserve_max_age < 2**32:
        raise AssetSetupError(
            f"{asset.symbol}: staleness limits must be 1 ..= 2^32 - 1 seconds "
            f"(feed {feed_max_age}, reserve {reserve_max_age})"
        )
    plan = _Plan(protocol, asset, sender)
    plan.registration()
    if feed is not None or price is not None:
        plan.price_feed(feed, price, feed_max_age, update_price, replace, deploy_feed)
    if index is not None:
        plan.reserve_account(index, reserve_max_age, tuple(custodians), replace)
    for _, send in plan.steps:  # every conflict was raised while planning: now send
        send()
    feed_now, feed_max_age_now = plan.feed, plan.feed_max_age
    if plan.steps and protocol.assets.isRegistered(asset.id):  # as the registry holds it now
        address, limit, _ = protocol.assets.priceFeed(asset.id)
        feed_now = None if int(str(address), 16) == 0 else str(address)
        feed_max_age_now = int(limit) if feed_now else 0
    return AssetSetup(
        asset=asset,
        feed=feed_now,
        feed_max_age=feed_max_age_now,
        index=index,
        reserve_max_age=reserve_max_age if index is not None else 0,
        custodians=tuple(custodians) if index is not None and asset.token is None else (),
        actions=tuple(label for label, _ in plan.steps),
    )


Step = tuple[str, Callable[[], Any]]


class _Plan:
    """The transactions one ``set_up_asset`` call will send, in order, read off the chain's
    state; the conflicts are raised while planning, before any is sent."""

    def __init__(self, protocol: Any, asset: Asset, sender: Any) -> None:
        self.registry, self.oracle = protocol.assets, protocol.oracle
        self.asset, self.sender = asset, sender
        self.steps: list[Step] = []
        self.registered = bool(self.registry.isRegistered(asset.id))
        self.feed: str | None = None  # the registry's feed once the plan has run
        self.feed_max_age = 0  # {seconds}
        if self.registered:
            feed, max_age, _ = self.registry.priceFeed(asset.id)
            if int(str(feed), 16) != 0:
                self.feed, self.feed_max_age = str(feed), int(max_age)

    def add(self, label: str, send: Callable[[], Any]) -> None:
        self.steps.append((label, send))

    def registration(self) -> None:
        asset, registry, sender = self.asset, self.registry, self.sender
        if self.registered:
            stored = registry.asset(asset.id)
            token = None if int(str(stored.token), 16) == 0 else str(stored.token).lower()
            for name, current, wanted in (
                ("symbol", str(stored.symbol), asset.symbol),
                ("decimals", int(stored.decimals), asset.decimals),
                ("token", token, asset.token.lower() if asset.token else None),
            ):
                if current != wanted:
                    raise AssetSetupConflict(asset, name, current, wanted)
        elif asset.token is not None:
            token_address = asset.token
            self.add(
                f"register {asset.symbol}",
                lambda: transact(registry.registerLocalToken, token_address, sender=sender),
            )
        else:
            self.add(
                f"register {asset.symbol}",
                lambda: transact(
                    registry.registerExternalAsset,
                    asset.chain,
                    asset.identity,
                    asset.symbol,
                    asset.decimals,
                    sender=sender,
                ),
            )

    def price_feed(
        self,
        feed: str | None,
        price: Decimal | Fraction | None,
        max_age: int,
        update_price: bool,
        replace: bool,
        deploy_feed: FeedDeployer | None,
    ) -> None:
        asset, registry, sender = self.asset, self.registry, self.sender
        current = self.feed
        if feed is not None:
            from eth_utils import is_address, to_checksum_address

            if not is_address(feed) or int(feed, 16) == 0:
                raise AssetSetupError(f"{asset.symbol}: feed {feed!r} is not an address")
            feed = to_checksum_address(feed)
            if current is not None and current.lower() != feed.lower() and not replace:
                raise AssetSetupConflict(asset, "feed", current, feed)
        if current is not None and (feed is None or current.lower() == feed.lower()):
            if self.feed_max_age != max_age:
                if not replace:
                    raise AssetSetupConflict(asset, "feed_max_age", self.feed_max_age, max_age)
                kept = current
                self.add(
                    f"feed {asset.symbol}",
                    lambda: transact(registry.setPriceFeed, asset.id, kept, max_age, sender=sender),
                )
                self.feed_max_age = max_age
            if feed is None and update_price and price is not None:
                self._move_test_feed(current, price, max_age)
            return
        if feed is None:  # no feed yet: a TestPriceFeed at `price`, on a local chain only
            assert price is not None
            if not is_local_chain():
                from ape import chain

                raise AssetSetupError(
                    f"no price feed for {asset.symbol} on chain {chain.chain_id}: give its "
                    "Chainlink USD feed's address"
                )
            answer = feed_answer(asset, price)
            deploy = deploy_feed or _deploy_test_feed(sender)
            # The feed's address is known once it is deployed: the step that sets it reads it.
            deployed: list[str] = []
            self.add(
                f"deploy TestPriceFeed {asset.symbol}",
                lambda: deployed.append(deploy(asset, answer)),
            )
            self.add(
                f"feed {asset.symbol}",
                lambda: transact(
                    registry.setPriceFeed, asset.id, deployed[0], max_age, sender=sender
                ),
            )
        else:
            chosen = feed
            self.add(
                f"feed {asset.symbol}",
                lambda: transact(registry.setPriceFeed, asset.id, chosen, max_age, sender=sender),
            )
            self.feed = chosen
        self.feed_max_age = max_age

    def _move_test_feed(self, feed: str, price: Decimal | Fraction, max_age: int) -> None:
        """The local TestPriceFeed at ``feed`` set to ``price`` unless it answers that already,
        fresh (within ``max_age`` of the chain's clock)."""
        from ape import chain

        from .artifacts import container

        if not is_local_chain():
            raise AssetSetupError(
                f"{self.asset.symbol}: a feed's price is set by hand on a local chain only"
            )
        answer = feed_answer(self.asset, price)
        test_feed = container("TestPriceFeed").at(feed)
        _, current, _, updated_at, _ = test_feed.latestRoundData()
        fresh = int(chain.pending_timestamp) - int(updated_at) <= max_age
        if int(current) == answer and fresh:
            return
        sender = self.sender
        self.add(
            f"price {self.asset.symbol}",
            lambda: transact(test_feed.setAnswer, answer, sender=sender),
        )

    def reserve_account(
        self, index: str, max_age: int, custodians: tuple[str, ...], replace: bool
    ) -> None:
        asset, oracle, sender = self.asset, self.oracle, self.sender
        opened, current_age, _, _ = oracle.accountConfig(index, asset.id)
        if not opened:
            self.add(
                f"open {asset.symbol} account of {index}",
                lambda: transact(oracle.openAccount, index, asset.id, max_age, sender=sender),
            )
        elif int(current_age) != max_age:
            if not replace:
                raise AssetSetupConflict(asset, "reserve_max_age", int(current_age), max_age)
            self.add(
                f"reserve max age {asset.symbol} of {index}",
                lambda: transact(oracle.setMaxAge, index, asset.id, max_age, sender=sender),
            )
        if asset.token is not None:  # on this chain: the vault's ledger, no custodians
            return
        for custodian in dict.fromkeys(custodians):
            if opened and oracle.isCustodianOf(custodian, index, asset.id):
                continue
            self.add(
                f"custodian {custodian} of {asset.symbol} for {index}",
                _send(oracle.addCustodian, index, asset.id, custodian, sender=sender),
            )


def _send(method: Any, *args: Any, sender: Any) -> Callable[[], Any]:
    """A step that sends ``method(*args)`` from ``sender`` (simulated first)."""
    return lambda: transact(method, *args, sender=sender)


def _deploy_test_feed(sender: Any) -> FeedDeployer:
    def deploy(asset: Asset, answer: int) -> str:
        from .artifacts import container

        feed = container("TestPriceFeed").deploy(
            TEST_FEED_DECIMALS, f"{asset.symbol} / USD (test)", answer, sender=sender
        )
        return str(feed.address)

    return deploy


def set_up_account(
    oracle: Any,
    index: str,
    asset_id: bytes,
    max_age: int,
    custodians: Iterable[str],
    sender: Any,
) -> None:
    """Opens the reserve account (index, asset) in ``oracle`` with staleness ``max_age``
    {seconds} and adds its custodians, each only if not already so: ``set_up_asset``'s third
    step for an asset known only by its id (an index's basket, a new oracle version). An ERC-20
    of this chain (the account's ``local``) gets no custodians."""
    opened, _, _, local = oracle.accountConfig(index, asset_id)
    if not opened:
        transact(oracle.openAccount, index, asset_id, max_age, sender=sender)
        local = oracle.accountConfig(index, asset_id)[3]
    for custodian in [] if local else custodians:
        if not oracle.isCustodianOf(custodian, index, asset_id):
            transact(oracle.addCustodian, index, asset_id, custodian, sender=sender)
