"""Fixtures: a database migrated once per run and copied per test (SQLite), or truncated per
test (PostgreSQL, when TEST_DATABASE_URL is set); factories for users and signed-in clients.
CSRF stays on in page tests."""

from __future__ import annotations

import os
import re
import shutil
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import text

from app import create_app
from app.auth.operations import create_user
from app.cli import init_db
from app.exams.group_commit import Batcher
from app.extensions import db, limiter

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
USE_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
PASSWORD = "secret123"

# TEST_CLOCK_DAYS_AHEAD=N runs the whole suite with Python's clock moved N days ahead (ticking), so a test
# that reads today's date unpinned fails here, on the day it is written, and not by itself months later.
# `make test` runs the non-browser suite once with the clock two years ahead.
CLOCK_DAYS_AHEAD = int(os.environ.get("TEST_CLOCK_DAYS_AHEAD") or 0)
_clock_travel = None


def pytest_configure(config):
    global _clock_travel
    if CLOCK_DAYS_AHEAD:
        _clock_travel = time_machine.travel(datetime.now(timezone.utc) + timedelta(days=CLOCK_DAYS_AHEAD), tick=True)
        _clock_travel.start()


def pytest_unconfigure(config):
    if _clock_travel is not None:
        _clock_travel.stop()


# Lines a test wants shown at the end of the run (the fuzz run's case count, the matrix's size).
RUN_SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter):
    for line in RUN_SUMMARY:
        terminalreporter.write_line(line)


def pytest_report_header(config):
    if CLOCK_DAYS_AHEAD:
        return f"clock moved {CLOCK_DAYS_AHEAD} days ahead: now is {datetime.now(timezone.utc).isoformat()}"


def _config(uri: str, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": uri,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SIGNING_KEY_DIR": str(tmp_path / "signing_keys"),
        # Hashing stays real (salted PBKDF2) but cheap: hundreds of users are made per run.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory):
    """Run the migrations once; every test starts from a copy (SQLite) or a truncation (PostgreSQL)."""
    base = tmp_path_factory.mktemp("db")
    uri = TEST_DATABASE_URL if USE_POSTGRES else f"sqlite:///{base / 'template.db'}"
    if USE_POSTGRES:
        uri = uri.replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app(_config(uri, base))
    with app.app_context():
        if USE_POSTGRES:
            db.session.execute(text("DROP SCHEMA public CASCADE"))
            db.session.execute(text("CREATE SCHEMA public"))
            db.session.commit()
        init_db()
        db.engine.dispose()
    return uri, base / "template.db"


def _truncate_all() -> None:
    tables = [t.name for t in db.metadata.sorted_tables if t.name != "standards"]
    if tables:
        db.session.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        db.session.commit()


@pytest.fixture
def app(_template_db, tmp_path):
    uri, template_file = _template_db
    if not USE_POSTGRES:
        target = tmp_path / "test.db"
        shutil.copyfile(template_file, target)
        uri = f"sqlite:///{target}"
    application = create_app(_config(uri, tmp_path))
    limiter.reset()
    with application.app_context():
        if USE_POSTGRES:
            _truncate_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """make_user(username, role="candidate", center=None, name=None) -> username (password PASSWORD)."""

    def factory(username: str, role: str = "candidate", center: str | None = None, name: str | None = None) -> str:
        if center is None and role in {"grader", "proctor", "reviewer", "center_admin"}:
            center = "测试评价中心"
        with app.app_context():
            create_user(username, PASSWORD, role, center=center, name=name)
            db.session.commit()
        return username

    return factory


@pytest.fixture
def token_for(client):
    """token_for(username) -> {"Authorization": "Bearer …"} through the real token endpoint."""

    def factory(username: str, password: str = PASSWORD) -> dict:
        response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return factory


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|<meta name="csrf-token" content="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


@pytest.fixture
def login(app):
    """login(username) -> a test client signed in through the real form (CSRF on)."""

    def factory(username: str, password: str = PASSWORD):
        browser = app.test_client()
        page = browser.get("/login")
        response = browser.post(
            "/login", data={"username": username, "password": password, "csrf_token": csrf_from(page.get_data(True))}
        )
        assert response.status_code == 302, response.get_data(True)[:500]
        return browser

    return factory


def corrupted_copy(source, tmp_path, old: str, new: str):
    """A copy of a standard file in tmp_path with ``old`` (which must occur once) replaced by ``new``."""
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    bad = tmp_path / source.name
    bad.write_text(text.replace(old, new), encoding="utf-8")
    return bad


@pytest.fixture
def probe(app):
    """A scratch table ``gc_probe(n UNIQUE)`` and a fresh batcher on the app's engine (the group
    commit's tests: test_group_commit.py, test_save_pipeline.py)."""
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS gc_probe"))
            connection.execute(text("CREATE TABLE gc_probe (n INTEGER PRIMARY KEY)"))
        yield Batcher(db.engine)
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE gc_probe"))
