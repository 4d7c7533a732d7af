"""The demo's 申报 step leaves enrolments for the sessions demo, one pending and one rejected."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from app.demo import demo_users
from app.eligibility.demo import demo_eligibility
from app.eligibility.models import Application
from app.eligibility.operations import has_approved_application
from app.extensions import db


def test_demo_step(app):
    with app.app_context():
        users = demo_users()
        demo_eligibility(users)
        db.session.commit()
        applications = db.session.scalars(select(Application)).all()
        assert Counter(a.status.value for a in applications) == {"approved": 14, "eligible": 1, "rejected": 1}
        assert has_approved_application(users["cand01"].id, "3-01-01-04", "四级")
        assert has_approved_application(users["cand09"].id, "3-01-04-03", "五级")
        assert not has_approved_application(users["cand15"].id, "3-01-01-04", "四级")
        assert all(a.decided_by.username == "center_admin" for a in applications if a.status.decided)
