"""A bounded per-process cache of bearer-token digest → who signed in, for the answer-save path.

Why: a save is the request a candidate sends most (every answer, every change); looking its token
and user up costs more than the rest of the request. Only views marked ``@trusts_token_cache`` read
this cache, and each of them checks the token again inside its write (the save's statement reads
the token's row with the attempt's, under the attempt's lock): a token revoked or a user deactivated
in another worker process, or on another app server, is refused there at once. Every other API call
looks the token up in the database (``user_for_token``, one query).

``invalidate(...)`` drops entries in this process: call it when a token is revoked (its digest),
when a user is deactivated or their role changes (their id), or with no argument to clear all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from typing import NamedTuple

from .models import Role

MAX_ENTRIES = 10_000


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


def size() -> int:
    return len(_entries)
