"""Satisfaction surveys through the API, to contract v1.2 "Satisfaction surveys": creation and its
audiences, one response per person inside [opens, closes), 404 for anyone not invited, 422 naming the
answer's index, the report's exact figures and its withholding below 5 responses on anonymous surveys."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import timeutil
from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db
from app.surveys import operations as ops
from app.surveys.models import SurveyInvitation, SurveyResponse
from tests.survey_fixtures import CANDIDATES_A, QUESTIONS, build_survey_world, survey_body, window
from tests.test_decision_races import slowed, together


@pytest.fixture
def survey_world(app, make_user, token_for):
    return build_survey_world(app, make_user, token_for)


ANSWERS = ["满意", "非常满意", "网站", ["培训", "证书"], "服务很好"]


def create(client, world, **overrides):
    body = survey_body({"session": world.session_a}, **overrides)
    response = client.post("/api/v1/surveys", json=body, headers=world.headers["sadmin"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def answer(client, world, survey_id, username, answers=ANSWERS):
    return client.post(
        f"/api/v1/surveys/{survey_id}/responses", json={"answers": answers}, headers=world.headers[username]
    )


def report(client, world, survey_id, username="sadmin"):
    response = client.get(f"/api/v1/surveys/{survey_id}/report", headers=world.headers[username])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# ---------------------------------------------------------------- creating


def test_a_session_survey_invites_the_enrolled_candidates(client, survey_world):
    body = survey_body({"session": survey_world.session_a})
    response = client.post("/api/v1/surveys", json=body, headers=survey_world.headers["sadmin"])
    assert response.status_code == 201
    assert response.get_json()["invited"] == 6  # sc1 … sc6; sc7 is not enrolled


def test_the_center_members_are_every_account_of_the_center(client, survey_world):
    body = survey_body({"center": "members"})
    response = client.post("/api/v1/surveys", json=body, headers=survey_world.headers["sadmin"])
    assert response.status_code == 201
    # sadmin, sproctor and sc1 … sc7 belong to center A; center B's people and the platform admin do not
    assert response.get_json()["invited"] == 2 + len(CANDIDATES_A)


def test_another_centers_session_is_not_found(client, survey_world):
    body = survey_body({"session": survey_world.session_b})
    response = client.post("/api/v1/surveys", json=body, headers=survey_world.headers["sadmin"])
    assert response.status_code == 404


def _training(client, world, trainees) -> int:
    start = timeutil.beijing_today()
    body = {
        "name": "劳动保障协理员五级培训班",
        "standard": "3-01-04-03",  # 1.8 sets its hours and no 1.8.2: any staff member may teach
        "level": "五级",
        "kind": "theory",
        "start": start.isoformat(),
        "end": (start + timedelta(days=10)).isoformat(),
        "trainers": ["sproctor"],
        "venue": {"name": "201 教室", "type": "标准教室", "stations": 0},
    }
    created = client.post("/api/v1/trainings", json=body, headers=world.headers["sadmin"])
    assert created.status_code == 201, created.get_json()
    training_id = created.get_json()["id"]
    for username in trainees:
        added = client.post(
            f"/api/v1/trainings/{training_id}/trainees", json={"username": username}, headers=world.headers["sadmin"]
        )
        assert added.status_code == 201, added.get_json()
    return training_id


def test_a_training_audience_invites_its_trainees_and_only_its_centers(client, survey_world):
    training_id = _training(client, survey_world, CANDIDATES_A[4:7])
    body = survey_body({"training": training_id})
    created = client.post("/api/v1/surveys", json=body, headers=survey_world.headers["sadmin"])
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["invited"] == 3
    survey_id = created.get_json()["id"]
    assert answer(client, survey_world, survey_id, CANDIDATES_A[4]).status_code == 201
    assert answer(client, survey_world, survey_id, CANDIDATES_A[0]).status_code == 404  # not a trainee
    other = client.post("/api/v1/surveys", json=body, headers=survey_world.headers["sadmin_b"])
    assert other.status_code == 404  # another center's training
    unknown = client.post(
        "/api/v1/surveys", json=survey_body({"training": 999999}), headers=survey_world.headers["sadmin"]
    )
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"audience": {"center": "everyone"}}, "audience"),
        ({"audience": {"session": "1"}}, "audience"),
        ({"title": ""}, "title"),
        ({"questions": []}, "questions"),
        ({"questions": [{"text": "来源", "type": "choice", "options": ["网站"]}]}, "questions.0"),
        ({"questions": [{"text": "评价", "type": "stars"}]}, "questions.0.type"),
        ({"questions": [QUESTIONS[0], {"text": "", "type": "likert5"}]}, "questions.1.text"),
        ({"questions": [{"text": "意见", "type": "text", "multiple": True}]}, "questions.0"),
        ({"anonymous": "yes"}, "anonymous"),
        ({"opens": "明天"}, "opens"),
    ],
)
def test_an_invalid_survey_is_refused_naming_the_field(client, survey_world, change, field):
    body = survey_body({"session": survey_world.session_a}) | change
    response = client.post("/api/v1/surveys", json=body, headers=survey_world.headers["sadmin"])
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["details"]["field"] == field


def test_options_may_be_null_or_absent_where_a_question_has_none(client, survey_world):
    questions = [{"text": "总体", "type": "likert5", "options": None}, {"text": "意见", "type": "text", "options": []}]
    body = survey_body({"session": survey_world.session_a}, questions=questions)
    response = client.post("/api/v1/surveys", json=body, headers=survey_world.headers["sadmin"])
    assert response.status_code == 201


def test_the_window_must_close_after_it_opens(client, survey_world):
    body = survey_body({"session": survey_world.session_a}, **window(days_before=-2, days_after=-3))
    response = client.post("/api/v1/surveys", json=body, headers=survey_world.headers["sadmin"])
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["field"] == "closes"


@pytest.mark.parametrize(("username", "status"), [("sproctor", 403), ("padmin", 403), ("sc1", 403)])
def test_only_a_center_admin_creates_surveys(client, survey_world, username, status):
    body = survey_body({"center": "members"})
    response = client.post("/api/v1/surveys", json=body, headers=survey_world.headers[username])
    assert response.status_code == status


# ---------------------------------------------------------------- responding


def test_one_response_per_person(client, survey_world):
    survey_id = create(client, survey_world)
    assert answer(client, survey_world, survey_id, "sc1").status_code == 201
    second = answer(client, survey_world, survey_id, "sc1")
    assert second.status_code == 409
    assert report(client, survey_world, survey_id)["responses"] == 1


@pytest.mark.parametrize("username", ["sc7", "scb", "sproctor", "sadmin_b", "sadmin"])
def test_anyone_not_invited_is_not_found(client, survey_world, username):
    survey_id = create(client, survey_world)
    assert answer(client, survey_world, survey_id, username).status_code == 404
    assert client.get(f"/api/v1/surveys/{survey_id}", headers=survey_world.headers[username]).status_code in (
        {200} if username == "sadmin" else {404}
    )


@pytest.mark.parametrize(("before", "after"), [(-1, 2), (3, -1)])  # not yet open; closed yesterday
def test_outside_the_window_is_a_conflict(client, survey_world, before, after):
    survey_id = create(client, survey_world, **window(days_before=before, days_after=after))
    response = answer(client, survey_world, survey_id, "sc1")
    assert response.status_code == 409
    assert report(client, survey_world, survey_id)["responses"] == 0


def test_a_closed_survey_takes_no_more_responses(client, survey_world):
    survey_id = create(client, survey_world)
    headers = survey_world.headers["sadmin"]
    assert client.post(f"/api/v1/surveys/{survey_id}/close", headers=headers).status_code == 200
    assert answer(client, survey_world, survey_id, "sc1").status_code == 409
    assert client.post(f"/api/v1/surveys/{survey_id}/close", headers=headers).status_code == 409


@pytest.mark.parametrize(
    ("answers", "field", "index"),
    [
        (["满意", "很好", "网站", ["培训"], ""], "answers.1", 1),  # not a level of the scale
        (["满意", "满意", "报纸", ["培训"], ""], "answers.2", 2),  # not an option
        (["满意", "满意", ["网站"], ["培训"], ""], "answers.2", 2),  # a list for a single choice
        (["满意", "满意", "网站", "培训", ""], "answers.3", 3),  # a string for a multiple choice
        (["满意", "满意", "网站", ["培训", "培训"], ""], "answers.3", 3),
        (["满意", "满意", "网站", ["培训"], 5], "answers.4", 4),
        ([None, "满意", "网站", ["培训"], ""], "answers.0", 0),  # a required question left out
        (["满意", "满意", "网站"], "answers", None),  # one answer per question
        ("满意", "answers", None),
    ],
)
def test_an_answer_that_does_not_fit_is_refused_naming_its_index(client, survey_world, answers, field, index):
    survey_id = create(client, survey_world)
    response = answer(client, survey_world, survey_id, "sc1", answers)
    assert response.status_code == 422, response.get_json()
    details = response.get_json()["error"]["details"]
    assert details["field"] == field
    assert details.get("index") == index
    # a failed request changes nothing: the person may still answer
    assert answer(client, survey_world, survey_id, "sc1").status_code == 201


def test_optional_text_may_be_left_empty_or_null(client, survey_world):
    survey_id = create(client, survey_world)
    assert answer(client, survey_world, survey_id, "sc1", ["满意", "满意", "网站", [], None]).status_code == 422
    assert answer(client, survey_world, survey_id, "sc1", ["满意", "满意", "网站", ["考试"], None]).status_code == 201
    assert answer(client, survey_world, survey_id, "sc2", ["满意", "满意", "网站", ["考试"], ""]).status_code == 201


def test_my_surveys_lists_my_invitations(client, survey_world):
    survey_id = create(client, survey_world)
    answer(client, survey_world, survey_id, "sc1")
    mine = client.get("/api/v1/surveys/mine", headers=survey_world.headers["sc1"]).get_json()["surveys"]
    assert [(s["id"], s["responded"], s["can_respond"]) for s in mine] == [(survey_id, True, False)]
    assert client.get("/api/v1/surveys/mine", headers=survey_world.headers["sc7"]).get_json()["surveys"] == []


# ---------------------------------------------------------------- the report

LEVELS_Q0 = ["非常满意", "满意", "满意", "基本满意", "不满意"]


def _five(client, world, survey_id):
    for username, level in zip(CANDIDATES_A, LEVELS_Q0, strict=False):
        body = [level, "非常满意", "网站" if level != "不满意" else "单位通知", ["培训"], f"{username}的意见"]
        assert answer(client, world, survey_id, username, body).status_code == 201


def test_the_report_figures_are_exact(client, survey_world):
    survey_id = create(client, survey_world)
    _five(client, survey_world, survey_id)
    body = report(client, survey_world, survey_id)
    assert (body["invited"], body["responses"]) == (6, 5)
    assert body["response_rate"] == 5 / 6
    q0, q1, q2, q3, q4 = body["questions"]
    assert q0["counts"] == {"非常满意": 1, "满意": 2, "基本满意": 1, "不满意": 1, "非常不满意": 0}
    assert q0["mean"] == 3.6  # (5 + 4 + 4 + 3 + 2) / 5
    assert q0["satisfaction_rate"] == 0.6  # (1 + 2) / 5
    # t(0.975, 4) = 2.776445 (tables: 2.776); s = √(5.2 / 4)
    half = 2.7764451051977987 * math.sqrt(1.3) / math.sqrt(5)
    assert q0["ci95"] == pytest.approx([3.6 - half, 3.6 + half], abs=1e-9)
    assert (q1["mean"], q1["satisfaction_rate"], q1["ci95"]) == (5.0, 1.0, [5.0, 5.0])
    assert body["satisfaction_rate"] == 0.8  # pooled over q0 and q1: (3 + 5) / 10
    assert q2["counts"] == {"网站": 4, "单位通知": 1, "朋友介绍": 0}
    assert q2["mean"] is None and q2["satisfaction_rate"] is None
    assert q3["counts"] == {"培训": 5, "考试": 0, "证书": 0}
    assert q4["counts"] is None and sorted(q4["texts"]) == sorted(f"sc{n}的意见" for n in range(1, 6))


def test_below_five_responses_an_anonymous_survey_withholds_the_breakdown(client, survey_world):
    survey_id = create(client, survey_world)
    for username in CANDIDATES_A[:4]:
        assert answer(client, survey_world, survey_id, username).status_code == 201
    body = report(client, survey_world, survey_id)
    assert body["responses"] == 4
    assert body["satisfaction_rate"] is None
    for question in body["questions"]:
        assert question["counts"] is None and question["mean"] is None
        assert question["satisfaction_rate"] is None and question["texts"] is None and question["ci95"] is None
    assert answer(client, survey_world, survey_id, CANDIDATES_A[4]).status_code == 201
    body = report(client, survey_world, survey_id)
    assert body["questions"][0]["counts"]["满意"] == 5
    assert body["questions"][4]["texts"] == ["服务很好"] * 5


def test_a_named_survey_shows_its_breakdown_from_the_first_response(client, survey_world):
    survey_id = create(client, survey_world, anonymous=False)
    answer(client, survey_world, survey_id, "sc1")
    body = report(client, survey_world, survey_id)
    assert body["questions"][0]["counts"]["满意"] == 1
    assert body["questions"][0]["mean"] == 4.0
    assert body["satisfaction_rate"] == 1.0


def test_which_levels_count_as_satisfied_is_the_centers_setting(client, survey_world):
    survey_id = create(client, survey_world)
    _five(client, survey_world, survey_id)
    headers = survey_world.headers["sadmin"]
    put = client.put(
        "/api/v1/surveys/settings",
        json={"satisfied_levels": ["非常满意", "满意", "基本满意"], "target_rate": 0.85},
        headers=headers,
    )
    assert put.status_code == 200 and put.get_json()["source"] == "center"
    body = report(client, survey_world, survey_id)
    assert body["questions"][0]["satisfaction_rate"] == 0.8  # 基本满意以上: 4 / 5
    assert body["questions"][0]["below_target"] is True  # 0.8 < 0.85
    bad = client.put("/api/v1/surveys/settings", json={"satisfied_levels": ["满意"]}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["details"]["field"] == "satisfied_levels"
    bad = client.put("/api/v1/surveys/settings", json={"target_rate": 90}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["details"]["field"] == "target_rate"


@pytest.mark.parametrize(("username", "status"), [("sadmin_b", 404), ("padmin", 200), ("sc1", 403), ("sproctor", 403)])
def test_who_reads_the_report(client, survey_world, username, status):
    survey_id = create(client, survey_world)
    response = client.get(f"/api/v1/surveys/{survey_id}/report", headers=survey_world.headers[username])
    assert response.status_code == status


# ---------------------------------------------------------------- improvements, templates, comparison


def test_an_improvement_is_recorded_for_a_question_below_the_target(client, survey_world):
    survey_id = create(client, survey_world)
    _five(client, survey_world, survey_id)
    headers = survey_world.headers["sadmin"]
    url = f"/api/v1/surveys/{survey_id}/improvements"
    record = {
        "question": 0,
        "cause": "考场指引不清",
        "found_on": "2026-12-01",
        "measure": "增设指示牌",
        "measure_on": "2026-12-05",
    }
    created = client.post(url, json=record, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["rate"] == 0.6 and created.get_json()["target"] == 0.9
    # question 1 is at 100%: nothing to improve; question 2 has no 满意率
    for question in (1, 2):
        refused = client.post(url, json=record | {"question": question}, headers=headers)
        assert refused.status_code == 422 and refused.get_json()["error"]["details"]["field"] == "question"
    early = client.post(url, json=record | {"measure_on": "2026-11-30"}, headers=headers)
    assert early.status_code == 422 and early.get_json()["error"]["details"]["field"] == "measure_on"
    kept = report(client, survey_world, survey_id)["improvements"]
    assert [(i["question"], i["cause"], i["measure_on"]) for i in kept] == [(0, "考场指引不清", "2026-12-05")]


def test_a_survey_is_created_from_a_saved_template(client, survey_world):
    headers = survey_world.headers["sadmin"]
    survey_id = create(client, survey_world)
    saved = client.post("/api/v1/surveys/templates", json={"name": "考后调查", "survey": survey_id}, headers=headers)
    assert saved.status_code == 201
    template_id = saved.get_json()["id"]
    twice = client.post("/api/v1/surveys/templates", json={"name": "考后调查", "survey": survey_id}, headers=headers)
    assert twice.status_code == 409
    body = survey_body({"session": survey_world.session_a}, template=template_id)
    del body["questions"]
    made = client.post("/api/v1/surveys", json=body, headers=headers)
    assert made.status_code == 201
    questions = client.get(f"/api/v1/surveys/{made.get_json()['id']}", headers=headers).get_json()["questions"]
    assert [q["text"] for q in questions] == [q["text"] for q in QUESTIONS]
    other = client.get("/api/v1/surveys/templates", headers=survey_world.headers["sadmin_b"]).get_json()
    assert other["templates"] == []  # a center's templates are its own
    body_b = survey_body({"center": "members"}, template=template_id)
    del body_b["questions"]
    assert client.post("/api/v1/surveys", json=body_b, headers=survey_world.headers["sadmin_b"]).status_code == 404


def test_the_comparison_lists_the_centers_surveys_by_date(client, survey_world):
    older = create(client, survey_world, **window(days_before=10, days_after=5))
    newer = create(client, survey_world, anonymous=False)
    answer(client, survey_world, newer, "sc1")
    rows = client.get("/api/v1/surveys/comparison", headers=survey_world.headers["sadmin"]).get_json()["surveys"]
    assert [(r["id"], r["satisfaction_rate"]) for r in rows] == [(older, None), (newer, 1.0)]
    assert client.get("/api/v1/surveys/comparison", headers=survey_world.headers["sadmin_b"]).get_json() == {
        "surveys": []
    }


def test_responses_and_invitations_stay_apart_in_the_tables(app, client, survey_world):
    survey_id = create(client, survey_world)
    _five(client, survey_world, survey_id)
    with app.app_context():
        responses = db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey_id)).all()
        assert len(responses) == 5 and all(r.user_id is None for r in responses)
        flags = db.session.scalars(select(SurveyInvitation.responded).where(SurveyInvitation.survey_id == survey_id))
        assert sorted(flags) == [False, True, True, True, True, True]


def test_dates_alone_open_at_the_start_and_close_at_the_end_of_a_beijing_day(client, survey_world):
    today = timeutil.utcnow().astimezone(timeutil.CHINA).date()
    open_today = create(client, survey_world, opens=today.isoformat(), closes=today.isoformat())
    assert answer(client, survey_world, open_today, "sc1").status_code == 201  # the closing day is a day to answer
    shown = client.get(f"/api/v1/surveys/{open_today}", headers=survey_world.headers["sadmin"]).get_json()
    assert shown["opens"] == f"{today.isoformat()}T00:00:00+08:00"
    assert shown["closes"] == f"{(today + timedelta(days=1)).isoformat()}T00:00:00+08:00"
    ended = create(
        client,
        survey_world,
        opens=(today - timedelta(days=3)).isoformat(),
        closes=(today - timedelta(days=1)).isoformat(),
    )
    assert answer(client, survey_world, ended, "sc1").status_code == 409


def test_every_write_of_the_admin_is_audited_with_the_center(app, client, survey_world):
    headers = survey_world.headers["sadmin"]
    survey_id = create(client, survey_world)
    _five(client, survey_world, survey_id)
    client.post("/api/v1/surveys/templates", json={"name": "甲", "survey": survey_id}, headers=headers)
    client.put(
        "/api/v1/surveys/settings", json={"satisfied_levels": ["非常满意", "满意"], "target_rate": 0.8}, headers=headers
    )
    record = {"question": 0, "cause": "原因", "found_on": "2026-12-01", "measure": "措施", "measure_on": "2026-12-02"}
    assert client.post(f"/api/v1/surveys/{survey_id}/improvements", json=record, headers=headers).status_code == 201
    client.post(f"/api/v1/surveys/{survey_id}/close", headers=headers)
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "sadmin"))
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("survey.%")).order_by(AuditEntry.id)
        ).all()
        assert [e.action for e in entries] == [
            "survey.created",
            "survey.template_saved",
            "survey.settings_changed",
            "survey.improvement_recorded",
            "survey.closed",
        ]  # the five anonymous responses left none
        assert {(e.actor_id, e.center_id) for e in entries} == {(admin.id, admin.center_id)}


def test_two_responses_sent_at_once_by_one_person_make_one(app, client, survey_world, monkeypatch):
    """Released together, each widened between its checks and its write: one 201, one 409, one response."""
    survey_id = create(client, survey_world)
    slowed(monkeypatch, ops, "check_answers")

    def send():
        with app.test_client() as browser:
            return answer(browser, survey_world, survey_id, "sc1")

    statuses = sorted(r.status_code for r in together(send, send))
    assert statuses == [201, 409]
    with app.app_context():
        rows = db.session.scalar(select(func.count()).where(SurveyResponse.survey_id == survey_id))
    assert rows == 1
