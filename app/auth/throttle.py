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

**Counted before the hash** (issue 28 item 7): 30 guesses sent at once used to be checked against a
count of 0 and all evaluated. Each sign-in now *reserves* its place first (``reserve``: an atomic
increment of the pair's and the address's in-flight counters, in a transaction of its own, that
also reads the committed failures), and is refused when failures + other attempts still in flight
reach a limit; once the password is checked it *settles* (``settle``): the reservation is released
and, for a wrong password, the failure recorded, in one transaction. In-flight rows of a worker that
died mid-check are ignored after ``INFLIGHT_TTL``.
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
INFLIGHT_TTL = timedelta(minutes=1)  # a password check never takes this long: older reservations are dead
IN_FLIGHT_WAIT = timedelta(seconds=5)


@dataclass(frozen=True)
class Keys:
    pair: str
    account: str
    client: str


def keys_for(username: str, client: str) -> Keys:
    account = (username or "").strip().lower()[:100]
    client = (client or "")[:64]
    return Keys(pair=f"pair:{account}|{client}", account=f"account:{account}", client=f"client:{client}")


def _inflight_keys(keys: Keys) -> tuple[str, str]:
    return f"inflight:{keys.pair}", f"inflight:{keys.client}"


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


def _wait(
    keys: Keys, counts: dict[str, int], last: dict[str, datetime], others: dict[str, int], now
) -> timedelta | None:
    """How long this sign-in must wait, or None when it may go on: the three limits on failures +
    other attempts in flight (an attempt in flight may be a failure an instant from now: while one is,
    a back-off is not yet over — a few seconds, the time of a password check)."""
    s = _settings()
    for key, limit in ((keys.pair, s["pair"]), (keys.client, s["client"])):
        total = counts[key] + others[key]
        if total < limit:
            continue
        if others[key]:
            return IN_FLIGHT_WAIT
        until = last[key] + backoff(total, limit, s["max_backoff"])
        if now < until:
            return until - now
    pair = counts[keys.pair] + others[keys.pair]
    if counts[keys.account] >= s["guard"] and pair >= GUARDED_PAIR_FAILURES:
        return last[keys.account] + s["window"] - now
    return None


def _bump(connection, keys: list[str], now: datetime, stale_before: datetime, step: int) -> None:
    """Add ``step`` (±1) to each key's count, atomically in the database (two workers counting at once
    both count); a count older than ``stale_before`` starts again, and none goes below 0. A failure
    (+1) also moves the key's time; a release (−1) does not."""
    table = LoginFailure.__table__
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    fresh = max(step, 0)
    moved = table.c.failures + step
    counted = db.case((table.c.last_failed_at <= stale_before, fresh), (moved < 0, 0), else_=moved)
    changes = {"failures": counted, "last_failed_at": now} if step > 0 else {"failures": counted}
    for key in keys:
        statement = insert(table).values(key=key, failures=fresh, last_failed_at=now)
        connection.execute(statement.on_conflict_do_update(index_elements=[table.c.key], set_=changes))


def reserve(username: str, client: str) -> timedelta | None:
    """Take this sign-in's place before its password is checked; when it must be refused (429), how
    long to wait instead (and nothing is kept). Committed at once in a transaction of its own, so
    every worker sees it."""
    s = _settings()
    now = timeutil.utcnow()
    keys = keys_for(username, client)
    inflight = _inflight_keys(keys)
    with db.engine.begin() as connection:
        _bump(connection, list(inflight), now, now - INFLIGHT_TTL, +1)  # takes the write lock first
        rows = connection.execute(
            select(LoginFailure.key, LoginFailure.failures, LoginFailure.last_failed_at).where(
                LoginFailure.key.in_([keys.pair, keys.account, keys.client, *inflight])
            )
        ).all()
        counts = {key: 0 for key in (keys.pair, keys.account, keys.client)}
        last: dict[str, datetime] = {}
        running = {key: 1 for key in inflight}
        for key, failures, last_failed_at in rows:
            if key in running:
                running[key] = failures
            elif last_failed_at > now - s["window"]:
                counts[key], last[key] = failures, last_failed_at
        others = {keys.pair: running[inflight[0]] - 1, keys.client: running[inflight[1]] - 1}
        wait = _wait(keys, counts, last, others, now)
        if wait is not None:
            _bump(connection, list(inflight), now, now - INFLIGHT_TTL, -1)
            return max(wait, timedelta(seconds=1))
    return None


def settle(username: str, client: str, *, failed: bool) -> None:
    """Release the reservation and, for a wrong password, count the failure: one transaction of its own."""
    s = _settings()
    now = timeutil.utcnow()
    keys = keys_for(username, client)
    with db.engine.begin() as connection:
        _bump(connection, list(_inflight_keys(keys)), now, now - INFLIGHT_TTL, -1)
        if failed:
            _bump(connection, [keys.pair, keys.account, keys.client], now, now - s["window"], +1)
        connection.execute(delete(LoginFailure.__table__).where(LoginFailure.last_failed_at < now - timedelta(days=1)))


def clear_pair(username: str, client: str) -> None:
    """A successful sign-in forgets this address's failures on the account (in the request's commit)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == keys_for(username, client).pair))


def hit(kind: str, client: str, limit: int, window: timedelta) -> timedelta | None:
    """Count one attempt of ``kind`` (``register``, ``reset``) from the address ``client``, in a
    transaction of its own (a refused or failed attempt counts too); when ``limit`` attempts already
    fell within ``window`` of the last one, how long to wait instead (and this one is not counted).
    Held in the database like the sign-in's counts: the same in every worker and after a restart."""
    key = f"{kind}:{(client or '')[:64]}"
    now = timeutil.utcnow()
    with db.engine.begin() as connection:
        row = connection.execute(
            select(LoginFailure.failures, LoginFailure.last_failed_at).where(LoginFailure.key == key)
        ).first()
        if row is not None and row.last_failed_at > now - window and row.failures >= limit:
            return max(row.last_failed_at + window - now, timedelta(seconds=1))
        _bump(connection, [key], now, now - window, +1)
    return None
