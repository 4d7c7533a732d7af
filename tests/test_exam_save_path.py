"""The cheap save and start paths (issue 12): what a save and a start send to the database, the
token cache and its invalidation, the paper cache, and a start pressed twice at once."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, event, select, update

from app import timeutil
from app.auth import token_cache
from app.auth.models import ApiToken, User
from app.exams.models import Attempt
from app.extensions import db
from tests.test_exam_api import start
from tests.test_sessions_fixtures import exam_setup_fixture  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def empty_token_cache():
    token_cache.invalidate()
    token_cache.forget_refill()  # the first miss of each test loads the hall's tokens
    yield
    token_cache.invalidate()


class Statements:
    """Every SQL statement the app sends while active (BEGIN, SET and pool pings left out)."""

    def __init__(self, app):
        self.app, self.seen = app, []

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if not re.match(r"\s*(BEGIN|SET|SELECT 1\b)", statement):
            self.seen.append(" ".join(statement.split()))


def test_a_save_is_one_read_and_one_write_without_the_layout_or_an_update(app, client, token_for, exam_setup):
    body, headers = start(client, token_for, exam_setup["sid"])
    aid, qid = body["attempt_id"], body["questions"][0]["qid"]
    url = f"/api/v1/attempts/{aid}/answers/{qid}"
    answer = True if body["questions"][0]["type"] == "judge" else ["A", "B"]
    if body["questions"][0]["type"] == "single":
        answer = "A"
    assert client.put(url, json={"answer": answer}, headers=headers).status_code == 200  # token now cached
    with Statements(app) as statements:
        assert client.put(url, json={"answer": answer}, headers=headers).status_code == 200
    reads = [s for s in statements.seen if s.startswith("SELECT")]
    writes = [s for s in statements.seen if not s.startswith("SELECT")]
    assert len(reads) == 1 and len(writes) == 1, statements.seen
    assert "FROM attempts" in reads[0] and "layout" not in reads[0]
    assert "api_tokens" in reads[0]  # the token is checked again inside the write
    assert writes[0].startswith("INSERT INTO attempt_answers")
    assert not any(s.startswith("UPDATE attempts") for s in statements.seen)  # last contact = saved_at


def test_a_revoked_token_cannot_save_even_when_cached(app, client, token_for, exam_setup):
    """Revocation elsewhere (another worker process, another server) does not go through this
    process's cache: the write itself refuses the token."""
    body, headers = start(client, token_for, exam_setup["sid"])
    aid, q = body["attempt_id"], next(q for q in body["questions"] if q["type"] == "judge")
    url = f"/api/v1/attempts/{aid}/answers/{q['qid']}"
    assert client.put(url, json={"answer": True}, headers=headers).status_code == 200
    assert token_cache.size() == 1
    with app.app_context():
        db.session.execute(delete(ApiToken))  # as DELETE /auth/token in another process would
        db.session.commit()
    response = client.put(url, json={"answer": False}, headers=headers)
    assert response.status_code == 401
    assert token_cache.size() == 0  # and this process forgets it at once
    again = client.post(f"/api/v1/sessions/{exam_setup['sid']}/attempt", headers=headers)
    assert again.status_code == 401
    fresh = token_for("stu1")
    assert client.get(f"/api/v1/attempts/{aid}", headers=fresh).get_json()["answers"] == {str(q["qid"]): True}


def test_a_deactivated_candidate_cannot_save_or_start(app, client, token_for, exam_setup):
    body, headers = start(client, token_for, exam_setup["sid"])
    other = token_for("stu2")
    aid, q = body["attempt_id"], next(q for q in body["questions"] if q["type"] == "judge")
    url = f"/api/v1/attempts/{aid}/answers/{q['qid']}"
    assert client.put(url, json={"answer": True}, headers=headers).status_code == 200
    with app.app_context():
        db.session.execute(update(User).where(User.username.in_(["stu1", "stu2"])).values(active=False))
        db.session.commit()
    assert client.put(url, json={"answer": False}, headers=headers).status_code == 401
    assert client.post(f"/api/v1/sessions/{exam_setup['sid']}/attempt", headers=other).status_code == 401


def test_invalidate_forgets_a_token_or_a_user():
    now = timeutil.utcnow()
    later = now + timedelta(hours=1)
    token_cache.remember(token_cache.Principal(1, "candidate", later, "d1"))
    token_cache.remember(token_cache.Principal(1, "candidate", later, "d2"))
    token_cache.remember(token_cache.Principal(2, "candidate", later, "d3"))
    token_cache.remember(token_cache.Principal(3, "candidate", now, "expired"))
    assert token_cache.lookup("expired", now) is None  # expiry is exact: at expires_at it is gone
    token_cache.invalidate(digest="d3")
    assert token_cache.lookup("d3", now) is None and token_cache.lookup("d1", now).id == 1
    token_cache.invalidate(user_id=1)
    assert token_cache.lookup("d1", now) is None and token_cache.lookup("d2", now) is None


def test_a_start_is_one_read_and_one_insert_and_reads_each_paper_once(app, client, token_for, exam_setup):
    """stu1 and stu2 sit different forms (papers): each paper is read once, on its first start."""
    start(client, token_for, exam_setup["sid"], "stu1")
    headers = token_for("stu2")
    with Statements(app) as statements:
        response = client.post(f"/api/v1/sessions/{exam_setup['sid']}/attempt", headers=headers)
    assert response.status_code == 201
    writes = [s for s in statements.seen if not s.startswith("SELECT")]
    assert [w.split()[:3] for w in writes] == [["INSERT", "INTO", "attempts"]]  # with its layout
    reads = [s for s in statements.seen if s.startswith("SELECT")]
    # the token (first use: read now, so not checked twice); the session, enrolment, attempt and
    # extensions in one; the paper (first start of this form). The insert sums the extensions again
    # (one granted meanwhile counts): in its RETURNING on SQLite, in a SELECT of its own on PostgreSQL
    # (whose RETURNING would see the snapshot taken before the insert waited for the grant's lock).
    postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    assert len(reads) == (4 if postgres else 3), reads
    if postgres:
        assert "FROM proctor_actions" in reads[-1]
    assert sum("FROM paper_items" in r for r in reads) == 1
    with Statements(app) as statements:
        for name in ("stu1", "stu2"):  # re-entering: the same attempts, from the cache
            again = client.post(f"/api/v1/sessions/{exam_setup['sid']}/attempt", headers=token_for(name))
            assert again.status_code == 201 and len(again.get_json()["questions"]) == 5
    assert not any("FROM paper_items" in s for s in statements.seen)
    assert app.extensions["paper_cache"].loads == 2


def test_the_first_press_loads_the_halls_tokens_and_the_next_start_reads_none(app, client, token_for, exam_setup):
    """Issue 25: at the spike a worker's first miss loads every token of the candidates sitting today
    in one query; the next candidate's start then reads no token of its own — its token is checked
    inside the write instead (in the insert itself on PostgreSQL)."""
    first, second = token_for("stu1"), token_for("stu2")
    with Statements(app) as statements:
        assert client.post(f"/api/v1/sessions/{exam_setup['sid']}/attempt", headers=first).status_code == 201
    assert sum("FROM api_tokens JOIN users" in s and "session_candidates" in s for s in statements.seen) == 1, (
        statements.seen
    )
    assert token_cache.size() == 2
    with Statements(app) as statements:
        response = client.post(f"/api/v1/sessions/{exam_setup['sid']}/attempt", headers=second)
    assert response.status_code == 201
    assert not any(s.startswith("SELECT users.id, users.role") for s in statements.seen), statements.seen
    postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    insert = next(s for s in statements.seen if s.startswith("INSERT INTO attempts"))
    if postgres:
        assert "api_tokens" in insert  # the token's check is the insert's own condition
    else:
        assert sum("api_tokens" in s for s in statements.seen) == 1  # a check of its own, in the write


def test_a_token_revoked_after_the_halls_load_cannot_start(app, client, token_for, exam_setup):
    first, second = token_for("stu1"), token_for("stu2")
    assert client.post(f"/api/v1/sessions/{exam_setup['sid']}/attempt", headers=first).status_code == 201
    assert token_cache.size() == 2  # stu2's token is cached now
    with app.app_context():
        stu2 = db.session.scalar(select(User.id).where(User.username == "stu2"))
        db.session.execute(delete(ApiToken).where(ApiToken.user_id == stu2))  # revoked in another process
        db.session.commit()
    assert client.post(f"/api/v1/sessions/{exam_setup['sid']}/attempt", headers=second).status_code == 401
    assert token_cache.size() == 1  # forgotten at once
    with app.app_context():
        assert db.session.scalar(select(Attempt.id).where(Attempt.user_id == stu2)) is None


def test_start_pressed_twice_at_once_gives_one_attempt(app, token_for, exam_setup):
    headers = token_for("stu1")
    results = []

    def press():
        results.append(app.test_client().post(f"/api/v1/sessions/{exam_setup['sid']}/attempt", headers=headers))

    threads = [threading.Thread(target=press) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [r.status_code for r in results] == [201] * 4
    assert len({r.get_json()["attempt_id"] for r in results}) == 1
    assert len({tuple(q["qid"] for q in r.get_json()["questions"]) for r in results}) == 1
    with app.app_context():
        assert len(db.session.scalars(select(Attempt)).all()) == 1


def test_room_status_counts_answers_and_last_contact_from_the_saves(app, client, token_for, exam_setup, monkeypatch):
    body, headers = start(client, token_for, exam_setup["sid"])
    aid = body["attempt_id"]
    judges = [q for q in body["questions"] if q["type"] == "judge"]
    for q in judges:
        assert client.put(f"/api/v1/attempts/{aid}/answers/{q['qid']}", json={"answer": True}, headers=headers)
    later = timeutil.utcnow() + timedelta(minutes=3)
    monkeypatch.setattr(timeutil, "utcnow", lambda: later)
    cleared = client.put(f"/api/v1/attempts/{aid}/answers/{judges[0]['qid']}", json={"answer": None}, headers=headers)
    assert cleared.status_code == 200
    status = client.get(f"/api/v1/rooms/{exam_setup['room']}/status", headers=token_for("proc1")).get_json()
    row = next(c for c in status["candidates"] if c["username"] == "stu1")
    assert row["answered"] == len(judges) - 1  # the cleared one is not answered
    assert row["last_contact"] == timeutil.iso(later)  # the last save is the last contact


def test_the_start_joins_each_question_encoded_once_into_exactly_the_json_of_its_fields():
    """The start's questions are joined from JSON text encoded once per paper (issue 12): for every
    option order, the text parses to the same questions as encoding the fields would — quotes,
    backslashes, line breaks and non-BMP characters in stems and options included — and no key."""
    import itertools
    import json

    from app.exams import paper_cache

    questions = (
        paper_cache.Question(7, "single", '引号"与\\反斜杠\n换行', ("甲", '乙"', "丙\\", "𠀀丁"), 2, "B"),
        paper_cache.Question(9, "judge", "判断：\t制表符与 </script>", (), 1, True),
    )
    paper = paper_cache.prepared(questions)
    for perm in itertools.permutations(range(4)):
        layout = [{"qid": 9, "type": "judge", "perm": []}, {"qid": 7, "type": "single", "perm": list(perm)}]
        shown = json.loads(paper.questions_json(layout))
        assert shown == [
            {"qid": 9, "type": "judge", "stem": questions[1].stem, "options": [], "points": 1},
            {
                "qid": 7,
                "type": "single",
                "stem": questions[0].stem,
                "options": [questions[0].options[i] for i in perm],
                "points": 2,
            },
        ]
    assert "answer" not in paper.questions_json(layout)
    for n in range(30):  # a start's own draw: its texts picked from those built with the paper
        drawn = paper.shapes.draw(f"enrollment-{n}")
        assert paper.drawn_questions_json(drawn) == paper.questions_json(drawn.entries)


def test_drawn_questions_are_those_of_the_stored_layout_for_any_number_of_options():
    """Up to 4 options each order's text is built with the paper; 5 and 6 are joined at the start,
    7 shuffled: the start's answer equals what re-entering (from the stored layout) shows."""
    import json

    from app.exams import paper_cache

    questions = tuple(
        paper_cache.Question(n, "multiple", f"第{n}题", tuple(f"选项{i}" for i in range(n)), 1, ["A"])
        for n in (3, 4, 5, 6, 7)
    ) + (paper_cache.Question(1, "judge", "判断", (), 1, True),)
    paper = paper_cache.prepared(questions)
    for n in range(50):
        drawn = paper.shapes.draw(f"enrollment-{n}")
        stored = json.loads(drawn.json())
        assert paper.drawn_questions_json(drawn) == paper.questions_json(stored)
        shown = json.loads(paper.drawn_questions_json(drawn))
        for question, entry in zip(shown, stored, strict=True):
            options = next(q.options for q in questions if q.qid == entry["qid"])
            assert question["options"] == [options[i] for i in entry["perm"]]
