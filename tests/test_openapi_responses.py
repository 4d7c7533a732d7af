"""The generated OpenAPI document describes the answers that issue 27 changed (app/api/responses.py):
enrolment ``warnings`` (room_over_capacity, certificate_held), the results' ``certificate_held`` /
``certificate_note``, the score on GET /attempts and on submit as the center's score visibility
governs it, and GET|PUT /centers/<id>/score-visibility — and real answers validate against it."""

from __future__ import annotations

from jsonschema import Draft202012Validator
from sqlalchemy import select

from app.auth.models import Center
from app.exams.models import Attempt
from app.extensions import db
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)


def _doc(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def _answer_schema(doc: dict, path: str, method: str, status: str) -> dict:
    return doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]


def _validate(doc: dict, schema: dict, body) -> None:
    """``body`` against ``schema`` (a $ref into the document's components), as Schemathesis checks it."""
    Draft202012Validator({**schema, "components": doc["components"]}).validate(body)


def test_the_document_names_the_new_fields(client):
    doc = _doc(client)
    schemas = doc["components"]["schemas"]
    enrolment = _answer_schema(doc, "/sessions/{session_id}/candidates", "post", "201")
    assert enrolment == {"$ref": "#/components/schemas/Enrolment"}
    assert "warnings" in schemas["Enrolment"]["required"]
    warning = schemas["EnrolmentWarning"]["properties"]
    assert warning["code"]["enum"] == ["room_over_capacity", "certificate_held"]
    row = schemas["ResultRow"]["properties"]
    assert {"certificate_held", "certificate_note", "carried", "passed"} <= set(row)
    attempt = schemas["AttemptView"]
    assert {"score", "score_text", "score_pending", "status", "deadline", "answers"} <= set(attempt["required"])
    assert _answer_schema(doc, "/attempts/{attempt_id}/submit", "post", "200")["$ref"].endswith("/AttemptScore")
    for method in ("get", "put"):
        setting = _answer_schema(doc, "/centers/{center_id}/score-visibility", method, "200")
        assert setting == {"$ref": "#/components/schemas/ScoreVisibilitySetting"}
    assert schemas["ScoreVisibilitySetting"]["properties"]["theory_release"]["enum"] == ["at_once", "published"]
    put = doc["paths"]["/centers/{center_id}/score-visibility"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ScoreVisibility"
    }
    assert schemas["ScoreVisibility"]["properties"]["theory_release"]["enum"] == ["at_once", "published"]
    assert {"200", "400", "401", "403", "404", "422"} <= set(put["responses"])
    # a schema left undescribed stays open (any JSON), not wrongly narrow
    assert _answer_schema(doc, "/standards", "get", "200") == {}


def test_real_answers_validate_against_the_document(flow, app, token_for):
    doc = _doc(flow.client)
    flow.certificate_settings()
    first = flow.session(["c1"])
    flow.theory(first, "c1", 80)
    flow.practical(first, "c1", 80)
    flow.end_theory(first)
    assert flow.publish(first).status_code == 200  # c1 now holds a certificate of 四级
    second = flow.session([])
    small = flow.client.post(
        f"/api/v1/sessions/{second}/rooms", json={"name": "B1", "capacity": 1, "kind": "theory"}, headers=flow.admin
    ).get_json()["id"]
    flow.user("c2")
    seated = flow.client.post(
        f"/api/v1/sessions/{second}/candidates", json={"username": "c2", "room": small}, headers=flow.admin
    )
    held = flow.client.post(
        f"/api/v1/sessions/{second}/candidates", json={"username": "c1", "room": small}, headers=flow.admin
    )
    assert seated.status_code == held.status_code == 201
    assert seated.get_json()["warnings"] == []
    codes = [w["code"] for w in held.get_json()["warnings"]]
    assert codes == ["room_over_capacity", "certificate_held"]
    enrolment = _answer_schema(doc, "/sessions/{session_id}/candidates", "post", "201")
    for answer in (seated, held):
        _validate(doc, enrolment, answer.get_json())

    with app.app_context():
        aid = db.session.scalar(select(Attempt.id).where(Attempt.session_id == first))
        cid = db.session.scalar(select(Center.id).where(Center.name == "测试评价中心"))
    attempt = flow.client.get(f"/api/v1/attempts/{aid}", headers=token_for("c1")).get_json()
    _validate(doc, _answer_schema(doc, "/attempts/{attempt_id}", "get", "200"), attempt)
    results = flow.client.get(f"/api/v1/sessions/{first}/results", headers=flow.admin).get_json()
    _validate(doc, _answer_schema(doc, "/sessions/{session_id}/results", "get", "200"), results)
    for method, kwargs in (("get", {}), ("put", {"json": {"theory_release": "published"}})):
        setting = getattr(flow.client, method)(f"/api/v1/centers/{cid}/score-visibility", headers=flow.admin, **kwargs)
        _validate(doc, _answer_schema(doc, "/centers/{center_id}/score-visibility", method, "200"), setting.get_json())
    shown = flow.client.get(f"/api/v1/attempts/{aid}", headers=token_for("c1")).get_json()
    assert shown["score"] == 80 and shown["score_text"] == "80.00"  # published: shown under either setting
    _validate(doc, _answer_schema(doc, "/attempts/{attempt_id}", "get", "200"), shown)


def test_a_wrong_answer_would_fail_the_check(client):
    """The validation above can fail: an answer without ``warnings`` or with an unknown code does."""
    doc = _doc(client)
    enrolment = _answer_schema(doc, "/sessions/{session_id}/candidates", "post", "201")
    body = {"id": 1, "username": "c1", "room": None, "seat": None, "ticket_no": None, "form": None, "paper_id": None}
    validator = Draft202012Validator({**enrolment, "components": doc["components"]})
    assert not validator.is_valid(body)
    assert not validator.is_valid({**body, "warnings": [{"code": "mystery", "message": "?"}]})
    assert validator.is_valid({**body, "warnings": []})
