"""GET /sessions/<id>/statistics (contract v1.1 "Test statistics") against values computed by hand on
a small response matrix sat through the real exam flow: two forms sharing two items, unanswered items,
an item nobody got right, an item everybody got right, an attempt still open (not counted) that is
closed at the deadline later, a candidate who never starts (缺考), and the practical component through
the registry (60 passes, 缺考 fails). Also the role checks and the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import timeutil
from app.auth.models import User
from app.banks.models import Item
from app.extensions import db
from app.papers.models import Paper, PaperItem
from app.sessions import enrolment as session_ops
from app.sessions.models import ExamSession
from tests.conftest import csrf_from
from tests.test_practical_api import sections_for
from tests.test_sessions_fixtures import STANDARD, approved, session_body

LETTERS = "ABCD"
# external id: (type, stem, options, key in bank letters, points)
BANK = {
    "a1": ("judge", "社团会员管理员应诚实守信。", [], True, 1),
    "a2": ("single", "会员登记的第一步是？", ["审核资格", "填写申请", "缴纳会费", "颁发证书"], "B", 2),
    "a3": ("multiple", "会员服务包括哪些？", ["信息咨询", "权益维护", "商业推销", "培训交流"], ["A", "B", "D"], 1),
    "a4": ("single", "会员档案应保存于？", ["个人电脑", "档案室", "公共网盘", "会议室"], "B", 1),
    "b1": ("judge", "会员信息可以随意公开。", [], False, 1),
    "b2": ("single", "社团换届由谁召集？", ["理事会", "个人", "商家", "媒体"], "A", 1),
}
FORM_A = ["a1", "a2", "a3", "a4"]  # 5 points
FORM_B = ["a2", "a3", "b1", "b2"]  # 5 points
# What each candidate chooses, in the bank's letters (None: left unanswered). Seats alternate forms:
# c1, c3, c5, c7 sit A; c2, c4, c6, c8 sit B.
ANSWERS = {
    "c1": {"a1": True, "a2": "B", "a3": ["A", "B", "D"], "a4": "A"},  # 1+2+1+0 = 4 → 80
    "c3": {"a1": True, "a2": "B", "a3": ["A", "B"], "a4": None},  # 1+2+0+0 = 3 → 60 (passes)
    "c5": {"a1": False, "a2": None, "a3": ["A", "B", "D"], "a4": "C"},  # 0+0+1+0 = 1 → 20
    "c2": {"a2": "B", "a3": ["A", "B", "D"], "b1": False, "b2": "A"},  # 2+1+1+1 = 5 → 100
    "c4": {"a2": "C", "a3": ["A"], "b1": False, "b2": "A"},  # 0+0+1+1 = 2 → 40
    "c6": {"a2": "A", "a3": None, "b1": False, "b2": "B"},  # 0+0+1+0 = 1 → 20
}
OPEN = {"c7": {"a1": True}}  # saved, never submitted: closed at the deadline with 1 → 20
PRACTICAL = {"c1": 70, "c2": 60, "c3": 65}  # every grader's total; c4 is marked 缺考


def make_papers(center_id: int | None = None) -> list[Paper]:
    items = {}
    for external_id, (kind, stem, options, key, points) in BANK.items():
        items[external_id] = Item(
            standard_id=STANDARD,
            external_id=f"S-{external_id}",
            type=kind,
            stem=stem,
            options=options,
            answer=key,
            points=points,
            area="会员发展",
            level="四级",
            difficulty=0.6,
            center_id=center_id,
        )
        db.session.add(items[external_id])
    db.session.flush()
    papers = []
    for form_no, ids in enumerate((FORM_A, FORM_B), start=1):
        paper = Paper(
            standard_id=STANDARD,
            level="四级",
            batch="stats-test",
            form_no=form_no,
            forms=2,
            seed=form_no,
            max_overlap=1.0,
            sections=[],
            difficulty_min=0,
            difficulty_max=1,
            total_points=sum(items[i].points for i in ids),
            area_points={"会员发展": 100},
            mean_difficulty=0.6,
        )
        for position, external_id in enumerate(ids, start=1):
            paper.items.append(PaperItem.snapshot_of(items[external_id], position))
        db.session.add(paper)
        papers.append(paper)
    db.session.flush()
    return papers


def shown_answer(question: dict, bank_choice):
    """The bank-letter choice in this candidate's letters, found through the option texts."""
    kind, _, options, _, _ = BANK[question["stem_id"]]
    if bank_choice is None or kind == "judge":
        return bank_choice
    letter = lambda bank: LETTERS[question["options"].index(options[LETTERS.index(bank)])]  # noqa: E731
    return letter(bank_choice) if kind == "single" else sorted(letter(b) for b in bank_choice)


def sit(client, token_for, sid: int, username: str, choices: dict, submit: bool = True) -> None:
    headers = token_for(username)
    body = client.post(f"/api/v1/sessions/{sid}/attempt", headers=headers).get_json()
    stems = {stem: key for key, (_, stem, _, _, _) in BANK.items()}
    for question in body["questions"]:
        question["stem_id"] = stems[question["stem"]]
        choice = shown_answer(question, choices.get(question["stem_id"]))
        if choice is not None:
            url = f"/api/v1/attempts/{body['attempt_id']}/answers/{question['qid']}"
            assert client.put(url, json={"answer": choice}, headers=headers).status_code == 200
    if submit:
        assert client.post(f"/api/v1/attempts/{body['attempt_id']}/submit", headers=headers).status_code == 200


@pytest.fixture
def scenario(app, client, make_user, token_for, monkeypatch):
    make_user("sadmin", "center_admin")
    admin = token_for("sadmin")
    sid = client.post("/api/v1/sessions", json=session_body(), headers=admin).get_json()["id"]
    room = client.post(
        f"/api/v1/sessions/{sid}/rooms", json={"name": "A101", "capacity": 30, "kind": "theory"}, headers=admin
    ).get_json()["id"]
    for n in (1, 2, 3):
        make_user(f"g{n}", "grader")
        staff = {"username": f"g{n}", "role": "grader", "room": None, "panel": None}
        assert client.post(f"/api/v1/sessions/{sid}/staff", json=staff, headers=admin).status_code == 201
    allowed = approved(monkeypatch)
    for n in range(1, 9):
        make_user(f"c{n}")
        with app.app_context():
            allowed.add((db.session.scalar(select(User.id).where(User.username == f"c{n}")), STANDARD, "四级"))
        r = client.post(f"/api/v1/sessions/{sid}/candidates", json={"username": f"c{n}", "room": room}, headers=admin)
        assert r.status_code == 201, r.get_json()
    with app.app_context():
        session = db.session.get(ExamSession, sid)
        papers = make_papers()
        session_ops.attach_papers(session, papers)
        paper_ids = [p.id for p in papers]
        item_ids = {pi.external_id[2:]: pi.item_id for pi in papers[0].items + papers[1].items}
        db.session.commit()
    detail = client.get(f"/api/v1/sessions/{sid}", headers=admin).get_json()
    forms = {c["username"]: c["paper_id"] for c in detail["candidates"]}
    assert [forms[f"c{n}"] for n in range(1, 9)] == paper_ids * 4  # seats alternate A, B
    for username, choices in ANSWERS.items():
        sit(client, token_for, sid, username, choices)
    for username, choices in OPEN.items():
        sit(client, token_for, sid, username, choices, submit=False)
    graders = {n: token_for(f"g{n}") for n in (1, 2, 3)}
    for username, total in PRACTICAL.items():
        for n in (1, 2, 3):
            body = {"sections": sections_for(total)}
            assert (
                client.put(f"/api/v1/sessions/{sid}/practical/{username}", json=body, headers=graders[n]).status_code
                == 200
            )
        assert client.post(f"/api/v1/sessions/{sid}/practical/{username}/finalize", headers=admin).status_code == 200
    url = f"/api/v1/sessions/{sid}/practical/c4"
    assert client.post(f"{url}/mark", json={"mark": "absent"}, headers=admin).status_code == 200
    assert client.post(f"{url}/finalize", headers=admin).status_code == 200
    return {"sid": sid, "admin": admin, "papers": paper_ids, "items": item_ids}


def by_id(body: dict, items: dict) -> dict:
    reverse = {item_id: external for external, item_id in items.items()}
    return {reverse[i["item_id"]]: i for i in body["items"]}


def test_statistics_match_the_hand_computed_matrix(client, scenario):
    r = client.get(f"/api/v1/sessions/{scenario['sid']}/statistics", headers=scenario["admin"])
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    form_a, form_b = body["forms"]
    # Form A, 3 closed attempts (c7 is still open): scores 80, 60, 20.
    assert form_a["paper_id"] == scenario["papers"][0] and form_a["attempts"] == 3
    assert form_a["mean"] == pytest.approx(160 / 3)
    assert form_a["sd"] == pytest.approx(30.550505, abs=1e-6)  # √((26.67² + 6.67² + 33.33²) / 2)
    # α = k/(k−1)·(1 − Σ item var / total var) = 4/3 · (1 − (1/3 + 4/3 + 1/3 + 0) / (7/3)) = 4/21
    assert form_a["alpha"] == pytest.approx(4 / 21) and form_a["alpha_band"] == "unsatisfactory"
    # Form B: scores 100, 40, 20; α = 4/3 · (1 − (4/3 + 1/3 + 0 + 1/3) / (13/3)) = 28/39
    assert form_b["attempts"] == 3 and form_b["mean"] == pytest.approx(160 / 3)
    assert form_b["sd"] == pytest.approx(41.633320, abs=1e-6)
    assert form_b["alpha"] == pytest.approx(28 / 39) and form_b["alpha_band"] == "acceptable"

    items = by_id(body, scenario["items"])
    assert list(items) == ["a1", "a2", "a3", "a4", "b1", "b2"]
    expected = {
        # responses, facility, discrimination (Pearson r of item score with the rest of the points)
        "a1": (3, 2 / 3, 3**0.5 / 2),  # x = 1,1,0; rest = 3,2,1
        "a2": (6, 3 / 6, 1 / 5**0.5),  # 2 points, scored ÷ 2: x = 1,1,0,1,0,0; rest = 2,1,1,3,2,1
        "a3": (6, 3 / 6, 0.124035),  # x = 1,0,1,1,0,0; rest = 3,3,0,4,2,1: 0.5/√(1.5·65/6)
        "a4": (3, 0.0, None),  # nobody right: no variance, no discrimination
        "b1": (3, 1.0, None),  # everybody right
        "b2": (3, 2 / 3, 0.5),  # x = 1,1,0; rest = 4,1,1
    }
    for external_id, (responses, facility, discrimination) in expected.items():
        item = items[external_id]
        assert item["external_id"] == f"S-{external_id}"
        assert item["responses"] == responses, external_id
        assert item["facility"] == pytest.approx(facility), external_id
        if discrimination is None:
            assert item["discrimination"] is None, external_id
        else:
            assert item["discrimination"] == pytest.approx(discrimination, abs=1e-6), external_id
    assert items["a3"]["flags"] == ["low_discrimination"]
    assert items["a4"]["flags"] == ["too_hard"] and items["b1"]["flags"] == ["too_easy"]
    assert items["a1"]["flags"] == [] and items["b2"]["flags"] == []
    # Option rates in the bank's letters over the attempts holding the item (blank in the denominator):
    # a2 chosen B, B, –, B, C, A; a3 chosen ABD, AB, ABD, ABD, A, –; a1 对, 对, 错.
    assert items["a2"]["option_rates"] == pytest.approx([1 / 6, 3 / 6, 1 / 6, 0])
    assert items["a3"]["option_rates"] == pytest.approx([5 / 6, 4 / 6, 0, 3 / 6])
    assert items["a1"]["option_rates"] == pytest.approx([2 / 3, 1 / 3])
    assert items["a4"]["option_rates"] == pytest.approx([1 / 3, 0, 1 / 3, 0])
    # Theory: 80, 60, 100 of the 6 final pass (c7 is still sitting, c8's window is not over: pending).
    # Practical: 70, 60, 65 pass, c4 缺考 fails → 3 of 4.
    assert body["pass_rates"] == {"theory": pytest.approx(0.5), "practical": pytest.approx(0.75)}


def test_after_the_deadline_the_open_attempt_counts_and_the_absent_fails(app, client, scenario, monkeypatch):
    with app.app_context():
        end = db.session.get(ExamSession, scenario["sid"]).theory_end
    monkeypatch.setattr(timeutil, "utcnow", lambda: end + timedelta(minutes=1))
    body = client.get(f"/api/v1/sessions/{scenario['sid']}/statistics", headers=scenario["admin"]).get_json()
    form_a = body["forms"][0]
    assert form_a["attempts"] == 4  # c7 closed at the deadline with what was saved: 1 of 5 → 20
    assert form_a["mean"] == pytest.approx((80 + 60 + 20 + 20) / 4)
    items = by_id(body, scenario["items"])
    assert items["a1"]["responses"] == 4 and items["a1"]["facility"] == pytest.approx(3 / 4)
    assert items["a2"]["responses"] == 7 and items["a2"]["facility"] == pytest.approx(3 / 7)  # c7 left it blank
    # Theory over all 8 now: 80, 60, 100 pass; 20, 40, 20, 20 and c8 缺考 fail.
    assert body["pass_rates"]["theory"] == pytest.approx(3 / 8)


def test_roles(client, scenario, make_user, token_for):
    url = f"/api/v1/sessions/{scenario['sid']}/statistics"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=token_for("c1")).status_code == 403
    assert client.get(url, headers=token_for("g1")).status_code == 403
    make_user("other_admin", "center_admin", center="另一评价中心")
    assert client.get(url, headers=token_for("other_admin")).status_code == 404
    make_user("root", "admin")
    assert client.get(url, headers=token_for("root")).status_code == 200
    assert client.get("/api/v1/sessions/99999/statistics", headers=scenario["admin"]).status_code == 404


def test_statistics_page_and_charts(client, scenario, login, make_user):
    browser = login("sadmin")
    detail = browser.get(f"/sessions/{scenario['sid']}").get_data(True)
    assert f"/statistics/sessions/{scenario['sid']}" in detail  # linked from the session page
    page = browser.get(f"/statistics/sessions/{scenario['sid']}")
    assert page.status_code == 200
    html = page.get_data(True)
    for text in ("试卷与试题分析", "信度不足（α低于0.64）", "信度可接受（α 0.64–0.75）", "过难（通过率低于0.2）",
                 "过易（通过率高于0.95）", "区分度低（低于0.2）", "S-a4", "会员登记的第一步是？", "50.00%", "75.00%"):  # fmt: skip
        assert text in html, text
    assert 'class="table-scroll"' in html
    for chart in ("scores.png", "items.png"):
        image = browser.get(f"/statistics/sessions/{scenario['sid']}/{chart}")
        assert image.status_code == 200 and image.mimetype == "image/png"
        assert image.data.startswith(b"\x89PNG")
    assert login("c1").get(f"/statistics/sessions/{scenario['sid']}").status_code == 403
    make_user("other_admin", "center_admin", center="另一评价中心")
    assert login("other_admin").get(f"/statistics/sessions/{scenario['sid']}").status_code == 404
    assert "csrf_token" in html and csrf_from(html)
