"""/api/v1/banks/<standard>/items: import (all-or-nothing, first bad item named), update, list."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.banks.models import Item
from app.extensions import db

STD = "3-01-01-04"
W4 = {"职业道德": 5, "基础知识": 20, "宣传讲解": 10, "会员发展": 15, "权益维护": 10, "履职监督": 10, "会籍管理": 15,
      "会员服务": 15}  # fmt: skip


def item(n: int, **kw) -> dict:
    base = {"external_id": f"T-{n:04d}", "type": "single", "stem": f"第{n}题题干", "options": ["甲", "乙", "丙", "丁"],
            "answer": "B", "points": 1, "area": "会员发展", "level": "四级", "difficulty": 0.65, "enemy_group": None}  # fmt: skip
    base.update(kw)
    return base


def sample_items(per_cell: int = 3, levels=("五级", "四级"), areas=W4, prefix="S") -> list[dict]:
    """per_cell items of every area × type, alternating levels; difficulty spread 0.4–0.85."""
    items = []
    for area in areas:
        for kind in ("judge", "single", "multiple"):
            for k in range(per_cell):
                n = len(items)
                entry = item(n, external_id=f"{prefix}-{n:04d}", type=kind, area=area, level=levels[k % len(levels)],
                             difficulty=round(0.4 + 0.45 * ((n * 37) % 100) / 100, 3))  # fmt: skip
                if kind == "judge":
                    entry.update(options=[], answer=bool(k % 2))
                elif kind == "multiple":
                    entry.update(answer=["A", "C"], points=2)
                items.append(entry)
    return items


def count_items(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Item))


@pytest.fixture
def admin(make_user, token_for):
    make_user("boss", role="center_admin")
    return token_for("boss")


def test_import_then_list_with_level_and_area_filters(client, admin, app):
    items = [item(1, level="五级"), item(2, level="四级"), item(3, level="三级", area="会籍管理"),
             item(4, type="judge", options=[], answer=False, level="五级", area="职业道德"),
             item(5, type="multiple", answer=["A", "D"], points=2, level="二级", area="培训指导")]  # fmt: skip
    response = client.post(f"/api/v1/banks/{STD}/items", json={"items": items}, headers=admin)
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"imported": 5}
    listed = client.get(f"/api/v1/banks/{STD}/items", headers=admin).get_json()["items"]
    assert {i["external_id"] for i in listed} == {"T-0001", "T-0002", "T-0003", "T-0004", "T-0005"}
    one = next(i for i in listed if i["external_id"] == "T-0005")
    assert one["answer"] == ["A", "D"] and one["points"] == 2 and one["options"] == ["甲", "乙", "丙", "丁"]
    # 四级 is served by items of 五级 and 四级 (the higher level covers the lower)
    four = client.get(f"/api/v1/banks/{STD}/items?level=四级", headers=admin).get_json()["items"]
    assert {i["external_id"] for i in four} == {"T-0001", "T-0002", "T-0004"}
    five = client.get(f"/api/v1/banks/{STD}/items?level=五级&area=会员发展", headers=admin).get_json()["items"]
    assert [i["external_id"] for i in five] == ["T-0001"]
    bad = client.get(f"/api/v1/banks/{STD}/items?level=六级", headers=admin)
    assert bad.status_code == 422 and bad.get_json()["error"]["details"]["field"] == "level"


def test_existing_external_id_is_updated_not_duplicated(client, admin, app):
    client.post(f"/api/v1/banks/{STD}/items", json={"items": [item(1)]}, headers=admin)
    response = client.post(f"/api/v1/banks/{STD}/items", json={"items": [item(1, stem="改过的题干", answer="C")]},
                           headers=admin)  # fmt: skip
    assert response.status_code == 201
    listed = client.get(f"/api/v1/banks/{STD}/items", headers=admin).get_json()["items"]
    assert len(listed) == 1 and listed[0]["stem"] == "改过的题干" and listed[0]["answer"] == "C"


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"type": "essay"}, "type"),
        ({"answer": None}, "answer"),
        ({"answer": "E"}, "answer"),  # four options: A–D
        ({"type": "multiple", "answer": ["A"]}, "answer"),  # two or more
        ({"type": "multiple", "answer": ["A", "F"]}, "answer"),
        ({"type": "judge", "options": [], "answer": "B"}, "answer"),
        ({"type": "judge", "answer": True}, "options"),  # a judge item has no options
        ({"area": "财务管理"}, "area"),  # not a row of 4.1
        ({"area": "培训指导", "level": "四级"}, "area"),  # 培训指导 only from 二级 (4.1)
        ({"area": "宣传讲解", "level": "二级"}, "area"),  # 宣传讲解 is "-" at 二级 (4.1)
        ({"level": "六级"}, "level"),
        ({"points": 0}, "points"),
        ({"difficulty": 1.2}, "difficulty"),
        ({"stem": "  "}, "stem"),
        ({"external_id": ""}, "external_id"),
    ],
)
def test_first_bad_item_is_named_and_nothing_is_imported(client, admin, app, bad, field):
    items = [item(1), item(2), item(3, **bad), item(4, type="essay")]
    response = client.post(f"/api/v1/banks/{STD}/items", json={"items": items}, headers=admin)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["details"] == {"index": 2, "field": field}
    assert count_items(app) == 0


def test_duplicate_external_id_in_one_request_is_refused(client, admin, app):
    response = client.post(f"/api/v1/banks/{STD}/items", json={"items": [item(1), item(2), item(1)]}, headers=admin)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"index": 2, "field": "external_id"}
    assert count_items(app) == 0


def test_permissions_and_unknown_standard(client, admin, make_user, token_for):
    make_user("cand")
    payload = {"items": [item(1)]}
    assert client.post(f"/api/v1/banks/{STD}/items", json=payload).status_code == 401
    assert client.post(f"/api/v1/banks/{STD}/items", json=payload, headers=token_for("cand")).status_code == 403
    assert client.get(f"/api/v1/banks/{STD}/items", headers=token_for("cand")).status_code == 403
    assert client.post("/api/v1/banks/9-99/items", json=payload, headers=admin).status_code == 404
    malformed = client.post(
        f"/api/v1/banks/{STD}/items", data="{", headers={**admin, "Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert client.post(f"/api/v1/banks/{STD}/items", json={"items": []}, headers=admin).status_code == 422


def test_check_constraints_hold_in_the_database(app):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        for bad in ({"points": 0}, {"difficulty": 1.5}, {"difficulty": -0.1}):
            data = {**item(9), **bad, "standard_id": STD, "source": ""}
            data.pop("enemy_group")
            db.session.add(Item(**data))
            with pytest.raises(IntegrityError):
                db.session.flush()
            db.session.rollback()
