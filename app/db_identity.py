"""SQLite: a write is acknowledged only while the database file at its path is the one the
connection opened (issue 28 item 4).

Why: a pooled connection keeps its database, ``-wal`` and ``-shm`` open. With those files moved away
(or the file replaced by a restored copy) the pool still wrote — into the moved files — and saves
answered 200 while ``/healthz`` said 503: an answer acknowledged and lost.

How: each SQLite connection notes, when it connects, the device and inode of its main file
(``PRAGMA database_list`` names the file SQLite opened). Before every commit (the request boundary's,
the group commit's, the CLI's) and once more after the group commit's (``check`` is called there,
before its saves are acknowledged) the file at that path is stat-ed — one ``os.stat`` per
transaction. When it is gone or is another file, nothing is acknowledged: the commit is refused (the
transaction rolls back), the engine's pool is disposed so that no other connection writes to the old
file, and the error is an ``OperationalError`` — which app/faults.py answers with 503 and
``Retry-After`` (the exam client keeps the answer in its journal and retries). New connections then
open the file that is at the path, or fail while there is none.
"""

from __future__ import annotations

import logging
import os
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)

INFO_KEY = "database_file"
REPLACED_MESSAGE = "database file replaced or removed"


def file_identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of ``path``; None when there is no file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


@event.listens_for(Engine, "connect")
def remember_the_opened_file(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        rows = cursor.execute("PRAGMA database_list").fetchall()
    finally:
        cursor.close()
    path = next((row[2] for row in rows if row[1] == "main"), "")
    if path:  # an in-memory database has no file
        connection_record.info[INFO_KEY] = (path, file_identity(path))


def replaced(connection: Connection) -> bool:
    """Whether this connection's database file is no longer the file at its path (SQLite only)."""
    opened = connection.info.get(INFO_KEY)
    return opened is not None and file_identity(opened[0]) != opened[1]


def check(connection: Connection) -> None:
    """Refuse to go on (and so to acknowledge) when the connection's file was moved or replaced: the
    pool is disposed and this connection invalidated, then ``OperationalError`` (→ 503)."""
    if not replaced(connection):
        return
    path = connection.info[INFO_KEY][0]
    log.error("the database file %s was moved, removed or replaced: nothing acknowledged, pool disposed", path)
    connection.engine.dispose()
    connection.invalidate()
    raise OperationalError(None, None, sqlite3.OperationalError(f"{REPLACED_MESSAGE}: {path}"))


@event.listens_for(Engine, "commit")
def check_before_commit(connection: Connection) -> None:
    """Every commit on SQLite: the transaction's writes go to the file at the path, or nowhere."""
    check(connection)
