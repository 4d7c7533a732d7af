"""Benchmark: assemble 4 parallel forms of 90 items (≤ 10% overlap) from a 10,000-item bank.

    .venv/bin/python bench/assembly.py [--items 10000] [--forms 4] [--overlap 0.1] [--repeat 3]

Writes a synthetic bank for 3-01-01-04 to a fresh SQLite database (items at 五级–三级, every
area of 4.1, judge/single/multiple in the default paper's proportions, some enemy groups), then
times, in the same run and process:

* read (columns) — the query the assembly operation itself runs (``load_bank``: the usable items'
  id, type, area, level, points, difficulty, enemy group, usage);
* read (full) — every item with every column as ORM objects (what an export or the bank page reads);
* assembly — ``scoring.assembly.assemble`` on the bank read above, with the forked worker and its
  wall-clock guard exactly as the app runs it;

and prints the median of ``--repeat`` runs and the ratios. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.banks.models import Item  # noqa: E402
from app.cli import init_db  # noqa: E402
from app.extensions import db  # noqa: E402
from app.papers.operations import load_bank  # noqa: E402
from app.papers.templates import paper_template  # noqa: E402
from app.standards.registry import get_standard  # noqa: E402
from scoring.assembly import Blueprint, Section, assemble  # noqa: E402

STANDARD, LEVEL = "3-01-01-04", "四级"


def synthetic_rows(n: int, seed: int = 2026) -> list[dict]:
    standard = get_standard(STANDARD)
    rng = np.random.default_rng(seed)
    levels = standard.level_ids[:3]  # 五级, 四级, 三级: two thirds serve a 四级 paper
    rows = []
    for k in range(n):
        level = levels[rng.integers(0, len(levels))]
        table = standard.theory_weights[level]
        areas = list(table)
        area = areas[rng.choice(len(areas), p=np.array(list(table.values())) / 100)]
        kind = rng.choice(["judge", "single", "multiple"], p=[0.22, 0.67, 0.11])
        options = [] if kind == "judge" else [f"选项{j}" for j in range(4)]
        answer = bool(k % 2) if kind == "judge" else (["A", "C"] if kind == "multiple" else "B")
        rows.append(
            {
                "standard_id": STANDARD,
                "external_id": f"BENCH-{k:05d}",
                "type": str(kind),
                "stem": f"基准测试题 {k}：{area}",
                "options": options,
                "answer": answer,
                "points": 2 if kind == "multiple" else 1,
                "area": str(area),
                "level": level,
                "difficulty": float(np.clip(rng.normal(0.65, 0.12), 0.05, 0.98)),
                "enemy_group": f"G{k // 4}" if k % 10 == 0 else None,
                "source": "bench",
                "retired": False,
                "usage_count": int(rng.integers(0, 4)),
            }  # fmt: skip
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--forms", type=int, default=4)
    parser.add_argument("--overlap", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-assembly-"))
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/b.db"})
    with app.app_context():
        init_db()
        started = time.perf_counter()
        db.session.execute(insert(Item), synthetic_rows(args.items))
        db.session.commit()
        print(f"bank: {args.items} items written to a fresh SQLite file in {time.perf_counter() - started:.2f} s")
        standard = get_standard(STANDARD)
        template = paper_template(standard)
        blueprint = Blueprint(
            level=LEVEL, level_rank=standard.level_ids.index(LEVEL), weights=dict(standard.theory_weights[LEVEL]),
            sections=tuple(Section(s.type, s.count, s.points) for s in template.sections), forms=args.forms,
            max_overlap=args.overlap, difficulty=(template.difficulty.min, template.difficulty.max),
        )  # fmt: skip
        reads, fulls, solves = [], [], []
        result = None
        for run in range(args.repeat):
            db.session.expunge_all()
            # as the app does it: read the columns, assemble; then, for comparison, read everything
            t0 = time.perf_counter()
            bank = load_bank(standard, LEVEL, list(blueprint.weights))
            t1 = time.perf_counter()
            result = assemble(bank, blueprint, seed=run)
            t2 = time.perf_counter()
            everything = list(db.session.scalars(select(Item)))
            t3 = time.perf_counter()
            reads.append(t1 - t0)
            solves.append(t2 - t1)
            fulls.append(t3 - t2)
            del everything
            db.session.expunge_all()
        read, full, solve = (statistics.median(x) for x in (reads, fulls, solves))
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(workdir, ignore_errors=True)
    forms = result.forms
    shared = max((len(set(a.item_ids) & set(b.item_ids)) for a, b in combinations(forms, 2)), default=0)
    print(f"paper: {LEVEL}, {blueprint.items_per_form} items / {blueprint.total_points} points per form, "
          f"{args.forms} forms, max overlap {blueprint.overlap_limit} items; usable items {result.stats['usable']}")  # fmt: skip
    print(f"solver rounds: {result.stats['rounds']}; most shared items between two forms: {shared}")
    print(f"read (columns used by assembly): {read * 1000:7.1f} ms   (median of {args.repeat})")
    print(f"read (full bank, ORM objects):   {full * 1000:7.1f} ms")
    print(f"assembly (guarded worker):       {solve * 1000:7.1f} ms")
    print(f"ratio assembly / read (columns): {solve / read:5.2f}x")
    print(f"ratio assembly / read (full):    {solve / full:5.2f}x   (aim: under 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
