"""IndexToken: basket, issuer-only supply, the streaming fee, permit, and every refusal."""

from __future__ import annotations

import pytest

from ssikit.builders.permit import permit_typed_data, sign_permit
from ssikit.core.units import INDEX_UNIT, RAY, SECONDS_PER_YEAR
from ssikit.math import basket as bm
from ssikit.math.fees import annual_rate, decay
from ssikit.math.rounding import Rounding

YEAR = SECONDS_PER_YEAR


def _checkpoint(chain, token) -> int:
    """Timestamp of the token's creation block (its first fee checkpoint)."""
    return chain.blocks[token.creation_metadata.block].timestamp


def test_creation__basket_and_metadata(mag7, mag7_params):
    assert (mag7.name(), mag7.symbol(), mag7.decimals()) == ("SoSoValue MAG7 Index", "MAG7.ssi", 18)
    assert mag7.basketVersion() == 1
    components, factor, units, version, has_local = mag7.basketState()
    assert not has_local and mag7.issuanceInfo()[:3] == (1, False, 7)
    assert [(bytes(c[0]), c[1]) for c in components] == mag7_params.basket.as_abi()
    assert units == 0 and version == 1
    assert factor <= RAY
    assert mag7.maxFeeRate() == mag7_params.max_fee_rate
    assert mag7.feeRate() == mag7_params.fee_rate


def test_mint__by_issuer__credits_holder_and_backing(mag7, issuer, holder, chain):
    amount = 5 * INDEX_UNIT + 3
    # The issuer hands in the delivery's fee factor (here: read a block earlier, never lower
    # than the mined block's); the backing recorded is the amount at that factor.
    factor = mag7.feeFactor()
    mag7.mint(holder, amount, 0, factor, sender=issuer)
    assert factor >= decay(
        RAY, mag7.feeRate(), chain.blocks.head.timestamp - _checkpoint(chain, mag7)
    )
    assert mag7.balanceOf(holder) == amount
    assert mag7.totalSupply() == amount
    assert mag7.backingUnits() == bm.backing(amount, factor, Rounding.CEIL)


@pytest.fixture
def mag7(direct_mag7):
    """MAG7.ssi whose issuer is the `issuer` account (the token's own tests call it directly)."""
    return direct_mag7


def test_issuer__fixed_at_creation(mag7, issuer, direct_factory):
    assert mag7.issuer() == issuer.address and mag7.factory() == direct_factory.address


def test_mint__not_the_issuer__reverts_and_changes_nothing(
    expect_revert, mag7, roles, stranger, holder, deployer
):
    roles.grantRole(roles.ISSUER_ROLE(), stranger, sender=deployer)  # a role grant is not enough
    with expect_revert(mag7.IndexNotIssuer, caller=stranger.address):
        mag7.mint(holder, INDEX_UNIT, 0, mag7.feeFactor(), sender=stranger)
    assert mag7.totalSupply() == 0 and mag7.backingUnits() == 0


def test_mint_and_burn__zero__revert(expect_revert, mag7, issuer, holder):
    with expect_revert(mag7.IndexZeroInput):
        mag7.mint(holder, 0, 0, mag7.feeFactor(), sender=issuer)
    with expect_revert(mag7.IndexZeroInput):
        mag7.burnLocked(holder, 0, 0, mag7.feeFactor(), sender=issuer)


def test_lock__keeps_balance_blocks_transfers_of_locked_part(
    expect_revert, mag7, issuer, holder, stranger
):
    mag7.mint(holder, 10 * INDEX_UNIT, 0, mag7.feeFactor(), sender=issuer)
    mag7.lock(holder, 4 * INDEX_UNIT, sender=issuer)
    assert mag7.balanceOf(holder) == 10 * INDEX_UNIT and mag7.lockedOf(holder) == 4 * INDEX_UNIT
    with expect_revert(
        mag7.ERC20InsufficientBalance,
        sender=holder.address,
        balance=6 * INDEX_UNIT,
        needed=7 * INDEX_UNIT,
    ):
        mag7.transfer(stranger, 7 * INDEX_UNIT, sender=holder)
    mag7.transfer(stranger, 6 * INDEX_UNIT, sender=holder)  # the free part moves
    assert mag7.balanceOf(holder) == 4 * INDEX_UNIT
    with expect_revert(mag7.ERC20InsufficientBalance):
        mag7.lock(holder, 1, sender=issuer)  # nothing free left to lock
    mag7.unlock(holder, 4 * INDEX_UNIT, sender=issuer)
    assert mag7.lockedOf(holder) == 0
    mag7.transfer(stranger, 4 * INDEX_UNIT, sender=holder)
    assert mag7.balanceOf(stranger) == 10 * INDEX_UNIT


def test_unlock__more_than_locked__reverts(expect_revert, mag7, issuer, holder):
    mag7.mint(holder, 2 * INDEX_UNIT, 0, mag7.feeFactor(), sender=issuer)
    mag7.lock(holder, INDEX_UNIT, sender=issuer)
    with expect_revert(
        mag7.LockedBalanceTooLow, holder=holder.address, locked=INDEX_UNIT, needed=INDEX_UNIT + 1
    ):
        mag7.unlock(holder, INDEX_UNIT + 1, sender=issuer)
    assert mag7.lockedOf(holder) == INDEX_UNIT


def test_burn_locked__burns_from_the_locked_part_only(expect_revert, mag7, issuer, holder):
    mag7.mint(holder, 10 * INDEX_UNIT, 0, mag7.feeFactor(), sender=issuer)
    mag7.lock(holder, 4 * INDEX_UNIT, sender=issuer)
    units_before = mag7.backingUnits()
    with expect_revert(mag7.LockedBalanceTooLow):
        mag7.burnLocked(holder, 5 * INDEX_UNIT, 0, mag7.feeFactor(), sender=issuer)
    receipt = mag7.burnLocked(holder, 4 * INDEX_UNIT, 0, mag7.feeFactor(), sender=issuer)
    assert receipt.return_value == (1, False, 7)  # basket version, local components, count
    assert mag7.balanceOf(holder) == 6 * INDEX_UNIT and mag7.lockedOf(holder) == 0
    assert mag7.totalSupply() == 6 * INDEX_UNIT
    assert 0 < mag7.backingUnits() < units_before
    transfer = receipt.decode_logs(mag7.Transfer)[0]
    assert (transfer["from"], int(transfer["to"], 16), transfer.value) == (
        holder.address,
        0,
        4 * INDEX_UNIT,
    )


def test_lock_unlock_burn__not_the_issuer__revert(expect_revert, mag7, issuer, holder):
    mag7.mint(holder, INDEX_UNIT, 0, mag7.feeFactor(), sender=issuer)
    for call in (mag7.lock, mag7.unlock):
        with expect_revert(mag7.IndexNotIssuer, caller=holder.address):
            call(holder, INDEX_UNIT, sender=holder)
    with expect_revert(mag7.IndexNotIssuer, caller=holder.address):
        mag7.burnLocked(holder, INDEX_UNIT, 0, mag7.feeFactor(), sender=holder)
    assert mag7.balanceOf(holder) == INDEX_UNIT and mag7.lockedOf(holder) == 0


def test_fee__one_year__matches_sdk_and_moves_value_to_fee_recipient(
    mag7, issuer, holder, chain, mag7_params
):
    mag7.mint(holder, 1_000 * INDEX_UNIT, 0, mag7.feeFactor(), sender=issuer)
    units = mag7.backingUnits()
    liabilities = {c.assetId: mag7.liability(c.assetId) for c in mag7.basket()}
    start = _checkpoint(chain, mag7)
    chain.mine(1, timestamp=start + YEAR)
    factor = decay(RAY, mag7.feeRate(), YEAR)
    assert mag7.feeFactor() == factor
    # ~0.95% a year, as announced
    assert abs(float(annual_rate(mag7.feeRate())) - 0.0095) < 1e-9
    assert abs(factor / RAY - (1 - 0.0095)) < 1e-9
    for stored in mag7_params.basket.components:
        assert mag7.amountPerToken(stored.asset_id) == bm.amount_per_token(
            stored.amount, factor, Rounding.FLOOR
        )
        # The fee changes who owns the reserves, not what the custodians must hold.
        assert mag7.liability(stored.asset_id) == liabilities[stored.asset_id]
    assert mag7.backingUnits() == units
    assert mag7.feeShare() == bm.fee_share(units, 1_000 * INDEX_UNIT, factor)
    assert 9 * INDEX_UNIT < mag7.feeShare() < 10 * INDEX_UNIT


def test_fee__no_accrual_needed__views_and_mint_use_current_factor(mag7, issuer, holder, chain):
    start = _checkpoint(chain, mag7)
    chain.mine(1, timestamp=start + 30 * 86_400)  # 30 days without any accrueFee call
    factor = decay(RAY, mag7.feeRate(), 30 * 86_400)
    assert abs(mag7.feeFactor() - factor) <= 2  # the view computes it lazily
    # A mint delivered at the factor of that moment is accepted a block later (factors only
    # fall) and records exactly that factor's backing.
    delivered = mag7.feeFactor()
    mag7.mint(holder, INDEX_UNIT, 0, delivered, sender=issuer)
    assert mag7.backingUnits() == bm.backing(INDEX_UNIT, delivered, Rounding.CEIL)


def test_accrue_fee__checkpoint_does_not_change_the_factor(mag7, chain, stranger):
    start = _checkpoint(chain, mag7)
    chain.pending_timestamp = start + 86_400
    receipt = mag7.accrueFee(sender=stranger)
    event = receipt.decode_logs(mag7.FeeAccrued)[0]
    assert event.factor == decay(RAY, mag7.feeRate(), 86_400)
    chain.mine(1, timestamp=start + 2 * 86_400)
    # piecewise decay from the checkpoint equals the SDK's, to the rounding of one step
    assert abs(mag7.feeFactor() - decay(RAY, mag7.feeRate(), 2 * 86_400)) <= 2


def test_accrue_fee_and_mint__gas_same_for_any_elapsed(mag7, issuer, holder, chain, stranger):
    """Elapsed times of very different bit patterns cost one figure: a mint estimated a few
    seconds before it is mined still has enough gas (the fee decay's cost is constant)."""
    checkpoint = mag7.accrueFee(sender=stranger)
    start = checkpoint.timestamp
    # the factor at the checkpoint: below RAY when the index was made a second earlier
    start_factor = checkpoint.decode_logs(mag7.FeeAccrued)[0].factor
    elapsed_times = (1, 2**20 - 1, 2**20, 365 * 86_400)

    def at(elapsed, send):  # `send` mined `elapsed` seconds after the checkpoint, then undone
        snapshot = chain.snapshot()
        # Anvil's exact next timestamp (Ape's pending_timestamp sets the clock, and a loaded
        # machine's second can pass before the block is mined)
        chain.provider.make_request("evm_setNextBlockTimestamp", [start + elapsed])
        receipt = send()
        assert receipt.timestamp == start + elapsed  # read while its block exists
        chain.restore(snapshot)
        return receipt

    accrued = {t: at(t, lambda: mag7.accrueFee(sender=stranger)) for t in elapsed_times}
    for elapsed, receipt in accrued.items():
        event = receipt.decode_logs(mag7.FeeAccrued)[0]
        assert event.factor == decay(start_factor, mag7.feeRate(), elapsed)
    # RAY is never below the current factor: the same calldata at every elapsed time
    minted = {
        t: at(t, lambda: mag7.mint(holder, INDEX_UNIT, 0, RAY, sender=issuer))
        for t in elapsed_times
    }
    gas = {t: (accrued[t].gas_used, minted[t].gas_used) for t in elapsed_times}
    assert len(set(gas.values())) == 1, gas


def test_collect_fees__mints_share_to_recipient_keeping_backing(
    mag7, issuer, holder, fee_recipient, chain
):
    mag7.mint(holder, 1_000 * INDEX_UNIT, 0, mag7.feeFactor(), sender=issuer)
    units = mag7.backingUnits()
    chain.pending_timestamp = _checkpoint(chain, mag7) + YEAR
    receipt = mag7.collectFees(fee_recipient, sender=fee_recipient)
    minted = receipt.decode_logs(mag7.FeesCollected)[0].amount
    factor = decay(RAY, mag7.feeRate(), YEAR)
    assert minted == bm.fee_share(units, 1_000 * INDEX_UNIT, factor)
    assert mag7.balanceOf(fee_recipient) == minted
    assert mag7.backingUnits() == units
    # every token, the fee recipient's included, is still fully backed
    assert bm.backing(mag7.totalSupply(), factor, Rounding.CEIL) <= units


def test_collect_fees__not_fee_recipient__reverts(expect_revert, mag7, roles, stranger):
    role = roles.indexRole(roles.FEE_RECIPIENT_ROLE(), mag7)
    with expect_revert(
        roles.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=role
    ):
        mag7.collectFees(stranger, sender=stranger)


def test_collect_fees__nothing_to_collect__reverts(expect_revert, mag7, fee_recipient):
    with expect_revert(mag7.IndexZeroInput):
        mag7.collectFees(fee_recipient, sender=fee_recipient)


def test_set_fee_rate__within_cap__checkpoints_then_changes(mag7, deployer, chain):
    old = mag7.feeRate()
    chain.pending_timestamp = _checkpoint(chain, mag7) + 86_400
    receipt = mag7.setFeeRate(old // 2, sender=deployer)
    assert receipt.decode_logs(mag7.FeeRateUpdated)[0].newRate == old // 2
    assert mag7.feeRate() == old // 2
    assert receipt.decode_logs(mag7.FeeAccrued)[0].factor == decay(RAY, old, 86_400)


def test_set_fee_rate__above_cap__reverts(expect_revert, mag7, deployer):
    cap = mag7.maxFeeRate()
    before = mag7.feeRate()
    with expect_revert(mag7.IndexFeeRateAboveMax, rate=cap + 1, maxRate=cap):
        mag7.setFeeRate(cap + 1, sender=deployer)
    assert mag7.feeRate() == before


def test_set_fee_rate__not_admin__reverts(expect_revert, mag7, roles, index_compiler):
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=index_compiler.address):
        mag7.setFeeRate(0, sender=index_compiler)


def test_initialize__second_time__reverts(
    expect_revert, mag7, direct_factory, accounts, mag7_params
):
    as_factory = accounts[direct_factory.address]
    as_factory.balance += 10**18
    with expect_revert(mag7.IndexAlreadyInitialized):
        mag7.initialize(mag7_params.basket.as_abi(), 0, sender=as_factory)
    assert mag7.basketVersion() == 1


def test_initialize__not_factory__reverts(expect_revert, mag7, stranger, mag7_params):
    with expect_revert(mag7.IndexNotFactory, caller=stranger.address):
        mag7.initialize(mag7_params.basket.as_abi(), 0, sender=stranger)


def test_initialize__implementation__can_never_be_initialised(
    expect_revert, factory, accounts, project, mag7_params
):
    implementation = project.IndexToken.at(factory.implementation())
    as_factory = accounts[factory.address]
    as_factory.balance += 10**18
    with expect_revert(implementation.IndexAlreadyInitialized):
        implementation.initialize(mag7_params.basket.as_abi(), 0, sender=as_factory)


def test_amount_per_token__unknown_asset__reverts(expect_revert, mag7):
    missing = b"\x11" * 32
    with expect_revert(mag7.IndexAssetNotInBasket, assetId=missing):
        mag7.amountPerToken(missing)


def test_transfer__does_not_touch_backing(mag7, issuer, holder, stranger):
    mag7.mint(holder, 3 * INDEX_UNIT, 0, mag7.feeFactor(), sender=issuer)
    units = mag7.backingUnits()
    mag7.transfer(stranger, INDEX_UNIT, sender=holder)
    assert mag7.balanceOf(stranger) == INDEX_UNIT
    assert mag7.backingUnits() == units


def _permit_signature(token, owner, spender, value, deadline, chain_id):
    typed = permit_typed_data(
        token.name(),
        chain_id,
        token.address,
        owner.address,
        spender.address,
        value,
        token.nonces(owner),
        deadline,
    )
    return sign_permit(typed, owner.private_key)


def test_permit__eip712_signature__sets_allowance(mag7, issuer, holder, stranger, chain):
    mag7.mint(holder, 2 * INDEX_UNIT, 0, mag7.feeFactor(), sender=issuer)
    deadline = chain.blocks.head.timestamp + 3600
    v, r, s = _permit_signature(mag7, holder, stranger, INDEX_UNIT, deadline, chain.chain_id)
    mag7.permit(
        holder,
        stranger,
        INDEX_UNIT,
        deadline,
        v,
        r,
        s,
        sender=stranger,
    )
    assert mag7.allowance(holder, stranger) == INDEX_UNIT
    assert mag7.nonces(holder) == 1
    mag7.transferFrom(holder, stranger, INDEX_UNIT, sender=stranger)
    assert mag7.balanceOf(stranger) == INDEX_UNIT


def test_permit__signed_by_someone_else__reverts(expect_revert, mag7, holder, stranger, chain):
    deadline = chain.blocks.head.timestamp + 3600
    v, r, s = _permit_signature(mag7, stranger, stranger, INDEX_UNIT, deadline, chain.chain_id)
    with expect_revert(mag7.ERC2612InvalidSigner):
        mag7.permit(
            holder,
            stranger,
            INDEX_UNIT,
            deadline,
            v,
            r,
            s,
            sender=stranger,
        )
    assert mag7.allowance(holder, stranger) == 0


@pytest.mark.parametrize("years", [1, 10])
def test_fee__long_idle__holders_stay_fully_backed(mag7, issuer, holder, chain, years):
    mag7.mint(holder, 7 * INDEX_UNIT, 0, mag7.feeFactor(), sender=issuer)
    chain.mine(1, timestamp=_checkpoint(chain, mag7) + years * YEAR)
    factor = mag7.feeFactor()
    assert bm.backing(mag7.totalSupply(), factor, Rounding.CEIL) <= mag7.backingUnits()


def test_mint_with_fee__fee_part_backs_fee_recipient(mag7, issuer, holder, chain):
    chain.pending_timestamp = _checkpoint(chain, mag7)  # no time passes: factor is RAY
    mag7.mint(holder, 100 * INDEX_UNIT, 3 * INDEX_UNIT, mag7.feeFactor(), sender=issuer)
    assert mag7.balanceOf(holder) == 97 * INDEX_UNIT
    assert mag7.backingUnits() == 100 * INDEX_UNIT
    assert mag7.feeShare() == 3 * INDEX_UNIT


def test_burn_with_fee__fee_part_stays_backed(mag7, issuer, holder, chain):
    chain.pending_timestamp = _checkpoint(chain, mag7)
    mag7.mint(holder, 10 * INDEX_UNIT, 0, mag7.feeFactor(), sender=issuer)
    chain.pending_timestamp = _checkpoint(chain, mag7)
    mag7.lock(holder, 10 * INDEX_UNIT, sender=issuer)
    chain.pending_timestamp = _checkpoint(chain, mag7)
    mag7.burnLocked(holder, 10 * INDEX_UNIT, INDEX_UNIT, mag7.feeFactor(), sender=issuer)
    assert mag7.totalSupply() == 0
    assert mag7.backingUnits() == INDEX_UNIT
    assert mag7.feeShare() == INDEX_UNIT


def test_mint__fee_not_below_amount__reverts(expect_revert, mag7, issuer, holder):
    with expect_revert(mag7.IndexZeroInput):
        mag7.mint(holder, INDEX_UNIT, INDEX_UNIT, mag7.feeFactor(), sender=issuer)
    assert mag7.totalSupply() == 0


def test_implementation__has_no_name_and_cannot_be_initialised(
    expect_revert, direct_factory, project, mag7_params, stranger
):
    implementation = project.IndexToken.at(direct_factory.implementation())
    assert (implementation.name(), implementation.symbol()) == ("", "")
    with expect_revert(implementation.IndexNotFactory):
        implementation.initialize(mag7_params.basket.as_abi(), 0, sender=stranger)


def test_transfer_from__zero_address__reverts_no_fake_mint_event(expect_revert, mag7, stranger):
    """Audit finding 6: `transferFrom(address(0), to, 0)` logged a Transfer from the zero
    address, which indexers read as a mint."""
    with expect_revert(mag7.ERC20InvalidSender, sender="0x" + "00" * 20):
        mag7.transferFrom("0x" + "00" * 20, stranger, 0, sender=stranger)


def test_mint_and_burn__factor_below_current_or_above_ray__revert(
    expect_revert, mag7, issuer, holder, chain
):
    """The issuer hands in the delivery's (or the settlement's) fee factor: it can never be
    lower than the factor now (that would under-record the backing of a mint, or remove more
    backing than a payout's), nor above 1."""
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 30 * 86_400)
    too_low = mag7.feeFactor() - 10**18
    with expect_revert(mag7.IndexFactorInvalid, factor=too_low):
        mag7.mint(holder, INDEX_UNIT, 0, too_low, sender=issuer)
    with expect_revert(mag7.IndexFactorInvalid, factor=RAY + 1):
        mag7.mint(holder, INDEX_UNIT, 0, RAY + 1, sender=issuer)
    mag7.mint(holder, INDEX_UNIT, 0, mag7.feeFactor(), sender=issuer)
    mag7.lock(holder, INDEX_UNIT, sender=issuer)
    with expect_revert(mag7.IndexFactorInvalid, factor=too_low):
        mag7.burnLocked(holder, INDEX_UNIT, 0, too_low, sender=issuer)
    assert mag7.lockedOf(holder) == INDEX_UNIT
