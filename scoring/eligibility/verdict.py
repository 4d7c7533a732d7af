"""A level's verdict: every clause of the level applied to a profile (the contract's body)."""

from __future__ import annotations

from datetime import date

from .profile import Profile
from .vocabulary import Context, apply_rule, never


def evaluate(
    clauses: list[dict],
    profile: Profile,
    as_of: date,
    *,
    occupation: str,
    related_occupations: list[str] | tuple[str, ...] = (),
    related_majors: list[dict] | tuple[dict, ...] = (),
    training_hours: dict | None = None,
) -> dict:
    """Apply a level's clauses ({clause, text, rule}) to a profile (see ``profile.parse_profile``).

    Returns the contract's body: eligible, satisfied (clause numbers met), clauses [{clause, met,
    reason}] and earliest_date — null when eligible or when no clause would ever be met by time
    alone; otherwise the first date on which some clause holds if ongoing jobs simply continue.
    A level without clauses (590008: the standard states none) imposes no condition.
    """
    ctx = Context(
        occupation=occupation,
        related_occupations=tuple(related_occupations),
        related_majors=tuple(related_majors),
        training_hours=dict(training_hours or {}),
        as_of=as_of,
    )
    results, satisfied, dates = [], [], []
    for clause in clauses:
        rule = clause.get("rule")
        if rule is None:
            outcome = never("本条件无法自动核验，需人工审核")
        else:
            outcome = apply_rule(rule, profile, ctx)
        results.append({"clause": clause["clause"], "met": outcome.met, "reason": outcome.reason})
        if outcome.met:
            satisfied.append(clause["clause"])
        elif outcome.earliest is not None:
            dates.append(outcome.earliest)
    eligible = bool(satisfied) or not clauses
    earliest = None if eligible or not dates else min(dates).isoformat()
    return {"eligible": eligible, "satisfied": sorted(satisfied), "clauses": results, "earliest_date": earliest}
