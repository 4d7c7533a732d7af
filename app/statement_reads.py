"""Reads that need no transaction of their own, for the exam day's hottest requests (issue 25).

Why: on PostgreSQL psycopg opens a transaction with a ``BEGIN`` round trip before a request's first
statement and the request boundary ends it with a ``COMMIT`` round trip, even when the request only
read. At the start spike (a hall pressing 开始考试 in the same second) a start's reads — its token
and its one statement for the session, enrolment and attempt — then cost four round trips, each
a few hundred microseconds of a worker's CPU and of a PostgreSQL backend's. Read in autocommit,
they cost two.

Which reads may: each is one statement that stands on its own (its snapshot is its own); whatever
decides a write is checked again inside that write (the start's insert rechecks the token and
takes the enrolment's lock; ``app/exams/attempts.py``). Anything that writes goes through
``db.session`` or the group commit as before.

On SQLite the reads get a connection of their own too, with a transaction begun in SQLAlchemy only:
pysqlite sends no BEGIN before a read, so the reads hold no lock and cost no round trip. Through
the request's ORM session instead, the session's transaction set-up and its close at the request's
end were a tenth of an exam start's instructions (callgrind, issue 25: 2.60 → 2.33 M). The session's
own connection serves outside a request (CLI, tests calling operations), for an in-memory database
(one driver connection for all) and in a request that has
already written through ``db.session`` (its rows, not yet committed, are seen only there) — as the
group commit does (app/exams/group_commit.py).
"""

from __future__ import annotations

from flask import Flask, g, has_request_context
from sqlalchemy.engine import Connection
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from app.boundary import session_has_written
from app.extensions import db

_KEY = "_statement_reads"
# pools handing every checkout the same driver connection (an in-memory SQLite database): a second
# SQLAlchemy connection on it would roll the session's work back when given back
_ONE_CONNECTION = (SingletonThreadPool, StaticPool)


def connection() -> Connection:
    """The request's connection for reads that need no transaction (one per request, returned at
    its end)."""
    if not has_request_context() or session_has_written() or isinstance(db.engine.pool, _ONE_CONNECTION):
        return db.session.connection()
    found = g.get(_KEY)
    if found is not None and not found.closed:
        return found
    found = db.engine.connect()
    if found.dialect.name == "postgresql":
        found = found.execution_options(isolation_level="AUTOCOMMIT")
    else:
        found.begin()  # pysqlite sends no BEGIN before a read: nothing is held, nothing round-trips
    setattr(g, _KEY, found)
    return found


def register(app: Flask) -> None:
    @app.teardown_appcontext
    def give_back(exc):
        found = g.pop(_KEY, None)
        if found is not None:
            found.close()
