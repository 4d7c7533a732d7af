"""Training (职业培训) per contract v1.2, from the texts' boundaries: 3-01-01-04 1.8.1 (五级 不少于 120),
1.8.2 (一级 trainers: 一级 certificate 2 年以上), 1.8.3 (practical: 工位不少于 3 个); 3-01-04-03 1.8
(五级 30; no 1.8.2: any staff member teaches); completion when attended hours reach the hours."""

from __future__ import annotations

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta

from app import timeutil

CENTER = "甲培训中心"


def beijing_today():
    return timeutil.utcnow().astimezone(timeutil.CHINA).date()


@pytest.fixture
def world(make_user, token_for):
    make_user("boss", role="center_admin", center=CENTER)
    make_user("t1", role="grader", center=CENTER, name="教师甲")
    make_user("t2", role="reviewer", center=CENTER, name="教师乙")
    make_user("far", role="grader", center="乙中心")
    for name in ("s1", "s2"):
        make_user(name, center=CENTER, name=f"学员{name}")
    return {"boss": token_for("boss"), "t1": token_for("t1"), "s1": token_for("s1"), "s2": token_for("s2")}


def qualify(client, world, username, *, level="三级", issued=None, titles=()):
    issued = issued or (beijing_today() - timedelta(days=1000))
    body = {
        "certificates": [{"occupation": "社团会员管理员", "level": level, "issued": issued.isoformat(), "no": "X1"}],
        "titles": list(titles),
    }
    response = client.put(f"/api/v1/users/{username}/qualifications", json=body, headers=world["boss"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def training(client, world, **over):
    start = beijing_today()
    body = {
        "name": "社团会员管理员五级培训班",
        "standard": "3-01-01-04",
        "level": "五级",
        "kind": "theory",
        "start": start.isoformat(),
        "end": (start + timedelta(days=30)).isoformat(),
        "trainers": ["t1"],
        "venue": {"name": "201 教室", "type": "标准教室", "stations": 0},
    }
    body.update(over)
    return client.post("/api/v1/trainings", json=body, headers=world["boss"])


def test_hours_default_to_the_level_and_119_is_refused(client, world):
    qualify(client, world, "t1")
    default = training(client, world)
    assert default.status_code == 201, default.get_json()
    assert default.get_json()["required_hours"] == 120  # 1.8.1 五级 不少于 120 标准学时
    below = training(client, world, hours=119)
    assert below.status_code == 422
    assert below.get_json()["error"]["details"]["field"] == "hours"
    assert training(client, world, hours=120).status_code == 201


def test_trainer_must_be_staff_of_the_center(client, world):
    response = training(client, world, trainers=["far"])
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"field": "trainers", "index": 0, "trainer": "far"}
    assert training(client, world, trainers=["s1"]).status_code == 422  # a candidate is no staff account


def test_trainer_without_the_qualification_names_the_rule(client, world):
    qualify(client, world, "t1", level="四级")  # 五级 trainers need 三级 or above (1.8.2)
    response = training(client, world)
    body = response.get_json()["error"]
    assert response.status_code == 422
    assert body["details"]["field"] == "trainers" and body["details"]["trainer"] == "t1"
    assert "1.8.2" in body["details"]["rule"] and "三级" in body["message"]


def test_a_related_title_of_middle_rank_qualifies(client, world):
    title = {"rank": "中级", "matches_field": True, "obtained": "2015-01-01"}
    put = client.put(
        "/api/v1/users/t1/qualifications", json={"certificates": [], "titles": [title]}, headers=world["boss"]
    )
    assert put.status_code == 200
    assert training(client, world).status_code == 201
    unrelated = {**title, "matches_field": False}
    client.put("/api/v1/users/t1/qualifications", json={"titles": [unrelated]}, headers=world["boss"])
    assert training(client, world).status_code == 422


@pytest.mark.parametrize(("short_by", "status"), [(0, 201), (1, 422)])
def test_level_one_trainer_holds_level_one_two_years_or_more(client, world, short_by, status):
    """1.8.2: 一级/高级技师证书 2 年以上 — exactly 2 years qualifies, 1 year 364 days does not."""
    start = beijing_today()
    issued = start - relativedelta(years=2) + timedelta(days=short_by)
    qualify(client, world, "t1", level="一级", issued=issued)
    response = training(client, world, level="一级")
    assert response.status_code == status, response.get_json()
    if status == 422:
        assert "2 年以上" in response.get_json()["error"]["details"]["rule"]


@pytest.mark.parametrize(("stations", "status"), [(2, 422), (3, 201)])
def test_practical_training_needs_three_stations(client, world, stations, status):
    qualify(client, world, "t1")
    venue = {"name": "实训室", "type": "专业实操场地", "stations": stations}
    response = training(client, world, kind="practical", venue=venue)
    assert response.status_code == status, response.get_json()
    if status == 422:
        assert response.get_json()["error"]["details"]["field"] == "venue"


def test_theory_in_a_workshop_is_refused(client, world):
    qualify(client, world, "t1")
    response = training(client, world, venue={"name": "车间", "type": "专业实操场地", "stations": 5})
    assert response.status_code == 422 and response.get_json()["error"]["details"]["field"] == "venue"


def test_standard_without_trainer_rule_takes_any_staff_member(client, world):
    """3-01-04-03 has no 1.8.2 or 1.8.3: no trainer or venue rule applies."""
    response = training(client, world, standard="3-01-04-03", venue={"name": "任意", "type": "其他", "stations": 0})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["required_hours"] == 30  # 1.8 五级 30 标准学时


def _run(client, world, hours=(30,)):
    """A 3-01-04-03 五级 training (30 hours) with s1 and s2, one class per entry of ``hours``."""
    tid = training(client, world, standard="3-01-04-03").get_json()["id"]
    for name in ("s1", "s2"):
        assert (
            client.post(f"/api/v1/trainings/{tid}/trainees", json={"username": name}, headers=world["boss"]).status_code
            == 201
        )
    classes = []
    for n, h in enumerate(hours):
        day = beijing_today() + timedelta(days=n)
        body = {"date": day.isoformat(), "start": "09:00", "end": "17:00", "hours": h, "topic": f"第{n + 1}讲"}
        response = client.post(f"/api/v1/trainings/{tid}/classes", json=body, headers=world["boss"])
        assert response.status_code == 201, response.get_json()
        classes.append(response.get_json()["id"])
    return tid, classes


def test_trainee_twice_is_409(client, world):
    tid, _ = _run(client, world, hours=())
    again = client.post(f"/api/v1/trainings/{tid}/trainees", json={"username": "s1"}, headers=world["boss"])
    assert again.status_code == 409


def test_completion_when_attended_hours_reach_the_required(client, world):
    tid, classes = _run(client, world, hours=(20, 10))
    url = f"/api/v1/trainings/{tid}/classes"
    # the trainer ticks: s1 at both classes (20 + 10 = 30, exactly the hours), s2 at the first only
    assert (
        client.put(f"{url}/{classes[0]}/attendance", json={"present": ["s1", "s2"]}, headers=world["t1"]).status_code
        == 200
    )
    assert (
        client.put(f"{url}/{classes[1]}/attendance", json={"present": ["s1"]}, headers=world["t1"]).status_code == 200
    )
    assert (
        client.put(f"{url}/{classes[1]}/attendance", json={"present": ["s1"]}, headers=world["s2"]).status_code == 404
    )
    done = client.post(f"/api/v1/trainings/{tid}/complete", headers=world["boss"])
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert [(c["username"], c["hours"]) for c in body["completed"]] == [("s1", 30)]
    assert body["completed"][0]["certificate_no"].startswith("JY")
    assert [(c["username"], c["hours"]) for c in body["not_completed"]] == [("s2", 20)]
    assert "30" in body["not_completed"][0]["reason"]
    late = client.put(f"{url}/{classes[1]}/attendance", json={"present": []}, headers=world["t1"])
    assert late.status_code == 409
    assert client.post(f"/api/v1/trainings/{tid}/complete", headers=world["boss"]).status_code == 409
    public = client.get(f"/api/v1/training-certificates/{body['completed'][0]['certificate_no']}")
    assert public.status_code == 200 and public.get_json()["hours"] == 30 and public.get_json()["name"] == "学**1"


def test_completed_training_feeds_eligibility(client, world):
    """3-01-04-03 五级 (1): 预备培训达规定标准学时数，并取得结业证书 — met by the platform's record."""
    tid, classes = _run(client, world, hours=(30,))
    client.put(
        f"/api/v1/trainings/{tid}/classes/{classes[0]}/attendance", json={"present": ["s1"]}, headers=world["boss"]
    )
    body = {"standard": "3-01-04-03", "level": "五级", "candidate": {"birth_date": "1990-01-01"}}
    before = client.post("/api/v1/eligibility", json=body, headers=world["s1"]).get_json()
    assert 1 not in before["satisfied"]
    number = client.post(f"/api/v1/trainings/{tid}/complete", headers=world["boss"]).get_json()["completed"][0][
        "certificate_no"
    ]
    after = client.post("/api/v1/eligibility", json=body, headers=world["s1"]).get_json()
    assert 1 in after["satisfied"]
    reason = next(c["reason"] for c in after["clauses"] if c["clause"] == 1)
    assert "已完成" in reason and "30 学时" in reason and number in reason
    assert after["training"][0]["source"] == "platform" and after["training"][0]["certificate_no"] == number
    other = client.post("/api/v1/eligibility", json=body, headers=world["s2"]).get_json()
    assert 1 not in other["satisfied"]  # s2 attended nothing
    application = client.post("/api/v1/applications", json=body, headers=world["s1"])
    assert application.status_code == 201 and application.get_json()["status"] == "eligible"


def test_qualifications_list_platform_and_center_sources(client, world, token_for, make_user):
    qualify(client, world, "t1")
    got = client.get("/api/v1/users/t1/qualifications", headers=world["boss"]).get_json()
    assert [c["source"] for c in got["certificates"]] == ["center"]
    make_user("boss2", role="center_admin", center="乙中心")
    assert client.get("/api/v1/users/t1/qualifications", headers=token_for("boss2")).status_code == 404
    assert client.get("/api/v1/users/t1/qualifications", headers=world["t1"]).status_code == 403
    bad = {"certificates": [{"occupation": "社团会员管理员", "level": "六级", "issued": "2020-01-01"}]}
    assert client.put("/api/v1/users/t1/qualifications", json=bad, headers=world["boss"]).status_code == 422
