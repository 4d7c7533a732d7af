"""POST /api/v1/papers/assemble: the contract's shape, stored frozen papers, 422s."""

from __future__ import annotations

from itertools import combinations

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.banks.models import Item
from app.extensions import db
from app.papers.models import Paper, PaperItem
from app.papers.operations import assemble_papers
from tests.test_banks_api import STD, W4, sample_items

SMALL = [{"type": "judge", "count": 5}, {"type": "single", "count": 11}, {"type": "multiple", "count": 2}]


@pytest.fixture
def admin(make_user, token_for, client):
    make_user("boss", role="center_admin")
    headers = token_for("boss")
    items = sample_items(per_cell=6, levels=("五级", "四级", "三级"))
    assert client.post(f"/api/v1/banks/{STD}/items", json={"items": items}, headers=headers).status_code == 201
    return headers


def request_body(**kw):
    body = {"standard": STD, "level": "四级", "forms": 2, "max_overlap": 0.2, "seed": 7, "sections": SMALL,
            "difficulty": {"min": 0.45, "max": 0.8}}  # fmt: skip
    body.update(kw)
    return body


def test_assemble_returns_conforming_papers_in_the_contract_shape(client, admin, app):
    response = client.post("/api/v1/papers/assemble", json=request_body(), headers=admin)
    assert response.status_code == 201, response.get_json()
    papers = response.get_json()["papers"]
    assert len(papers) == 2
    bank = {i["external_id"]: i for i in client.get(f"/api/v1/banks/{STD}/items", headers=admin).get_json()["items"]}
    for paper in papers:
        assert {"id", "total_points", "area_points", "mean_difficulty", "items"} <= set(paper)
        assert paper["total_points"] == 20
        assert paper["area_points"] == {a: w * 20 // 100 for a, w in W4.items()}
        assert 0.45 <= paper["mean_difficulty"] <= 0.8
        assert len(paper["items"]) == 18
        for entry in paper["items"]:
            assert set(entry) >= {"item_id", "external_id", "type", "area", "points"}
            assert bank[entry["external_id"]]["level"] in ("五级", "四级")  # never 三级 for a 四级 paper
    shared = {i["item_id"] for i in papers[0]["items"]} & {i["item_id"] for i in papers[1]["items"]}
    assert len(shared) <= 3  # floor(0.2 × 18)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Paper)) == 2
        assert db.session.scalar(select(func.count()).select_from(PaperItem)) == 36
        assert db.session.scalar(select(func.sum(Item.usage_count))) == 0  # a draft: no exposure


def test_same_seed_same_papers_through_the_api(client, admin, app):
    first = client.post("/api/v1/papers/assemble", json=request_body(), headers=admin).get_json()["papers"]
    again = client.post("/api/v1/papers/assemble", json=request_body(), headers=admin).get_json()["papers"]
    other = client.post("/api/v1/papers/assemble", json=request_body(seed=8), headers=admin).get_json()["papers"]
    ids = [[i["item_id"] for i in p["items"]] for p in first]
    assert ids == [[i["item_id"] for i in p["items"]] for p in again]
    assert ids != [[i["item_id"] for i in p["items"]] for p in other]
    assert {p["id"] for p in first}.isdisjoint({p["id"] for p in again})  # stored anew, frozen each
    with app.app_context():  # drafts do not count as exposure
        assert db.session.scalar(select(func.sum(Item.usage_count))) == 0


def test_session_papers_count_as_usage_and_later_papers_prefer_other_items(client, admin, app):
    sections = request_body()["sections"]
    with app.app_context():
        boss = db.session.scalar(select(User).where(User.username == "boss"))
        first = assemble_papers(STD, "四级", 1, 0.2, 7, sections=sections, user=boss)  # as a session does
        ids_first = {pi.item_id for pi in first[0].items}
        used = db.session.scalar(select(func.sum(Item.usage_count)))
        second = assemble_papers(STD, "四级", 1, 0.2, 7, sections=sections, user=boss)
        ids_second = {pi.item_id for pi in second[0].items}
    assert used == 18
    # same seed, but the first paper's items are now used: the second avoids them where it can
    assert len(ids_first & ids_second) < len(ids_first) // 2


def test_frozen_paper_keeps_its_snapshot_when_the_bank_item_changes(client, admin, app):
    paper = client.post("/api/v1/papers/assemble", json=request_body(forms=1), headers=admin).get_json()["papers"][0]
    first = paper["items"][0]
    bank = client.get(f"/api/v1/banks/{STD}/items", headers=admin).get_json()["items"]
    changed = next(i for i in bank if i["external_id"] == first["external_id"])
    changed = {k: v for k, v in changed.items() if k not in {"id", "retired", "usage_count"}}
    changed["stem"] = "修改后的题干"
    client.post(f"/api/v1/banks/{STD}/items", json={"items": [changed]}, headers=admin)
    with app.app_context():
        snap = db.session.scalar(select(PaperItem).where(PaperItem.paper_id == paper["id"], PaperItem.position == 1))
        assert snap.stem != "修改后的题干"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"standard": "nope"}, "standard"),
        ({"level": "六级"}, "level"),
        ({"forms": 0}, "forms"),
        ({"forms": "2"}, "forms"),
        ({"max_overlap": 1.5}, "max_overlap"),
        ({"seed": -1}, "seed"),
        ({"sections": [{"type": "essay", "count": 3}]}, "sections"),
        ({"sections": [{"type": "judge", "count": 0}]}, "sections"),
        ({"difficulty": {"min": 0.9, "max": 0.1}}, "difficulty"),
        ({"sections": [{"type": "judge", "count": 7}]}, "sections"),  # 7 points: weights give fractions
    ],
)
def test_bad_input_names_the_field(client, admin, patch, field):
    response = client.post("/api/v1/papers/assemble", json=request_body(**patch), headers=admin)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["details"]["field"] == field


def test_infeasible_names_the_area_and_shortfall(client, admin):
    response = client.post("/api/v1/papers/assemble", json=request_body(sections=None, forms=1), headers=admin)
    # default paper: 100 points, 职业道德 5 points — the small bank has 6 judge + 6 single + 6×2 multiple
    # in each area at 五级–三级, of which 四级-usable: 4 + 4 + 4×2 = 16 points; singles are short first
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "infeasible"
    assert "单项选择题" in error["message"] and "60" in error["message"]
    assert error["details"]["constraint"] == "type"


def test_infeasible_overlap_is_reported(client, admin):
    response = client.post("/api/v1/papers/assemble", json=request_body(forms=6, max_overlap=0.0), headers=admin)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "infeasible" and "6 套" in error["message"]


def test_roles_and_scoping(client, admin, make_user, token_for):
    make_user("cand")
    make_user("other", role="center_admin", center="别的机构")
    assert client.post("/api/v1/papers/assemble", json=request_body()).status_code == 401
    assert client.post("/api/v1/papers/assemble", json=request_body(), headers=token_for("cand")).status_code == 403
    paper = client.post("/api/v1/papers/assemble", json=request_body(forms=1), headers=admin).get_json()["papers"][0]
    assert client.get(f"/api/v1/papers/{paper['id']}", headers=admin).status_code == 200
    assert client.get(f"/api/v1/papers/{paper['id']}", headers=token_for("other")).status_code == 404


def test_pairwise_overlap_for_three_forms(client, admin):
    response = client.post("/api/v1/papers/assemble", json=request_body(forms=3, max_overlap=0.1), headers=admin)
    assert response.status_code == 201, response.get_json()
    papers = response.get_json()["papers"]
    for a, b in combinations(papers, 2):
        assert len({i["item_id"] for i in a["items"]} & {i["item_id"] for i in b["items"]}) <= 1


def test_retired_items_are_never_assembled(client, admin, app):
    with app.app_context():
        for item in db.session.scalars(select(Item).where(Item.area == "职业道德")):
            item.retired = True
        db.session.commit()
    response = client.post("/api/v1/papers/assemble", json=request_body(forms=1), headers=admin)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "infeasible" and error["details"] == {"constraint": "area", "area": "职业道德", "need": 1,
                                                                   "have": 0}  # fmt: skip
    assert "职业道德" in error["message"]
