"""SQLite durability for answer saves: WAL journal with synchronous=FULL on every connection.

Why: a 200 from ``PUT /attempts/<aid>/answers/<qid>`` must mean the answer is on disk. The request
boundary commits before the response is sent; with ``journal_mode=WAL`` and ``synchronous=FULL``
SQLite fsyncs the WAL on every commit, so an acknowledged answer survives ``kill -9`` of the server
and also a power loss (``NORMAL`` would survive only an application crash). WAL lets readers run
beside the single writer, which is what many candidates saving at once need; measured cost on this
machine is in the README (bench/exam_load.py). PostgreSQL is left at its durable defaults
(synchronous_commit on).
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=10000")


@event.listens_for(Engine, "connect")
def configure_sqlite(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()
