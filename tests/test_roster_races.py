"""准考证号 after a removal (issue 11): the ticket's sequence comes from the session's own counter
(``exam_sessions.last_ticket``, read and moved under the session's row lock), never from a count of
the roster — a count handed the next candidate a ticket still held (500 on the unique ticket_no), and
max()+1 would hand out again the number of a candidate removed after their ticket was printed.
Threads against a file-backed SQLite (and PostgreSQL under ``make test-postgres``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app import assessment
from app.auth.models import User
from app.extensions import db
from app.sessions import enrolment as session_ops
from app.sessions.models import Enrollment, ExamSession
from tests.test_decision_races import slowed, together
from tests.test_sessions_fixtures import LEVEL, STANDARD, approved, session_body


def test_after_a_removal_two_enrolments_at_once_get_new_tickets(app, client, make_user, token_for, monkeypatch):
    """Before the fix both answered 500 (UNIQUE session_candidates.ticket_no): the count after the
    removal gave the next candidate the ticket of one still enrolled."""
    make_user("admin1", "center_admin")
    admin = token_for("admin1")
    names = ["s1", "s2", "s3", "s4"]
    allowed = approved(monkeypatch)
    for name in names:
        make_user(name)
        with app.app_context():
            allowed.add((db.session.scalar(select(User.id).where(User.username == name)), STANDARD, LEVEL))
    start = datetime.now(timezone.utc) + timedelta(days=3)
    sid = client.post("/api/v1/sessions", json=session_body(start=start), headers=admin).get_json()["id"]
    url = f"/api/v1/sessions/{sid}/candidates"
    for name in ("s1", "s2"):
        assert client.post(url, json={"username": name, "room": None}, headers=admin).status_code == 201
    with app.app_context():
        session = db.session.get(ExamSession, sid)
        first = db.session.scalar(select(Enrollment).where(Enrollment.ticket_no.like("%0001")))
        removed_ticket = first.ticket_no
        session_ops.remove_candidate(session, first.id)
        db.session.commit()
    slowed(monkeypatch, assessment, "carry_for")  # after the ticket's number was taken, before the insert
    responses = together(
        *[
            lambda name=name: app.test_client().post(url, json={"username": name, "room": None}, headers=admin)
            for name in ("s3", "s4")
        ]
    )
    assert [r.status_code for r in responses] == [201, 201], [r.get_json() for r in responses]
    with app.app_context():
        tickets = sorted(db.session.scalars(select(Enrollment.ticket_no).where(Enrollment.session_id == sid)))
    assert [t[-4:] for t in tickets] == ["0002", "0003", "0004"]  # 0001 was removed and is never handed out again
    assert removed_ticket not in tickets
    assert client.post(url, json={"username": "s1", "room": None}, headers=admin).get_json()["ticket_no"][-4:] == "0005"
