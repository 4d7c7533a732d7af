"""Small readers for the training and CE request bodies: 422 naming the field by its label, and
``Problems``, which keeps every problem of one body so that a page shows them all at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

from app.errors import Invalid
from app.http_input import SANE_YEARS


def text(data: dict, key: str, label: str, *, required: bool = True, max_length: int = 200) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid(f"{label}：必须填写", field=key)
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{label}：应为文本", field=key)
    value = value.strip()
    if len(value) > max_length:
        raise Invalid(f"{label}：不能超过 {max_length} 个字符", field=key)
    return value


def number(data: dict, key: str, label: str, *, required: bool = True, minimum: float | None = None):
    value = data.get(key)
    if value is None:
        if required:
            raise Invalid(f"{label}：必须填写", field=key)
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{label}：应为数字", field=key)
    if value > 100_000:
        raise Invalid(f"{label}：数值过大", field=key)
    if minimum is not None and value < minimum:
        raise Invalid(f"{label}：不能小于 {minimum:g}", field=key)
    return float(value)


def day(value: object, key: str, label: str, *, required: bool = True) -> date | None:
    if value is None or value == "":
        if required:
            raise Invalid(f"{label}：必须填写", field=key)
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise Invalid(f"{label}：日期格式应为 YYYY-MM-DD", field=key)
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"{label}：日期格式应为 YYYY-MM-DD", field=key) from None
    if parsed.year not in SANE_YEARS:
        raise Invalid(f"{label}：年份超出允许范围", field=key)
    return parsed


def clock(value: object, key: str, label: str) -> time:
    if value is None or value == "":
        raise Invalid(f"{label}：必须填写", field=key)
    if not isinstance(value, str):
        raise Invalid(f"{label}：时间格式应为 HH:MM", field=key)
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"{label}：时间格式应为 HH:MM", field=key) from None


def flag(value: object, key: str, label: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Invalid(f"{label}：应为 true 或 false", field=key)
    return value


class Problems:
    """Every problem of one request body (issue 27 item 5: a page shows all its errors at once).

    ``take(read, ...)`` runs one reader and keeps its Invalid (answering None); ``take_at(path, read,
    ...)`` also marks it with the path of the value in the body (``forms.1.hours_rule``), which a page
    maps to its input. ``raise_if_any`` raises the first problem met, so the API answers exactly as
    before, carrying all of them as ``.problems`` for the page. Problems and paths stay off
    ``details``: the API's error body is the contract's."""

    def __init__(self) -> None:
        self.found: list[Invalid] = []

    def take(self, read: Callable[..., Any], *args, **kwargs):
        return self.take_at(None, read, *args, **kwargs)

    def take_at(self, path: str | None, read: Callable[..., Any], *args, **kwargs):
        try:
            return read(*args, **kwargs)
        except Invalid as exc:
            self.add(exc, path)
            return None

    def add(self, exc: Invalid, path: str | None = None) -> None:
        if path is not None:
            exc.path = path
        self.found.append(exc)

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_if_any(self) -> None:
        if self.found:
            first = self.found[0]
            first.problems = list(self.found)
            raise first


def problems_of(exc: Invalid) -> list[Invalid]:
    """The problems an Invalid carries (``Problems``), or the one it is."""
    return list(getattr(exc, "problems", None) or [exc])


def path_of(exc: Invalid) -> str:
    """Where in the body a problem is: its ``take_at`` path, else the field it names."""
    return getattr(exc, "path", None) or exc.details.get("field") or ""
