"""Theory-paper assembly (组卷) as 0/1 models solved by HiGHS (scipy.optimize.milp).

Pure: plain columns in, plain data out; no Flask, no database. Why a model and not random draws:
a national assessment needs each paper's points per area to equal the standard's weight table
(4.1 理论知识权重表) exactly, for several parallel forms at once.

How (the design notes, "solving the assembly MILP with HiGHS"; issue 14 for tight banks):

1. Filter first (types.filter_bank): only items whose level is at or below the paper's
   (3 工作要求: 高级别涵盖低级别的要求), whose area is a row of that level's table and whose
   (type, points) matches a section. Difficulties become integers at their own precision.
2. Exact necessary conditions before any solve (checks.py): capacities per section and area,
   the distinct items several forms need (whole paper, section, area), the band at the items'
   precision and its exact reachability. Each failure names the constraint and the exact shortfall.
3. A large bank: seeded candidate pools (a few times what each cell needs, half least-used, half
   near the band); per pool the forms on disjoint parts, then one at a time (twice, the second on a
   fresh pool), then jointly; the pool stages are bounded by work (nodes), not time.
4. A small bank (at most TIGHT_FACTOR × what the forms need), or when the pools give up: first
   the aggregated relaxation (aggregate.py: how many forms hold each item; infeasible is a proof,
   named at once), then one form at a time on the whole bank (four seeded orders), then the
   heuristic tries interleaved, each capped (solve.portfolio: structure then band, repair.py; the
   guided stage, an aggregated solution's items dealt to the forms; structure with a narrowed band
   then band) — skipped when the aggregated model proves that some item must be in three forms —,
   the item-class model (pairs.py), then the whole bank in one joint model on HiGHS (models.py on
   the engine and the cut that makes it fast).
5. Infeasible on the whole bank (diagnose.py): relax one family at a time to name the one that cannot be met.
   Out of time: say so, without claiming that anything must be relaxed, and name the tightest
   constraint as the likely cause.
6. Every solve runs (solve.assemble) in a forked worker process that is terminated when it overruns (HiGHS has been
   seen to ignore its time limit).
"""

from .solve import DEFAULT_TIME_LIMIT, assemble
from .types import (
    EPS,
    TYPE_LABELS,
    TYPES,
    AssemblyError,
    Bank,
    Blueprint,
    Form,
    Infeasible,
    Result,
    Section,
    TimeLimitExceeded,
    filter_bank,
    validate_blueprint,
)

__all__ = [
    "DEFAULT_TIME_LIMIT", "EPS", "TYPES", "TYPE_LABELS", "AssemblyError", "Bank", "Blueprint", "Form", "Infeasible",
    "Result", "Section", "TimeLimitExceeded", "assemble", "filter_bank", "validate_blueprint",
]  # fmt: skip
