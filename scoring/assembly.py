"""Theory-paper assembly (组卷) as 0/1 models solved by HiGHS (scipy.optimize.milp).

Pure: plain columns in, plain data out; no Flask, no database. Why a model and not random draws:
a national assessment needs each paper's points per area to equal the standard's weight table
(4.1 理论知识权重表) exactly, for several parallel forms at once.

How (../shared/design.md, "solving the assembly MILP with HiGHS"; issue 14 for tight banks):

1. Filter first (assembly_types.filter_bank): only items whose level is at or below the paper's
   (3 工作要求: 高级别涵盖低级别的要求), whose area is a row of that level's table and whose
   (type, points) matches a section. Difficulties become integers at their own precision.
2. Exact necessary conditions before any solve (assembly_checks): capacities per section and area,
   the distinct items several forms need (whole paper, section, area), the band at the items'
   precision and its exact reachability. Each failure names the constraint and the exact shortfall.
3. A large bank: seeded candidate pools (a few times what each cell needs, half least-used, half
   near the band); per pool the forms on disjoint parts, then one at a time (twice, the second on a
   fresh pool), then jointly; the pool stages are bounded by work (nodes), not time.
4. A small bank (at most TIGHT_FACTOR × what the forms need), or when the pools give up: one form
   at a time on the whole bank (four seeded orders), then the whole bank in one joint model on
   HiGHS (assembly_models on the engine and the cut that makes it fast).
5. Infeasible on the whole bank: relax one family at a time to name the one that cannot be met.
   Out of time: say so, without claiming that anything must be relaxed, and name the tightest
   constraint as the likely cause.
6. Every solve runs in a forked worker process that is terminated when it overruns (HiGHS has been
   seen to ignore its time limit).
"""

from __future__ import annotations

import multiprocessing
import time
from itertools import combinations

import numpy as np

from .assembly_checks import Slack, check_capacities, check_reach, tightest
from .assembly_models import (
    Flags,
    Model,
    draw_pool,
    form_rows,
    run,
    solve_direct,
    solve_joint,
    solve_partitioned,
    solve_sequential,
)
from .assembly_types import (
    EPS,
    TYPE_LABELS,
    TYPES,
    AssemblyError,
    Bank,
    Blueprint,
    Form,
    Infeasible,
    Problem,
    Result,
    Section,
    TimeLimitExceeded,
    filter_bank,
    fmt_band,
    validate_blueprint,
)

__all__ = [
    "EPS", "TYPES", "TYPE_LABELS", "AssemblyError", "Bank", "Blueprint", "Form", "Infeasible", "Result", "Section",
    "TimeLimitExceeded", "assemble", "filter_bank", "validate_blueprint",
]  # fmt: skip

DEFAULT_TIME_LIMIT = 60.0
GRACE_SECONDS = 1.0  # the hard guard kills the worker this long after the solver's own limit
POOL_FACTORS = (2.0, 4.0)
TIGHT_FACTOR = 3.0  # usable items ≤ 3 × forms × items per form: the whole bank is the pool
SEQUENTIAL_TRIES = 4  # one-form-at-a-time attempts on the whole bank before the joint model


def _rng(seed: int, *stage: int) -> np.random.Generator:
    """One independent seeded stream per stage: the same seed, the same stream, whatever ran before."""
    return np.random.default_rng([seed, *stage])


def _solve_pools(problem: Problem, bp: Blueprint, seed: int, deadline: float, presolve: bool, stats: dict):
    """The pool stages for a large bank; None when they give up (infeasible or out of work)."""
    for r, factor in enumerate(POOL_FACTORS):
        pool = draw_pool(problem, bp, factor, _rng(seed, r, 0))
        if len(pool) == len(problem.bank):
            return None  # the pool is the whole bank: the direct model does that better
        for mode in ("partitioned", "sequential", "sequential-fresh", "joint"):
            if bp.forms == 1 and mode != "sequential":
                continue
            if mode == "partitioned":
                forms, _ = solve_partitioned(problem, bp, pool, _rng(seed, r, 1), deadline, presolve)
            elif mode == "sequential":
                forms, _ = solve_sequential(problem, bp, pool, _rng(seed, r, 2), deadline, presolve)
            elif mode == "sequential-fresh":  # a retry on another pool, in another order
                fresh = draw_pool(problem, bp, factor, _rng(seed, r, 3))
                forms, _ = solve_sequential(problem, bp, fresh, _rng(seed, r, 4), deadline, presolve)
            else:
                forms, _ = solve_joint(problem, bp, pool, _rng(seed, r, 5), deadline, presolve, node_limit=2000)
            stats["rounds"].append({"pool": len(pool), "mode": mode, "ok": forms is not None})
            if forms is not None:
                return forms
            if time.monotonic() >= deadline:
                return None
    return None


def _solve_whole_sequential(problem: Problem, bp: Blueprint, seed: int, deadline: float, presolve: bool, stats):
    """One form at a time on the whole bank, in SEQUENTIAL_TRIES seeded orders: single-form models
    answer in milliseconds, and measured on bench/tight_banks.py this settles most tight banks
    before the joint model is needed (which then takes seconds)."""
    whole = np.arange(len(problem.bank))
    for attempt in range(SEQUENTIAL_TRIES if bp.forms > 1 else 0):
        forms, _ = solve_sequential(problem, bp, whole, _rng(seed, 8, attempt), deadline, presolve)
        stats["rounds"].append({"pool": len(whole), "mode": "whole-sequential", "ok": forms is not None})
        if forms is not None or time.monotonic() >= deadline:
            return forms
    return None


def _assemble_inline(bank: Bank, bp: Blueprint, seed: int, time_limit: float, presolve: bool, note=None) -> Result:
    started = time.monotonic()
    deadline = started + time_limit
    validate_blueprint(bp)
    problem = filter_bank(bank, bp)
    tight = len(problem.bank) <= TIGHT_FACTOR * bp.forms * bp.items_per_form
    slacks = check_capacities(problem, bp, deadline, reach=tight)
    if note is not None:
        note(tightest(slacks))
    stats: dict = {"usable": len(problem.bank), "rounds": []}
    forms = None if tight else _solve_pools(problem, bp, seed, deadline, presolve, stats)
    if forms is None:
        if not tight:
            slacks = check_reach(problem, bp, deadline, slacks)
            if note is not None:
                note(tightest(slacks))
        forms = _solve_whole_sequential(problem, bp, seed, deadline, presolve, stats)
    if forms is None:
        forms, status, engine = solve_direct(problem, bp, _rng(seed, 9), deadline, presolve)
        stats["rounds"].append({"pool": len(problem.bank), "mode": f"direct-{engine}", "ok": forms is not None})
        if forms is None:
            if status == "infeasible":
                raise diagnose(problem, bp, seed, deadline, presolve, slacks)
            raise time_out(time_limit, slacks)
    verify(problem, bp, forms)
    stats["seconds"] = time.monotonic() - started
    return Result([_describe(problem, bp, f) for f in forms], stats)


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


# ---------------------------------------------------------------------------------------------
# Diagnosis after an infeasible solve


def diagnose(
    problem: Problem, bp: Blueprint, seed: int, deadline: float, presolve: bool, slacks: list[Slack]
) -> AssemblyError:
    """Relax constraint families one at a time on the whole filtered bank to name the culprit."""

    def feasible(flags: Flags, forms: int) -> bool:
        found, status, _ = solve_direct(problem, bp, _rng(seed, 9), deadline, presolve, flags, forms)
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


# ---------------------------------------------------------------------------------------------
# The answer


def _describe(problem: Problem, bp: Blueprint, chosen: np.ndarray) -> Form:
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


def verify(problem: Problem, bp: Blueprint, forms: list[np.ndarray]) -> None:
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


# ---------------------------------------------------------------------------------------------
# The guarded entry point


def _worker(conn, bank, bp, seed, time_limit, presolve) -> None:
    try:
        note = lambda text: conn.send(("note", text))  # noqa: E731 — the likely cause, should it time out
        conn.send(("ok", _assemble_inline(bank, bp, seed, time_limit, presolve, note)))
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
    small pool models it costs more than it saves (bench/assembly.py), and it has hung on large
    ones. Without fork (or ``guard=False``) the solve runs in-process with only the solvers' limits.
    Raises :class:`Infeasible` naming the constraint, :class:`TimeLimitExceeded` when out of time.
    """
    if not guard or "fork" not in multiprocessing.get_all_start_methods():
        return _assemble_inline(bank, blueprint, seed, time_limit, presolve)
    multiprocessing.active_children()  # reap workers of earlier calls that have exited by now
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_worker, args=(sender, bank, blueprint, seed, time_limit, presolve), daemon=True)
    process.start()
    sender.close()
    kind, payload, likely = "crash", "worker exited without a result", ""
    deadline = time.monotonic() + time_limit + GRACE_SECONDS
    try:
        while True:
            if not receiver.poll(max(deadline - time.monotonic(), 0)):
                raise time_out(time_limit, likely)
            kind, payload = receiver.recv()
            if kind != "note":
                break
            likely, kind = payload, "crash"
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
