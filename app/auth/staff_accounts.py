"""Accounts made by a center's admin: staff of their own center, candidates imported in bulk from
Excel/CSV, and deactivation. The platform admin does the same for any center, and may also make
评估专家 (``expert``) accounts, which belong to no center.

Initial passwords are generated (they satisfy the password rules) and shown once to the admin, who
passes them on; only their hashes are kept.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from app.audit.operations import listed, record
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.spreadsheets import TableRefused, read_rows

from .credentials import revoke_access
from .field_errors import FieldErrors, contact_problem, name_problem, text, username_problem
from .models import Center, Role, User
from .passwords import password_problems
from .registration import insert_users
from .scoping import ensure_same_center

CENTER_STAFF_ROLES = (Role.grader, Role.proctor, Role.reviewer, Role.center_admin)
PLATFORM_ROLES = (*CENTER_STAFF_ROLES, Role.expert)
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_IMPORT_ROWS = 2000
COLUMNS = {"username": ("用户名", "username"), "name": ("姓名", "name"), "contact": ("联系方式", "contact")}
LABELS = {"username": "用户名", "name": "姓名", "contact": "联系方式"}


def roles_for(admin: User) -> tuple[Role, ...]:
    return PLATFORM_ROLES if admin.role == Role.admin else CENTER_STAFF_ROLES


def generate_password() -> str:
    """12 characters of letters and digits (no look-alikes), drawn until the rules accept it."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
        if not password_problems(password) and any(c.isdigit() for c in password):
            return password


def _center_for(admin: User, errors: FieldErrors, chosen: str, *, required: bool) -> Center | None:
    """A center admin's own center; the platform admin's choice (a center's id, or its name)."""
    if admin.role != Role.admin:
        return admin.center
    if chosen.isdigit() and len(chosen) < 10:
        center = db.session.get(Center, int(chosen))
    else:
        center = db.session.scalar(select(Center).where(Center.name == chosen)) if chosen else None
    if center is None and (chosen or required):
        errors.add("center", "所属机构：请从列表中选择")
    return center


def _taken(usernames) -> set[str]:
    usernames = list(usernames)
    found = set()
    for start in range(0, len(usernames), 500):
        chunk = usernames[start : start + 500]
        found |= set(db.session.scalars(select(User.username).where(User.username.in_(chunk))))
    return found


def create_staff(admin: User, data: dict) -> tuple[User, str]:
    """A staff account (username, name, role, contact; center for the platform admin); returns it
    with its generated initial password."""
    errors = FieldErrors()
    username, name, contact = text(data, "username"), text(data, "name"), text(data, "contact")
    problem = username_problem(username)
    if problem:
        errors.add("username", problem)
    elif _taken([username]):
        errors.add("username", "用户名：已被使用，请换一个")
    for field, problem in (("name", name_problem(name)), ("contact", contact_problem(contact, required=False))):
        if problem:
            errors.add(field, problem)
    allowed = {r.value: r for r in roles_for(admin)}
    role = allowed.get(text(data, "role"))
    if role is None:
        errors.add("role", "角色：请从列表中选择")
    center = _center_for(admin, errors, text(data, "center"), required=role is not None and role != Role.expert)
    errors.raise_if_any()
    password = generate_password()
    user = User(username=username, name=name, contact=contact, role=role, center=center)
    user.set_password(password)
    insert_users([user])
    record(
        "account.created",
        user,
        {"username": username, "role": role.value, "center": center.name if center else None},
    )
    return user, password


def account_of(admin: User, user_id: int) -> User:
    """A user the admin manages: of their own center (the platform admin: anyone); else 404."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    ensure_same_center(admin, user.center_id, "用户不存在")
    return user


def account_named(admin: User, username: str) -> User:
    """The same by username (the API's path parameter)."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("用户不存在")
    return account_of(admin, user.id)


def set_active(admin: User, user_id: int, active: bool) -> User:
    """Deactivate (every sign-in of the user ends at once) or activate an account again."""
    user = account_of(admin, user_id)
    if user.id == admin.id:
        raise Conflict("不能停用或启用自己的账号")
    if user.active == active and not user.pending_approval:
        raise Conflict(f"{user.display_name} 的账号已{'启用' if active else '停用'}")
    user.active = active
    user.pending_approval = False
    details = {"username": user.username}
    if not active:
        details |= revoke_access(user)
    record("account.activated" if active else "account.deactivated", user, details)
    return user


# ---------------------------------------------------------------- bulk import of candidates


def _header(row: list) -> dict[str, int]:
    names = [str(cell or "").strip().lower() for cell in row]
    found = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if alias.lower() in names:
                found[key] = names.index(alias.lower())
                break
    return found


def _cell(row: list, index: int | None) -> str:
    if index is None or index >= len(row) or row[index] is None:
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():  # a phone number typed into an Excel cell
        value = int(value)
    return str(value).strip()


def import_candidates(admin: User, data: bytes, filename: str, chosen_center: str = "") -> list[tuple[User, str]]:
    """Candidate accounts from a table with the columns 用户名, 姓名 and (optional) 联系方式; all or
    nothing: any bad row refuses the whole file, every bad row and column named. Returns each new
    user with their generated initial password."""
    errors = FieldErrors()
    center = _center_for(admin, errors, chosen_center, required=True)
    try:
        rows = read_rows(data, filename)
    except TableRefused as exc:
        errors.add("file", f"文件：{exc.message}")
        rows = []
    errors.raise_if_any()
    rows = [row for row in rows if any(str(cell or "").strip() for cell in row)]
    columns = _header(rows[0]) if rows else {}
    missing = [LABELS[key] for key in ("username", "name") if key not in columns]
    if not rows or missing:
        raise Invalid(f"文件：第 1 行应为表头，缺少「{'」「'.join(missing or ['用户名', '姓名'])}」列", field="file")
    body = rows[1:]
    if not body:
        raise Invalid("文件：表头之下没有数据行", field="file")
    if len(body) > MAX_IMPORT_ROWS:
        raise Invalid(f"文件：一次最多导入 {MAX_IMPORT_ROWS} 行", field="file")
    people, bad, seen = [], [], {}
    for number, row in enumerate(body, start=2):
        values = {key: _cell(row, columns.get(key)) for key in COLUMNS}
        checks = {
            "username": username_problem(values["username"]),
            "name": name_problem(values["name"]),
            "contact": contact_problem(values["contact"], required=False),
        }
        if not checks["username"] and values["username"] in seen:
            checks["username"] = f"用户名：与第 {seen[values['username']]} 行重复"
        seen.setdefault(values["username"], number)
        for key, problem in checks.items():
            if problem:
                bad.append({"row": number, "column": LABELS[key], "message": problem.split("：", 1)[1]})
        people.append((number, values))
    for username in _taken(v["username"] for _, v in people if v["username"]):
        for number, values in people:
            if values["username"] == username:
                bad.append({"row": number, "column": "用户名", "message": f"{username} 已存在"})
    if bad:
        bad.sort(key=lambda item: item["row"])
        lines = [f"第 {b['row']} 行「{b['column']}」列：{b['message']}" for b in bad]
        shown = "；".join(lines[:20]) + (f"；……共 {len(lines)} 处" if len(lines) > 20 else "")
        raise Invalid(f"文件未导入（{len(bad)} 处错误）：{shown}", field="file", details={"problems": bad})
    created = []
    for _, values in people:
        password = generate_password()
        user = User(role=Role.candidate, center=center, **values)
        user.set_password(password)
        created.append((user, password))
    try:
        insert_users([user for user, _ in created])
    except Invalid:
        raise Invalid("文件：导入期间有用户名被他人占用，请重新导入", field="file") from None
    record(
        "account.imported",
        center,
        {"count": len(created), "usernames": listed(u.username for u, _ in created), "file": filename[:200]},
        center_id=center.id,
    )
    return created
