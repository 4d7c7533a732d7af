"""Exact necessary conditions of 组卷, checked before any solve: each one violated is a proof that
no paper exists, and raises :class:`Infeasible` naming the constraint with its exact shortfall.

In order (cheapest first, each in microseconds to milliseconds):

1. one form: items per section, points per area (enemy groups counted once), exact points
   reachable as a sum of the area's item points;
2. several forms, distinct items: by inclusion–exclusion the union of F forms with at most L items
   shared by any two holds at least F × n − C(F,2) × L distinct items — for the whole paper, per
   section (n = its count) and per area (in points);
3. the band at the items' precision: the integer sums of difficulties the band allows (empty,
   or holding no multiple of the items' common step, is a proof), then the exact lowest and highest
   sum one form can reach with its sections and areas (a small model solved to optimality), not a
   gap-stopped estimate.

The checks also measure how much room each family leaves (``Slack``): when a solve later runs out
of time, the tightest one is named as the likely cause.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .models import Flags, Model, form_rows, run
from .types import TYPE_LABELS, Blueprint, Infeasible, Problem, decimal_of, fmt_band

RANGE_SECONDS = 2.0  # budget for each exact band-reachability model


@dataclass(frozen=True)
class Slack:
    """Room a constraint family leaves: ``ratio`` = (have − need) / need; ``text`` in Chinese."""

    ratio: float
    text: str


def one_per_group(problem: Problem, mask: np.ndarray, value: np.ndarray) -> float:
    """Sum of ``value`` over ``mask``ed items counting each enemy group once (its best item)."""
    code = problem.group_code
    total = float(value[mask & (code < 0)].sum())
    grouped = mask & (code >= 0)
    if grouped.any():
        best = np.zeros(int(code.max()) + 1)
        np.maximum.at(best, code[grouped], value[grouped])
        total += float(best.sum())
    return total


def reachable(points: np.ndarray, target: int) -> bool:
    """Can ``target`` be written as a sum of a sub-multiset of ``points``? (bounded subset sum)"""
    reach = np.zeros(target + 1, dtype=bool)
    reach[0] = True
    values, counts = np.unique(points, return_counts=True)
    for p, c in zip(values.tolist(), counts.tolist(), strict=True):
        for _ in range(min(c, target // p if p > 0 else 0)):
            reach[p:] = reach[p:] | reach[:-p]  # the right side is evaluated first: each item once
    return bool(reach[target])


def check_capacities(problem: Problem, bp: Blueprint, deadline: float, reach: bool = True) -> list[Slack]:
    """All checks in order; returns the slack of each family (tightest first). ``reach`` False
    leaves out the exact band reachability (two small models): on a large bank the pools answer
    faster than that check, which then runs only if they give up (check_reach)."""
    slacks = _check_one_form(problem, bp)
    slacks += _check_distinct(problem, bp)
    slacks += _check_band(problem, bp, deadline, reach)
    return sorted(slacks, key=lambda s: s.ratio)


def check_reach(problem: Problem, bp: Blueprint, deadline: float, slacks: list[Slack]) -> list[Slack]:
    """The exact band reachability on its own; returns ``slacks`` with its own added."""
    return sorted(slacks + _check_reach(problem, bp, deadline), key=lambda s: s.ratio)


def _check_one_form(problem: Problem, bp: Blueprint) -> list[Slack]:
    b = problem.bank
    level = bp.level
    slacks = []
    ones = np.ones(len(b))
    for k, s in enumerate(bp.sections):
        have = int(round(one_per_group(problem, problem.section_of == k, ones)))
        label = f"{TYPE_LABELS[s.type]}（每题 {s.points} 分）"
        if have < s.count:
            raise Infeasible(
                f"{label}每套需要 {s.count} 道适用于{level}的试题，题库只有 {have} 道（缺 {s.count - have} 道）",
                constraint="type",
                details={"type": s.type, "points": s.points, "need": s.count, "have": have},
            )
        slacks.append(Slack((have - s.count) / s.count, f"{label}每套需要 {s.count} 道，可用 {have} 道"))
    for a, (area, target) in enumerate(zip(problem.areas, problem.targets, strict=True)):
        mask = problem.area_of == a
        have = int(round(one_per_group(problem, mask, b.points.astype(float))))
        if have < target:
            raise Infeasible(
                f"「{area}」每套需要 {target} 分适用于{level}的试题，题库只有 {have} 分（缺 {target - have} 分）",
                constraint="area",
                details={"area": area, "need": target, "have": have},
            )
        if not reachable(b.points[mask], target):
            values = sorted({int(p) for p in b.points[mask]})
            raise Infeasible(
                f"「{area}」需要恰好 {target} 分，但该领域可用试题的分值（{'、'.join(map(str, values))} 分）凑不出 {target} 分",
                constraint="area",
                details={"area": area, "need": target, "points": values},
            )
        if target:
            slacks.append(Slack((have - target) / target, f"「{area}」每套需要 {target} 分，可用 {have} 分"))
    return slacks


def _check_distinct(problem: Problem, bp: Blueprint) -> list[Slack]:
    """F × need − C(F,2) × shared ≤ have, for each section, each area (points) and the whole paper."""
    forms, limit = bp.forms, bp.overlap_limit
    if forms == 1:
        return []
    b = problem.bank
    level = bp.level
    pairs = forms * (forms - 1) // 2
    rule = f"{forms} 套试卷两两重复不超过 {limit} 道"
    slacks = []
    for k, s in enumerate(bp.sections):
        need = forms * s.count - min(limit, s.count) * pairs
        have = int((problem.section_of == k).sum())
        label = f"{TYPE_LABELS[s.type]}（每题 {s.points} 分）"
        if have < need:
            raise Infeasible(
                f"{label}：{rule}时至少需要 {forms} × {s.count} − {pairs} × {min(limit, s.count)} = {need} 道不同试题，"
                f"题库只有 {have} 道适用于{level}的（缺 {need - have} 道）",
                constraint="type",
                details={"type": s.type, "need": need, "have": have},
            )
        if need > 0:
            slacks.append(Slack((have - need) / need, f"{label}：{rule}时至少需要 {need} 道不同试题，可用 {have} 道"))
    max_points = max(s.points for s in bp.sections)
    for a, (area, target) in enumerate(zip(problem.areas, problem.targets, strict=True)):
        shared = min(limit * max_points, target)
        need = forms * target - shared * pairs
        have = int(b.points[problem.area_of == a].sum())
        if have < need:
            raise Infeasible(
                f"「{area}」：{rule}时至少需要 {forms} × {target} − {pairs} × {shared} = {need} 分不同的试题，"
                f"题库只有 {have} 分适用于{level}的（缺 {need - have} 分）",
                constraint="area",
                details={"area": area, "need": need, "have": have},
            )
        if need > 0:
            slacks.append(
                Slack((have - need) / need, f"「{area}」：{rule}时至少需要 {need} 分不同的试题，可用 {have} 分")
            )
    n_items = bp.items_per_form
    need = forms * n_items - pairs * limit
    have = len(b)
    if have < need:
        raise Infeasible(
            f"{rule}（重复比例 {bp.max_overlap:g} × {n_items} 题）时至少需要 {forms} × {n_items} − {pairs} × {limit} = "
            f"{need} 道不同试题，题库只有 {have} 道适用于{level}的（缺 {need - have} 道）：请补充试题、放宽重复比例或减少套数",
            constraint="overlap",
            details={"forms": forms, "limit": limit, "need": need, "have": have},
        )
    if need > 0:
        slacks.append(Slack((have - need) / need, f"{rule}时至少需要 {need} 道不同试题，可用 {have} 道"))
    return slacks


def _mean(total: int, bp: Blueprint, scale: int) -> Fraction:
    return Fraction(total, bp.items_per_form * scale)


def _band_text(bp: Blueprint) -> str:
    low, high = bp.difficulty
    return f"平均难度须在 {fmt_band(low)}–{fmt_band(high)} 之间"


def _check_band(problem: Problem, bp: Blueprint, deadline: float, reach: bool) -> list[Slack]:
    lo_sum, hi_sum = problem.band
    scale, n_items = problem.scale, bp.items_per_form
    step = int(np.gcd.reduce(problem.dint)) if len(problem.dint) else 1
    step = max(step, 1)
    first = -(-lo_sum // step) * step  # the smallest multiple of the step in the band
    if first > hi_sum:
        unit = Fraction(step, scale)
        raise Infeasible(
            f"{_band_text(bp)}，即 {n_items} 道题的难度之和须在 {float(decimal_of(bp.difficulty[0]) * n_items):g}–"
            f"{float(decimal_of(bp.difficulty[1]) * n_items):g} 之间；试题难度都是 {float(unit):g} 的整数倍，"
            f"其和只能取 {float(unit):g} 的整数倍，区间内没有这样的值：请放宽难度区间",
            constraint="difficulty",
            details={"min": bp.difficulty[0], "max": bp.difficulty[1], "step": float(unit), "reason": "precision"},
        )
    outer = sections_sum_range(problem, bp)
    if reach or outer[0] > hi_sum or outer[1] < lo_sum:
        return _check_reach(problem, bp, deadline, outer)
    return []


def sections_sum_range(problem: Problem, bp: Blueprint) -> tuple[int, int]:
    """Lowest and highest difficulty sum with the sections alone (each section's easiest or
    hardest items): a bound that costs a sort, exact only when the areas do not bind."""
    low = high = 0
    for k, s in enumerate(bp.sections):
        d = np.sort(problem.dint[problem.section_of == k])
        low += int(d[: s.count].sum())
        high += int(d[::-1][: s.count].sum())
    return low, high


def _check_reach(problem: Problem, bp: Blueprint, deadline: float, outer: tuple[int, int] | None = None) -> list[Slack]:
    lo_sum, hi_sum = problem.band
    scale, n_items = problem.scale, bp.items_per_form
    low, high = exact_sum_range(problem, bp, deadline)
    if low is None:  # not proven in time (or sections and areas conflict): the outer bound still holds
        if outer is None or not (outer[0] > hi_sum or outer[1] < lo_sum):
            return []
        low, high = outer
    reach = f"{float(_mean(low, bp, scale)):.4f}–{float(_mean(high, bp, scale)):.4f}"
    details = {
        "min": bp.difficulty[0],
        "max": bp.difficulty[1],
        "reachable": [round(float(_mean(low, bp, scale)), 4), round(float(_mean(high, bp, scale)), 4)],
    }
    if low > hi_sum or high < lo_sum:
        short = (low - hi_sum) if low > hi_sum else (lo_sum - high)
        gap = Fraction(short, n_items * scale)
        side = "最低" if low > hi_sum else "最高"
        raise Infeasible(
            f"{_band_text(bp)}，满足分值和题型要求的试卷平均难度只能在 {reach} 之间（{side}只能到 "
            f"{float(_mean(low if low > hi_sum else high, bp, scale)):.4f}，差 {float(gap):.4f}，"
            f"即 {n_items} 道题的难度之和差 {float(Fraction(short, scale)):g}）",
            constraint="difficulty",
            details={**details, "short": float(gap)},
        )
    if lo_sum <= low and high <= hi_sum:
        return []  # the band admits every reachable sum: it binds nothing
    admitted = (min(high, hi_sum) - max(low, lo_sum)) / max(high - low, 1)  # share of the reachable sums
    return [Slack(admitted, f"{_band_text(bp)}，一套试卷可达的平均难度为 {reach}")]


def exact_sum_range(problem: Problem, bp: Blueprint, deadline: float) -> tuple[int | None, int | None]:
    """The lowest and highest integer difficulty sum of one form meeting sections and areas, solved
    to optimality. Only each cell's ``count`` easiest (hardest) items can be in an optimum, so the
    model holds at most items-per-form × areas columns. (None, None) if not proven in time."""
    out = []
    for sign in (1, -1):
        keep = []
        for k, s in enumerate(bp.sections):
            for a in range(len(problem.areas)):
                cell = np.flatnonzero((problem.section_of == k) & (problem.area_of == a))
                order = np.argsort(sign * problem.dint[cell], kind="stable")
                keep.append(cell[order[: s.count]])
        pool = np.sort(np.concatenate(keep))
        model = Model(len(pool), len(pool))
        form_rows(problem, bp, pool, 0, Flags(difficulty=False, enemy=False), model)
        model.c = sign * problem.dint[pool].astype(float)
        budget = min(deadline, time.monotonic() + RANGE_SECONDS)
        x, status = run(model, budget, False, gap=0.0)
        if status == "infeasible":
            return None, None  # sections and areas cannot be met at all: the diagnosis names it
        if x is None or status != "ok":
            return None, None
        out.append(int(problem.dint[pool][x > 0.5].sum()))
    return out[0], out[1]


def tightest(slacks: list[Slack]) -> str:
    return slacks[0].text if slacks else ""
