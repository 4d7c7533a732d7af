"""The generated OpenAPI document (contract v1.2: The API described — OpenAPI) and its page."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from app.api.schemas import BODIES

PREFIX = "/api/v1"


def _document(client) -> dict:
    response = client.get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def _api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                yield rule, method


def _path(rule) -> str:
    return re.sub(r"<(?:[^<>]*:)?(\w+)>", r"{\1}", rule.rule.removeprefix(PREFIX))


def test_the_document_is_valid_openapi_3_1_without_signing_in(client):
    doc = _document(client)
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_every_api_route_and_method_is_described(app, client):
    doc = _document(client)
    routes = list(_api_routes(app))
    assert len(routes) > 100
    for rule, method in routes:
        op = doc["paths"][_path(rule)][method.lower()]
        names = [p["name"] for p in op.get("parameters", [])]
        assert names == re.findall(r"<(?:[^<>]*:)?(\w+)>", rule.rule), rule.rule
    described = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert len(described) == len(routes)  # nothing described that the app does not route


def test_path_parameters_are_typed_from_the_converters(client):
    doc = _document(client)
    attempt = doc["paths"]["/attempts/{attempt_id}/answers/{qid}"]["put"]
    assert [p["schema"]["type"] for p in attempt["parameters"]] == ["integer", "integer"]
    sheet = doc["paths"]["/sessions/{session_id}/{component}/{username}"]["put"]
    by_name = {p["name"]: p["schema"] for p in sheet["parameters"]}
    assert by_name["component"]["enum"] == ["practical", "review"]
    assert by_name["username"]["type"] == "string"


def test_response_codes_follow_the_handlers(client):
    paths = _document(client)["paths"]
    assert "201" in paths["/sessions"]["post"]["responses"]
    assert "204" in paths["/auth/token"]["delete"]["responses"]
    assert set(paths["/standards"]["get"]["responses"]) == {"200", "401", "403"}  # no parameters, no body
    assert set(paths["/rating/certificates/{rating_no}"]["get"]["responses"]) == {
        "200",
        "404",
        "429",
    }  # public, rate-limited
    token = paths["/auth/token"]["post"]["responses"]
    assert {"200", "400", "401", "422", "429"} <= set(token)
    revoke = paths["/certificates/{no}/revoke"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(revoke)
    answer = paths["/attempts/{attempt_id}/answers/{qid}"]["put"]
    assert answer["security"] == [{"bearer": []}]
    assert paths["/certificates/{no}"]["get"]["security"] == []


def test_the_error_body_is_a_component_every_error_answers(client):
    doc = _document(client)
    error = doc["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "details"]
    for ops in doc["paths"].values():
        for op in ops.values():
            for code, response in op["responses"].items():
                if code.startswith("4"):
                    ref = response["$ref"].split("/")[-1]
                    schema = doc["components"]["responses"][ref]["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}


def test_json_bodies_carry_the_models_schemas(client):
    doc = _document(client)
    paths, schemas = doc["paths"], doc["components"]["schemas"]

    def body(path, method):
        return paths[path][method]["requestBody"]["content"]["application/json"]["schema"]

    assert body("/auth/token", "post") == {"$ref": "#/components/schemas/TokenRequest"}
    assert set(schemas["TokenRequest"]["required"]) == {"username", "password"}
    session = schemas["SessionRequest"]
    assert {"name", "standard", "level", "theory_start", "theory_minutes"} <= set(session["required"])
    assert session["properties"]["theory_mode"]["enum"] == ["machine", "paper"]
    item = schemas["BankItem"]
    assert item["properties"]["type"]["enum"] == ["single", "multiple", "judge"]
    assert item["properties"]["difficulty"]["maximum"] == 1
    # nested models resolve inside the document
    assert schemas["EligibilityRequest"]["properties"]["candidate"]["$ref"] == "#/components/schemas/Candidate"
    assert "Work" in schemas
    # a GET takes no body; an upload takes multipart
    assert "requestBody" not in paths["/sessions/{session_id}/readiness"]["get"]
    assert "multipart/form-data" in paths["/uploads"]["post"]["requestBody"]["content"]


def test_every_named_model_belongs_to_a_route_that_reads_json(app, client):
    doc = _document(client)
    endpoints = {rule.endpoint for rule, _ in _api_routes(app)}
    assert set(BODIES) <= endpoints
    for rule, method in _api_routes(app):
        if rule.endpoint in BODIES:
            op = doc["paths"][_path(rule)][method.lower()]
            assert "application/json" in op["requestBody"]["content"], rule.endpoint


def test_the_docs_page_loads_its_script_from_static_files(client):
    response = client.get(f"{PREFIX}/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "/static/js/api_docs.js" in html
    assert "接口文档" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script (the CSP)
    assert client.get("/static/js/api_docs.js").status_code == 200
