"""Facts that higher domains add to a candidate's profile before the clauses are judged: a training
completed on this platform (3-01-04-03 1.9.1: 预备培训达规定标准学时数，并取得结业证书) joins the
profile's ``training`` list with ``"source": "platform"`` and is cited in the reasons.

Training sits above eligibility (it reads the standards' 1.8 and issues 结业证书), so eligibility never
imports it: the training domain registers its feed here once, at import (``register``). A feed has
``platform_trainings(user, standard_id) -> entries``, ``with_trainings(profile, entries)``,
``cite(result, entries)`` and ``profile_json(snapshot, entries)``.
"""

from __future__ import annotations

from typing import Any

_FEEDS: list[Any] = []


def register(feed: Any) -> Any:
    _FEEDS.append(feed)
    return feed


def gather(user, standard_id: str, profile) -> tuple[Any, list[tuple[Any, list[dict]]]]:
    """The profile with every feed's entries for ``user`` (none for an anonymous check), and what was added."""
    added = []
    for feed in _FEEDS:
        entries = feed.platform_trainings(user, standard_id) if user is not None else []
        profile = feed.with_trainings(profile, entries)
        added.append((feed, entries))
    return profile, added


def cite(result: dict, added) -> dict:
    for feed, entries in added:
        result = feed.cite(result, entries)
    return result


def snapshot(profile_json: dict, added) -> dict:
    for feed, entries in added:
        profile_json = feed.profile_json(profile_json, entries)
    return profile_json
