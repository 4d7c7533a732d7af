"""The survey page forms, read into the API's JSON shapes (the operations validate once, for both).

Question editor rows are ``q-<i>-text``, ``q-<i>-type``, ``q-<i>-options`` (one option per line),
``q-<i>-multiple``, ``q-<i>-required`` ("" = the type's default, "1" 必答, "0" 选答) and ``q-<i>-remove``;
a row without text is a blank row and is left out. Answers are ``a-<i>`` (a list for multiple choice)."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

MAX_ROWS = 100


def _rows(form: MultiDict) -> int:
    try:
        return max(0, min(int(form.get("count", "0")), MAX_ROWS))
    except ValueError:
        return 0


def questions_from_form(form: MultiDict) -> list[dict]:
    questions = []
    for i in range(_rows(form)):
        text = form.get(f"q-{i}-text", "").strip()
        if not text or form.get(f"q-{i}-remove"):
            continue
        kind = form.get(f"q-{i}-type", "likert5")
        question = {"text": text, "type": kind}
        if kind == "choice":
            question["options"] = [line.strip() for line in form.get(f"q-{i}-options", "").splitlines() if line.strip()]
            question["multiple"] = bool(form.get(f"q-{i}-multiple"))
        required = form.get(f"q-{i}-required", "")
        if required in {"0", "1"}:
            question["required"] = required == "1"
        questions.append(question)
    return questions


def _audience(form: MultiDict) -> dict:
    value = form.get("audience", "")
    if value.startswith("session:") and value[8:].isdigit():
        return {"session": int(value[8:])}
    if value == "members":
        return {"center": "members"}
    if value == "training":
        training = form.get("training_id", "").strip()
        return {"training": int(training) if training.isdigit() else training}
    return {}


def survey_from_form(form: MultiDict) -> dict:
    return {
        "title": form.get("title", ""),
        "audience": _audience(form),
        "audience_value": form.get("audience", ""),
        "training_id": form.get("training_id", ""),
        "anonymous": bool(form.get("anonymous")),
        "opens": form.get("opens", "") or None,
        "closes": form.get("closes", "") or None,
        "questions": questions_from_form(form),
    }


def answers_from_form(questions: list[dict], form: MultiDict) -> list:
    answers = []
    for i, question in enumerate(questions):
        if question["type"] == "choice" and question.get("multiple"):
            answers.append(form.getlist(f"a-{i}"))
        else:
            answers.append(form.get(f"a-{i}", "").strip() or None)
    return answers
