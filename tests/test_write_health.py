"""Issue 28 item 4: no save is acknowledged once the database file is gone or replaced (SQLite: the
file's identity, app/db_identity.py), and /healthz reports what writes will meet — read-only, disk
full, a replaced file (app/write_health.py). Fault injection: the files moved away under a running
app, a read-only file (chmod), a disk that answers every write with "database or disk is full"."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import event, func, select, text

from app import create_app
from app.exams.models import Answer
from app.extensions import db
from app.faults import sqlite_path
from app.write_health import classify
from tests.conftest import TEST_DATABASE_URL, USE_POSTGRES, _config
from tests.test_exam_api import start
from tests.test_sessions_fixtures import exam_setup_fixture  # noqa: F401  (fixture)

sqlite_only = pytest.mark.skipif(USE_POSTGRES, reason="a SQLite file's identity")
SUFFIXES = ("", "-wal", "-shm")


def database_file(app) -> Path:
    with app.app_context():
        return Path(sqlite_path(db.engine.url))


def _first_judge(client, token_for, exam_setup):
    body, headers = start(client, token_for, exam_setup["sid"])
    question = next(q for q in body["questions"] if q["type"] == "judge")
    return f"/api/v1/attempts/{body['attempt_id']}/answers/{question['qid']}", headers


def _warm_pool(app, connections: int = 6) -> None:
    """Open several pooled connections at once, so that every request after the move gets one that
    holds the old files (and none has to open the path anew)."""
    with app.app_context():
        held = [db.engine.connect() for _ in range(connections)]
        for connection in held:
            connection.exec_driver_sql("SELECT 1")
        for connection in held:
            connection.close()


def _move(path: Path, target: Path) -> None:
    for suffix in SUFFIXES:
        if Path(f"{path}{suffix}").exists():
            os.rename(f"{path}{suffix}", f"{target}{suffix}")


# ---------------------------------------------------------------- the file moved away or replaced


@sqlite_only
def test_no_save_is_acknowledged_once_db_wal_and_shm_are_moved_away(app, client, token_for, exam_setup, tmp_path):
    url, headers = _first_judge(client, token_for, exam_setup)
    assert client.put(url, json={"answer": True}, headers=headers).status_code == 200  # the pool holds the files
    _warm_pool(app)
    path, moved = database_file(app), tmp_path / "moved.db"
    _move(path, moved)
    response = client.put(url, json={"answer": False}, headers=headers)
    assert response.status_code == 503, response.get_json()
    assert response.get_json()["error"]["code"] == "save_failed"  # 未确认本次保存: the client retries
    assert client.put(url, json={"answer": False}, headers=headers).status_code == 503  # nor the next one
    assert client.get("/healthz").status_code == 503
    # the files back at their path: saves are taken again, and land in that file
    _move(moved, path)
    assert client.put(url, json={"answer": False}, headers=headers).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Answer.value)) is False
    assert client.get("/healthz").get_json() == {"status": "ok"}


@sqlite_only
def test_a_replaced_file_is_reported_and_no_write_goes_to_the_old_one(app, client, token_for, exam_setup, tmp_path):
    url, headers = _first_judge(client, token_for, exam_setup)
    assert client.put(url, json={"answer": True}, headers=headers).status_code == 200
    assert client.get("/healthz").status_code == 200
    path = database_file(app)
    with app.app_context():
        db.engine.dispose()  # the restore below copies a quiet file (its WAL checkpointed)
    assert client.get("/healthz").status_code == 200  # a pooled connection holds the file again
    restored = tmp_path / "restored.db"
    shutil.copyfile(path, restored)
    old = tmp_path / "old.db"
    _move(path, old)
    os.rename(restored, path)  # a restored copy at the path: another inode
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "database_file_replaced"}
    assert client.get("/healthz").get_json() == {"status": "ok"}  # the pool was disposed: new connections
    assert client.put(url, json={"answer": False}, headers=headers).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Answer.value)) is False  # in the file at the path


@sqlite_only
def test_a_page_write_through_the_request_boundary_is_refused_too(app, client, make_user, tmp_path):
    make_user("zhang")
    assert client.get("/healthz").status_code == 200
    _warm_pool(app)
    path = database_file(app)
    _move(path, tmp_path / "moved.db")
    # a token is written by the request's own commit (not the group commit)
    response = client.post("/api/v1/auth/token", json={"username": "zhang", "password": "secret123"})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "database_unavailable"


@sqlite_only
def test_saves_under_way_while_the_files_move_are_never_acknowledged_and_lost(
    app, client, token_for, exam_setup, tmp_path
):
    """Four threads saving while the files are moved: no save that starts after the move is acknowledged."""
    url, headers = _first_judge(client, token_for, exam_setup)
    assert client.put(url, json={"answer": True}, headers=headers).status_code == 200
    path, moved = database_file(app), tmp_path / "moved.db"
    codes_after: list[int] = []
    moved_event = threading.Event()
    stop = threading.Event()

    def saver():
        own = app.test_client()
        while not stop.is_set():
            was_moved = moved_event.is_set()
            code = own.put(url, json={"answer": True}, headers=headers).status_code
            if was_moved:
                codes_after.append(code)

    threads = [threading.Thread(target=saver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(20):
        client.get("/healthz")  # let some saves happen
    _move(path, moved)
    moved_event.set()
    deadline = time.monotonic() + 60  # a loaded machine: wait for saves after the move, not a fixed count
    while len(codes_after) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    for thread in threads:
        thread.join()
    assert codes_after and 200 not in codes_after


# ---------------------------------------------------------------- read-only


@sqlite_only
def test_healthz_503_read_only_when_the_database_file_is_read_only(app, client):
    assert client.get("/healthz").status_code == 200
    path = database_file(app)
    mode = path.stat().st_mode
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        response = client.get("/healthz")
        assert response.status_code == 503 and response.get_json() == {"status": "read_only"}
        fresh = create_app(_config(f"sqlite:///{path}", path.parent))  # a worker started now
        assert fresh.test_client().get("/healthz").get_json() == {"status": "read_only"}
    finally:
        path.chmod(mode)
    assert client.get("/healthz").status_code == 200


@pytest.mark.skipif(not USE_POSTGRES, reason="a PostgreSQL setting")
def test_healthz_503_read_only_when_postgresql_refuses_writes(app, client):
    """A server that takes no writes (here: every new transaction read-only, as on a standby or a
    database set read-only): reads answer, the write probe meets SQLSTATE 25006."""
    app.config["HEALTH_WRITE_PROBE_SECONDS"] = 0
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        name = db.engine.url.database
        db.session.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        db.session.commit()
        db.engine.dispose()  # new connections read the setting
    try:
        response = client.get("/healthz")
        assert response.status_code == 503 and response.get_json() == {"status": "read_only"}
    finally:
        with psycopg.connect(TEST_DATABASE_URL, options="-c default_transaction_read_only=off", autocommit=True) as c:
            c.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
        with app.app_context():
            db.engine.dispose()
    assert client.get("/healthz").status_code == 200


def test_classify_names_the_drivers_errors():
    readonly = sqlite3.OperationalError("attempt to write a readonly database")
    full = sqlite3.OperationalError("database or disk is full")
    assert classify(readonly) == "read_only" and classify(full) == "disk_full"
    assert classify(sqlite3.OperationalError("database is locked")) is None
    assert classify(OSError(28, "No space left on device")) == "disk_full"


# ---------------------------------------------------------------- disk full (fault injection)


def _disk_full_error():
    if USE_POSTGRES:
        return psycopg.errors.DiskFull('could not extend file "base/1/2": No space left on device')
    error = sqlite3.OperationalError("database or disk is full")
    error.sqlite_errorcode = 13  # SQLITE_FULL
    return error


@contextmanager
def disk_full(app):
    """Every write statement of the app's engine fails as on a full disk (the driver's own error)."""
    with app.app_context():
        engine = db.engine

    def refuse(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise _disk_full_error()

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


def test_healthz_probe_meets_the_full_disk(app, client):
    app.config["HEALTH_WRITE_PROBE_SECONDS"] = 0  # probe on every request (production: every 5 s)
    assert client.get("/healthz").status_code == 200
    with disk_full(app):
        response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "disk_full"}
    assert client.get("/healthz").get_json() == {"status": "ok"}  # space again: the next probe says so


def test_between_probes_healthz_reports_the_last_write_error(app, client, token_for, exam_setup):
    url, headers = _first_judge(client, token_for, exam_setup)
    app.config["HEALTH_WRITE_PROBE_SECONDS"] = 3600  # no probe due during this test
    assert client.get("/healthz").status_code == 200  # probed: fine
    with disk_full(app):
        response = client.put(url, json={"answer": True}, headers=headers)
    assert response.status_code == 503  # not acknowledged
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    response = client.get("/healthz")  # no probe, the save's error is within the last seconds
    assert response.status_code == 503 and response.get_json() == {"status": "disk_full"}
    app.config["HEALTH_WRITE_ERROR_SECONDS"] = 0  # once the error is older than the window…
    assert client.get("/healthz").status_code == 200  # …it is no longer reported


def test_healthz_probes_at_most_once_per_interval(app, client):
    app.config["HEALTH_WRITE_PROBE_SECONDS"] = 3600
    writes: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, parameters, context, executemany):
        if "write_probes" in statement:
            writes.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(5):
            assert client.get("/healthz").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(writes) == 1
