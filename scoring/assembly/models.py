"""The 0/1 models of 组卷 and the engine that solves them.

One form's rows: a count per section, exact points per area, at most one item per enemy group,
and the band on the integer sum of difficulties (Problem.dint / Problem.band). Several forms:
either one at a time (partitioned pool, sequential) or jointly, where y[f<g, i] ≥ x[f,i] + x[g,i] − 1
counts the items two forms share.

Every model here is a feasibility model: the objective (usage counts + a seeded perturbation) is
only a tie-breaker, so each solve stops at the first feasible solution (HiGHS ``mip_rel_gap`` = 1:
with a non-negative objective the gap of any incumbent is at most 100 %). Where the seed enters:
the perturbation, the pool draw, and on the joint model a seeded order of the columns (HiGHS's
heuristics follow the column order, so the seed changes the paper even when the objective plays
no part).

Engine: HiGHS through ``scipy.optimize.milp``, for the pool models and the whole-bank model alike.
OR-Tools CP-SAT was measured as a second engine on the same instances (bench/tight_banks.py
``--direct cpsat``; scoring/assembly/cpsat.py translates these models): with the union cut below,
HiGHS solved every planted instance CP-SAT solved and more, faster (README 组卷), so the app runs
HiGHS only and ENGINES holds CP-SAT only when the benchmark registers it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from .types import Blueprint, Problem

FIRST_FEASIBLE = 1.0  # mip_rel_gap: any feasible paper will do, the objective only breaks ties
USAGE_GAP = 0.2  # where usage counts differ the objective is a real preference (less-used items)
POOL_NODES = 500  # a pool model that needs more branch-and-bound nodes than this is given up
DIRECT_ENGINES = ("highs",)  # engines of the whole-bank model, in order (bench --direct changes it)
DIRECT_SYMMETRY = False  # symmetry breaking between forms: measured slower on both engines (README)
DIRECT_NODES = 20000  # with a second engine, HiGHS's share is bounded by work ...
DIRECT_SECONDS = 6.0  # ... and by time (half of what is left, at most this); the next takes the rest


def stream(seed: int, *stage: int) -> np.random.Generator:
    """One independent seeded stream per stage: the same seed, the same stream, whatever ran before."""
    return np.random.default_rng([seed, *stage])


@dataclass
class Flags:
    """Constraint families switched on (the diagnosis relaxes them one at a time)."""

    difficulty: bool = True
    enemy: bool = True
    overlap: bool = True


@dataclass
class Model:
    """A 0/1 model: rows as (row indices, column indices, values) triplets with bounds."""

    n_binary: int
    n_vars: int = 0
    rows: list = field(default_factory=list)
    lbs: list = field(default_factory=list)
    ubs: list = field(default_factory=list)
    c: np.ndarray | None = None

    def add(self, cols: np.ndarray, values: np.ndarray, lb: float, ub: float) -> None:
        self.rows.append((np.full(len(cols), len(self.lbs)), np.asarray(cols), np.asarray(values, dtype=float)))
        self.lbs.append(lb)
        self.ubs.append(ub)

    def matrix(self):
        if self.rows:
            r, cidx, v = (np.concatenate([x[k] for x in self.rows]) for k in range(3))
        else:
            r = cidx = v = np.zeros(0)
        return coo_array((v, (r, cidx)), shape=(len(self.lbs), self.n_vars)).tocsr()


def form_rows(problem: Problem, bp: Blueprint, pool: np.ndarray, offset: int, flags: Flags, model: Model) -> None:
    """Add the rows of one form whose variables start at ``offset`` (one per pool item)."""
    b = problem.bank
    for k, s in enumerate(bp.sections):
        cols = np.flatnonzero(problem.section_of[pool] == k)
        model.add(offset + cols, np.ones(len(cols)), s.count, s.count)
    for a, target in enumerate(problem.targets):
        cols = np.flatnonzero(problem.area_of[pool] == a)
        model.add(offset + cols, b.points[pool][cols], target, target)
    if flags.enemy and problem.enemy_groups:
        position = np.full(len(b), -1, dtype=np.int64)
        position[pool] = np.arange(len(pool))
        for members in problem.enemy_groups:
            cols = position[members]
            cols = cols[cols >= 0]
            if len(cols) > 1:
                model.add(offset + cols, np.ones(len(cols)), 0, 1)
    if flags.difficulty:
        model.add(offset + np.arange(len(pool)), problem.dint[pool], *problem.band)


def objective(problem: Problem, pool: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Less-used items first (usage count), ties broken by the seed — a light objective."""
    return problem.bank.usage[pool].astype(float) + rng.random(len(pool))


def gap_for(problem: Problem, pool: np.ndarray) -> float:
    """First feasible where the objective only breaks ties (every usage count alike); where usage
    differs, a 20 % gap so that less-used items are preferred — still bounded by a node limit, and
    the best paper found is taken when the limit is reached."""
    usage = problem.bank.usage[pool]
    return USAGE_GAP if len(usage) and usage.min() != usage.max() else FIRST_FEASIBLE


# ---------------------------------------------------------------------------------------------
# Engines


def run(
    model: Model, deadline: float, presolve: bool, *, engine: str = "highs", seed: int = 0, gap=FIRST_FEASIBLE,
    node_limit: int | None = None,
):  # fmt: skip
    """Solve; returns (x or None, status) with status ok / infeasible / time / other. ``node_limit``
    bounds a HiGHS solve by work instead of time, so that whether it gives up does not depend on the
    machine's load (and the same seed gives the same papers)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0.01:
        return None, "time"
    if engine != "highs":
        return ENGINES[engine](model, remaining, seed)
    integrality = np.zeros(model.n_vars)
    integrality[: model.n_binary] = 1
    res = milp(
        model.c,
        integrality=integrality,
        bounds=Bounds(np.zeros(model.n_vars), np.ones(model.n_vars)),
        constraints=LinearConstraint(model.matrix(), np.asarray(model.lbs, float), np.asarray(model.ubs, float)),
        options={"time_limit": max(remaining, 0.05), "presolve": presolve, "mip_rel_gap": gap}
        | ({"node_limit": node_limit} if node_limit else {}),
    )
    if res.x is not None and res.status in (0, 1):  # optimal, or the best paper when the work ran out
        return res.x, "ok" if res.status == 0 or gap > 0 else "time"
    if res.status == 2:
        return None, "infeasible"
    if res.status == 1:
        return None, "time"
    return None, "other"


# ---------------------------------------------------------------------------------------------
# Forms from a pool


def solve_partitioned(problem, bp, pool, rng, deadline, presolve):
    """Deal the pool's items cell by cell (least-used first, seeded ties) into one part per form and
    solve each form on its own part: small independent models, and forms that share nothing.
    Returns (forms as bank indices, or None, status)."""
    if bp.forms == 1:
        return None, "infeasible"
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
        model = Model(len(sub), len(sub))
        form_rows(problem, bp, sub, 0, Flags(), model)
        model.c = objective(problem, sub, rng)
        x, status = run(model, deadline, presolve, gap=gap_for(problem, sub), node_limit=POOL_NODES)
        if x is None:
            return None, status
        chosen.append(sub[x > 0.5])
    return chosen, "ok"


def solve_sequential(problem, bp, pool, rng, deadline, presolve):
    """One form at a time on the pool; each new form shares at most the limit with every earlier one
    (and is steered away from items already used). Returns (forms or None, status)."""
    chosen: list[np.ndarray] = []
    reuse = np.zeros(len(problem.bank))
    limit = bp.overlap_limit
    for _ in range(bp.forms):
        model = Model(len(pool), len(pool))
        form_rows(problem, bp, pool, 0, Flags(), model)
        if limit < bp.items_per_form:
            position = np.full(len(problem.bank), -1, dtype=np.int64)
            position[pool] = np.arange(len(pool))
            for earlier in chosen:
                model.add(position[earlier], np.ones(len(earlier)), 0, limit)
        model.c = objective(problem, pool, rng) + 2.0 * reuse[pool]
        x, status = run(model, deadline, presolve, gap=gap_for(problem, pool), node_limit=POOL_NODES)
        if x is None:
            return None, status
        picked = pool[x > 0.5]
        chosen.append(picked)
        reuse[picked] += 1
    return chosen, "ok"


def solve_joint(
    problem, bp, pool, rng, deadline, presolve, flags: Flags | None = None, forms: int | None = None, **options
):
    """All forms in one model. ``symmetry``: form f's weighted index sum ≤ form f+1's (any solution
    can be renumbered so, which spares the solver the forms! copies of every partial solution).
    ``engine``: highs or cpsat. The columns are put in a seeded order. Returns (forms or None, status)."""
    flags = flags or Flags()
    forms = forms or bp.forms
    engine = options.get("engine", "highs")
    pool = rng.permutation(pool)
    n = len(pool)
    limit = bp.overlap_limit
    model = Model(forms * n)
    model.n_vars = forms * n
    for f in range(forms):
        form_rows(problem, bp, pool, f * n, flags, model)
    pairs = list(combinations(range(forms), 2))
    ar = np.arange(n)
    if flags.overlap and forms > 1 and limit < bp.items_per_form:
        if limit == 0:
            rows = np.repeat(np.arange(n), forms) + len(model.lbs)
            cols = (np.tile(np.arange(forms), n) * n) + np.repeat(ar, forms)
            model.rows.append((rows, cols, np.ones(len(cols))))
            model.lbs.extend([0] * n)
            model.ubs.extend([1] * n)
        else:
            for f, g in pairs:
                y0 = model.n_vars
                model.n_vars += n
                rr = len(model.lbs) + ar  # x_f,i + x_g,i − y_fg,i ≤ 1, one row per item
                model.rows.append(
                    (np.concatenate([rr, rr, rr]), np.concatenate([f * n + ar, g * n + ar, y0 + ar]),
                     np.concatenate([np.ones(n), np.ones(n), -np.ones(n)]))
                )  # fmt: skip
                model.lbs.extend([-np.inf] * n)
                model.ubs.extend([1] * n)
                model.add(y0 + ar, np.ones(n), 0, limit)
            if forms > 2 and options.get("union_cut", True):
                # per item: Σ_f x_f,i − Σ_{f<g} y_fg,i ≤ 1 (k forms holding it give k − C(k,2) ≤ 1):
                # valid for every solution, and it shows the relaxation the distinct-items bound
                first_y = forms * n
                rr = len(model.lbs) + ar
                cols = [f * n + ar for f in range(forms)] + [first_y + p * n + ar for p in range(len(pairs))]
                values = [np.ones(n)] * forms + [-np.ones(n)] * len(pairs)
                model.rows.append((np.tile(rr, forms + len(pairs)), np.concatenate(cols), np.concatenate(values)))
                model.lbs.extend([-np.inf] * n)
                model.ubs.extend([1] * n)
    if options.get("symmetry") and forms > 1:
        weight = problem.dint[pool] + 1.0  # any fixed weights will do; difficulty spreads them
        for f in range(forms - 1):
            model.add(np.concatenate([f * n + ar, (f + 1) * n + ar]), np.concatenate([weight, -weight]), -np.inf, 0)
    model.c = np.concatenate(
        [objective(problem, pool, rng) for _ in range(forms)] + [np.zeros(model.n_vars - model.n_binary)]
    )
    seed = int(rng.integers(0, 2**31 - 1))
    node_limit = options.get("node_limit")
    gap = gap_for(problem, pool) if node_limit else FIRST_FEASIBLE  # a gap only where work is bounded
    x, status = run(model, deadline, presolve, engine=engine, seed=seed, gap=gap, node_limit=node_limit)
    if x is None:
        return None, status
    return [pool[x[f * n : (f + 1) * n] > 0.5] for f in range(forms)], "ok"


ENGINES: dict = {}  # other engines by name: (model, seconds, seed) -> (x or None, status)


def solve_direct(problem, bp, rng, deadline, presolve, flags: Flags | None = None, forms: int | None = None):
    """The whole filtered bank in one joint model, on HiGHS with all the time left: deterministic,
    the same seed gives the same paper (or a time-out). Where usage counts differ, a first pass
    prefers less-used items (gap, bounded by DIRECT_NODES; its best paper is taken) and the
    first-feasible pass follows only if it found none. With a second engine registered (the
    benchmark), HiGHS is bounded by nodes and half the time, at most DIRECT_SECONDS, and the next
    engine takes the rest. Returns (forms or None, status, engine)."""
    whole = np.arange(len(problem.bank))
    plans = []  # (engine, share of the time left or None for all of it, options)
    if len(DIRECT_ENGINES) > 1:
        plans.append(("highs", DIRECT_SECONDS, {"node_limit": DIRECT_NODES}))
        plans += [(engine, None, {}) for engine in DIRECT_ENGINES[1:]]
    else:
        if gap_for(problem, whole) < FIRST_FEASIBLE:
            plans.append(("highs", None, {"node_limit": DIRECT_NODES}))
        plans.append(("highs", None, {}))
    found, status, engine = None, "time", "highs"
    for engine, cap, options in plans:
        left = deadline - time.monotonic()
        budget = deadline if cap is None else time.monotonic() + min(cap, 0.5 * left)
        found, status = solve_joint(
            problem, bp, whole, rng, budget, presolve, flags, forms, engine=engine, symmetry=DIRECT_SYMMETRY, **options
        )
        if found is not None or status == "infeasible" or time.monotonic() >= deadline:
            break
    return found, status, engine


# ---------------------------------------------------------------------------------------------
# Pools


def draw_pool(problem: Problem, bp: Blueprint, factor: float, rng: np.random.Generator) -> np.ndarray:
    """A seeded candidate pool: per area × section cell, ``factor`` × forms × the cell's expected
    need (+4). Half of each cell's share is the least-used items (ties in seeded random order), the
    other half the items closest to the band's middle: a band in the tail of the bank's
    difficulties is then reachable on the pool, instead of every pool being infeasible."""
    n = len(problem.bank)
    order_key = rng.random(n)
    total = bp.total_points
    middle = (problem.band[0] + problem.band[1]) / 2 / bp.items_per_form
    closeness = np.abs(problem.dint - middle)
    picked = []
    for k, s in enumerate(bp.sections):
        for a, target in enumerate(problem.targets):
            cell = np.flatnonzero((problem.section_of == k) & (problem.area_of == a))
            if not len(cell):
                continue
            size = int(math.ceil(factor * bp.forms * s.count * target / total)) + 4
            if size >= len(cell):
                picked.append(cell)
                continue
            by_usage = cell[np.lexsort((order_key[cell], problem.bank.usage[cell]))]
            by_band = cell[np.lexsort((order_key[cell], closeness[cell]))]
            half = (size + 1) // 2
            chosen = np.unique(np.concatenate([by_usage[:half], by_band[: size - half]]))
            if len(chosen) < size:  # the halves overlapped: top up from the least-used
                rest = by_usage[~np.isin(by_usage, chosen)]
                chosen = np.concatenate([chosen, rest[: size - len(chosen)]])
            picked.append(chosen)
    return np.sort(np.concatenate(picked)) if picked else np.zeros(0, dtype=np.int64)
