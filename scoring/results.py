"""The pass rule and carry-over (成绩保留), pure.

1.9.2 of 3-01-01-04: "理论知识考试、操作技能考核和综合评审均实行百分制，成绩皆达60分（含）以上为合格";
1.9.2 of 3-01-04-03: "理论知识考试、技能考核均实行百分制，成绩皆达 60 分（含）以上者为合格".
So a component passes at 60 or more on the 100-point scale, compared exactly as stored (no
rounding: 59.99 fails), and a level passes only when every one of its components does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

PASS_MARK = 60  # 1.9.2 (both standards): 成绩皆达60分（含）以上为合格
# 成绩保留 is a PLATFORM RULE (平台规则), not a clause of the standards' texts: neither 3-01-01-04 nor
# 3-01-04-03 says how long a passed component is kept. The default, one year (365 days, contract v1.1),
# is the platform's; a deployment sets CARRY_OVER_DAYS (app/config.py), passed in as ``days``.
CARRY_DAYS = 365


def component_passed(score: float | None, pass_mark: float = PASS_MARK) -> bool:
    """``pass_mark`` (the standard's; 60 in 1.9.2) or more, without rounding. None — 缺考 (absent) or
    违纪 (disqualified) — fails."""
    if score is None or isinstance(score, bool):
        return False
    return score >= pass_mark  # NaN compares False: fails too


def level_passed(scores: Mapping[str, float | None], required: Sequence[str]) -> bool:
    """Every component the level requires is present and passed (1.9.2: 成绩皆达60分（含）以上)."""
    if not required:
        raise ValueError("required: a level has at least one component")
    return all(component_passed(scores.get(component)) for component in required)


def _days_before(published_at: date | datetime, as_of: date | datetime) -> int:
    """Whole calendar days from the publication to ``as_of``, counted in as_of's time zone."""
    if isinstance(as_of, datetime) and isinstance(published_at, datetime):
        if as_of.tzinfo is not None and published_at.tzinfo is not None:
            published_at = published_at.astimezone(as_of.tzinfo)
        return (as_of.date() - published_at.date()).days
    as_of_day = as_of.date() if isinstance(as_of, datetime) else as_of
    published_day = published_at.date() if isinstance(published_at, datetime) else published_at
    return (as_of_day - published_day).days


def within_carry_window(published_at: date | datetime, as_of: date | datetime, days: int = CARRY_DAYS) -> bool:
    """Published on as_of's day or up to ``days`` (365) calendar days before it (exactly that many still counts).

    Days are calendar days in as_of's time zone (pass as_of in Beijing time to count Beijing days),
    so the hour of publication does not matter; a publication after as_of does not count.
    """
    return 0 <= _days_before(published_at, as_of) <= days


def carry_until(published_at: date | datetime, days: int = CARRY_DAYS) -> date:
    """The last day (in published_at's own time zone) on which a pass published then is still kept."""
    day = published_at.date() if isinstance(published_at, datetime) else published_at
    return day + timedelta(days=days)


def carried_components(
    prior: Iterable[tuple[date | datetime, Mapping[str, float | None]]],
    as_of: date | datetime,
    required: Sequence[str],
    days: int = CARRY_DAYS,
) -> dict[str, float]:
    """The passed components a candidate keeps (成绩保留) and need not sit again.

    ``prior``: (published_at, {component: score}) of the candidate's earlier published results in
    the same standard and level. Only results inside the window (``within_carry_window``) count.
    If one of them passed the level as a whole, nothing is carried (there is nothing to retake).
    Otherwise each required component passed in one of them is kept, with the score of its most
    recent pass (on equal dates, the later entry of ``prior``). Components the level does not
    require are ignored. Returns {component: kept score} in the order of ``required``.
    """
    if not required:
        raise ValueError("required: a level has at least one component")
    recent = [
        (published_at, scores) for published_at, scores in prior if within_carry_window(published_at, as_of, days)
    ]
    if any(level_passed(scores, required) for _, scores in recent):
        return {}
    kept: dict[str, tuple[date | datetime, float]] = {}
    for published_at, scores in recent:
        for component in required:
            score = scores.get(component)
            if not component_passed(score):
                continue
            best = kept.get(component)
            if best is None or published_at >= best[0]:
                kept[component] = (published_at, float(score))
    return {component: kept[component][1] for component in required if component in kept}
