"""人才库 (T/SSOF 0001-2024 B.2 人才身份管理): holders of the platform's certificates with their
certificates, completed trainings and this year's continuing education. A center admin sees the
holders of their own center's certificates, the platform admin all. 证件号码 is shown in full only
to the holder and the issuing center (``mask_id``)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, or_, select

from app.auth.models import Role, User
from app.continuing_education.models import CERecord, CERequirement, CEStatus
from app.continuing_education.operations import this_year
from app.errors import Forbidden, Invalid
from app.extensions import db
from app.results.models import Certificate
from app.standards.registry import get_standard
from app.training.models import Trainee, Training
from scoring.certificates import mask_id
from scoring.continuing_education import DEFAULT_ANNUAL_HOURS, DEFAULT_MINIMUM, Requirement, summarize

PER_PAGE = 20


def _filtered(
    query, user: User, standard: str | None = None, level=None, q: str | None = None, year: int | None = None
):
    """``query`` (over certificates joined to their holders) narrowed to what ``user`` may see and
    the filters ask for."""
    if user.role not in (Role.center_admin, Role.admin):
        raise Forbidden("只有机构管理员可以查看人才库")
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
    return query


# what the registry shows of a certificate and its holder: columns, not ORM objects (a page reads
# its rows only once, and building 20 certificates and their users as objects was a third of it)
_SHOWN = (
    Certificate.user_id,
    Certificate.center_id,
    Certificate.number,
    Certificate.standard_id,
    Certificate.occupation,
    Certificate.level,
    Certificate.issued_on,
    Certificate.revoked_at,
    Certificate.center_name,
    Certificate.id_number,
    Certificate.holder_name,
    User.username,
    User.name,
    User.center_id.label("own_center"),
)


def _query(user: User, standard: str | None = None, level=None, q: str | None = None, year: int | None = None):
    query = select(*_SHOWN).join(User, User.id == Certificate.user_id)
    query = _filtered(query, user, standard, level, q, year)
    return query.order_by(User.username, Certificate.issued_on, Certificate.id)


def people(user: User, *, standard=None, level=None, q=None, year=None) -> list[dict]:
    """Every holder matching the filters (the API and the export), in username order."""
    return _describe(user, db.session.execute(_query(user, standard, level, q, year)).all())


def people_page(user: User, page: int, per_page: int = PER_PAGE, **filters) -> tuple[list[dict], bool]:
    """One page of holders (the registry page) and whether another follows: the page's certificates in
    one query — those of the page's holders (per_page + 1 of them, never a count over the whole
    registry), with what is shown of the holders —, then their trainings and continuing education
    (bench/registry_scale.py)."""
    # a holder: a user with a matching certificate — EXISTS (User correlates to the outer query), so
    # the username index is walked and the query stops after the page: no GROUP BY over the registry
    matching = _filtered(select(Certificate.id).where(Certificate.user_id == User.id), user, **filters)
    holders = (
        select(User.id)
        .where(matching.exists())
        .order_by(User.username)
        .limit(per_page + 1)
        .offset((max(page, 1) - 1) * per_page)
        .correlate(None)  # its own users, not those of the query it is nested in
    )
    query = _query(user, **filters).where(Certificate.user_id.in_(holders.scalar_subquery()))
    certificates = db.session.execute(query).all()
    page_of = list(dict.fromkeys(c.user_id for c in certificates))  # the holders, in username order
    more = len(page_of) > per_page
    if more:
        last = page_of[per_page]
        certificates = [c for c in certificates if c.user_id != last]
    return _describe(user, certificates), more


def _describe(user: User, certificates: list) -> list[dict]:
    """The holders of ``certificates`` (rows of ``_SHOWN``, ordered by holder) with their trainings
    and this year's continuing education, each read for all of them at once."""
    own_center = {c.user_id: c.own_center for c in certificates}
    user_ids = list(own_center)
    ce_year = this_year()
    ce = _ce_summaries(user_ids, ce_year, own_center)
    trainings = _trainings(user_ids)
    by_user: dict[int, dict] = {}
    for c in certificates:
        entry = by_user.get(c.user_id)
        if entry is None:
            entry = by_user[c.user_id] = {
                "username": c.username,
                "name": c.holder_name or c.name,
                "certificates": [],
                "continuing_education": {"year": ce_year, **ce[c.user_id]},
                "trainings": trainings.get(c.user_id, []),
            }
        full = user.id == c.user_id or (user.role == Role.center_admin and user.center_id == c.center_id)
        entry["certificates"].append(
            {
                "no": c.number,
                "standard": c.standard_id,
                "occupation": c.occupation,
                "level": c.level,
                "issued": c.issued_on.isoformat(),
                "valid": c.revoked_at is None,
                "center": c.center_name,
                "id_number": c.id_number if full else mask_id(c.id_number),
            }
        )
    return list(by_user.values())


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):  # bound the IN lists (SQLite's variable limit)
        yield ids[start : start + size]


def _trainings(user_ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for chunk in _chunks(user_ids):
        rows = db.session.execute(
            select(Trainee.user_id, Training.name, Training.level, Trainee.certificate_no)
            .join(Training, Training.id == Trainee.training_id)
            .where(Trainee.user_id.in_(chunk), Trainee.completed.is_(True))
            .order_by(Trainee.id)
        )
        for uid, name, level, number in rows:
            out.setdefault(uid, []).append({"training": name, "level": level, "certificate_no": number})
    return out


def _ce_summaries(user_ids: list[int], year: int, own_center: dict[int, int | None]) -> dict[int, dict]:
    """{user id: {"total", "met"}} as continuing_education.operations.summary gives them (the
    requirement of the person's center — ``own_center``, read with the people —, else of the center
    of their first certificate, else the default), for many people in a few queries instead of three
    per person."""
    out: dict[int, dict] = {}
    for chunk in _chunks(user_ids):
        terms: dict[int, tuple] = {}  # user id: (annual hours, minimum) of the center's saved requirement
        centerless = [uid for uid in chunk if own_center.get(uid) is None]
        if centerless:  # the center of their first certificate and its requirement, in one query
            first = (
                select(func.min(Certificate.id))
                .where(Certificate.user_id.in_(centerless))
                .group_by(Certificate.user_id)
            )
            for uid, saved, hours, minimum in db.session.execute(
                select(Certificate.user_id, CERequirement.center_id, CERequirement.annual_hours, CERequirement.minimum)
                .outerjoin(CERequirement, CERequirement.center_id == Certificate.center_id)
                .where(Certificate.id.in_(first))
            ):
                if saved is not None:
                    terms[uid] = (hours, minimum)
        centers = {own_center[uid] for uid in chunk if own_center.get(uid) is not None}
        if centers:
            saved = {
                center: (hours, minimum)
                for center, hours, minimum in db.session.execute(
                    select(CERequirement.center_id, CERequirement.annual_hours, CERequirement.minimum).where(
                        CERequirement.center_id.in_(centers)
                    )
                )
            }
            terms.update((uid, saved[own_center[uid]]) for uid in chunk if own_center.get(uid) in saved)
        records: dict[int, list] = {}
        for uid, category, credited in db.session.execute(
            select(CERecord.user_id, CERecord.category, CERecord.credited).where(
                CERecord.user_id.in_(chunk), CERecord.year == year, CERecord.status == CEStatus.approved
            )
        ):
            records.setdefault(uid, []).append((category, credited or 0))
        for uid in chunk:
            hours, minimum = terms.get(uid, (DEFAULT_ANNUAL_HOURS, DEFAULT_MINIMUM))
            body = summarize(year, records.get(uid, []), Requirement(hours, dict(minimum)))
            out[uid] = {"total": body["total"], "met": body["met"]}
    return out


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
