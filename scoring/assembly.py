"""Theory-paper assembly (组卷) as a mixed-integer programme solved by HiGHS (scipy.optimize.milp).

Pure: plain columns in, plain data out; no Flask, no database. Why a MILP: a national assessment
needs each paper's points per area to equal the standard's weight table (4.1 理论知识权重表)
exactly, for several parallel forms at once — random draws per category cannot promise that.

How (../shared/design.md, "solving the assembly MILP with HiGHS"):

1. Filter first: only items whose level is at or below the paper's level (3 工作要求: 高级别涵盖
   低级别的要求), whose area is a row of that level's table and whose (type, points) matches a
   section of the blueprint.
2. Check capacities per area, type and constraint BEFORE solving, so that an impossible request
   gets a message naming what is short and by how much.
3. Draw a seeded candidate pool of a few times what each area × type cell needs (less-used items
   first); solve the forms one after another on the pool (small models), fall back to one joint
   model, and widen the pool only when the small model is infeasible.
4. A feasibility model with a light objective (usage counts + a seeded perturbation), a relative
   gap, a solver time limit — and a hard wall-clock guard: the whole solve runs in a forked worker
   process that is terminated when it overruns (HiGHS has been seen to ignore its time limit).
5. When even the full filtered bank is infeasible, relax one constraint family at a time to name
   the one that cannot be met.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

TYPES = ("judge", "single", "multiple")
TYPE_LABELS = {"judge": "判断题", "single": "单项选择题", "multiple": "多项选择题"}
POOL_FACTORS = (2.0, 4.0, None)  # None: the whole filtered bank
DEFAULT_TIME_LIMIT = 60.0
MIP_REL_GAP = 0.2  # a feasibility model with a light objective: any good-enough form will do
EPS = 1e-9
GRACE_SECONDS = 1.0  # the hard guard kills the worker this long after the solver's own limit


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
# Filtering and capacity checks


@dataclass
class _Problem:
    """The filtered bank as arrays indexed 0..n-1, with everything the models need."""

    bank: Bank  # filtered
    section_of: np.ndarray  # section index per item
    area_of: np.ndarray  # area index per item
    areas: list[str]
    targets: list[int]
    enemy_groups: list[np.ndarray]  # item indices of each group with 2+ members
    group_code: np.ndarray  # per item: index of its enemy group, -1 for none


def filter_bank(bank: Bank, bp: Blueprint) -> _Problem:
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
    return _Problem(sub, section_of[idx], area_of[idx], areas, [targets[a] for a in areas], enemy, group_code)


def _one_per_group(problem: _Problem, mask: np.ndarray, value: np.ndarray) -> float:
    """Sum of ``value`` over ``mask``ed items counting each enemy group once (its best item)."""
    code = problem.group_code
    total = float(value[mask & (code < 0)].sum())
    grouped = mask & (code >= 0)
    if grouped.any():
        best = np.zeros(int(code.max()) + 1)
        np.maximum.at(best, code[grouped], value[grouped])
        total += float(best.sum())
    return total


def _reachable(points: np.ndarray, target: int) -> bool:
    """Can ``target`` be written as a sum of a sub-multiset of ``points``? (bounded subset sum)"""
    reach = np.zeros(target + 1, dtype=bool)
    reach[0] = True
    values, counts = np.unique(points, return_counts=True)
    for p, c in zip(values.tolist(), counts.tolist(), strict=True):
        for _ in range(min(c, target // p if p > 0 else 0)):
            reach[p:] = reach[p:] | reach[:-p]  # the right side is evaluated first: each item once
    return bool(reach[target])


def check_capacities(problem: _Problem, bp: Blueprint) -> None:
    """Necessary conditions, cheapest first; the first one violated raises with its shortfall."""
    b = problem.bank
    level = bp.level
    forms, limit = bp.forms, bp.overlap_limit
    pairs = forms * (forms - 1) // 2
    ones = np.ones(len(b))
    for k, s in enumerate(bp.sections):
        mask = problem.section_of == k
        have = int(round(_one_per_group(problem, mask, ones)))
        label = f"{TYPE_LABELS[s.type]}（每题 {s.points} 分）"
        if have < s.count:
            raise Infeasible(
                f"{label}每套需要 {s.count} 道适用于{level}的试题，题库只有 {have} 道（缺 {s.count - have} 道）",
                constraint="type",
                details={"type": s.type, "points": s.points, "need": s.count, "have": have},
            )
        distinct_need = forms * s.count - min(limit, s.count) * pairs
        distinct_have = int(mask.sum())
        if forms > 1 and distinct_have < distinct_need:
            raise Infeasible(
                f"{label}：{forms} 套试卷两两重复不超过 {limit} 道时至少需要 {distinct_need} 道不同试题，"
                f"题库只有 {distinct_have} 道适用于{level}的（缺 {distinct_need - distinct_have} 道）",
                constraint="type",
                details={"type": s.type, "need": distinct_need, "have": distinct_have},
            )
    max_points = max(s.points for s in bp.sections)
    for a, (area, target) in enumerate(zip(problem.areas, problem.targets, strict=True)):
        mask = problem.area_of == a
        have = int(round(_one_per_group(problem, mask, b.points.astype(float))))
        if have < target:
            raise Infeasible(
                f"「{area}」每套需要 {target} 分适用于{level}的试题，题库只有 {have} 分（缺 {target - have} 分）",
                constraint="area",
                details={"area": area, "need": target, "have": have},
            )
        if not _reachable(b.points[mask], target):
            values = sorted({int(p) for p in b.points[mask]})
            raise Infeasible(
                f"「{area}」需要恰好 {target} 分，但该领域可用试题的分值（{'、'.join(map(str, values))} 分）凑不出 {target} 分",
                constraint="area",
                details={"area": area, "need": target, "points": values},
            )
        distinct_need = forms * target - min(limit * max_points, target) * pairs
        distinct_have = int(b.points[mask].sum())
        if forms > 1 and distinct_have < distinct_need:
            raise Infeasible(
                f"「{area}」：{forms} 套试卷两两重复不超过 {limit} 道时至少需要 {distinct_need} 分不同的试题，"
                f"题库只有 {distinct_have} 分适用于{level}的（缺 {distinct_need - distinct_have} 分）",
                constraint="area",
                details={"area": area, "need": distinct_need, "have": distinct_have},
            )
    n_items = bp.items_per_form
    lowest = highest = 0.0
    for k, s in enumerate(bp.sections):
        d = np.sort(b.difficulty[problem.section_of == k])
        lowest += d[: s.count].sum()
        highest += d[::-1][: s.count].sum()
    low, high = lowest / n_items, highest / n_items
    dmin, dmax = bp.difficulty
    if low > dmax + EPS:
        raise Infeasible(
            f"平均难度须不高于 {dmax:.2f}，但适用于{level}的试题最低只能组到 {low:.3f}（差 {low - dmax:.3f}）",
            constraint="difficulty",
            details={"min": dmin, "max": dmax, "reachable": [round(low, 4), round(high, 4)]},
        )
    if high < dmin - EPS:
        raise Infeasible(
            f"平均难度须不低于 {dmin:.2f}，但适用于{level}的试题最高只能组到 {high:.3f}（差 {dmin - high:.3f}）",
            constraint="difficulty",
            details={"min": dmin, "max": dmax, "reachable": [round(low, 4), round(high, 4)]},
        )


# ---------------------------------------------------------------------------------------------
# Models


@dataclass
class _Flags:
    difficulty: bool = True
    enemy: bool = True
    overlap: bool = True


def _form_rows(problem: _Problem, bp: Blueprint, pool: np.ndarray, offset: int, flags: _Flags, rows, lbs, ubs):
    """Append the constraints of one form whose variables start at ``offset`` (one per pool item)."""
    b = problem.bank
    r = len(lbs)
    for k, s in enumerate(bp.sections):
        cols = np.flatnonzero(problem.section_of[pool] == k)
        rows.append((np.full(len(cols), r), offset + cols, np.ones(len(cols))))
        lbs.append(s.count)
        ubs.append(s.count)
        r += 1
    for a, target in enumerate(problem.targets):
        cols = np.flatnonzero(problem.area_of[pool] == a)
        rows.append((np.full(len(cols), r), offset + cols, b.points[pool][cols].astype(float)))
        lbs.append(target)
        ubs.append(target)
        r += 1
    if flags.enemy:
        position = {int(j): c for c, j in enumerate(pool)}
        for members in problem.enemy_groups:
            cols = np.asarray([position[int(j)] for j in members if int(j) in position], dtype=np.int64)
            if len(cols) > 1:
                rows.append((np.full(len(cols), r), offset + cols, np.ones(len(cols))))
                lbs.append(0)
                ubs.append(1)
                r += 1
    if flags.difficulty:
        n_items = bp.items_per_form
        rows.append((np.full(len(pool), r), offset + np.arange(len(pool)), b.difficulty[pool]))
        lbs.append(bp.difficulty[0] * n_items)  # exact: the reported mean must lie inside the band
        ubs.append(bp.difficulty[1] * n_items)


def _run_milp(c, rows, lbs, ubs, n_binary, n_vars, deadline: float, presolve: bool):
    if rows:
        r = np.concatenate([x[0] for x in rows])
        cidx = np.concatenate([x[1] for x in rows])
        v = np.concatenate([x[2] for x in rows])
    else:
        r = cidx = v = np.zeros(0)
    matrix = coo_array((v, (r, cidx)), shape=(len(lbs), n_vars)).tocsr()
    integrality = np.zeros(n_vars)
    integrality[:n_binary] = 1
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return None, "time"
    res = milp(
        c,
        integrality=integrality,
        bounds=Bounds(np.zeros(n_vars), np.ones(n_vars)),
        constraints=LinearConstraint(matrix, np.asarray(lbs, float), np.asarray(ubs, float)),
        options={"time_limit": max(remaining, 0.05), "presolve": presolve, "mip_rel_gap": MIP_REL_GAP},
    )
    if res.x is not None and res.status in (0, 1):
        return res.x, "ok"
    if res.status == 2:
        return None, "infeasible"
    if res.status == 1:
        return None, "time"
    return None, "other"


def _objective(problem: _Problem, pool: np.ndarray, rng: np.random.Generator, extra: np.ndarray | None = None):
    """Less-used items first (usage count), ties broken by the seed — a light objective."""
    c = problem.bank.usage[pool].astype(float) + rng.random(len(pool))
    if extra is not None:
        c = c + extra
    return c


def _solve_partitioned(problem, bp, pool, rng, deadline, presolve) -> list[np.ndarray] | None:
    """Deal the pool's items cell by cell (least-used first, seeded ties) into one part per form and
    solve each form on its own part: small independent models, and forms that share nothing. Any
    part infeasible → None (the caller falls back to the sequential and joint models)."""
    if bp.forms == 1:
        return None
    key = rng.random(len(pool))
    parts: list[list[int]] = [[] for _ in range(bp.forms)]
    cells = problem.section_of[pool] * len(problem.areas) + problem.area_of[pool]
    for cell in np.unique(cells):
        members = np.flatnonzero(cells == cell)
        order = members[np.lexsort((key[members], problem.bank.usage[pool][members]))]
        for rank, position in enumerate(order):
            parts[rank % bp.forms].append(position)
    chosen = []
    for part in parts:
        sub = pool[np.sort(np.asarray(part, dtype=np.int64))]
        rows, lbs, ubs = [], [], []
        _form_rows(problem, bp, sub, 0, _Flags(), rows, lbs, ubs)
        x, status = _run_milp(_objective(problem, sub, rng), rows, lbs, ubs, len(sub), len(sub), deadline, presolve)
        if x is None:
            return None if status == "infeasible" else _raise_status(status)
        chosen.append(np.searchsorted(pool, sub[x > 0.5]))
    return chosen


def _solve_sequential(problem, bp, pool, rng, deadline, presolve) -> list[np.ndarray] | None:
    """One form at a time on the pool; each new form shares at most the limit with every earlier one."""
    chosen: list[np.ndarray] = []
    reuse = np.zeros(len(pool))
    limit = bp.overlap_limit
    for _ in range(bp.forms):
        rows, lbs, ubs = [], [], []
        _form_rows(problem, bp, pool, 0, _Flags(), rows, lbs, ubs)
        if limit < bp.items_per_form:
            for earlier in chosen:
                rows.append((np.full(len(earlier), len(lbs)), earlier, np.ones(len(earlier))))
                lbs.append(0)
                ubs.append(limit)
        c = _objective(problem, pool, rng, 2.0 * reuse)
        x, status = _run_milp(c, rows, lbs, ubs, len(pool), len(pool), deadline, presolve)
        if x is None:
            return None if status == "infeasible" else _raise_status(status)
        picked = np.flatnonzero(x > 0.5)
        chosen.append(picked)
        reuse[picked] += 1
    return chosen


def _raise_status(status: str):
    if status == "time":
        raise TimeLimitExceeded("在时间限制内未能完成组卷，请放宽约束或延长时间限制", constraint="time_limit")
    raise AssemblyError("求解器未能给出结果", constraint="solver")


def _solve_joint(problem, bp, pool, rng, deadline, presolve, flags: _Flags | None = None, forms: int | None = None):
    """All forms in one model: x[f, i] binaries plus y[f<g, i] ≥ x[f,i] + x[g,i] − 1 for overlap."""
    flags = flags or _Flags()
    forms = forms or bp.forms
    n = len(pool)
    limit = bp.overlap_limit
    rows, lbs, ubs = [], [], []
    for f in range(forms):
        _form_rows(problem, bp, pool, f * n, flags, rows, lbs, ubs)
    pairs = list(combinations(range(forms), 2))
    n_binary = forms * n
    n_vars = n_binary
    if flags.overlap and forms > 1 and limit < bp.items_per_form:
        if limit == 0:
            for i in range(n):
                rows.append((np.full(forms, len(lbs)), np.arange(forms) * n + i, np.ones(forms)))
                lbs.append(0)
                ubs.append(1)
        else:
            n_vars += len(pairs) * n
            ar = np.arange(n)
            for p, (f, g) in enumerate(pairs):
                y0 = n_binary + p * n
                first = len(lbs)
                # x_f,i + x_g,i − y_fg,i ≤ 1, one row per item
                rr = first + ar
                rows.append(
                    (
                        np.concatenate([rr, rr, rr]),
                        np.concatenate([f * n + ar, g * n + ar, y0 + ar]),
                        np.concatenate([np.ones(n), np.ones(n), -np.ones(n)]),
                    )
                )
                lbs.extend([-np.inf] * n)
                ubs.extend([1] * n)
                rows.append((np.full(n, len(lbs)), y0 + ar, np.ones(n)))
                lbs.append(0)
                ubs.append(limit)
    c = np.concatenate([_objective(problem, pool, rng) for _ in range(forms)] + [np.zeros(n_vars - n_binary)])
    x, status = _run_milp(c, rows, lbs, ubs, n_binary, n_vars, deadline, presolve)
    if x is None:
        return None if status == "infeasible" else _raise_status(status)
    return [np.flatnonzero(x[f * n : (f + 1) * n] > 0.5) for f in range(forms)]


# ---------------------------------------------------------------------------------------------
# Pools


def draw_pool(problem: _Problem, bp: Blueprint, factor: float | None, rng: np.random.Generator) -> np.ndarray:
    """A seeded candidate pool: per area × section cell, ``factor`` × forms × the cell's expected
    need (+4), least-used items first, ties in seeded random order. ``None``: the whole bank."""
    n = len(problem.bank)
    if factor is None:
        return np.arange(n)
    order_key = rng.random(n)
    total = bp.total_points
    picked = []
    for k, s in enumerate(bp.sections):
        for a, target in enumerate(problem.targets):
            cell = np.flatnonzero((problem.section_of == k) & (problem.area_of == a))
            if not len(cell):
                continue
            expected = s.count * target / total
            size = int(math.ceil(factor * bp.forms * expected)) + 4
            if size >= len(cell):
                picked.append(cell)
                continue
            order = np.lexsort((order_key[cell], problem.bank.usage[cell]))
            picked.append(cell[order[:size]])
    pool = np.sort(np.concatenate(picked)) if picked else np.zeros(0, dtype=np.int64)
    return pool


# ---------------------------------------------------------------------------------------------
# Diagnosis after an infeasible solve


def diagnose(problem: _Problem, bp: Blueprint, seed: int, deadline: float, presolve: bool) -> Infeasible:
    """Relax constraint families one at a time on the whole filtered bank to name the culprit."""
    pool = np.arange(len(problem.bank))

    def feasible(flags: _Flags, forms: int) -> bool:
        rng = np.random.default_rng(seed)
        return _solve_joint(problem, bp, pool, rng, deadline, presolve, flags, forms) is not None

    level = bp.level
    if not feasible(_Flags(difficulty=False, enemy=False, overlap=False), 1):
        return _diagnose_structure(problem, bp)
    if not feasible(_Flags(difficulty=False, enemy=True, overlap=False), 1):
        return Infeasible(
            f"互斥组（enemy_group）限制下，适用于{level}的试题无法同时满足各领域分值和题型题量："
            f"共有 {len(problem.enemy_groups)} 个互斥组，请补充不属于同一互斥组的试题",
            constraint="enemy_group",
            details={"groups": len(problem.enemy_groups)},
        )
    if not feasible(_Flags(difficulty=True, enemy=True, overlap=False), 1):
        low, high = _difficulty_range(problem, bp, deadline, presolve)
        dmin, dmax = bp.difficulty
        gap = (dmin - high) if high < dmin else (low - dmax)
        return Infeasible(
            f"平均难度须在 {dmin:.2f}–{dmax:.2f} 之间，满足分值和题型要求的试卷平均难度只能在 "
            f"{low:.3f}–{high:.3f} 之间（差 {max(gap, 0):.3f}）",
            constraint="difficulty",
            details={"min": dmin, "max": dmax, "reachable": [round(low, 4), round(high, 4)]},
        )
    limit = bp.overlap_limit
    possible = 1
    for forms in range(2, bp.forms):
        if not feasible(_Flags(), forms):
            break
        possible = forms
    return Infeasible(
        f"{bp.forms} 套试卷两两重复不超过 {limit} 道（max_overlap {bp.max_overlap:g} × {bp.items_per_form} 题）无法满足："
        f"适用于{level}的试题只够组 {possible} 套，请放宽重叠比例或补充试题",
        constraint="overlap",
        details={"forms": bp.forms, "possible": possible, "limit": limit},
    )


def _diagnose_structure(problem: _Problem, bp: Blueprint) -> Infeasible:
    """The sections and the area points cannot both be met: find an area whose points cannot be
    made with at most each section's count of its items, else report the cell capacities."""
    for a, (area, target) in enumerate(zip(problem.areas, problem.targets, strict=True)):
        mask = problem.area_of == a
        # most points the area can take when each section gives at most its count
        most = 0
        for k, s in enumerate(bp.sections):
            available = int((problem.section_of[mask] == k).sum())
            most += min(available, s.count) * s.points
        if most < target:
            return Infeasible(
                f"「{area}」需要 {target} 分，但在题型题量限制下该领域最多只能组到 {most} 分（缺 {target - most} 分）",
                constraint="area",
                details={"area": area, "need": target, "have": most},
            )
    cells = []
    for a, area in enumerate(problem.areas):
        counts = [
            f"{TYPE_LABELS[s.type]}{int(((problem.area_of == a) & (problem.section_of == k)).sum())}"
            for k, s in enumerate(bp.sections)
        ]
        cells.append(f"{area}（{'、'.join(counts)}）")
    return Infeasible(
        "题型题量与各领域分值无法同时满足：各领域可用试题为 " + "；".join(cells),
        constraint="structure",
        details={"areas": problem.areas},
    )


def _difficulty_range(problem: _Problem, bp: Blueprint, deadline: float, presolve: bool) -> tuple[float, float]:
    """Lowest and highest mean difficulty of a single form meeting sections, areas and enemy groups."""
    pool = np.arange(len(problem.bank))
    out = []
    for sign in (1.0, -1.0):
        rows, lbs, ubs = [], [], []
        _form_rows(problem, bp, pool, 0, _Flags(difficulty=False), rows, lbs, ubs)
        x, _ = _run_milp(sign * problem.bank.difficulty, rows, lbs, ubs, len(pool), len(pool), deadline, presolve)
        out.append(float(problem.bank.difficulty[x > 0.5].mean()) if x is not None else float("nan"))
    return out[0], out[1]


# ---------------------------------------------------------------------------------------------
# Entry points


def _describe(problem: _Problem, bp: Blueprint, chosen: np.ndarray) -> Form:
    b = problem.bank
    section_rank = problem.section_of[chosen]
    order = np.lexsort((b.id[chosen], problem.area_of[chosen], section_rank))
    chosen = chosen[order]
    area_points = {area: 0 for area in problem.areas}
    type_counts: dict[str, int] = {}
    for j in chosen:
        area_points[str(b.area[j])] += int(b.points[j])
        type_counts[str(b.type[j])] = type_counts.get(str(b.type[j]), 0) + 1
    return Form(
        item_ids=[int(i) for i in b.id[chosen]],
        total_points=int(b.points[chosen].sum()),
        area_points=area_points,
        type_counts=type_counts,
        mean_difficulty=float(b.difficulty[chosen].mean()),
    )


def verify(problem: _Problem, bp: Blueprint, forms: list[np.ndarray]) -> None:
    """Belt and braces: every constraint re-checked on the solution before it leaves (a solver
    answer outside its tolerances is an error, never a non-conforming paper)."""
    b = problem.bank
    checks: list[tuple[bool, str]] = []
    for chosen in forms:
        checks.append((len(set(chosen.tolist())) == len(chosen), "repeated item"))
        for k, s in enumerate(bp.sections):
            checks.append((int((problem.section_of[chosen] == k).sum()) == s.count, f"section {s.type}"))
        for a, target in enumerate(problem.targets):
            points = int(b.points[chosen][problem.area_of[chosen] == a].sum())
            checks.append((points == target, f"area {problem.areas[a]}"))
        groups = [g for g in b.enemy_group[chosen] if g not in (None, "")]
        checks.append((len(groups) == len(set(groups)), "enemy group"))
        mean = b.difficulty[chosen].mean()
        checks.append((bp.difficulty[0] - 1e-9 <= mean <= bp.difficulty[1] + 1e-9, "difficulty"))
    for first, second in combinations(forms, 2):
        checks.append((len(np.intersect1d(first, second)) <= bp.overlap_limit, "overlap"))
    failed = [what for ok, what in checks if not ok]
    if failed:
        raise AssemblyError(f"求解结果未通过复核（{'、'.join(failed)}），请换一个随机种子重试", constraint="solver")


def _assemble_inline(bank: Bank, bp: Blueprint, seed: int, time_limit: float, presolve: bool) -> Result:
    started = time.monotonic()
    deadline = started + time_limit
    validate_blueprint(bp)
    problem = filter_bank(bank, bp)
    check_capacities(problem, bp)
    stats = {"usable": len(problem.bank), "rounds": []}
    for factor in POOL_FACTORS:
        rng = np.random.default_rng(seed)
        pool = draw_pool(problem, bp, factor, rng)
        forms = _solve_partitioned(problem, bp, pool, rng, deadline, presolve)
        mode = "partitioned"
        if forms is None:
            forms = _solve_sequential(problem, bp, pool, np.random.default_rng(seed), deadline, presolve)
            mode = "sequential"
        if forms is None and bp.forms > 1:
            forms = _solve_joint(problem, bp, pool, np.random.default_rng(seed), deadline, presolve)
            mode = "joint"
        stats["rounds"].append({"pool": len(pool), "mode": mode, "ok": forms is not None})
        if forms is not None:
            mapped = [pool[f] for f in forms]
            verify(problem, bp, mapped)
            stats["seconds"] = time.monotonic() - started
            return Result([_describe(problem, bp, f) for f in mapped], stats)
        if len(pool) == len(problem.bank):
            break
    raise diagnose(problem, bp, seed, deadline, presolve)


def _worker(conn, bank, bp, seed, time_limit, presolve) -> None:
    try:
        conn.send(("ok", _assemble_inline(bank, bp, seed, time_limit, presolve)))
    except AssemblyError as exc:
        conn.send(("error", (type(exc).__name__, exc.message, exc.constraint, exc.details)))
    except Exception as exc:  # noqa: BLE001 — reported to the parent, which re-raises
        conn.send(("crash", repr(exc)))
    finally:
        conn.close()


_ERRORS = {"Infeasible": Infeasible, "TimeLimitExceeded": TimeLimitExceeded, "AssemblyError": AssemblyError}


def assemble(
    bank: Bank,
    blueprint: Blueprint,
    seed: int = 0,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    presolve: bool = False,
    guard: bool = True,
) -> Result:
    """Assemble ``blueprint.forms`` parallel forms from ``bank``; the same seed gives the same forms.

    ``guard``: solve in a forked worker process killed after ``time_limit`` (+1 s grace), because
    HiGHS has been seen to ignore its own time limit. ``presolve`` is off by default: on these
    small pool models it costs more than it saves (bench/assembly.py), and it has hung on large ones. Without fork (or ``guard=False``) the solve
    runs in-process with only HiGHS's limit. Raises :class:`Infeasible` naming the constraint.
    """
    if not guard or "fork" not in multiprocessing.get_all_start_methods():
        return _assemble_inline(bank, blueprint, seed, time_limit, presolve)
    multiprocessing.active_children()  # reap workers of earlier calls that have exited by now
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_worker, args=(sender, bank, blueprint, seed, time_limit, presolve), daemon=True)
    process.start()
    sender.close()
    kind, payload = "crash", "worker exited without a result"
    try:
        if not receiver.poll(time_limit + GRACE_SECONDS):
            raise TimeLimitExceeded(
                f"组卷超过时间限制 {time_limit:g} 秒，已中止：请放宽约束或减少套数", constraint="time_limit"
            )
        kind, payload = receiver.recv()
    except EOFError:
        pass
    finally:
        receiver.close()
        if kind == "crash":  # overran, or died: make sure it is gone
            if process.is_alive():
                process.terminate()
            process.join(1.0)
            if process.is_alive():
                process.kill()
                process.join()
        # with a result the worker is already exiting on its own; no need to wait for it here
    if kind == "ok":
        return payload
    if kind == "error":
        name, message, constraint, details = payload
        raise _ERRORS.get(name, AssemblyError)(message, constraint=constraint, details=details)
    raise RuntimeError(f"assembly worker failed: {payload}")
