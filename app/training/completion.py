"""Completion (结业) and the 结业证书: who completes (attended hours reach the required hours, 1.8.1),
their certificate numbers, and the public verification of a number.

Numbers: ``JY`` + year (4) + center id (4) + serial (5), e.g. JY2026000100001 — the platform's own
scheme (no text prescribes one). The serial comes from one ``CompletionCounter`` row per center and
year, locked (app.locking.lock_row) before it is read and incremented, so two completions at once
never draw the same serial; the unique constraint on ``certificate_no`` holds it in the database too.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import timeutil
from app.audit.operations import record
from app.auth.models import Role, User
from app.errors import Conflict, NotFound
from app.extensions import db
from app.locking import lock_row
from scoring.certificates import mask_name
from scoring.training import attended_hours, completes

from .models import CompletionCounter, Trainee, Training, TrainingStatus


def hours_of(training: Training, trainee: Trainee) -> float:
    return attended_hours(
        [c.hours for c in training.classes if any(a.user_id == trainee.user_id for a in c.attendance)]
    )


def _counter(center_id: int, year: int) -> CompletionCounter:
    table = CompletionCounter.__table__
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(table)
        .values(center_id=center_id, year=year, last_serial=0)
        .on_conflict_do_nothing(index_elements=["center_id", "year"])
    )
    counter = db.session.scalar(
        select(CompletionCounter).where(CompletionCounter.center_id == center_id, CompletionCounter.year == year)
    )
    lock_row(counter)
    return counter


def number(year: int, center_id: int, serial: int) -> str:
    return f"JY{year:04d}{center_id:04d}{serial:05d}"


def complete(user: User, training: Training) -> dict:
    """POST …/complete: once (409 after; two at once: the second waits for the first, then 409)."""
    lock_row(training)
    if training.status == TrainingStatus.completed:
        raise Conflict("该培训班已结业", code="already_completed")
    now = timeutil.utcnow()
    on = now.astimezone(timeutil.CHINA).date()
    done, not_done = [], []
    counter = None
    for trainee in training.trainees:
        hours = hours_of(training, trainee)
        trainee.attended_hours = hours
        if completes(hours, training.hours):  # 达规定标准学时数
            counter = counter or _counter(training.center_id, on.year)
            counter.last_serial += 1
            trainee.completed = True
            trainee.completed_on = on
            trainee.certificate_no = number(on.year, training.center_id, counter.last_serial)
            done.append(
                {"username": trainee.user.username, "hours": _n(hours), "certificate_no": trainee.certificate_no}
            )
        else:
            trainee.completed = False
            reason = f"出勤 {_n(hours)} 学时，未达规定的 {_n(training.hours)} 学时"
            not_done.append({"username": trainee.user.username, "hours": _n(hours), "reason": reason})
    training.status = TrainingStatus.completed
    training.completed_at = now
    db.session.flush()
    record(
        "training.completed",
        training,
        {"completed": [d["certificate_no"] for d in done], "not_completed": [d["username"] for d in not_done]},
        actor=user,
    )
    return {"completed": done, "not_completed": not_done}


def _n(value: float):
    value = round(float(value), 4)
    return int(value) if value.is_integer() else value


def find(no: str) -> Trainee:
    value = (no or "").strip().upper()
    trainee = db.session.scalar(select(Trainee).where(Trainee.certificate_no == value)) if value else None
    if trainee is None:
        raise NotFound("结业证书编号不存在")
    return trainee


def verification(trainee: Trainee) -> dict:
    """What anyone may learn from a 结业证书 number (the holder's name partly masked)."""
    training = trainee.training
    return {
        "valid": True,
        "number": trainee.certificate_no,
        "name": mask_name(trainee.user.name or trainee.user.username),
        "training": training.name,
        "standard": training.standard_id,
        "level": training.level,
        "hours": _n(trainee.attended_hours or 0),
        "completed": trainee.completed_on.isoformat() if trainee.completed_on else None,
        "center": training.center.name,
    }


def visible(no: str, user: User) -> Trainee:
    """The printable certificate: its holder, the center's admin, the platform admin (404 otherwise)."""
    trainee = find(no)
    center_id = trainee.training.center_id
    if trainee.user_id == user.id or user.role == Role.admin:
        return trainee
    if user.role == Role.center_admin and user.center_id == center_id:
        return trainee
    raise NotFound("结业证书编号不存在")


def completed_on(trainee: Trainee) -> date | None:
    return trainee.completed_on
