"""Survey page forms (issue 27 item 5): a refused post re-renders its page with every error beside its
field by its Chinese label, the summary at the top and what was typed, and changes nothing; a good post
still redirects. Dates relative to now."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from app import timeutil
from app.extensions import db
from tests.conftest import csrf_from
from tests.survey_fixtures import build_survey_world, survey_body


@pytest.fixture
def survey_world(app, make_user, token_for):
    return build_survey_world(app, make_user, token_for)


def snapshot(app) -> dict:
    """Every row of every table (sign-in bookkeeping aside): a refused post leaves them as they were."""
    with app.app_context():
        return {
            t.name: sorted(map(repr, db.session.execute(select(t)).all()))
            for t in db.metadata.sorted_tables
            if not t.name.startswith("login_")
        }


def text(response) -> str:
    return unescape(response.get_data(True))


def summary(html: str) -> str:
    assert "error-summary" in html, "no error summary on the page"
    start = html.index("error-summary")
    return re.sub(r"<[^>]+>", "", html[start : html.index("</div>", start)])


def local(delta: timedelta) -> str:
    return (timeutil.utcnow() + delta).astimezone(timeutil.CHINA).strftime("%Y-%m-%dT%H:%M")


def editor(token: str, session_id: int, **extra) -> dict:
    return {
        "csrf_token": token,
        "count": "3",
        "title": "考后满意度",
        "audience": f"session:{session_id}",
        "anonymous": "1",
        "opens": local(-timedelta(hours=1)),
        "closes": local(timedelta(days=3)),
        "q-0-text": "总体评价",
        "q-0-type": "likert5",
        "q-1-text": "获知渠道",
        "q-1-type": "choice",
        "q-1-options": "网站\n单位通知",
        "q-2-text": "",
        "action": "save",
        **extra,
    }


def test_a_survey_refused_in_the_editor_shows_every_error_and_keeps_what_was_typed(app, login, survey_world):
    admin = login("sadmin")
    token = csrf_from(admin.get("/surveys/new").get_data(True))
    before = snapshot(app)
    opens, closes = local(timedelta(days=2)), local(timedelta(days=1))
    bad = editor(token, survey_world.session_a, title="题" * 201, opens=opens, closes=closes, **{"q-1-options": "网站"})
    refused = admin.post("/surveys/new", data=bad)
    html = text(refused)
    assert refused.status_code == 422
    found = summary(html)
    assert "问卷标题：问卷标题不能超过 200 个字（现为 201 个字）" in found
    assert "截止时间：截止时间必须晚于开始时间" in found
    assert "第 2 题：选择题至少需要两个非空选项" in found  # three fields at once, each label once
    assert 'id="title-error"' in html and 'id="closes-error"' in html and 'id="q-1-error"' in html
    assert f'value="{"题" * 201}"' in html and f'value="{opens}"' in html and ">网站</textarea>" in html
    assert 'value="获知渠道"' in html
    assert snapshot(app) == before
    made = admin.post("/surveys/new", data=editor(token, survey_world.session_a))
    assert made.status_code == 302


def test_only_a_template_refused_keeps_the_editor(app, login, survey_world):
    admin = login("sadmin")
    token = csrf_from(admin.get("/surveys/new").get_data(True))
    before = snapshot(app)
    form = editor(token, survey_world.session_a, title="", action="template", **{"q-0-text": "问" * 501})
    refused = admin.post("/surveys/templates", data=form)
    html = text(refused)
    assert refused.status_code == 422
    found = summary(html)
    assert "问卷标题：请填写模板名称" in found
    assert "第 1 题 · 题目文字：第 1 题 · 题目文字不能超过 500 个字（现为 501 个字）" not in found  # the short label
    assert "第 1 题 · 题目文字：题目文字不能超过 500 个字（现为 501 个字）" in found
    assert f'value="{"问" * 501}"' in html and 'value="获知渠道"' in html and "发布问卷" in html
    assert snapshot(app) == before
    saved = admin.post("/surveys/templates", data=editor(token, survey_world.session_a, action="template"))
    assert saved.status_code == 302


def _named_survey(client, survey_world, **overrides) -> int:
    body = survey_body({"session": survey_world.session_a}, anonymous=False, **overrides)
    response = client.post("/api/v1/surveys", json=body, headers=survey_world.headers["sadmin"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_the_report_page_forms(app, client, login, survey_world):
    survey_id = _named_survey(client, survey_world)
    answers = ["非常不满意", "不满意", "网站", ["培训"], None]
    sent = client.post(
        f"/api/v1/surveys/{survey_id}/responses", json={"answers": answers}, headers=survey_world.headers["sc1"]
    )
    assert sent.status_code == 201
    admin = login("sadmin")
    page = admin.get(f"/surveys/{survey_id}").get_data(True)
    token = csrf_from(page)
    assert 'data-confirm="结束后不再接受填写，确定结束？"' in page
    today = timeutil.utcnow().astimezone(timeutil.CHINA).date()
    before = snapshot(app)
    bad = {
        "csrf_token": token,
        "question": "0",
        "cause": "等候时间过长",
        "found_on": today.isoformat(),
        "measure": "",
        "measure_on": "下周",
    }
    refused = admin.post(f"/surveys/{survey_id}/improvements", data=bad)
    html = text(refused)
    assert refused.status_code == 422
    found = summary(html)
    assert "整改措施：请填写整改措施" in found and "措施日期：须为 YYYY-MM-DD 格式的日期" in found
    assert ">等候时间过长</textarea>" in html and 'value="下周"' in html
    earlier = (today - timedelta(days=1)).isoformat()
    reversed_dates = admin.post(
        f"/surveys/{survey_id}/improvements", data=bad | {"measure": "分时段入场", "measure_on": earlier}
    )
    assert reversed_dates.status_code == 422 and "措施日期不能早于发现问题的日期" in summary(text(reversed_dates))
    long_name = admin.post(f"/surveys/{survey_id}/template", data={"csrf_token": token, "name": "模" * 201})
    assert long_name.status_code == 422
    assert "模板名称：模板名称不能超过 200 个字（现为 201 个字）" in summary(text(long_name))
    assert f'value="{"模" * 201}"' in text(long_name)
    assert snapshot(app) == before
    good = bad | {"measure": "分时段入场", "measure_on": today.isoformat()}
    assert admin.post(f"/surveys/{survey_id}/improvements", data=good).status_code == 302
    assert admin.post(f"/surveys/{survey_id}/template", data={"csrf_token": token, "name": "考后"}).status_code == 302
    before = snapshot(app)
    again = admin.post(f"/surveys/{survey_id}/template", data={"csrf_token": token, "name": "考后"})
    assert again.status_code == 409 and "模板名称：已有名为「考后」的模板" in summary(text(again))
    assert snapshot(app) == before
    assert admin.post(f"/surveys/{survey_id}/close", data={"csrf_token": token}).status_code == 302
    closed = admin.post(f"/surveys/{survey_id}/close", data={"csrf_token": token})
    assert closed.status_code == 409 and "问卷不在开放时间内，无法结束" in summary(text(closed))


def test_settings_refused_keep_the_typed_percentage(app, login, survey_world):
    admin = login("sadmin")
    token = csrf_from(admin.get("/surveys/settings").get_data(True))
    before = snapshot(app)
    refused = admin.post("/surveys/settings", data={"csrf_token": token, "satisfied": "9", "target_percent": "150"})
    html = text(refused)
    assert refused.status_code == 422
    found = summary(html)
    assert "计为满意的等级：须为量表顶端的连续等级" in found
    assert "目标满意率（%）：须为大于 0、不超过 100 的百分数" in found
    assert 'value="150"' in html and 'id="target_percent-error"' in html
    assert snapshot(app) == before
    saved = admin.post("/surveys/settings", data={"csrf_token": token, "satisfied": "2", "target_percent": "80"})
    assert saved.status_code == 302


def test_an_answer_refused_names_every_question_and_keeps_the_answers(app, client, login, survey_world):
    survey_id = _named_survey(
        client,
        survey_world,
        questions=[*survey_body({})["questions"][:4], {"text": "其他意见", "type": "text", "required": True}],
    )
    candidate = login("sc2")
    token = csrf_from(candidate.get(f"/surveys/{survey_id}/answer").get_data(True))
    before = snapshot(app)
    typed = {"csrf_token": token, "a-0": "满意", "a-3": ["证书"], "a-4": "意" * 2001}
    refused = candidate.post(f"/surveys/{survey_id}/answer", data=typed)
    html = text(refused)
    assert refused.status_code == 422
    found = summary(html)
    assert "第 2 题（您对考场环境的评价）为必答题" in found and "第 3 题（您从哪里得知本次考试）为必答题" in found
    assert "第 5 题（其他意见）：不能超过 2000 字（现为 2001 字）" in found  # every question at once
    assert 'id="q-1-error"' in html and 'id="q-4-error"' in html
    assert 'value="满意" checked' in html and 'value="证书" checked' in html and f">{'意' * 2001}</textarea>" in html
    assert snapshot(app) == before
    answered = {"csrf_token": token, "a-0": "满意", "a-1": "满意", "a-2": "网站", "a-3": ["证书"], "a-4": "无"}
    assert candidate.post(f"/surveys/{survey_id}/answer", data=answered).status_code == 302
