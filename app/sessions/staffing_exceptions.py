"""Going on below 1.9.3's staffing (监考人员、考评人员配比, 考评小组人数) with a written reason.

Readiness problems stay warnings in the API (api-contract: Sessions — v1 behaviour unchanged). On
the PAGES, 开考 and 发布成绩 with a staffing problem ask for a written reason: it is kept
(``StaffingException``, append-only), recorded in the audit log, shown beside the session's results
and in their export, and listed in ``GET /sessions/<id>/results`` as ``staffing_exceptions``.
Operations only flush; the request boundary commits.
"""

from __future__ import annotations

from sqlalchemy import select

from app import timeutil
from app.audit.operations import record
from app.auth.models import User
from app.errors import Invalid
from app.extensions import db

from .models import ExamSession, StaffingException
from .readiness_report import readiness

# The readiness codes that come from 1.9.3 (人员配比 and panels); the other problems are not staffing.
STAFFING_CODES = ("proctors_insufficient", "graders_insufficient", "grader_panel_", "reviewer_panel_", "reviewers_")
STEP_LABELS = {"open": "开考", "publish": "发布成绩"}
MAX_REASON = 2000


def is_staffing(code: str) -> bool:
    return code.startswith(STAFFING_CODES)


def staffing_problems(exam_session: ExamSession) -> list[dict]:
    return [p for p in readiness(exam_session)["problems"] if is_staffing(p["code"])]


def require_reason(exam_session: ExamSession, step: str, reason, actor: User) -> StaffingException | None:
    """Before ``step`` (开考 / 发布成绩) on a page: with staffing problems, a written reason is required
    (422 ``reason``) and kept; without problems nothing is asked or kept."""
    problems = staffing_problems(exam_session)
    if not problems:
        return None
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        listed = "；".join(p["message"] for p in problems)
        raise Invalid(
            f"人员配备未达到标准（{listed}）。如仍要{STEP_LABELS[step]}，请填写书面理由",
            field="reason",
            code="staffing_reason_required",
        )
    if len(text) > MAX_REASON:
        raise Invalid(f"理由不能超过 {MAX_REASON} 个字符", field="reason")
    exception = StaffingException(
        session_id=exam_session.id, step=step, reason=text, problems=problems, actor_id=actor.id
    )
    db.session.add(exception)
    db.session.flush()
    record(
        "session.staffing_exception",
        exception,
        {"step": step, "reason": text, "problems": [p["code"] for p in problems]},
        center_id=exam_session.center_id,
    )
    return exception


def exceptions_of(exam_session: ExamSession) -> list[StaffingException]:
    return list(
        db.session.scalars(
            select(StaffingException)
            .where(StaffingException.session_id == exam_session.id)
            .order_by(StaffingException.id)
        )
    )


def exception_json(exception: StaffingException) -> dict:
    return {
        "step": exception.step,
        "reason": exception.reason,
        "problems": [{"code": p["code"], "message": p["message"]} for p in exception.problems],
        "by": exception.actor.username if exception.actor else None,
        "at": timeutil.iso(exception.created_at),
    }
