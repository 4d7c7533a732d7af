"""Survey pages: the center admin's list, create (with a question editor), report (charts, Excel,
improvement records), comparison over time, templates and settings; the respondent's 我的问卷 and the
answer form (usable on a phone). Views parse the form into the API's shape and call one operation."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import timeutil
from app.auth.decorators import roles_required
from app.auth.roles import ADMINS, EVERYONE
from app.auth.scoping import scope_to_center
from app.errors import Invalid, NotFound
from app.extensions import db
from app.form_errors import FormErrors
from app.sessions.models import ExamSession
from scoring.survey_plots import comparison_png, likert_png
from scoring.surveys import LIKERT_LEVELS, MIN_ANONYMOUS

from . import improvements as improvement_ops
from . import operations as ops
from . import page_errors
from . import report as reports
from . import settings as settings_ops
from .excel import report_workbook
from .forms import answers_from_form, questions_from_form, survey_from_form
from .models import STATE_LABELS
from .schema import TYPE_LABELS

bp = Blueprint("surveys", __name__, url_prefix="/surveys")
NO_CACHE = {"Cache-Control": "no-store"}
CENTER_ADMIN = ("center_admin",)
BLANK_QUESTION = {"text": "", "type": "likert5", "options": [], "multiple": False, "required": None}


def _center():
    if current_user.center is None:
        raise NotFound("当前用户不属于任何机构")
    return current_user.center


@bp.get("/")
@roles_required(*ADMINS)
def index():
    now = timeutil.utcnow()
    surveys = ops.list_surveys(current_user)
    rows = [(s, s.state(now), ops.counts(s)) for s in surveys]
    return render_template("surveys/index.html", rows=rows, state_labels=STATE_LABELS)


def _sessions() -> list[ExamSession]:
    query = scope_to_center(
        select(ExamSession).order_by(ExamSession.theory_start.desc()), current_user, ExamSession.center_id
    )
    return list(db.session.scalars(query))


def _render_new(data: dict, questions: list[dict], errors: FormErrors | None = None):
    return render_template(
        "surveys/new.html",
        data=data,
        questions=questions or [dict(BLANK_QUESTION)],
        sessions=_sessions(),
        templates=ops.list_templates(current_user),
        type_labels=TYPE_LABELS,
        errors=errors.errors if errors else {},
        labels=errors.labels if errors else {},
    ), (errors.status if errors else 200)


def _editor_rows(form) -> list[dict]:
    """The typed rows drawn again (blank ones left out, as parsed), options as typed."""
    rows = []
    for question in questions_from_form(form):
        rows.append(BLANK_QUESTION | question)
    return rows


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*CENTER_ADMIN)
def new():
    _center()
    if request.method == "GET":
        data = {"title": "", "anonymous": True, "audience": {}}
        questions = [dict(BLANK_QUESTION)]
        chosen = request.args.get("template", type=int)
        if chosen:
            template = ops.get_template(chosen, current_user)
            questions = [dict(BLANK_QUESTION) | q for q in template.questions]
            data["title"] = template.name
        return _render_new(data, questions)
    data = survey_from_form(request.form)
    if request.form.get("action") != "save":  # 再加 3 道题: the rows typed and three blank ones
        return _render_new(data, _editor_rows(request.form) + [dict(BLANK_QUESTION)] * 3)
    now = timeutil.utcnow()
    errors = page_errors.survey_errors(data, now)
    done, survey = errors.run(lambda: ops.create_survey(current_user, data, now))
    if done:
        flash(f"问卷已发布，邀请 {ops.counts(survey)[0]} 人", "success")
        return redirect(url_for("surveys.report", survey_id=survey.id))
    return _render_new(data, _editor_rows(request.form), errors)


def _render_report(survey, errors: FormErrors | None = None, failed: str = ""):
    built = reports.build(survey)
    return render_template(
        "surveys/report.html",
        survey=survey,
        r=built,
        state=survey.state(timeutil.utcnow()),
        state_labels=STATE_LABELS,
        improvements=improvement_ops.improvements_of(survey),
        respondents=ops.named_respondents(survey),
        levels=LIKERT_LEVELS,
        min_anonymous=MIN_ANONYMOUS,
        type_labels=TYPE_LABELS,
        today=timeutil.utcnow().astimezone(timeutil.CHINA).date().isoformat(),
        errors=errors.errors if errors else {},
        labels=errors.labels if errors else {},
        typed=request.form if errors else {},
        failed=failed,
    ), (errors.status if errors else 200)


@bp.get("/<int:survey_id>")
@roles_required(*ADMINS)
def report(survey_id: int):
    return _render_report(ops.get_survey(survey_id, current_user))


def _report_action(survey_id: int, errors: FormErrors, action, success, failed: str, anchor: str = ""):
    done, result = errors.run(action)
    if done:
        flash(success(result) if callable(success) else success, "success")
        return redirect(url_for("surveys.report", survey_id=survey_id) + anchor)
    return _render_report(ops.get_survey(survey_id, current_user), errors, failed)


@bp.get("/<int:survey_id>/questions/<int:index>/chart.png")
@roles_required(*ADMINS)
def chart_png(survey_id: int, index: int):
    built = reports.build(ops.get_survey(survey_id, current_user))
    if index >= len(built.questions) or built.questions[index].type != "likert5":
        raise NotFound("没有这道五级满意度题")
    question = built.questions[index]
    png = likert_png(f"第{index + 1}题 {question.text}", question.counts, built.settings.satisfied_levels)
    return Response(png, mimetype="image/png", headers=NO_CACHE)


@bp.get("/<int:survey_id>/report.xlsx")
@roles_required(*ADMINS)
def export(survey_id: int):
    survey = ops.get_survey(survey_id, current_user)
    content = report_workbook(reports.build(survey), improvement_ops.improvements_of(survey))
    return Response(
        content,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={**NO_CACHE, "Content-Disposition": f"attachment; filename=survey-{survey.id}.xlsx"},
    )


@bp.post("/<int:survey_id>/close")
@roles_required(*ADMINS)
def close(survey_id: int):
    survey = ops.get_survey(survey_id, current_user)
    return _report_action(
        survey_id,
        FormErrors({}),
        lambda: ops.close_survey(survey, timeutil.utcnow()),
        "问卷已结束，不再接受填写",
        "close",
    )


@bp.post("/<int:survey_id>/improvements")
@roles_required(*ADMINS)
def add_improvement(survey_id: int):
    survey = ops.get_survey(survey_id, current_user)
    form = request.form
    question = form.get("question", "")
    data = {
        "question": int(question) if question.isdigit() else None,
        "cause": form.get("cause", ""),
        "found_on": form.get("found_on", ""),
        "measure": form.get("measure", ""),
        "measure_on": form.get("measure_on", ""),
    }
    return _report_action(
        survey_id,
        page_errors.improvement_errors(data),
        lambda: improvement_ops.add_improvement(survey, current_user, data, timeutil.utcnow()),
        "整改措施已记录",
        "improvement",
        "#improvements",
    )


@bp.post("/<int:survey_id>/template")
@roles_required(*CENTER_ADMIN)
def save_as_template(survey_id: int):
    ops.get_survey(survey_id, current_user)
    data = {"name": request.form.get("name", ""), "survey": survey_id}
    return _report_action(
        survey_id,
        page_errors.save_as_template_errors(data["name"]),
        lambda: ops.save_template(current_user, data, timeutil.utcnow()),
        lambda t: f"已另存为模板「{t.name}」",
        "template",
    )


@bp.get("/templates")
@roles_required(*CENTER_ADMIN)
def templates():
    return render_template(
        "surveys/templates.html", templates=ops.list_templates(current_user), type_labels=TYPE_LABELS
    )


@bp.post("/templates")
@roles_required(*CENTER_ADMIN)
def save_template():
    """The editor's 只保存为模板: a refusal draws the editor again with what was typed."""
    name = request.form.get("name") or request.form.get("title", "")  # the editor's 问卷标题 names the template
    data = {"name": name, "questions": questions_from_form(request.form)}
    errors = page_errors.template_errors(data)
    done, template = errors.run(lambda: ops.save_template(current_user, data, timeutil.utcnow()))
    if done:
        flash(f"模板「{template.name}」已保存", "success")
        return redirect(url_for("surveys.templates"))
    return _render_new(survey_from_form(request.form), _editor_rows(request.form), errors)


@bp.get("/comparison")
@roles_required(*ADMINS)
def comparison():
    rows, settings = reports.comparison(ops.list_surveys(current_user))
    return render_template("surveys/comparison.html", rows=rows, settings=settings)


@bp.get("/comparison.png")
@roles_required(*ADMINS)
def comparison_chart():
    rows, settings = reports.comparison(ops.list_surveys(current_user))
    points = [
        (r.survey.opens.astimezone(timeutil.CHINA).date(), r.satisfaction_rate, r.survey.title)
        for r in rows
        if r.satisfaction_rate is not None
    ]
    target = settings.target_rate if settings else settings_ops.DEFAULT_TARGET
    return Response(comparison_png(points, target), mimetype="image/png", headers=NO_CACHE)


SETTINGS_FIELDS = {
    "satisfied_levels": ("satisfied", "计为满意的等级"),
    "target_rate": ("target_percent", "目标满意率（%）"),
}


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(*CENTER_ADMIN)
def settings():
    center = _center()
    errors = None
    if request.method == "POST":
        depth = request.form.get("satisfied", "")
        data = {
            "satisfied_levels": list(LIKERT_LEVELS[: int(depth)]) if depth in {"1", "2", "3"} else [],
            "target_rate": _percent(request.form.get("target_percent", "")),
        }
        errors = FormErrors(SETTINGS_FIELDS)
        errors.check(settings_ops.checked_levels, data)
        try:
            settings_ops.checked_target(data)
        except Invalid:  # the operation's rate (0–1] is typed here as a percentage
            errors.add(Invalid("目标满意率：须为大于 0、不超过 100 的百分数（如 90 表示 90%）", field="target_rate"))
        done, _ = errors.run(lambda: settings_ops.save_settings(center, data))
        if done:
            flash("满意度设置已保存", "success")
            return redirect(url_for("surveys.settings"))
    return render_template(
        "surveys/settings.html",
        center=center,
        current=settings_ops.settings_of(center.id),
        choices=settings_ops.SATISFIED_CHOICES,
        sources=settings_ops.SOURCES,
        errors=errors.errors if errors else {},
        labels=errors.labels if errors else {},
        typed=request.form if errors else {},
    ), (errors.status if errors else 200)


def _percent(value: str):
    try:
        return float(value) / 100
    except ValueError:
        return None


# ---------------------------------------------------------------- respondents


@bp.get("/mine")
@roles_required(*EVERYONE)
def mine():
    now = timeutil.utcnow()
    rows = [(i, i.survey.state(now)) for i in ops.my_invitations(current_user)]
    return render_template("surveys/mine.html", rows=rows, state_labels=STATE_LABELS)


@bp.route("/<int:survey_id>/answer", methods=["GET", "POST"])
@roles_required(*EVERYONE)
def answer(survey_id: int):
    invitation = ops.invitation_of(survey_id, current_user)
    survey = invitation.survey
    fields = {
        f"answers.{i}": (f"q-{i}", f"第 {i + 1} 题") for i in range(len(survey.questions))
    }  # its message names it
    errors, given = None, None
    if request.method == "POST":
        given = answers_from_form(survey.questions, request.form)
        errors = FormErrors(fields)
        if survey.is_open(timeutil.utcnow()) and not invitation.responded:  # else the operation's 409
            for problem in ops.answer_problems(survey.questions, given)[1]:  # every question's, at once
                errors.add(problem)
        done, _ = errors.run(lambda: ops.respond(survey_id, current_user, {"answers": given}, timeutil.utcnow()))
        if done:
            flash("已提交，感谢您的评价！", "success")
            return redirect(url_for("surveys.mine"))
        invitation = ops.invitation_of(survey_id, current_user)
        survey = invitation.survey
    return render_template(
        "surveys/answer.html",
        survey=survey,
        invitation=invitation,
        state=survey.state(timeutil.utcnow()),
        levels=LIKERT_LEVELS,
        given=given,
        errors=errors.errors if errors else {},
        labels=errors.labels if errors else {},
    ), (errors.status if errors else 200)
