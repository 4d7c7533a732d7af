"""Row locks for read-check-write operations that two requests may run at once (issue 11).

PostgreSQL: ``SELECT … FOR UPDATE`` (``FOR NO KEY UPDATE`` with ``key_share``, which still lets rows
referencing this one be inserted). SQLite has no row locks: a write that changes nothing takes the
database's write lock up front, so the second request waits until the first has committed.
The instance is re-read under the lock: lock before reading what the decision depends on.
"""

from __future__ import annotations

from app.extensions import db


def lock_row(instance, *, key_share: bool = False) -> None:
    if db.session.get_bind().dialect.name == "sqlite":
        table = type(instance).__table__
        (key,) = table.primary_key.columns
        db.session.execute(table.update().where(key == instance.id).values({key.name: key}))
    db.session.refresh(instance, with_for_update={"key_share": key_share})
