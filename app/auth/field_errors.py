"""Every error of a form at once: operations collect one message per field (named by its label) and
raise a single Invalid whose ``details["errors"]`` maps each field to its message, so that a page
shows them all beside their fields and the API returns them all in one 422."""

from __future__ import annotations

import re

from app.errors import Invalid

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,39}$")
PHONE = re.compile(r"^1[3-9]\d{9}$")  # 中国大陆手机号
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


class FieldErrors:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            field, message = next(iter(self.errors.items()))
            raise Invalid(message, field=field, details={"errors": dict(self.errors)})


def text(data: dict, key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def secret(data: dict, key: str) -> str:
    """A password as sent (spaces kept); anything but text (a JSON number, a list) counts as empty."""
    value = data.get(key)
    return value if isinstance(value, str) else ""


def username_problem(username: str) -> str | None:
    if not username:
        return "用户名：请填写"
    if not USERNAME.match(username):
        return "用户名：3–40 位英文字母、数字或 . _ -，以字母或数字开头"
    return None


def contact_problem(contact: str, *, required: bool) -> str | None:
    if not contact:
        return "联系方式：请填写手机号或电子邮箱" if required else None
    if len(contact) > 120 or not (PHONE.match(contact) or EMAIL.match(contact)):
        return "联系方式：应为 11 位手机号或电子邮箱地址"
    return None


def name_problem(name: str) -> str | None:
    if not name:
        return "姓名：请填写"
    if len(name) > 100:
        return "姓名：不能超过 100 个字"
    return None
