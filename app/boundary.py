"""The request boundary's two helpers.

- ``after_commit(fn)``: work outside the database (writing or deleting an uploaded file) that must
  happen only once the transaction is committed, and never when it is rolled back. Registered on
  the SQLAlchemy session, so it holds for requests, the CLI and tests alike.
- ``has_written(session)``: whether the session holds anything to commit; ``session_has_written()``
  asks it of ``db.session`` without creating one (the request's commit, the group commit and the
  autocommit reads ask).
- ``page_action``: a page's POST that runs one operation and redirects. On a domain error it rolls
  back what the operation flushed, flashes the reason (and every bad row) and redirects, so that a
  302 after a failure commits nothing (404 is not caught: it renders the not-found page).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from flask import flash, redirect
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.errors import DomainError, NotFound
from app.extensions import db

_KEY = "after_commit"
_UNDO_KEY = "on_rollback"


def after_commit(fn: Callable[[], None]) -> None:
    """Run ``fn`` after the current transaction commits; drop it if the transaction rolls back."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback, even of nothing flushed yet, is seen and drops ``fn``
    session.info.setdefault(_KEY, []).append(fn)


def on_rollback(fn: Callable[[], None]) -> None:
    """Run ``fn`` if the current transaction rolls back (undo what was done outside the database, such
    as a file written before the commit); dropped once it commits."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_UNDO_KEY, []).append(fn)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    session.info.pop(_UNDO_KEY, None)
    for fn in session.info.pop(_KEY, []):
        fn()


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a savepoint's rollback leaves the outer work pending
        session.info.pop(_KEY, None)
        for fn in session.info.pop(_UNDO_KEY, []):
            fn()


def session_has_written() -> bool:
    """Whether ``db.session`` holds a change. A request (or app context) that has no session yet — an
    exam's save, its start — is not given one just to ask: creating and removing it was 7% of a save's
    instructions (bench/request_instructions.py: 1.92 → 1.78 M)."""
    return db.session.registry.has() and has_written(db.session())


def has_written(session: Session) -> bool:
    """Whether ``session`` holds a change: pending objects, a flush, work waiting for the commit, or
    (SQLite) a write made through its connection — pysqlite opens a transaction only before a write,
    so a session that only read has nothing to commit. On PostgreSQL any open transaction counts."""
    if (
        session.new
        or session.dirty
        or session.deleted
        or session.info.get("flushed")
        or session.info.get(_KEY)
        or session.info.get(_UNDO_KEY)
    ):
        return True
    if not session.in_transaction():
        return False
    raw = session.connection().connection.dbapi_connection
    return not isinstance(raw, sqlite3.Connection) or raw.in_transaction


@event.listens_for(Session, "after_flush")
def _mark_flushed(session, flush_context) -> None:
    session.info["flushed"] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _clear_flushed(session) -> None:
    session.info.pop("flushed", None)


def fail(exc: DomainError, prefix: str = "") -> None:
    """Roll back and say why, in Chinese, with every bad row of an import."""
    db.session.rollback()
    flash(f"{prefix}{exc.message}", "error")
    for row in exc.details.get("rows", []):
        flash(f"第 {row['row']} 行（{row.get('username') or '空'}）：{row['message']}", "error")


def page_action(
    action: Callable[[], object],
    target: str,
    success: str | Callable[[object], str] = "",
    *,
    failure: str = "",
):
    """Run ``action``; flash ``success`` (text, or a function of the action's result) and redirect to
    ``target``. A domain error rolls back, is flashed (after ``failure``) and redirects to ``target`` too."""
    try:
        result = action()
    except NotFound:
        raise
    except DomainError as exc:
        fail(exc, failure)
    else:
        message = success(result) if callable(success) else success
        if message:
            flash(message, "success")
    return redirect(target)
