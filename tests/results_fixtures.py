"""Factories for the results tests: a 3-01-01-04 四级 session (理论 + 操作, 1.9.2) with a theory room,
three graders, approved candidates and papers. Theory scores come from closed attempts (the rows
app/exams/component.py reads), practical scores through the practical API (three graders, the mean
of their totals, then finalize), and the theory window is moved into the past so the session can be
published."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app import timeutil
from app.auth.models import Center, User
from app.banks.models import Item
from app.exams.models import Attempt, AttemptStatus, CloseReason
from app.extensions import db
from app.papers.models import Paper
from app.results.certificates import save_settings
from app.sessions import enrolment as session_ops
from app.sessions.models import Enrollment, ExamSession
from tests.test_sessions_fixtures import approved, build_papers, session_body

FOUR = {"宣传讲解": 15, "会员发展": 25, "权益维护": 15, "履职监督": 10, "会籍管理": 15, "会员服务": 20}  # 4.2, 四级


def sections_for(total: float, weights: dict | None = None) -> dict:
    """A practical sheet totalling ``total``: each section filled in order up to its maximum (4.2)."""
    left, out = total, {}
    for area, maximum in (weights or FOUR).items():
        points = min(maximum, left)
        out[area] = round(points, 6)
        left = round(left - points, 6)
    assert left == 0
    return out


class Flow:
    def __init__(self, app, client, make_user, token_for, monkeypatch):
        self.app, self.client, self.make_user, self.token_for = app, client, make_user, token_for
        self.allowed = approved(monkeypatch)
        self.users: set[str] = set()
        self.papers: dict[tuple[str, str], list[int]] = {}
        make_user("admin1", "center_admin")
        self.admin = token_for("admin1")
        for n in (1, 2, 3):
            make_user(f"g{n}", "grader")
        for n in (1, 2):
            make_user(f"p{n}", "proctor")
        self.graders = {n: token_for(f"g{n}") for n in (1, 2, 3)}

    def certificate_settings(self, center: str = "测试评价中心") -> None:
        """The center's certificate number segments saved (publishing on the page needs them)."""
        with self.app.app_context():
            center_row = db.session.scalar(select(Center).where(Center.name == center))
            save_settings(
                center_row,
                {"kind": "S", "org_code": "0000", "province": "32", "org_serial": "000123", "platform_code": "TEST"},
            )
            db.session.commit()

    def user(self, username: str, name: str | None = None, level: str = "四级", standard: str = "3-01-01-04"):
        if username not in self.users:
            self.make_user(username, name=name)
            self.users.add(username)
        with self.app.app_context():
            user_id = db.session.scalar(select(User.id).where(User.username == username))
        self.allowed.add((user_id, standard, level))
        return username

    def session(self, candidates: list[str], *, standard: str = "3-01-01-04", level: str = "四级", **overrides) -> int:
        """A session started 5 minutes ago with the candidates enrolled and papers attached (``overrides``:
        more fields of the session's body, e.g. ``theory_mode``)."""
        body = session_body(standard=standard, level=level, **overrides)
        response = self.client.post("/api/v1/sessions", json=body, headers=self.admin)
        assert response.status_code == 201, response.get_json()
        sid = response.get_json()["id"]
        room = self.client.post(
            f"/api/v1/sessions/{sid}/rooms", json={"name": "A101", "capacity": 30, "kind": "theory"}, headers=self.admin
        ).get_json()["id"]
        for name in ("p1", "p2"):
            self.client.post(
                f"/api/v1/sessions/{sid}/staff",
                json={"username": name, "role": "proctor", "room": room},
                headers=self.admin,
            )
        for n in (1, 2, 3):
            self.client.post(
                f"/api/v1/sessions/{sid}/staff",
                json={"username": f"g{n}", "role": "grader", "room": None, "panel": None},
                headers=self.admin,
            )
        for username in candidates:
            self.user(username, level=level, standard=standard)
            r = self.client.post(
                f"/api/v1/sessions/{sid}/candidates", json={"username": username, "room": room}, headers=self.admin
            )
            assert r.status_code == 201, r.get_json()
        with self.app.app_context():
            session = db.session.get(ExamSession, sid)
            key = (standard, level)
            if key not in self.papers:  # the bank's items exist once: later sessions reuse the papers
                # build_papers names its items T-0…; earlier ones are renamed so that the names stay unique
                db.session.execute(
                    update(Item)
                    .where(Item.external_id.like("T-%"))
                    .values(external_id=Item.external_id + "-" + str(len(self.papers)))
                )
                self.papers[key] = [p.id for p in build_papers(2, standard=standard, level=level)]
            session_ops.attach_papers(session, [db.session.get(Paper, pid) for pid in self.papers[key]])
            db.session.commit()
        return sid

    def enrollment(self, sid: int, username: str) -> Enrollment:
        return db.session.scalar(
            select(Enrollment)
            .join(User, Enrollment.user_id == User.id)
            .where(Enrollment.session_id == sid, User.username == username)
        )

    def theory(self, sid: int, username: str, score: float) -> None:
        """A submitted attempt with this theory score (out of 100, not rounded)."""
        with self.app.app_context():
            e = self.enrollment(sid, username)
            now = timeutil.utcnow()
            db.session.add(
                Attempt(
                    enrollment_id=e.id,
                    session_id=sid,
                    user_id=e.user_id,
                    paper_id=e.paper_id,
                    layout=[],
                    status=AttemptStatus.submitted,
                    started_at=now - timedelta(minutes=3),
                    deadline=now + timedelta(hours=1),
                    closed_at=now,
                    close_reason=CloseReason.candidate,
                    points_earned=score,
                    points_total=100,
                    score=score,
                )
            )
            db.session.commit()

    def practical(self, sid: int, username: str, totals: tuple[float, float, float] | float) -> None:
        """Each of the three graders scores ``totals`` (one number: all three alike), then finalize."""
        if not isinstance(totals, tuple):
            totals = (totals, totals, totals)
        sheet = self.client.get(f"/api/v1/sessions/{sid}/practical/sheet", headers=self.graders[1]).get_json()
        weights = {s["area"]: s["max"] for s in sheet["sections"]}  # 4.2 of the session's level
        for n, total in zip((1, 2, 3), totals, strict=True):
            r = self.client.put(
                f"/api/v1/sessions/{sid}/practical/{username}",
                json={"sections": sections_for(total, weights)},
                headers=self.graders[n],
            )
            assert r.status_code == 200, r.get_json()
        r = self.client.post(
            f"/api/v1/sessions/{sid}/practical/{username}/finalize", json={"note": "核对无误"}, headers=self.admin
        )
        assert r.status_code == 200, r.get_json()

    def end_theory(self, sid: int) -> None:
        """Move the theory window into the past (as if the exam had been held three hours ago)."""
        with self.app.app_context():
            session = db.session.get(ExamSession, sid)
            session.theory_start = timeutil.utcnow() - timedelta(hours=3)
            db.session.commit()

    def publish(self, sid: int, headers: dict | None = None):
        return self.client.post(f"/api/v1/sessions/{sid}/publish", headers=headers or self.admin)

    def results(self, sid: int) -> dict:
        r = self.client.get(f"/api/v1/sessions/{sid}/results", headers=self.admin)
        assert r.status_code == 200, r.get_json()
        return {row["username"]: row for row in r.get_json()["results"]}


@pytest.fixture(name="flow")
def flow_fixture(app, client, make_user, token_for, monkeypatch) -> Flow:
    return Flow(app, client, make_user, token_for, monkeypatch)
