"""Continuing education (继续教育) arithmetic — pure, no Flask, no database.

T/SSOF 0001-2024 B.2 asks an organization for a CE system (学时, 形式与认定, 组织实施, 结果运用, 奖惩)
and fixes no figure. The defaults are those of 《专业技术人员继续教育规定》(人力资源社会保障部令第25号),
the nearest national rule: 第八条 每年累计不少于 90 学时，其中专业科目一般不少于总学时的三分之二;
第九条 the forms. A center may change every figure; pages label them as the center's settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CATEGORIES = ("公需科目", "专业科目")
DEFAULT_SOURCE = "《专业技术人员继续教育规定》（人力资源社会保障部令第25号）第八条、第九条"
DEFAULT_ANNUAL_HOURS = 90  # 第八条: 每年累计不少于90学时
DEFAULT_MINIMUM = {"专业科目": 60}  # 第八条: 专业科目一般不少于总学时的三分之二 (90 × 2/3)
# 第九条 继续教育方式; the hours of each form are left to local rules: the platform's defaults.
DEFAULT_FORMS = [
    {"form": "培训·研修·进修", "hours_rule": "按实际参加学时计"},
    {"form": "学术会议·讲座·访问", "hours_rule": "每半天按 4 学时计"},
    {"form": "远程教育", "hours_rule": "按课程标注学时计"},
    {"form": "实践活动", "hours_rule": "按实际参加学时计，每天不超过 8 学时"},
    {"form": "其他", "hours_rule": "由机构认定"},
]
PLATFORM_FORM = "培训·研修·进修"  # platform trainings and classes


@dataclass(frozen=True)
class Requirement:
    annual_hours: float = DEFAULT_ANNUAL_HOURS
    minimum: dict = field(default_factory=lambda: dict(DEFAULT_MINIMUM))


def _n(value: float):
    value = round(float(value), 4)
    return int(value) if value.is_integer() else value


def summarize(year: int, credited_rows: list[tuple[str, float]], requirement: Requirement) -> dict:
    """The contract's summary: credited hours per category, total, met, shortfall (0 when met).
    ``credited_rows``: (category, credited hours) of the year's approved records."""
    credited = {c: 0.0 for c in CATEGORIES}
    for category, hours in credited_rows:
        credited[category] = credited.get(category, 0.0) + float(hours)
    total = sum(credited.values())
    shortfall = {"total": _n(max(0.0, requirement.annual_hours - total))}
    for category, minimum in requirement.minimum.items():
        shortfall[category] = _n(max(0.0, float(minimum) - credited.get(category, 0.0)))
    met = all(v == 0 for v in shortfall.values())
    return {
        "year": year,
        "required": _n(requirement.annual_hours),
        "minimum": {k: _n(v) for k, v in requirement.minimum.items()},
        "credited": {k: _n(v) for k, v in credited.items()},
        "total": _n(total),
        "met": met,
        "shortfall": shortfall,
    }


def credit_problem(claimed: float, credited: float) -> str | None:
    """认定学时: from 0 up to the hours claimed (never more)."""
    if credited < 0:
        return "认定学时不能为负数"
    if credited > claimed:
        return f"认定学时 {_n(credited)} 超过申报学时 {_n(claimed)}"
    return None
