"""Uniswap V2 pool arithmetic, mirroring ``UniswapV2Library`` (integers, fee 0.3%)."""

from __future__ import annotations

FEE_NUMERATOR = 997  # 0.3% fee: 997/1000 of the input counts
FEE_DENOMINATOR = 1000


def get_amount_out(amount_in: int, reserve_in: int, reserve_out: int) -> int:
    """UniswapV2Library.getAmountOut: what ``amount_in`` buys, rounded down."""
    if amount_in <= 0 or reserve_in <= 0 or reserve_out <= 0:
        raise ValueError("amount and reserves must be positive")
    with_fee = amount_in * FEE_NUMERATOR
    return with_fee * reserve_out // (reserve_in * FEE_DENOMINATOR + with_fee)


def get_amount_in(amount_out: int, reserve_in: int, reserve_out: int) -> int:
    """UniswapV2Library.getAmountIn: what it costs to buy ``amount_out``, rounded up."""
    if amount_out <= 0 or reserve_in <= 0 or amount_out >= reserve_out:
        raise ValueError("amount must be positive and below the output reserve")
    numerator = reserve_in * amount_out * FEE_DENOMINATOR
    denominator = (reserve_out - amount_out) * FEE_NUMERATOR
    return numerator // denominator + 1


def reserves_after_sell(amount_in: int, reserve_in: int, reserve_out: int) -> tuple[int, int]:
    """(reserve_in, reserve_out) after selling ``amount_in`` into the pool."""
    out = get_amount_out(amount_in, reserve_in, reserve_out)
    return reserve_in + amount_in, reserve_out - out
