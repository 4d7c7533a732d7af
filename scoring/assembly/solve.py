"""The entry point of 组卷: filter, check, solve in stages, verify, all in a guarded worker process
(the stages are described in scoring/assembly/__init__.py)."""

from __future__ import annotations

import multiprocessing
import os
import time
from itertools import combinations

import numpy as np

from .aggregate import AGGREGATE_SECONDS, check_forms, pairs_possible, usage_counts
from .checks import check_capacities, check_reach, tightest
from .diagnose import diagnose, time_out
from .models import draw_pool, solve_direct, solve_joint, solve_partitioned, solve_sequential, stream
from .pairs import solve_classes
from .repair import solve_structure_then_band
from .types import (
    AssemblyError,
    Bank,
    Blueprint,
    Form,
    Infeasible,
    Problem,
    Result,
    TimeLimitExceeded,
    filter_bank,
    validate_blueprint,
)

DEFAULT_TIME_LIMIT = 60.0
GRACE_SECONDS = 1.0  # the hard guard kills the worker this long after the solver's own limit
POOL_FACTORS = (2.0, 4.0)
TIGHT_FACTOR = 3.0  # usable items ≤ 3 × forms × items per form: the whole bank is the pool
REPAIR_SHARE = 0.5  # of the time left, at most, for each structure-then-band attempt (repair.py)
CLASSES_SHARE = 0.6  # of the time left, for the item-class model before the per-form joint model
SEQUENTIAL_TRIES = 4  # one-form-at-a-time attempts on the whole bank before the joint model
GUIDED_TRIES = 3  # aggregated solutions tried as pools by the guided stage
GUIDED_SECONDS = 3.0  # each guided try at most (where one succeeds: measured 0.4–2.7 s)
COARSE_VALUES = 12  # at most this many distinct difficulties: guided tries first (portfolio)
NARROW_SECONDS = 3.5  # each narrow repair attempt at most (where one succeeds: measured 2–3 s)


def _solve_pools(problem: Problem, bp: Blueprint, seed: int, deadline: float, presolve: bool, stats: dict):
    """The pool stages for a large bank; None when they give up (infeasible or out of work)."""
    for r, factor in enumerate(POOL_FACTORS):
        pool = draw_pool(problem, bp, factor, stream(seed, r, 0))
        if len(pool) == len(problem.bank):
            return None  # the pool is the whole bank: the direct model does that better
        for mode in ("partitioned", "sequential", "sequential-fresh", "joint"):
            if bp.forms == 1 and mode != "sequential":
                continue
            if mode == "partitioned":
                forms, _ = solve_partitioned(problem, bp, pool, stream(seed, r, 1), deadline, presolve)
            elif mode == "sequential":
                forms, _ = solve_sequential(problem, bp, pool, stream(seed, r, 2), deadline, presolve)
            elif mode == "sequential-fresh":  # a retry on another pool, in another order
                fresh = draw_pool(problem, bp, factor, stream(seed, r, 3))
                forms, _ = solve_sequential(problem, bp, fresh, stream(seed, r, 4), deadline, presolve)
            else:
                forms, _ = solve_joint(problem, bp, pool, stream(seed, r, 5), deadline, presolve, node_limit=2000)
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
        forms, _ = solve_sequential(problem, bp, whole, stream(seed, 8, attempt), deadline, presolve)
        stats["rounds"].append({"pool": len(whole), "mode": "whole-sequential", "ok": forms is not None})
        if forms is not None or time.monotonic() >= deadline:
            return forms
    return None


def _solve_whole_classes(problem: Problem, bp: Blueprint, seed: int, deadline: float, presolve: bool, stats):
    """Three forms or more that may share items: the whole bank by item classes (pairs.py), with
    CLASSES_SHARE of the time left; measured on bench/tight_banks.py it settles the tightest
    zero-width banks that the per-form joint model did not settle in a minute. None when it gives up
    (or, a restriction, finds none): the per-form joint model then takes the rest."""
    budget = time.monotonic() + CLASSES_SHARE * (deadline - time.monotonic())
    whole = np.arange(len(problem.bank))
    forms, _ = solve_classes(problem, bp, whole, stream(seed, 10), budget, presolve)
    stats["rounds"].append({"pool": len(whole), "mode": "direct-classes", "ok": forms is not None})
    return forms


def _guided_try(problem: Problem, bp: Blueprint, seed: int, attempt: int, deadline: float, presolve: bool, stats):
    """One try of the guided stage: a seeded solution of the aggregated model (aggregate.usage_counts:
    how many forms hold each item, every form's rows summed, the band included) names the items to
    use — about F × n − C(F,2) × L of them — and the item-class model (pairs.py) with every row, the
    band's equalities included, deals them to the forms. Measured on bench/tight_banks.py (one6):
    where it succeeds, 0.4–2.7 s; where the support is too narrow, it fails in 0.1 s or searches
    until its cap. A heuristic: a try that fails proves nothing."""
    counts = usage_counts(problem, bp, stream(seed, 13, attempt), deadline)
    if counts is None:
        return None
    pool = np.flatnonzero(counts > 0)
    forms, _ = solve_classes(problem, bp, pool, stream(seed, 14, attempt), deadline, presolve)
    stats["rounds"].append({"pool": len(pool), "mode": "guided", "ok": forms is not None})
    return forms


def _repair_try(problem: Problem, bp: Blueprint, seed: int, attempt: int, deadline: float, presolve: bool, stats,
                narrow: bool = False):  # fmt: skip
    """One attempt of structure then band (repair.py): the item classes without the band (narrow:
    with the band widened by repair.NARROW), then the band by same-cell exchanges. Measured on
    bench/tight_banks.py it settles the tightest zero-width banks in 0.2–1.5 s an attempt where the
    item-class model with the band rows took 4–28 s. A heuristic: None proves nothing."""
    whole = np.arange(len(problem.bank))
    tries = range(attempt, attempt + 1)
    forms, status = solve_structure_then_band(problem, bp, whole, seed, deadline, presolve, tries, narrow)
    mode = "structure-narrow" if narrow else "structure-band"
    stats["rounds"].append({"pool": len(whole), "mode": mode, "ok": forms is not None})
    return forms, status


def portfolio(coarse: bool) -> list[tuple[str, int]]:
    """The heuristic tries, in order: repair attempts (R), guided tries (G) and narrow repair
    attempts (N), interleaved. Measured on bench/tight_banks.py (one6, the 16 banks that one form
    at a time did not settle, each kind's tries timed alone): each kind settles banks the others do
    not — R in 0.2–1.5 s an attempt, G in 0.4–2.7 s, N in 2–3 s — and a failing run of one kind cost
    3.5–9 s when it ran to its end before the next began (one bank timed out at 10 s). G settled
    the banks whose difficulties take few values (``coarse``: tenths, where many items are
    interchangeable) and timed out on every bank in hundredths; N the other way round. So the
    order depends on it: replayed on those timings, the worst of the 16 is ~4 s (13 s before)."""
    if coarse:
        order = [("R", 0), ("G", 0), ("R", 1), ("G", 1), ("R", 2), ("N", 0), ("G", 2), ("R", 3), ("N", 1), ("R", 4),
                 ("R", 5), ("N", 2)]  # fmt: skip
    else:
        order = [("R", 0), ("N", 0), ("R", 1), ("R", 2), ("N", 1), ("R", 3), ("G", 0), ("R", 4), ("N", 2), ("R", 5),
                 ("G", 1), ("G", 2)]  # fmt: skip
    return [(kind, k) for kind, k in order if not (kind == "G" and k >= GUIDED_TRIES)]


def _solve_whole_portfolio(problem: Problem, bp: Blueprint, seed: int, deadline: float, presolve: bool, stats):
    """Several forms: the interleaved heuristic tries of ``portfolio`` (coarse: the usable items'
    difficulties take at most COARSE_VALUES values). Each repair attempt is bounded
    by its moves and REPAIR_SHARE of the time left, each guided try by GUIDED_SECONDS, each narrow
    attempt by NARROW_SECONDS (seconds, not shares: with a share of what is left, a 10 s limit cut
    the narrow attempt that settles a 7-form bank in 2.3 s to 1.1 s; the exact models keep what the
    tries leave, and all of it where aggregate.pairs_possible skips them).
    Skipped when the aggregated model proves that no solution has every item in at most two forms
    (aggregate.pairs_possible): all three are that restriction. Returns (forms or None, whether that
    restriction is still open)."""
    if pairs_possible(problem, bp, min(deadline, time.monotonic() + AGGREGATE_SECONDS)) == "infeasible":
        stats["rounds"].append({"pool": len(problem.bank), "mode": "pairs-infeasible", "ok": False})
        return None, False
    repair_open = narrow_open = True
    coarse = len(np.unique(problem.dint)) <= COARSE_VALUES
    for kind, attempt in portfolio(coarse):
        now = time.monotonic()
        left = deadline - now
        if left <= 0:
            break
        forms = None
        if kind == "R" and repair_open:
            forms, status = _repair_try(problem, bp, seed, attempt, now + REPAIR_SHARE * left, presolve, stats)
            repair_open = status != "infeasible"  # infeasible without the band: no attempt can help
            narrow_open = narrow_open and repair_open
        elif kind == "N" and narrow_open:
            budget = now + NARROW_SECONDS
            forms, status = _repair_try(problem, bp, seed, attempt, budget, presolve, stats, narrow=True)
            narrow_open = status != "infeasible"  # infeasible with the widened band: so with the band
        elif kind == "G":
            budget = now + GUIDED_SECONDS
            forms = _guided_try(problem, bp, seed, attempt, budget, presolve, stats)
        if forms is not None:
            return forms, True
    return None, True


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
        check_forms(problem, bp, deadline)
        forms = _solve_whole_sequential(problem, bp, seed, deadline, presolve, stats)
    pairs_open = True  # False: no solution with every item in at most two forms (aggregate.pairs_possible)
    if forms is None and bp.forms > 1:
        forms, pairs_open = _solve_whole_portfolio(problem, bp, seed, deadline, presolve, stats)
    if forms is None and pairs_open and bp.forms > 2 and 0 < bp.overlap_limit < bp.items_per_form:
        forms = _solve_whole_classes(problem, bp, seed, deadline, presolve, stats)
    if forms is None:
        forms, status, engine = solve_direct(problem, bp, stream(seed, 9), deadline, presolve)
        stats["rounds"].append({"pool": len(problem.bank), "mode": f"direct-{engine}", "ok": forms is not None})
        if forms is None:
            if status == "infeasible":
                raise diagnose(problem, bp, seed, deadline, presolve, slacks)
            raise time_out(time_limit, slacks)
    verify(problem, bp, forms)
    stats["seconds"] = time.monotonic() - started
    return Result([_describe(problem, bp, f) for f in forms], stats)


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


def quiet_native_output() -> None:
    """Point this process's fd 1 and 2 at /dev/null. HiGHS's C++ prints some lines with printf
    whatever ``disp`` or its output flag say — among them
    ``HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();``, written when the
    MIP solver, having restarted on a reduced model, maps a new solution back through that
    reduction — and a forked worker shares the server's stdout, so those lines reached the server's
    log. Only in the worker: in-process it would silence the server."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in (1, 2):
            os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _worker(conn, bank, bp, seed, time_limit, presolve) -> None:
    quiet_native_output()  # results and errors travel through the pipe, never through stdout
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
