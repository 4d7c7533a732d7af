"""Completed platform trainings as eligibility evidence (each standard's 1.9.1 预备培训 clauses).

``platform_trainings(user, standard_id)`` lists the trainee's completed trainings of that standard
as ``training`` entries marked ``"source": "platform"``; ``with_trainings`` adds them to a parsed
profile before the engine runs; ``cite`` adds to each reason that speaks of a level's 预备培训 the
training it rests on (已完成 … 培训 N 学时，结业证书 …) — the engine's own wording is untouched.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date

from sqlalchemy import select

from app.eligibility import feeds
from app.extensions import db
from scoring.eligibility.profile import Profile, Training

from .models import Trainee
from .models import Training as Program


def platform_trainings(user, standard_id: str) -> list[dict]:
    if user is None or getattr(user, "id", None) is None:
        return []
    rows = db.session.execute(
        select(Trainee, Program)
        .join(Program, Program.id == Trainee.training_id)
        .where(Trainee.user_id == user.id, Trainee.completed.is_(True), Program.standard_id == standard_id)
        .order_by(Trainee.completed_on, Trainee.id)
    ).all()
    return [
        {
            "level": program.level,
            "hours": _n(trainee.attended_hours or 0),
            "completion_certificate": True,
            "completed": trainee.completed_on.isoformat() if trainee.completed_on else None,
            "certificate_no": trainee.certificate_no,
            "training": program.name,
            "required_hours": _n(program.hours),
            "source": "platform",
        }
        for trainee, program in rows
    ]


def _n(value):
    value = round(float(value), 4)
    return int(value) if value.is_integer() else value


def with_trainings(profile: Profile, entries: list[dict]) -> Profile:
    """The profile with the platform's trainings first (the engine cites the first that counts)."""
    if not entries:
        return profile
    from_platform = tuple(Training(e["level"], float(e["hours"]), True, _date(e["completed"])) for e in entries)
    return replace(profile, training=from_platform + tuple(profile.training))


def _date(value):
    return date.fromisoformat(value) if value else None


def citation(entry: dict) -> str:
    return f"已完成「{entry['training']}」{entry['level']}培训 {entry['hours']} 学时，结业证书 {entry['certificate_no']}（平台记录）"


def cite(result: dict, entries: list[dict]) -> dict:
    """The engine's result with the platform trainings cited where a reason speaks of their level's
    预备培训, and listed under ``training``."""
    if not entries:
        return result
    for clause in result.get("clauses", []):
        cited = [citation(e) for e in entries if f"{e['level']}预备培训" in clause["reason"]]
        if cited:
            clause["reason"] = f"{clause['reason']}；{'；'.join(cited)}"
    result["training"] = entries
    return result


def profile_json(profile_json: dict, entries: list[dict]) -> dict:
    """An application's snapshot: declared trainings marked ``declared``, the platform's beside them."""
    declared = profile_json.get("training", [])[len(entries) :]
    profile_json["training"] = [*entries, *({**t, "source": "declared"} for t in declared)]
    return profile_json


feeds.register(sys.modules[__name__])  # eligibility asks this module (app/eligibility/feeds.py)
