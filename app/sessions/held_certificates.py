"""At enrolment: a candidate who already holds a valid certificate of the session's standard and
level (issue 27 item 2). Enrolling them again is allowed — a center may have its reasons — but
never silently: the API's answer carries a warning (contract v1.0: enrolment answers 201, so no new
refusal), and the page asks for the center's written reason first (再次报名理由), which the audit log
keeps. Publication then issues no second certificate (``app.results.held``).

The certificates belong to the results domain, above this one: it registers how they are found
(``set_provider``), as it does for 成绩保留.
"""

from __future__ import annotations

from collections.abc import Callable

from app.audit.operations import record
from app.auth.models import User
from app.errors import Conflict, Invalid

from .models import Enrollment, ExamSession

HeldProvider = Callable[[int, str, str], list[dict]]
_provider: HeldProvider | None = None
MAX_REASON = 500


def set_provider(provider: HeldProvider) -> None:
    """(user id, standard, level) -> [{"number", "issued", "level_title", "center"}] of valid certificates."""
    global _provider
    _provider = provider


def held(user: User, exam_session: ExamSession) -> list[dict]:
    return list(_provider(user.id, exam_session.standard_id, exam_session.level)) if _provider else []


def warning_of(user: User, certificates: list[dict]) -> dict:
    numbers = "、".join(f"{c['number']}（{c['issued']} 发证）" for c in certificates)
    return {
        "code": "certificate_held",
        "message": f"考生 {user.display_name}（{user.username}）已持有本职业同等级的有效证书 {numbers}；"
        "发布成绩时不会再颁发第二张同等级证书",
        "certificates": certificates,
    }


def clean_reason(reason) -> str:
    if reason is None:
        return ""
    if not isinstance(reason, str):
        raise Invalid("再次报名理由：应为文字", field="reason")
    if len(reason.strip()) > MAX_REASON:
        raise Invalid(f"再次报名理由：不能超过 {MAX_REASON} 个字符", field="reason")
    return reason.strip()


def check(exam_session: ExamSession, user: User, reason, *, require_reason: bool) -> list[dict]:
    """The warnings for enrolling ``user`` (empty when they hold no valid certificate of this level).
    With ``require_reason`` (the page) a holder without a written reason is refused (409
    ``certificate_held``, listing the certificate) so that the center confirms with one."""
    text = clean_reason(reason)
    certificates = held(user, exam_session)
    if not certificates:
        return []
    warning = warning_of(user, certificates)
    if require_reason and not text:
        raise Conflict(
            f"{warning['message']}。如确需再次报名（例如原证书信息有误需重考），请填写再次报名理由后再确认报名",
            code="certificate_held",
            details={"field": "reason", "certificates": certificates},
        )
    return [warning]


def record_holder(enrollment: Enrollment, warnings: list[dict], reason) -> None:
    """The audit entry of a holder enrolled again: which certificate, and the reason given (if any)."""
    numbers = [c["number"] for w in warnings if w["code"] == "certificate_held" for c in w["certificates"]]
    if not numbers:
        return
    details = {"candidate": enrollment.user.username, "held": numbers, "reason": clean_reason(reason)}
    record("session.certificate_holder_enrolled", enrollment, details, center_id=enrollment.session.center_id)
