"""What a write will meet, for ``/healthz`` (issue 28 item 4): read-only, disk full, a replaced file.

Why: ``/healthz`` answered 200 while the database was read-only or the disk full — it only read. It
must stay cheap (it is the exam-load benchmark's baseline), so per request it does only what costs a
system call, and writes at most once every ``HEALTH_WRITE_PROBE_SECONDS`` (5) per process:

- SQLite, every request: the database file (and its ``-wal``) writable — by permission and by
  its mode bits, so a file chmod-ed read-only counts even for root, who would still write to it but
  the service user would not — and the free space of its directory (below
  ``HEALTH_MIN_FREE_BYTES``, 1 MiB, a write soon fails with SQLITE_FULL).
- Both databases, once per interval: a write probe — an upsert of one row of ``write_probes``,
  committed in a transaction of its own (PostgreSQL: a read-only server or transaction refuses it,
  a full disk fails its WAL write).
- Between probes: the last write error any connection met (the request boundary's commit, the
  group commit, the limiter), seen through SQLAlchemy's ``handle_error`` event, for
  ``HEALTH_WRITE_ERROR_SECONDS`` (10) unless a probe succeeded after it.

A problem is named: ``read_only``, ``disk_full``, ``database_file_replaced`` (app/db_identity.py) or
``write_failed``.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from app import timeutil
from app.db_identity import REPLACED_MESSAGE
from app.extensions import db
from app.faults import database_fault
from app.timeutil import UTCDateTime

log = logging.getLogger(__name__)

READ_ONLY, DISK_FULL, REPLACED, WRITE_FAILED = "read_only", "disk_full", "database_file_replaced", "write_failed"
SQLITE_READONLY, SQLITE_FULL = 8, 13
PG_READ_ONLY, PG_DISK_FULL = {"25006"}, {"53100"}


class WriteProbe(db.Model):
    """The row ``/healthz`` writes (one per key, upserted) to learn what writes meet."""

    __tablename__ = "write_probes"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    probed_at: Mapped[datetime] = mapped_column(UTCDateTime)


def classify(exc: BaseException | None) -> str | None:
    """The write problem ``exc`` (an SQLAlchemy or driver error) stands for, or None."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    if REPLACED_MESSAGE in text:
        return REPLACED
    code = getattr(orig, "sqlite_errorcode", None)
    sqlstate = getattr(orig, "sqlstate", None) or ""
    number = getattr(orig, "errno", None)
    if (code is not None and code & 0xFF == SQLITE_READONLY) or sqlstate in PG_READ_ONLY or number == errno.EROFS:
        return READ_ONLY
    if "readonly database" in text or "read-only transaction" in text:
        return READ_ONLY
    if (code is not None and code & 0xFF == SQLITE_FULL) or sqlstate in PG_DISK_FULL or number == errno.ENOSPC:
        return DISK_FULL
    if "database or disk is full" in text or "no space left on device" in text:
        return DISK_FULL
    return None


@dataclass(eq=False)
class _State:
    probed_at: float = float("-inf")  # monotonic: when the last probe started
    probe_problem: str | None = None
    ok_at: float = float("-inf")  # when the last probe that succeeded finished
    error: str | None = None
    error_at: float = float("-inf")
    lock: threading.Lock = field(default_factory=threading.Lock)


_states: weakref.WeakKeyDictionary[Engine, _State] = weakref.WeakKeyDictionary()
_states_lock = threading.Lock()


def _state(engine: Engine) -> _State:
    state = _states.get(engine)
    if state is None:
        with _states_lock:
            state = _states.setdefault(engine, _State())
    return state


@event.listens_for(Engine, "handle_error")
def remember_write_errors(context) -> None:
    """Every database error of this process: the write problems are kept for ``/healthz``."""
    problem = classify(context.original_exception)
    if problem is not None and context.engine is not None:
        state = _state(context.engine)
        state.error, state.error_at = problem, time.monotonic()


def file_problem(path: str, min_free: int) -> str | None:
    """SQLite: what the files say, for the price of a few system calls."""
    for name in (path, f"{path}-wal"):
        try:
            st = os.stat(name)
        except FileNotFoundError:
            continue  # no -wal yet: SQLite creates it in the (checked) directory
        if not st.st_mode & 0o222 or not os.access(name, os.W_OK):
            return READ_ONLY
    directory = os.path.dirname(os.path.abspath(path))
    if not os.access(directory, os.W_OK):
        return READ_ONLY
    vfs = os.statvfs(directory)
    if vfs.f_flag & os.ST_RDONLY:
        return READ_ONLY
    if vfs.f_bavail * vfs.f_frsize < min_free:
        return DISK_FULL
    return None


def _probe(engine: Engine) -> str | None:
    """Write one row in a transaction of its own; the problem met, or None."""
    table = WriteProbe.__table__
    try:
        with engine.begin() as connection:
            insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
            now = timeutil.utcnow()
            statement = insert(table).values(key="healthz", probed_at=now)
            connection.execute(statement.on_conflict_do_update(index_elements=[table.c.key], set_={"probed_at": now}))
    except Exception as exc:  # noqa: BLE001 - whatever the write met is the answer
        problem = classify(exc)
        fault = database_fault(exc)
        if problem is None and fault is not None and fault.busy:
            return None  # another writer holds the lock: writes wait, they do not fail
        log.warning("healthz write probe failed: %s", exc)
        return problem or WRITE_FAILED
    return None


def write_problem(engine: Engine, interval: float, error_window: float) -> str | None:
    """The problem a write meets now: probed at most once per ``interval`` seconds in this process,
    otherwise the last probe's and the last write error within ``error_window`` seconds."""
    state = _state(engine)
    now = time.monotonic()
    if now - state.probed_at >= interval and state.lock.acquire(blocking=False):
        try:  # one probe at a time; the other requests answer from what is known
            state.probed_at = now
            state.probe_problem = _probe(engine)
            if state.probe_problem is None:
                state.ok_at = time.monotonic()
        finally:
            state.lock.release()
    if state.probe_problem is not None:
        return state.probe_problem
    if state.error is not None and state.error_at > state.ok_at and now - state.error_at <= error_window:
        return state.error
    return None
