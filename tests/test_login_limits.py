"""Sign-in limits that hold (issue 11 item 5): counted in the database (every worker, every restart),
keyed so that a stranger cannot lock a candidate out and an exam hall behind one NAT address is not
locked out by typos; unknown usernames cost the same hash check as wrong passwords."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from app import create_app
from app.auth import operations
from app.auth.models import User
from app.timeutil import utcnow
from tests.conftest import PASSWORD, _config
from tests.test_decision_races import slowed, together

HALL = "10.8.0.1"  # the exam hall's NAT address
STRANGER = "203.0.113.9"


def sign_in(client, username: str, password: str, address: str) -> int:
    response = client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


def test_counts_are_shared_by_every_worker_and_survive_a_restart(app, make_user, tmp_path):
    make_user("zhang")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    worker_a, worker_b = (create_app(_config(uri, tmp_path)).test_client() for _ in range(2))
    codes = [sign_in(worker, "zhang", "bad", HALL) for worker in (worker_a, worker_b) * 2 + (worker_a,)]
    assert codes == [401] * 5  # five failures over two workers
    assert sign_in(worker_b, "zhang", "bad", HALL) == 429
    restarted = create_app(_config(uri, tmp_path)).test_client()
    assert sign_in(restarted, "zhang", PASSWORD, HALL) == 429


def test_a_stranger_cannot_lock_a_candidate_out(client, make_user):
    make_user("cand")
    codes = [sign_in(client, "cand", f"guess{i}", STRANGER) for i in range(40)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    refused = client.post(
        "/api/v1/auth/token", json={"username": "cand", "password": "x"}, environ_base={"REMOTE_ADDR": STRANGER}
    ).get_json()["error"]  # the wait is said (issue 27 item 14): at most the 15-minute back-off
    assert 0 < refused["details"]["retry_after"] <= 15 * 60 and "后再试" in refused["message"]
    assert sign_in(client, "cand", PASSWORD, HALL) == 200  # the candidate in the exam hall


def test_an_exam_hall_behind_one_address_is_not_locked_out_by_typos(client, make_user):
    candidates = [make_user(f"c{i:02d}") for i in range(40)]
    for username in candidates:  # 80 typos from one address (the old limit locked everyone after 20)
        assert [sign_in(client, username, "typo", HALL) for _ in range(2)] == [401, 401]
    assert {sign_in(client, username, PASSWORD, HALL) for username in candidates} == {200}


def test_one_address_spraying_many_accounts_is_stopped(app, client):
    app.config["LOGIN_LIMIT_CLIENT"] = 30
    codes = [sign_in(client, f"user{i}", "123456", STRANGER) for i in range(31)]
    assert codes[:30] == [401] * 30 and codes[30] == 429
    assert sign_in(client, "user99", "123456", HALL) == 401  # another address is not affected


def test_back_off_doubles_per_failure_and_the_window_forgets(client, make_user):
    make_user("zhang")
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        assert [sign_in(client, "zhang", "bad", HALL) for _ in range(5)] == [401] * 5
        assert sign_in(client, "zhang", PASSWORD, HALL) == 429
        clock.shift(timedelta(seconds=59))
        assert sign_in(client, "zhang", PASSWORD, HALL) == 429  # 1 minute after the 5th failure
        clock.shift(timedelta(seconds=2))
        assert sign_in(client, "zhang", "bad", HALL) == 401  # one more try: the 6th failure
        clock.shift(timedelta(minutes=1, seconds=59))
        assert sign_in(client, "zhang", PASSWORD, HALL) == 429  # now 2 minutes
        clock.shift(timedelta(seconds=2))
        assert sign_in(client, "zhang", PASSWORD, HALL) == 200  # and success clears the pair
        assert sign_in(client, "zhang", "bad", HALL) == 401


def test_a_guessed_account_is_guarded_not_locked(client, make_user):
    make_user("cand")
    for n in range(10):  # 20 failures from 10 addresses, two each
        assert [sign_in(client, "cand", "guess", f"198.51.100.{n}") for _ in range(2)] == [401, 401]
    assert sign_in(client, "cand", PASSWORD, "198.51.100.3") == 429  # an address that failed twice
    assert sign_in(client, "cand", "guess", "198.51.100.77") == 401  # a new address may still try
    assert sign_in(client, "cand", PASSWORD, HALL) == 200  # and the candidate signs in


def test_unknown_usernames_cost_the_same_hash_check_as_wrong_passwords(client, make_user, monkeypatch):
    make_user("zhang")
    checked = []
    real = operations.check_password_hash
    monkeypatch.setattr(operations, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    assert sign_in(client, "nobody", "whatever", HALL) == 401
    assert len(checked) == 1
    assert checked[0].startswith("pbkdf2:sha256:1000$")  # made like the users' hashes (conftest's method)


def test_parallel_guesses_are_counted_before_the_hash(app, make_user, tmp_path, monkeypatch):
    """Issue 28 item 7: 30 wrong passwords sent at once used to be checked against a count of 0 (29 of
    30 evaluated with a limit of 5). Each is counted before its hash now: at most 5 are evaluated,
    the rest are refused with 429, and the right password from that address is refused too."""
    make_user("target")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    workers = [create_app(_config(uri, tmp_path)).test_client() for _ in range(3)]
    slowed(monkeypatch, operations, "check_password_hash", 0.2)  # every check takes a while, as a real hash does
    slowed(monkeypatch, User, "check_password", 0.2)
    guesses = [lambda i=i: sign_in(workers[i % 3], "target", f"guess{i}", STRANGER) for i in range(30)]
    codes = together(*guesses)
    assert codes.count(401) <= 5 and codes.count(401) >= 1, codes
    assert set(codes) <= {401, 429}
    assert sign_in(workers[0], "target", PASSWORD, STRANGER) == 429
    assert sign_in(workers[0], "target", PASSWORD, HALL) == 200  # nobody else is locked out
