"""Panel aggregation — pure, no Flask, no database (the pass rule is ``scoring.results``).

3-01-01-04 1.9.3: 考评人员为3人以上单数，每位考生由不少于3名考评员评分；综合评审委员为3人以上单数.
3-01-04-03 1.9.3: 考评人员为3人（含）以上单数.
One rule (``panel_problem``) on one notion of a panel (``panels_of``) serves both the session's
readiness and finalize, so the two cannot disagree about the same staff.
The component score is the mean of every panel member's total (design: "the score is the mean of all
panel members' totals"), kept unrounded so that 59.99 fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import fsum
from typing import TypeVar

from scoring.agreement import spread

T = TypeVar("T")

DEFAULT_SPREAD_THRESHOLD = 15.0  # points; a center may set its own


@dataclass(frozen=True)
class PanelScore:
    score: float  # the mean of the members' totals
    spread: float  # max − min of the members' totals
    graders: int


@dataclass(frozen=True)
class PanelRule:
    """How many may score a candidate: at least ``min_size``, an odd number when ``odd``;
    ``source`` says where the rule comes from (the standard's clause, or the platform's default)."""

    min_size: int
    odd: bool
    source: str


@dataclass(frozen=True)
class PanelProblem:
    """Why a panel may not score: one (code, message) per breach — ``too_small`` and/or ``even``."""

    breaches: tuple[tuple[str, str], ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.breaches)

    @property
    def message(self) -> str:
        return "；".join(message for _, message in self.breaches)


def panel_problem(size: int, rule: PanelRule, panel: str) -> PanelProblem | None:
    """The one panel rule, for readiness and for finalize alike: a panel of ``size`` scores only
    when it is at least ``rule.min_size`` and, if ``rule.odd``, odd (1.9.3 3人以上单数).
    ``panel`` names the panel in the message (e.g. 考评小组「甲组」)."""
    breaches = []
    if size < rule.min_size:
        breaches.append(("too_small", f"{panel}只有 {size} 人，须不少于 {rule.min_size} 人（{rule.source}）"))
    if rule.odd and size % 2 == 0:
        breaches.append(("even", f"{panel}有 {size} 人，须为单数（{rule.source}）"))
    return PanelProblem(tuple(breaches)) if breaches else None


def panels_of(assigned: Sequence[tuple[str | None, T]]) -> dict[str | None, list[T]]:
    """Who scores together, from each member's panel name (None: no name): {panel: members}.

    Decision (3-01-01-04 1.9.3 考评人员为3人以上单数，每位考生由不少于3名考评员评分; 3-01-04-03
    1.9.3 3人（含）以上单数; api-contract: members without a panel name form one panel that scores
    every candidate, named panels split the candidates): the rule binds the group that actually
    scores a candidate, since the score is the mean of that group's totals. Unnamed members score
    every candidate, so where named panels exist they join each of them — the panel of 「甲组」 is
    the unnamed members plus 甲组's own — and where none exist the unnamed members are the one
    panel. Three unnamed and three in 「甲组」 are one panel of six (even: refused); one unnamed and
    two in 「甲组」 are one panel of three (allowed). Named panels keep the order in which they first
    appear; no member, no panel.
    """
    shared = [member for name, member in assigned if name is None]
    named: dict[str | None, list[T]] = {}
    for name, member in assigned:
        if name is not None:
            named.setdefault(name, list(shared)).append(member)
    if named:
        return named
    return {None: shared} if shared else {}


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
