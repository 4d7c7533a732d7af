"""Issue 28 item 12: ``init-db`` run by several app servers at once (as docs/deploy.md's systemd unit
does on every server) on an empty database: every run succeeds and the schema is made once —
three real processes, on SQLite and (under ``make test-postgres``) on a fresh PostgreSQL database."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import TEST_DATABASE_URL, USE_POSTGRES

ROOT = Path(__file__).resolve().parent.parent


def run_three_at_once(url: str, tmp_path) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "development", "INSTANCE_PATH": str(tmp_path)}
    env.pop("TEST_DATABASE_URL", None)
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "init-db"]
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    return [subprocess.CompletedProcess(run.args, run.wait(timeout=300), *run.communicate()) for run in runs]


def check_schema_made_once(url: str, runs) -> None:
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
        assert "数据库已就绪" in run.stdout
    engine = create_engine(url)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        standards = connection.execute(text("SELECT count(*) FROM standards")).scalar()
    engine.dispose()
    assert len(versions) == len(set(versions)) >= 1
    assert standards == 3


@pytest.mark.slow
def test_three_init_db_at_once_on_an_empty_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    check_schema_made_once(url, run_three_at_once(url, tmp_path))


@pytest.mark.slow
@pytest.mark.skipif(not USE_POSTGRES, reason="PostgreSQL run only (make test-postgres)")
def test_three_init_db_at_once_on_an_empty_postgresql_database(tmp_path):
    server = TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"initdb_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = server.rsplit("/", 1)[0] + f"/{name}"
    try:
        check_schema_made_once(url, run_three_at_once(url, tmp_path))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
