"""综合评审 (3-01-01-04 二级/一级, 1.9.3 综合评审委员为3人以上单数): scores 0–100, materials (PDF) before
the center's deadline, the same finalize/locking/record rules; rater agreement through the API checked
against the published Shrout & Fleiss (1979) values."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import timeutil
from app.extensions import db
from app.practical.models import ReviewMaterial
from scoring.agreement import kendall_w
from tests.test_practical_api import put, sections_for, setup_fixture  # noqa: F401  (fixture)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Shrout & Fleiss (1979) Table 2: 6 targets × 4 judges; ICC(2,1) = ICC(A,1) = 0.29 (psych ICC2; DescTools 0.2898)
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def review(client, s, reviewer, candidate, body):
    return client.put(f"/api/v1/sessions/{s['sid']}/review/{candidate}", json=body, headers=s["r"][reviewer])


@pytest.fixture
def review_setup(setup, token_for):
    def build(reviewers=3, **kwargs):
        s = setup(level="二级", reviewers=reviewers, **kwargs)
        s["r"] = {n: token_for(f"r{n}") for n in range(1, reviewers + 1)}
        return s

    return build


def test_review_sheet_is_one_score_of_100(client, review_setup):
    s = review_setup()
    sheet = client.get(f"/api/v1/sessions/{s['sid']}/review/sheet", headers=s["r"][1]).get_json()
    assert sheet == {"sections": [{"area": "综合评审", "max": 100}]}


@pytest.mark.parametrize("body", [{"score": 101}, {"score": -0.5}, {"score": "90"}, {}, {"score": True}])
def test_review_scores_outside_0_100_are_422(client, review_setup, body):
    s = review_setup()
    r = review(client, s, 1, "c1", body)
    assert r.status_code == 422 and r.get_json()["error"]["details"]["field"] == "score"


def test_review_is_for_reviewers_on_the_session(client, review_setup, make_user, token_for):
    s = review_setup()
    assert (
        client.put(f"/api/v1/sessions/{s['sid']}/review/c1", json={"score": 80}, headers=s["g"][1]).status_code == 403
    )
    make_user("r9", "reviewer")
    off = client.put(f"/api/v1/sessions/{s['sid']}/review/c1", json={"score": 80}, headers=token_for("r9"))
    assert off.status_code == 403


def test_review_finalizes_on_the_mean_and_locks(client, review_setup):
    s = review_setup()
    for reviewer, score in zip((1, 2, 3), (60, 60, 59.97), strict=True):
        assert review(client, s, reviewer, "c1", {"score": score}).status_code == 200
    r = client.post(f"/api/v1/sessions/{s['sid']}/review/c1/finalize", json={}, headers=s["admin"])
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["score"] == pytest.approx(59.99) and r.get_json()["score"] < 60
    assert review(client, s, 1, "c1", {"score": 90}).status_code == 409
    record = client.get(f"/api/v1/sessions/{s['sid']}/review/record", headers=s["admin"]).get_json()["record"]
    assert [e["action"] for e in record] == ["entry", "entry", "entry", "finalize"]


def test_an_even_review_panel_of_four_cannot_finalize(client, review_setup):
    s = review_setup(reviewers=4)
    for reviewer in (1, 2, 3, 4):
        review(client, s, reviewer, "c1", {"score": 80})
    r = client.post(f"/api/v1/sessions/{s['sid']}/review/c1/finalize", json={}, headers=s["admin"])
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "panel_invalid"


def test_levels_without_review_have_no_review_endpoints(client, setup, token_for):
    s = setup()  # 四级: theory and practical only (1.9.2)
    r = client.get(f"/api/v1/sessions/{s['sid']}/review/sheet", headers=s["admin"])
    assert r.status_code == 404


def test_materials_pdf_only_before_the_deadline(app, client, review_setup, token_for, monkeypatch):
    s = review_setup()
    candidate = token_for("c1")
    url = f"/api/v1/sessions/{s['sid']}/review/materials"

    def send(content, kind="summary"):
        data = {"kind": kind, "file": (io.BytesIO(content), "技术总结.pdf")}
        return client.post(url, data=data, headers=candidate, content_type="multipart/form-data")

    assert send(PDF).status_code == 409  # no deadline set yet
    due = timeutil.utcnow() + timedelta(days=2)
    deadline = client.put(
        f"/api/v1/sessions/{s['sid']}/review/deadline", json={"due": due.isoformat()}, headers=s["admin"]
    )
    assert deadline.status_code == 200
    png = send(b"\x89PNG\r\n\x1a\n....")
    assert png.status_code == 422 and png.get_json()["error"]["details"]["field"] == "file"
    ok = send(PDF)
    assert ok.status_code == 201, ok.get_json()
    with app.app_context():
        stored = db.session.scalar(select(ReviewMaterial))
        assert os.path.exists(os.path.join(app.config["UPLOAD_FOLDER"], "review", stored.stored_name))
    listed = client.get(url, headers=s["r"][2]).get_json()["materials"]
    assert [m["username"] for m in listed] == ["c1"]
    # another candidate's session page sees only their own
    assert client.get(url, headers=token_for("c2")).get_json()["materials"] == []
    monkeypatch.setattr(timeutil, "utcnow", lambda: due)
    assert send(PDF).status_code == 409  # at the deadline: closed


def test_agreement_api_matches_the_published_values(client, setup):
    s = setup(graders=4, candidates=6)
    for candidate, row in enumerate(SHROUT_FLEISS, start=1):
        for grader, total in enumerate(row, start=1):
            assert put(client, s, grader, f"c{candidate}", sections_for(total)).status_code == 200
    r = client.get(f"/api/v1/sessions/{s['sid']}/practical/agreement", headers=s["admin"])
    assert r.status_code == 200, r.get_json()
    (panel,) = r.get_json()["panels"]
    assert panel["panel"] is None and panel["graders"] == ["g1", "g2", "g3", "g4"] and panel["candidates"] == 6
    assert panel["icc"] == pytest.approx(0.2898, abs=5e-4)  # Shrout & Fleiss ICC(2,1); DescTools 0.2898
    assert panel["kendall_w"] == pytest.approx(kendall_w(SHROUT_FLEISS))
    severities = [g["severity"] for g in panel["grader_stats"]]
    # judge 2 is the harshest: mean 2.5 against a grand mean of 5.29
    assert min(severities) == severities[1] and severities[1] == pytest.approx(2.5 - 127 / 24)
    assert sum(severities) == pytest.approx(0, abs=1e-9)


def test_agreement_counts_only_complete_candidates_and_is_admin_only(client, setup):
    s = setup(graders=3, candidates=3)
    for grader in (1, 2, 3):
        put(client, s, grader, "c1", sections_for(60 + grader))
    put(client, s, 1, "c2", sections_for(70))
    body = client.get(f"/api/v1/sessions/{s['sid']}/practical/agreement", headers=s["admin"]).get_json()
    assert body["panels"][0]["candidates"] == 1 and body["panels"][0]["icc"] is None  # < 2 complete: null
    assert client.get(f"/api/v1/sessions/{s['sid']}/practical/agreement", headers=s["g"][1]).status_code == 403


def test_review_agreement_on_reviewers_scores(client, review_setup):
    s = review_setup(candidates=3)
    for candidate, scores in zip(("c1", "c2", "c3"), ((70, 72, 75), (80, 85, 83), (60, 58, 66)), strict=True):
        for reviewer, score in zip((1, 2, 3), scores, strict=True):
            review(client, s, reviewer, candidate, {"score": score})
    body = client.get(f"/api/v1/sessions/{s['sid']}/review/agreement", headers=s["admin"]).get_json()
    (panel,) = body["panels"]
    assert panel["graders"] == ["r1", "r2", "r3"] and panel["candidates"] == 3 and panel["icc"] > 0.5
