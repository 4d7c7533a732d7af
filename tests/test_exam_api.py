"""The machine exam through the API: window, deadline and extension, 404/409, no key, scoring, auto-close."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from app import timeutil
from app.exams.attempts import sweep
from app.exams.models import Attempt
from app.extensions import db
from app.sessions.models import ExamSession
from tests.test_sessions_fixtures import ITEMS, exam_setup_fixture  # noqa: F401  (fixture)

KEYS = {stem: (kind, options, answer) for kind, stem, options, answer, _ in ITEMS}


def at(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(timeutil, "utcnow", lambda: moment)


def window(app, sid) -> tuple[datetime, datetime]:
    with app.app_context():
        session = db.session.get(ExamSession, sid)
        return session.theory_start, session.theory_end


def start(client, token_for, sid, username="stu1"):
    headers = token_for(username)
    response = client.post(f"/api/v1/sessions/{sid}/attempt", headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json(), headers


def correct_letter(question: dict):
    """The right answer in this candidate's letters, found through the option texts."""
    kind, options, answer = KEYS[question["stem"]]
    if kind == "judge":
        return answer
    shown = question["options"]
    if kind == "single":
        return "ABCD"[shown.index(options["ABCD".index(answer)])]
    return sorted("ABCD"[shown.index(options["ABCD".index(a)])] for a in answer)


def test_attempt_has_own_order_and_no_key(client, token_for, exam_setup):
    body, _ = start(client, token_for, exam_setup["sid"])
    assert body["deadline"] and body["attempt_id"]
    assert len(body["questions"]) == len(ITEMS)
    for q in body["questions"]:
        assert set(q) == {"qid", "type", "stem", "options", "points"}
        assert sorted(q["options"]) == sorted(KEYS[q["stem"]][1])
    text = json.dumps(body, ensure_ascii=False)
    assert '"answer"' not in text and "key" not in text
    other, _ = start(client, token_for, exam_setup["sid"], "stu2")
    first = [(q["qid"], q["options"]) for q in body["questions"]]
    second = [(q["qid"], q["options"]) for q in other["questions"]]
    assert first != second  # shuffled per candidate
    again, _ = start(client, token_for, exam_setup["sid"])
    assert again["attempt_id"] == body["attempt_id"]
    assert [(q["qid"], q["options"]) for q in again["questions"]] == first  # reproducible


def test_save_resume_submit_and_score(client, token_for, exam_setup):
    body, headers = start(client, token_for, exam_setup["sid"])
    aid = body["attempt_id"]
    for q in body["questions"]:
        r = client.put(
            f"/api/v1/attempts/{aid}/answers/{q['qid']}", json={"answer": correct_letter(q)}, headers=headers
        )
        assert r.status_code == 200 and r.get_json()["saved_at"]
    again, _ = start(client, token_for, exam_setup["sid"])
    assert again["answers"] == {str(q["qid"]): correct_letter(q) for q in body["questions"]}
    status = client.get(f"/api/v1/attempts/{aid}", headers=headers).get_json()
    assert status["status"] == "in_progress" and status["score"] is None
    assert client.post(f"/api/v1/attempts/{aid}/submit", headers=headers).get_json()["status"] == "submitted"
    done = client.get(f"/api/v1/attempts/{aid}", headers=headers).get_json()
    assert done["status"] == "submitted" and done["score"] == pytest.approx(100.0)
    q = body["questions"][0]
    late = client.put(f"/api/v1/attempts/{aid}/answers/{q['qid']}", json={"answer": correct_letter(q)}, headers=headers)
    assert late.status_code == 409
    assert client.post(f"/api/v1/attempts/{aid}/submit", headers=headers).status_code == 409
    assert client.post(f"/api/v1/sessions/{exam_setup['sid']}/attempt", headers=headers).status_code == 409


def test_multiple_partial_scores_zero(client, token_for, exam_setup):
    body, headers = start(client, token_for, exam_setup["sid"])
    aid = body["attempt_id"]
    earned = 0
    total = sum(q["points"] for q in body["questions"])
    for q in body["questions"]:
        answer = correct_letter(q)
        if q["type"] == "multiple":
            answer = answer[:2]  # two of the three right letters: no partial credit
        else:
            earned += q["points"]
        assert (
            client.put(
                f"/api/v1/attempts/{aid}/answers/{q['qid']}", json={"answer": answer}, headers=headers
            ).status_code
            == 200
        )
    client.post(f"/api/v1/attempts/{aid}/submit", headers=headers)
    score = client.get(f"/api/v1/attempts/{aid}", headers=headers).get_json()["score"]
    assert score == pytest.approx(earned / total * 100)  # 8 / 12 × 100


def test_other_candidates_attempt_is_404(client, token_for, exam_setup):
    body, _ = start(client, token_for, exam_setup["sid"])
    aid, qid = body["attempt_id"], body["questions"][0]["qid"]
    intruder = token_for("stu2")
    assert client.get(f"/api/v1/attempts/{aid}", headers=intruder).status_code == 404
    assert (
        client.put(f"/api/v1/attempts/{aid}/answers/{qid}", json={"answer": True}, headers=intruder).status_code == 404
    )
    assert client.post(f"/api/v1/attempts/{aid}/submit", headers=intruder).status_code == 404
    assert client.get("/api/v1/attempts/999999", headers=intruder).status_code == 404


def test_invalid_answers_are_422_and_change_nothing(client, token_for, exam_setup):
    body, headers = start(client, token_for, exam_setup["sid"])
    aid = body["attempt_id"]
    single = next(q for q in body["questions"] if q["type"] == "single")
    r = client.put(f"/api/v1/attempts/{aid}/answers/{single['qid']}", json={"answer": "E"}, headers=headers)
    assert r.status_code == 422 and r.get_json()["error"]["details"]["field"] == "answer"
    r = client.put(
        f"/api/v1/attempts/{aid}/answers/{single['qid']}", data="{", headers=headers, content_type="application/json"
    )
    assert r.status_code == 400
    assert client.get(f"/api/v1/attempts/{aid}", headers=headers).get_json()["answers"] == {}


def test_deadline_extension_and_409_after(app, client, token_for, exam_setup, monkeypatch):
    sid = exam_setup["sid"]
    body, headers = start(client, token_for, sid)
    aid, q = body["attempt_id"], body["questions"][0]
    _, end = window(app, sid)
    at(monkeypatch, end - timedelta(seconds=1))
    assert (
        client.put(
            f"/api/v1/attempts/{aid}/answers/{q['qid']}", json={"answer": correct_letter(q)}, headers=headers
        ).status_code
        == 200
    )
    # a proctor of the room grants 10 minutes, with a reason
    r = client.post(
        f"/api/v1/sessions/{sid}/candidates/stu1/extension",
        json={"minutes": 10, "reason": "电脑故障"},
        headers=token_for("proc1"),
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["by"] == "proc1"
    at(monkeypatch, end + timedelta(minutes=9, seconds=59))
    assert (
        client.put(
            f"/api/v1/attempts/{aid}/answers/{q['qid']}", json={"answer": correct_letter(q)}, headers=headers
        ).status_code
        == 200
    )
    at(monkeypatch, end + timedelta(minutes=10))
    late = client.put(f"/api/v1/attempts/{aid}/answers/{q['qid']}", json={"answer": correct_letter(q)}, headers=headers)
    assert late.status_code == 409
    # stu2 had no extension: the window end is their deadline and a late start is refused
    assert client.post(f"/api/v1/sessions/{sid}/attempt", headers=token_for("stu2")).status_code == 409


def test_left_open_attempt_is_closed_and_scored_with_saved_answers(app, client, token_for, exam_setup, monkeypatch):
    sid = exam_setup["sid"]
    body, headers = start(client, token_for, sid)
    aid = body["attempt_id"]
    answered = [q for q in body["questions"] if q["type"] != "multiple"]
    for q in answered:
        client.put(f"/api/v1/attempts/{aid}/answers/{q['qid']}", json={"answer": correct_letter(q)}, headers=headers)
    _, end = window(app, sid)
    at(monkeypatch, end + timedelta(minutes=1))
    view = client.get(f"/api/v1/attempts/{aid}", headers=headers).get_json()
    assert view["status"] == "submitted"
    assert len(view["answers"]) == len(answered)  # nothing blanked (MDL-43733, WeBWorK #1208)
    assert view["score"] == pytest.approx(sum(q["points"] for q in answered) / 12 * 100)
    # never reopened (SAM-2909)
    assert client.post(f"/api/v1/sessions/{sid}/attempt", headers=headers).status_code == 409


def test_sweep_closes_abandoned_attempts(app, client, token_for, exam_setup, monkeypatch):
    body, headers = start(client, token_for, exam_setup["sid"])
    q = body["questions"][0]
    client.put(
        f"/api/v1/attempts/{body['attempt_id']}/answers/{q['qid']}", json={"answer": correct_letter(q)}, headers=headers
    )
    _, end = window(app, exam_setup["sid"])
    with app.app_context():
        assert sweep(end - timedelta(seconds=1)) == 0
        assert sweep(end) == 1
        db.session.commit()
        attempt = db.session.get(Attempt, body["attempt_id"])
        assert attempt.status.value == "submitted" and attempt.close_reason.value == "deadline"
        assert attempt.points_earned == q["points"]


def test_attempt_window_and_enrolment(app, client, token_for, make_user, exam_setup, monkeypatch):
    sid = exam_setup["sid"]
    begin, _ = window(app, sid)
    at(monkeypatch, begin - timedelta(seconds=1))
    assert client.post(f"/api/v1/sessions/{sid}/attempt", headers=token_for("stu1")).status_code == 409
    monkeypatch.undo()
    make_user("outsider")
    assert client.post(f"/api/v1/sessions/{sid}/attempt", headers=token_for("outsider")).status_code == 403
    assert client.post("/api/v1/sessions/99999/attempt", headers=token_for("outsider")).status_code == 404
    assert client.post(f"/api/v1/sessions/{sid}/attempt", headers=token_for("proc1")).status_code == 403


def test_proctor_permissions_and_log(client, token_for, make_user, exam_setup):
    sid = exam_setup["sid"]
    body, _ = start(client, token_for, sid)
    make_user("admin_other", "center_admin", center="另一家机构")
    make_user("proc_other", "proctor", center="另一家机构")
    url = f"/api/v1/sessions/{sid}/candidates/stu1"
    assert client.post(f"{url}/incidents", json={"reason": "夹带"}, headers=token_for("proc2")).status_code == 403
    assert client.post(f"{url}/incidents", json={"reason": "夹带"}, headers=token_for("admin_other")).status_code == 404
    assert client.post(f"{url}/incidents", json={"reason": "夹带"}, headers=token_for("proc_other")).status_code == 404
    assert client.post(f"{url}/incidents", json={"reason": ""}, headers=token_for("proc1")).status_code == 422
    assert client.post(f"{url}/incidents", json={"reason": "夹带小抄"}, headers=token_for("proc1")).status_code == 201
    assert (
        client.post(f"{url}/extension", json={"minutes": 0, "reason": "x"}, headers=token_for("proc1")).status_code
        == 422
    )
    r = client.post(f"{url}/force-close", json={"reason": "严重违纪"}, headers=token_for("admin1"))
    assert r.status_code == 200 and r.get_json()["status"] == "submitted"
    assert client.post(f"{url}/force-close", json={"reason": "再次"}, headers=token_for("proc1")).status_code == 409
    status = client.get(f"/api/v1/rooms/{exam_setup['room']}/status", headers=token_for("proc1")).get_json()
    row = next(c for c in status["candidates"] if c["username"] == "stu1")
    assert row["state"] == "submitted"
    assert [(a["kind"], a["by"]) for a in row["actions"]] == [("incident", "proc1"), ("force_close", "admin1")]
    assert all(a["at"] for a in row["actions"])
    other = next(c for c in status["candidates"] if c["username"] == "stu2")
    assert other["state"] == "not_started" and other["answered"] == 0
    assert client.get(f"/api/v1/rooms/{exam_setup['room']}/status", headers=token_for("proc2")).status_code == 403
    assert body["attempt_id"]


def test_time_is_stamped_in_utc_with_offset(client, token_for, exam_setup):
    body, headers = start(client, token_for, exam_setup["sid"])
    q = body["questions"][0]
    saved = client.put(
        f"/api/v1/attempts/{body['attempt_id']}/answers/{q['qid']}", json={"answer": correct_letter(q)}, headers=headers
    ).get_json()["saved_at"]
    parsed = datetime.fromisoformat(saved)
    assert parsed.tzinfo is not None
    assert abs(parsed - datetime.now(timezone.utc)) < timedelta(seconds=30)


def test_clearing_an_answer(client, token_for, exam_setup):
    body, headers = start(client, token_for, exam_setup["sid"])
    aid, q = body["attempt_id"], body["questions"][0]
    url = f"/api/v1/attempts/{aid}/answers/{q['qid']}"
    assert client.put(url, json={"answer": correct_letter(q)}, headers=headers).status_code == 200
    assert client.put(url, json={"answer": None}, headers=headers).status_code == 200
    assert client.get(f"/api/v1/attempts/{aid}", headers=headers).get_json()["answers"] == {}
    assert client.put(url, json={}, headers=headers).status_code == 422


def test_extension_granted_before_the_start_counts(app, client, token_for, exam_setup, monkeypatch):
    sid = exam_setup["sid"]
    r = client.post(
        f"/api/v1/sessions/{sid}/candidates/stu2/extension",
        json={"minutes": 15, "reason": "迟到补时"},
        headers=token_for("proc1"),
    )
    assert r.status_code == 201
    _, end = window(app, sid)
    at(monkeypatch, end + timedelta(minutes=5))  # the window has ended, stu2's own deadline has not
    body, _ = start(client, token_for, sid, "stu2")
    assert abs(datetime.fromisoformat(body["deadline"]) - (end + timedelta(minutes=15))) < timedelta(milliseconds=1)


def test_close_expired_cli(app, client, token_for, exam_setup, monkeypatch):
    body, headers = start(client, token_for, exam_setup["sid"])
    _, end = window(app, exam_setup["sid"])
    at(monkeypatch, end + timedelta(seconds=1))
    result = app.test_cli_runner().invoke(args=["exams", "close-expired"])
    assert result.exit_code == 0 and "已收卷 1 份" in result.output
    monkeypatch.undo()
    with app.app_context():
        assert db.session.get(Attempt, body["attempt_id"]).status.value == "submitted"


def test_no_candidate_response_before_the_end_reveals_a_key(client, token_for, exam_setup):
    """Every body a candidate receives while the attempt runs: no key field, no key value pattern."""
    headers = token_for("stu1")
    bodies = []
    first = client.post(f"/api/v1/sessions/{exam_setup['sid']}/attempt", headers=headers)
    bodies.append(first.get_data(True))
    body = first.get_json()
    for q in body["questions"]:
        bodies.append(
            client.put(
                f"/api/v1/attempts/{body['attempt_id']}/answers/{q['qid']}",
                json={"answer": correct_letter(q)},
                headers=headers,
            ).get_data(True)
        )
    bodies.append(client.get(f"/api/v1/attempts/{body['attempt_id']}", headers=headers).get_data(True))
    bodies.append(client.post(f"/api/v1/sessions/{exam_setup['sid']}/attempt", headers=headers).get_data(True))
    for text in bodies:
        assert '"answer"' not in text and '"key"' not in text and "correct" not in text
    assert json.loads(bodies[-2])["score"] is None
