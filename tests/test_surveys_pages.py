"""Survey pages with CSRF on: the admin creates a survey in the question editor, a candidate answers it
on 我的问卷, the report renders with its charts, Excel export and improvement form; settings and
templates; the answer page refuses anyone not invited with 404."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from app import timeutil
from tests.conftest import csrf_from
from tests.survey_fixtures import build_survey_world, survey_body


@pytest.fixture
def survey_world(app, make_user, token_for):
    return build_survey_world(app, make_user, token_for)


def _local(delta: timedelta) -> str:
    return (timeutil.utcnow() + delta).astimezone(timeutil.CHINA).strftime("%Y-%m-%dT%H:%M")


def _create_by_page(browser, session_id: int) -> str:
    page = browser.get("/surveys/new")
    assert page.status_code == 200
    token = csrf_from(page.get_data(True))
    more = browser.post(
        "/surveys/new",
        data={"csrf_token": token, "count": "1", "title": "页面问卷", "q-0-text": "总体评价", "action": "more"},
    )
    assert more.status_code == 200 and 'name="q-3-text"' in more.get_data(True)  # three blank rows added
    form = {
        "csrf_token": token,
        "count": "4",
        "title": "页面问卷",
        "audience": f"session:{session_id}",
        "anonymous": "1",
        "opens": _local(-timedelta(hours=1)),
        "closes": _local(timedelta(days=3)),
        "q-0-text": "总体评价",
        "q-0-type": "likert5",
        "q-1-text": "获知渠道",
        "q-1-type": "choice",
        "q-1-options": "网站\n单位通知",
        "q-2-text": "希望的服务",
        "q-2-type": "choice",
        "q-2-options": "培训\n考试\n证书",
        "q-2-multiple": "1",
        "q-3-text": "",  # a blank row is left out
        "action": "save",
    }
    response = browser.post("/surveys/new", data=form)
    assert response.status_code == 302, response.get_data(True)[:2000]
    return response.headers["Location"]


def test_a_survey_made_in_the_editor_is_answered_on_a_phone_page(login, survey_world):
    admin = login("sadmin")
    location = _create_by_page(admin, survey_world.session_a)
    survey_id = int(location.rstrip("/").split("/")[-1])
    candidate = login("sc1")
    mine = candidate.get("/surveys/mine").get_data(True)
    assert "页面问卷" in mine and f"/surveys/{survey_id}/answer" in mine
    page = candidate.get(f"/surveys/{survey_id}/answer")
    html = page.get_data(True)
    assert page.status_code == 200 and 'name="viewport"' in html and "非常不满意" in html
    token = csrf_from(html)
    missing = candidate.post(f"/surveys/{survey_id}/answer", data={"csrf_token": token, "a-1": "网站"})
    assert missing.status_code == 422 and "必答" in missing.get_data(True)
    sent = candidate.post(
        f"/surveys/{survey_id}/answer",
        data={"csrf_token": token, "a-0": "满意", "a-1": "网站", "a-2": ["培训", "证书"]},
    )
    assert sent.status_code == 302
    assert "已提交" in candidate.get("/surveys/mine").get_data(True)
    again = candidate.post(f"/surveys/{survey_id}/answer", data={"csrf_token": token, "a-0": "满意", "a-1": "网站"})
    assert again.status_code == 409
    report = admin.get(location).get_data(True)
    assert "1 / 6 份" in report and "不足 5 份" in report  # anonymous, one response: withheld


def test_the_answer_page_is_not_found_for_anyone_not_invited(login, client, survey_world):
    body = survey_body({"session": survey_world.session_a})
    survey_id = client.post("/api/v1/surveys", json=body, headers=survey_world.headers["sadmin"]).get_json()["id"]
    for username in ("sc7", "scb"):
        assert login(username).get(f"/surveys/{survey_id}/answer").status_code == 404
    assert login("sadmin_b").get(f"/surveys/{survey_id}").status_code == 404


def test_the_report_shows_charts_excel_and_the_improvement_form(login, client, survey_world):
    body = survey_body({"session": survey_world.session_a})
    survey_id = client.post("/api/v1/surveys", json=body, headers=survey_world.headers["sadmin"]).get_json()["id"]
    for n, level in enumerate(["非常满意", "满意", "不满意", "不满意", "基本满意"], start=1):
        answers = [level, "满意", "网站", ["培训"], '=HYPERLINK("http://x")' if n == 1 else "好"]
        response = client.post(
            f"/api/v1/surveys/{survey_id}/responses", json={"answers": answers}, headers=survey_world.headers[f"sc{n}"]
        )
        assert response.status_code == 201
    admin = login("sadmin")
    html = admin.get(f"/surveys/{survey_id}").get_data(True)
    assert f"/surveys/{survey_id}/questions/0/chart.png" in html
    assert "记录整改措施" in html  # question 1 at 40% is below the 90% target
    chart = admin.get(f"/surveys/{survey_id}/questions/0/chart.png")
    assert chart.status_code == 200 and chart.data.startswith(b"\x89PNG")
    assert admin.get(f"/surveys/{survey_id}/questions/2/chart.png").status_code == 404  # a choice question
    book = load_workbook(io.BytesIO(admin.get(f"/surveys/{survey_id}/report.xlsx").data))
    assert book.sheetnames == ["汇总", "满意度", "选择题", "文字意见", "整改措施"]
    likert = [row for row in book["满意度"].iter_rows(min_row=2, values_only=True)]
    assert likert[0][:8] == (1, body["questions"][0]["text"], 5, 1, 1, 1, 2, 0)
    cells = [c for row in book["文字意见"].iter_rows(min_row=2) for c in row if c.column == 3]
    formula = next(c for c in cells if str(c.value).startswith("="))
    assert formula.data_type == "s"  # written as text, never as a formula
    token = csrf_from(html)
    today = timeutil.utcnow().astimezone(timeutil.CHINA).date().isoformat()
    saved = admin.post(
        f"/surveys/{survey_id}/improvements",
        data={
            "csrf_token": token,
            "question": "0",
            "cause": "等候时间过长",
            "found_on": today,
            "measure": "分时段入场",
            "measure_on": today,
        },
    )
    assert saved.status_code == 302
    assert "分时段入场" in admin.get(f"/surveys/{survey_id}").get_data(True)
    records = list(load_workbook(io.BytesIO(admin.get(f"/surveys/{survey_id}/report.xlsx").data))["整改措施"].values)
    assert records[1][3] == "等候时间过长"


def test_an_anonymous_export_withholds_below_five(login, client, survey_world):
    body = survey_body({"session": survey_world.session_a})
    survey_id = client.post("/api/v1/surveys", json=body, headers=survey_world.headers["sadmin"]).get_json()["id"]
    answers = ["满意", "满意", "网站", ["培训"], "仅此一条意见"]
    client.post(
        f"/api/v1/surveys/{survey_id}/responses", json={"answers": answers}, headers=survey_world.headers["sc1"]
    )
    book = load_workbook(io.BytesIO(login("sadmin").get(f"/surveys/{survey_id}/report.xlsx").data))
    values = [v for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row]
    assert "仅此一条意见" not in values
    assert "不足5份，不予显示" in values


def test_settings_and_templates_pages(login, survey_world):
    admin = login("sadmin")
    page = admin.get("/surveys/settings")
    html = page.get_data(True)
    assert page.status_code == 200 and "基本满意以上" in html and "平台默认" in html
    saved = admin.post(
        "/surveys/settings", data={"csrf_token": csrf_from(html), "satisfied": "3", "target_percent": "85"}
    )
    assert saved.status_code == 302
    assert 'value="85"' in admin.get("/surveys/settings").get_data(True)
    token = csrf_from(admin.get("/surveys/templates").get_data(True))
    made = admin.post(
        "/surveys/templates",
        data={"csrf_token": token, "name": "培训满意度", "count": "1", "q-0-text": "培训内容", "q-0-type": "likert5"},
    )
    assert made.status_code == 302
    listing = admin.get("/surveys/templates").get_data(True)
    assert "培训满意度" in listing
    assert "培训内容" in admin.get("/surveys/new?template=1").get_data(True)
    assert admin.get("/surveys/comparison").status_code == 200
    assert admin.get("/surveys/comparison.png").data.startswith(b"\x89PNG")


def test_a_form_without_its_csrf_token_is_refused(login, survey_world):
    admin = login("sadmin")
    assert admin.post("/surveys/settings", data={"satisfied": "1", "target_percent": "50"}).status_code == 400
