"""Page forms show every error at once, beside its field, by the field's label, keeping what was
typed (issue 27 item 5). Two helpers and the macros of ``templates/_form_macros.html``:

- ``attach(form, field_name, message)``: put a domain error's message on the WTForms field it names
  (``exc.details["field"]``; a FieldList row as ``work-1-end``). Returns False when no field matches,
  so the caller can show it above the form instead.
- ``error_list(form)``: every error of a form, nested rows included, as ``(field id, label, message)``
  for the summary at the top of the form (``form_error_summary`` macro), each linking to its field.

A view re-renders its template with status 422 and the posted form (never a bare error page, never
a redirect that drops the input). Forms that are not WTForms pass a dict ``{name: [messages]}`` and a
dict of labels to the ``error_summary`` macro instead.

- ``FormErrors(fields)`` collects them for such a hand-written form (the rating and survey pages):
  ``fields`` maps the operation's field name (``details["field"]``: ``score``, ``inputs.staff``,
  ``questions.2.text``) to (the input's id, its label); ``check``/``bound``/``run`` gather every
  problem, ``errors``/``labels`` feed the two macros; a problem naming no field of the form goes under
  ``""`` (the summary only). A wrong state keeps its own status (409, 403), else 422.
"""

from __future__ import annotations

from collections.abc import Callable

from wtforms import Field, Form
from wtforms.fields import FieldList, FormField

from app.errors import DomainError, Invalid, NotFound
from app.extensions import db


def _fields(form) -> list[Field]:
    out: list[Field] = []
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                out.extend(_fields(entry.form) if isinstance(entry, FormField) else [entry])
        elif isinstance(field, FormField):
            out.extend(_fields(field.form))
        elif field.type != "CSRFTokenField":
            out.append(field)
    return out


def find_field(form: Form, name: str) -> Field | None:
    """The field whose name (``id_number``, ``work-1-end``) is ``name``."""
    return next((f for f in _fields(form) if f.name == name or f.short_name == name and "-" not in f.name), None)


def attach(form: Form, name: str | None, message: str) -> bool:
    field = find_field(form, name) if name else None
    if field is None:
        return False
    errors = list(field.errors) if isinstance(field.errors, list | tuple) else []
    if message not in errors:
        errors.append(message)
    field.errors = errors
    return True


def error_list(form: Form) -> list[tuple[str, str, str]]:
    """(id, label, message) for every error of the form, in the order the fields appear."""
    out = []
    for field in _fields(form):
        errors = field.errors if isinstance(field.errors, list | tuple) else []
        for message in errors:
            if isinstance(message, str):
                out.append((field.id, plain_label(field.label.text), message))
    return out


def plain_label(text: str) -> str:
    """ "结束日期（仍在岗留空）" → "结束日期": the label a message names, without its hint."""
    head = str(text).split("（", 1)[0].strip()
    return head or str(text)


def text_bound(value: str | None, label: str, limit: int) -> str | None:
    """The message for free text longer than ``limit`` characters, naming the field (else None)."""
    if value is not None and len(value) > limit:
        return f"{label}不能超过 {limit} 个字（现为 {len(value)} 个字）"
    return None


class FormErrors:
    def __init__(self, fields: dict[str, tuple[str, str]], by_code: dict[str, str] | None = None) -> None:
        """``by_code``: an error code naming no field that belongs to one (``template_exists`` → ``name``)."""
        self.fields = dict(fields)
        self.by_code = by_code or {}
        self._errors: dict[str, list[str]] = {}
        self.status = 422

    def target(self, name: str) -> str:
        """The input id a field name goes to (``inputs.x`` → the input of ``x``; ``codes.2`` → ``codes``)."""
        while name:
            if name in self.fields:
                return self.fields[name][0]
            name = name.rpartition(".")[0]
        return ""

    def add(self, exc: DomainError, field: str | None = None) -> None:
        if field is None:
            field = exc.details.get("field") or self.by_code.get(exc.code) or ""
        key = self.target(field)
        messages = self._errors.setdefault(key, [])
        if exc.message not in messages:
            messages.append(exc.message)
        if not isinstance(exc, Invalid):
            self.status = exc.status

    def has(self, field: str) -> bool:
        return bool(self._errors.get(self.target(field)))

    def check(self, fn: Callable, *args, **kwargs):
        """``fn(*args)``; an ``Invalid`` it raises joins the errors (and None is returned)."""
        try:
            return fn(*args, **kwargs)
        except Invalid as exc:
            self.add(exc)
            return None

    def bound(self, field: str, value: object, limit: int) -> None:
        """Free text longer than ``limit``: the message names the field by its label."""
        label = self.fields[field][1].rsplit(" · ", 1)[-1] if field in self.fields else field  # "1.1 … · 说明" → 说明
        message = text_bound(value if isinstance(value, str) else None, label, limit)
        if message:
            self.add(Invalid(message, field=field))

    def run(self, action: Callable[[], object]) -> tuple[bool, object]:
        """``action()`` when nothing is wrong yet; a domain error (404 aside) joins the errors. On any
        error what was flushed is rolled back: (False, None)."""
        if not self:
            try:
                return True, action()
            except NotFound:
                raise
            except DomainError as exc:
                self.add(exc)
        db.session.rollback()
        return False, None

    @property
    def errors(self) -> dict[str, list[str]]:
        """In the order of the form's fields, then what names none of them."""
        order = [input_id for input_id, _label in self.fields.values()] + [""]
        return {key: self._errors[key] for key in dict.fromkeys(order) if self._errors.get(key)}

    @property
    def labels(self) -> dict[str, str]:
        return {input_id: label for input_id, label in self.fields.values()}

    def __bool__(self) -> bool:
        return any(self._errors.values())
