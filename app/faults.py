"""Database faults (issue 11 item 6): the app never creates a database by itself, a lock waits a
bounded time, and a database that does not answer gives 503 (with Retry-After) instead of 500.

- SQLite files are opened with ``mode=rw``: a deleted file stays missing (only ``init-db``, through
  :func:`create_sqlite_file`, creates one), so ``/healthz`` and every request see the fault.
- A write blocked by another writer's lock waits at most ``SQLITE_BUSY_TIMEOUT_MS`` (SQLite, 3 s,
  set in app/exams/durability.py) or ``PG_LOCK_TIMEOUT_MS`` (PostgreSQL ``lock_timeout``, 5 s),
  then answers 503 with ``Retry-After``: the exam client retries, the answer stays in its journal.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# SQLSTATEs of a lock wait that timed out or lost (PostgreSQL): retry soon.
BUSY_SQLSTATES = {"55P03", "40001", "40P01"}
# Connection failures (class 08), shutdown (57P), missing tables (42P01): the database is unavailable.
UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "57P", "42P01", "3D000")
BUSY_RETRY_AFTER = 2
UNAVAILABLE_RETRY_AFTER = 30


@dataclass(frozen=True)
class Fault:
    busy: bool  # a lock: retry in a moment; otherwise the database is unavailable

    @property
    def retry_after(self) -> int:
        return BUSY_RETRY_AFTER if self.busy else UNAVAILABLE_RETRY_AFTER

    @property
    def message(self) -> str:
        return "数据库繁忙，请稍后重试" if self.busy else "数据库暂不可用，请稍后重试"


def database_fault(exc: BaseException | None) -> Fault | None:
    """The fault when ``exc`` (or what it wraps) means the database is busy or unavailable."""
    original = getattr(exc, "original_exception", None)  # an InternalServerError raised from a hook
    if original is not None:
        exc = original
    if not isinstance(exc, DBAPIError):
        return None
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    text = str(exc.orig).lower()
    if sqlstate in BUSY_SQLSTATES or "database is locked" in text or "database is busy" in text:
        return Fault(busy=True)
    if isinstance(exc, OperationalError | InterfaceError) or sqlstate.startswith(UNAVAILABLE_SQLSTATE_PREFIXES):
        return Fault(busy=False)
    return None


def sqlite_path(url: URL) -> str | None:
    """The file of a SQLite URL, None for in-memory or other databases."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):
        return None
    return url.database


def create_sqlite_file(url: URL) -> None:
    """``init-db`` only: create the (empty) SQLite file that the app will then open read-write."""
    path = sqlite_path(url)
    if path and not os.path.exists(path):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        open(path, "ab").close()


@event.listens_for(Engine, "do_connect")
def open_existing_sqlite_only(dialect, conn_rec, cargs, cparams):
    """SQLite would create a missing file on connect; ``mode=rw`` makes a missing file an error."""
    if dialect.name != "sqlite" or not cargs or cparams.get("uri"):
        return None
    path = cargs[0]
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    cargs[0] = f"file:{quote(os.path.abspath(path))}?mode=rw"
    cparams["uri"] = True
    return None


@event.listens_for(Engine, "connect")
def bound_postgres_lock_waits(dbapi_connection, connection_record) -> None:
    """PostgreSQL: a statement waits for a lock at most PG_LOCK_TIMEOUT_MS, then 55P03 → 503."""
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    timeout = int(os.environ.get("PG_LOCK_TIMEOUT_MS", "5000"))
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"SET lock_timeout = {timeout}")
    finally:
        cursor.close()
    dbapi_connection.commit()
