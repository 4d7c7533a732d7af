"""Certificates (职业技能等级证书): numbering, issue at publication, public verification, revocation.

Numbers (``scoring.certificates``): for the national standards (levels 一级…五级: 3-01-01-04,
3-01-04-03) the 22 characters of 《职业技能等级证书编码规则（试行）》(人社鉴发〔2019〕2号) from the
center's settings; for 590008 (初级/中级/高级) the platform scheme documented there. The serial
is counted per scope — the number without its serial (center segments, year, level) — by one
``CertificateCounter`` row that is created if missing and then incremented by a single
``UPDATE … SET last_serial = last_serial + n … RETURNING``: PostgreSQL locks the row until the
transaction ends, SQLite takes its one write lock, so two publications never draw the same serial;
the unique constraints on ``certificates`` (number; scope + serial) hold it in the database too.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import timeutil
from app.audit.operations import record
from app.auth.models import Center, Role, User
from app.eligibility.identity import identity_of
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.form_errors import text_bound
from app.locking import lock_row
from app.sessions.models import ExamSession
from app.standards.registry import all_standards, get_standard
from scoring.certificates import (
    KINDS,
    LEVEL_DIGITS,
    PROVINCES,
    CertificateNumberError,
    check_center_code,
    mask_name,
    national_number,
    platform_number,
)

from . import signing
from .models import CenterCertificateSettings, Certificate, CertificateCounter, Result

CERTIFICATE_TITLE = "职业技能等级证书"  # 证书名称 (人社鉴发〔2021〕1号)
NO_DIRECTION = "--"  # 工种/职业方向 where the standard has none
# A center that has not filled in its settings: 社会培训评价组织 filed with a province (0000), the
# province of the platform's first users (32 江苏, the 常州 documents of the seeds), its database id
# as the organisation serial. The settings page says so and lets the center correct them.
DEFAULT_KIND, DEFAULT_ORG_CODE = "S", "0000"


def default_province() -> str:
    return current_app.config.get("CERTIFICATE_DEFAULT_PROVINCE", "32")


# ---------------------------------------------------------------- center settings


def settings_of(center: Center) -> CenterCertificateSettings:
    """The center's settings, or unsaved defaults (see DEFAULT_*)."""
    saved = db.session.get(CenterCertificateSettings, center.id)
    if saved is not None:
        return saved
    return CenterCertificateSettings(
        center_id=center.id,
        kind=DEFAULT_KIND,
        org_code=DEFAULT_ORG_CODE,
        province=default_province(),
        org_serial=f"{center.id:06d}",
        platform_code=f"C{center.id:05d}",
    )


def has_settings(center: Center) -> bool:
    return db.session.get(CenterCertificateSettings, center.id) is not None


SETTINGS_FIELDS = {
    "kind": "评价机构类别代码",
    "org_code": "评价机构代码",
    "province": "省级代码",
    "org_serial": "评价机构序列码",
    "platform_code": "平台证书机构简码",
}


def save_settings(center: Center, data: dict) -> CenterCertificateSettings:
    """Validate every segment (422 naming the field by its label) and store them."""
    values = {key: (data.get(key) or "").strip().upper() for key in SETTINGS_FIELDS}
    if values["kind"] not in KINDS:
        raise Invalid("评价机构类别代码：须为 S（社会培训评价组织）或 Y（用人单位）", field="kind")
    if values["province"] not in PROVINCES:
        raise Invalid("省级代码：须为 GB/T 2260 的省级行政区划代码（2 位，如 32 江苏）", field="province")
    try:
        # One trial number checks the digit segments exactly as numbering will use them.
        national_number(values["kind"], values["org_code"], values["province"], values["org_serial"], 2026, 5, 1)
    except CertificateNumberError as exc:
        raise Invalid(f"{SETTINGS_FIELDS[exc.segment]}：{str(exc).split('：', 1)[-1]}", field=exc.segment) from None
    try:
        check_center_code(values["platform_code"])
    except CertificateNumberError:
        raise Invalid("平台证书机构简码：须为 2 至 10 位大写字母或数字", field="platform_code") from None
    settings = db.session.get(CenterCertificateSettings, center.id)
    if settings is None:
        settings = CenterCertificateSettings(center_id=center.id)
        db.session.add(settings)
    old = {key: getattr(settings, key) for key in values}
    for key, value in values.items():
        setattr(settings, key, value)
    record("certificate.settings_changed", settings, {"old": old, "new": values}, subject_id=center.id)
    db.session.flush()
    return settings


# ---------------------------------------------------------------- numbering


def is_national(level: str) -> bool:
    """Levels 一级…五级 are those of the national standards, numbered by 人社鉴发〔2019〕2号."""
    return level in LEVEL_DIGITS


def scope_and_number(settings: CenterCertificateSettings, standard_id: str, level: str, year: int):
    """(scope, number for a serial): everything of the number but its serial is the counter's scope."""
    if is_national(level):

        def number(serial: int) -> str:
            return national_number(
                settings.kind, settings.org_code, settings.province, settings.org_serial, year, level, serial
            )

        return number(1)[:16], number

    def number(serial: int) -> str:
        return platform_number(standard_id, level, year, settings.platform_code, serial)

    return number(1).rsplit("-", 1)[0], number


def sample_numbers(settings: CenterCertificateSettings, year: int) -> list[tuple[str, str]]:
    """(label, number) of the first certificate of ``year`` under each numbering scheme the loaded
    standards use (national for 一级…五级, the platform's otherwise), for the settings page: the
    first standard of each scheme at its lowest level — from the standards, not named in code."""
    samples: dict[bool, tuple[str, str]] = {}
    for standard in all_standards().values():
        level = standard.levels[0]
        national = is_national(level.id)
        if national not in samples:
            _, number_for = scope_and_number(settings, standard.id, level.id, year)
            samples[national] = (f"{standard.name} {level.title}", number_for(1))
    return [samples[k] for k in (True, False) if k in samples]


def allocate_serials(scope: str, count: int) -> range:
    """``count`` serials never handed out before in ``scope``, atomically (see the module docstring)."""
    table = CertificateCounter.__table__
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(table).values(scope=scope, last_serial=0).on_conflict_do_nothing(index_elements=["scope"])
    )
    current = db.session.execute(select(table.c.last_serial).where(table.c.scope == scope)).scalar_one()
    if current + count > 999_999:
        raise Conflict(f"证书序列码已用尽（{scope}，最大 999999）", code="serials_exhausted")
    last = db.session.execute(
        update(table)
        .where(table.c.scope == scope)
        .values(last_serial=table.c.last_serial + count)
        .returning(table.c.last_serial)
    ).scalar_one()
    return range(last - count + 1, last + 1)


def issue_certificates(session: ExamSession, passers: list[Result], now: datetime) -> list[Certificate]:
    """A certificate for every passer, frozen with what it must carry (人社鉴发〔2021〕1号)."""
    if not passers:
        return []
    standard = get_standard(session.standard_id)
    level = standard.level(session.level)
    issued_on = now.astimezone(timeutil.CHINA).date()
    scope, number_for = scope_and_number(
        settings_of(session.center), session.standard_id, session.level, issued_on.year
    )
    certificates = []
    for result, serial in zip(passers, allocate_serials(scope, len(passers)), strict=True):
        identity = identity_of(result.user)
        certificate = Certificate(
            number=number_for(serial),
            scope=scope,
            serial=serial,
            result_id=result.id,
            user_id=result.user_id,
            center_id=session.center_id,
            standard_id=session.standard_id,
            level=session.level,
            title=CERTIFICATE_TITLE,
            holder_name=identity.name,
            id_type=identity.id_type,
            id_number=identity.id_number,
            photo=identity.photo,
            occupation=standard.name,
            direction=NO_DIRECTION,
            level_title=level.title if level else session.level,
            issued_on=issued_on,
            center_name=session.center.name,
        )
        db.session.add(certificate)
        certificates.append(certificate)
    db.session.flush()
    for c in certificates:
        record("certificate.issued", c, {"number": c.number, "holder": c.holder_name, "result_id": c.result_id})
    return certificates


# ---------------------------------------------------------------- verification and revocation


def find(no: str) -> Certificate:
    """The certificate by its number as typed (spaces around dropped, letters made capital), or 404."""
    number = (no or "").strip().upper()
    certificate = db.session.scalar(select(Certificate).where(Certificate.number == number)) if number else None
    if certificate is None:
        raise NotFound("证书编号不存在")
    return certificate


def verification(certificate: Certificate, name: str | None = None) -> dict:
    """What anyone may learn from a number: validity, occupation, level, issue date, issuing center
    and the holder's name partly masked; a full name given is answered only with whether it matches."""
    body = {
        "valid": not certificate.revoked,
        "revoked": certificate.revoked,
        "number": certificate.number,
        "name": mask_name(certificate.holder_name),
        "standard": certificate.standard_id,
        "occupation": certificate.occupation,
        "level": certificate.level,
        "level_title": certificate.level_title,
        "issued": certificate.issued_on.isoformat(),
        "center": certificate.center_name,
    }
    if certificate.revoked:
        body["revoked_on"] = certificate.revoked_at.astimezone(timeutil.CHINA).date().isoformat()
    if name is not None:
        body["name_matches"] = "".join(name.split()) == "".join(certificate.holder_name.split())
    return body


def credential(certificate: Certificate, now: datetime) -> str:
    """The compact JWS of the certificate's public fields (contract v1.2: Signed certificates), what its
    QR code carries so that a phone checks a paper certificate offline; a later revocation is only
    known online (``valid`` is the state when signed)."""
    public = verification(certificate)
    fields = ("number", "name", "standard", "occupation", "level", "level_title", "issued", "center", "valid")
    payload = {key: public[key] for key in fields}
    payload["iat"] = int(now.timestamp())
    return signing.sign(payload)


def can_manage(user: User, certificate: Certificate) -> bool:
    return user.role == Role.admin or (user.role == Role.center_admin and user.center_id == certificate.center_id)


# 撤销原因 is bounded (issue 27 item 14): the page's maxlength and the API (POST …/revoke) read this.
REVOKE_REASON_MAX = 500


def revoke(no: str, user: User, reason, now: datetime | None = None) -> Certificate:
    """Revoke with a reason (admin, or a center admin of the issuing center; 404 for another center)."""
    certificate = find(no)
    if not can_manage(user, certificate):
        raise NotFound("证书编号不存在")
    if not isinstance(reason, str) or not reason.strip():
        raise Invalid("撤销原因：必须填写（不能只填空格）", field="reason")
    too_long = text_bound(reason.strip(), "撤销原因", REVOKE_REASON_MAX)
    if too_long:
        raise Invalid(too_long, field="reason")
    # One revocation at a time (issue 11): the row is locked and re-read before the check, so of
    # several at once one is recorded and the others find it revoked (409).
    lock_row(certificate)
    if certificate.revoked:
        raise Conflict("该证书已撤销", code="already_revoked")
    certificate.revoked_at = now or timeutil.utcnow()
    certificate.revoked_by_id = user.id
    certificate.revoke_reason = reason.strip()
    record("certificate.revoked", certificate, {"number": certificate.number, "reason": certificate.revoke_reason})
    db.session.flush()
    return certificate


def visible_certificate(no: str, user: User) -> Certificate:
    """The full certificate (with 证件号码 and photo): its holder, the issuing center's admins, admins."""
    certificate = find(no)
    if certificate.user_id != user.id and not can_manage(user, certificate):
        raise NotFound("证书编号不存在")
    return certificate


def certificates_of_center(user: User) -> list[Certificate]:
    query = select(Certificate).order_by(Certificate.id.desc())
    if user.role != Role.admin:
        query = query.where(Certificate.center_id == (user.center_id or -1))
    return list(db.session.scalars(query))
