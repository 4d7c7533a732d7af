"""A pooled PostgreSQL connection is pinged before use only when it has been idle (issue 25).

Why: SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` on every checkout — at the start spike one
round trip of each request's three or four, for connections that were in use milliseconds ago. A
connection that sat idle (DATABASE_PING_AFTER_IDLE seconds, 2 by default) is still pinged, so one
dropped while the hall was quiet (a server restart overnight, a firewall's idle cut) is replaced
before a request meets it: the ping's failure raises ``DisconnectionError`` and the pool opens a
new connection (SQLAlchemy's documented custom pessimistic disconnect handling). One dropped within
the window fails its request (503, ``app/faults.py``) and SQLAlchemy then recycles the whole pool.

A SQLite file cannot drop a connection: no ping at all there (``app/__init__._engine_options``).
"""

from __future__ import annotations

import time

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

INFO_KEY = "returned_at"


def ping_when_idle(engine: Engine, after_seconds: float) -> None:
    @event.listens_for(engine, "connect")
    def fresh(dbapi_connection, record) -> None:
        record.info[INFO_KEY] = time.monotonic()  # just opened: nothing to ping

    @event.listens_for(engine, "checkin")
    def returned(dbapi_connection, record) -> None:
        if record is not None:
            record.info[INFO_KEY] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection, record, proxy) -> None:
        returned_at = record.info.get(INFO_KEY)
        if returned_at is not None and time.monotonic() - returned_at < after_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure: this connection is gone
            raise exc.DisconnectionError("idle connection no longer answers") from error
