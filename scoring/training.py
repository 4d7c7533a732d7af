"""Training rules of a standard's 1.8 — pure arithmetic on plain data (no Flask, no database).

- 1.8.1 hours: a program's hours may not be below the level's 标准学时 ("不少于"); a trainee completes
  when the hours of the classes attended reach the program's required hours (≥, 达 includes it).
- 1.8.2 trainers: one of the level's options is held — a certificate of this occupation at the
  named level or above, or a title of the related field (``matches_field``) at the named rank or
  above — and, where the text says "2 年以上", held for two calendar years or more on the day the
  training starts (以上 includes the number: 2020-03-01 → 2022-03-01 qualifies, 2022-02-28 not).
- 1.8.3 venue: theory in one of the theory venue types, practical in one of the practical types
  with at least ``min_stations`` stations; "both" needs a venue fit for either and the stations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

TITLE_ORDER = ("初级", "中级", "高级")
KINDS = ("theory", "practical", "both")
KIND_LABELS = {"theory": "理论知识培训", "practical": "操作技能培训", "both": "理论知识与操作技能培训"}

# Venue types: the platform's codes and the names 1.8.3 uses (either may be sent).
VENUE_TYPES = {
    "classroom": "标准教室",
    "computer_room": "计算机机房",
    "workshop": "专业实操场地",
    "association": "协会等社会团体",
}


# Words that name one of the four types in a venue's free description (实训室 → 专业实操场地).
VENUE_WORDS = (
    (("机房", "computer"), "计算机机房"),
    (("教室", "classroom", "theory"), "标准教室"),
    (("实操", "实训", "workshop", "practical", "lab"), "专业实操场地"),
    (("协会", "社会团体", "association"), "协会等社会团体"),
)


def venue_type_name(value: str) -> str | None:
    """The 1.8.3 name of a venue type given by code, name or a description naming it; None when unknown."""
    value = (value or "").strip()
    if value in VENUE_TYPES:
        return VENUE_TYPES[value]
    if value in VENUE_TYPES.values():
        return value
    lowered = value.lower()
    for words, name in VENUE_WORDS:
        if any(word in lowered for word in words):
            return name
    return None


@dataclass(frozen=True)
class HeldCertificate:
    level: str  # a level id of this standard (this occupation's certificate)
    issued: date
    no: str = ""
    source: str = "center"


@dataclass(frozen=True)
class HeldTitle:
    rank: str  # 初级 · 中级 · 高级
    matches_field: bool  # 相关专业
    obtained: date
    source: str = "center"


@dataclass(frozen=True)
class Verdict:
    met: bool
    reason: str


def held_years(since: date, as_of: date, years: int) -> bool:
    """Held ``years`` 以上 on ``as_of``: the anniversary itself counts."""
    return since + relativedelta(years=years) <= as_of


def _span(since: date, as_of: date) -> str:
    delta = relativedelta(as_of, since)
    extra = as_of - (since + relativedelta(years=delta.years))
    return f"{delta.years}年{extra.days}天"


def trainer_verdict(
    options: list[dict],
    rule_text: str,
    certificates: list[HeldCertificate],
    titles: list[HeldTitle],
    level_order: list[str],
    as_of: date,
) -> Verdict:
    """Whether a trainer holding ``certificates`` (this occupation's) and ``titles`` meets the
    level's 1.8.2 options ({certificate | title, years}) on ``as_of``; the reason in Chinese."""
    misses: list[str] = []
    for option in options:
        years = option.get("years") or 0
        if option.get("certificate"):
            floor = level_order.index(option["certificate"])
            held = [c for c in certificates if c.level in level_order and level_order.index(c.level) >= floor]
            held = [c for c in held if c.issued <= as_of]
            label = f"本职业{option['certificate']}及以上证书"
            if not held:
                misses.append(f"未持有{label}")
                continue
            best = min(held, key=lambda c: c.issued)
            if held_years(best.issued, as_of, years):
                span = f"，已持有{_span(best.issued, as_of)}" if years else ""
                return Verdict(True, f"持有{best.level}证书{(' ' + best.no) if best.no else ''}{span}")
            misses.append(f"持有{best.level}证书{_span(best.issued, as_of)}，不足{years}年")
        else:
            floor = TITLE_ORDER.index(option["title"])
            held = [
                t
                for t in titles
                if t.matches_field
                and t.rank in TITLE_ORDER
                and TITLE_ORDER.index(t.rank) >= floor
                and t.obtained <= as_of
            ]
            label = f"相关专业{option['title']}及以上专业技术职务任职资格"
            if not held:
                misses.append(f"无{label}")
                continue
            best = min(held, key=lambda t: t.obtained)
            if held_years(best.obtained, as_of, years):
                return Verdict(True, f"具有{best.rank}专业技术职务任职资格")
            misses.append(f"{best.rank}专业技术职务任职资格{_span(best.obtained, as_of)}，不足{years}年")
    return Verdict(False, f"{rule_text}（{'；'.join(misses)}）")


def venue_problem(kind: str, venue: dict | None, rule: dict | None) -> str | None:
    """Why the venue does not meet 1.8.3, or None. ``rule``: {theory, practical, min_stations, text}.
    A venue whose type is left empty is judged by its stations only; a type given must fit the kind."""
    if rule is None:
        return None
    venue = venue or {}
    given = str(venue.get("type") or "").strip()
    name = venue_type_name(given)
    theory_ok = not given or name in rule.get("theory", [])
    practical_ok = not given or name in rule.get("practical", [])
    stations = venue.get("stations")
    minimum = rule.get("min_stations")
    if kind == "theory" and not theory_ok:
        return f"理论知识培训应在{'或'.join(rule['theory'])}进行"
    if kind == "practical" and not practical_ok:
        return f"操作技能培训应在{'或'.join(rule['practical'])}进行"
    if kind == "both" and not (theory_ok or practical_ok):
        return f"培训场所应为{'、'.join(rule['theory'] + rule['practical'])}之一"
    if kind in ("practical", "both") and minimum is not None and (stations or 0) < minimum:
        return f"操作技能培训场所培训工位不少于 {minimum} 个（现为 {stations or 0} 个）"
    return None


def attended_hours(class_hours: list[float]) -> float:
    return round(sum(class_hours), 4)


def completes(attended: float, required: float) -> bool:
    """达规定标准学时数: the required hours reached, the number itself included."""
    return attended >= required
