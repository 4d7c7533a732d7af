"""Instructions per request, counted by callgrind: ``.venv/bin/python bench/request_instructions.py``.

Why: this machine's speed varies twofold within the hour (bench/exam_load.py prints a reference
loop for that), so CPU time cannot show a change of a tenth. Valgrind's callgrind counts the
instructions the CPU executes, the same on every run: the measure of how much work a request is.

One run: a fresh SQLite database (bench/exam_load.py ``setup_database``: one open session, a
100-question paper, candidates with tokens), the app in this process under callgrind, requests
through the WSGI app itself (no server, no sockets), counting only while the requests run:

- ``/healthz`` (the baseline of the same run), an exam start (each by a candidate not yet
  started, ``POST /api/v1/sessions/<id>/attempt``), an answer save (``PUT …/answers/<qid>``);
- prints instructions per request and each as a ratio to ``/healthz``.

Needs ``valgrind`` (Debian package); about a minute. Not part of the test suite.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

REQUESTS = 100  # of each kind, counted
WARM = 30  # of each kind before counting (statement caches, the paper's cache)


def main() -> None:
    if os.environ.get("REQUEST_INSTRUCTIONS_CHILD"):
        measure(Path(os.environ["REQUEST_INSTRUCTIONS_CHILD"]))
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt install valgrind)")
    directory = Path(tempfile.mkdtemp(prefix="request-instructions-"))
    try:
        import exam_load

        people = exam_load.setup_database(f"sqlite:///{directory / 'bench.db'}", 40, 2 * (REQUESTS + WARM), 100)
        (directory / "people.json").write_text(json.dumps(people))
        counts = {}
        for kind in ("healthz", "start", "save"):
            counts[kind] = run_counted(directory, kind)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    print(f"instructions per request (callgrind, {REQUESTS} requests of each kind, in-process WSGI, SQLite FULL)")
    for kind, count in counts.items():
        print(f"  {kind:8} {count / 1e6:6.3f} M  = {count / counts['healthz']:.2f}× /healthz")


def run_counted(directory: Path, kind: str) -> float:
    out = directory / f"callgrind.{kind}"
    env = dict(os.environ, REQUEST_INSTRUCTIONS_CHILD=str(directory), REQUEST_KIND=kind)
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
    command += [sys.executable, __file__]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    collected = re.search(r"Collected : ([\d,]+)", result.stderr)
    if collected is None:
        sys.exit(f"callgrind counted nothing for {kind}:\n{result.stderr[-2000:]}")
    return int(collected.group(1).replace(",", "")) / REQUESTS


def measure(directory: Path) -> None:
    """In the child under callgrind: warm up, then count REQUESTS requests of one kind."""
    import exam_load
    from werkzeug.test import EnvironBuilder

    from app import create_app

    people = json.loads((directory / "people.json").read_text())
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'bench.db'}", "SECRET_KEY": "bench"})
    from app.exams.warm import warm_up

    warm_up(app)  # as a gunicorn worker boots (deploy/gunicorn.conf.py post_worker_init)
    kind = os.environ["REQUEST_KIND"]
    statuses = []

    def environ(path, method="GET", token=None, body=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = json.dumps(body) if body is not None else None
        builder = EnvironBuilder(path=path, method=method, headers=headers, data=data, content_type="application/json")
        return builder.get_environ()  # built before counting: only the app's work is counted

    def call(request, expected):
        response = app.wsgi_app(request, lambda status, headers, exc_info=None: statuses.append(status))
        b"".join(response)
        getattr(response, "close", lambda: None)()
        if not statuses[-1].startswith(expected):
            raise SystemExit(f"{kind}: {statuses[-1]}")

    if kind == "healthz":
        requests = [environ("/healthz") for _ in range(WARM + REQUESTS)]
        expected = "200"
    elif kind == "start":
        path = f"/api/v1/sessions/{people['sid']}/attempt"
        requests = [environ(path, "POST", token) for token in people["spike"][: WARM + REQUESTS]]
        expected = "201"
    else:
        requests = []
        for n in range(WARM + REQUESTS):
            saver = people["savers"][n % len(people["savers"])]
            qid, qtype = saver["qids"][n // len(people["savers"])]
            path = f"/api/v1/attempts/{saver['aid']}/answers/{qid}"
            requests.append(environ(path, "PUT", saver["token"], {"answer": exam_load.answer_value(qtype, n)}))
        expected = "200"
    for request in requests[:WARM]:
        call(request, expected)
    toggle("on")
    for request in requests[WARM:]:
        call(request, expected)
    toggle("off")


def toggle(state: str) -> None:
    subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], check=True, capture_output=True)


if __name__ == "__main__":
    main()
