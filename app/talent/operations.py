"""人才库 (T/SSOF 0001-2024 B.2 人才身份管理): holders of the platform's certificates with their
certificates, completed trainings and this year's continuing education. A center admin sees the
holders of their own center's certificates, the platform admin all. 证件号码 is shown in full only
to the holder and the issuing center (``mask_id``)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import or_, select

from app.auth.models import Role, User
from app.continuing_education.operations import summary, this_year
from app.errors import Forbidden, Invalid
from app.extensions import db
from app.results.models import Certificate
from app.standards.registry import get_standard
from app.training.models import Trainee
from scoring.certificates import mask_id

PER_PAGE = 20


def _query(user: User, standard: str | None, level: str | None, q: str | None, year: int | None):
    if user.role not in (Role.center_admin, Role.admin):
        raise Forbidden("只有机构管理员可以查看人才库")
    query = select(Certificate).join(User, User.id == Certificate.user_id)
    if user.role != Role.admin:
        query = query.where(Certificate.center_id == (user.center_id or -1))
    if standard:
        get_standard(standard, field="standard")
        query = query.where(Certificate.standard_id == standard)
    if level:
        query = query.where(Certificate.level == level)
    if q:
        like = f"%{q.strip()}%"
        query = query.where(or_(User.username.ilike(like), User.name.ilike(like), Certificate.holder_name.ilike(like)))
    if year:
        query = query.where(Certificate.issued_on >= date(year, 1, 1), Certificate.issued_on <= date(year, 12, 31))
    return query.order_by(User.username, Certificate.issued_on, Certificate.id)


def people(user: User, *, standard=None, level=None, q=None, year=None) -> list[dict]:
    certificates = list(db.session.scalars(_query(user, standard, level, q, year)))
    by_user: dict[int, dict] = {}
    ce_year = this_year()
    for c in certificates:
        entry = by_user.get(c.user_id)
        if entry is None:
            ce = summary(c.user, ce_year)
            entry = by_user[c.user_id] = {
                "username": c.user.username,
                "name": c.holder_name or c.user.name,
                "certificates": [],
                "continuing_education": {"year": ce_year, "total": ce["total"], "met": ce["met"]},
                "trainings": [
                    {"training": t.training.name, "level": t.training.level, "certificate_no": t.certificate_no}
                    for t in db.session.scalars(
                        select(Trainee).where(Trainee.user_id == c.user_id, Trainee.completed.is_(True))
                    )
                ],
            }
        full = user.id == c.user_id or (user.role == Role.center_admin and user.center_id == c.center_id)
        entry["certificates"].append(
            {
                "no": c.number,
                "standard": c.standard_id,
                "occupation": c.occupation,
                "level": c.level,
                "issued": c.issued_on.isoformat(),
                "valid": not c.revoked,
                "center": c.center_name,
                "id_number": c.id_number if full else mask_id(c.id_number),
            }
        )
    return list(by_user.values())


def parse_filters(args) -> dict:
    year = args.get("year") or None
    if year is not None:
        try:
            year = int(year)
        except ValueError:
            raise Invalid("年度：应为四位年份", field="year") from None
    return {
        "standard": args.get("standard") or None,
        "level": args.get("level") or None,
        "q": (args.get("q") or "").strip() or None,
        "year": year,
    }


HEADERS = [
    "用户名",
    "姓名",
    "证书编号",
    "职业",
    "等级",
    "发证日期",
    "有效",
    "发证机构",
    "证件号码",
    "本年继续教育学时",
    "是否达标",
]


def _cell(sheet, row: int, column: int, value) -> None:
    """A string is written as a string cell (never a formula: "=1+1" stays text)."""
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def workbook(rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "人才库"
    for column, header in enumerate(HEADERS, start=1):
        _cell(sheet, 1, column, header)
        sheet.cell(row=1, column=column).font = Font(bold=True)
    line = 2
    for person in rows:
        ce = person["continuing_education"]
        for c in person["certificates"]:
            values = [
                person["username"],
                person["name"],
                c["no"],
                c["occupation"],
                c["level"],
                c["issued"],
                "是" if c["valid"] else "已撤销",
                c["center"],
                c["id_number"],
                ce["total"],
                "是" if ce["met"] else "否",
            ]
            for column, value in enumerate(values, start=1):
                _cell(sheet, line, column, value)
            line += 1
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
