"""Health and faults (issue 11 item 6): /healthz 503 unless the database answers and holds the schema;
the app never creates a database by itself; error pages without the database; 503 JSON from the API;
a write blocked by a lock answers 503 with Retry-After after a bounded wait (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app
from app.cli import init_db
from app.extensions import db
from app.faults import sqlite_path
from tests.conftest import PASSWORD, TEST_DATABASE_URL, USE_POSTGRES, _config

sqlite_only = pytest.mark.skipif(USE_POSTGRES, reason="a SQLite file")
DEAD_URI = "postgresql+psycopg://127.0.0.1:1/none?connect_timeout=2" if USE_POSTGRES else "sqlite:////nonexistent/x.db"


def database_file(app) -> Path:
    with app.app_context():
        return Path(sqlite_path(db.engine.url))


def test_healthz_ok_with_the_schema(client):
    assert client.get("/healthz").status_code == 200


@sqlite_only
def test_healthz_503_when_the_sqlite_file_is_deleted_and_it_is_not_recreated(app, client):
    path = database_file(app)
    assert client.get("/healthz").status_code == 200  # a pooled connection now holds the file open
    path.unlink()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
    with app.app_context():
        db.engine.dispose()
    assert client.get("/healthz").status_code == 503
    assert client.post("/api/v1/auth/token", json={"username": "a", "password": "b"}).status_code == 503
    assert not path.exists()


@sqlite_only
def test_healthz_503_when_the_sqlite_file_is_emptied(app, client):
    path = database_file(app)
    path.write_bytes(b"")
    assert client.get("/healthz").status_code == 503
    with app.app_context():
        db.engine.dispose()
    assert client.get("/healthz").status_code == 503


def test_healthz_503_without_the_schema(app, client):
    with app.app_context():
        db.session.execute(text("ALTER TABLE alembic_version RENAME TO alembic_version_hidden"))
        db.session.commit()
    try:
        assert client.get("/healthz").status_code == 503
    finally:
        with app.app_context():
            db.session.rollback()
            db.session.execute(text("ALTER TABLE alembic_version_hidden RENAME TO alembic_version"))
            db.session.commit()
    assert client.get("/healthz").status_code == 200


@sqlite_only
def test_the_app_never_creates_a_database_only_init_db_does(tmp_path):
    path = tmp_path / "data" / "platform.db"
    app = create_app(_config(f"sqlite:///{path}", tmp_path))
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    assert client.get("/login").status_code == 200  # pages that need no database still serve
    assert not path.exists()
    with app.app_context():
        init_db()
    assert path.stat().st_size > 0
    assert client.get("/healthz").status_code == 200


@pytest.fixture
def dead_app(tmp_path):
    """An app with the suite's secret whose database does not answer."""
    return create_app(_config(DEAD_URI, tmp_path))


def test_error_page_renders_in_chinese_without_the_database_for_a_signed_in_user(login, make_user, dead_app):
    make_user("zhang", name="张三")
    cookie = login("zhang").get_cookie("session").value
    browser = dead_app.test_client()
    browser.set_cookie("session", cookie)
    response = browser.get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    html = response.get_data(as_text=True)
    assert "数据库暂不可用" in html and "<html" in html


def test_api_answers_503_json_when_the_database_is_unavailable(make_user, token_for, dead_app):
    make_user("zhang")
    headers = token_for("zhang")
    client = dead_app.test_client()
    for response in (
        client.get("/api/v1/standards", headers=headers),
        client.post("/api/v1/auth/token", json={"username": "zhang", "password": PASSWORD}),
    ):
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "database_unavailable"
        assert response.headers["Retry-After"]


@pytest.fixture
def locked_tokens_table(app, make_user, monkeypatch):
    """User zhang exists; another connection holds the write lock (SQLite) or a lock on api_tokens
    (PostgreSQL)."""
    make_user("zhang")
    monkeypatch.setenv("SQLITE_BUSY_TIMEOUT_MS", "200")
    monkeypatch.setenv("PG_LOCK_TIMEOUT_MS", "200")
    with app.app_context():
        db.engine.dispose()  # new connections read the short timeouts
    if USE_POSTGRES:
        import psycopg

        holder = psycopg.connect(TEST_DATABASE_URL)
        holder.execute("LOCK TABLE api_tokens IN EXCLUSIVE MODE")
    else:
        holder = sqlite3.connect(str(database_file(app)), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    yield
    holder.rollback() if USE_POSTGRES else holder.execute("ROLLBACK")
    holder.close()


def test_a_write_blocked_by_a_lock_answers_503_with_retry_after(client, locked_tokens_table):
    response = client.post("/api/v1/auth/token", json={"username": "zhang", "password": PASSWORD})
    assert response.status_code == 503, response.get_json()
    assert response.get_json()["error"]["code"] == "database_busy"
    assert response.headers["Retry-After"] == "2"
