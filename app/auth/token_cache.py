"""A bounded per-process cache of bearer-token digest → who signed in, for the answer-save path.

Why: a save is the request a candidate sends most (every answer, every change); looking its token
and user up costs more than the rest of the request. Only views marked ``@trusts_token_cache`` read
this cache, and each of them checks the token again inside its write (the save's statement reads
the token's row with the attempt's, under the attempt's lock): a token revoked or a user deactivated
in another worker process, or on another app server, is refused there at once. Every other API call
looks the token up in the database (``user_for_token``, one query).

``invalidate(...)`` drops entries in this process: call it when a token is revoked (its digest),
when a user is deactivated or their role changes (their id), or with no argument to clear all.

``refill(connection, now)``: on a miss, the registered loader (``register_refill``; the exam's:
app/exams/hall_tokens.py, the tokens of the halls sitting now) fills the cache in one query, at most
once per REFILL_SECONDS in this process (issue 25: at the start spike each worker's first press
loads the whole hall, the other presses find their token here instead of one query each). A thread
that finds another one loading does not wait for it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from .models import Role

MAX_ENTRIES = 10_000
REFILL_SECONDS = 10.0


class Principal(NamedTuple):
    """Who a cached token names: enough for ``api_auth`` (role) and for the save (id).

    ``digest`` is set on what comes from the cache (the write checks that token again); a sign-in
    read from the database in this request carries None (nothing to check twice)."""

    id: int
    role: Role
    expires_at: datetime
    digest: str | None


_entries: OrderedDict[str, Principal] = OrderedDict()
_lock = threading.Lock()
_loader: Callable | None = None  # loader(connection, now) -> [Principal, …]
_refilling = threading.Lock()
_refilled_at = float("-inf")


def lookup(digest: str, now: datetime) -> Principal | None:
    with _lock:
        principal = _entries.get(digest)
        if principal is None:
            return None
        if principal.expires_at <= now:
            del _entries[digest]
            return None
        _entries.move_to_end(digest)
        return principal


def remember(principal: Principal) -> None:
    with _lock:
        _entries[principal.digest] = principal
        _entries.move_to_end(principal.digest)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def invalidate(*, digest: str | None = None, user_id: int | None = None) -> None:
    """Forget a token (by digest), every token of a user (by id), or — with no argument — all."""
    with _lock:
        if digest is None and user_id is None:
            _entries.clear()
            return
        for key, principal in list(_entries.items()):
            if key == digest or principal.id == user_id:
                del _entries[key]


def register_refill(loader: Callable) -> None:
    global _loader
    _loader = loader


def refill(connection, now: datetime) -> bool:
    """Load the registered loader's principals, unless loaded within REFILL_SECONDS or being loaded
    by another thread; True if this call loaded them."""
    global _refilled_at
    if _loader is None or time.monotonic() - _refilled_at < REFILL_SECONDS:
        return False
    if not _refilling.acquire(blocking=False):
        return False
    try:
        if time.monotonic() - _refilled_at < REFILL_SECONDS:
            return False
        _refilled_at = time.monotonic()
        for principal in _loader(connection, now)[:MAX_ENTRIES]:
            remember(principal)
        return True
    finally:
        _refilling.release()


def forget_refill() -> None:
    """The next miss may refill at once (tests; a cache cleared on purpose)."""
    global _refilled_at
    _refilled_at = float("-inf")


def size() -> int:
    return len(_entries)
