"""The seed's published figures for the MAG7.ssi prototype (seed 000: "Backtesting data from
2021-2023 shows that the prototype portfolio of MAG7.ssi achieved a cumulative return of 125.2%,
outperforming Bitcoin's 31.4% ... in the 2021 bull market, MAG7.ssi delivered an annual return of
252.2%, while Bitcoin's return was only 43.6%") next to this project's backtest on the same
windows. The article gives no dates: the windows used here are the calendar years."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from pydantic import BaseModel

from ..core.errors import SsikitError
from .backtest import backtest
from .eligibility import panel_of
from .panel import MarketPanel
from .spec import preset


class PublishedFigure(BaseModel):
    label: str
    start: date  # the window used (the article publishes none)
    end: date
    index_return: float  # published, as a fraction
    btc_return: float


PUBLISHED = (
    PublishedFigure(
        label="MAG7 prototype, 2021",
        start=date(2021, 1, 1),
        end=date(2021, 12, 31),
        index_return=2.522,
        btc_return=0.436,
    ),
    PublishedFigure(
        label="MAG7 prototype, 2021 to 2023",
        start=date(2021, 1, 1),
        end=date(2023, 12, 31),
        index_return=1.252,
        btc_return=0.314,
    ),
)


class Comparison(BaseModel):
    figure: PublishedFigure
    data: str | None  # the data set that covers the window; None: none does
    index_return: float | None
    btc_return: float | None
    sparse: bool = False
    reason: str = ""  # why there is no figure


def compare(
    data_sets: Sequence[tuple[str, pd.DataFrame | MarketPanel]],
    figures: Sequence[PublishedFigure] = PUBLISHED,
) -> list[Comparison]:
    """For each figure, MAG7's backtest on the first data set that covers its window (daily
    sets first is the caller's choice of order); a window no set covers is said, not filled."""
    panels = [(name, panel_of(d)) for name, d in data_sets]
    out = []
    for figure in figures:
        reasons = []
        for name, panel in panels:
            try:
                result = backtest(panel, preset("MAG7"), figure.start, figure.end)
            except SsikitError as err:
                reasons.append(f"{name}: {err}")
                continue
            btc = result.benchmark_stats
            out.append(
                Comparison(
                    figure=figure,
                    data=name,
                    index_return=result.stats.total_return,
                    btc_return=btc.total_return if btc is not None else None,
                    sparse=result.sparse,
                )
            )
            break
        else:
            out.append(
                Comparison(
                    figure=figure,
                    data=None,
                    index_return=None,
                    btc_return=None,
                    reason="; ".join(reasons),
                )
            )
    return out
