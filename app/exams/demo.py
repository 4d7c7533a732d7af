"""Demo step of the exams domain: candidates of the demo sessions sit the theory exam (past sessions:
everyone, every question; the open session: three candidates, three questions each), then each
session is moved on to 评分中 at most (``app.practical.demo`` scores and publishes)."""

from __future__ import annotations

import random
from datetime import timedelta

from app import timeutil
from app.auth.models import User
from app.extensions import db
from app.sessions.demo import CANDIDATES, DEMO_PLANS
from app.sessions.lifecycle import advance, sync_clock
from app.sessions.models import SessionStatus

from . import attempts


def _displayed(kind: str, key, perm: list[int]):
    """The key as this candidate sees it: option k of the bank is shown at position perm.index(k)."""
    if kind == "judge":
        return bool(key)
    keys = [key] if isinstance(key, str) else list(key)
    letters = sorted(chr(65 + perm.index(ord(letter) - 65)) for letter in keys)
    return letters[0] if kind == "single" else letters


def _wrong(kind: str, right, options: int):
    if kind == "judge":
        return not right
    if kind == "single":
        return next(chr(65 + i) for i in range(options) if chr(65 + i) != right)
    return [chr(65 + i) for i in range(options)][: len(right) + 1] if len(right) < options else right[:-1]


def _sit(session, users: dict[str, User], names: list[str], at, answered: int | None) -> None:
    """Each candidate starts at ``at`` and answers (the first ``answered``, or all) questions, with a
    fixed per-candidate share of the paper's points right, between 55% and 92%, so the demo shows a
    realistic spread — and the same candidates pass on any date and for any draw of their layout
    (wrong answers are drawn until their points reach the rest, never beyond it)."""
    for number, name in enumerate(names):
        attempt = attempts.start_attempt(session.id, users[name], at)
        items = {pi.item_id: pi for pi in attempts.paper_items(attempt.paper_id)}
        accuracy = 0.55 + 0.37 * number / max(len(names) - 1, 1)
        wrong = _wrong_ones(random.Random(f"{session.name}-{name}"), items.values(), accuracy)
        for entry in attempt.layout[:answered]:
            item = items[entry["qid"]]
            value = _displayed(item.type, item.answer, entry["perm"])
            if item.item_id in wrong:
                value = _wrong(item.type, value, len(entry["perm"]))
            attempts.save_answer(attempt, entry["qid"], value, at + timedelta(minutes=1))


def _wrong_ones(rng: random.Random, items, accuracy: float) -> set[int]:
    """Items to answer wrong: drawn in turn while their points stay within (1 − accuracy) of the paper's."""
    items = sorted(items, key=lambda item: item.item_id)
    allowance = (1 - accuracy) * sum(item.points for item in items)
    wrong, spent = set(), 0
    for item in rng.sample(items, len(items)):
        if spent + item.points <= allowance:
            wrong.add(item.item_id)
            spent += item.points
    return wrong


def demo_exams(users: dict[str, User]) -> None:
    now = timeutil.utcnow()
    for session, target in DEMO_PLANS:
        if target == SessionStatus.draft:
            continue
        if target in {SessionStatus.theory_closed, SessionStatus.scoring, SessionStatus.published}:
            _sit(session, users, CANDIDATES, session.theory_start + timedelta(minutes=2), answered=None)
        elif target == SessionStatus.theory_open:
            _sit(session, users, CANDIDATES[:3], now - timedelta(minutes=5), answered=3)
        sync_clock(session, now)
        attempts.sweep(now)  # attempts past their deadline are closed, as the cron would
        # Up to 评分中 here; the practical step scores the sheets, the results step publishes.
        if target in {SessionStatus.scoring, SessionStatus.published}:
            advance(session, SessionStatus.scoring.value, now)
    db.session.flush()
