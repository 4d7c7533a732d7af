"""Races on publication and revocation (issue 11), with real threads against a file-backed SQLite
(and PostgreSQL under ``make test-postgres``), released together by a barrier and widened by a slow
step between the check and the write (helpers of tests/test_decision_races.py).

- Six revocations of one certificate at once: one 200, five 409 (one audit entry, its reason kept).
- Four publications of one session at once: one 200, three 409 ``already_published`` (never a 500
  on the unique results.enrollment_id), one result per candidate.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app import assessment
from app.audit.models import AuditEntry
from app.extensions import db
from app.results import certificates as cert_ops
from app.results.models import Certificate, Result
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)
from tests.test_certificates_api import _issued, _passers, _settings
from tests.test_decision_races import slowed, together


def test_six_revocations_at_once_one_wins(app, flow, monkeypatch):
    """Before the fix all six answered 200, with six audit entries and the last reason kept."""
    number = _issued(app, flow)
    slowed(monkeypatch, cert_ops, "record")  # after the "already revoked?" check, before the write
    url = f"/api/v1/certificates/{number}/revoke"
    responses = together(
        *[
            lambda n=n: app.test_client().post(url, json={"reason": f"撤销原因{n}"}, headers=flow.admin)
            for n in range(6)
        ]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 5, [r.get_json() for r in responses]
    assert all(r.get_json()["error"]["code"] == "already_revoked" for r in responses if r.status_code == 409)
    winner = responses[[r.status_code for r in responses].index(200)]
    with app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.number == number))
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "certificate.revoked")))
    assert len(entries) == 1
    assert certificate.revoke_reason == entries[0].details["reason"]
    assert winner is responses[int(certificate.revoke_reason.removeprefix("撤销原因"))]


def test_four_publications_at_once_one_wins(app, flow, monkeypatch):
    """Before the fix three of the four answered 500 (UNIQUE results.enrollment_id)."""
    _settings(app)
    flow.user("c1")
    flow.user("c2")
    sid = _passers(flow, ["c1", "c2"])
    slowed(monkeypatch, assessment, "final_scores")  # after the "already published?" check
    responses = together(*[lambda: app.test_client().post(f"/api/v1/sessions/{sid}/publish", headers=flow.admin)] * 4)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409, 409, 409], [r.get_json() for r in responses]
    assert all(r.get_json()["error"]["code"] == "already_published" for r in responses if r.status_code == 409)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Result).where(Result.session_id == sid)) == 2
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2
