"""Rating pages: the admin's round, the center admin's self-assessment (CSRF on), the expert's
scoring page, the report PDF."""

from __future__ import annotations

from tests.conftest import csrf_from
from tests.rating_fixtures import RatingWorld


def test_pages_of_the_round(client, make_user, token_for, login):
    w = RatingWorld(client, make_user, token_for).setup()
    ca = login("rca")
    page = ca.get(f"/rating/rounds/{w.rid}/organizations/{w.cid}")
    html = page.get_data(True)
    assert page.status_code == 200 and "1.1.1.1 按章程规定的程序选举产生" in html and "评估年度前两年" in html
    saved = ca.post(
        f"/rating/rounds/{w.rid}/organizations/{w.cid}/self/2.3.1.1",
        data={"full_time_staff": "3", "note": "3 名专职", "csrf_token": csrf_from(html)},
    )
    assert saved.status_code == 302
    status = client.get(w.org, headers=w.ca).get_json()
    assert status["leaves"]["2.3.1.1"]["self_score"] == 8  # 2 → 6, +2 for the third
    assert login("radmin").get(f"/rating/rounds/{w.rid}").status_code == 200
    w.submit()
    expert = login("ex1")
    scoring = expert.get(f"/rating/rounds/{w.rid}/organizations/{w.cid}")
    assert scoring.status_code == 200 and "评分（0–4）" in scoring.get_data(True)
    assert expert.get("/rating/").status_code == 200
    w.score_all()
    assert w.finalize().status_code == 200
    pdf = ca.get(f"/rating/rounds/{w.rid}/organizations/{w.cid}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
