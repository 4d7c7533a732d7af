"""Data of 组卷: the request (blueprint), the bank as columns, the filtered problem, the errors.

Shared by the checks (checks.py), the models (models.py), the diagnosis (diagnose.py) and the
entry point (solve.py); scoring/assembly/__init__.py says how they fit together.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

TYPES = ("judge", "single", "multiple")
TYPE_LABELS = {"judge": "判断题", "single": "单项选择题", "multiple": "多项选择题"}
EPS = 1e-9
MAX_DECIMALS = 6  # difficulties are read at their own precision, up to millionths


class AssemblyError(Exception):
    """The request cannot be assembled; ``constraint`` names the family (area, type, difficulty,
    enemy_group, overlap, blueprint, time_limit) and ``details`` carries the numbers."""

    def __init__(self, message: str, *, constraint: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.constraint = constraint
        self.details = details or {}


class Infeasible(AssemblyError):
    """The bank cannot meet a constraint (422 ``infeasible``)."""


class TimeLimitExceeded(AssemblyError):
    """The solver did not finish inside the wall-clock limit."""


@dataclass(frozen=True)
class Section:
    type: str
    count: int
    points: int


@dataclass(frozen=True)
class Blueprint:
    """What one paper must be. ``weights`` is the level's theory weight table {area: percent}."""

    level: str
    level_rank: int
    weights: Mapping[str, int]
    sections: Sequence[Section]
    forms: int = 1
    max_overlap: float = 0.2
    difficulty: tuple[float, float] = (0.0, 1.0)

    @property
    def items_per_form(self) -> int:
        return sum(s.count for s in self.sections)

    @property
    def total_points(self) -> int:
        return sum(s.count * s.points for s in self.sections)

    @property
    def overlap_limit(self) -> int:
        """Items any two forms may share: floor(max_overlap × items per form)."""
        return math.floor(self.max_overlap * self.items_per_form + EPS)

    def area_targets(self) -> dict[str, int]:
        """Points per area = weight × total / 100, exactly (4.1); a fraction is a blueprint error."""
        targets = {}
        for area, weight in self.weights.items():
            numerator = weight * self.total_points
            if numerator % 100:
                raise Infeasible(
                    f"总分 {self.total_points} 分时「{area}」的权重 {weight}% 折合 {numerator / 100:g} 分，"
                    "不是整数：请调整题型结构使总分可按权重表整分配（例如总分 100 分）",
                    constraint="blueprint",
                    details={"area": area, "weight": weight, "total_points": self.total_points},
                )
            targets[area] = numerator // 100
        return targets


@dataclass
class Bank:
    """The bank as columns (one row per item). ``level_rank``: index of the item's lowest level in
    the standard's level list; ``enemy_group``: None or a label; ``usage``: papers already using it."""

    id: np.ndarray
    type: np.ndarray
    area: np.ndarray
    level_rank: np.ndarray
    points: np.ndarray
    difficulty: np.ndarray
    enemy_group: np.ndarray
    usage: np.ndarray

    @classmethod
    def from_columns(cls, columns: Mapping[str, Sequence]) -> Bank:
        n = len(columns["id"])
        usage = columns.get("usage")
        enemy = columns.get("enemy_group")
        return cls(
            id=np.asarray(columns["id"], dtype=np.int64),
            type=np.asarray(columns["type"], dtype=object),
            area=np.asarray(columns["area"], dtype=object),
            level_rank=np.asarray(columns["level_rank"], dtype=np.int64),
            points=np.asarray(columns["points"], dtype=np.int64),
            difficulty=np.asarray(columns["difficulty"], dtype=np.float64),
            enemy_group=np.asarray(enemy if enemy is not None else [None] * n, dtype=object),
            usage=np.asarray(usage if usage is not None else [0] * n, dtype=np.int64),
        )

    @classmethod
    def from_records(cls, records: Sequence[Mapping]) -> Bank:
        keys = ("id", "type", "area", "level_rank", "points", "difficulty")
        columns: dict[str, list] = {k: [r[k] for r in records] for k in keys}
        columns["enemy_group"] = [r.get("enemy_group") for r in records]
        columns["usage"] = [r.get("usage", 0) for r in records]
        return cls.from_columns(columns)

    def __len__(self) -> int:
        return len(self.id)


@dataclass
class Form:
    item_ids: list[int]
    total_points: int
    area_points: dict[str, int]
    type_counts: dict[str, int]
    mean_difficulty: float


@dataclass
class Result:
    forms: list[Form]
    stats: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Validation of the request itself


def validate_blueprint(bp: Blueprint) -> None:
    """Reject a request that is malformed regardless of the bank (the message names the field)."""
    if bp.forms < 1:
        raise AssemblyError("试卷套数至少为 1", constraint="blueprint", details={"field": "forms"})
    if not 0 <= bp.max_overlap <= 1:
        raise AssemblyError("重叠比例须在 0 到 1 之间", constraint="blueprint", details={"field": "max_overlap"})
    low, high = bp.difficulty
    if not 0 <= low <= high <= 1:
        raise AssemblyError("难度区间须满足 0 ≤ min ≤ max ≤ 1", constraint="blueprint", details={"field": "difficulty"})
    if not bp.sections:
        raise AssemblyError("至少需要一个题型", constraint="blueprint", details={"field": "sections"})
    seen = set()
    for index, s in enumerate(bp.sections):
        if s.type not in TYPES:
            raise AssemblyError(
                f"未知题型 {s.type!r}", constraint="blueprint", details={"field": "sections", "index": index}
            )
        if s.count < 1 or s.points < 1:
            raise AssemblyError(
                "题量和每题分值须为正整数", constraint="blueprint", details={"field": "sections", "index": index}
            )
        if (s.type, s.points) in seen:
            raise AssemblyError(
                f"题型 {TYPE_LABELS[s.type]}（{s.points} 分）重复",
                constraint="blueprint",
                details={"field": "sections", "index": index},
            )
        seen.add((s.type, s.points))
    if not bp.weights:
        raise AssemblyError("该等级没有理论知识权重表", constraint="blueprint", details={"field": "level"})


# ---------------------------------------------------------------------------------------------
# Filtering


@dataclass
class Problem:
    """The filtered bank as arrays indexed 0..n-1, with everything the models need.

    ``dint``: difficulties as exact integers at the items' own precision (``scale`` = 10^decimals,
    at least thousandths); ``band``: the inclusive range of the sum of ``dint`` over one form that
    keeps its mean inside the requested band — so the band is an integer constraint, never a
    floating-point one that a solver meets "within tolerance"."""

    bank: Bank  # filtered
    section_of: np.ndarray  # section index per item
    area_of: np.ndarray  # area index per item
    areas: list[str]
    targets: list[int]
    enemy_groups: list[np.ndarray]  # item indices of each group with 2+ members
    group_code: np.ndarray  # per item: index of its enemy group, -1 for none
    dint: np.ndarray
    scale: int
    band: tuple[int, int]


def filter_bank(bank: Bank, bp: Blueprint) -> Problem:
    """Keep the usable items: level at or below the paper's, area in the level's table, (type,
    points) of a section. Everything after works on these only."""
    areas = list(bp.weights)
    n = len(bank)
    # map each distinct label once, then the whole column through a C-level map (10k items: ~1 ms)
    area_code = {a: areas.index(a) if a in areas else -1 for a in set(bank.area.tolist())}
    type_code = {t: TYPES.index(t) if t in TYPES else -1 for t in set(bank.type.tolist())}
    area_all = np.fromiter(map(area_code.__getitem__, bank.area.tolist()), dtype=np.int64, count=n)
    type_all = np.fromiter(map(type_code.__getitem__, bank.type.tolist()), dtype=np.int64, count=n)
    max_points = max(s.points for s in bp.sections)
    table = np.full((len(TYPES), max_points + 1), -1, dtype=np.int64)
    for k, s in enumerate(bp.sections):
        table[TYPES.index(s.type), s.points] = k
    in_range = (type_all >= 0) & (bank.points >= 0) & (bank.points <= max_points)
    section_all = np.where(in_range, table[type_all.clip(0), bank.points.clip(0, max_points)], -1)
    keep = (area_all >= 0) & (section_all >= 0) & (bank.level_rank <= bp.level_rank)
    idx = np.flatnonzero(keep)
    section_of, area_of = section_all, area_all
    sub = Bank(
        id=bank.id[idx],
        type=bank.type[idx],
        area=bank.area[idx],
        level_rank=bank.level_rank[idx],
        points=bank.points[idx],
        difficulty=bank.difficulty[idx],
        enemy_group=bank.enemy_group[idx],
        usage=bank.usage[idx],
    )
    groups: dict[str, list[int]] = defaultdict(list)
    for j, g in enumerate(sub.enemy_group):
        if g not in (None, ""):
            groups[g].append(j)
    group_code = np.full(len(sub), -1, dtype=np.int64)
    for code, (_, members) in enumerate(sorted(groups.items())):
        group_code[members] = code
    enemy = [np.asarray(members) for _, members in sorted(groups.items()) if len(members) > 1]
    targets = bp.area_targets()
    dint, scale, exact = integer_difficulties(sub.difficulty)
    low, high = bp.difficulty
    n_items = bp.items_per_form
    margin = 0 if exact else math.ceil(n_items / 2)  # rounding moves a sum by at most n/2 units
    band = (
        math.ceil(decimal_of(low) * n_items * scale) + margin,
        math.floor(decimal_of(high) * n_items * scale) - margin,
    )
    return Problem(
        sub, section_of[idx], area_of[idx], areas, [targets[a] for a in areas], enemy, group_code, dint, scale, band
    )


def decimal_of(x: float) -> Fraction:
    """The number as the decimal it was written as (0.7033 → 7033/10000), not its binary double."""
    return Fraction(repr(float(x)))


def decimals_of(x: float) -> int:
    """Digits after the decimal point of the number as written (0.55 → 2, 0.927 → 3, 0.5 → 1)."""
    text = repr(float(x))
    if "e" in text:
        return MAX_DECIMALS
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def fmt_band(x: float) -> str:
    """A band bound at the precision it was given, at least two decimals (0.55, 0.927, 0.7033)."""
    return f"{x:.{max(2, min(decimals_of(x), MAX_DECIMALS))}f}"


def integer_difficulties(difficulty: np.ndarray) -> tuple[np.ndarray, int, bool]:
    """Difficulties as integers at their own precision: (values, scale, exact). The scale is 10^d
    for the fewest decimals d ≥ 3 (integer thousandths at least) that hold every item exactly.
    Items given more finely than millionths are rounded (exact False) and the caller tightens the
    band by the rounding, so that a mean never slips outside it."""
    for digits in range(3, MAX_DECIMALS + 1):
        scaled = difficulty * 10**digits
        rounded = np.rint(scaled)
        if np.all(np.abs(scaled - rounded) < 1e-6):
            return rounded.astype(np.int64), 10**digits, True
    scale = 10**MAX_DECIMALS
    return np.rint(difficulty * scale).astype(np.int64), scale, False
