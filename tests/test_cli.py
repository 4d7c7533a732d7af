"""The contract's CLI: init-db, users create, demo."""

from __future__ import annotations

import os

from sqlalchemy import func, select

from app import create_app
from app.auth.models import Center, Role, User
from app.extensions import db
from app.sessions.models import ExamSession, SessionStatus
from tests.conftest import PASSWORD


def fresh_app(tmp_path):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cli.db'}"})


def test_init_db_on_an_empty_database_then_again(tmp_path):
    app = fresh_app(tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    assert "3 项" in first.output
    second = runner.invoke(args=["init-db"])
    assert second.exit_code == 0 and "0 项" in second.output


def test_users_create(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "li",
            "--password",
            PASSWORD,
            "--role",
            "center_admin",
            "--center",
            "新中心",
            "--name",
            "李四",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "li"))
        assert user.role == Role.center_admin and user.name == "李四" and user.center.name == "新中心"
        assert user.check_password(PASSWORD)


def test_users_create_reuses_an_existing_center(app):
    runner = app.test_cli_runner()
    for name in ("g1", "g2"):
        runner.invoke(
            args=[
                "users",
                "create",
                "--username",
                name,
                "--password",
                PASSWORD,
                "--role",
                "grader",
                "--center",
                "同一中心",
            ]
        )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Center).where(Center.name == "同一中心")) == 1


def test_users_create_refuses_bad_input_and_changes_nothing(app):
    runner = app.test_cli_runner()
    bad_role = runner.invoke(args=["users", "create", "--username", "x", "--password", PASSWORD, "--role", "boss"])
    assert bad_role.exit_code != 0
    no_center = runner.invoke(args=["users", "create", "--username", "x", "--password", PASSWORD, "--role", "proctor"])
    assert no_center.exit_code != 0 and "--center" in no_center.output
    runner.invoke(args=["users", "create", "--username", "dup", "--password", PASSWORD, "--role", "candidate"])
    dup = runner.invoke(args=["users", "create", "--username", "dup", "--password", PASSWORD, "--role", "candidate"])
    assert dup.exit_code != 0 and "已存在" in dup.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        assert db.session.scalar(select(func.count()).select_from(Center)) == 0


def test_demo_loads_every_role_and_demo_users_can_sign_in(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        roles = set(db.session.scalars(select(User.role)).all())
    assert roles == set(Role)
    with app.app_context():  # a session in every state on whatever day (and clock) the demo is loaded
        assert set(db.session.scalars(select(ExamSession.status)).all()) == set(SessionStatus)
    for username in ("admin", "center_admin", "proctor1", "grader1", "reviewer1", "cand01"):
        response = client.post("/api/v1/auth/token", json={"username": username, "password": "demo1234"})
        assert response.status_code == 200, username
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "已存在" in again.output


def test_demo_refuses_a_database_with_other_users(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "--username", "someone", "--password", PASSWORD, "--role", "candidate"])
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0 and "空数据库" in result.output


def test_cli_commands_run_without_secret_key_in_production(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    """`flask --app wsgi init-db` works on a production box before SECRET_KEY is set; serving does not."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "APP_ENV"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'prod.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "init-db"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    production = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"]})
    response = production.test_client().get("/healthz")
    assert response.status_code == 500
