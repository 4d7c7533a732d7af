"""Headers and caching (issue 11 item 7): a CSP with no inline script, no framing, nosniff, a
Referrer-Policy; Secure cookies in production; no-store on the exam page, attempt JSON, papers with
keys, print pages and exports."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.papers.models import Paper
from tests.conftest import PASSWORD, _config, csrf_from
from tests.test_sessions_fixtures import exam_setup_fixture  # noqa: F401  (fixture)

TEMPLATES = Path(__file__).resolve().parents[1] / "app" / "templates"


def assert_protected(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no other origin
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_every_kind_of_response_carries_the_security_headers(client, login, make_user):
    make_user("zhang")
    for response in (
        client.get("/login"),
        client.get("/healthz"),
        client.get("/api/v1/standards"),  # 401 JSON
        client.get("/no-such-page"),
        login("zhang").get("/"),
    ):
        assert_protected(response)


def test_no_template_holds_an_inline_script_or_event_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path.name}: {tag}")
        offenders += [f"{path.name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        offenders += [f"{path.name}: javascript:" for _ in re.findall(r"javascript:", text)]
    assert offenders == []


def test_exam_page_attempt_json_papers_prints_and_exports_are_never_cached(app, client, login, exam_setup, make_user):
    sid = exam_setup["sid"]
    candidate = login("stu1")
    take = candidate.get(f"/exams/{sid}/take")
    assert take.status_code == 200
    token = csrf_from(take.get_data(True))
    attempt = candidate.post(f"/api/v1/sessions/{sid}/attempt", headers={"X-CSRFToken": token})
    assert attempt.status_code == 201
    aid = attempt.get_json()["attempt_id"]
    make_user("root", "admin")
    admin = login("root")
    with app.app_context():
        paper_id = db.session.scalars(select(Paper.id)).first()
    responses = {
        "exam page": take,
        "attempt start": attempt,
        "attempt JSON": candidate.get(f"/api/v1/attempts/{aid}"),
        "paper with keys": admin.get(f"/api/v1/papers/{paper_id}"),
        "paper page": admin.get(f"/papers/{paper_id}"),
        "paper print": admin.get(f"/papers/{paper_id}/print"),
        "tickets": admin.get(f"/sessions/{sid}/tickets"),
        "bank export xlsx": admin.get("/banks/export.xlsx?standard=3-01-01-04"),
        "bank export json": admin.get("/banks/export.json?standard=3-01-01-04"),
    }
    for name, response in responses.items():
        assert response.status_code == 200 or name == "attempt start", (name, response.status_code)
        assert "no-store" in response.headers["Cache-Control"], name
        assert_protected(response)
    static = client.get("/static/js/exam.js")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


def test_session_cookies_are_secure_in_production_only(app, make_user, monkeypatch, tmp_path):
    make_user("zhang")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]

    def sign_in_cookie(application) -> str:
        browser = application.test_client()
        token = csrf_from(browser.get("/login").get_data(True))
        response = browser.post("/login", data={"username": "zhang", "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        return response.headers["Set-Cookie"]

    monkeypatch.setenv("APP_ENV", "production")
    production = {k: v for k, v in _config(uri, tmp_path).items() if k != "TESTING"}
    assert "; Secure" in sign_in_cookie(create_app(production))
    assert "; HttpOnly" in sign_in_cookie(create_app(production))
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")  # a plain-HTTP single machine, documented in README
    assert "Secure" not in sign_in_cookie(create_app(production))
    monkeypatch.delenv("SESSION_COOKIE_SECURE")
    assert "Secure" not in sign_in_cookie(app)  # tests and development serve over HTTP
