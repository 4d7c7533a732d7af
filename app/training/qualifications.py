"""Staff qualifications (资格): what a center records its staff hold, and the certificates this
platform issued them (which count by themselves). 1.8.2 judges trainers by both."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.audit.operations import record
from app.auth.models import Role, User
from app.auth.scoping import ensure_same_center
from app.errors import Invalid, NotFound
from app.extensions import db
from app.results.models import Certificate
from app.standards.registry import all_standards
from app.uploads import describe, owned_uploads
from scoring.training import TITLE_ORDER, HeldCertificate, HeldTitle

from . import inputs
from .models import StaffQualification

CERTIFICATE_FIELDS = {"occupation": "职业", "level": "等级", "issued": "发证日期", "no": "证书编号"}
TITLE_FIELDS = {"rank": "职称等级", "matches_field": "专业对应", "obtained": "取得日期"}


def user_named(actor: User, username: str) -> User:
    """The user whose qualifications ``actor`` manages: their center's (404 for another center's)."""
    user = db.session.scalar(select(User).where(User.username == username)) if isinstance(username, str) else None
    if user is None:
        raise NotFound("用户不存在")
    if actor.role != Role.admin:
        ensure_same_center(actor, user.center_id)
    return user


def _level_ids() -> set[str]:
    return {lv for s in all_standards().values() for lv in s.level_ids}


def _rows(data: dict, key: str) -> list:
    rows = data.get(key, [])
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise Invalid(f"{key}：应为列表", field=key)
    return rows


def _certificate(row: object, i: int, levels: set[str], today: date, problems: inputs.Problems) -> dict | None:
    where = f"certificates[{i}]"
    if not isinstance(row, dict):
        problems.add(Invalid(f"证书第 {i + 1} 项：应为对象", field=where, index=i))
        return None
    occupation = problems.take(inputs.text, row, "occupation", f"证书第 {i + 1} 项·职业")
    level = problems.take(inputs.text, row, "level", f"证书第 {i + 1} 项·等级", max_length=20)
    head = level.split("/")[0] if level is not None else None
    if head is not None and head not in levels:
        problems.add(Invalid(f"证书第 {i + 1} 项·等级：未知等级 {level}", field=f"{where}.level", index=i))
    issued = problems.take(inputs.day, row.get("issued"), f"{where}.issued", f"证书第 {i + 1} 项·发证日期")
    if issued is not None and issued > today:
        problems.add(Invalid(f"证书第 {i + 1} 项·发证日期：不能晚于今天", field=f"{where}.issued", index=i))
    no = problems.take(inputs.text, row, "no", f"证书第 {i + 1} 项·证书编号", required=False, max_length=60)
    if issued is None or occupation is None or head not in levels or no is None:
        return None
    return {"occupation": occupation, "level": head, "issued": issued.isoformat(), "no": no}


def _title(row: object, i: int, today: date, problems: inputs.Problems) -> dict | None:
    where = f"titles[{i}]"
    if not isinstance(row, dict):
        problems.add(Invalid(f"职称第 {i + 1} 项：应为对象", field=where, index=i))
        return None
    rank = problems.take(inputs.text, row, "rank", f"职称第 {i + 1} 项·等级", max_length=10)
    rank = {"副高": "高级", "正高": "高级"}.get(rank, rank)
    if rank is not None and rank not in TITLE_ORDER:
        problems.add(Invalid(f"职称第 {i + 1} 项·等级：应为 初级、中级 或 高级", field=f"{where}.rank", index=i))
    flag = f"{where}.matches_field"
    matches = problems.take(inputs.flag, row.get("matches_field"), flag, f"职称第 {i + 1} 项·专业对应")
    obtained = problems.take(inputs.day, row.get("obtained"), f"{where}.obtained", f"职称第 {i + 1} 项·取得日期")
    if obtained is not None and obtained > today:
        problems.add(Invalid(f"职称第 {i + 1} 项·取得日期：不能晚于今天", field=f"{where}.obtained", index=i))
    if rank not in TITLE_ORDER or matches is None or obtained is None:
        return None
    return {"rank": rank, "matches_field": matches, "obtained": obtained.isoformat()}


def parse(data: dict, today: date) -> tuple[list[dict], list[dict]]:
    """Every row read, every problem kept (``inputs.Problems``); the first one raised."""
    levels = _level_ids()
    problems = inputs.Problems()
    certificates = [_certificate(row, i, levels, today, problems) for i, row in enumerate(_rows(data, "certificates"))]
    titles = [_title(row, i, today, problems) for i, row in enumerate(_rows(data, "titles"))]
    problems.raise_if_any()
    return certificates, titles


def save(actor: User, user: User, data: dict, today: date) -> StaffQualification:
    """PUT: replaces what the center recorded; ``evidence`` (upload ids of the recording admin's own
    files, e.g. scans of the certificates) is kept with the record."""
    certificates, titles = parse(data, today)
    given = "evidence" in data
    evidence = describe(owned_uploads(actor, data.get("evidence"))) if given else None
    row = db.session.get(StaffQualification, user.id)
    if row is None:
        row = StaffQualification(user_id=user.id)
        db.session.add(row)
    row.center_id = user.center_id
    row.certificates = certificates
    row.titles = titles
    if evidence is not None or not row.evidence:  # left out: the files cited before stay
        row.evidence = evidence or []
    row.updated_by_id = actor.id
    record(
        "qualifications.saved",
        row,
        {"username": user.username, "certificates": len(certificates), "titles": len(titles)},
        center_id=user.center_id,
        subject_id=user.id,
    )
    db.session.flush()
    return row


def platform_certificates(user: User) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user.id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.issued_on, Certificate.id)
        )
    )


def of_user(user: User) -> dict:
    """GET: both kinds, each marked with its source."""
    row = db.session.get(StaffQualification, user.id)
    recorded = [{**c, "source": "center"} for c in (row.certificates if row else [])]
    issued = [
        {
            "occupation": c.occupation,
            "standard": c.standard_id,
            "level": c.level,
            "issued": c.issued_on.isoformat(),
            "no": c.number,
            "source": "platform",
        }
        for c in platform_certificates(user)
    ]
    titles = [{**t, "source": "center"} for t in (row.titles if row else [])]
    return {
        "username": user.username,
        "name": user.name,
        "certificates": issued + recorded,
        "titles": titles,
        "evidence": list(row.evidence or []) if row else [],
    }


def holdings(user: User, standard_id: str, occupation: str) -> tuple[list[HeldCertificate], list[HeldTitle]]:
    """This occupation's certificates (platform-issued and recorded) and every title, for 1.8.2."""
    row = db.session.get(StaffQualification, user.id)
    certificates = [
        HeldCertificate(c.level, c.issued_on, c.number, "platform")
        for c in platform_certificates(user)
        if c.standard_id == standard_id
    ]
    for c in row.certificates if row else []:
        if c["occupation"] == occupation:
            certificates.append(HeldCertificate(c["level"], date.fromisoformat(c["issued"]), c.get("no", ""), "center"))
    titles = [
        HeldTitle(t["rank"], t["matches_field"], date.fromisoformat(t["obtained"]), "center")
        for t in (row.titles if row else [])
    ]
    return certificates, titles
