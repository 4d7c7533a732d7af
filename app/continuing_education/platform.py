"""Records the platform makes by itself: each class a trainee attended is an approved CE record
(``source: "platform"``, form 培训·研修·进修, 专业科目: training in the occupation), credited with
the class's hours. The record follows the attendance: a tick removed removes it."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.training import attendance
from scoring.continuing_education import PLATFORM_FORM

from .models import CERecord, CEStatus

PLATFORM_CATEGORY = "专业科目"


@attendance.on_attendance
def sync_class(training, item, present_users) -> None:
    """Make the class's platform records exactly those of ``present_users``."""
    existing = {
        r.user_id: r
        for r in db.session.scalars(select(CERecord).where(CERecord.class_id == item.id, CERecord.source == "platform"))
    }
    wanted = {u.id for u in present_users}
    for user_id, row in existing.items():
        if user_id not in wanted:
            db.session.delete(row)
    for user in present_users:
        if user.id in existing:
            continue
        db.session.add(
            CERecord(
                user_id=user.id,
                center_id=training.center_id,
                year=item.date.year,
                form=PLATFORM_FORM,
                category=PLATFORM_CATEGORY,
                title=f"{training.name}·{item.topic or item.date.isoformat()}",
                date=item.date,
                hours=item.hours,
                credited=item.hours,
                status=CEStatus.approved,
                source="platform",
                evidence=[],
                training_id=training.id,
                class_id=item.id,
            )
        )
    db.session.flush()
