"""Demo step of panel scoring: in the session 评分中 the graders have entered part of the practical
sheets (grader1 all eight candidates, grader2 five, grader3 two, one of them corrected; one spread
wide enough to be flagged), so graders and the center admin see work to do; in the published session
every sheet is in and every candidate finalized, for the results step to publish."""

from __future__ import annotations

import random
from datetime import timedelta

from app import timeutil
from app.auth.models import User
from app.extensions import db
from app.sessions.demo import CANDIDATES, DEMO_PLANS
from app.sessions.models import SessionStatus

from . import marking, sheets

GRADERS = ("grader1", "grader2", "grader3")


GRADER_BIAS = {"grader1": 1.5, "grader2": -2.0, "grader3": 0.5}  # a little harsher / milder, as people are


def _sheet(session, base: float, rng: random.Random) -> dict:
    """Sections in proportion to their maxima around ``base`` percent (±4), in half points."""
    sections = {}
    for section in sheets.sheet_sections(session, "practical"):
        share = min(1.0, max(0.0, (base + rng.uniform(-4, 4)) / 100))
        sections[section["area"]] = round(section["max"] * share * 2) / 2
    return {"sections": sections}


def _score(session, users, graders_per_candidate: dict[str, int], at, wide: str | None = None) -> None:
    for number, name in enumerate(CANDIDATES):
        base = 55 + 37 * number / (len(CANDIDATES) - 1)
        for index, grader in enumerate(GRADERS[: graders_per_candidate[name]]):
            rng = random.Random(f"{session.id}-{name}-{grader}")
            shift = GRADER_BIAS[grader] + (18 if wide == name and index == 2 else 0)
            sheets.save_sheet(session, "practical", users[grader], name, _sheet(session, base + shift, rng), at)


def demo_practical(users: dict[str, User]) -> None:
    now = timeutil.utcnow()
    for session, target in DEMO_PLANS:
        if target == SessionStatus.scoring:
            counts = {name: 1 + (n < 5) + (n < 2) for n, name in enumerate(CANDIDATES)}
            _score(session, users, counts, now - timedelta(hours=20), wide=CANDIDATES[1])
            correction = _sheet(session, 58, random.Random("correction"))
            sheets.save_sheet(
                session, "practical", users["grader1"], CANDIDATES[0], correction, now - timedelta(hours=19)
            )
        elif target == SessionStatus.published:
            _score(session, users, dict.fromkeys(CANDIDATES, 3), session.theory_start + timedelta(hours=3))
            done, skipped = marking.finalize_panel(
                session,
                "practical",
                users["center_admin"],
                None,
                dict.fromkeys(CANDIDATES, "演示：分差已复核"),
                session.theory_start + timedelta(days=1),
                every=True,
            )
            assert not skipped, skipped  # the results step publishes it (app/results/demo.py)
    db.session.flush()
