"""Sign-in limits that hold across every worker and restart (issue 11 item 5): failures are counted
in the database (table ``login_failures``), written in their own transaction so that the 401 which
rolls back the request still counts them.

Three keys, chosen so that guessing is slow but nobody can lock a candidate out on exam day:

- **account + client** (username and address): ``LOGIN_LIMIT_PAIR`` (5) failures, then a back-off
  for that pair only: 1 minute after the 5th failure, doubling with each further one (2, 4, 8) up to
  ``LOGIN_BACKOFF_MAX_MINUTES`` (15). A stranger elsewhere failing on a candidate's account fills
  their own pair, not the candidate's.
- **account** (any address): past ``LOGIN_ACCOUNT_GUARD`` (20) failures the account is *guarded*:
  an address that has already failed twice on it is refused until the window passes, every other
  address still signs in. A guesser spread over many addresses gets two tries per address; the
  candidate at the exam hall, who has not failed from there, is not locked out.
- **client** (address, any account): ``LOGIN_LIMIT_CLIENT`` (200) failures, then the same back-off
  for the address: one address spraying passwords over many accounts is stopped, while an exam hall
  behind one NAT address (100 candidates, each mistyping twice) is not.

Counts forget a key ``LOGIN_WINDOW_MINUTES`` (15) after its last failure; a successful sign-in
clears its account + client pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import timeutil
from app.extensions import db

from .models import LoginFailure

GUARDED_PAIR_FAILURES = 2  # what an address may have failed on a guarded account and still try


@dataclass(frozen=True)
class Keys:
    pair: str
    account: str
    client: str


def keys_for(username: str, client: str) -> Keys:
    account = (username or "").strip().lower()[:100]
    client = (client or "")[:64]
    return Keys(pair=f"pair:{account}|{client}", account=f"account:{account}", client=f"client:{client}")


def _settings() -> dict:
    config = current_app.config
    return {
        "pair": int(config["LOGIN_LIMIT_PAIR"]),
        "client": int(config["LOGIN_LIMIT_CLIENT"]),
        "guard": int(config["LOGIN_ACCOUNT_GUARD"]),
        "window": timedelta(minutes=int(config["LOGIN_WINDOW_MINUTES"])),
        "max_backoff": timedelta(minutes=int(config["LOGIN_BACKOFF_MAX_MINUTES"])),
    }


def backoff(failures: int, limit: int, maximum: timedelta) -> timedelta:
    """1 minute at the limit, doubling per failure beyond it, at most ``maximum``."""
    if failures < limit:
        return timedelta(0)
    return min(timedelta(minutes=2 ** min(failures - limit, 16)), maximum)


def _recent(keys: Keys, now: datetime, window: timedelta) -> tuple[dict[str, int], dict[str, datetime]]:
    """Failures within the window and the time of the last one, per key."""
    rows = db.session.execute(
        select(LoginFailure.key, LoginFailure.failures, LoginFailure.last_failed_at).where(
            LoginFailure.key.in_([keys.pair, keys.account, keys.client])
        )
    ).all()
    counts = {key: 0 for key in (keys.pair, keys.account, keys.client)}
    last: dict[str, datetime] = {}
    for key, failures, last_failed_at in rows:
        if last_failed_at > now - window:
            counts[key], last[key] = failures, last_failed_at
    return counts, last


def blocked(username: str, client: str) -> bool:
    """True when this sign-in must be refused (429) before the password is even checked."""
    s = _settings()
    now = timeutil.utcnow()
    keys = keys_for(username, client)
    counts, last = _recent(keys, now, s["window"])
    for key, limit in ((keys.pair, s["pair"]), (keys.client, s["client"])):
        if counts[key] >= limit and now < last[key] + backoff(counts[key], limit, s["max_backoff"]):
            return True
    return counts[keys.account] >= s["guard"] and counts[keys.pair] >= GUARDED_PAIR_FAILURES


def record_failure(username: str, client: str) -> None:
    """Count one failure under the three keys, committed at once in a transaction of its own."""
    s = _settings()
    now = timeutil.utcnow()
    keys = keys_for(username, client)
    table = LoginFailure.__table__
    with db.engine.begin() as connection:
        insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        for key in (keys.pair, keys.account, keys.client):
            statement = insert(table).values(key=key, failures=1, last_failed_at=now)
            stale = table.c.last_failed_at <= now - s["window"]
            statement = statement.on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    # atomic in the database: two workers counting at once both count
                    "failures": db.case((stale, 1), else_=table.c.failures + 1),
                    "last_failed_at": now,
                },
            )
            connection.execute(statement)
        connection.execute(delete(table).where(table.c.last_failed_at < now - timedelta(days=1)))


def clear_pair(username: str, client: str) -> None:
    """A successful sign-in forgets this address's failures on the account (in the request's commit)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == keys_for(username, client).pair))
