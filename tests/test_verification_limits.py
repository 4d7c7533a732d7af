"""Issue 28 item 8: the public verification budget is counted in the database (app/verify_limits.py),
so it is one budget per client address across workers and processes, across the page and the API and
the three registries (certificates, 结业证书, rating certificates); a ``?name=`` comparison costs a
budget of its own on top. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import func, select

from app import create_app, timeutil
from app.extensions import db
from app.verify_limits import RateLimitCounter
from tests.conftest import _config
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)
from tests.test_certificates_api import _issued

ROOT = Path(__file__).resolve().parents[1]
UNKNOWN = "S00003200012326500099"  # a number no certificate carries: a 404 costs a lookup too


def _limits(app, lookups: int, names: int = 100) -> None:
    app.config["CERTIFICATE_VERIFY_LIMIT"] = f"{lookups} per minute"
    app.config["CERTIFICATE_NAME_CHECK_LIMIT"] = f"{names} per minute"


def test_page_and_api_and_every_registry_share_one_budget(app, client):
    _limits(app, 5)
    codes = [
        client.get(f"/results/verify/{UNKNOWN}").status_code,  # the certificate page
        client.get(f"/api/v1/certificates/{UNKNOWN}").status_code,  # its API
        client.get(f"/api/v1/certificates/{UNKNOWN}/credential").status_code,
        client.get("/training/verify/JY-NONE").status_code,  # 结业证书
        client.get("/api/v1/rating/certificates/PJ-NONE").status_code,  # rating certificates
    ]
    assert codes == [404] * 5
    for path in (f"/results/verify/{UNKNOWN}", f"/api/v1/certificates/{UNKNOWN}", "/api/v1/training-certificates/X"):
        response = client.get(path)
        assert response.status_code == 429, path
    body = client.get(f"/api/v1/certificates/{UNKNOWN}").get_json()
    assert body["error"]["code"] == "too_many_requests" and body["error"]["message"]
    assert "请求过多" in client.get(f"/results/verify/{UNKNOWN}").get_data(True)
    # another address has its own budget
    other = client.get(f"/api/v1/certificates/{UNKNOWN}", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 404
    # the empty search form looks nothing up: it costs nothing and still shows
    assert client.get("/results/verify").status_code == 200


def test_counts_are_committed_rows_not_memory(app, client):
    _limits(app, 60)
    for _ in range(3):
        assert client.get(f"/api/v1/certificates/{UNKNOWN}").status_code == 404  # failed requests roll back…
    with app.app_context():
        hits = db.session.scalar(select(func.sum(RateLimitCounter.hits)))
    assert hits == 3  # …but their counts stay


def test_name_checks_cost_a_budget_of_their_own(app, flow):
    number = _issued(app, flow)
    _limits(app, 100, names=2)
    client = flow.client
    first = client.get(f"/api/v1/certificates/{number}?name=王小明").get_json()
    assert first["name_matches"] is True
    assert "与所填姓名一致" in client.get(f"/results/verify/{number}?name=王小明").get_data(True)
    assert client.get(f"/api/v1/certificates/{number}?name=王大明").status_code == 429
    assert client.get(f"/results/verify/{number}?name=李小明").status_code == 429
    # lookups without a name still answer, with their own (larger) budget
    plain = client.get(f"/api/v1/certificates/{number}")
    assert plain.status_code == 200 and "name_matches" not in plain.get_json()
    assert client.get(f"/results/verify/{number}?name=").status_code == 200  # an empty name is no comparison


def test_a_name_check_also_costs_a_lookup(app, flow):
    number = _issued(app, flow)
    _limits(app, 2, names=100)
    client = flow.client
    assert client.get(f"/api/v1/certificates/{number}?name=王小明").status_code == 200
    assert client.get(f"/api/v1/certificates/{number}").status_code == 200
    assert client.get(f"/api/v1/certificates/{number}?name=王小明").status_code == 429


def test_two_app_instances_on_one_database_share_the_budget_under_concurrency(app, tmp_path):
    """Two create_app() on the same database (two workers), 8 threads at once: exactly the budget passes."""
    _limits(app, 20)
    second = create_app(_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "second"))
    _limits(second, 20)
    codes: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def lookups(application):
        client = application.test_client()
        barrier.wait()
        for _ in range(5):
            code = client.get(f"/api/v1/certificates/{UNKNOWN}").status_code
            with lock:
                codes.append(code)

    threads = [threading.Thread(target=lookups, args=(app if i % 2 else second,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with second.app_context():
        db.engine.dispose()
    assert sorted(codes) == [404] * 20 + [429] * 20


CHILD = """
import json, sys
from datetime import datetime
import time_machine
args = json.loads(sys.argv[1])
with time_machine.travel(datetime.fromisoformat(args["now"]), tick=True):  # the parent's (test) clock
    from app import create_app
    config = args["config"] | {"CERTIFICATE_VERIFY_LIMIT": "6 per minute"}
    client = create_app(config).test_client()
    print(json.dumps([client.get(path).status_code for path in args["paths"]]))
"""


def test_another_process_spends_the_same_budget(app, client, tmp_path):
    _limits(app, 6)
    config = _config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "child")
    config.pop("PASSWORD_HASH_METHOD")
    paths = [f"/api/v1/certificates/{UNKNOWN}", f"/results/verify/{UNKNOWN}"] * 2  # page and API
    args = {"config": config, "paths": paths, "now": timeutil.utcnow().isoformat()}
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(args)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [404] * 4
    assert [client.get(f"/api/v1/certificates/{UNKNOWN}").status_code for _ in range(3)] == [404, 404, 429]
