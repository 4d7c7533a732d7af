"""Password rules on every path that sets one (registration, change, reset, import, staff created on
the page, ``create_user``; the CLI with the contract's length, below), and the one-time reset codes
an admin hands out.

The rules (issue: nobody can get an account, item 5): at least 8 characters, not only whitespace,
not the username, not one of the most common passwords (``common_passwords.txt``), not a single
character repeated. ``password_problems`` returns every broken rule's message, so a page shows them
all at once beside the field.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from app.errors import Invalid

MIN_LENGTH = 8
# ``flask users create`` (contract v1.0: the operator's set-up command) keeps the length it always had
# and takes no part in the common-password list, so that scripts written against the contract keep
# working; it still refuses blank passwords, one character repeated and the username.
OPERATOR_MIN_LENGTH = 6
MAX_LENGTH = 128  # longer is a paste accident or an attempt to make hashing expensive
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def password_problems(password: str | None, username: str | None = None, *, operator: bool = False) -> list[str]:
    """The messages of every rule ``password`` breaks (empty: acceptable); ``operator``: the CLI's rules."""
    password = password or ""
    if not password:
        return ["请输入密码"]
    if not password.strip():
        return ["密码不能只由空白字符组成"]
    problems = []
    minimum = OPERATOR_MIN_LENGTH if operator else MIN_LENGTH
    if len(password) < minimum:
        problems.append(f"密码至少 {minimum} 位")
    if len(password) > MAX_LENGTH:
        problems.append(f"密码不能超过 {MAX_LENGTH} 位")
    if len(set(password)) == 1:
        problems.append("密码不能由同一个字符重复组成")
    elif not operator and password.strip().casefold() in common_passwords():
        problems.append("这是最常见的密码之一，很容易被猜中，请换一个")
    if username and password.strip().casefold() == username.strip().casefold():
        problems.append("密码不能与用户名相同")
    return problems


def require_valid_password(
    password: str | None, username: str | None = None, field: str = "password", *, operator: bool = False
) -> None:
    """Raise Invalid naming ``field`` with every broken rule (joined) when the password is refused."""
    problems = password_problems(password, username, operator=operator)
    if problems:
        raise Invalid("密码：" + "；".join(problems), field=field, details={"problems": problems})
