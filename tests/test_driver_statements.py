"""The hot statements on the driver's cursor (app/driver_statements.py): the same rows and the same
stored values as through SQLAlchemy, on SQLite and on PostgreSQL, and SQLAlchemy's own handling of
any error the driver meets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, exc, null, select

from app import driver_statements, timeutil
from app.auth.models import ApiToken, User
from app.exams.models import ActionKind, Answer, Attempt, AttemptStatus, ProctorAction
from app.exams.statements import save_statements, start_statements
from app.extensions import db
from app.sessions.models import Enrollment
from tests.test_exam_api import start
from tests.test_sessions_fixtures import exam_setup_fixture  # noqa: F401  (fixture)


def _started(app, client, token_for, exam_setup):
    body, headers = start(client, token_for, exam_setup["sid"])
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "stu1"))
        digest = db.session.scalar(select(ApiToken.digest).where(ApiToken.user_id == user.id))
        enrollment = db.session.scalar(select(Enrollment.id).where(Enrollment.user_id == user.id))
    return body, {"user_id": user.id, "digest": digest, "enrollment": enrollment}


def test_the_reads_give_the_rows_sqlalchemy_gives(app, client, token_for, exam_setup):
    body, who = _started(app, client, token_for, exam_setup)
    now = timeutil.utcnow()
    with app.app_context():
        connection = db.session.connection()
        dialect = connection.dialect.name
        # an extension, so that the summed minutes are not only the empty sum's 0
        proctor = db.session.scalar(select(User.id).where(User.username == "proc1"))
        db.session.add(
            ProctorAction(
                enrollment_id=who["enrollment"], kind=ActionKind.extension, minutes=7, reason="停电", actor_id=proctor
            )
        )
        db.session.flush()
        statements = start_statements(dialect)
        check, _ = save_statements(dialect)
        cases = [
            (statements.find, {"session_id": exam_setup["sid"], "user_id": who["user_id"]}),
            (statements.find, {"session_id": exam_setup["sid"], "user_id": 0}),  # not enrolled: NULL columns
            (statements.existing, {"enrollment": who["enrollment"]}),
            (check, {"attempt_id": body["attempt_id"], "user_id": who["user_id"], "digest": who["digest"], "now": now}),
            (check, {"attempt_id": body["attempt_id"], "user_id": who["user_id"], "digest": None, "now": now}),
            (check, {"attempt_id": body["attempt_id"], "user_id": who["user_id"], "digest": "x", "now": now}),
            (check, {"attempt_id": 0, "user_id": who["user_id"], "digest": None, "now": now}),  # no row
        ]
        if statements.extensions is not None:
            cases.append((statements.extensions, {"enrollment": who["enrollment"]}))
        for statement, values in cases:
            expected = connection.execute(statement, values).first()
            got = driver_statements.first(connection, statement, values)
            if expected is None:
                assert got is None
                continue
            assert tuple(got) == tuple(expected), statement
            assert [type(v) for v in got] == [type(v) for v in expected]
            assert got._fields == tuple(expected._fields) or statement is statements.extensions  # unlabelled
        found = driver_statements.first(connection, statements.find, cases[0][1])
        assert found.extra_minutes == 7 and found.theory_mode.value == "machine"  # enums, as SQLAlchemy reads them
        assert found.theory_start.tzinfo is not None  # the app's UTC datetimes, as SQLAlchemy reads them
        signed_in = driver_statements.first(connection, check, cases[3][1])
        assert signed_in.signed_in and signed_in.status is AttemptStatus.in_progress
        assert not driver_statements.first(connection, check, cases[5][1]).signed_in
        db.session.rollback()


def test_the_upsert_stores_what_sqlalchemy_stores(app, client, token_for, exam_setup):
    body, who = _started(app, client, token_for, exam_setup)
    aid = body["attempt_id"]
    qids = [q["qid"] for q in body["questions"]]
    now = timeutil.utcnow()
    with app.app_context():
        connection = db.session.connection()
        _, upsert = save_statements(connection.dialect.name)
        values = [["A", "C"], "B", True, null()]  # a cleared answer is SQL NULL, not JSON null
        for qid, value in zip(qids[:4], values, strict=True):
            driver_statements.first(
                connection, upsert, {"attempt_id": aid, "qid": qid, "value": value, "saved_at": now}
            )
        for qid, value in zip(qids[4:], values[:1], strict=True):
            connection.execute(upsert, {"attempt_id": aid, "qid": qid, "value": value, "saved_at": now})
        earlier = now - timedelta(seconds=1)  # an earlier arrival does not overwrite (the upsert's WHERE)
        driver_statements.first(
            connection, upsert, {"attempt_id": aid, "qid": qids[1], "value": "D", "saved_at": earlier}
        )
        db.session.commit()
        rows = {
            qid: (value, saved_at)
            for qid, value, saved_at in db.session.execute(
                select(Answer.qid, Answer.value, Answer.saved_at).where(Answer.attempt_id == aid)
            )
        }
        nulls = db.session.scalars(select(Answer.qid).where(Answer.attempt_id == aid, Answer.value.is_(None))).all()
    assert rows[qids[0]] == (["A", "C"], now) and rows[qids[4]] == (["A", "C"], now)
    assert rows[qids[1]][0] == "B" and rows[qids[2]][0] is True
    assert nulls == [qids[3]]


def test_the_insert_returns_the_attempt_and_a_conflict_returns_nothing(app, client, token_for, exam_setup):
    body, who = _started(app, client, token_for, exam_setup)
    now = timeutil.utcnow()
    with app.app_context():
        connection = db.session.connection()
        statements = start_statements(connection.dialect.name)
        attempt = db.session.get(Attempt, body["attempt_id"])
        values = {
            "enrollment_id": who["enrollment"],
            "session_id": exam_setup["sid"],
            "user_id": who["user_id"],
            "paper_id": attempt.paper_id,
            "status": AttemptStatus.in_progress,
            "started_at": now,
            "deadline": now + timedelta(minutes=90),
            "last_seen_at": now,
            "layout_json": "[]",
            "digest": who["digest"],
            "now": now,
        }
        for insert in [s for s in (statements.insert, statements.insert_if_signed_in) if s is not None]:
            assert driver_statements.first(connection, insert, values) is None  # the enrolment has one already
        db.session.execute(Attempt.__table__.delete().where(Attempt.id == attempt.id))
        db.session.expunge_all()
        inserted = driver_statements.first(connection, statements.insert, values)
        assert inserted.id > 0
        again = db.session.get(Attempt, inserted.id)
        assert again.status is AttemptStatus.in_progress and again.layout == [] and again.started_at == now
        db.session.rollback()


def test_without_a_transaction_or_autocommit_it_refuses(app):
    with app.app_context():
        statement = start_statements(db.engine.dialect.name).find
        with db.engine.connect() as connection:
            with pytest.raises(RuntimeError):
                driver_statements.first(connection, statement, {"session_id": 0, "user_id": 0})
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            assert driver_statements.first(autocommit, statement, {"session_id": 0, "user_id": 0}) is None


def test_the_drivers_error_is_sqlalchemys(app, client, token_for, exam_setup):
    """A row that breaks a constraint: the driver's error is met by SQLAlchemy, which raises its own
    (what the faults, the group commit and the write-health checks know)."""
    body, who = _started(app, client, token_for, exam_setup)
    with app.app_context():
        connection = db.session.connection()
        _, upsert = save_statements(connection.dialect.name)
        values = {"attempt_id": 10**9, "qid": 1, "value": "A", "saved_at": timeutil.utcnow()}  # no such attempt
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
        with pytest.raises(exc.DBAPIError):
            driver_statements.first(connection, upsert, values)
        db.session.rollback()


def test_a_listener_on_the_statements_sees_them(app, client, token_for, exam_setup):
    body, who = _started(app, client, token_for, exam_setup)
    seen = []
    with app.app_context():
        engine = db.engine

        def record(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            connection = db.session.connection()
            find = start_statements(connection.dialect.name).find
            found = driver_statements.first(
                connection, find, {"session_id": exam_setup["sid"], "user_id": who["user_id"]}
            )
        finally:
            event.remove(engine, "before_cursor_execute", record)
        db.session.rollback()
    assert found.attempt_id == body["attempt_id"]
    assert any("FROM exam_sessions" in s for s in seen)
