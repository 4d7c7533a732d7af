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
"""

from __future__ import annotations

from wtforms import Field, Form
from wtforms.fields import FieldList, FormField


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
