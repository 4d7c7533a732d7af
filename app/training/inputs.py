"""Small readers for the training and CE request bodies: 422 naming the field by its label."""

from __future__ import annotations

from datetime import date, time

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
