"""成绩保留 (contract v1.1): a component passed is kept for 365 days after publication when another
failed; enrolled again for the same standard and level within the year, the candidate sits only
the rest — no paper, no attempt, no practical sheet for what is carried, readiness counts only those
who sit — and the results row shows "carried" with the kept score. Exactly 365 days still counts,
366 does not; a pass carried once is not kept beyond a year from its own publication."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app import timeutil
from app.extensions import db
from app.results.models import Result, ResultComponent
from app.sessions.models import Enrollment, ExamSession
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)


def _first_sitting(flow, theory: float, practical: float) -> int:
    sid = flow.session(["c1"])
    flow.theory(sid, "c1", theory)
    flow.practical(sid, "c1", practical)
    flow.end_theory(sid)
    assert flow.publish(sid).status_code == 200
    return sid


def _age_results(app, sid: int, days: int) -> None:
    """Date the session's publication ``days`` days back (its results and their components)."""
    with app.app_context():
        when = timeutil.utcnow() - timedelta(days=days)
        ids = db.session.scalars(select(Result.id).where(Result.session_id == sid)).all()
        db.session.execute(update(Result).where(Result.id.in_(ids)).values(published_at=when))
        db.session.execute(
            update(ResultComponent).where(ResultComponent.result_id.in_(ids)).values(origin_published_at=when)
        )
        db.session.commit()


def test_failed_practical_retaken_alone(app, flow):
    first = _first_sitting(flow, theory=72.5, practical=55)
    assert flow.results(first)["c1"]["passed"] is False
    second = flow.session(["c1", "c2"])
    with app.app_context():
        e = flow.enrollment(second, "c1")
        assert set(e.carried) == {"theory"} and e.carried["theory"]["score"] == 72.5
        assert e.paper_id is None  # no theory paper for a carried theory exam
        assert flow.enrollment(second, "c2").paper_id is not None
    # c1 cannot start the theory exam of the second session
    r = flow.client.post(f"/api/v1/sessions/{second}/attempt", headers=flow.token_for("c1"))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "component_carried"
    # readiness: no "papers unassigned" for c1
    problems = flow.client.get(f"/api/v1/sessions/{second}/readiness", headers=flow.admin).get_json()["problems"]
    assert "papers_unassigned" not in {p["code"] for p in problems}
    flow.theory(second, "c2", 80)
    flow.practical(second, "c1", 64)
    flow.practical(second, "c2", 80)
    flow.end_theory(second)
    r = flow.publish(second)
    assert r.status_code == 200, r.get_json()
    rows = flow.results(second)
    assert rows["c1"]["carried"] == ["theory"] and rows["c1"]["theory"] == 72.5
    assert rows["c1"]["practical"] == 64 and rows["c1"]["passed"] is True and rows["c1"]["certificate_no"]
    assert rows["c2"]["carried"] == []


def test_carried_practical_needs_no_sheet(app, flow):
    first = _first_sitting(flow, theory=40, practical=88)
    second = flow.session(["c1"])
    with app.app_context():
        assert set(flow.enrollment(second, "c1").carried) == {"practical"}
        assert flow.enrollment(second, "c1").paper_id is not None
    r = flow.client.put(
        f"/api/v1/sessions/{second}/practical/c1", json={"sections": {"宣传讲解": 1}}, headers=flow.graders[1]
    )
    assert r.status_code == 409
    # readiness: graders needed for 0 candidates sitting the practical, so no ratio problem
    problems = flow.client.get(f"/api/v1/sessions/{second}/readiness", headers=flow.admin).get_json()["problems"]
    assert "graders_insufficient" not in {p["code"] for p in problems}
    flow.theory(second, "c1", 61)
    flow.end_theory(second)
    assert flow.publish(second).status_code == 200  # nothing pending: practical is carried
    row = flow.results(second)["c1"]
    assert row["carried"] == ["practical"] and row["practical"] == 88 and row["passed"] is True
    assert flow.results(first)["c1"]["passed"] is False


def test_exactly_365_days_still_counts(app, flow):
    first = _first_sitting(flow, theory=90, practical=30)
    _age_results(app, first, 365)
    second = flow.session(["c1"])
    with app.app_context():
        assert set(flow.enrollment(second, "c1").carried) == {"theory"}


def test_366_days_is_too_late(app, flow):
    first = _first_sitting(flow, theory=90, practical=30)
    _age_results(app, first, 366)
    second = flow.session(["c1"])
    with app.app_context():
        e = flow.enrollment(second, "c1")
        assert e.carried == {} and e.paper_id is not None


def test_a_level_passed_carries_nothing(app, flow):
    _first_sitting(flow, theory=90, practical=90)
    second = flow.session(["c1"])
    with app.app_context():
        assert flow.enrollment(second, "c1").carried == {}


def test_nothing_carried_into_another_level(app, flow):
    _first_sitting(flow, theory=90, practical=30)
    other = flow.session(["c1"], level="三级")
    with app.app_context():
        assert flow.enrollment(other, "c1").carried == {}


def test_a_carried_pass_is_kept_one_year_from_its_own_publication(app, flow):
    first = _first_sitting(flow, theory=90, practical=30)
    _age_results(app, first, 300)
    second = flow.session(["c1"])
    flow.practical(second, "c1", 40)  # fails again, theory carried from the first sitting
    flow.end_theory(second)
    assert flow.publish(second).status_code == 200
    with app.app_context():
        kept = db.session.scalar(
            select(ResultComponent)
            .join(Result)
            .where(Result.session_id == second, ResultComponent.component == "theory")
        )
        assert kept.status == "carried"
        # dated by the first publication, 300 days ago, not by the second
        assert (timeutil.utcnow() - kept.origin_published_at).days in (299, 300)
    _age_results_only_session(app, second, 100)  # the second publication 100 days ago
    with app.app_context():
        db.session.execute(
            update(ResultComponent)
            .where(ResultComponent.status == "carried")
            .values(origin_published_at=timeutil.utcnow() - timedelta(days=400))
        )
        db.session.commit()
    _age_results(app, first, 400)
    third = flow.session(["c1"])
    with app.app_context():
        assert flow.enrollment(third, "c1").carried == {}  # 400 days since the theory pass


def _age_results_only_session(app, sid: int, days: int) -> None:
    with app.app_context():
        db.session.execute(
            update(Result).where(Result.session_id == sid).values(published_at=timeutil.utcnow() - timedelta(days=days))
        )
        db.session.commit()


def test_enrollment_carried_is_stored(app, flow):
    _first_sitting(flow, theory=75, practical=10)
    second = flow.session(["c1"])
    with app.app_context():
        stored = db.session.scalar(select(Enrollment.carried).where(Enrollment.session_id == second))
        assert stored["theory"]["score"] == 75 and "published_at" in stored["theory"]


def test_enrolled_before_the_publication_sits_only_the_rest(app, flow):
    """Enrolled again (a later session, not yet begun) before the first session is published."""
    first = flow.session(["c1"])
    flow.theory(first, "c1", 81)
    flow.practical(first, "c1", 20)
    later = flow.session(["c1"])
    with app.app_context():
        session = db.session.get(ExamSession, later)
        session.theory_start = timeutil.utcnow() + timedelta(days=7)  # next week's session
        db.session.commit()
        assert flow.enrollment(later, "c1").carried == {}
    flow.end_theory(first)
    assert flow.publish(first).status_code == 200
    with app.app_context():
        e = flow.enrollment(later, "c1")
        assert set(e.carried) == {"theory"} and e.carried["theory"]["score"] == 81 and e.paper_id is None
