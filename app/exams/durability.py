"""SQLite durability for answer saves: WAL journal with synchronous=FULL on every connection.

Why: a 200 from ``PUT /attempts/<aid>/answers/<qid>`` must mean the answer is on disk. The save is
committed before the response is sent (by the group commit, group_commit.py, together with the
saves arriving at the same time); with ``journal_mode=WAL`` and ``synchronous=FULL`` SQLite fsyncs
the WAL on every commit, so an acknowledged answer survives ``kill -9`` of the server
and also a power loss (``NORMAL`` would survive only an application crash). WAL lets readers run
beside the single writer, which is what many candidates saving at once need; measured cost on this
machine is in the README (bench/exam_load.py). PostgreSQL is left at its durable defaults
(synchronous_commit on).

``SQLITE_SYNCHRONOUS=NORMAL`` (environment) trades power-loss durability for throughput: with WAL it
still survives ``kill -9`` of the server, which is what bench/exam_load.py's crash run checks.
"""

from __future__ import annotations

import os
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

SYNCHRONOUS_LEVELS = {"FULL", "NORMAL"}


def _pragmas() -> tuple[str, ...]:
    level = os.environ.get("SQLITE_SYNCHRONOUS", "FULL").upper()
    if level not in SYNCHRONOUS_LEVELS:
        level = "FULL"
    # A write waits for another writer's lock at most this long, then answers 503 (app/faults.py).
    busy_ms = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "3000"))
    return ("PRAGMA journal_mode=WAL", f"PRAGMA synchronous={level}", f"PRAGMA busy_timeout={busy_ms}")


# PostgreSQL (psycopg 3): statements are prepared on a connection from their first execution, not
# their sixth (psycopg's default threshold of 5). The start's and the save's few statements are run
# on every pooled connection as the worker boots (warm.py), so the start spike finds them planned
# instead of parsing and planning each of them again on each of the pool's connections (issue 25).
PG_PREPARE_THRESHOLD = 0


@event.listens_for(Engine, "connect")
def configure_sqlite(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        if hasattr(dbapi_connection, "prepare_threshold"):  # psycopg 3
            dbapi_connection.prepare_threshold = PG_PREPARE_THRESHOLD
        return
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _pragmas():
            cursor.execute(pragma)
    finally:
        cursor.close()
