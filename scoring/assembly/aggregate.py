"""An exact relaxation of several forms: how many forms hold each item, not which.

Why: on a bank where the band and the overlap limit together leave too few suitable items, one
form meets everything and the checks pass, yet the per-form models and the diagnosis (which relaxes
one family at a time) took 5–18 s to show that F forms cannot be assembled (bench/tight_banks.py,
kind one6). Summing every form's rows gives a model over z_i = the number of forms holding item i
that any solution must satisfy, with F + 1 values per item instead of F × items variables and no
symmetry between forms:

    Σ_{i ∈ section} z_i = F × count        Σ_{i ∈ area} points_i z_i = F × target
    F × lo ≤ Σ d_i z_i ≤ F × hi             Σ_{i ∈ enemy group} z_i ≤ F
    Σ_i C(z_i, 2) ≤ C(F, 2) × L             (each pair of forms shares at most L items)

z_i is written as Σ_k k u_ik with one-hot binaries u_ik (k = 1..F), so C(z_i, 2) is linear. A
relaxation: infeasible is a proof that no F forms exist; feasible proves nothing.
"""

from __future__ import annotations

import time

import numpy as np

from .models import Flags, Model, run
from .types import Blueprint, Infeasible, Problem, fmt_band

AGGREGATE_SECONDS = 2.0  # budget of each aggregated solve (measured: 0.01–0.3 s on ~230 items)


def forms_possible(problem: Problem, bp: Blueprint, forms: int, deadline: float, flags: Flags | None = None) -> str:
    """'infeasible' when the aggregated model proves ``forms`` forms impossible; else 'ok' (or
    'time' / 'other' when it was not settled in time)."""
    flags = flags or Flags()
    limit = bp.overlap_limit if flags.overlap else bp.items_per_form
    if len(problem.bank) == 0:
        return "infeasible"
    _, status = _solve(problem, bp, forms, deadline, flags, forms if limit > 0 else 1, None)  # L = 0: one form each
    return status


def pairs_possible(problem: Problem, bp: Blueprint, deadline: float) -> str:
    """The aggregated model with every row and no item in more than two forms (the restriction of
    the item-class, repair and guided stages, pairs.py): 'infeasible' proves that those stages
    cannot succeed — every solution needs an item in three forms or more — so solve.py goes
    straight to the per-form joint model. Measured on bench/tight_banks.py (one6): 0.01 s, where
    those stages spent 2.5–3.5 s failing before the joint model answered."""
    top = 2 if bp.overlap_limit > 0 else 1
    _, status = _solve(problem, bp, bp.forms, deadline, Flags(), top, None)
    return status


def usage_counts(problem: Problem, bp: Blueprint, rng: np.random.Generator, deadline: float) -> np.ndarray | None:
    """One solution of the aggregated model with no item in more than two forms (the item-class
    model's restriction, pairs.py), under a seeded random objective: per item, how many forms hold
    it. None when there is none in time. (Its support is the pool of solve.py's guided stage.)"""
    top = 2 if bp.overlap_limit > 0 else 1
    x, _ = _solve(problem, bp, bp.forms, deadline, Flags(), top, rng.random(len(problem.bank) * top))
    if x is None:
        return None
    return (x.reshape(len(problem.bank), top) > 0.5) @ np.arange(1, top + 1)


def _solve(problem: Problem, bp: Blueprint, forms: int, deadline: float, flags: Flags, top: int, c):
    """The aggregated model with z_i ≤ ``top``; returns (x or None, status)."""
    b = problem.bank
    n = len(b)
    limit = bp.overlap_limit if flags.overlap else bp.items_per_form
    ks = np.arange(1, top + 1)
    model = Model(n * top, n * top)  # column i * top + (k − 1): item i in exactly k forms

    def cols_of(items: np.ndarray) -> np.ndarray:
        return (items[:, None] * top + (ks - 1)[None, :]).ravel()

    def times(items: np.ndarray, weight: np.ndarray) -> np.ndarray:
        return (np.asarray(weight, dtype=float)[:, None] * ks[None, :]).ravel()

    ar = np.arange(n)
    rr = len(model.lbs) + np.repeat(ar, top)  # one value per item
    model.rows.append((rr, np.arange(n * top), np.ones(n * top)))
    model.lbs.extend([0] * n)
    model.ubs.extend([1] * n)
    for k, s in enumerate(bp.sections):
        items = np.flatnonzero(problem.section_of == k)
        model.add(cols_of(items), times(items, np.ones(len(items))), forms * s.count, forms * s.count)
    for a, target in enumerate(problem.targets):
        items = np.flatnonzero(problem.area_of == a)
        model.add(cols_of(items), times(items, b.points[items]), forms * target, forms * target)
    if flags.enemy:
        for members in problem.enemy_groups:
            model.add(cols_of(members), times(members, np.ones(len(members))), 0, forms)
    if flags.difficulty:
        lo, hi = problem.band
        model.add(cols_of(ar), times(ar, problem.dint), forms * lo, forms * hi)
    if top > 1 and limit < bp.items_per_form:
        pairs_of = np.tile(ks * (ks - 1) / 2, n)
        model.add(np.arange(n * top), pairs_of, 0, forms * (forms - 1) // 2 * limit)
    model.c = np.zeros(n * top) if c is None else c
    return run(model, deadline, False)


def check_forms(problem: Problem, bp: Blueprint, deadline: float) -> None:
    """Raise :class:`Infeasible` (constraint ``overlap``) when the aggregated model proves that the
    bank cannot give ``bp.forms`` forms; naming whether the overlap limit alone is the cause or the
    overlap limit together with the band (one form meeting the band may still exist). Nothing when
    it is feasible or not settled within AGGREGATE_SECONDS."""
    if bp.forms < 2:
        return
    budget = lambda: min(deadline, time.monotonic() + AGGREGATE_SECONDS)  # noqa: E731
    if forms_possible(problem, bp, bp.forms, budget()) != "infeasible":
        return
    banded = forms_possible(problem, bp, bp.forms, budget(), Flags(difficulty=False)) != "infeasible"
    at_most = 1  # "possible": an upper bound here, the most forms the same relaxation allows
    for forms in range(bp.forms - 1, 1, -1):
        if forms_possible(problem, bp, forms, budget()) != "infeasible":
            at_most = forms
            break
    limit = bp.overlap_limit
    rule = f"{bp.forms} 套试卷两两重复不超过 {limit} 道（max_overlap {bp.max_overlap:g} × {bp.items_per_form} 题）"
    low, high = bp.difficulty
    why = (
        f"在平均难度 {fmt_band(low) if low == high else fmt_band(low) + '–' + fmt_band(high)} "
        "的要求下，难度合适的试题不够分给各套"
        if banded
        else "各题型、各领域的试题不够分给各套"
    )
    raise Infeasible(
        f"{rule}无法满足：{why}，适用于{bp.level}的试题至多只够组 {at_most} 套（差 {bp.forms - at_most} 套；"
        "按每道题进入几套试卷计算），请放宽重叠比例或难度区间、减少套数或补充试题",
        constraint="overlap",
        details={"forms": bp.forms, "limit": limit, "possible": at_most, "with_difficulty": banded},
    )
