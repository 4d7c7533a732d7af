"""PostgreSQL's idle-connection ping (app/connection_ping.py) and the autocommit reads of the start
and the token (app/statement_reads.py), issue 25: fewer round trips, never a dead connection handed
out after a quiet spell, never a read that misses the request's own uncommitted rows."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from app.extensions import db
from app.statement_reads import connection as statement_reads
from tests.conftest import USE_POSTGRES

postgres_only = pytest.mark.skipif(not USE_POSTGRES, reason="PostgreSQL round trips (make test-postgres)")


def _pings(monkeypatch) -> list:
    calls = []
    original = db.engine.dialect.do_ping

    def counted(dbapi_connection):
        calls.append(dbapi_connection)
        return original(dbapi_connection)

    monkeypatch.setattr(db.engine.dialect, "do_ping", counted)
    return calls


def _backend_pid(connection) -> int:
    return connection.execute(text("SELECT pg_backend_pid()")).scalar()


@postgres_only
def test_a_connection_returned_just_now_is_not_pinged_an_idle_one_is(app, monkeypatch):
    with app.app_context():
        db.engine.dispose()
        with db.engine.connect() as first:
            pid = _backend_pid(first)
        pings = _pings(monkeypatch)
        with db.engine.connect() as again:  # back in the pool milliseconds ago
            assert _backend_pid(again) == pid
        assert pings == []
        app.config["DATABASE_PING_AFTER_IDLE"] = 0  # not read again: the engine keeps its threshold
        monkeypatch.setattr("app.connection_ping.time.monotonic", lambda: 10**9)  # a long quiet spell
        with db.engine.connect() as after_idle:
            assert _backend_pid(after_idle) == pid
        assert len(pings) == 1


@postgres_only
def test_an_idle_connection_dropped_by_the_server_is_replaced_before_use(app, monkeypatch):
    with app.app_context():
        db.engine.dispose()
        with db.engine.connect() as first:
            dropped = _backend_pid(first)
        # a connection outside the pool ends the pooled one's backend (a restart, an idle cut)
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", (dropped,))
        monkeypatch.setattr("app.connection_ping.time.monotonic", lambda: 10**9)
        with db.engine.connect() as replaced:  # the ping fails: a new connection, no error
            assert _backend_pid(replaced) != dropped
            assert replaced.execute(text("SELECT 1")).scalar() == 1


def test_the_starts_reads_hold_nothing_and_see_the_requests_own_writes_after_one(app):
    """PostgreSQL: an autocommit connection (no BEGIN, no COMMIT round trips). SQLite: a connection
    of its own whose reads open no transaction at the driver (pysqlite begins one only before a
    write), so a writer takes the lock while it is held; the ORM session opens nothing either."""
    from app.auth.models import Role
    from app.auth.operations import create_user

    with app.test_request_context("/api/v1/sessions/1/attempt", method="POST"):
        reads = statement_reads()
        assert reads.execute(text("SELECT count(*) FROM users")).scalar() >= 0
        if USE_POSTGRES:
            assert reads.connection.dbapi_connection.autocommit is True
        else:
            assert reads.connection.dbapi_connection.in_transaction is False
            with db.engine.connect() as writer:  # the write lock is free while the reads' connection is held
                writer.exec_driver_sql("BEGIN IMMEDIATE")
                writer.exec_driver_sql("ROLLBACK")
        assert not db.session().in_transaction()  # the session opened nothing
        assert statement_reads() is reads  # one per request
        create_user("zhou", "Sx-9aa-bbb!", Role.candidate)
        db.session.flush()  # written, not committed: only the session's own connection sees it
        after = statement_reads()
        assert after is db.session.connection()
        assert after.execute(text("SELECT count(*) FROM users WHERE username = 'zhou'")).scalar() == 1
        db.session.rollback()
    assert reads.closed  # given back at the request's end
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM users WHERE username = 'zhou'")) == 0


def test_outside_a_request_reads_use_the_sessions_connection(app):
    with app.app_context():
        assert statement_reads() is db.session.connection()


def test_an_in_memory_database_reads_on_the_sessions_connection(tmp_path):
    """One driver connection serves every checkout there: a connection of the reads' own would share
    it and, given back, roll back what the session wrote."""
    from app import create_app
    from tests.conftest import _config

    memory = create_app(_config("sqlite://", tmp_path))
    with memory.test_request_context("/api/v1/sessions/1/attempt", method="POST"):
        assert statement_reads() is db.session.connection()
