"""The results domain's JSON shapes (api-contract: Results and certificates, v1.1)."""

from __future__ import annotations

from app import timeutil
from app.sessions.models import ExamSession, SessionStatus
from app.sessions.staffing_exceptions import exception_json, exceptions_of

CONTRACT_COMPONENTS = ("theory", "practical", "review")


def result_row(row: dict) -> dict:
    """{"username", "theory", "practical", "review", "passed", "certificate_no", "carried"}; a
    component the level lacks (or not yet scored) is null, a carried one shows its kept score.
    Additions (not in the contract): "name", "status", "certificate_held" and "certificate_note"."""
    finals = row["finals"]
    body = {"username": row["user"].username, "name": row["user"].display_name}
    for key in CONTRACT_COMPONENTS:
        score, _status = finals.get(key, (None, None))
        body[key] = score
    body["passed"] = bool(row["passed"])
    body["certificate_no"] = row["certificate"].number if row["certificate"] else None
    # Passed while holding a valid certificate of this level: no second one (issue 27 item 2); why.
    held = row.get("held_certificate_no")
    body["certificate_held"] = held
    body["certificate_note"] = f"已持有同等级有效证书 {held}，未重复发证" if held else None
    body["carried"] = [key for key, (_score, status) in finals.items() if status == "carried"]
    body["status"] = {key: status for key, (_score, status) in finals.items()}
    return body


def results_body(session: ExamSession, rows: list[dict]) -> dict:
    published = session.status == SessionStatus.published
    return {
        "session": session.id,
        "published": published,
        "published_at": timeutil.iso(rows[0]["published_at"]) if published and rows else None,
        "results": [result_row(r) for r in rows],
        # 1.9.3: reasons given on the pages for going on below the standard's staffing (v1.2 addition)
        "staffing_exceptions": [exception_json(e) for e in exceptions_of(session)],
    }
