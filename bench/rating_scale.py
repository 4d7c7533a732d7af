"""Benchmark: a rating round finalized at scale — 50 organizations × 109 leaves × 5 experts.

    .venv/bin/python bench/rating_scale.py [--organizations 50] [--experts 5] [--repeat 3]

A fresh SQLite file holds one round of changzhou-vocational (109 leaves) with 5 experts, N
organizations that have submitted their self-assessment, and every expert's score of every leaf
(50 × 109 × 5 = 27,250 rows). Each repeat finalizes every organization as ``POST …/finalize`` does
(``app.rating.panel.finalize``: the panel's completeness, the means and spreads, the exact total and
grade, the record and the audit entry) and, before it in the same run, reads the same rows (each
organization's expert scores: expert, leaf, score); then rolls back, so the next repeat finalizes again.
Prints per-organization p50 / p95 of both and their ratio (aim: within 2×). The machine is shared:
read the ratio.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from app import create_app, timeutil  # noqa: E402
from app.auth.models import Center, Role, User  # noqa: E402
from app.cli import init_db  # noqa: E402
from app.extensions import db  # noqa: E402
from app.rating import panel, rounds  # noqa: E402
from app.rating.models import ExpertScore, OrgStatus, RatingOrganization  # noqa: E402

FRAMEWORK = "changzhou-vocational"


def fill(organizations: int, experts: int, seed: int) -> tuple[int, int]:
    rng = np.random.default_rng(seed)
    admin = User(username="bench-admin", name="管理员", role=Role.admin, password_hash="x")
    panel_users = [User(username=f"bench-ex{k}", name=f"专家{k}", role=Role.expert, password_hash="x")
                   for k in range(experts)]  # fmt: skip
    centers = [Center(name=f"基准测试协会{k:02d}") for k in range(organizations)]
    db.session.add_all([admin, *panel_users, *centers])
    db.session.flush()
    due = timeutil.utcnow().astimezone(timeutil.CHINA).date() + timedelta(days=10)
    rnd = rounds.create_round(
        admin,
        {"framework": FRAMEWORK, "name": "基准等级评估", "year": 2026, "self_assessment_due": due.isoformat(),
         "publicity_days": 7, "experts": [u.username for u in panel_users]},
    )  # fmt: skip
    leaves = rounds.framework_of(rnd).leaves()
    rows = []
    for center in centers:
        org = rounds.enroll(rnd, {"center": center.name})
        org.status = OrgStatus.submitted  # the self-assessment is not what is measured here
        for expert in panel_users:
            for leaf in leaves:
                score = float(max(0, leaf.points - int(rng.integers(0, 3))))
                rows.append({"organization_id": org.id, "expert_id": expert.id, "code": leaf.code, "score": score,
                             "comment": ""})  # fmt: skip
    db.session.execute(insert(ExpertScore), rows)
    db.session.commit()
    return rnd.id, admin.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=50)
    parser.add_argument("--experts", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=25)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-rating-"))
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/g.db"})
    with app.app_context(), app.test_request_context():
        init_db()
        round_id, admin_id = fill(args.organizations, args.experts, args.seed)
        print(f"round: {args.organizations} organizations × 109 leaves × {args.experts} experts written")
        reads, orm_reads, finals = [], [], []
        graded = 0
        for _ in range(args.repeat):
            db.session.expunge_all()
            orgs = list(db.session.scalars(select(RatingOrganization).where(RatingOrganization.round_id == round_id)))
            for org in orgs:
                t0 = time.perf_counter()
                rows = db.session.execute(
                    select(ExpertScore.expert_id, ExpertScore.code, ExpertScore.score).where(
                        ExpertScore.organization_id == org.id
                    )
                ).all()
                t1 = time.perf_counter()
                objects = panel.scores_of(org)  # the same rows as ORM objects, as the app read them before
                t2 = time.perf_counter()
                reads.append(t1 - t0)
                orm_reads.append(t2 - t1)
                assert len(rows) == len(objects) == 109 * args.experts
            db.session.expunge_all()
            admin = db.session.get(User, admin_id)
            orgs = list(db.session.scalars(select(RatingOrganization).where(RatingOrganization.round_id == round_id)))
            now = timeutil.utcnow()
            for org in orgs:
                t0 = time.perf_counter()
                panel.finalize(org, admin, now)
                finals.append(time.perf_counter() - t0)
                graded += org.grade is not None
            db.session.rollback()  # the next repeat finalizes the same round again
        r50, r95 = statistics.median(reads), float(np.percentile(reads, 95))
        f50, f95 = statistics.median(finals), float(np.percentile(finals, 95))
        print(f"organizations graded: {graded} of {len(finals)}")
        o50, o95 = statistics.median(orm_reads), float(np.percentile(orm_reads, 95))
        print(f"read one organization's scores: p50 {r50 * 1e3:6.1f} ms   p95 {r95 * 1e3:6.1f} ms   (columns)")
        print(f"                                p50 {o50 * 1e3:6.1f} ms   p95 {o95 * 1e3:6.1f} ms   (ORM objects)")
        print(f"finalize one organization:      p50 {f50 * 1e3:6.1f} ms   p95 {f95 * 1e3:6.1f} ms")
        print(f"whole round: read {sum(reads) / args.repeat:.2f} s, finalize {sum(finals) / args.repeat:.2f} s")
        print(f"ratio finalize / read (ORM objects): p50 {f50 / o50:.2f}×   p95 {f95 / o95:.2f}×   (aim: ≤ 2×)")
        print(f"ratio finalize / read (columns):     p50 {f50 / r50:.2f}×   p95 {f95 / r95:.2f}×")
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
