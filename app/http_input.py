"""Hostile input stopped at the request boundary (issue 11 item 3), once for every endpoint:

- request JSON (:class:`CheckedJSONProvider`): nesting deeper than ``MAX_JSON_DEPTH`` → 400; a lone
  surrogate or a NUL in any string or key, an integer beyond 64 bits, NaN/Infinity or a number too large to be
  meant (``MAX_JSON_FLOAT``) → 422 naming the key path (``candidate.training[0].hours``);
- path ids (:class:`Id64Converter`, the ``int`` converter): beyond what an id column holds → 404;
  path text (:class:`TextConverter`, the default converter): a NUL → 404;
- query and form fields (:func:`check_form_fields`): a NUL, or a whole number beyond 64 bits → 422;
- what still overflows deeper down (a date pushed past year 9999, a bound parameter) → 422
  (:func:`is_overflow`, used by the error handlers);
- dates and datetimes outside ``SANE_YEARS`` (:func:`check_sane_year`) → 422, so nothing stored breaks
  a page that formats or shifts it.
"""

from __future__ import annotations

import math
import re
from datetime import date

from flask import request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.exc import DataError, StatementError
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

from app.errors import DomainError, Invalid

INT64_MAX = 2**63 - 1
# Record ids are INTEGER columns: 32 bits on PostgreSQL, so no record has a larger id on any backend.
ID_MAX = 2**31 - 1
MAX_JSON_DEPTH = 64
# No quantity of this platform (hours, minutes, points, weights) comes near 10^12; larger is a typo or an attack.
MAX_JSON_FLOAT = 1e12
SANE_YEARS = range(1900, 2201)
_BIG_INT_FORM = re.compile(r"\s*[+-]?\d{19,}\s*")


class MalformedJSON(DomainError):
    status = 400
    code = "malformed_json"


class _BigInt(str):
    """An integer literal too long for 64 bits, kept as text until the walk names its path."""


def _parse_int(literal: str):
    return _BigInt(literal) if len(literal.lstrip("-")) > 19 else int(literal)


def _path(parent: str, key: str | int) -> str:
    return f"{parent}.{key}" if parent else str(key)  # candidate.work.0.start, as pydantic's paths (api/common)


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_json_value(value) -> None:
    """Walk the parsed document (iteratively) and refuse what no endpoint can store or compute with."""
    stack = [(value, "", 1)]
    while stack:
        item, path, depth = stack.pop()
        where = path or "(请求体)"
        if depth > MAX_JSON_DEPTH:
            raise MalformedJSON(f"JSON 嵌套超过 {MAX_JSON_DEPTH} 层")
        if isinstance(item, _BigInt) or (
            isinstance(item, int) and not isinstance(item, bool) and abs(item) > INT64_MAX
        ):
            raise Invalid(f"{where}：整数超出允许范围（64 位）", field=where)
        if isinstance(item, str):
            if _has_lone_surrogate(item):
                raise Invalid(f"{where}：文本含有无效的 Unicode 字符（单独的代理项）", field=where)
            if "\x00" in item:  # PostgreSQL text cannot hold it; no field of the platform needs it
                raise Invalid(f"{where}：文本含有不允许的字符（NUL）", field=where)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise Invalid(f"{where}：不接受 NaN 或 Infinity", field=where)
            if abs(item) > MAX_JSON_FLOAT:
                raise Invalid(f"{where}：数值 {item:g} 超出合理范围", field=where)
        elif isinstance(item, dict):
            for key, child in item.items():
                if _has_lone_surrogate(key) or "\x00" in key:
                    raise Invalid(f"{where}：键名含有无效的 Unicode 字符", field=where)
                stack.append((child, _path(path, key), depth + 1))
        elif isinstance(item, list):
            stack.extend((child, _path(path, i), depth + 1) for i, child in enumerate(item))


class CheckedJSONProvider(DefaultJSONProvider):
    """``request.get_json`` parses through here (flask.json.loads → app.json.loads). Responses keep
    Chinese as UTF-8 (Flask 3 ignores the old ``JSON_AS_ASCII`` setting; the provider's
    ``ensure_ascii`` is what counts)."""

    ensure_ascii = False

    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_int", _parse_int)
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise MalformedJSON(f"JSON 嵌套超过 {MAX_JSON_DEPTH} 层") from None
        check_json_value(value)
        return value


def names_an_id_beyond_range(path: str) -> bool:
    """A path with a number segment no id column holds (the routes' ``<int:…>`` refuse it)."""
    return any(part.isdigit() and int(part) > ID_MAX for part in path.split("/"))


class Id64Converter(IntegerConverter):
    """``<int:id>`` matching only ids an id column can hold (``ID_MAX``); beyond that the route is a
    404 (no OverflowError in SQLite, no out-of-range error in PostgreSQL)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


class TextConverter(UnicodeConverter):
    """``<name>`` path segments without a NUL (PostgreSQL text cannot hold one: a query naming
    ``/certificates/%00`` was a 500 there): such a path matches no route, a 404."""

    def to_python(self, value: str) -> str:
        if "\x00" in value:
            raise ValidationError()  # this rule does not match
        return value


# Request bodies (issue 28 item 11: a 13 MB JSON body to /auth/token cost 4–7 s of CPU before its 400).
# MAX_CONTENT_LENGTH (16 MB: bank imports, evidence) is the ceiling; a sign-in is a few hundred bytes,
# and a request carrying no credentials at all has no business sending more than a short form.
SIGN_IN_BODY_LIMIT = 16 * 1024
ANONYMOUS_BODY_LIMIT = 64 * 1024
BODY_LIMITS = {"api.create_token": SIGN_IN_BODY_LIMIT, "auth.login": SIGN_IN_BODY_LIMIT}


def limit_body() -> None:
    """before_request: the body's bound for this route, read before the body is (Werkzeug answers 413)."""
    limit = BODY_LIMITS.get(request.endpoint or "")
    if limit is None and "Authorization" not in request.headers and not request.cookies:
        limit = ANONYMOUS_BODY_LIMIT
    if limit is not None:
        request.max_content_length = limit


# Page form fields that hold text made of digits (证件号码): a long number there is the page's own
# error to show beside the field, by its label (issue 27 item 5), not a bare 422 page.
TEXT_FORM_FIELDS: set[str] = set()


def text_form_fields(*names: str) -> None:
    """Declare page form fields as text: the 64-bit guard below leaves them to their form."""
    TEXT_FORM_FIELDS.update(names)


def check_form_fields() -> None:
    """before_request: a NUL in a query or form field (PostgreSQL text cannot hold one), or a form
    field holding a whole number beyond 64 bits, is refused (422)."""
    if request.query_string:  # the query parsed only when there is one (not for an answer save)
        for key, values in request.args.lists():
            if any("\x00" in value for value in values):
                raise Invalid(f"「{key}」含有不允许的字符（NUL）", field=key)
    if request.method not in {"POST", "PUT", "PATCH"} or request.path.startswith("/api/"):
        return
    for key, values in request.form.lists():
        for value in values:
            if "\x00" in value:
                raise Invalid(f"「{key}」含有不允许的字符（NUL）", field=key)
            digits = value.strip().lstrip("+-")
            if key in TEXT_FORM_FIELDS:
                continue
            if _BIG_INT_FORM.fullmatch(value) and (len(digits) > 19 or int(digits) > INT64_MAX):
                raise Invalid(f"「{key}」的数值超出允许范围", field=key)


def is_overflow(exc: BaseException) -> bool:
    """A number too large for Python's dates or the database's integer columns (SQLite's
    OverflowError, PostgreSQL's 22003 numeric_value_out_of_range, 22008 datetime overflow)."""
    if isinstance(exc, StatementError) and isinstance(exc.orig, OverflowError):
        return True  # raised while binding a parameter (a datetime shifted past year 1 or 9999)
    if isinstance(exc, OverflowError):
        return True
    if isinstance(exc, DataError):
        return getattr(exc.orig, "sqlstate", "") in {"22003", "22008"}
    return False


def check_sane_year(value: date, field: str) -> None:
    """Dates and datetimes between 1900 and 2200: anything else is a typo, and a year like 9999
    overflows as soon as a page shifts it to Beijing time or adds a duration."""
    if value.year not in SANE_YEARS:
        raise Invalid(
            f"{field}：年份 {value.year} 超出允许范围（{SANE_YEARS.start}–{SANE_YEARS.stop - 1}）", field=field
        )


def one_of(value, choices, field: str, message: str) -> str:
    """``value`` when it is the text of one of ``choices`` (an enum or strings), else 422 — also for a
    list or object sent where the text was expected (``value in {...}`` would raise TypeError)."""
    allowed = {c.value if hasattr(c, "value") else c for c in choices}
    if not isinstance(value, str) or value not in allowed:
        raise Invalid(message, field=field)
    return value
