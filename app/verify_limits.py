"""Budgets of the public verification lookups (issue 28 item 8), counted in the database.

Why: with Flask-Limiter's ``memory://`` each gunicorn worker and each endpoint had a budget of its
own, so four workers × page + API answered ~240 lookups a minute instead of 60 — on sequential
certificate numbers, and with ``?name=`` a full-name oracle.

- The counters live in the table ``rate_limit_counters`` (``DatabaseStorage``, the ``database://``
  storage of Flask-Limiter, the default of ``RATELIMIT_STORAGE_URI``): one fixed-window counter per
  client address + budget, incremented atomically (``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on
  SQLite and PostgreSQL) in a short transaction of its own, committed at once — a 404 or a failed
  request still counts, and every worker and process sees the same count. Where Redis is deployed,
  ``RATELIMIT_STORAGE_URI=redis://…`` keeps the same budgets there (limits' Redis storage).
- ``verification``: ONE budget (``CERTIFICATE_VERIFY_LIMIT``, 60 per minute) shared by every public
  lookup — the certificate's page and API, its signed credential, the 结业证书 (training completion)
  and the rating certificates: they are one registry to a person enumerating numbers, so switching
  endpoint or registry buys no extra lookups. Scanning a QR code costs one.
- ``name_check``: a ``?name=`` comparison costs, on top, a budget of its own, smaller
  (``CERTIFICATE_NAME_CHECK_LIMIT``, 10 per minute): an employer checks a handful of holders, a guesser
  trying names against one number is stopped after 10.
Over budget: 429 with the site's message (操作过于频繁，请稍后再试。), as before.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from flask import current_app, has_app_context, request
from limits.storage import Storage
from sqlalchemy import String, case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from app import timeutil
from app.extensions import db, limiter
from app.timeutil import UTCDateTime

STORAGE_URI = "database://"
VERIFICATION_SCOPE = "verification"
NAME_CHECK_SCOPE = "verification-name"
PURGE_EVERY = 200  # hits between two deletions of windows long over (per process)
PURGE_AFTER = timedelta(hours=1)


class RateLimitCounter(db.Model):
    """One fixed window of one budget for one client address (key: Flask-Limiter's, which names both)."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)
    window_ends: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class DatabaseStorage(Storage):
    """Flask-Limiter (limits) storage in the app's own database: ``RATELIMIT_STORAGE_URI=database://``.
    Only the fixed-window strategy (Flask-Limiter's default) is supported."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._hits = itertools.count(1)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the key's window (a window over starts again at ``amount``); the new count."""
        now = timeutil.utcnow()
        table = RateLimitCounter.__table__
        with db.engine.begin() as connection:  # its own transaction: not rolled back with the request
            insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
            statement = insert(table).values(key=key[:255], hits=amount, window_ends=now + timedelta(seconds=expiry))
            over = table.c.window_ends <= now
            statement = statement.on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "hits": case((over, statement.excluded.hits), else_=table.c.hits + statement.excluded.hits),
                    "window_ends": case((over, statement.excluded.window_ends), else_=table.c.window_ends),
                },
            ).returning(table.c.hits)
            hits = connection.execute(statement).scalar_one()
            if next(self._hits) % PURGE_EVERY == 0:
                connection.execute(delete(table).where(table.c.window_ends < now - PURGE_AFTER))
        return hits

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.hits if row is not None and row.window_ends > timeutil.utcnow() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        now = timeutil.utcnow()
        return (row.window_ends if row is not None and row.window_ends > now else now).timestamp()

    def check(self) -> bool:
        with db.engine.connect() as connection:
            connection.execute(select(1))
        return True

    def reset(self) -> int | None:
        """Forget every count (tests); outside an application context there is no database to clear."""
        if not has_app_context():
            return None
        with db.engine.begin() as connection:
            return connection.execute(delete(RateLimitCounter.__table__)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(RateLimitCounter.__table__).where(RateLimitCounter.key == key[:255]))

    def _row(self, key: str):
        table = RateLimitCounter.__table__
        with db.engine.connect() as connection:
            return connection.execute(select(table.c.hits, table.c.window_ends).where(table.c.key == key[:255])).first()


def lookup_limit() -> str:
    return current_app.config.get("CERTIFICATE_VERIFY_LIMIT", "60 per minute")


def name_check_limit() -> str:
    return current_app.config.get("CERTIFICATE_NAME_CHECK_LIMIT", "10 per minute")


def _without_name() -> bool:
    return not (request.args.get("name") or "").strip()


# The decorators of the verification routes (app/results/views.py, app/api/certificates.py, the
# training and rating verifications): one budget for every lookup, one more for a name comparison.
verification = limiter.shared_limit(lookup_limit, scope=VERIFICATION_SCOPE)
name_check = limiter.shared_limit(name_check_limit, scope=NAME_CHECK_SCOPE, exempt_when=_without_name)
