"""Organization rating (社会组织等级评估) arithmetic — pure: no Flask, no database.

- ``formula_score``: a formula leaf of a framework (seed 004: 2.2.2.2–3, 2.3.1.1–3, 2.4.4.1–3,
  4.1.2.1–3) scored from its inputs: full points when the rule holds, else 0 (以上/≥ include the
  number, "<"/">" do not); 2.3.1.1 scales with the number of full-time staff.
- ``panel_leaves``: per leaf, the mean of the experts' scores (unrounded) and their spread — through
  ``scoring.panel.aggregate``, the engine's own panel arithmetic.
- ``exact_total`` / ``grade_for``: the total as an exact fraction, compared WITHOUT rounding with the
  grades' minima (950.6667 is not 5A at a minimum of 951).
- ``agreement``: ICC(A,1) and each expert's severity over the leaves (``scoring.agreement``).

Numbers arrive as int/float (JSON); each is read as the decimal it was written as
(``Fraction(str(x))``) so that 0.05 × 100 is exactly 5 and a boundary is a boundary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache
from math import isfinite, lcm

from scoring import agreement as agreement_stats
from scoring.panel import aggregate


class FormulaInputError(ValueError):
    """An input a formula needs is missing or not a number (``name`` is the input's name)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def exact(value) -> Fraction:
    """A JSON number as the decimal it was written as (0.1 is 1/10, not the nearest binary float)."""
    if isinstance(value, Fraction):
        return value
    return Fraction(*_decimal_parts(value)) if isinstance(value, float) else Fraction(value)


def _number(inputs: Mapping, name: str) -> Fraction:
    value = inputs.get(name) if isinstance(inputs, Mapping) else None
    if value is None:
        raise FormulaInputError(name, "缺少")
    if isinstance(value, bool) or not isinstance(value, int | float) or not isfinite(value):
        raise FormulaInputError(name, "须为数字")
    if value < 0:
        raise FormulaInputError(name, "不能为负数")
    return exact(value)


def _compare(value: Fraction, op: str, limit: Fraction) -> bool:
    return {"<=": value <= limit, "<": value < limit, ">=": value >= limit, ">": value > limit}[op]


def formula_score(formula: Mapping, points: int, inputs: Mapping) -> Fraction:
    """The leaf's score from ``inputs`` by its formula (raises FormulaInputError naming the input).

    kinds: ``share`` part ÷ whole compared with ``limit`` (whole 0: the share is undefined, 0 points;
    with ``subset`` (default) the part may not exceed the whole); ``growth`` (end − start) ÷ start;
    ``cagr`` compound annual growth of a series, oldest first: last ÷ first ≥ (1 + limit)^(years − 1)
    compared exactly, without roots; ``staff_points`` base points at the base count, ``per_extra``
    for each further person, at most the leaf's points, 0 below the base count.
    """
    kind = formula["kind"]
    op = formula.get("op", ">=")
    limit = Fraction(str(formula.get("limit", "0")))
    full = Fraction(points)
    if kind == "staff_points":
        (name,) = formula["inputs"]
        count = _number(inputs, name)
        if count.denominator != 1:
            raise FormulaInputError(name, "须为整数（人数）")
        base = int(formula["base_count"])
        if count < base:
            return Fraction(0)
        return min(full, Fraction(formula["base_points"]) + Fraction(formula["per_extra"]) * (count - base))
    if kind == "share":
        part, whole = _number(inputs, formula["part"]), _number(inputs, formula["whole"])
        if formula.get("subset", True) and part > whole:
            raise FormulaInputError(formula["part"], f"不能大于 {formula['whole']}")
        if whole == 0:
            return Fraction(0)
        return full if _compare(part / whole, op, limit) else Fraction(0)
    if kind == "growth":
        start, end = _number(inputs, formula["start"]), _number(inputs, formula["end"])
        if start == 0:
            return Fraction(0)
        return full if _compare((end - start) / start, op, limit) else Fraction(0)
    if kind == "cagr":
        name = formula["series"]
        series = inputs.get(name) if isinstance(inputs, Mapping) else None
        low, high = int(formula.get("min_years", 2)), int(formula.get("max_years", 4))
        if not isinstance(series, list) or not low <= len(series) <= high:
            raise FormulaInputError(name, f"须为 {low} 至 {high} 个年度的会员数（由远及近）")
        values = [_number({name: v}, name) for v in series]
        if values[0] == 0:
            return Fraction(0)
        ratio = values[-1] / values[0]
        return full if _compare(ratio, op, (1 + limit) ** (len(values) - 1)) else Fraction(0)
    raise ValueError(f"unknown formula kind {kind!r}")


# ---------------------------------------------------------------- the panel


@dataclass(frozen=True)
class LeafResult:
    score: float  # the mean of the experts' scores, unrounded
    spread: float  # max − min
    exact: Fraction  # the same mean as an exact fraction (the total is summed from these)


def leaf_result(scores: Sequence[float]) -> LeafResult:
    panel = aggregate(list(scores))
    return LeafResult(score=panel.score, spread=panel.spread, exact=exact_sum(scores) / len(scores))


def exact_sum(values: Iterable) -> Fraction:
    """The exact sum of the values read as the decimals they were written as, added as integers over
    one common denominator: one Fraction in the end, not one (and a gcd) per addition — a round of 50
    organizations × 109 leaves × 5 experts adds 27,250 scores (bench/rating_scale.py)."""
    parts = [_parts(v) for v in values]
    if not parts:
        return Fraction(0)
    common = lcm(*(denominator for _, denominator in parts))
    return Fraction(sum(numerator * (common // denominator) for numerator, denominator in parts), common)


def _parts(value) -> tuple[int, int]:
    if isinstance(value, float):
        return _decimal_parts(value)
    if isinstance(value, int):
        return int(value), 1
    value = exact(value)
    return value.numerator, value.denominator


@lru_cache(maxsize=4096)
def _decimal_parts(value: float) -> tuple[int, int]:
    """A float as the shortest decimal that gives it back (``repr``), once per distinct value: a round's
    scores repeat few values."""
    value = Fraction(str(value))
    return value.numerator, value.denominator


def panel_leaves(scores: Mapping[str, Sequence[float]]) -> dict[str, LeafResult]:
    """{code: LeafResult} from {code: [each expert's score]}."""
    return {code: leaf_result(values) for code, values in scores.items()}


def exact_total(leaf_scores: Mapping[str, Fraction | float]) -> Fraction:
    return exact_sum(leaf_scores.values())


def grade_for(total: Fraction | float, grades: Sequence[Mapping]) -> str | None:
    """The highest grade whose ``min`` the total reaches, compared without rounding; None below all."""
    value = exact(total)
    reached = [g for g in grades if value >= exact(g["min"])]
    return max(reached, key=lambda g: exact(g["min"]))["grade"] if reached else None


def grade_rank(grade: str | None, grades: Sequence[Mapping]) -> int:
    """0 for the highest grade, 1 for the next …; len(grades) for no grade."""
    ordered = [g["grade"] for g in sorted(grades, key=lambda g: -exact(g["min"]))]
    return ordered.index(grade) if grade in ordered else len(ordered)


def thresholds_problem(grades: Sequence[Mapping], total: int) -> str | None:
    """Why a set of grade thresholds cannot be used (Chinese), or None: unique grades, minima within
    0…total and strictly decreasing in the order given."""
    names = [g.get("grade") for g in grades]
    if not grades:
        return "至少需要一个等级"
    if any(not isinstance(n, str) or not n.strip() for n in names) or len(set(names)) != len(names):
        return "等级名称须填写且不重复"
    minima = [g.get("min") for g in grades]
    if any(isinstance(m, bool) or not isinstance(m, int | float) or not 0 <= m <= total for m in minima):
        return f"最低分须在 0 至 {total} 之间"
    if any(a <= b for a, b in zip(minima, minima[1:], strict=False)):
        return "等级须由高到低排列，最低分逐级递减"
    return None


# ---------------------------------------------------------------- certificate and agreement

CERTIFICATE_YEARS = 5


def certificate_validity(announced: date, years: int = CERTIFICATE_YEARS) -> tuple[date, date]:
    """Valid ``years`` calendar years from 1 January of the year after the announcement
    (announced in 2026: 2027-01-01 to 2031-12-31)."""
    return date(announced.year + 1, 1, 1), date(announced.year + years, 12, 31)


def agreement(table: Sequence[Sequence[float]]) -> dict:
    """Over the leaves (rows) × experts (columns): ICC(A,1) and each expert's severity."""
    return {"icc": agreement_stats.icc_a1(table), "severity": agreement_stats.severity(table)}
