"""Eligibility (申报条件) arithmetic: is a candidate eligible for a level, why, and from when.

Pure Python, no Flask, no clock: ``as_of`` is passed in. The standards hold each clause as its
verbatim ``text`` plus a machine-readable ``rule`` in the vocabulary below; :func:`validate_rule`
checks a rule when the standards load, :func:`evaluate` applies a level's clauses to a profile.

Rule vocabulary (each rule is a mapping with exactly one key):

``all_of: [rule, ...]`` / ``any_of: [rule, ...]``
    every / at least one sub-rule holds.
``age: {min_years: 16}``
    年满16周岁: reached on the 16th birthday.
``work: {occupations, mode, min, since}``
    ``occupations``: ``own`` (本职业) or ``own_or_related`` (本职业或相关职业, the related
    occupations the standard lists); ``mode``: ``cumulative`` (累计) or ``continuous`` (连续);
    ``min``: ``{years: n}`` or ``{months: n}`` (omitted: any such work at all); ``since``
    (optional): a ``certificate``, ``title`` or ``education`` rule whose date starts the count
    ("取得…证书后", "毕业…").
``certificate: {occupations, level, held}``
    a certificate of ``level`` or higher in those occupations; ``held: {years: n}`` optional
    (证书满2年).
``education: {accept, majors, statuses, assessed}``
    ``accept``: ``[{schools: [...], programs: [...]}]`` (schools may name the groups 技工院校 and
    职业院校; programs omitted = any); ``majors``: ``any`` or ``own_or_related`` (only the majors
    the standard lists for that school type and program); ``statuses``: which of ``graduated``,
    ``final_year``, ``enrolled`` count (含在读应届毕业生 = graduated + final_year);
    ``assessed: true`` for 经评估论证.
``title: {rank, matches_field}``
    a 职称 of ``rank`` or higher (初级 < 中级 < 高级); ``matches_field: true`` for 符合专业对应关系.
``training: {level, completion_certificate}``
    预备培训 for ``level`` of at least that level's training hours (the standard's 1.8), with a
    结业证书 when ``completion_certificate`` is true.

Counting (README "申报条件的计算规则"): a closed job counts from its start to its end inclusive,
an ongoing job up to the day before ``as_of`` (so 满N年 falls on the Nth anniversary of the start,
like an age); N years/months are calendar years/months added with ``relativedelta`` (a month end
or 29 Feb with no counterpart falls on the month's last day, 民法典 第二百零二条); 累计 lays the
merged stretches end to end (the most recent first, each earlier one's years, months and days
added on); 连续 takes the longest merged stretch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from scoring.eligibility_profile import (
    CERTIFICATE_LEVELS,
    PROGRAMS,
    SCHOOL_GROUPS,
    SCHOOLS,
    STATUS_LABELS,
    STATUSES,
    TITLE_RANKS,
    Profile,
)

ONE_DAY = timedelta(days=1)

# How the footnote ② of 3-01-01-04 names a school type and program → the contract's (school,
# program) pairs. The 技工院校 高级 list also serves 预备技师班/技师班 and the 普通高等学校 本科
# list also serves 研究生, because the clauses themselves say 高级工班及以上 and 专科及以上.
RELATED_MAJOR_SCOPE: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("技工院校", "中级"): tuple((s, "中级工班") for s in SCHOOL_GROUPS["技工院校"]),
    ("技工院校", "高级"): tuple(
        (s, p) for s in SCHOOL_GROUPS["技工院校"] for p in ("高级工班", "预备技师班", "技师班")
    ),
    ("职业院校", "中职"): (("中等职业学校", "中职"),),
    ("职业院校", "高职专科"): (("高等职业学校", "专科"),),
    ("职业院校", "高职本科"): (("高等职业学校", "本科"),),
    ("普通高等学校", "专科"): (("普通高等学校", "专科"),),
    ("普通高等学校", "本科"): (("普通高等学校", "本科"), ("普通高等学校", "研究生")),
}


class RuleError(Exception):
    """A machine-readable clause rule that does not fit the vocabulary; ``path`` locates it."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


# ---------------------------------------------------------------- validation of rules


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path and not key.startswith("[") else f"{path}{key}"


def _check_keys(spec: object, path: str, required: set[str], optional: set[str]) -> dict:
    if not isinstance(spec, dict):
        raise RuleError("expected a mapping", path)
    missing = required - set(spec)
    if missing:
        raise RuleError(f"missing {sorted(missing)}", path)
    unknown = set(spec) - required - optional
    if unknown:
        raise RuleError(f"unknown keys {sorted(unknown)}", path)
    return spec


def _check_choice(value: object, choices: tuple[str, ...], path: str) -> None:
    if value not in choices:
        raise RuleError(f"{value!r} is not one of {list(choices)}", path)


def _check_duration(spec: object, path: str) -> None:
    spec = _check_keys(spec, path, set(), {"years", "months"})
    if len(spec) != 1:
        raise RuleError("give exactly one of years, months", path)
    value = next(iter(spec.values()))
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RuleError("a duration is a positive integer", path)


def _check_list(value: object, choices: tuple[str, ...], path: str) -> None:
    if not isinstance(value, list) or not value:
        raise RuleError("expected a non-empty list", path)
    for i, item in enumerate(value):
        _check_choice(item, choices, f"{path}[{i}]")


def _validate_event(spec: object, path: str) -> None:
    spec = _check_keys(spec, path, set(), {"certificate", "title", "education"})
    if len(spec) != 1:
        raise RuleError("since names exactly one of certificate, title, education", path)
    validate_rule(spec, path)


def validate_rule(rule: dict, path: str = "") -> None:
    """Raise :class:`RuleError` (with the path inside the rule) unless ``rule`` fits the vocabulary."""
    if not isinstance(rule, dict):
        raise RuleError("a rule must be a mapping", path)
    if len(rule) != 1:
        raise RuleError(f"a rule has exactly one key, got {sorted(rule)}", path)
    kind, spec = next(iter(rule.items()))
    here = _join(path, kind)
    if kind in ("all_of", "any_of"):
        if not isinstance(spec, list) or len(spec) < 2:
            raise RuleError("expected a list of at least two rules", here)
        for i, sub in enumerate(spec):
            validate_rule(sub, f"{here}[{i}]")
    elif kind == "age":
        spec = _check_keys(spec, here, {"min_years"}, set())
        if isinstance(spec["min_years"], bool) or not isinstance(spec["min_years"], int) or spec["min_years"] <= 0:
            raise RuleError("min_years is a positive integer", _join(here, "min_years"))
    elif kind == "work":
        spec = _check_keys(spec, here, {"occupations", "mode"}, {"min", "since"})
        _check_choice(spec["occupations"], ("own", "own_or_related"), _join(here, "occupations"))
        _check_choice(spec["mode"], ("cumulative", "continuous"), _join(here, "mode"))
        if "min" in spec:
            _check_duration(spec["min"], _join(here, "min"))
        elif spec["mode"] == "continuous":
            raise RuleError("continuous work needs a min", here)
        if "since" in spec:
            _validate_event(spec["since"], _join(here, "since"))
    elif kind == "certificate":
        spec = _check_keys(spec, here, {"occupations", "level"}, {"held"})
        _check_choice(spec["occupations"], ("own", "own_or_related"), _join(here, "occupations"))
        _check_choice(spec["level"], CERTIFICATE_LEVELS, _join(here, "level"))
        if "held" in spec:
            _check_duration(spec["held"], _join(here, "held"))
    elif kind == "education":
        spec = _check_keys(spec, here, {"accept", "majors", "statuses"}, {"assessed"})
        accept = spec["accept"]
        if not isinstance(accept, list) or not accept:
            raise RuleError("expected a non-empty list", _join(here, "accept"))
        for i, item in enumerate(accept):
            where = f"{_join(here, 'accept')}[{i}]"
            item = _check_keys(item, where, {"schools"}, {"programs"})
            _check_list(item["schools"], SCHOOLS + tuple(SCHOOL_GROUPS), _join(where, "schools"))
            if "programs" in item:
                _check_list(item["programs"], PROGRAMS, _join(where, "programs"))
        _check_choice(spec["majors"], ("any", "own_or_related"), _join(here, "majors"))
        _check_list(spec["statuses"], STATUSES, _join(here, "statuses"))
        if "assessed" in spec and spec["assessed"] is not True:
            raise RuleError("assessed, when given, is true", _join(here, "assessed"))
    elif kind == "title":
        spec = _check_keys(spec, here, {"rank", "matches_field"}, set())
        _check_choice(spec["rank"], ("初级", "中级", "高级"), _join(here, "rank"))
        if not isinstance(spec["matches_field"], bool):
            raise RuleError("matches_field is true or false", _join(here, "matches_field"))
    elif kind == "training":
        spec = _check_keys(spec, here, {"level", "completion_certificate"}, set())
        if not isinstance(spec["level"], str) or not spec["level"]:
            raise RuleError("level is a level id", _join(here, "level"))
        if not isinstance(spec["completion_certificate"], bool):
            raise RuleError("completion_certificate is true or false", _join(here, "completion_certificate"))
    else:
        raise RuleError(f"unknown rule {kind!r}", here)


# ---------------------------------------------------------------- durations


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


# A stretch of work is a half-open day range [start, end); end None = ongoing (runs to the evaluation date).
Stretch = tuple[date, date | None]


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


# ---------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Context:
    """What a standard says around its clauses, plus the evaluation date."""

    occupation: str
    related_occupations: tuple[str, ...]
    related_majors: tuple[dict, ...]
    training_hours: dict
    as_of: date

    def occupations(self, which: str) -> set[str]:
        if which == "own":
            return {self.occupation}
        return {self.occupation, *self.related_occupations}

    @staticmethod
    def occupation_label(which: str) -> str:
        return "本职业" if which == "own" else "本职业或相关职业"


@dataclass(frozen=True)
class Outcome:
    met: bool
    reason: str
    earliest: date | None  # first date ≥ as_of on which the rule holds, if nothing but time changes


def _never(reason: str) -> Outcome:
    return Outcome(False, reason, None)


def _from_date(when: date, ctx: Context, met_reason: str, unmet_reason: str) -> Outcome:
    if when <= ctx.as_of:
        return Outcome(True, met_reason, ctx.as_of)
    return Outcome(False, unmet_reason, when)


def _age(spec: dict, profile: Profile, ctx: Context) -> Outcome:
    n = spec["min_years"]
    if profile.birth_date is None:
        return _never("未填写出生日期")
    birthday = profile.birth_date + relativedelta(years=n)  # 年满N周岁 on the Nth birthday
    age = relativedelta(ctx.as_of, profile.birth_date).years
    return _from_date(
        birthday,
        ctx,
        f"年满{n}周岁（出生日期{profile.birth_date}，现{age}周岁）",
        f"未满{n}周岁（出生日期{profile.birth_date}，{birthday}年满{n}周岁）",
    )


def _certificates(spec: dict, profile: Profile, ctx: Context):
    names = ctx.occupations(spec["occupations"])
    floor = CERTIFICATE_LEVELS.index(spec["level"])
    return [
        c
        for c in profile.certificates
        if c.occupation in names and c.level in CERTIFICATE_LEVELS and CERTIFICATE_LEVELS.index(c.level) >= floor
    ]


def _certificate(spec: dict, profile: Profile, ctx: Context) -> Outcome:
    label = f"{ctx.occupation_label(spec['occupations'])}{spec['level']}证书"
    found = _certificates(spec, profile, ctx)
    if not found:
        return _never(f"未取得{label}")
    first = min(found, key=lambda c: c.issued)
    if "held" not in spec:
        return Outcome(True, f"持有{label}（{first.occupation}{first.level}，{first.issued}取得）", ctx.as_of)
    need = format_requirement(spec["held"])
    held = format_duration(relativedelta(ctx.as_of, first.issued))
    return _from_date(
        add_duration(first.issued, spec["held"]),
        ctx,
        f"取得{label}（{first.issued}）已{held}，满{need}",
        f"取得{label}（{first.issued}）仅{held}，不足{need}",
    )


def _titles(spec: dict, profile: Profile):
    floor = TITLE_RANKS[spec["rank"]]
    return [
        t
        for t in profile.titles
        if TITLE_RANKS.get(t.rank, 0) >= floor and (t.matches_field or not spec["matches_field"])
    ]


def _title_label(spec: dict) -> str:
    return ("符合专业对应关系的" if spec["matches_field"] else "") + f"{spec['rank']}及以上职称"


def _title(spec: dict, profile: Profile, ctx: Context) -> Outcome:
    found = _titles(spec, profile)
    if found:
        first = min(found, key=lambda t: t.obtained)
        return Outcome(True, f"取得{_title_label(spec)}（{first.rank}，{first.obtained}）", ctx.as_of)
    unmatched = [t for t in profile.titles if TITLE_RANKS.get(t.rank, 0) >= TITLE_RANKS[spec["rank"]]]
    if unmatched:
        return _never(f"所填{spec['rank']}及以上职称未确认符合专业对应关系，不计")
    return _never(f"未取得{_title_label(spec)}")


def _accepted_pairs(spec: dict) -> set[tuple[str, str]]:
    pairs = set()
    for item in spec["accept"]:
        schools = [s for name in item["schools"] for s in SCHOOL_GROUPS.get(name, (name,))]
        programs = item.get("programs") or list(PROGRAMS)
        pairs.update((s, p) for s in schools for p in programs)
    return pairs


def related_majors_for(school: str, program: str, related_majors: tuple[dict, ...]) -> set[str]:
    """The majors the standard lists for this school and program (footnote ②); empty if none."""
    majors: set[str] = set()
    for entry in related_majors:
        scope = RELATED_MAJOR_SCOPE.get((entry["school_type"], entry["program"]), ())
        if (school, program) in scope:
            majors.update(entry["majors"])
    return majors


def _education_matches(spec: dict, profile: Profile, ctx: Context):
    """(matching rows, the reason the closest non-matching row fails)."""
    pairs = _accepted_pairs(spec)
    matches, best_reason, best_depth = [], "未填写符合条件的学历", -1
    for e in profile.education:
        what = f"{e.school}{e.program}{('·' + e.major) if e.major else ''}"
        checks = [
            ((e.school, e.program) in pairs, f"{what}不属于本条所列学校与层次"),
            (e.status in spec["statuses"], f"{what}：{STATUS_LABELS[e.status]}不计"),
            (
                spec["majors"] == "any" or e.major in related_majors_for(e.school, e.program, ctx.related_majors),
                f"{what}：{e.major or '（未填专业）'}不是标准所列{e.school}{e.program}的本专业或相关专业",
            ),
            (not spec.get("assessed") or e.assessed, f"{what}：未经评估论证"),
        ]
        depth = next((i for i, (ok, _) in enumerate(checks) if not ok), len(checks))
        if depth == len(checks):
            matches.append(e)
        elif depth > best_depth:
            best_depth, best_reason = depth, checks[depth][1]
    return matches, best_reason


def _education(spec: dict, profile: Profile, ctx: Context) -> Outcome:
    matches, why_not = _education_matches(spec, profile, ctx)
    if not matches:
        return _never(why_not)
    e = matches[0]
    what = f"{e.school}{e.program}{('·' + e.major) if e.major else ''}"
    extra = "，经评估论证" if spec.get("assessed") else ""
    return Outcome(True, f"具有{what}学历（{STATUS_LABELS[e.status]}{extra}）", ctx.as_of)


def _training(spec: dict, profile: Profile, ctx: Context) -> Outcome:
    level = spec["level"]
    hours = ctx.training_hours.get(level)
    if hours is None:
        return _never(f"标准未规定{level}培训学时")
    rows = [t for t in profile.training if t.level == level]
    good = [t for t in rows if t.hours >= hours and (t.completion_certificate or not spec["completion_certificate"])]
    if good:
        t = good[0]
        return Outcome(True, f"{level}预备培训{t.hours:g}标准学时，满{hours}学时，已取得结业证书", ctx.as_of)
    if not rows:
        return _never(f"无{level}预备培训记录")
    best = max(rows, key=lambda t: (t.hours, t.completion_certificate))
    if best.hours < hours:
        return _never(f"{level}预备培训{best.hours:g}标准学时，不足{hours}学时")
    return _never(f"{level}预备培训{best.hours:g}标准学时，但未取得结业证书")


def _event(spec: dict, profile: Profile, ctx: Context) -> tuple[date | None, str, str]:
    """(date the count starts, what it is, why it is missing) for a ``since`` event."""
    kind, sub = next(iter(spec.items()))
    if kind == "certificate":
        found = _certificates(sub, profile, ctx)
        label = f"{ctx.occupation_label(sub['occupations'])}{sub['level']}证书"
        return (min(c.issued for c in found) if found else None), f"取得{label}", f"未取得{label}"
    if kind == "title":
        found = _titles(sub, profile)
        label = _title_label(sub)
        return (min(t.obtained for t in found) if found else None), f"取得{label}", _title(sub, profile, ctx).reason
    matches, why_not = _education_matches(sub, profile, ctx)
    dates = [e.graduated for e in matches if e.graduated is not None]
    if not dates:
        return None, "毕业", (why_not if not matches else "尚未毕业")
    return min(dates), "毕业", ""


def _work(spec: dict, profile: Profile, ctx: Context) -> Outcome:
    names = ctx.occupations(spec["occupations"])
    occ = ctx.occupation_label(spec["occupations"])
    since, prefix = None, ""
    if "since" in spec:
        since, what, missing = _event(spec["since"], profile, ctx)
        if since is None:
            return _never(missing)
        prefix = f"{what}（{since}）后"
    stretches: list[Stretch] = []
    for job in profile.work:
        if job.occupation not in names:
            continue
        start = max(job.start, since) if since else job.start
        end = job.end + ONE_DAY if job.end is not None else None  # inclusive end → half-open
        if end is not None and end <= start:
            continue  # all of it before the certificate/title/graduation
        stretches.append((start, end))
    ongoing = any(e is None for _, e in stretches)
    as_of, tomorrow = ctx.as_of, ctx.as_of + ONE_DAY

    if "min" not in spec:  # 从事本职业或相关职业工作: any such job at all
        if stretches:
            return Outcome(True, f"{prefix}从事{occ}工作", as_of)
        return _never(f"无{prefix}{occ}工作经历")

    need = format_requirement(spec["min"])
    if spec["mode"] == "cumulative":

        def counted(until: date) -> tuple[date, date] | None:
            return cumulative(stretches, until)

        def enough(until: date) -> bool:
            span = counted(until)
            return span is not None and span[1] >= add_duration(span[0], spec["min"])

        span = counted(as_of)
        done = format_duration(relativedelta(span[1], span[0])) if span else "0天"
        text = f"{prefix}累计从事{occ}工作{done}"
        if enough(as_of):
            return Outcome(True, f"{text}，满{need}", as_of)
        earliest = None
        if ongoing:
            # From tomorrow on the most recent stretch is the ongoing one and its start is fixed;
            # the date reached is at least the evaluation date, so start + N is a day it holds.
            start, _ = counted(tomorrow)
            earliest = first_date(enough, tomorrow, max(tomorrow, add_duration(start, spec["min"])))
        return Outcome(False, f"{text}，不足{need}", earliest)

    # 连续: the longest merged stretch.
    blocks = merge(stretches, as_of)
    meeting = [(s, e) for s, e in blocks if e >= add_duration(s, spec["min"])]
    shown = max(meeting or blocks, key=lambda b: (b[1] - b[0]).days, default=None)
    done = format_duration(relativedelta(shown[1], shown[0])) if shown else "0天"
    text = f"{prefix}最长连续从事{occ}工作{done}"
    if meeting:
        return Outcome(True, f"{text}，满{need}", as_of)
    earliest = None
    if ongoing:
        # The stretch an ongoing job belongs to is the one that reaches the evaluation date.
        start = next(s for s, e in merge(stretches, tomorrow) if e == tomorrow)
        earliest = max(tomorrow, add_duration(start, spec["min"]))
    return Outcome(False, f"{text}，不足{need}", earliest)


def _combine(kind: str, subs: list[Outcome], as_of: date) -> Outcome:
    reason = "；".join(o.reason for o in subs)
    if kind == "all_of":
        met = all(o.met for o in subs)
        dates = [o.earliest for o in subs]
        earliest = None if any(d is None for d in dates) else max(dates)
    else:
        met = any(o.met for o in subs)
        dates = [o.earliest for o in subs if o.earliest is not None]
        earliest = min(dates) if dates else None
    return Outcome(met, reason, as_of if met else earliest)


LEAVES = {
    "age": _age,
    "work": _work,
    "certificate": _certificate,
    "education": _education,
    "title": _title,
    "training": _training,
}


def apply_rule(rule: dict, profile: Profile, ctx: Context) -> Outcome:
    """One rule against the profile. Every rule is monotone in time (once met, met later), which
    is what lets all_of take the latest and any_of the earliest date of its parts."""
    kind, spec = next(iter(rule.items()))
    if kind in ("all_of", "any_of"):
        return _combine(kind, [apply_rule(sub, profile, ctx) for sub in spec], ctx.as_of)
    return LEAVES[kind](spec, profile, ctx)


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
    """Apply a level's clauses ({clause, text, rule}) to a profile (see eligibility_profile).

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
            outcome = _never("本条件无法自动核验，需人工审核")
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
