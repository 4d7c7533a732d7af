"""Date arithmetic of 申报条件 (README "申报条件的计算规则"): durations, merged stretches of work,
累计 and 连续, and the first date a monotone condition holds."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

ONE_DAY = timedelta(days=1)

# A stretch of work is a half-open day range [start, end); end None = ongoing (runs to the evaluation date).
Stretch = tuple[date, date | None]


def add_duration(start: date, spec: dict) -> date:
    """``start`` plus ``{years: n}`` or ``{months: n}`` in calendar terms (31 Jan + 1 month = 28/29 Feb)."""
    return start + relativedelta(years=spec.get("years", 0), months=spec.get("months", 0))


def format_duration(delta: relativedelta) -> str:
    parts = []
    if delta.years:
        parts.append(f"{delta.years}年")
    if delta.months:
        parts.append(f"{delta.months}个月")
    if delta.days:
        parts.append(f"{delta.days}天")
    return "".join(parts) or "0天"


def format_requirement(spec: dict) -> str:
    if "years" in spec:
        return f"{spec['years']}年"
    months = spec["months"]
    if months == 6:
        return "半年"
    if months % 12 == 0:
        return f"{months // 12}年"
    return f"{months}个月"


def merge(stretches: list[Stretch], until: date) -> list[tuple[date, date]]:
    """Merge stretches that overlap or touch (next start ≤ previous end + 1 day), ongoing ones ending at ``until``."""
    closed = sorted((s, e if e is not None else until) for s, e in stretches)
    merged: list[list[date]] = []
    for start, end in closed:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def cumulative(stretches: list[Stretch], until: date) -> tuple[date, date] | None:
    """累计: (start, reached) — the merged stretches laid end to end: from the most recent
    stretch's start, its own end, then each earlier stretch's length in years, months and days
    added on (most recent first). One stretch gives its own end, so 满N年 falls on its Nth
    anniversary; 2 whole years plus 3 whole years reach exactly 5 years. ``reached`` never goes
    back as an ongoing job (always the most recent stretch) runs on, which makes the count
    monotone in time. None without any work."""
    blocks = merge(stretches, until)
    if not blocks:
        return None
    start, reached = blocks[-1]
    for s, e in reversed(blocks[:-1]):
        reached = reached + relativedelta(e, s)
    return start, reached


def first_date(holds, low: date, high: date) -> date:
    """The first day in [low, high] on which the monotone predicate ``holds`` (true at ``high``), by bisection."""
    while low < high:
        middle = low + (high - low) // 2
        if holds(middle):
            high = middle
        else:
            low = middle + ONE_DAY
    return low
