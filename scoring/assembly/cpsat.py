"""OR-Tools CP-SAT as a second engine for the 0/1 models of scoring/assembly/models.py.

Not used by the app: measured on bench/tight_banks.py against HiGHS on the same instances, it was
slower and solved fewer of the tight banks (README 组卷). The benchmark registers it
(``models.ENGINES["cpsat"] = run_cpsat``) to repeat that comparison. Needs the ``ortools``
package (requirements-dev.txt).
"""

from __future__ import annotations

import math

import numpy as np
from ortools.sat.python import cp_model

from .models import Model

CPSAT_WORKERS = 2  # its local-search worker is what finds tight solutions; one worker stalls


def run_cpsat(model: Model, remaining: float, seed: int):
    """The same model for CP-SAT: every variable 0/1, every coefficient an integer (points, counts,
    difficulty in integer units)."""
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{j}") for j in range(model.n_vars)]
    a = model.matrix()
    big = 1 << 40
    for r in range(a.shape[0]):
        lo, hi = a.indptr[r], a.indptr[r + 1]
        cols, values = a.indices[lo:hi], a.data[lo:hi]
        lb = model.lbs[r] if math.isfinite(model.lbs[r]) else -big
        ub = model.ubs[r] if math.isfinite(model.ubs[r]) else big
        expr = cp_model.LinearExpr.weighted_sum([x[j] for j in cols], [int(round(v)) for v in values])
        m.add_linear_constraint(expr, int(math.ceil(lb - 1e-9)), int(math.floor(ub + 1e-9)))
    # no objective: a pure feasibility model (measured: a tie-breaking objective makes CP-SAT
    # optimise instead of search); the seed enters through the column order and random_seed
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(remaining, 0.05)
    solver.parameters.num_workers = CPSAT_WORKERS
    solver.parameters.random_seed = int(seed) % (2**31)
    status = solver.solve(m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return np.array([solver.boolean_value(v) for v in x], dtype=float), "ok"
    if status == cp_model.INFEASIBLE:
        return None, "infeasible"
    if status == cp_model.UNKNOWN:
        return None, "time"
    return None, "other"
