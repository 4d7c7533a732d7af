"""The training JSON shapes (api-contract v1.2, Training)."""

from __future__ import annotations

from .attendance import present_usernames
from .completion import hours_of
from .models import Training, TrainingClass


def _n(value):
    if value is None:
        return None
    value = round(float(value), 4)
    return int(value) if value.is_integer() else value


def class_body(item: TrainingClass) -> dict:
    return {
        "id": item.id,
        "date": item.date.isoformat(),
        "start": item.start_time.strftime("%H:%M"),
        "end": item.end_time.strftime("%H:%M"),
        "hours": _n(item.hours),
        "topic": item.topic,
        "present": present_usernames(item),
    }


def training_body(training: Training) -> dict:
    return {
        "id": training.id,
        "name": training.name,
        "standard": training.standard_id,
        "level": training.level,
        "kind": training.kind,
        "hours": _n(training.hours),
        "required_hours": _n(training.hours),
        "start": training.start_date.isoformat(),
        "end": training.end_date.isoformat(),
        "venue": training.venue,
        "status": training.status.value,
        "trainers": [{"username": t.user.username, "name": t.user.name, "basis": t.basis} for t in training.trainers],
        "trainees": [
            {
                "username": t.user.username,
                "name": t.user.name,
                "hours": _n(t.attended_hours if t.completed is not None else hours_of(training, t)),
                "completed": t.completed,
                "certificate_no": t.certificate_no,
            }
            for t in training.trainees
        ],
        "classes": [class_body(c) for c in training.classes],
    }
