"""Eligibility (申报条件) arithmetic: is a candidate eligible for a level, why, and from when.

Pure Python, no Flask, no clock: ``as_of`` is passed in. The standards hold each clause as its
verbatim ``text`` plus a machine-readable ``rule``; :func:`validate_rule` checks a rule when the
standards load, :func:`evaluate` applies a level's clauses to a profile (:func:`parse_profile`).

Each KIND of rule is defined once, as a (validate, apply) pair (``vocabulary.Kind``):

``all_of: [rule, ...]`` / ``any_of: [rule, ...]`` (``vocabulary``)
    every / at least one sub-rule holds.
``age: {min_years: 16}`` (``holdings``)
    年满16周岁: reached on the 16th birthday.
``certificate: {occupations, level, held}`` (``holdings``)
    a certificate of ``level`` or higher in those occupations; ``held: {years: n}`` optional
    (证书满2年).
``education: {accept, majors, statuses, assessed}`` (``holdings``)
    ``accept``: ``[{schools: [...], programs: [...]}]`` (schools may name the groups 技工院校 and
    职业院校; programs omitted = any); ``majors``: ``any`` or ``own_or_related`` (only the majors
    the standard lists for that school type and program); ``statuses``: which of ``graduated``,
    ``final_year``, ``enrolled`` count (含在读应届毕业生 = graduated + final_year), and
    ``probation``: a graduate on or before the entry's ``probation_end`` (见习期);
    ``assessed: true`` for 经评估论证; ``equivalent: true`` where the clause says （含同等学力）
    (only there does an ``equivalent`` entry count).
``title: {rank, matches_field}`` (``holdings``)
    a 职称 of ``rank`` or higher (初级 < 中级 < 高级); ``matches_field: true`` for 符合专业对应关系.
``training: {level, completion_certificate}`` (``holdings``)
    预备培训 for ``level`` of at least that level's training hours (the standard's 1.8), with a
    结业证书 when ``completion_certificate`` is true.
``work: {occupations, mode, min, since}`` (``work``)
    ``occupations``: ``own`` (本职业) or ``own_or_related`` (本职业或相关职业, the related
    occupations the standard lists); ``mode``: ``cumulative`` (累计) or ``continuous`` (连续);
    ``min``: ``{years: n}`` or ``{months: n}`` (omitted: any such work at all); ``since``
    (optional): a ``certificate``, ``title`` or ``education`` rule whose date starts the count
    ("取得…证书后", "毕业…").

Counting (README "申报条件的计算规则", ``counting``): a closed job counts from its start to its end
inclusive, an ongoing job up to the day before ``as_of`` (so 满N年 falls on the Nth anniversary of
the start, like an age); N years/months are calendar years/months added with ``relativedelta`` (a
month end or 29 Feb with no counterpart falls on the month's last day, 民法典 第二百零二条); 累计
lays the merged stretches end to end (the most recent first, each earlier one's years, months and
days added on); 连续 takes the longest merged stretch.
"""

from __future__ import annotations

from . import holdings, work  # noqa: F401  (registers the kinds of rule)
from .counting import add_duration, cumulative, merge
from .holdings import related_majors_for
from .profile import (
    CERTIFICATE_LEVELS,
    PROGRAMS,
    SCHOOL_GROUPS,
    SCHOOLS,
    STATUS_LABELS,
    STATUSES,
    TITLE_RANKS,
    Profile,
    ProfileError,
    normalize_level,
    parse_date,
    parse_profile,
    profile_to_json,
)
from .verdict import evaluate
from .vocabulary import KINDS, Context, Outcome, RuleError, apply_rule, validate_rule

__all__ = [
    "CERTIFICATE_LEVELS",
    "KINDS",
    "PROGRAMS",
    "SCHOOLS",
    "SCHOOL_GROUPS",
    "STATUSES",
    "STATUS_LABELS",
    "TITLE_RANKS",
    "Context",
    "Outcome",
    "Profile",
    "ProfileError",
    "RuleError",
    "add_duration",
    "apply_rule",
    "cumulative",
    "evaluate",
    "merge",
    "normalize_level",
    "parse_date",
    "parse_profile",
    "profile_to_json",
    "related_majors_for",
    "validate_rule",
]
