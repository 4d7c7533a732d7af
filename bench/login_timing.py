"""Benchmark: a sign-in with an unknown username takes as long as one with a wrong password.

    .venv/bin/python bench/login_timing.py [--repeat 15]

A fresh SQLite database with one user hashed by werkzeug's default (scrypt, as in production);
POST /api/v1/auth/token is timed, in the same run and process, for a wrong password of that user
and for unknown usernames (each from its own address so the sign-in limits never answer first).
Prints the medians and their ratio (≈ 1 means the answer's timing does not tell who exists; before
the dummy hash check the audit measured 6 ms against 129 ms). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.auth.operations import create_user  # noqa: E402
from app.cli import init_db  # noqa: E402
from app.extensions import db  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-login-"))
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/l.db"})
    with app.app_context():
        init_db()
        create_user("zhang", "right-password", "candidate")
        db.session.commit()
    client = app.test_client()

    def timed(username: str, address: str) -> float:
        started = time.perf_counter()
        response = client.post(
            "/api/v1/auth/token",
            json={"username": username, "password": "wrong-password"},
            environ_base={"REMOTE_ADDR": address},
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 401, response.status_code
        return elapsed

    timed("warm-up", "192.0.2.250")
    wrong = [timed("zhang", f"192.0.2.{i}") for i in range(args.repeat)]
    unknown = [timed(f"nobody{i}", f"198.51.100.{i}") for i in range(args.repeat)]
    w, u = statistics.median(wrong) * 1000, statistics.median(unknown) * 1000
    print(f"wrong password: {w:.1f} ms   unknown username: {u:.1f} ms   ratio unknown/wrong: {u / w:.2f}")


if __name__ == "__main__":
    main()
