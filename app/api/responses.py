"""The JSON answers of /api/v1 that app/api/openapi.py describes (the success response's schema), as
pydantic models used only for the document. A model lists what the answer is sure to carry and what
each field means; fields it leaves out may still come (the schemas stay open: additional properties
allowed), so a described answer is never contradicted by one that carries more.

Described so far: the fields added by issue 27 that a client cannot guess — enrolment ``warnings``
(``room_over_capacity``, ``certificate_held``), the results' ``certificate_held`` / ``certificate_note``,
the theory score governed by the center's score visibility on ``GET /attempts/<aid>`` and on submit, and
the score-visibility setting itself. ``RESPONSES`` maps an endpoint to its model.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Release = Literal["at_once", "published"]


class CertificateHeld(BaseModel):
    number: str = Field(description="证书编号")
    issued: str = Field(description="发证日期 YYYY-MM-DD")
    level_title: str | None = None
    center: str | None = None


class EnrolmentWarning(BaseModel):
    """Enrolled all the same (201), with what the center should know."""

    code: Literal["room_over_capacity", "certificate_held"] = Field(
        description="room_over_capacity: 考场超员（readiness 也会提示）; certificate_held: 已持有本职业同等级有效证书，"
        "发布成绩时不再颁发第二张"
    )
    message: str = Field(description="中文说明")
    room: int | None = Field(None, description="room_over_capacity: 超员的考场 id")
    certificates: list[CertificateHeld] | None = Field(None, description="certificate_held: 所持证书")


class Enrolment(BaseModel):
    id: int
    username: str
    room: int | None
    seat: int | None
    ticket_no: str | None
    form: str | None
    paper_id: int | None
    warnings: list[EnrolmentWarning] = Field(description="空列表：无需提示")


class AttemptScore(BaseModel):
    """The theory score as the candidate may see it now: the center's score visibility decides
    (``at_once``: once the attempt has ended; ``published``: once the session's results are published)."""

    status: Literal["in_progress", "submitted"]
    score: float | None = Field(description="理论知识考试成绩（百分制，未舍入）；作答中或按机构设置待发布时为 null")
    score_text: str | None = Field(description="页面显示的两位小数（截断，不进位：59.995 → 59.99）")
    score_pending: bool = Field(description="已结束但按机构设置待成绩发布后显示")


class AttemptView(AttemptScore):
    attempt_id: int
    deadline: str | None
    server_time: str
    answers: dict[str, Any]


class ResultRow(BaseModel):
    username: str
    name: str | None = None
    theory: float | None
    practical: float | None
    review: float | None
    passed: bool = Field(description="每项 ≥ 60（不四舍五入：59.99 不合格）")
    certificate_no: str | None
    certificate_held: str | None = Field(None, description="合格但已持有本职业同等级有效证书：其编号（不重复发证）")
    certificate_note: str | None = Field(None, description="certificate_held 的中文说明")
    carried: list[str] = Field(description="成绩保留的考核项目")
    status: dict[str, str | None] | None = None


class SessionResults(BaseModel):
    session: int
    published: bool
    published_at: str | None
    results: list[ResultRow]
    staffing_exceptions: list[dict[str, Any]] | None = None


class ReleaseChoice(BaseModel):
    value: Release
    label: str


class ScoreVisibilitySetting(BaseModel):
    """The center's choice (the platform default ``at_once`` until it makes one: ``saved`` false)."""

    center: int
    theory_release: Release = Field(
        description="at_once: 交卷后立即显示理论成绩; published: 成绩发布后再显示（此前 score 为 null）"
    )
    label: str
    saved: bool
    default: Release
    choices: list[ReleaseChoice]


RESPONSES: dict[str, type[BaseModel]] = {
    "api.add_candidate": Enrolment,
    "api.get_attempt": AttemptView,
    "api.submit": AttemptScore,
    "api.session_results": SessionResults,
    "api.get_score_visibility": ScoreVisibilitySetting,
    "api.put_score_visibility": ScoreVisibilitySetting,
}
