"""The joint model of several forms by item classes: each item goes to at most one class — one
form alone, or exactly one pair of forms — instead of a 0/1 variable per form and item plus a
variable per pair and item that counts what two forms share.

Why: on the tightest banks (the distinct items the forms need, F × n − C(F,2) × L, close to what
the bank holds, and a zero-width band making each form's difficulty sum an equality) the per-form
model's relaxation is weak — y ≥ x_f + x_g − 1 lets fractional forms share freely — and HiGHS
searched for minutes (bench/tight_banks.py). Here what two forms share is the size of their pair's
class, a plain ≤ L row, and every item row is one set-packing row over F + C(F,2) classes: the
relaxation sees the union bound directly.

It is a restriction: no item in three forms or more. A solution of it is a solution of the full
problem (verified like any other); "infeasible" here proves nothing, and the caller then runs the
full model (solve_joint) on what time is left.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from .models import FIRST_FEASIBLE, Flags, Model, form_rows, objective, run
from .types import Blueprint, Problem

SYMMETRY_ITEMS = 1  # items placed by symmetry breaking: 1 measured steadier than F (bench, README)


def classes_of(forms: int) -> list[tuple[int, ...]]:
    """The classes: each form alone, then each pair of forms."""
    return [(f,) for f in range(forms)] + list(combinations(range(forms), 2))


def solve_classes(
    problem: Problem, bp: Blueprint, pool: np.ndarray, rng, deadline: float, presolve: bool, flags: Flags | None = None
):
    """All forms at once by item classes (see the module docstring). ``flags``: Flags(difficulty=False)
    leaves out the band rows (repair.py meets the band afterwards). Returns (forms or None, status)."""
    forms, limit = bp.forms, bp.overlap_limit
    pool = rng.permutation(pool)
    n = len(pool)
    classes = classes_of(forms)
    one = Model(n, n)  # one form's rows on the pool, expanded below to every class holding the form
    form_rows(problem, bp, pool, 0, flags or Flags(), one)
    model = Model(len(classes) * n, len(classes) * n)
    for f in range(forms):
        holding = [c for c, members in enumerate(classes) if f in members]
        for (_, cols, values), lb, ub in zip(one.rows, one.lbs, one.ubs, strict=True):
            model.add(np.concatenate([c * n + cols for c in holding]), np.tile(values, len(holding)), lb, ub)
    ar = np.arange(n)
    rows = len(model.lbs) + np.tile(ar, len(classes))  # per item: in at most one class
    model.rows.append((rows, np.arange(len(classes) * n), np.ones(len(classes) * n)))
    model.lbs.extend([0] * n)
    model.ubs.extend([1] * n)
    for c in range(forms, len(classes)):  # what a pair shares: its class
        model.add(c * n + ar, np.ones(n), 0, limit)
    if SYMMETRY_ITEMS:
        # the forms are interchangeable: any solution can be renumbered so that the pool's k-th
        # item, if used, is in one of the forms 0..k (by induction on k: the forms above k are
        # still interchangeable) — its classes outside 0..k are closed
        closed = [
            c * n + k
            for k in range(min(SYMMETRY_ITEMS, forms, n))
            for c, members in enumerate(classes)
            if min(members) > k
        ]
        if closed:
            model.add(np.asarray(closed), np.ones(len(closed)), 0, 0)
    base = objective(problem, pool, rng)
    model.c = np.concatenate([base * len(members) for members in classes])
    x, status = run(model, deadline, presolve, gap=FIRST_FEASIBLE)
    if x is None:
        return None, status
    chosen = x.reshape(len(classes), n) > 0.5
    out = []
    for f in range(forms):
        mask = np.zeros(n, dtype=bool)
        for c, members in enumerate(classes):
            if f in members:
                mask |= chosen[c]
        out.append(pool[mask])
    return out, "ok"
