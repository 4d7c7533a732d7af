"""Races on decisions, extensions and enrolments (issue 11, item 1), with real threads against a
file-backed SQLite (and PostgreSQL under ``make test-postgres``): two requests released together by a
barrier, each widened by a slow step between its check and its write, end in one consistent state.

- Two approvals, or an approval racing a rejection, of one application: one 200, the other 409.
- Two extensions granted at once to one candidate: both recorded and both move the deadline.
- Two enrolments of one candidate (409 for the second), or of two candidates into one room (each its
  own seat and ticket): never a 500.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import assessment, timeutil
from app.auth.models import User
from app.eligibility.models import Application, ApplicationStatus
from app.exams import attempts as exam_ops
from app.exams.models import Attempt, ProctorAction
from app.extensions import db
from app.sessions.models import Enrollment
from tests.test_eligibility_api import GOOD
from tests.test_exam_api import start
from tests.test_sessions_fixtures import approved, exam_setup_fixture  # noqa: F401  (fixture)


def together(*calls) -> list:
    """Run the calls in threads released at once by a barrier; their responses, in order."""
    barrier, boxes = threading.Barrier(len(calls)), [{} for _ in calls]

    def run(call, box):
        barrier.wait(10)
        box["response"] = call()

    threads = [threading.Thread(target=run, args=(call, box)) for call, box in zip(calls, boxes, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return [box["response"] for box in boxes]


def slowed(monkeypatch, owner, name: str, seconds: float = 0.3) -> None:
    """Each call of ``owner.name`` dawdles first: the window between a request's check and its write."""
    real = getattr(owner, name)

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, slow)


# ---------------------------------------------------------------- decisions


@pytest.fixture
def pending(app, client, make_user, token_for) -> dict:
    make_user("cand", center="甲中心")
    make_user("boss", role="center_admin", center="甲中心")
    make_user("root", role="admin")
    response = client.post(
        "/api/v1/applications",
        json={"standard": "3-01-01-04", "level": "四级", "candidate": GOOD},
        headers=token_for("cand"),
    )
    assert response.status_code == 201, response.get_json()
    return {"id": response.get_json()["id"], "boss": token_for("boss"), "root": token_for("root")}


@pytest.mark.parametrize("second", ["approve", "reject"])
def test_two_decisions_of_one_application_one_wins(app, pending, monkeypatch, second):
    """Before the fix both answered 200 (the later decision overwrote the earlier one)."""
    slowed(monkeypatch, Application, "transition")  # after the "already decided?" check
    url = f"/api/v1/applications/{pending['id']}"
    responses = together(
        lambda: app.test_client().post(f"{url}/approve", json={"reason": "材料齐全"}, headers=pending["boss"]),
        lambda: app.test_client().post(f"{url}/{second}", json={"reason": "复核意见"}, headers=pending["root"]),
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409], [r.get_json() for r in responses]
    winner = next(r for r in responses if r.status_code == 200).get_json()
    with app.app_context():
        stored = db.session.get(Application, pending["id"])
        assert stored.status.value == winner["status"]
        assert stored.decision_reason == winner["decision"]["reason"]
        assert stored.status in (ApplicationStatus.approved, ApplicationStatus.rejected)


# ---------------------------------------------------------------- extensions


def test_two_extensions_at_once_both_count(app, client, token_for, exam_setup, monkeypatch):
    """Before the fix both answered 201 and were recorded, but the deadline moved by one of them only."""
    sid = exam_setup["sid"]
    aid = start(client, token_for, sid)[0]["attempt_id"]
    with app.app_context():
        before = db.session.get(Attempt, aid).deadline
    slowed(monkeypatch, exam_ops, "close_if_expired")  # after the attempt was read, before its deadline moves
    url = f"/api/v1/sessions/{sid}/candidates/stu1/extension"
    responses = together(
        lambda: app.test_client().post(url, json={"minutes": 10, "reason": "电脑故障"}, headers=token_for("proc1")),
        lambda: app.test_client().post(url, json={"minutes": 15, "reason": "停电"}, headers=exam_setup["admin"]),
    )
    assert [r.status_code for r in responses] == [201, 201], [r.get_json() for r in responses]
    with app.app_context():
        recorded = db.session.scalars(select(ProctorAction.minutes).where(ProctorAction.minutes.is_not(None)))
        assert sorted(recorded) == [10, 15]
        assert db.session.get(Attempt, aid).deadline == before + timedelta(minutes=25)
    monkeypatch.undo()
    shown = client.get(f"/api/v1/attempts/{aid}", headers=token_for("stu1")).get_json()
    assert shown["deadline"] == timeutil.iso(before + timedelta(minutes=25))


@pytest.mark.parametrize("slow", ["start", "extension"])
def test_an_extension_racing_the_start_counts(app, client, token_for, exam_setup, monkeypatch, slow):
    """An extension granted to a candidate who is pressing 开始考试 at that moment moves the deadline.

    ``slow="start"``: the start dawdles between reading the extensions and writing the attempt, and the
    grant (no attempt yet) is recorded in that gap — before the fix the attempt was written with the
    deadline read before it, 10 minutes short. ``slow="extension"``: the grant dawdles after finding no
    attempt, and the start is written in that gap.
    """
    sid = exam_setup["sid"]
    candidate, proctor = token_for("stu1"), token_for("proc1")
    if slow == "start":
        slowed(monkeypatch, exam_ops.grading, "layout", 0.4)
    else:
        slowed(monkeypatch, exam_ops, "deadline_of", 0.4)
    url = f"/api/v1/sessions/{sid}/candidates/stu1/extension"

    def grant():
        return app.test_client().post(url, json={"minutes": 10, "reason": "座位调换"}, headers=proctor)

    def press():
        return app.test_client().post(f"/api/v1/sessions/{sid}/attempt", headers=candidate)

    def second_after(first, second):
        def run():
            time.sleep(0.15)  # arrives inside the first one's dawdle
            return second()

        return together(first, run)

    responses = second_after(press, grant) if slow == "start" else second_after(grant, press)
    assert sorted(r.status_code for r in responses) == [201, 201], [r.get_json() for r in responses]
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == _user_id("stu1")))
        session = attempt.enrollment.session
        assert attempt.deadline == session.theory_end + timedelta(minutes=10)
    monkeypatch.undo()
    shown = client.get(f"/api/v1/attempts/{attempt.id}", headers=candidate).get_json()
    assert shown["deadline"] == timeutil.iso(session.theory_end + timedelta(minutes=10))


def _user_id(username: str) -> int:
    return db.session.scalar(select(User.id).where(User.username == username))


# ---------------------------------------------------------------- enrolments


def _may_enrol(app, monkeypatch, exam_setup, *names) -> None:
    """Let these candidates be enrolled, with the session's clock moved on (it opened 5 minutes ago):
    otherwise the first request's write of the status would queue the second behind it by chance."""
    response = app.test_client().get(f"/api/v1/sessions/{exam_setup['sid']}", headers=exam_setup["admin"])
    assert response.get_json()["status"] == "theory_open"
    allowed = approved(monkeypatch)
    with app.app_context():
        for name in names:
            user_id = db.session.scalar(select(User.id).where(User.username == name))
            allowed.add((user_id, "3-01-01-04", "四级"))


def test_one_candidate_enrolled_twice_at_once_gets_409(app, make_user, exam_setup, monkeypatch):
    """Before the fix the second answered 500 (IntegrityError on the unique session + candidate)."""
    make_user("stu3")
    _may_enrol(app, monkeypatch, exam_setup, "stu3")
    slowed(monkeypatch, assessment, "carry_for")  # after the "already enrolled?" check, before the insert
    url, body = f"/api/v1/sessions/{exam_setup['sid']}/candidates", {"username": "stu3", "room": exam_setup["room"]}
    responses = together(
        *[lambda: app.test_client().post(url, json=body, headers=exam_setup["admin"]) for _ in range(2)]
    )
    assert sorted(r.status_code for r in responses) == [201, 409], [r.get_json() for r in responses]
    refused = next(r for r in responses if r.status_code == 409).get_json()
    assert refused["error"]["code"] == "already_enrolled"
    with app.app_context():
        count = select(func.count()).select_from(Enrollment).where(Enrollment.session_id == exam_setup["sid"])
        assert db.session.scalar(count) == 3


def test_two_candidates_into_one_room_at_once_get_a_seat_each(app, make_user, exam_setup, monkeypatch):
    """Before the fix one answered 500 (IntegrityError: the same seat and ticket for both)."""
    make_user("stu3")
    make_user("stu4")
    _may_enrol(app, monkeypatch, exam_setup, "stu3", "stu4")
    slowed(monkeypatch, assessment, "carry_for")  # after the next seat and ticket were read
    url = f"/api/v1/sessions/{exam_setup['sid']}/candidates"
    responses = together(
        *[
            lambda name=name: app.test_client().post(
                url, json={"username": name, "room": exam_setup["room"]}, headers=exam_setup["admin"]
            )
            for name in ("stu3", "stu4")
        ]
    )
    assert [r.status_code for r in responses] == [201, 201], [r.get_json() for r in responses]
    with app.app_context():
        rows = db.session.execute(
            select(Enrollment.seat, Enrollment.ticket_no).where(Enrollment.session_id == exam_setup["sid"])
        ).all()
    assert sorted(seat for seat, _ in rows) == [1, 2, 3, 4]  # stu1 and stu2 hold seats 1 and 2
    assert len({ticket for _, ticket in rows}) == 4
