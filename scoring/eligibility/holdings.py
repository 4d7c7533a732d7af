"""The kinds of rule about what a candidate is or holds: ``age``, ``certificate``, ``title``,
``education`` and ``training``, each a (validate, apply) pair registered in the vocabulary.
``certificate``, ``title`` and ``education`` also date the ``since`` of a work rule (:func:`event`)."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from .counting import add_duration, format_duration, format_requirement
from .profile import (
    CERTIFICATE_LEVELS,
    PROGRAMS,
    SCHOOL_GROUPS,
    SCHOOLS,
    STATUS_LABELS,
    STATUSES,
    TITLE_RANKS,
    Education,
    Profile,
)
from .vocabulary import (
    Context,
    Outcome,
    RuleError,
    check_choice,
    check_duration,
    check_flag,
    check_keys,
    check_list,
    check_true,
    from_date,
    join,
    never,
    register,
)

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

OCCUPATION_SCOPES = ("own", "own_or_related")
# An education rule's statuses: the profile's three, and ``probation`` — a graduate on or before
# the ``probation_end`` of the entry (见习期, contract v1.2).
RULE_STATUSES = (*STATUSES, "probation")


# ---------------------------------------------------------------- age: {min_years}


def _validate_age(spec: object, path: str) -> None:
    spec = check_keys(spec, path, {"min_years"}, set())
    years = spec["min_years"]
    if isinstance(years, bool) or not isinstance(years, int) or years <= 0:
        raise RuleError("min_years is a positive integer", join(path, "min_years"))


def _age(spec: dict, profile: Profile, ctx: Context) -> Outcome:
    n = spec["min_years"]
    if profile.birth_date is None:
        return never("未填写出生日期")
    birthday = profile.birth_date + relativedelta(years=n)  # 年满N周岁 on the Nth birthday
    age = relativedelta(ctx.as_of, profile.birth_date).years
    return from_date(
        birthday,
        ctx,
        f"年满{n}周岁（出生日期{profile.birth_date}，现{age}周岁）",
        f"未满{n}周岁（出生日期{profile.birth_date}，{birthday}年满{n}周岁）",
    )


register("age", _validate_age, _age)


# ---------------------------------------------------------------- certificate: {occupations, level, held}


def _validate_certificate(spec: object, path: str) -> None:
    spec = check_keys(spec, path, {"occupations", "level"}, {"held"})
    check_choice(spec["occupations"], OCCUPATION_SCOPES, join(path, "occupations"))
    check_choice(spec["level"], CERTIFICATE_LEVELS, join(path, "level"))
    if "held" in spec:
        check_duration(spec["held"], join(path, "held"))


def certificates(spec: dict, profile: Profile, ctx: Context):
    names = ctx.occupations(spec["occupations"])
    floor = CERTIFICATE_LEVELS.index(spec["level"])
    return [
        c
        for c in profile.certificates
        if c.occupation in names and c.level in CERTIFICATE_LEVELS and CERTIFICATE_LEVELS.index(c.level) >= floor
    ]


def certificate_label(spec: dict, ctx: Context) -> str:
    return f"{ctx.occupation_label(spec['occupations'])}{spec['level']}证书"


def _certificate(spec: dict, profile: Profile, ctx: Context) -> Outcome:
    label = certificate_label(spec, ctx)
    found = certificates(spec, profile, ctx)
    if not found:
        return never(f"未取得{label}")
    first = min(found, key=lambda c: c.issued)
    if "held" not in spec:
        return Outcome(True, f"持有{label}（{first.occupation}{first.level}，{first.issued}取得）", ctx.as_of)
    need = format_requirement(spec["held"])
    held = format_duration(relativedelta(ctx.as_of, first.issued))
    return from_date(
        add_duration(first.issued, spec["held"]),
        ctx,
        f"取得{label}（{first.issued}）已{held}，满{need}",
        f"取得{label}（{first.issued}）仅{held}，不足{need}",
    )


register("certificate", _validate_certificate, _certificate)


# ---------------------------------------------------------------- title: {rank, matches_field}


def _validate_title(spec: object, path: str) -> None:
    spec = check_keys(spec, path, {"rank", "matches_field"}, set())
    check_choice(spec["rank"], ("初级", "中级", "高级"), join(path, "rank"))
    check_flag(spec, "matches_field", path)


def titles(spec: dict, profile: Profile):
    floor = TITLE_RANKS[spec["rank"]]
    return [
        t
        for t in profile.titles
        if TITLE_RANKS.get(t.rank, 0) >= floor and (t.matches_field or not spec["matches_field"])
    ]


def title_label(spec: dict) -> str:
    return ("符合专业对应关系的" if spec["matches_field"] else "") + f"{spec['rank']}及以上职称"


def _title(spec: dict, profile: Profile, ctx: Context) -> Outcome:
    found = titles(spec, profile)
    if found:
        first = min(found, key=lambda t: t.obtained)
        return Outcome(True, f"取得{title_label(spec)}（{first.rank}，{first.obtained}）", ctx.as_of)
    unmatched = [t for t in profile.titles if TITLE_RANKS.get(t.rank, 0) >= TITLE_RANKS[spec["rank"]]]
    if unmatched:
        return never(f"所填{spec['rank']}及以上职称未确认符合专业对应关系，不计")
    return never(f"未取得{title_label(spec)}")


register("title", _validate_title, _title)


# ---------------------------------------------------------------- education: {accept, majors, statuses, assessed, equivalent}


def _validate_education(spec: object, path: str) -> None:
    spec = check_keys(spec, path, {"accept", "majors", "statuses"}, {"assessed", "equivalent"})
    accept = spec["accept"]
    if not isinstance(accept, list) or not accept:
        raise RuleError("expected a non-empty list", join(path, "accept"))
    for i, item in enumerate(accept):
        where = f"{join(path, 'accept')}[{i}]"
        item = check_keys(item, where, {"schools"}, {"programs"})
        check_list(item["schools"], SCHOOLS + tuple(SCHOOL_GROUPS), join(where, "schools"))
        if "programs" in item:
            check_list(item["programs"], PROGRAMS, join(where, "programs"))
    check_choice(spec["majors"], ("any", "own_or_related"), join(path, "majors"))
    check_list(spec["statuses"], RULE_STATUSES, join(path, "statuses"))
    check_true(spec, "assessed", path)
    check_true(spec, "equivalent", path)


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


def describe(e: Education) -> str:
    """同等学力本科, 普通高等学校本科·行政管理 …"""
    head = (
        f"同等学力{e.program}" + (f"（{e.school}）" if e.school else "") if e.equivalent else f"{e.school}{e.program}"
    )
    return head + (f"·{e.major}" if e.major else "")


def _level_accepted(spec: dict, e: Education, pairs: set[tuple[str, str]]) -> tuple[bool, str]:
    """The school and program test: a 同等学力 entry only where the clause says （含同等学力）, at a
    program the clause accepts (of the school, when it names one)."""
    if not e.equivalent:
        return (e.school, e.program) in pairs, f"{describe(e)}不属于本条所列学校与层次"
    if not spec.get("equivalent"):
        return False, f"{describe(e)}：本条未写“含同等学力”，同等学力不计"
    ok = (e.school, e.program) in pairs if e.school else any(p == e.program for _, p in pairs)
    return ok, f"{describe(e)}不属于本条所列学历层次"


def _status_counts(spec: dict, e: Education, as_of: date) -> tuple[bool, str]:
    """The status test; ``probation`` in the rule admits a graduate in the 见习期 on ``as_of``."""
    if e.status in spec["statuses"] or ("probation" in spec["statuses"] and e.in_probation(as_of)):
        return True, ""
    if "probation" in spec["statuses"] and e.status == "graduated":
        if e.probation_end is None:
            return False, f"{describe(e)}：已毕业，未填写见习期，不计"
        return False, f"{describe(e)}：已毕业，见习期已于{e.probation_end}结束，不计"
    return False, f"{describe(e)}：{STATUS_LABELS[e.status]}不计"


def education_matches(spec: dict, profile: Profile, ctx: Context):
    """(matching rows, diplomas before 同等学力; the reason the closest non-matching row fails)."""
    pairs = _accepted_pairs(spec)
    matches, best_reason, best_depth = [], "未填写符合条件的学历", -1
    for e in profile.education:
        what = describe(e)
        checks = [
            _level_accepted(spec, e, pairs),
            _status_counts(spec, e, ctx.as_of),
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
    matches.sort(key=lambda e: e.equivalent)  # a diploma needs no further evidence
    return matches, best_reason


def _education(spec: dict, profile: Profile, ctx: Context) -> Outcome:
    matches, why_not = education_matches(spec, profile, ctx)
    if not matches:
        return never(why_not)
    # A status the rule names holds for good; a 见习期 only to its last day.
    lasting = [e for e in matches if e.status in spec["statuses"]]
    e = (lasting or matches)[0]
    until = None if lasting else max(m.probation_end for m in matches)
    status = STATUS_LABELS[e.status]
    if e not in lasting:
        status += f"，见习期至{e.probation_end}"  # 毕业学年实习或见习期的人员
    extra = "，经评估论证" if spec.get("assessed") else ""
    if e.equivalent:
        # （含同等学力）: the platform cannot see the 同等学力 itself; the reviewer checks the evidence.
        extra += "；同等学力需提交证明材料，由审核人核验"
    return Outcome(True, f"具有{describe(e)}学历（{status}{extra}）", ctx.as_of, until)


register("education", _validate_education, _education)


# ---------------------------------------------------------------- training: {level, completion_certificate}


def _validate_training(spec: object, path: str) -> None:
    spec = check_keys(spec, path, {"level", "completion_certificate"}, set())
    if not isinstance(spec["level"], str) or not spec["level"]:
        raise RuleError("level is a level id", join(path, "level"))
    check_flag(spec, "completion_certificate", path)


def _training(spec: dict, profile: Profile, ctx: Context) -> Outcome:
    level = spec["level"]
    hours = ctx.training_hours.get(level)
    if hours is None:
        return never(f"标准未规定{level}培训学时")
    rows = [t for t in profile.training if t.level == level]
    good = [t for t in rows if t.hours >= hours and (t.completion_certificate or not spec["completion_certificate"])]
    if good:
        t = good[0]
        return Outcome(True, f"{level}预备培训{t.hours:g}标准学时，满{hours}学时，已取得结业证书", ctx.as_of)
    if not rows:
        return never(f"无{level}预备培训记录")
    best = max(rows, key=lambda t: (t.hours, t.completion_certificate))
    if best.hours < hours:
        return never(f"{level}预备培训{best.hours:g}标准学时，不足{hours}学时")
    return never(f"{level}预备培训{best.hours:g}标准学时，但未取得结业证书")


register("training", _validate_training, _training)


# ---------------------------------------------------------------- since: the date a count of work starts


def event(spec: dict, profile: Profile, ctx: Context) -> tuple[date | None, str, str]:
    """(date the count starts, what it is, why it is missing) for a ``since`` event."""
    kind, sub = next(iter(spec.items()))
    if kind == "certificate":
        found = certificates(sub, profile, ctx)
        label = certificate_label(sub, ctx)
        return (min(c.issued for c in found) if found else None), f"取得{label}", f"未取得{label}"
    if kind == "title":
        found = titles(sub, profile)
        label = title_label(sub)
        return (min(t.obtained for t in found) if found else None), f"取得{label}", _title(sub, profile, ctx).reason
    matches, why_not = education_matches(sub, profile, ctx)
    dates = [e.graduated for e in matches if e.graduated is not None]
    if not dates:
        return None, "毕业", (why_not if not matches else "尚未毕业")
    return min(dates), "毕业", ""
