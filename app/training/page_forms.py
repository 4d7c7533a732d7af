"""A refused page form of training and CE (issue 27 item 5): rolled back and shown again with 422,
what was typed kept, each error beside its field by its label and all of them in the summary at
the top; an error naming no field of the form goes in the summary only. 404 and 403 stay the
error pages they are (whoever may not see or do this learns nothing from a form)."""

from __future__ import annotations

from collections.abc import Callable

from app.errors import DomainError, Forbidden, Invalid, NotFound
from app.extensions import db
from app.form_errors import attach, find_field, plain_label

from .inputs import path_of, problems_of


def refuse(exc: DomainError) -> None:
    """Roll back what the operation flushed; 404 and 403 go on to their error pages."""
    db.session.rollback()
    if isinstance(exc, NotFound | Forbidden):
        raise exc


def without_label(message: str, label: str = "") -> str:
    """ "培训学时：应大于 0" beside the field labelled 培训学时 reads "应大于 0": the operations' messages
    open with the label they name the field by (``证书第 2 项·等级：``), which the page shows already."""
    head, sep, rest = message.partition("：")
    if sep and rest and (head == label or (len(head) <= 24 and not any(c in "，。；" for c in head))):
        return rest
    return message


def problems(exc: DomainError) -> list[tuple[str, str]]:
    """(where in the body, message) for each problem of a refusal; a Conflict names no field."""
    if isinstance(exc, Invalid):
        return [(path_of(p), p.message) for p in problems_of(exc)]
    return [("", exc.message)]


def attach_all(form, exc: DomainError, to_field: Callable[[str, str], str | None] | None = None) -> list[str]:
    """Each problem beside the WTForms field it names (``to_field(path, message)`` maps a body path to
    the field's name, the path itself by default), unless the form's own check already put one there
    (an overlong text is refused by both); the messages that name no field, for the summary."""
    others: list[str] = []
    had = {f.name for f in form if f.errors} if form is not None else set()
    for path, message in problems(exc):
        name = to_field(path, message) if to_field else path
        field = find_field(form, name) if name and form is not None else None
        if field is not None and field.name in had:
            continue
        if field is None or not attach(form, name, without_label(message, plain_label(field.label.text))):
            others.append(message)
    return others


def add_problems(errors: dict[str, list[str]], labels: dict[str, str], exc: DomainError, to_name) -> None:
    """A hand-written form's refusal: each problem beside the input ``to_name(path)`` names, unless
    the view's own check already put one there."""
    had = set(errors) - {""}
    for path, message in problems(exc):
        name = to_name(path)
        if name not in had:
            add_error(errors, labels, name, message)


def add_error(errors: dict[str, list[str]], labels: dict[str, str], name: str | None, message: str) -> None:
    """A hand-written form's error: beside ``name`` when it is one of ``labels``, else in the summary."""
    if name in labels:
        errors.setdefault(name, []).append(without_label(message, labels[name]))
    else:
        errors.setdefault("", []).append(message)


def in_page_order(errors: dict[str, list[str]], labels: dict[str, str]) -> dict[str, list[str]]:
    """The summary in the order of the page (``labels`` lists the inputs so), what names none first."""
    return {name: errors[name] for name in ["", *labels, *errors] if name in errors}
