"""Deployment (issue 11 item 11): the shared gunicorn configuration serves the app from several
worker processes that keep no state of their own — a sign-in, a revoked token and the sign-in
failure counts hold whichever worker answers — and the client address behind a proxy is the
client's own (PROXY_COUNT), so the sign-in limits key on it and not on nginx."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app import create_app
from tests.conftest import PASSWORD, TEST_DATABASE_URL, USE_POSTGRES, _config

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(opener, url: str, method: str = "GET", body: dict | None = None, headers: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


@pytest.fixture
def served(app, tmp_path):
    """gunicorn with deploy/gunicorn.conf.py, 2 workers, on the test's database."""
    uri = TEST_DATABASE_URL if USE_POSTGRES else app.config["SQLALCHEMY_DATABASE_URI"]
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": uri,
        "SECRET_KEY": "deploy-test-secret",
        "APP_ENV": "production",
        "SESSION_COOKIE_SECURE": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
        "GUNICORN_HEAD_SECONDS": "3",
        "GUNICORN_ACCESS_LOG": str(tmp_path / "access.log"),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
    }
    create = [sys.executable, "-m", "flask", "--app", "wsgi", "users", "create"]
    result = subprocess.run(
        [*create, "--username", "zhang", "--password", PASSWORD, "--role", "center_admin", "--center", "甲中心"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "error.log", "w"),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if call(urllib.request.build_opener(), f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "error.log").read_text()[-3000:]
            time.sleep(0.3)
        yield base, tmp_path / "access.log"
    finally:
        server.terminate()
        server.wait(30)


def test_several_workers_share_sign_ins_tokens_and_limits(served):
    base, access_log = served
    opener = urllib.request.build_opener()
    status, body, _ = call(opener, f"{base}/api/v1/auth/token", "POST", {"username": "zhang", "password": PASSWORD})
    assert status == 200
    bearer = {"Authorization": f"Bearer {json.loads(body)['token']}"}
    assert {call(opener, f"{base}/api/v1/standards", headers=bearer)[0] for _ in range(12)} == {200}
    assert call(opener, f"{base}/api/v1/auth/token", "DELETE", headers=bearer)[0] == 204
    assert {call(opener, f"{base}/api/v1/standards", headers=bearer)[0] for _ in range(12)} == {401}

    # a page sign-in holds on every worker
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = call(browser, f"{base}/login")[1]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": "zhang", "password": PASSWORD, "csrf_token": token}).encode()
    login = urllib.request.Request(f"{base}/login", data=form, method="POST")
    with browser.open(login, timeout=20) as response:  # follows the redirect home
        assert response.status == 200 and "退出" in response.read().decode()
    assert {call(browser, f"{base}/")[0] for _ in range(12)} == {200}

    # failures counted by whichever worker answers: the 6th is refused
    bad = [
        call(opener, f"{base}/api/v1/auth/token", "POST", {"username": "zhang", "password": "x"})[0] for _ in range(8)
    ]
    assert bad == [401] * 5 + [429] * 3
    booted = re.findall(r"Booting worker with pid: (\d+)", (access_log.parent / "error.log").read_text())
    assert len(set(booted)) >= 2  # the requests above were spread over two worker processes


def test_behind_a_proxy_the_limits_key_on_the_forwarded_client(app, make_user, tmp_path):
    make_user("zhang")
    proxied = create_app({**_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path), "PROXY_COUNT": 1})
    proxied.config["LOGIN_LIMIT_CLIENT"] = 3
    client = proxied.test_client()

    def attempt(forwarded_for: str) -> int:
        return client.post(
            "/api/v1/auth/token",
            json={"username": f"u{time.monotonic_ns()}", "password": "x"},
            headers={"X-Forwarded-For": forwarded_for},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},  # nginx
        ).status_code

    assert [attempt("198.51.100.1") for _ in range(4)] == [401, 401, 401, 429]
    assert attempt("198.51.100.2") == 401  # another client behind the same nginx is not refused


def test_the_served_worker_holds_back_accepting_while_its_new_connections_fill_its_threads():
    """deploy/gunicorn_worker.py (issue 12): with as many new connections awaiting their first answer as it has
    threads, the worker stops accepting (the next waits in the kernel's queue for whichever process is
    ready first); a kept-alive connection's request does not count, and an answer opens it again."""
    from types import SimpleNamespace

    from deploy.gunicorn_worker import BalancedThreadWorker

    worker = BalancedThreadWorker.__new__(BalancedThreadWorker)
    worker.cfg, worker.new_in_flight = SimpleNamespace(threads=2), 0
    worker.worker_connections = 1000  # gunicorn's own setting, as ThreadWorker.__init__ sets it
    worker.tpool = SimpleNamespace(submit=lambda *call: SimpleNamespace(add_done_callback=lambda done: None))
    worker.method_queue = SimpleNamespace(defer=lambda *call: None)
    new, kept_alive = SimpleNamespace(initialized=False), SimpleNamespace(initialized=True)
    worker.enqueue_req(new)
    worker.enqueue_req(kept_alive)
    assert worker.worker_connections == 1000  # one new connection and a kept-alive one: still accepting
    worker.enqueue_req(SimpleNamespace(initialized=False))
    assert worker.new_in_flight == 2 and worker.worker_connections == 0  # gthread's loop: nr_conns < 0 is False
    if new.counted_as_new:  # what finish_request does before gthread's own bookkeeping
        new.counted_as_new, worker.new_in_flight = False, worker.new_in_flight - 1
    assert worker.worker_connections == 1000


def test_the_pool_keeps_a_connection_per_gunicorn_thread(monkeypatch, tmp_path):
    """Each thread's connection stays in the pool (GUNICORN_THREADS + 2): SQLAlchemy's default of 5
    closed every extra one on return and opened it again (issue 12). No ping on a SQLite file."""
    import sqlite3

    from app import create_app
    from app.extensions import db

    monkeypatch.setenv("GUNICORN_THREADS", "16")
    sqlite3.connect(tmp_path / "p.db").close()  # the app opens a database, never creates one
    served = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    with served.app_context():
        assert db.engine.pool.size() == 18
        assert "pool_pre_ping" not in served.config["SQLALCHEMY_ENGINE_OPTIONS"]
        connections = [db.engine.connect() for _ in range(12)]
        raw = {id(c.connection.dbapi_connection) for c in connections}
        for connection in connections:
            connection.close()
        again = [db.engine.connect() for _ in range(12)]
        assert {id(c.connection.dbapi_connection) for c in again} == raw  # kept, not reopened
        for connection in again:
            connection.close()


def test_the_arbiter_loads_the_worker_class_without_importing_the_app():
    """gunicorn's arbiter reads the configuration and loads the worker class before it forks: neither
    may import the app, or every worker (also after ``kill -HUP``) would inherit the arbiter's old code."""
    probe = (
        "import runpy, sys\n"
        "from gunicorn.util import load_class\n"
        "settings = runpy.run_path('deploy/gunicorn.conf.py')\n"
        "worker = load_class(settings['worker_class'])\n"
        "print(worker.__name__, 'app' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["BalancedThreadWorker", "False"]


def test_slow_clients_hold_no_thread_and_are_closed(served):
    """Issue 28 item 6 (slowloris): a dozen connections trickling a request head never finished — more
    than the 2 × 2 threads — leave /healthz answering, and the server closes them once their head is
    late (GUNICORN_HEAD_SECONDS, 3 s here). bench/slow_clients.py measures 200 of them."""
    base, _ = served
    port = int(base.rsplit(":", 1)[1])
    slow = []
    for number in range(12):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(f"GET /healthz?slow={number} HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n".encode())
        slow.append(sock)
    time.sleep(0.5)
    assert call(urllib.request.build_opener(), f"{base}/healthz")[0] == 200
    for sock in slow:
        sock.settimeout(10)
        assert sock.recv(4096) == b""  # closed by the server, no answer to a head that never ended
        sock.close()


def _board_worker(board, slot, threads=16):
    from types import SimpleNamespace

    from deploy.gunicorn_worker import BalancedThreadWorker

    worker = BalancedThreadWorker.__new__(BalancedThreadWorker)
    worker.cfg, worker.new_in_flight, worker.nr_conns = SimpleNamespace(threads=threads), 0, 0
    worker.worker_connections = 1000
    worker.board_slot = slot
    return worker


def test_the_board_names_a_lighter_live_accepting_worker_never_a_silent_or_full_one(monkeypatch):
    """Issue 25: each worker writes its connections on every turn of its loop; a heavier one sheds
    only towards a live, accepting worker, and accepting itself is never held back."""
    from deploy import gunicorn_worker
    from deploy.gunicorn_worker import BOARD_STALE_SECONDS, SHED_SLACK, WorkerBoard

    board = WorkerBoard(slots=4)
    monkeypatch.setattr(gunicorn_worker, "BOARD", board)
    heavy = _board_worker(board, board.claim(os.getpid()))
    heavy.nr_conns = SHED_SLACK
    assert heavy.worker_connections == 1000  # written on the board, still accepting
    assert board.read(heavy.board_slot)[1:3] == (SHED_SLACK, 1)
    board.write(1, os.getppid(), 0, 1)
    assert board.lighter_worker_accepting(heavy.board_slot, SHED_SLACK)
    assert not board.lighter_worker_accepting(heavy.board_slot, SHED_SLACK - 1)
    board.write(1, os.getppid(), 0, 0)  # not accepting
    assert not board.lighter_worker_accepting(heavy.board_slot, SHED_SLACK)
    board.write(1, os.getppid(), 0, 1)
    now = gunicorn_worker.time.monotonic()
    monkeypatch.setattr(gunicorn_worker.time, "monotonic", lambda: now + BOARD_STALE_SECONDS + 1)
    assert not board.lighter_worker_accepting(heavy.board_slot, SHED_SLACK)  # silent: hung or dead


def test_the_slack_before_shedding_grows_with_a_workers_connections():
    """Issue 25: two connections' difference is shed at 64 (34 against 30 kept the heavier worker's
    saves an eighth slower), but a worker holding hundreds sheds only at a SHED_SHARE-th of them."""
    from deploy.gunicorn_worker import SHED_SHARE, SHED_SLACK, WorkerBoard

    board = WorkerBoard(slots=2)
    heavy = board.claim(os.getpid())
    board.write(1, os.getppid(), 31, 1)
    assert board.lighter_worker_accepting(heavy, 31 + SHED_SLACK)
    assert not board.lighter_worker_accepting(heavy, 31 + SHED_SLACK - 1)
    many = 20 * SHED_SHARE  # a hall of hundreds: the slack is a share of them, not SHED_SLACK
    board.write(1, os.getppid(), many - SHED_SLACK, 1)
    assert not board.lighter_worker_accepting(heavy, many)
    board.write(1, os.getppid(), many - many // SHED_SHARE, 1)
    assert board.lighter_worker_accepting(heavy, many)


def test_a_slot_of_a_dead_worker_is_taken_again():
    from deploy.gunicorn_worker import WorkerBoard

    board = WorkerBoard(slots=2)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    board.write(0, gone.pid, 30, 1)
    board.write(1, os.getppid(), 0, 1)
    assert board.claim(os.getpid()) == 0  # the dead one's
    assert WorkerBoard(slots=1).claim(os.getpid()) == 0
    full = WorkerBoard(slots=1)
    full.write(0, os.getppid(), 0, 1)
    assert full.claim(os.getpid()) == -1  # no slot: the worker just does not balance


def test_a_much_heavier_worker_closes_one_kept_alive_connection_per_interval(monkeypatch):
    from types import SimpleNamespace

    from deploy import gunicorn_worker
    from deploy.gunicorn_worker import SHED_SLACK, WorkerBoard

    board = WorkerBoard(slots=2)
    monkeypatch.setattr(gunicorn_worker, "BOARD", board)
    monkeypatch.setattr(gunicorn_worker.ThreadWorker, "handle_request", lambda self, req, conn: req.must_close)
    heavy = _board_worker(board, board.claim(os.getpid()))
    board.write(1, os.getppid(), 0, 1)
    kept = SimpleNamespace(initialized=True)
    heavy.nr_conns = SHED_SLACK - 1
    assert heavy.handle_request(SimpleNamespace(must_close=False), kept) is False
    heavy.nr_conns = SHED_SLACK
    closed = [heavy.handle_request(SimpleNamespace(must_close=False), kept) for _ in range(5)]
    assert closed == [True, False, False, False, False]  # one per SHED_SECONDS, not all at once
    assert heavy.handle_request(SimpleNamespace(must_close=False), SimpleNamespace(initialized=False)) is False
