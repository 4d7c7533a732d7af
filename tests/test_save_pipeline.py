"""The saves and starts sent ahead in the group commit's pipeline (PostgreSQL, issue 25): one
statement a save, the batch's statements in one round trip, and the same outcomes as the two-step
path — the refusals in their order, a stale hint, a failing statement inside the pipeline."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from app import driver_statements, timeutil
from app.auth import token_cache
from app.auth.models import ApiToken
from app.exams import attempts as attempts_module
from app.exams import paper_cache
from app.exams.group_commit import SaveFailed
from app.exams.models import Attempt
from app.exams.statements import checked_upsert
from app.extensions import db
from tests.conftest import USE_POSTGRES
from tests.test_exam_api import start
from tests.test_group_commit import insert, run_together, stored
from tests.test_sessions_fixtures import exam_setup_fixture  # noqa: F401  (fixture)

postgres_only = pytest.mark.skipif(not USE_POSTGRES, reason="psycopg's pipeline (make test-postgres)")


@pytest.fixture(autouse=True)
def empty_token_cache():
    token_cache.invalidate()
    yield
    token_cache.invalidate()


@pytest.fixture
def sent(monkeypatch) -> list:
    """Every statement sent ahead (driver_statements.send), in order."""
    seen: list = []
    real = driver_statements.send

    def recording(connection, statement, values):
        seen.append(statement)
        return real(connection, statement, values)

    monkeypatch.setattr(driver_statements, "send", recording)
    return seen


def send_insert(n: int):
    """A write that can be sent ahead: ``INSERT … RETURNING n`` in the pipeline, finished to ``n``."""

    def send(connection):
        statement = text("INSERT INTO gc_probe (n) VALUES (:n) RETURNING n").columns(n=db.Integer)
        done = driver_statements.send(connection, statement, {"n": n})
        return lambda: done.first().n

    return send


@postgres_only
def test_writes_sent_ahead_are_committed_with_their_results(app, probe):
    outcomes = run_together(probe, [(insert(n), send_insert(n)) for n in range(1, 9)])
    assert outcomes == list(range(1, 9))
    assert stored(app) == list(range(1, 9))


@postgres_only
def test_a_statement_failing_in_the_pipeline_fails_only_its_own_write(app, probe):
    """100 is taken: the pipeline's error rolls the batch back; each write is then tried alone with
    its ``work`` (no pipeline), so only the duplicate gets 503 — a lone batch too."""
    with app.app_context():
        probe.run(insert(100))
    jobs = [(insert(n), send_insert(n)) for n in (1, 2, 100, 3)]
    outcomes = run_together(probe, jobs)
    assert outcomes[0] == 1 and outcomes[1] == 2 and outcomes[3] == 3
    assert isinstance(outcomes[2], SaveFailed) and outcomes[2].status == 503
    with app.app_context():
        alone = probe.run(insert(5), send_insert(100))  # sent ahead, fails; then its work runs: 5
    assert alone == 5
    assert stored(app) == [1, 2, 3, 5, 100]


def test_sqlite_never_sends_ahead(app, probe):
    if USE_POSTGRES:
        pytest.skip("SQLite's path")

    def never(connection):
        raise AssertionError("sent ahead on SQLite")

    assert run_together(probe, [(insert(1), never), (insert(2), never)]) == [1, 2]


def first_judge(body):
    return next(q for q in body["questions"] if q["type"] == "judge")


@postgres_only
def test_a_save_after_the_start_is_one_statement_sent_ahead(app, client, token_for, exam_setup, sent):
    body, headers = start(client, token_for, exam_setup["sid"])
    aid, q = body["attempt_id"], first_judge(body)
    assert (
        client.put(f"/api/v1/attempts/{aid}/answers/{q['qid']}", json={"answer": True}, headers=headers).status_code
        == 200
    )
    assert sent[-1] is checked_upsert() and sent.count(checked_upsert()) == 1
    assert client.get(f"/api/v1/attempts/{aid}", headers=headers).get_json()["answers"] == {str(q["qid"]): True}
    # a cleared answer, sent ahead too, is stored as "not answered"
    assert (
        client.put(f"/api/v1/attempts/{aid}/answers/{q['qid']}", json={"answer": None}, headers=headers).status_code
        == 200
    )
    assert sent.count(checked_upsert()) == 2
    assert client.get(f"/api/v1/attempts/{aid}", headers=headers).get_json()["answers"] == {}


@postgres_only
def test_the_refusals_sent_ahead_are_those_of_the_two_step_save(app, client, token_for, exam_setup, sent):
    body, headers = start(client, token_for, exam_setup["sid"])
    aid, q = body["attempt_id"], first_judge(body)
    url = f"/api/v1/attempts/{aid}/answers/{q['qid']}"
    # an answer that does not fit the question is not sent ahead: the two-step save names the field
    bad = client.put(url, json={"answer": ["A", "B"]}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["details"]["field"] == "answer"
    assert checked_upsert() not in sent  # (the start was sent ahead: its insert and sum)
    # another candidate's attempt: no hint for them, and the same 404 as ever
    other = token_for("stu2")
    assert client.put(url, json={"answer": True}, headers=other).status_code == 404
    # past the deadline, judged at arrival: 409 and nothing written
    with app.app_context():
        past = timeutil.utcnow() - timedelta(seconds=1)
        db.session.execute(update(Attempt).where(Attempt.id == aid).values(deadline=past))
        db.session.commit()
    late = client.put(url, json={"answer": True}, headers=headers)
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "past_deadline"
    assert sent.count(checked_upsert()) == 1
    with app.app_context():
        db.session.execute(update(Attempt).where(Attempt.id == aid).values(deadline=past + timedelta(hours=1)))
        db.session.commit()
    # a token revoked elsewhere: 401, forgotten by this process
    assert client.put(url, json={"answer": True}, headers=headers).status_code == 200
    with app.app_context():
        db.session.execute(db.delete(ApiToken).where(ApiToken.user_id == db.session.get(Attempt, aid).user_id))
        db.session.commit()
    assert client.put(url, json={"answer": False}, headers=headers).status_code == 401
    fresh = token_for("stu1")
    assert client.get(f"/api/v1/attempts/{aid}", headers=fresh).get_json()["answers"] == {str(q["qid"]): True}
    # after the submit: 409 attempt_closed, the answer kept
    assert client.post(f"/api/v1/attempts/{aid}/submit", headers=fresh).status_code == 200
    closed = client.put(url, json={"answer": False}, headers=fresh)
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "attempt_closed"
    assert client.get(f"/api/v1/attempts/{aid}", headers=fresh).get_json()["answers"] == {str(q["qid"]): True}


@postgres_only
def test_a_stale_hint_is_met_by_the_two_step_save(app, client, token_for, exam_setup, sent, monkeypatch):
    """The hint names another paper (as after a cache of another database): the statement refuses to
    write, and the save is made by the check and the upsert against the attempt's own paper."""
    body, headers = start(client, token_for, exam_setup["sid"])
    aid, q = body["attempt_id"], first_judge(body)
    with app.app_context():
        cache = paper_cache.cache()
        real = db.session.get(Attempt, aid)
        paper = cache.get(db.session.connection(), real.paper_id)
        cache._papers[10**9] = paper  # the same questions under a paper id the attempt does not have
        cache.note_attempt(aid, real.user_id, 10**9)
    two_step = []
    monkeypatch.setattr(attempts_module, "_write_answer", lambda *a: two_step.append(a) or real_write(*a), raising=True)
    response = client.put(f"/api/v1/attempts/{aid}/answers/{q['qid']}", json={"answer": False}, headers=headers)
    assert response.status_code == 200
    assert sent.count(checked_upsert()) == 1 and len(two_step) == 1
    assert client.get(f"/api/v1/attempts/{aid}", headers=headers).get_json()["answers"] == {str(q["qid"]): False}


real_write = attempts_module._write_answer


@postgres_only
def test_saves_arriving_together_are_all_stored_and_the_later_arrival_wins(app, token_for, exam_setup, sent):
    clients = {name: app.test_client() for name in ("stu1", "stu2")}
    bodies = {}
    for name, client in clients.items():
        bodies[name] = start(client, token_for, exam_setup["sid"], name)
    results = []

    def save(name, qid, answer):
        body, headers = bodies[name]
        response = app.test_client().put(
            f"/api/v1/attempts/{body['attempt_id']}/answers/{qid}", json={"answer": answer}, headers=headers
        )
        results.append(response.status_code)

    judges = {name: [q["qid"] for q in body[0]["questions"] if q["type"] == "judge"] for name, body in bodies.items()}
    threads = [threading.Thread(target=save, args=(name, qid, True)) for name in judges for qid in judges[name]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [200] * len(threads) and len(threads) >= 4
    for name, (body, headers) in bodies.items():
        answers = app.test_client().get(f"/api/v1/attempts/{body['attempt_id']}", headers=headers).get_json()["answers"]
        assert answers == {str(qid): True for qid in judges[name]}
