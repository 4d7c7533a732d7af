"""The ``work`` kind of rule: ``{occupations, mode, min, since}`` — 从事本职业（或相关职业）工作,
累计 or 连续, at least ``min``, counted from the ``since`` event (取得…证书后, 毕业…) if given."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from .counting import ONE_DAY, Stretch, add_duration, cumulative, first_date, format_duration, format_requirement, merge
from .holdings import OCCUPATION_SCOPES, event
from .profile import Profile
from .vocabulary import (
    Context,
    Outcome,
    RuleError,
    check_choice,
    check_duration,
    check_keys,
    join,
    never,
    register,
    validate_rule,
)


def _validate_event(spec: object, path: str) -> None:
    spec = check_keys(spec, path, set(), {"certificate", "title", "education"})
    if len(spec) != 1:
        raise RuleError("since names exactly one of certificate, title, education", path)
    validate_rule(spec, path)


def _validate_work(spec: object, path: str) -> None:
    spec = check_keys(spec, path, {"occupations", "mode"}, {"min", "since"})
    check_choice(spec["occupations"], OCCUPATION_SCOPES, join(path, "occupations"))
    check_choice(spec["mode"], ("cumulative", "continuous"), join(path, "mode"))
    if "min" in spec:
        check_duration(spec["min"], join(path, "min"))
    elif spec["mode"] == "continuous":
        raise RuleError("continuous work needs a min", path)
    if "since" in spec:
        _validate_event(spec["since"], join(path, "since"))


def _stretches(spec: dict, profile: Profile, ctx: Context, since: date | None) -> list[Stretch]:
    """The jobs in the rule's occupations as half-open stretches, cut to start on ``since``."""
    names = ctx.occupations(spec["occupations"])
    stretches: list[Stretch] = []
    for job in profile.work:
        if job.occupation not in names:
            continue
        start = max(job.start, since) if since else job.start
        end = job.end + ONE_DAY if job.end is not None else None  # inclusive end → half-open
        if end is not None and end <= start:
            continue  # all of it before the certificate/title/graduation
        stretches.append((start, end))
    return stretches


def _cumulative(spec: dict, stretches: list[Stretch], ctx: Context, text: str) -> Outcome:
    """累计: the merged stretches laid end to end (counting.cumulative) reach ``min``."""
    need = format_requirement(spec["min"])
    as_of, tomorrow = ctx.as_of, ctx.as_of + ONE_DAY

    def enough(until: date) -> bool:
        span = cumulative(stretches, until)
        return span is not None and span[1] >= add_duration(span[0], spec["min"])

    span = cumulative(stretches, as_of)
    done = format_duration(relativedelta(span[1], span[0])) if span else "0天"
    text = f"{text}累计从事{ctx.occupation_label(spec['occupations'])}工作{done}"
    if enough(as_of):
        return Outcome(True, f"{text}，满{need}", as_of)
    earliest = None
    if any(e is None for _, e in stretches):
        # From tomorrow on the most recent stretch is the ongoing one and its start is fixed;
        # the date reached is at least the evaluation date, so start + N is a day it holds.
        start, _ = cumulative(stretches, tomorrow)
        earliest = first_date(enough, tomorrow, max(tomorrow, add_duration(start, spec["min"])))
    return Outcome(False, f"{text}，不足{need}", earliest)


def _continuous(spec: dict, stretches: list[Stretch], ctx: Context, text: str) -> Outcome:
    """连续: the longest merged stretch reaches ``min``."""
    need = format_requirement(spec["min"])
    as_of, tomorrow = ctx.as_of, ctx.as_of + ONE_DAY
    blocks = merge(stretches, as_of)
    meeting = [(s, e) for s, e in blocks if e >= add_duration(s, spec["min"])]
    shown = max(meeting or blocks, key=lambda b: (b[1] - b[0]).days, default=None)
    done = format_duration(relativedelta(shown[1], shown[0])) if shown else "0天"
    text = f"{text}最长连续从事{ctx.occupation_label(spec['occupations'])}工作{done}"
    if meeting:
        return Outcome(True, f"{text}，满{need}", as_of)
    earliest = None
    if any(e is None for _, e in stretches):
        # The stretch an ongoing job belongs to is the one that reaches the evaluation date.
        start = next(s for s, e in merge(stretches, tomorrow) if e == tomorrow)
        earliest = max(tomorrow, add_duration(start, spec["min"]))
    return Outcome(False, f"{text}，不足{need}", earliest)


def _work(spec: dict, profile: Profile, ctx: Context) -> Outcome:
    since, prefix = None, ""
    if "since" in spec:
        since, what, missing = event(spec["since"], profile, ctx)
        if since is None:
            return never(missing)
        prefix = f"{what}（{since}）后"
    stretches = _stretches(spec, profile, ctx, since)
    if "min" not in spec:  # 从事本职业或相关职业工作: any such job at all
        occ = ctx.occupation_label(spec["occupations"])
        if stretches:
            return Outcome(True, f"{prefix}从事{occ}工作", ctx.as_of)
        return never(f"无{prefix}{occ}工作经历")
    if spec["mode"] == "cumulative":
        return _cumulative(spec, stretches, ctx, prefix)
    return _continuous(spec, stretches, ctx, prefix)


register("work", _validate_work, _work)
