"""The JSON request bodies of /api/v1, as pydantic models (api-contract: every section's bodies).

Every handler parses its body with its model (``parse_body(Model)``, app/api/common.py): a wrong type,
a missing field or a value out of range is one 422 naming the field's path (``questions.2.options``).
app/api/openapi.py reads the model a handler parses and turns it into the JSON Schema of the route's
requestBody, so the document and the parsing cannot drift apart; ``BODIES`` lists the same pairs
(tests/test_api_bodies.py holds them equal). The models are strict, as the hand-written converters
they replace were: ``"5"`` is not a number, ``5`` is not a text, ``true`` is not a number; a date is the
text ``YYYY-MM-DD``. The rules of the standards stay in the operations. Bodies the contract lets carry
more fields are ``extra="allow"``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from app.exams.proctoring import REASON_MAX as PROCTOR_REASON_MAX
from app.practical.marking import NOTE_MAX
from app.practical.marking import REASON_MAX as MARK_REASON_MAX
from app.rating.frameworks import Grade
from app.surveys.schema import ImprovementIn, SurveyIn, TemplateIn

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value):
    """``YYYY-MM-DD`` only (not a timestamp, not ``2020-1-1``, not ``22/11/2026``)."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PydanticCustomError("date_format", "须为 YYYY-MM-DD 格式的日期")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
# A JSON number, kept as the client wrote it (``3`` stays an integer, for operations that count);
# app/api/openapi.py documents it as ``{"type": "number"}`` with its bounds.
Number = int | float
Answer = str | list[str] | bool


class Body(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class Reason(Body):
    """A decision or an action with its written reason (approve/reject/revoke/incident…)."""

    reason: str | None = None


# ---------------------------------------------------------------- Auth


class TokenRequest(Body):
    username: str
    password: str


class PasswordChange(Body):
    current_password: str
    new_password: str
    new_password2: str = Field(description="new_password again")


class PasswordReset(Body):
    username: str
    code: str = Field(description="重置码 from the center admin")
    password: str
    password2: str = Field(description="password again")


# The registration is checked by the page form's own rules (app/auth/registration.py), which report every
# field at once (``details.errors``): the model takes any JSON value there and documents the text it wants.
FormText = Annotated[Any, WithJsonSchema({"type": ["string", "null"]})]


class Registration(Body):
    username: FormText = None
    name: FormText = None
    contact: FormText = Field(None, description="mobile number or e-mail address")
    password: FormText = None
    password2: FormText = Field(None, description="password again")
    center: str | int | None = Field(None, description="a center id, or empty")


class StaffAccount(Body):
    username: str
    name: str
    role: Literal["candidate", "grader", "proctor", "reviewer", "center_admin", "admin", "expert"]
    contact: str | None = None
    center: str | None = Field(None, description="the center (platform admin only)")


# ---------------------------------------------------------------- Eligibility — 申报条件


class Work(Body):
    occupation: str
    start: IsoDate
    end: IsoDate | None = None


class HeldCertificate(Body):
    occupation: str
    level: str
    issued: IsoDate


class Education(Body):
    school: str | None = None
    program: str
    major: str | None = None
    status: Literal["graduated", "final_year", "enrolled"] = "graduated"
    graduated: IsoDate | None = None
    assessed: bool = False
    equivalent: bool = False  # v1.2 同等学力
    probation_end: IsoDate | None = None  # v1.2 见习期


class Title(Body):
    rank: Literal["初级", "中级", "高级", "副高", "正高"]
    matches_field: bool
    obtained: IsoDate


class TrainingRecord(Body):
    level: str
    hours: Number
    completion_certificate: bool = False
    completed: IsoDate | None = None


class Candidate(Body):
    birth_date: IsoDate | None = None
    work: list[Work] = []
    certificates: list[HeldCertificate] = []
    education: list[Education] = []
    titles: list[Title] = []
    training: list[TrainingRecord] = []


class EligibilityRequest(Body):
    standard: str
    level: str
    as_of: IsoDate | None = Field(None, description="默认：北京时间的今天")
    candidate: Candidate = Candidate()


class ApplicationRequest(Body):
    standard: str
    level: str
    candidate: Candidate = Candidate()


# ---------------------------------------------------------------- Banks and papers — 题库 / 组卷


class BankItem(Body):
    """One item. The model checks the JSON types; the values (type, answer letters, area, level, ranges)
    are checked in order by app/banks/validation.py, shared with the Excel import, so that the 422
    names the FIRST bad item whatever is wrong with it."""

    external_id: str | int
    type: str = Field(json_schema_extra={"enum": ["single", "multiple", "judge"]})
    stem: str
    options: list[str] | None = None
    answer: Answer | None
    points: Number = Field(json_schema_extra={"minimum": 1, "maximum": 100})
    area: str
    level: str
    difficulty: Number | None = Field(None, json_schema_extra={"minimum": 0, "maximum": 1})
    enemy_group: str | int | None = None
    source: str | None = None


class BankImport(Body):
    items: list[BankItem]


class Section(Body):
    type: Literal["single", "multiple", "judge"]
    count: int = Field(ge=0)
    points: Number | None = Field(None, description="points per item of this section")


class DifficultyBand(Body):
    min: Number = Field(ge=0, le=1)
    max: Number = Field(ge=0, le=1)


class PaperOptions(Body):
    forms: int = Field(1, ge=1)
    max_overlap: Number = Field(0.2, ge=0, le=1)
    seed: int | None = None
    sections: list[Section] | None = None
    difficulty: DifficultyBand | None = None


# An error in a section or the band is named by the whole field and the section's index (the contract's
# shape since v1: ``{"field": "sections", "index": 1}``).
WHOLE = ("sections", "difficulty")


class SessionPapersRequest(PaperOptions):
    reason: str | None = Field(None, description="重新组卷的理由 (optional; kept in the audit log)")


class AssembleRequest(PaperOptions):
    standard: str
    level: str


# ---------------------------------------------------------------- Sessions — 考试批次


class SessionRequest(Body):
    name: str
    standard: str
    level: str
    theory_start: str = Field(description="ISO 8601 datetime with offset")
    theory_minutes: int
    practical_minutes: int | None = None
    review_minutes: int | None = None
    theory_mode: Literal["machine", "paper"] = "machine"
    practical_start: str | None = Field(None, description="操作技能考核开始时间, ISO 8601 with offset (optional)")
    practical_place: str | None = Field(None, description="操作技能考核地点 (optional)")


class RoomRequest(Body):
    name: str
    capacity: int = Field(ge=1)
    kind: Literal["theory", "practical"]
    stations: int | None = None
    room_type: Literal["classroom", "computer_lab"] | None = None


class StaffRequest(Body):
    username: str
    role: Literal["proctor", "grader", "reviewer"]
    room: int | None = None
    panel: str | None = None


class CandidateRequest(Body):
    username: str
    room: int | None = None
    capacity_reason: str | None = Field(
        None, description="超员理由: needed only to seat one beyond the room's capacity"
    )
    reason: str | None = Field(
        None, description="再次报名理由: why a holder of a valid certificate of this level sits again"
    )


class StatusChange(Body):
    status: str


class Extension(Body):
    minutes: int = Field(ge=1)
    reason: str = Field(max_length=PROCTOR_REASON_MAX, description="延时原因")


# ---------------------------------------------------------------- Machine exam — 机考


class AnswerRequest(Body):
    answer: Answer | None = Field(description="null clears the answer")


# ---------------------------------------------------------------- Practical / review — 操作技能考核 / 综合评审


class SheetRequest(Body):
    sections: dict[str, Number] | None = Field(None, description="practical: {area: points}")
    score: Number | None = Field(None, ge=0, le=100, description="review: 0–100")


class FinalizeRequest(Body):
    note: str | None = Field(None, max_length=NOTE_MAX, description="说明 (required over the spread threshold)")


class PanelFinalize(Body):
    panel: str | None = None
    notes: dict[str, Annotated[str, Field(max_length=NOTE_MAX)]] = {}
    all: bool = False


class MarkRequest(Body):
    mark: str | None = None
    reason: str | None = Field(None, max_length=MARK_REASON_MAX, description="违纪原因")


class SplitRequest(Body):
    parts: list[dict]


class ScoringSettings(Body):
    spread_threshold: Number


class ReviewDeadline(Body):
    due: str


class PaperScore(Body):
    """``{"score": 0–100}``, or ``{"absent": true}`` for 缺考."""

    score: Number | None = Field(None, ge=0, le=100)
    absent: bool = False


# ---------------------------------------------------------------- Training — 职业培训


class Venue(Body):
    name: str
    type: str | None = None
    stations: int | None = None


class TrainingRequest(Body):
    name: str
    standard: str
    level: str
    kind: Literal["theory", "practical", "both"]
    hours: Number | None = None
    start: IsoDate
    end: IsoDate
    trainers: list[str] = []
    venue: Venue | None = None


class Username(Body):
    username: str


class ClassRequest(Body):
    date: IsoDate
    start: str
    end: str
    hours: Number
    topic: str | None = None


class Attendance(Body):
    present: list[str]


class QualificationCertificate(Body):
    occupation: str
    level: str
    issued: IsoDate
    no: str | None = None


class Qualifications(Body):
    certificates: list[QualificationCertificate] = []
    titles: list[Title] = []


# ---------------------------------------------------------------- Continuing education — 继续教育


class CEForm(Body):
    form: str
    hours_rule: str | float | None = None


class CERequirement(Body):
    annual_hours: Number = 90
    minimum: dict[str, Number] = {}
    forms: list[CEForm] = []


class CERecord(Body):
    year: int
    form: str
    category: Literal["公需科目", "专业科目"]
    title: str
    date: IsoDate
    hours: Number
    evidence: list[int] = []


class CEApproval(Body):
    hours: Number | None = None


# ---------------------------------------------------------------- Surveys — 满意度测评
# POST /surveys, /surveys/templates and /surveys/<id>/improvements parse with app/surveys/schema.py's
# own models (SurveyIn, TemplateIn, ImprovementIn): the document shows those very models.


class SurveyResponse(Body):
    answers: list = Field(description="one answer per question, in order")


class SurveySettings(Body):
    satisfied_levels: list[Literal["非常满意", "满意", "基本满意", "不满意", "非常不满意"]] = ["非常满意", "满意"]
    target_rate: Number = Field(0.9, ge=0, le=1)


# ---------------------------------------------------------------- Organization rating — 社会组织等级评估


class RoundRequest(Body):
    framework: str
    name: str
    year: int
    self_assessment_due: IsoDate
    publicity_days: int | None = None
    experts: list[str]
    grades: list[Grade] | None = Field(None, description="default: the framework's grades")


class Grades(Body):
    grades: list[Grade]


class ChecklistAnswer(Body):
    level: Literal["达到", "部分达到", "未达到"]
    measure: str = Field("", max_length=2000, description="整改措施, required unless 达到 (T/SSOF 0001-2024 7.2)")


class Organization(Body):
    center: str


class SelfScore(Body):
    score: Number | None = None
    note: str | None = None
    inputs: dict = {}
    evidence: list[int] = []


class ExpertScore(Body):
    score: Number
    comment: str | None = None


class Appeal(Body):
    reason: str
    codes: list[str] = []


class AppealDecision(Body):
    decision: Literal["upheld", "changed"]
    scores: dict[str, Number] = {}


# ---------------------------------------------------------------- endpoint → body model

# Endpoints whose operation counts failures per account or client (app/auth/throttle.py): 429.
THROTTLED = frozenset({"api.create_token", "api.register_account", "api.reset_password", "api.change_password"})

BODIES: dict[str, type[BaseModel]] = {
    "api.create_token": TokenRequest,
    "api.change_password": PasswordChange,
    "api.reset_password": PasswordReset,
    "api.register_account": Registration,
    "api.create_account": StaffAccount,
    "api.check_eligibility": EligibilityRequest,
    "api.create_application": ApplicationRequest,
    "api.approve_application": Reason,
    "api.reject_application": Reason,
    "api.import_bank_items": BankImport,
    "api.assemble_papers": AssembleRequest,
    "api.create_session": SessionRequest,
    "api.add_room": RoomRequest,
    "api.update_room": RoomRequest,
    "api.add_staff": StaffRequest,
    "api.add_candidate": CandidateRequest,
    "api.assign_papers": SessionPapersRequest,
    "api.advance": StatusChange,
    "api.grant_extension": Extension,
    "api.record_incident": Reason,
    "api.force_close": Reason,
    "api.save_answer": AnswerRequest,
    "api.save_sheet": SheetRequest,
    "api.finalize": FinalizeRequest,
    "api.finalize_panel": PanelFinalize,
    "api.mark": MarkRequest,
    "api.set_split": SplitRequest,
    "api.scoring_settings": ScoringSettings,
    "api.review_deadline": ReviewDeadline,
    "api.enter_paper_score": PaperScore,
    "api.revoke_certificate": Reason,
    "api.create_training": TrainingRequest,
    "api.add_trainee": Username,
    "api.add_class": ClassRequest,
    "api.save_attendance": Attendance,
    "api.put_qualifications": Qualifications,
    "api.put_ce_requirement": CERequirement,
    "api.create_ce_record": CERecord,
    "api.approve_ce_record": CEApproval,
    "api.reject_ce_record": Reason,
    "api.create_survey": SurveyIn,
    "api.save_survey_template": TemplateIn,
    "api.add_survey_improvement": ImprovementIn,
    "api.respond_to_survey": SurveyResponse,
    "api.save_survey_settings": SurveySettings,
    "api.set_rating_grades": Grades,
    "api.save_rating_checklist_answer": ChecklistAnswer,
    "api.create_rating_round": RoundRequest,
    "api.enroll_rating_organization": Organization,
    "api.save_rating_self_score": SelfScore,
    "api.save_rating_expert_score": ExpertScore,
    "api.lodge_rating_appeal": Appeal,
    "api.decide_rating_appeal": AppealDecision,
}


# ---------------------------------------------------------------- score visibility (issue 27 item 11)


class ScoreVisibility(Body):
    """PUT /centers/<id>/score-visibility: when the center's candidates see their theory score. The value
    is checked by the operation (app/exams/score_visibility.py), whose 422 names the field in Chinese."""

    theory_release: Annotated[str, WithJsonSchema({"type": "string", "enum": ["at_once", "published"]})]


BODIES["api.put_score_visibility"] = ScoreVisibility
