"""Benchmark: the talent registry (人才库) at scale — 200,000 certificate holders searched and paged.

    .venv/bin/python bench/registry_scale.py [--holders 200000] [--samples 40]

A fresh SQLite file holds N holders (one certificate each, every tenth a second one, every seventh
with an approved CE record of this year; no trainings). Each sample is one registry page (20
holders) as the page view reads it — ``app.talent.operations.people_page``: the page's holders, their
certificates, trainings and continuing education — and, in the same run and interleaved with it:

- the plain indexed SELECT of the same page (the certificates of those holders joined to their
  users, ORDER BY username, LIMIT / OFFSET, same filters), ``plain_page``;
- the plain SELECTs of every row the page shows (that SELECT, then the page's holders' CE records
  of the year and their trainings), ``plain_rows``.

Pages: the first, random ones through the whole registry, and searches (姓名 / 用户名 substring, a
standard + level + year). Prints p50 / p95 of each and the page's p95 ratio to each (aim: within
2×). The machine is shared: read the ratios, not the milliseconds.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.models import Center, Role, User  # noqa: E402
from app.cli import init_db  # noqa: E402
from app.continuing_education.models import CERecord, CEStatus  # noqa: E402
from app.extensions import db  # noqa: E402
from app.results.models import Certificate  # noqa: E402
from app.talent import operations as talent  # noqa: E402
from app.talent.operations import PER_PAGE  # noqa: E402
from app.training.models import Trainee, Training  # noqa: E402

STANDARD = "3-01-01-04"
LEVELS = ("五级", "四级", "三级", "二级", "一级")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def fill(holders: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    center = Center(name="基准测试评价中心")
    db.session.add(center)
    db.session.flush()
    chunk = 20_000
    cert_id = 0
    for start in range(0, holders, chunk):
        stop = min(start + chunk, holders)
        users = [
            {"id": k + 1, "username": f"h{k:07d}", "name": f"{SURNAMES[k % len(SURNAMES)]}基准{k}",
             "role": Role.candidate, "center_id": None, "password_hash": "x", "active": True, "contact": ""}
            for k in range(start, stop)
        ]  # fmt: skip
        db.session.execute(insert(User), users)
        certificates = []
        for k in range(start, stop):
            for _extra in range(2 if k % 10 == 0 else 1):
                cert_id += 1
                level = LEVELS[int(rng.integers(len(LEVELS)))]
                certificates.append(
                    {"id": cert_id, "number": f"B{cert_id:09d}", "scope": "bench", "serial": cert_id,
                     "result_id": cert_id, "user_id": k + 1, "center_id": center.id, "standard_id": STANDARD,
                     "level": level, "title": "职业技能等级证书", "holder_name": users[k - start]["name"],
                     "id_type": "居民身份证", "id_number": f"1101011990{k:08d}", "occupation": "社团会员管理员",
                     "level_title": level, "issued_on": date(2020 + int(rng.integers(6)), 1 + int(rng.integers(12)), 1),
                     "center_name": center.name}
                )  # fmt: skip
        db.session.execute(insert(Certificate), certificates)
        records = [
            {"user_id": k + 1, "center_id": center.id, "year": talent.this_year(), "form": "培训", "category": "专业科目",
             "title": "继续教育", "date": date(talent.this_year(), 3, 1), "hours": 30.0, "credited": 30.0,
             "status": CEStatus.approved}
            for k in range(start, stop, 7)
        ]  # fmt: skip
        db.session.execute(insert(CERecord), records)
    admin = User(username="bench-admin", name="管理员", role=Role.admin, password_hash="x")
    db.session.add(admin)
    db.session.commit()


def plain_page(filters: dict, page: int) -> list:
    """The same page as a plain indexed SELECT: certificates joined to their users, the filters,
    ORDER BY username, LIMIT / OFFSET (a page of certificates, which is a page of holders where
    each holds one)."""
    query = talent._filtered(select(Certificate, User.username).join(User, User.id == Certificate.user_id),
                             ADMIN[0], **filters)  # fmt: skip
    return db.session.execute(query.order_by(User.username).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()


def plain_rows(filters: dict, page: int) -> list:
    """Every row the page shows, each table by a plain indexed SELECT: the page of certificates with
    their holders (``plain_page``), then those holders' approved CE records of this year and their
    completed trainings."""
    selected = plain_page(filters, page)
    ids = list({certificate.user_id for certificate, _ in selected})
    ce = db.session.execute(
        select(CERecord.user_id, CERecord.category, CERecord.credited).where(
            CERecord.user_id.in_(ids), CERecord.year == talent.this_year(), CERecord.status == CEStatus.approved
        )
    ).all()
    trainings = db.session.execute(
        select(Trainee.user_id, Training.name, Training.level, Trainee.certificate_no)
        .join(Training, Training.id == Trainee.training_id)
        .where(Trainee.user_id.in_(ids), Trainee.completed.is_(True))
    ).all()
    return [selected, ce, trainings]


ADMIN: list = []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holders", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--seed", type=int, default=25)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-registry-"))
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/r.db"})
    rng = np.random.default_rng(args.seed)
    with app.app_context():
        init_db()
        t0 = time.perf_counter()
        fill(args.holders, args.seed)
        print(f"registry: {args.holders} holders written in {time.perf_counter() - t0:.1f} s")
        ADMIN.append(db.session.scalar(select(User).where(User.username == "bench-admin")))
        last = args.holders // PER_PAGE
        cases = [("first page", {}, lambda: 1)]
        cases.append(("random pages", {}, lambda: int(rng.integers(1, last + 1))))
        cases.append(("search 基准1234 (name)", {"q": "基准1234"}, lambda: 1))
        cases.append(("standard + 四级 + 2023", {"standard": STANDARD, "level": "四级", "year": 2023},
                      lambda: int(rng.integers(1, 50))))  # fmt: skip
        print(f"{'case':<26} {'page p50':>9} {'p95':>8} {'SELECT p50':>11} {'p95':>8} {'p95 ratio':>10}"
              f" {'all rows p50':>13} {'p95':>8} {'p95 ratio':>10}")  # fmt: skip
        worst = worst_rows = 0.0
        for label, filters, draw in cases:
            ours, plain, rows = [], [], []
            for _ in range(args.samples):
                page = draw()
                db.session.expunge_all()
                t0 = time.perf_counter()
                selected = plain_page(filters, page)
                t1 = time.perf_counter()
                db.session.expunge_all()
                t2 = time.perf_counter()
                shown, _ = talent.people_page(ADMIN[0], page, **filters)
                t3 = time.perf_counter()
                db.session.expunge_all()
                t4 = time.perf_counter()
                plain_rows(filters, page)
                t5 = time.perf_counter()
                plain.append(t1 - t0)
                ours.append(t3 - t2)
                rows.append(t5 - t4)
                if page == 1:  # further pages: holders and certificates are offset differently
                    assert (shown[0]["username"] == selected[0][1]) if shown else not selected, "the pages disagree"
            p = {
                k: (statistics.median(v), float(np.percentile(v, 95)))
                for k, v in (("o", ours), ("s", plain), ("r", rows))
            }
            ratio, ratio_rows = p["o"][1] / p["s"][1], p["o"][1] / p["r"][1]
            worst, worst_rows = max(worst, ratio), max(worst_rows, ratio_rows)
            print(f"{label:<26} {p['o'][0] * 1e3:8.1f}ms {p['o'][1] * 1e3:7.1f}ms {p['s'][0] * 1e3:10.1f}ms "
                  f"{p['s'][1] * 1e3:7.1f}ms {ratio:9.2f}× {p['r'][0] * 1e3:12.1f}ms {p['r'][1] * 1e3:7.1f}ms "
                  f"{ratio_rows:9.2f}×", flush=True)  # fmt: skip
        print(f"worst p95 ratio: {worst:.2f}× against the page's SELECT, {worst_rows:.2f}× against reading every row"
              " it shows (aim: ≤ 2×)")  # fmt: skip
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
