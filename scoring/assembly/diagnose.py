"""Naming what cannot be met: after an infeasible whole-bank solve, constraint families are relaxed
one at a time; after a time-out, nothing is claimed impossible and the tightest family is named."""

from __future__ import annotations

import time

import numpy as np

from .checks import Slack, tightest
from .models import Flags, Model, form_rows, run, solve_direct, stream
from .types import TYPE_LABELS, AssemblyError, Blueprint, Infeasible, Problem, TimeLimitExceeded, fmt_band


def time_out(time_limit: float, slacks: list[Slack] | str) -> TimeLimitExceeded:
    """Honest: nothing is known to be impossible; the tightest constraint is only the likely cause."""
    cause = slacks if isinstance(slacks, str) else tightest(slacks)
    likely = f"最紧的约束可能是：{cause}。" if cause else ""
    return TimeLimitExceeded(
        f"在 {time_limit:g} 秒内既未组成满足全部约束的试卷，也未能证明无法组成：约束未必无法满足。"
        f"{likely}可延长时间限制或换一个随机种子重试",
        constraint="time_limit",
        details={"likely": cause} if cause else {},
    )


def diagnose(
    problem: Problem, bp: Blueprint, seed: int, deadline: float, presolve: bool, slacks: list[Slack]
) -> AssemblyError:
    """Relax constraint families one at a time on the whole filtered bank to name the culprit."""

    def feasible(flags: Flags, forms: int) -> bool:
        found, status, _ = solve_direct(problem, bp, stream(seed, 9), deadline, presolve, flags, forms)
        if found is None and status != "infeasible":
            raise time_out(deadline - time.monotonic(), slacks)
        return found is not None

    level = bp.level
    if not feasible(Flags(difficulty=False, enemy=False, overlap=False), 1):
        return _diagnose_structure(problem, bp)
    if not feasible(Flags(difficulty=False, enemy=True, overlap=False), 1):
        return Infeasible(
            f"互斥组（enemy_group）限制下，适用于{level}的试题无法同时满足各领域分值和题型题量："
            f"共有 {len(problem.enemy_groups)} 个互斥组，请补充不属于同一互斥组的试题",
            constraint="enemy_group",
            details={"groups": len(problem.enemy_groups)},
        )
    if not feasible(Flags(difficulty=True, enemy=True, overlap=False), 1):
        low, high = _difficulty_range(problem, bp, deadline, presolve)
        dmin, dmax = bp.difficulty
        gap = (dmin - high) if high < dmin else (low - dmax)
        return Infeasible(
            f"平均难度须在 {fmt_band(dmin)}–{fmt_band(dmax)} 之间，满足分值、题型和互斥组要求的试卷平均难度只能在 "
            f"{low:.4f}–{high:.4f} 之间（差 {max(gap, 0):.4f}）",
            constraint="difficulty",
            details={"min": dmin, "max": dmax, "reachable": [round(low, 4), round(high, 4)]},
        )
    limit = bp.overlap_limit
    possible = 1
    for forms in range(2, bp.forms):
        if not feasible(Flags(), forms):
            break
        possible = forms
    return Infeasible(
        f"{bp.forms} 套试卷两两重复不超过 {limit} 道（max_overlap {bp.max_overlap:g} × {bp.items_per_form} 题）无法满足："
        f"适用于{level}的试题只够组 {possible} 套，请放宽重叠比例或补充试题",
        constraint="overlap",
        details={"forms": bp.forms, "possible": possible, "limit": limit},
    )


def _diagnose_structure(problem: Problem, bp: Blueprint) -> Infeasible:
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


def _difficulty_range(problem: Problem, bp: Blueprint, deadline: float, presolve: bool) -> tuple[float, float]:
    """Lowest and highest mean difficulty of one form meeting sections, areas and enemy groups,
    solved to optimality (gap 0) on the whole bank."""
    pool = np.arange(len(problem.bank))
    out = []
    for sign in (1.0, -1.0):
        model = Model(len(pool), len(pool))
        form_rows(problem, bp, pool, 0, Flags(difficulty=False), model)
        model.c = sign * problem.dint.astype(float)
        x, _ = run(model, deadline, presolve, gap=0.0)
        out.append(float(problem.bank.difficulty[x > 0.5].mean()) if x is not None else float("nan"))
    return out[0], out[1]
