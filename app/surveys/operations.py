"""Survey operations: create (with its invitations), close, respond; reading for admins and respondents.
They flush, never commit (the request boundary commits).

Anonymity (contract v1.2: "an anonymous survey stores who has responded apart from what they answered"):
a response to an anonymous survey writes one ``SurveyResponse`` (random key, no user, no time) and turns
the respondent's invitation to ``responded`` — through one UPDATE that rewrites *every* invitation of the
survey alike, so that on PostgreSQL neither the rows' transaction ids (xmin) nor their physical order
tell whose invitation changed together with the new answers. No audit entry is written for it: an entry
carries the time, the client address and the request id, which together with the sign-in records would
say who sent the answers that arrived then. Named surveys keep the user on the response and are audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select, text, update

from app.audit.operations import record
from app.auth.models import Role, User
from app.auth.scoping import ensure_same_center, get_for_center, scope_to_center
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.locking import lock_row
from scoring.surveys import LIKERT_LEVELS

from . import audiences
from .models import Survey, SurveyInvitation, SurveyResponse, SurveyTemplate
from .schema import SurveyIn, TemplateIn, parse, parse_moment

MAX_TEXT_ANSWER = 2000


def create_survey(admin: User, data: dict, now: datetime) -> Survey:
    body = parse(SurveyIn, data)
    if body.questions is not None:
        questions = [q.stored() for q in body.questions]
    else:
        questions = list(get_template(body.template, admin, field="template").questions)
    opens = parse_moment(body.opens, "opens", now)
    closes = parse_moment(body.closes, "closes", None)
    check_window(opens, closes)
    kind, ref, name, users = audiences.resolve(admin, body.audience)
    survey = Survey(
        center_id=admin.center_id,
        title=body.title,
        audience_kind=kind,
        audience_ref=ref,
        audience_name=name[:200],
        anonymous=body.anonymous,
        opens=opens,
        closes=closes,
        questions=questions,
        created_by_id=admin.id,
        created_at=now,
    )
    db.session.add(survey)
    db.session.flush()
    db.session.add_all(SurveyInvitation(survey_id=survey.id, user_id=user_id) for user_id in users)
    db.session.flush()
    record(
        "survey.created",
        survey,
        {"title": survey.title, "audience": name, "anonymous": survey.anonymous, "invited": len(users)},
    )
    return survey


def check_window(opens: datetime, closes: datetime | None) -> None:
    if closes is not None and closes <= opens:
        raise Invalid("截止时间必须晚于开始时间", field="closes")


def close_survey(survey: Survey, now: datetime) -> Survey:
    if not survey.is_open(now):
        raise Conflict("问卷不在开放时间内，无法结束")
    survey.closes = now
    db.session.flush()
    record("survey.closed", survey, {"title": survey.title})
    reorder_stored_responses()
    return survey


def reorder_stored_responses() -> None:
    """PostgreSQL keeps rows in the heap in the order they arrived, so the physical order of the
    answers would tell who answered when (with an access log beside it, who answered what). Closing a
    survey rewrites the table in the order of its random 128-bit keys (CLUSTER), which is no order of
    arrival. SQLite needs nothing: the table is WITHOUT ROWID, stored by that key from the start."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("CLUSTER survey_responses USING pk_survey_responses"))


# ---------------------------------------------------------------- reading


def get_survey(survey_id: int, user: User) -> Survey:
    """For the center's admins (their own center) and the platform admin: 404 otherwise."""
    return get_for_center(Survey, survey_id, user, "问卷不存在")


def list_surveys(user: User) -> list[Survey]:
    query = scope_to_center(select(Survey).order_by(Survey.opens.desc(), Survey.id.desc()), user, Survey.center_id)
    return list(db.session.scalars(query))


def invitation_of(survey_id: int, user: User) -> SurveyInvitation:
    """The user's invitation, or 404 — for anyone not invited, another center's users included."""
    invitation = db.session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.survey_id == survey_id, SurveyInvitation.user_id == user.id)
    )
    if invitation is None:
        raise NotFound("问卷不存在，或您未被邀请参加")
    return invitation


def survey_for(survey_id: int, user: User) -> tuple[Survey, SurveyInvitation | None]:
    """The survey for someone who may see its questions: an invited person, or its center's admins."""
    if user.role in (Role.center_admin, Role.admin):
        survey = db.session.get(Survey, survey_id)
        if survey is not None and (user.role == Role.admin or survey.center_id == user.center_id):
            invitation = db.session.scalar(
                select(SurveyInvitation).where(
                    SurveyInvitation.survey_id == survey_id, SurveyInvitation.user_id == user.id
                )
            )
            return survey, invitation
    invitation = invitation_of(survey_id, user)
    return invitation.survey, invitation


def my_invitations(user: User) -> list[SurveyInvitation]:
    query = (
        select(SurveyInvitation)
        .join(Survey)
        .where(SurveyInvitation.user_id == user.id)
        .order_by(Survey.opens.desc(), Survey.id.desc())
    )
    return list(db.session.scalars(query))


def counts(survey: Survey) -> tuple[int, int]:
    """(invited, responded) — from the invitations, the only place that knows who is asked."""
    invited, responded = db.session.execute(
        select(func.count(), func.count().filter(SurveyInvitation.responded.is_(True))).where(
            SurveyInvitation.survey_id == survey.id
        )
    ).one()
    return invited, responded


def responses_of(survey: Survey) -> list[list]:
    """Every response's answers, in the order of their random keys (no arrival order)."""
    return list(
        db.session.scalars(
            select(SurveyResponse.answers).where(SurveyResponse.survey_id == survey.id).order_by(SurveyResponse.id)
        )
    )


def named_respondents(survey: Survey) -> list[User] | None:
    """Who has responded — on a named survey only (on an anonymous one nobody is shown it: watching the
    list grow beside the report would tell whose answers came in)."""
    if survey.anonymous:
        return None
    query = (
        select(User)
        .join(SurveyInvitation, SurveyInvitation.user_id == User.id)
        .where(SurveyInvitation.survey_id == survey.id, SurveyInvitation.responded.is_(True))
        .order_by(User.username)
    )
    return list(db.session.scalars(query))


# ---------------------------------------------------------------- responding


def check_answers(questions: list[dict], answers) -> list:
    """One answer per question, in order: a likert5 level; a choice option (a list of options when the
    question is multiple); free text. ``null`` (or "" / []) only for a question that is not required."""
    clean, found = answer_problems(questions, answers)
    if found:
        raise found[0]
    return clean


def answer_problems(questions: list[dict], answers) -> tuple[list, list[Invalid]]:
    """The clean answers and every problem of them, one per question (the page shows them all at once)."""
    if not isinstance(answers, list):
        return [], [Invalid("答案：必须是列表，每题一个答案，按题目顺序", field="answers")]
    if len(answers) != len(questions):
        return [], [Invalid(f"答案：应有 {len(questions)} 个（每题一个），收到 {len(answers)} 个", field="answers")]
    clean, found = [], []
    for index, (question, answer) in enumerate(zip(questions, answers, strict=True)):
        try:
            clean.append(_checked_answer(index, question, answer))
        except Invalid as exc:
            found.append(exc)
            clean.append(None)
    return clean, found


def _checked_answer(index: int, question: dict, answer):
    field = f"answers.{index}"
    where = f"第 {index + 1} 题（{question['text'][:20]}）"
    if answer is None or answer == "" or answer == []:
        if question.get("required", question["type"] != "text"):
            raise Invalid(f"{where}为必答题", field=field, index=index)
        return None
    kind = question["type"]
    if kind == "likert5":
        if not isinstance(answer, str) or answer not in LIKERT_LEVELS:
            raise Invalid(f"{where}：答案须为 {'、'.join(LIKERT_LEVELS)} 之一", field=field, index=index)
    elif kind == "choice" and question.get("multiple"):
        options = question["options"]
        if not isinstance(answer, list) or not all(isinstance(a, str) and a in options for a in answer):
            raise Invalid(f"{where}：答案须为所列选项组成的列表", field=field, index=index)
        if len(set(answer)) != len(answer):
            raise Invalid(f"{where}：同一选项不能选两次", field=field, index=index)
        answer = [o for o in options if o in answer]  # the options' order, not the click order
    elif kind == "choice":
        if not isinstance(answer, str) or answer not in question["options"]:
            raise Invalid(f"{where}：答案须为所列选项之一", field=field, index=index)
    else:
        if not isinstance(answer, str):
            raise Invalid(f"{where}：答案须为文字", field=field, index=index)
        answer = answer.strip()
        if len(answer) > MAX_TEXT_ANSWER:
            raise Invalid(f"{where}：不能超过 {MAX_TEXT_ANSWER} 字（现为 {len(answer)} 字）", field=field, index=index)
        answer = answer or None
        if answer is None and question.get("required"):
            raise Invalid(f"{where}为必答题", field=field, index=index)
    return answer


def respond(survey_id: int, user: User, data: dict, now: datetime) -> Survey:
    """One response per invited person inside [opens, closes): 404 not invited, 409 outside the window or
    a second time, 422 an answer that does not fit its question."""
    invitation = invitation_of(survey_id, user)
    survey = invitation.survey
    lock_row(survey)  # one response at a time per survey: the check below and the write hold together
    db.session.refresh(invitation)
    if not survey.is_open(now):
        raise Conflict("问卷不在填写时间内" if now >= survey.opens else "问卷尚未开始", code="survey_closed")
    if invitation.responded:
        raise Conflict("您已提交过本问卷，每人只能提交一次", code="already_responded")
    answers = check_answers(survey.questions, data.get("answers"))
    # Every invitation of the survey rewritten alike (see the module's docstring); only this one changes.
    db.session.execute(
        update(SurveyInvitation)
        .where(SurveyInvitation.survey_id == survey.id)
        .values(responded=case((SurveyInvitation.id == invitation.id, True), else_=SurveyInvitation.responded))
        .execution_options(synchronize_session=False)
    )
    db.session.add(SurveyResponse(survey_id=survey.id, user_id=None if survey.anonymous else user.id, answers=answers))
    db.session.flush()
    db.session.expire(invitation)
    if not survey.anonymous:
        record("survey.responded", survey, {"title": survey.title})
    return survey


# ---------------------------------------------------------------- templates


def get_template(template_id, user: User, field: str = "template") -> SurveyTemplate:
    if isinstance(template_id, bool) or not isinstance(template_id, int):
        raise Invalid("模板编号必须是整数", field=field)
    template = db.session.get(SurveyTemplate, template_id)
    if template is None or template.center_id != user.center_id:
        raise NotFound("模板不存在")
    return template


def list_templates(user: User) -> list[SurveyTemplate]:
    query = select(SurveyTemplate).where(SurveyTemplate.center_id == user.center_id).order_by(SurveyTemplate.name)
    return list(db.session.scalars(query))


def save_template(admin: User, data: dict, now: datetime) -> SurveyTemplate:
    """A center's question list under a name: given, or copied from one of its surveys."""
    body = parse(TemplateIn, data)
    if body.survey is not None:
        survey = get_survey(body.survey, admin)
        ensure_same_center(admin, survey.center_id)
        questions = list(survey.questions)
    else:
        questions = [q.stored() for q in body.questions]
    exists = db.session.scalar(
        select(SurveyTemplate.id).where(SurveyTemplate.center_id == admin.center_id, SurveyTemplate.name == body.name)
    )
    if exists is not None:
        raise Conflict(f"已有名为「{body.name}」的模板", code="template_exists")
    template = SurveyTemplate(
        center_id=admin.center_id, name=body.name, questions=questions, created_by_id=admin.id, created_at=now
    )
    db.session.add(template)
    db.session.flush()
    record("survey.template_saved", template, {"name": template.name, "questions": len(questions)})
    return template
