"""Races of the rating (threads released together, each widened between its check and its write):
two finalizes of one organization → one 200, one 409; two appeals at once → one 201, one 409."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.rating import panel, publicity
from app.rating.models import RatingAppeal, RatingRecord
from tests.rating_fixtures import RatingWorld
from tests.test_decision_races import slowed, together


def test_two_finalizes_at_once_one_wins(app, client, make_user, token_for, monkeypatch):
    w = RatingWorld(client, make_user, token_for).setup()
    w.submit()
    w.score_all()
    slowed(monkeypatch, panel, "compute")  # after the "already finalized?" check
    url = f"{w.org}/finalize"
    responses = together(
        lambda: app.test_client().post(url, headers=w.admin), lambda: app.test_client().post(url, headers=w.admin)
    )
    assert sorted(r.status_code for r in responses) == [200, 409], [r.get_json() for r in responses]
    with app.app_context():
        finalizes = db.session.scalar(select(func.count(RatingRecord.id)).where(RatingRecord.action == "finalize"))
        assert finalizes == 1


def test_two_appeals_at_once_one_wins(app, client, make_user, token_for, monkeypatch):
    w = RatingWorld(client, make_user, token_for).setup()
    w.submit()
    w.score_all()
    assert w.finalize().status_code == 200
    assert client.post(f"/api/v1/rating/rounds/{w.rid}/publish", headers=w.admin).status_code == 200
    slowed(monkeypatch, publicity, "text_field")  # after the "already appealed?" check
    url = f"{w.org}/appeal"
    body = {"reason": "3.6.1.1 创新事例未计入", "codes": ["3.6.1.1"]}
    responses = together(
        lambda: app.test_client().post(url, json=body, headers=w.ca),
        lambda: app.test_client().post(url, json=body, headers=w.ca),
    )
    assert sorted(r.status_code for r in responses) == [201, 409], [r.get_json() for r in responses]
    with app.app_context():
        assert db.session.scalar(select(func.count(RatingAppeal.id))) == 1
