"""Zero-width and narrow bands on tight banks: structure first, then the difficulty sums by swaps.

Why: with a zero-width band each form's difficulty sum is an equality (a knapsack equality over
integer difficulties, Problem.dint), and on the tightest banks HiGHS spent most of its time on
exactly those rows (bench/tight_banks.py: the item-class model 4–28 s depending on the seed). The
rest of the model — sections, area points, what two forms share — is easy without them.

How:
1. The item-class model (pairs.py) without the band rows: which items go to which form alone or to
   which pair of forms (milliseconds to a second).
2. A tabu search on the band alone. A move exchanges the classes of two items of the same cell
   (section × area, so the same type and points), or puts an unused item of the cell in place of a
   used one. Every move keeps each form's section counts, area points and every pair's shared
   count, so only the band and the enemy groups can be broken: the cost is how far the forms'
   difficulty sums are outside the band (integer units), and moves that would put two items of one
   enemy group in a form are left out. It stops at cost 0 — a solution of the full problem,
   verified like any other — or after ``MOVES`` moves, and starts again from step 1 with another
   seed. Work is bounded by moves, not time, so whether it succeeds does not depend on the load.

A narrow variant (``narrow``): step 1 keeps the band rows, widened by NARROW of the mean on each
side, so that the structure already lies near the band and step 2 only closes the rest. Slower an
attempt (2–3 s against 0.2–1 s), it settles banks on which no band-free structure could be repaired
(bench/tight_banks.py, one6); solve.py interleaves the attempts of both with the guided stage.

A heuristic: it proves nothing when it fails, and the exact models then take the time left.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from .models import Flags, stream
from .pairs import classes_of, solve_classes
from .types import Blueprint, Problem

MOVES = 3000  # tabu moves per structure before a fresh structure
TENURE = (5, 12)  # an item just moved stays put for this many moves (drawn per move)
STRUCTURES = 6  # structures tried before giving up
NARROW = 0.003  # the narrow variant's structure band: the requested one ± this much of the mean


def _band_cost(sums: np.ndarray, band: tuple[int, int]) -> np.ndarray:
    """How far each row of sums lies outside the band, summed over forms (last axis)."""
    lo, hi = band
    return (np.maximum(lo - sums, 0) + np.maximum(sums - hi, 0)).sum(axis=-1)


def _candidate_pairs(problem: Problem, pool: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (a, b) of pool positions in the same cell: the moves' candidates."""
    cells = problem.section_of[pool] * len(problem.areas) + problem.area_of[pool]
    firsts, seconds = [], []
    for cell in np.unique(cells):
        members = np.flatnonzero(cells == cell)
        if len(members) < 2:
            continue
        a, b = np.triu_indices(len(members), 1)
        firsts.append(members[a])
        seconds.append(members[b])
    if not firsts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(firsts), np.concatenate(seconds)


def _enemy_ok(problem: Problem, pool: np.ndarray, incidence: np.ndarray, cls: np.ndarray) -> bool:
    code = problem.group_code[pool]
    grouped = code >= 0
    if not grouped.any():
        return True
    for f in range(incidence.shape[1]):
        in_form = grouped & incidence[cls, f].astype(bool)
        groups = code[in_form]
        if len(groups) != len(np.unique(groups)):
            return False
    return True


def tabu_band(problem: Problem, bp: Blueprint, pool: np.ndarray, cls: np.ndarray, rng, deadline: float):
    """Move the forms' difficulty sums into the band by same-cell exchanges (module docstring).
    ``cls``: per pool position its class (index into classes_of), -1 unused. Returns the new
    ``cls`` at cost 0, or None."""
    forms = bp.forms
    classes = classes_of(forms)
    incidence = np.zeros((len(classes) + 1, forms), dtype=np.int64)  # the last row: unused
    for c, members in enumerate(classes):
        incidence[c, list(members)] = 1
    cls = np.where(cls < 0, len(classes), cls).astype(np.int64)
    d = problem.dint[pool].astype(np.int64)
    first, second = _candidate_pairs(problem, pool)
    if not len(first):
        return None
    has_groups = bool((problem.group_code[pool] >= 0).any())
    sums = (incidence[cls] * d[:, None]).sum(axis=0)
    cost = int(_band_cost(sums, problem.band))
    frozen_until = np.zeros(len(pool), dtype=np.int64)
    for move in range(MOVES):
        if cost == 0:
            return np.where(cls == len(classes), -1, cls)
        if move % 64 == 0 and time.monotonic() >= deadline:
            return None
        ca, cb = cls[first], cls[second]
        live = (ca != cb) & (frozen_until[first] <= move) & (frozen_until[second] <= move)
        idx = np.flatnonzero(live)
        if not len(idx):
            return None
        a, b = first[idx], second[idx]
        # a takes b's class and b takes a's: forms of a's class gain d_b − d_a, those of b's lose it
        shift = (d[b] - d[a])[:, None] * (incidence[cls[a]] - incidence[cls[b]])
        new_cost = _band_cost(sums[None, :] + shift, problem.band)
        order = np.lexsort((rng.random(len(idx)), new_cost))
        for pick in order[:16]:  # the best move whose enemy groups hold
            i, j = int(a[pick]), int(b[pick])
            trial = cls.copy()
            trial[i], trial[j] = cls[j], cls[i]
            if has_groups and not _enemy_ok(problem, pool, incidence, trial):
                continue
            cls = trial
            sums = sums + shift[pick]
            cost = int(new_cost[pick])
            frozen_until[[i, j]] = move + rng.integers(*TENURE, endpoint=True)
            break
        else:
            return None
    return np.where(cls == len(classes), -1, cls) if cost == 0 else None


def narrowed(problem: Problem, bp: Blueprint) -> Problem:
    """The problem with its band widened by NARROW of the mean on each side (at least one unit)."""
    w = max(1, math.ceil(NARROW * bp.items_per_form * problem.scale))
    return replace(problem, band=(problem.band[0] - w, problem.band[1] + w))


def solve_structure_then_band(problem: Problem, bp: Blueprint, pool: np.ndarray, seed: int, deadline: float,
                              presolve: bool, attempts=range(STRUCTURES), narrow: bool = False):  # fmt: skip
    """Step 1 then step 2 of the module docstring, once per attempt in ``attempts`` (each its own
    seeded stream, so attempt k is the same whichever call runs it). ``narrow``: the structure
    model keeps the band rows, widened by NARROW (``narrowed``), and the tabu search closes the
    rest; measured on bench/tight_banks.py (one6) it settles banks where no band-free structure
    could be repaired (2–3 s an attempt). Returns (forms as bank indices, or None, status)."""
    classes = classes_of(bp.forms)
    index = {members: c for c, members in enumerate(classes)}
    position = np.full(len(problem.bank), -1, dtype=np.int64)
    position[pool] = np.arange(len(pool))
    # narrow: the band rows kept, widened; else the structure without them
    structure, flags, stage = (narrowed(problem, bp), None, 15) if narrow else (problem, Flags(difficulty=False), 11)
    status = "time"
    for attempt in attempts:
        if time.monotonic() >= deadline:
            return None, "time"
        forms, status = solve_classes(
            structure, bp, pool, stream(seed, stage, attempt), deadline, presolve, flags=flags
        )
        if forms is None:
            if narrow and status != "infeasible":
                continue  # this attempt found none: the next one draws another structure
            # without the band (or with a wider one) it is infeasible, or out of time: nothing to repair
            return None, status
        holders: list[list[int]] = [[] for _ in pool]
        for f, chosen in enumerate(forms):
            for j in position[chosen]:
                holders[j].append(f)
        cls = np.array([index[tuple(h)] if h else -1 for h in holders], dtype=np.int64)
        found = tabu_band(problem, bp, pool, cls, stream(seed, 16 if narrow else 12, attempt), deadline)
        if found is not None:
            out = []
            for f in range(bp.forms):
                mask = np.array([c >= 0 and f in classes[c] for c in found], dtype=bool)
                out.append(pool[mask])
            return out, "ok"
        status = "time"
    return None, status
