"""One valid certificate per person, standard and level (issue 27 item 2).

A 职业技能等级证书 attests a level of one occupation (人社鉴发〔2021〕1号: 证书 = 职业名称 + 职业技能等级);
a second valid one of the same standard and level would be two numbers for one attestation. So:
- at enrolment the center is told that a candidate already holds one (the sessions domain asks
  through ``app.sessions.held_certificates``; the page asks for a written reason, e.g. a re-sit
  after a revocation — a revoked certificate no longer counts);
- at publication a passer who holds one at that moment gets a result but no second certificate,
  and the result keeps the number held (``Result.held_certificate_no``), which the roster shows.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.sessions import held_certificates

from .models import Certificate


def valid_certificates(user_id: int, standard_id: str, level: str) -> list[Certificate]:
    """The person's certificates of this standard and level not revoked, oldest first."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(
                Certificate.user_id == user_id,
                Certificate.standard_id == standard_id,
                Certificate.level == level,
                Certificate.revoked_at.is_(None),
            )
            .order_by(Certificate.issued_on, Certificate.id)
        )
    )


def held_by(user_ids: list[int], standard_id: str, level: str) -> dict[int, Certificate]:
    """{user id: the valid certificate held} for those of ``user_ids`` who hold one (one query)."""
    if not user_ids:
        return {}
    rows = db.session.scalars(
        select(Certificate)
        .where(
            Certificate.user_id.in_(user_ids),
            Certificate.standard_id == standard_id,
            Certificate.level == level,
            Certificate.revoked_at.is_(None),
        )
        .order_by(Certificate.issued_on, Certificate.id)
    )
    found: dict[int, Certificate] = {}
    for certificate in rows:
        found.setdefault(certificate.user_id, certificate)
    return found


def _describe(user_id: int, standard_id: str, level: str) -> list[dict]:
    return [
        {"number": c.number, "issued": c.issued_on.isoformat(), "level_title": c.level_title, "center": c.center_name}
        for c in valid_certificates(user_id, standard_id, level)
    ]


held_certificates.set_provider(_describe)
