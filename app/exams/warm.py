"""A worker's exam caches, filled as it boots (deploy/gunicorn.conf.py ``post_worker_init``).

Why (issue 12): when a hall presses 开始考试 in the same second, the first request in each fresh
worker would also read the paper and compile the start's statements, with every other thread of
that worker doing the same at once. A worker that boots (or is recycled) on exam day reads the
papers of the sessions whose theory is open or starts within a day and draws the layout of each of
their candidates who has not started yet (a start then only looks it up), then opens the connection
pool's connections and runs the token's, the start's and the save's reads on each with ids that
match nothing, so that SQLAlchemy's statement cache and each connection's prepared statements
hold them: a connection opened by the spike itself costs the connect (on PostgreSQL a server process
forked), the schema's first read and the driver's preparing of each statement, 32 times over in the
first second (after ``max_requests`` recycles a worker, in the middle of an exam). Reads only; nothing is written.
A database that is not ready never fails the boot.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from app import driver_statements, timeutil
from app.auth import token_cache
from app.auth.models import ApiToken, Role, User
from app.auth.operations import _TOKEN_PRINCIPAL
from app.extensions import db
from app.sessions.models import Enrollment, ExamSession, SessionPaper, SessionStatus, TheoryMode

from . import paper_cache
from .models import Attempt
from .statements import save_statements, start_statements

AHEAD = timedelta(days=1)


def warm_up(app: Flask) -> int:
    """Fill this process's caches for the exams of the coming day; returns how many papers were read."""
    try:
        with app.app_context():
            now = timeutil.utcnow()
            try:
                papers = _warm(now)
            finally:
                db.session.rollback()
                db.session.remove()
            _open_pool(now)
            return papers
    except Exception as exc:  # noqa: BLE001 - a cache left cold is only slower; the boot goes on
        app.logger.warning("exam caches not warmed: %s", exc)
        return 0


def coming_sessions(now):
    """The machine-exam sessions whose theory is open or starts within a day."""
    return (
        ExamSession.status.in_([SessionStatus.scheduled, SessionStatus.theory_open]),
        ExamSession.theory_start >= now - AHEAD,
        ExamSession.theory_start <= now + AHEAD,
    )


def _warm(now) -> int:
    connection = db.session.connection()
    papers = db.session.scalars(
        select(SessionPaper.paper_id)
        .join(ExamSession, ExamSession.id == SessionPaper.session_id)
        .where(*coming_sessions(now))
        .distinct()
        .limit(paper_cache.MAX_PAPERS)
    ).all()
    for paper_id in papers:
        paper_cache.paper(connection, paper_id)
    _draw_ahead(connection, now)
    for principal in hall_principals(connection, now):  # a refill on the first miss may still come
        token_cache.remember(principal)
    return len(papers)


def hall_principals(connection, now) -> list[token_cache.Principal]:
    """The bearer tokens of the candidates sitting a machine exam within the day, for the token cache.

    At the start spike a hall presses 开始考试 in the same second, each press the first request of
    its token in that worker: each looked its token up (one query, on PostgreSQL a round trip of a
    start's four). Now the worker's boot, and then the first miss in a worker (at most every
    ``token_cache.REFILL_SECONDS``), load every unexpired token of the candidates enrolled in the
    coming sessions in one query, and the other presses find theirs in the cache (issue 25). Only
    views that check the token again inside their write read the cache (app/auth/token_cache.py):
    a token revoked meanwhile is still refused there."""
    rows = connection.execute(
        select(User.id, User.role, ApiToken.expires_at, ApiToken.digest)
        .select_from(ApiToken)
        .join(User, User.id == ApiToken.user_id)
        .join(Enrollment, Enrollment.user_id == User.id)
        .join(ExamSession, ExamSession.id == Enrollment.session_id)
        .where(
            *coming_sessions(now),
            ExamSession.theory_mode == TheoryMode.machine,
            ApiToken.expires_at > now,
            User.active.is_(True),
            User.role == Role.candidate,
        )
        .distinct()
        .limit(token_cache.MAX_ENTRIES)
    ).all()
    return [token_cache.Principal(row.id, row.role, row.expires_at, row.digest) for row in rows]


token_cache.register_refill(hall_principals)


def _draw_ahead(connection, now) -> int:
    """Each enrolled candidate's layout who has not started yet (issue 25: at the spike a start then
    only looks its layout up); returns how many were drawn."""
    enrollments, attempts = Enrollment.__table__, Attempt.__table__
    rows = connection.execute(
        select(enrollments.c.id, enrollments.c.paper_id)
        .join(ExamSession, ExamSession.id == enrollments.c.session_id)
        .outerjoin(attempts, attempts.c.enrollment_id == enrollments.c.id)
        .where(
            *coming_sessions(now),
            ExamSession.theory_mode == TheoryMode.machine,
            enrollments.c.paper_id.is_not(None),
            attempts.c.id.is_(None),
        )
        .limit(paper_cache.MAX_DRAWN)
    ).all()
    cache = paper_cache.cache()
    for enrollment_id, paper_id in rows:
        cache.draw_ahead(cache.get(connection, paper_id), paper_id, enrollment_id)
    return len(rows)


def _hot_reads(connection, now) -> None:
    """The token's, the start's and the save's reads, with ids that match nothing (no token has the
    empty digest). The start's and the save's run as the requests run them, on the driver's cursor
    (app/driver_statements.py): compiled here, not by a hall's first start."""
    dialect = connection.dialect.name
    connection.execute(_TOKEN_PRINCIPAL, {"digest": "", "now": now}).first()  # (begins the transaction)
    driver_statements.first(connection, start_statements(dialect).find, {"session_id": 0, "user_id": 0})
    check, _ = save_statements(dialect)
    driver_statements.first(connection, check, {"attempt_id": 0, "digest": None, "user_id": 0, "now": now})


def _open_pool(now) -> int:
    """Open as many connections as the pool keeps (one per thread and two) and run the hot reads on
    each; returned to the pool, they stay open. Returns how many were opened."""
    size = db.engine.pool.size() if hasattr(db.engine.pool, "size") else 1
    connections = []
    try:
        for _ in range(size):
            connections.append(db.engine.connect())
            _hot_reads(connections[-1], now)
            connections[-1].rollback()
    finally:
        for connection in connections:
            connection.close()
    return len(connections)
