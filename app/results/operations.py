"""Results (成绩): publication, the roster of a session, carry-over (成绩保留).

Final scores are read only through the assessment registry (``app.assessment``); the pass rule
and the carry window are the pure functions of ``scoring.results``. Operations only flush; the
request boundary commits, so a refused publication changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import select

from app import assessment, timeutil
from app.assessment import FinalScore, Status
from app.audit.operations import record
from app.auth.models import User
from app.errors import Conflict
from app.extensions import db
from app.locking import lock_row
from app.sessions import staffing_exceptions
from app.sessions.lifecycle import advance, sync_clock
from app.sessions.models import Enrollment, ExamSession, SessionStatus
from app.standards.registry import get_standard
from scoring.results import CARRY_DAYS, carried_components, within_carry_window

from .certificates import has_settings, issue_certificates
from .held import held_by
from .models import Result, ResultComponent


def _status_of(final: FinalScore) -> str:
    return final.status.value


def missing_components(session: ExamSession, scores: dict[str, dict[int, FinalScore]]) -> list[dict]:
    """Every (candidate, component) whose score is not yet final, in roster order."""
    labels = assessment.labels()
    missing = []
    for enrollment in session.enrollments:
        for key, by_enrollment in scores.items():
            final = by_enrollment.get(enrollment.id, assessment.PENDING)
            if not final.is_final:
                missing.append(
                    {
                        "username": enrollment.user.username,
                        "name": enrollment.user.display_name,
                        "component": key,
                        "label": labels.get(key, key),
                    }
                )
    return missing


def publish_from_page(session: ExamSession, user: User, reason) -> list[Result]:
    """发布成绩 on the page: below 1.9.3's staffing a written reason is asked first (kept, audited);
    and the center's certificate settings must be saved, or the numbers issued — permanent — would
    carry placeholder segments (S, 0000, 32, the center's id). The API's publish keeps its v1
    behaviour (contract v1.0: a publish needs nothing else, and the API has no settings endpoint)."""
    if not has_settings(session.center):
        raise Conflict(
            "尚未保存本机构的证书编号设置，发布后颁发的证书编号将含占位号段且不能更改："
            "请先在「成绩与证书 › 证书编号设置」页面（/results/settings）保存",
            code="certificate_settings_missing",
        )
    staffing_exceptions.require_reason(session, "publish", reason, user)
    return publish(session, user)


def publish(session: ExamSession, user: User, now: datetime | None = None) -> list[Result]:
    """Freeze every candidate's result and issue certificates to the passers (1.9.2: a level is
    passed only when every one of its components is 60 or more, compared without rounding).

    409 when already published, when a required component of a candidate is not final (the
    details list each one), or when the session cannot move to 成绩已发布.
    """
    now = now or timeutil.utcnow()
    # One publication at a time (issue 11): the session row is locked and re-read first, so of several
    # at once one publishes and the others find it published (409), never a 500 on results.enrollment_id.
    # The clock's move made on reading the session (in memory only) is dropped first and made again
    # below: flushed by the lock's statement it would write a stale status over a publication that
    # just committed. FOR NO KEY UPDATE (key_share): the rows this publication inserts reference it.
    db.session.expire(session)
    lock_row(session, key_share=True)
    if session.status == SessionStatus.published:
        raise Conflict("本批次成绩已发布", code="already_published")
    sync_clock(session, now)
    if session.status == SessionStatus.theory_closed:
        advance(session, SessionStatus.scoring.value, now)  # closes what ran past its deadline
    if not session.enrollments:
        raise Conflict("本批次没有考生，无成绩可发布", code="no_candidates")
    scores = assessment.final_scores(session)
    missing = missing_components(session, scores)
    if missing:
        listed = "；".join(f"{m['name']}（{m['username']}）{m['label']}" for m in missing[:10])
        more = f"等 {len(missing)} 项" if len(missing) > 10 else ""
        raise Conflict(
            f"以下成绩尚未确定，不能发布：{listed}{more}",
            code="results_incomplete",
            details={"missing": missing},
        )
    session.transition(SessionStatus.published)
    standard = get_standard(session.standard_id)
    components = assessment.session_components(session)
    results = []
    for enrollment in session.enrollments:
        kept = enrollment.carried or {}
        result = Result(
            session_id=session.id,
            enrollment_id=enrollment.id,
            user_id=enrollment.user_id,
            standard_id=session.standard_id,
            level=session.level,
            published_at=now,
            published_by_id=user.id,
            passed=True,
        )
        for component in components:
            final = scores[component.key][enrollment.id]
            passed = component.passed(final, standard)
            origin = now
            if final.status == Status.carried:
                origin = datetime.fromisoformat(kept[component.key]["published_at"])
            result.components.append(
                ResultComponent(
                    component=component.key,
                    status=_status_of(final),
                    score=final.score,
                    passed=passed,
                    origin_published_at=origin,
                )
            )
            result.passed = result.passed and passed
        db.session.add(result)
        results.append(result)
    db.session.flush()
    passers = [r for r in results if r.passed]
    held = withhold_second_certificates(session, passers)
    details = {"candidates": len(results), "passed": len(passers), "already_certified": len(held)}
    record("results.published", session, details)
    issue_certificates(session, [r for r in passers if r.user_id not in held], now)
    for result in results:
        if not result.passed and any(c.passed for c in result.components):
            refresh_later_enrollments(result, now)
    db.session.flush()
    return results


def withhold_second_certificates(session: ExamSession, passers: list[Result]) -> dict[int, str]:
    """{user id: number held} of the passers who already hold a valid certificate of this standard and
    level: they get their result but no second certificate (issue 27 item 2), and the result keeps the
    number held. The passers' user rows are locked first (in id order, so two publications cannot
    deadlock), so that two sessions of one level published at once cannot both issue one."""
    for user in sorted({r.user for r in passers}, key=lambda u: u.id):
        lock_row(user, key_share=True)
    held = held_by([r.user_id for r in passers], session.standard_id, session.level)
    for result in passers:
        if result.user_id in held:
            result.held_certificate_no = held[result.user_id].number
    return {user_id: certificate.number for user_id, certificate in held.items()}


def refresh_later_enrollments(result: Result, now: datetime) -> None:
    """成绩保留 for a candidate already enrolled again (same standard and level) in a session that
    has not begun: the kept passes of this publication apply there too. Only sessions still in
    草稿/已排考 before their theory start are touched; a component already begun keeps its state."""
    later = db.session.scalars(
        select(Enrollment)
        .join(ExamSession, Enrollment.session_id == ExamSession.id)
        .where(
            Enrollment.user_id == result.user_id,
            ExamSession.id != result.session_id,
            ExamSession.standard_id == result.standard_id,
            ExamSession.level == result.level,
            ExamSession.status.in_([SessionStatus.draft, SessionStatus.scheduled]),
        )
    )
    for enrollment in later:
        session = enrollment.session
        if session.theory_start <= now:
            continue
        kept = kept_passes(result.user_id, result.standard_id, result.level, now)
        started = {c.key for c in assessment.session_components(session) if c.has_started(session)}
        enrollment.carried = {key: value for key, value in kept.items() if key not in started}
        if not assessment.sits(enrollment, "theory"):
            enrollment.paper_id = enrollment.form = None


def published_results(session: ExamSession) -> list[Result]:
    return list(
        db.session.scalars(
            select(Result)
            .join(Enrollment, Result.enrollment_id == Enrollment.id)
            .where(Result.session_id == session.id)
        )
    )


# ---------------------------------------------------------------- carry-over (成绩保留)


def carry_over_days() -> int:
    """成绩保留's period in days: the CARRY_OVER_DAYS setting (a platform rule; default 365)."""
    if has_app_context():
        return int(current_app.config.get("CARRY_OVER_DAYS", CARRY_DAYS))
    return CARRY_DAYS


def kept_passes(user_id: int, standard_id: str, level: str, now: datetime) -> dict[str, dict]:
    """{component: {"score", "published_at"}} a candidate keeps: a component passed in a result of
    the same standard and level published within the last ``carry_over_days()`` (365) days (counted
    in Beijing calendar days, exactly that many still counting), when the level as a whole was not
    passed. A kept pass is dated by its own first publication, so carrying it again does not extend
    the period. 成绩保留 is a platform rule (平台规则), not a clause of the standards."""
    as_of = now.astimezone(timeutil.CHINA)
    days = carry_over_days()
    results = db.session.scalars(
        select(Result).where(Result.user_id == user_id, Result.standard_id == standard_id, Result.level == level)
    ).all()
    if any(r.passed and within_carry_window(r.published_at, as_of, days) for r in results):
        return {}  # the level was passed: nothing to retake, nothing carried
    rows = [c for r in results for c in r.components if c.passed and c.score is not None]
    required = [c.key for c in assessment.required_components(get_standard(standard_id), level)]
    kept = carried_components([(c.origin_published_at, {c.component: c.score}) for c in rows], as_of, required, days)
    found = {}
    for key, score in kept.items():
        origin = max(
            c.origin_published_at
            for c in rows
            if c.component == key and c.score == score and within_carry_window(c.origin_published_at, as_of, days)
        )
        found[key] = {"score": score, "published_at": origin.isoformat()}
    return found


assessment.set_carry_provider(kept_passes)


# ---------------------------------------------------------------- the roster


def live_rows(session: ExamSession, scores: dict[str, dict[int, FinalScore]] | None = None) -> list[dict]:
    """The scores as they stand (before publication); ``passed`` only once every component is final."""
    scores = scores if scores is not None else assessment.final_scores(session)
    standard = get_standard(session.standard_id)
    components = assessment.session_components(session)
    rows = []
    for enrollment in session.enrollments:
        finals = {c.key: scores[c.key][enrollment.id] for c in components}
        complete = all(f.is_final for f in finals.values())
        rows.append(
            {
                "enrollment": enrollment,
                "user": enrollment.user,
                "finals": {k: (f.score, f.status.value) for k, f in finals.items()},
                "passed": complete and all(c.passed(finals[c.key], standard) for c in components),
                "complete": complete,
                "certificate": None,
                "held_certificate_no": None,
                "published_at": None,
            }
        )
    return rows


def _frozen_rows(session: ExamSession) -> list[dict]:
    by_enrollment = {r.enrollment_id: r for r in published_results(session)}
    rows = []
    for enrollment in session.enrollments:
        result = by_enrollment.get(enrollment.id)
        if result is None:
            continue
        rows.append(
            {
                "enrollment": enrollment,
                "user": enrollment.user,
                "finals": {c.component: (c.score, c.status) for c in result.components},
                "passed": result.passed,
                "complete": True,
                "certificate": result.certificate,
                "held_certificate_no": result.held_certificate_no,
                "published_at": result.published_at,
            }
        )
    return rows


def roster(session: ExamSession) -> list[dict]:
    """One row per candidate: the frozen result once published, else the scores as they stand."""
    return _frozen_rows(session) if session.status == SessionStatus.published else live_rows(session)


def results_of_user(user: User) -> list[Result]:
    """A candidate's own published results, newest first."""
    return list(
        db.session.scalars(select(Result).where(Result.user_id == user.id).order_by(Result.published_at.desc()))
    )
