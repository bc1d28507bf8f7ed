"""The monthly calendar (seed §4.1): announcement on the third-to-last calendar day, the new
basket implemented on the first calendar day of the next month at 00:00 UTC."""

from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta


def announcement_date(year: int, month: int) -> date:
    last = _calendar.monthrange(year, month)[1]
    return date(year, month, last - 2)


def implementation_date(year: int, month: int) -> date:
    """First day of the month after ``month``."""
    return date(year + month // 12, month % 12 + 1, 1)


def next_announcement(on_or_after: date) -> date:
    """The first announcement date not before ``on_or_after``."""
    candidate = announcement_date(on_or_after.year, on_or_after.month)
    if candidate >= on_or_after:
        return candidate
    nxt = implementation_date(on_or_after.year, on_or_after.month)
    return announcement_date(nxt.year, nxt.month)


def schedule(start: date, end: date) -> list[tuple[date, date]]:
    """(announcement, implementation) pairs with announcements within [start, end]."""
    out = []
    day = next_announcement(start)
    while day <= end:
        out.append((day, implementation_date(day.year, day.month)))
        day = next_announcement(day + timedelta(days=1))
    return out
