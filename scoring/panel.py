"""Panel aggregation — pure, no Flask, no database (the pass rule is ``scoring.results``).

3-01-01-04 1.9.3: 考评人员为3人以上单数，每位考生由不少于3名考评员评分；综合评审委员为3人以上单数.
3-01-04-03 1.9.3: 考评人员为3人（含）以上单数.
The component score is the mean of every panel member's total (design: "the score is the mean of all
panel members' totals"), kept unrounded so that 59.99 fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import fsum

from scoring.agreement import spread

DEFAULT_SPREAD_THRESHOLD = 15.0  # points; a center may set its own


@dataclass(frozen=True)
class PanelScore:
    score: float  # the mean of the members' totals
    spread: float  # max − min of the members' totals
    graders: int


def panel_size_problem(size: int, min_panel: int, odd: bool) -> str | None:
    """Why a panel of ``size`` may not score (Chinese), or None: an odd number of at least ``min_panel``."""
    if size < min_panel:
        return f"评分小组只有 {size} 人，须不少于 {min_panel} 人"
    if odd and size % 2 == 0:
        return f"评分小组有 {size} 人，须为单数"
    return None


def aggregate(totals: list[float]) -> PanelScore:
    """Mean and spread of the members' totals (``math.fsum``: 60 + 60 + 59.97 gives 59.99 exactly
    as far as floats go, and is compared unrounded)."""
    if not totals:
        raise ValueError("no totals")
    values = [float(t) for t in totals]
    return PanelScore(score=fsum(values) / len(values), spread=spread(values), graders=len(values))


def flagged(value: float, threshold: float) -> bool:
    """A spread above the threshold flags the sheet (equal to it does not)."""
    return value > threshold
