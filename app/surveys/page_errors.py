"""The survey page forms' errors (issue 27 item 5): each form's fields by their Chinese labels, and the
checks that find every problem of a post at once (the operations stop at the first, as the API does)."""

from __future__ import annotations

from datetime import datetime

from flask_login import current_user

from app.errors import Invalid, NotFound
from app.form_errors import FormErrors

from . import audiences
from . import operations as ops
from .schema import ImprovementIn, SurveyIn, TemplateIn, parse_moment, problems

TITLE_LIMIT = 200  # SurveyIn.title, TemplateIn.name
QUESTION_LIMIT = 500  # QuestionIn.text
OPTIONS_LIMIT = 6000  # 30 options of 200 characters
TRAINING_LIMIT = 20
IMPROVEMENT_LIMIT = 5000  # ImprovementIn.cause, .measure


def editor_errors(questions: list[dict], name_field: str = "title") -> FormErrors:
    """The question editor's fields; ``questions`` as parsed (blank rows left out), which is also how
    the editor is drawn again, so that ``questions.2`` is the third row shown."""
    fields = {
        name_field: ("title", "问卷标题"),
        "audience": ("audience", "调查对象"),
        "opens": ("opens", "开始时间"),
        "closes": ("closes", "截止时间"),
        "questions": ("questions", "题目"),
        "template": ("questions", "题目"),
    }
    for k in range(len(questions)):
        where = f"第 {k + 1} 题"
        fields[f"questions.{k}"] = (f"q-{k}", where)
        fields[f"questions.{k}.text"] = (f"q-{k}-text", f"{where} · 题目文字")
        fields[f"questions.{k}.type"] = (f"q-{k}-type", f"{where} · 题型")
        fields[f"questions.{k}.options"] = (f"q-{k}-options", f"{where} · 选项")
        fields[f"questions.{k}.required"] = (f"q-{k}-required", f"{where} · 是否必答")
    return FormErrors(fields, by_code={"template_exists": name_field})


def _questions(errors: FormErrors, questions: list[dict]) -> None:
    for k, question in enumerate(questions):
        errors.bound(f"questions.{k}.text", question["text"], QUESTION_LIMIT)
        if question["type"] == "choice":
            errors.bound(f"questions.{k}.options", "\n".join(question.get("options") or []), OPTIONS_LIMIT)


def _schema(errors: FormErrors, model, data: dict) -> None:
    for problem in problems(model, data):  # a field already refused (its length) is not named twice
        if not errors.has(problem.details.get("field") or ""):
            errors.add(problem)


def survey_errors(data: dict, now: datetime) -> FormErrors:
    errors = editor_errors(data["questions"])
    errors.bound("title", data["title"], TITLE_LIMIT)
    _questions(errors, data["questions"])
    _schema(errors, SurveyIn, data)
    opens = errors.check(parse_moment, data["opens"], "opens", now)
    closes = errors.check(parse_moment, data["closes"], "closes", None)
    if opens is not None and not errors.has("closes"):
        errors.check(ops.check_window, opens, closes)
    if not errors.has("audience"):
        try:
            audiences.resolve(current_user, data["audience"])
        except NotFound as exc:  # a 培训班 or 批次 typed that is not the center's: beside the field
            errors.add(Invalid(exc.message, field="audience"))
        except Invalid as exc:
            errors.add(exc)
    return errors


def template_errors(data: dict) -> FormErrors:
    errors = editor_errors(data["questions"], name_field="name")
    errors.bound("name", data["name"], TITLE_LIMIT)
    _questions(errors, data["questions"])
    _schema(errors, TemplateIn, data)
    return errors


def improvement_errors(data: dict) -> FormErrors:
    errors = FormErrors(
        {
            "question": ("question", "题目"),
            "cause": ("cause", "原因分析"),
            "found_on": ("found_on", "发现日期"),
            "measure": ("measure", "整改措施"),
            "measure_on": ("measure_on", "措施日期"),
        }
    )
    errors.bound("cause", data["cause"], IMPROVEMENT_LIMIT)
    errors.bound("measure", data["measure"], IMPROVEMENT_LIMIT)
    _schema(errors, ImprovementIn, data)
    return errors


def save_as_template_errors(name: str) -> FormErrors:
    errors = FormErrors({"name": ("template-name", "模板名称")}, by_code={"template_exists": "name"})
    errors.bound("name", name, TITLE_LIMIT)
    return errors
