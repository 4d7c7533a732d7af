"""Races (threads on the file-backed SQLite test database, as tests/test_decision_races.py): two
completions of one training at once, and two decisions of one CE claim at once — one wins, the
other answers 409, and the state is the winner's."""

from __future__ import annotations

from app.continuing_education import operations as ce_ops
from app.extensions import db
from app.training import completion
from app.training.models import Trainee
from tests.test_continuing_education_api import ce, claim  # noqa: F401  (fixture)
from tests.test_decision_races import slowed, together
from tests.test_training_api import _run, world  # noqa: F401  (fixture)


def test_two_completions_at_once_one_wins(app, client, world, monkeypatch):  # noqa: F811
    tid, classes = _run(client, world, hours=(30,))
    client.put(
        f"/api/v1/trainings/{tid}/classes/{classes[0]}/attendance",
        json={"present": ["s1", "s2"]},
        headers=world["boss"],
    )
    slowed(monkeypatch, completion, "hours_of")  # after the "already completed?" check
    url = f"/api/v1/trainings/{tid}/complete"
    responses = together(
        lambda: app.test_client().post(url, headers=world["boss"]),
        lambda: app.test_client().post(url, headers=world["boss"]),
    )
    assert sorted(r.status_code for r in responses) == [200, 409], [r.get_json() for r in responses]
    winner = next(r for r in responses if r.status_code == 200).get_json()
    with app.app_context():
        numbers = sorted(t.certificate_no for t in db.session.scalars(db.select(Trainee)))
    assert numbers == sorted(c["certificate_no"] for c in winner["completed"]) and len(set(numbers)) == 2


def test_two_decisions_of_one_claim_at_once_one_wins(app, client, ce, monkeypatch):  # noqa: F811
    rid = claim(client, ce["g1"], hours=8).get_json()["id"]
    slowed(monkeypatch, ce_ops, "credit_problem")  # after the "already decided?" check, before the write
    base = f"/api/v1/ce/records/{rid}"
    responses = together(
        lambda: app.test_client().post(f"{base}/approve", json={"hours": 8}, headers=ce["boss"]),
        lambda: app.test_client().post(f"{base}/approve", json={"hours": 5}, headers=ce["boss2"]),
    )
    assert sorted(r.status_code for r in responses) == [200, 409], [r.get_json() for r in responses]
    winner = next(r for r in responses if r.status_code == 200).get_json()
    stored = client.get(base, headers=ce["g1"]).get_json()
    assert stored["credited"] == winner["credited"] and stored["status"] == "approved"
