"""Benchmark: a survey report (§7.2 统计分析) over 10,000 responses.

    .venv/bin/python bench/survey_scale.py [--responses 10000] [--samples 15]

A fresh SQLite file holds one anonymous survey of 11 questions (8 likert5, 2 choice — one of them
multiple —, 1 free text) with N invitations and N responses. Each sample builds the report as the
report page and ``GET /surveys/<id>/report`` do (``app.surveys.report.build``: counts, 满意率, means
and their intervals, choice counts, sorted texts) and, interleaved in the same run, reads the same
rows (the invitation counts and every response's answers, as ``app.surveys.operations`` reads them).
Prints p50 / p95 of both and their ratio (aim: within 2×). The machine is shared: read the ratio.
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
from sqlalchemy import insert  # noqa: E402

from app import create_app, timeutil  # noqa: E402
from app.auth.models import Center, Role, User  # noqa: E402
from app.cli import init_db  # noqa: E402
from app.extensions import db  # noqa: E402
from app.surveys import operations as survey_ops  # noqa: E402
from app.surveys import report  # noqa: E402
from app.surveys.models import AudienceKind, Survey, SurveyInvitation, SurveyResponse  # noqa: E402
from scoring.surveys import LIKERT_LEVELS  # noqa: E402

CHOICES = ["课程内容", "师资", "场地", "组织安排"]


def questions() -> list[dict]:
    out = [{"text": f"满意度问题 {k + 1}", "type": "likert5"} for k in range(8)]
    out.append({"text": "最有收获的方面", "type": "choice", "options": CHOICES})
    out.append({"text": "需要改进的方面（可多选）", "type": "choice", "options": CHOICES, "multiple": True})
    out.append({"text": "其他意见", "type": "text"})
    return out


def fill(responses: int, seed: int) -> Survey:
    rng = np.random.default_rng(seed)
    center = Center(name="基准测试培训中心")
    db.session.add(center)
    db.session.flush()
    users = [
        {"id": k + 1, "username": f"s{k:06d}", "name": f"学员{k}", "role": Role.candidate, "center_id": center.id,
         "password_hash": "x", "active": True, "contact": ""}
        for k in range(responses)
    ]  # fmt: skip
    db.session.execute(insert(User), users)
    now = timeutil.utcnow()
    survey = Survey(center_id=center.id, title="培训满意度测评", audience_kind=AudienceKind.members,
                    anonymous=True, opens=now - timedelta(days=7), closes=now + timedelta(days=7),
                    questions=questions())  # fmt: skip
    db.session.add(survey)
    db.session.flush()
    db.session.execute(
        insert(SurveyInvitation),
        [{"survey_id": survey.id, "user_id": k + 1, "responded": True} for k in range(responses)],
    )
    weights = np.array([0.35, 0.35, 0.18, 0.08, 0.04])
    rows = []
    for k in range(responses):
        answers: list = [LIKERT_LEVELS[int(rng.choice(5, p=weights))] for _ in range(8)]
        answers.append(CHOICES[int(rng.integers(4))])
        answers.append(sorted({CHOICES[int(i)] for i in rng.integers(0, 4, int(rng.integers(1, 3)))}))
        answers.append(f"意见 {k}" if k % 9 == 0 else None)
        rows.append({"id": f"{k:032x}", "survey_id": survey.id, "user_id": None, "answers": answers})
    db.session.execute(insert(SurveyResponse), rows)
    db.session.commit()
    return survey


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--seed", type=int, default=25)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-survey-"))
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/s.db"})
    with app.app_context():
        init_db()
        t0 = time.perf_counter()
        survey_id = fill(args.responses, args.seed).id
        print(f"survey: {args.responses} responses written in {time.perf_counter() - t0:.1f} s")
        reads, builds = [], []
        built = None
        for _ in range(args.samples):
            db.session.expunge_all()
            survey = db.session.get(Survey, survey_id)
            t0 = time.perf_counter()
            survey_ops.counts(survey)
            rows = survey_ops.responses_of(survey)
            t1 = time.perf_counter()
            db.session.expunge_all()
            survey = db.session.get(Survey, survey_id)
            t2 = time.perf_counter()
            built = report.build(survey)
            t3 = time.perf_counter()
            reads.append(t1 - t0)
            builds.append(t3 - t2)
            assert len(rows) == built.responses == args.responses
        r50, r95 = statistics.median(reads), float(np.percentile(reads, 95))
        b50, b95 = statistics.median(builds), float(np.percentile(builds, 95))
        print(f"overall 满意率 {built.satisfaction_rate:.4f}; question 1 mean {built.questions[0].mean:.3f}")
        print(f"read the rows:    p50 {r50 * 1e3:7.1f} ms   p95 {r95 * 1e3:7.1f} ms")
        print(f"build the report: p50 {b50 * 1e3:7.1f} ms   p95 {b95 * 1e3:7.1f} ms")
        print(f"ratio report / read: p50 {b50 / r50:.2f}×   p95 {b95 / r95:.2f}×   (aim: ≤ 2×)")
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
