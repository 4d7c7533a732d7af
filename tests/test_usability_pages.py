"""Exam-day usability (issue 13), page by page with CSRF on: CSV rosters and banks, duplicate and
withdrawn applications, occupation notes, Chinese messages and error pages, the session page's
controls and forms, Beijing time, the candidate's 准考证 and finished exam, the proctor list."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from app import timeutil
from app.auth.models import User
from app.eligibility.models import Application
from app.exams import attempts as exam_ops
from app.exams.models import Attempt
from app.extensions import db
from app.papers.models import Paper
from app.sessions import enrolment as session_ops
from app.sessions.models import Enrollment, ExamSession, SessionStatus, StaffAssignment
from app.spreadsheets import TableRefused, decode_csv, read_rows
from tests.conftest import csrf_from
from tests.test_sessions_fixtures import approved, build_papers, exam_setup_fixture, session_body  # noqa: F401

WORK = {"work": [{"occupation": "劳动保障协理员", "start": "2015-01-01", "end": None}]}
APPLY = {"standard": "3-01-04-03", "level": "五级", "candidate": WORK}


def _upload(browser, url: str, content: bytes, filename: str):
    token = csrf_from(browser.get(url.rsplit("/", 1)[0]).get_data(True))
    return browser.post(
        url,
        data={"csrf_token": token, "file": (BytesIO(content), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def visible(html: str) -> str:
    """The text a person reads (tags and attributes dropped)."""
    return re.sub(r"<[^>]+>", " ", html)


def _enrolled(app, sid: int) -> list[str]:
    with app.app_context():
        return sorted(
            e.user.username for e in db.session.scalars(select(Enrollment).where(Enrollment.session_id == sid))
        )


# ---------------------------------------------------------------- 1. CSV rosters and banks


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("gbk", b""), ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf")],
    ids=["gbk-excel", "utf8", "utf8-bom"],
)
def test_roster_csv_in_gbk_or_utf8_is_imported(app, login, make_user, exam_setup, encoding, prefix, monkeypatch):
    make_user("stu3", name="赵三")
    allowed = approved(monkeypatch)
    with app.app_context():
        allowed.add((db.session.scalar(select(User.id).where(User.username == "stu3")), "3-01-01-04", "四级"))
    sid = exam_setup["sid"]
    content = prefix + "用户名,考场\r\nstu3,A101\r\n".encode(encoding)
    page = _upload(login("admin1"), f"/sessions/{sid}/import", content, "名单.csv").get_data(True)
    assert "已导入 1 名考生" in page
    assert _enrolled(app, sid) == ["stu1", "stu2", "stu3"]


def test_roster_of_another_type_is_refused_clearly(app, login, exam_setup):
    sid = exam_setup["sid"]
    browser = login("admin1")
    for content, name, expected in (
        (b"\xd0\xcf\x11\xe0 old excel", "名单.xls", "旧版 Excel 文件（.xls）"),
        (b"%PDF-1.4", "名单.pdf", "收到的文件类型为 .pdf"),
        (b"not a zip", "名单.xlsx", "不是有效的 Excel 工作簿"),
    ):
        response = _upload(browser, f"/sessions/{sid}/import", content, name)
        text = response.get_data(True)
        assert response.status_code == 200 and expected in text and "服务器" not in text, name
        assert "只接受 Excel 工作簿（.xlsx）或 CSV 文件（.csv）" in text or "不是有效的" in text
    assert _enrolled(app, sid) == ["stu1", "stu2"]


def test_csv_decoding_boundaries():
    text = "用户名,考场\n张三,一号"
    assert decode_csv(text.encode("gbk")) == text  # Excel's "CSV (逗号分隔)" in China
    assert decode_csv(b"\xef\xbb\xbf" + text.encode("utf-8")) == text  # "CSV UTF-8" writes a BOM
    assert decode_csv(text.encode("utf-8")) == text
    assert read_rows(text.encode("gbk"), "x.CSV") == [["用户名", "考场"], ["张三", "一号"]]
    with pytest.raises(TableRefused, match="文件为空"):
        read_rows(b"", "x.csv")
    with pytest.raises(TableRefused, match=r"\.txt"):
        read_rows(b"a,b", "x.txt")


def test_bank_csv_import(app, login, make_user):
    make_user("boss", "center_admin")
    browser = login("boss")
    page = browser.get("/banks/import?standard=3-01-01-04").get_data(True)
    assert 'accept=".xlsx,.csv"' in page
    rows = [
        "题号,题型,题干,选项A,选项B,选项C,答案,分值,知识领域,等级,难度",
        "CSV-1,单选,会员登记的第一步是？,审核资格,填写申请,颁发证书,B,1,会员发展,四级,0.6",
        "CSV-2,判断,会员信息可以随意公开。,,,,错误,1,会员发展,四级,",
    ]
    content = "\r\n".join(rows).encode("gbk")
    response = browser.post(
        "/banks/import?standard=3-01-01-04",
        data={"csrf_token": csrf_from(page), "standard": "3-01-01-04", "file": (BytesIO(content), "题库.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "已导入 2 题" in response.get_data(True)
    bad = browser.post(
        "/banks/import?standard=3-01-01-04",
        data={"csrf_token": csrf_from(page), "standard": "3-01-01-04", "file": (BytesIO(b"x"), "题库.docx")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "只接受 Excel 工作簿（.xlsx）或 CSV 文件（.csv）" in bad.get_data(True)


# ---------------------------------------------------------------- 1. applications


@pytest.fixture
def people(make_user, token_for):
    make_user("boss", "center_admin", center="甲中心")
    make_user("cand", center="甲中心")
    make_user("other", center="甲中心")
    return {"boss": token_for("boss"), "cand": token_for("cand"), "other": token_for("other")}


def test_duplicate_application_is_409_with_a_link_and_pending_can_be_withdrawn(app, client, people):
    first = client.post("/api/v1/applications", json=APPLY, headers=people["cand"])
    assert first.status_code == 201
    aid = first.get_json()["id"]
    again = client.post("/api/v1/applications", json=APPLY, headers=people["cand"])
    assert again.status_code == 409
    error = again.get_json()["error"]
    assert error["code"] == "duplicate_application" and error["details"]["application_id"] == aid
    assert error["details"]["url"] == f"/eligibility/applications/{aid}" and "撤回" in error["message"]
    # another level is no duplicate; another candidate's application is not theirs to withdraw
    assert (
        client.post("/api/v1/applications", json={**APPLY, "level": "四级"}, headers=people["cand"]).status_code == 201
    )
    assert client.post(f"/api/v1/applications/{aid}/withdraw", headers=people["other"]).status_code == 404
    assert client.post(f"/api/v1/applications/{aid}/withdraw", headers=people["boss"]).status_code == 403
    withdrawn = client.post(f"/api/v1/applications/{aid}/withdraw", headers=people["cand"])
    assert withdrawn.status_code == 200 and withdrawn.get_json() == {"id": aid, "status": "withdrawn"}
    again = client.post("/api/v1/applications", json=APPLY, headers=people["cand"])
    assert again.status_code == 201
    new = again.get_json()["id"]
    assert client.post(f"/api/v1/applications/{new}/approve", json={}, headers=people["boss"]).status_code == 200
    # approved: no second application, and it can no longer be withdrawn
    refused = client.post("/api/v1/applications", json=APPLY, headers=people["cand"]).get_json()["error"]
    assert "已批准" in refused["message"] and refused["details"]["application_id"] == new
    assert client.post(f"/api/v1/applications/{new}/withdraw", headers=people["cand"]).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)) == 2  # 四级 and the approved 五级


def test_page_apply_twice_leads_to_the_existing_and_withdraw(app, client, people, login):
    browser = login("cand")
    page = browser.get("/eligibility/profile").get_data(True)
    assert '<datalist id="occupations">' in page and '<option value="劳动保障协理员">' in page
    aid = client.post("/api/v1/applications", json=APPLY, headers=people["cand"]).get_json()["id"]
    check = browser.get("/eligibility/check?target=3-01-04-03:五级").get_data(True)
    assert f"/eligibility/applications/{aid}" in check and "按当前资料提交申报" not in check
    token = csrf_from(check)
    response = browser.post("/eligibility/apply", data={"csrf_token": token, "target": "3-01-04-03:五级"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/eligibility/applications/{aid}")
    detail = browser.get(response.headers["Location"]).get_data(True)
    assert "您已有一份劳动保障协理员五级的申报" in detail and "撤回申报" in detail and "data-confirm" in detail
    done = browser.post(f"/eligibility/applications/{aid}/withdraw", data={"csrf_token": token}, follow_redirects=True)
    assert f"已撤回申报 #{aid}" in done.get_data(True)
    with app.app_context():
        assert db.session.get(Application, aid) is None


def test_unrecognised_occupation_is_named_with_suggestions(app, client, people, login):
    browser = login("cand")
    page = browser.get("/eligibility/profile").get_data(True)
    form = {"csrf_token": csrf_from(page), "birth_date": "1990-01-01", "action": "save",
            "work-0-occupation": "社团会员管理", "work-0-start": "2015-01-01", "work-0-end": ""}  # fmt: skip
    assert browser.post("/eligibility/profile", data=form).status_code == 302
    assert 'list="occupations"' in browser.get("/eligibility/profile").get_data(True)  # suggestions while typing
    check = browser.get("/eligibility/check?target=3-01-01-04:四级").get_data(True)
    assert "工作经历第 1 条「社团会员管理」" in check and "不计入工作年限" in check
    assert "是否应为「社团会员管理员」" in check
    # a recognised one carries no note
    form["work-0-occupation"] = "社团会员管理员"
    browser.post("/eligibility/profile", data=form)
    assert "未被识别" not in browser.get("/eligibility/check?target=3-01-01-04:四级").get_data(True)


def test_decision_flash_and_next_pending(app, client, people, make_user, token_for, login):
    make_user("cand2", center="甲中心")
    first = client.post("/api/v1/applications", json=APPLY, headers=people["cand"]).get_json()["id"]
    second = client.post("/api/v1/applications", json=APPLY, headers=token_for("cand2")).get_json()["id"]
    browser = login("boss")
    page = browser.get(f"/eligibility/applications/{first}").get_data(True)
    assert f"下一份待审核：#{second}" in page
    assert page.index("批准</button>") < page.index("系统核验结果")  # the decision sits on top
    response = browser.post(
        f"/eligibility/applications/{first}/decide", data={"csrf_token": csrf_from(page), "action": "approve"}
    )
    assert response.headers["Location"].endswith(f"/eligibility/applications/{second}")
    shown = browser.get(response.headers["Location"]).get_data(True)
    assert f"申报 #{first} 已批准" in shown and "已已" not in shown
    assert "没有其他待审核的申报" in shown


# ---------------------------------------------------------------- 2. Chinese messages and pages


def test_session_form_messages_name_fields_by_label(app, login, make_user):
    make_user("boss", "center_admin")
    browser = login("boss")
    page = browser.get("/sessions/new").get_data(True)
    # levels follow the standard: one choice per standard × level, grouped by standard
    assert '<optgroup label="3-01-01-04 社团会员管理员">' in page
    assert 'value="3-01-04-03|三级"' in page and 'value="3-01-04-03|四级"' in page
    assert 'value="3-01-04-03|二级"' not in page
    start = (timeutil.utcnow() + timedelta(days=3)).astimezone(timeutil.CHINA).strftime("%Y-%m-%dT%H:%M")
    form = {"csrf_token": csrf_from(page), "name": "", "target": "3-01-04-03|四级", "theory_start": start,
            "theory_minutes": "90", "practical_minutes": "-5"}  # fmt: skip
    text = browser.post("/sessions/new", data=form).get_data(True)
    assert "请填写批次名称" in text and " name " not in visible(text)
    assert 'value="3-01-04-03|四级" selected' in text  # what was chosen stays chosen
    form["name"] = "四级批次"
    text = browser.post("/sessions/new", data=form).get_data(True)
    assert "操作技能考核时长（分钟）不能小于 1" in text and "practical_minutes" not in visible(text)
    assert 'value="-5"' in text


def test_past_start_warns_and_needs_confirmation(app, login, make_user):
    make_user("boss", "center_admin")
    browser = login("boss")
    page = browser.get("/sessions/new").get_data(True)
    past = (timeutil.utcnow() - timedelta(days=400)).astimezone(timeutil.CHINA).strftime("%Y-%m-%dT%H:%M")
    form = {"csrf_token": csrf_from(page), "name": "旧批次", "target": "3-01-01-04|四级", "theory_start": past,
            "theory_minutes": "90", "practical_minutes": "60"}  # fmt: skip
    warned = browser.post("/sessions/new", data=form)
    assert (
        warned.status_code == 422
        and "已经过去" in warned.get_data(True)
        and 'name="confirm_past"' in warned.get_data(True)
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExamSession)) == 0
    assert browser.post("/sessions/new", data={**form, "confirm_past": "1"}).status_code == 302


def test_room_and_staff_errors_keep_what_was_typed_and_speak_chinese(app, login, exam_setup, make_user):
    sid = exam_setup["sid"]
    make_user("grad1", "grader")
    browser = login("admin1")
    token = csrf_from(browser.get(f"/sessions/{sid}").get_data(True))
    response = browser.post(f"/sessions/{sid}/rooms", data={"csrf_token": token, "name": "B202", "kind": "practical",
                                                              "capacity": "0", "stations": "4"})  # fmt: skip
    text = response.get_data(True)
    assert response.status_code == 422 and "容量不能小于 1" in text and "capacity" not in re.sub(r"<[^>]+>", " ", text)
    assert 'value="B202"' in text and 'value="4"' in text and '<option value="practical" selected>' in text
    # duty checks: a grader's account is no proctor, a proctor's no reviewer (a proctor without a room is
    # accepted — the contract allows room null — and flagged by readiness)
    for data, expected in (
        ({"username": "grad1", "role": "proctor", "room": str(exam_setup["room"])}, "是考评员，不能担任监考人员"),
        ({"username": "proc2", "role": "reviewer", "room": ""}, "不能担任综合评审委员"),
        ({"username": "proc1", "role": "proctor", "room": str(exam_setup["room"])}, "已是本批次的监考人员（A101）"),
    ):
        text = browser.post(f"/sessions/{sid}/staff", data={"csrf_token": token, **data}).get_data(True)
        assert expected in text and f'value="{data["username"]}"' in text, expected
    assert "proctor" not in re.sub(r"<[^>]+>", " ", text).split("考务人员")[0]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffAssignment)) == 1


def test_reviewer_for_a_level_without_review_and_a_proctor_without_room_are_flagged_by_readiness(
    app, client, exam_setup, make_user, token_for
):
    sid, admin = exam_setup["sid"], exam_setup["admin"]
    make_user("rev1", "reviewer")
    # accepted (the contract lets staff be planned before rooms exist), then named by readiness
    body = {"username": "rev1", "role": "reviewer", "room": None, "panel": None}
    assert client.post(f"/api/v1/sessions/{sid}/staff", json=body, headers=admin).status_code == 201
    body = {"username": "proc2", "role": "proctor", "room": None, "panel": None}
    assert client.post(f"/api/v1/sessions/{sid}/staff", json=body, headers=admin).status_code == 201
    problems = client.get(f"/api/v1/sessions/{sid}/readiness", headers=admin).get_json()["problems"]
    assert {"code": "staff_duty_mismatch", "message": "rev1（rev1）：四级没有综合评审，不需要综合评审委员"} in problems
    assert any(p["code"] == "staff_duty_mismatch" and "proc2" in p["message"] and "理论考场" in p["message"]
               for p in problems)  # fmt: skip
    # the account's role against the duty is still refused outright
    make_user("grad9", "grader")
    body = {"username": "grad9", "role": "proctor", "room": exam_setup["room"], "panel": None}
    error = client.post(f"/api/v1/sessions/{sid}/staff", json=body, headers=admin).get_json()["error"]
    assert error["details"]["field"] == "username" and "不能担任监考人员" in error["message"]


def test_readiness_shows_messages_not_codes_and_error_pages_are_chinese(app, client, login, exam_setup):
    sid = exam_setup["sid"]
    browser = login("admin1")
    page = browser.get(f"/sessions/{sid}").get_data(True)
    visible = re.sub(r"<[^>]+>", " ", page)
    assert "grader_panel_missing" not in visible and "尚未安排考评人员" in visible
    missing = browser.get("/sessions/99999", headers={"Referer": f"http://localhost/sessions/{sid}"})
    text = missing.get_data(True)
    assert missing.status_code == 404 and "404 · 页面不存在" in text and "考试批次不存在" in text
    assert "返回首页" in text and f'href="http://localhost/sessions/{sid}"' in text
    nowhere = browser.get("/no-such-page").get_data(True)
    assert "页面不存在" in nowhere and "Not Found" not in nowhere and "requested URL" not in nowhere
    denied = login("stu1").get("/sessions/")
    assert (
        denied.status_code == 403 and "无权访问" in denied.get_data(True) and "以其他账号登录" in denied.get_data(True)
    )
    assert "Forbidden" not in denied.get_data(True)
    api = client.get("/api/v1/no-such")
    assert api.status_code == 404 and "不存在" in api.get_json()["error"]["message"]


# ---------------------------------------------------------------- 3. the session page's controls


def test_only_possible_transitions_are_offered(app, client, login, make_user, token_for, monkeypatch):
    make_user("admin1", "center_admin")
    admin = token_for("admin1")
    start = timeutil.utcnow() + timedelta(hours=2)
    sid = client.post("/api/v1/sessions", json=session_body(start), headers=admin).get_json()["id"]
    browser = login("admin1")
    draft = browser.get(f"/sessions/{sid}").get_data(True)
    assert "分配试卷后批次即为" in draft and "立即开考" not in draft and "结束理论考试" not in draft
    with app.app_context():
        session_ops.attach_papers(db.session.get(ExamSession, sid), build_papers(1))
        db.session.commit()
    scheduled = browser.get(f"/sessions/{sid}").get_data(True)
    assert "立即开考" in scheduled and "data-confirm" in scheduled and "结束理论考试" not in scheduled
    assert "开始评分" not in scheduled
    opened = browser.post(
        f"/sessions/{sid}/status",
        # no staff yet: below 1.9.3, so 开考 on the page asks for a written reason
        data={"csrf_token": csrf_from(scheduled), "status": "open", "reason": "演练：考务人员稍后到岗"},
        follow_redirects=True,
    ).get_data(True)
    assert "批次状态：理论考试进行中" in opened and "立即开考" not in opened
    assert "结束理论考试" not in opened  # the window is running and nobody has handed in
    with app.app_context():
        session = db.session.get(ExamSession, sid)
        assert session.status == SessionStatus.theory_open and session.theory_start <= timeutil.utcnow()


def test_enrolment_without_a_room_says_so_and_papers_link(app, login, exam_setup, make_user, monkeypatch):
    sid = exam_setup["sid"]
    make_user("stu9", name="孙九")
    allowed = approved(monkeypatch)
    with app.app_context():
        allowed.add((db.session.scalar(select(User.id).where(User.username == "stu9")), "3-01-01-04", "四级"))
        paper_ids = [f.paper_id for f in db.session.get(ExamSession, sid).forms]
    browser = login("admin1")
    page = browser.get(f"/sessions/{sid}").get_data(True)
    assert all(f'href="/papers/{pid}"' in page for pid in paper_ids)
    done = browser.post(
        f"/sessions/{sid}/candidates", data={"csrf_token": csrf_from(page), "username": "stu9", "room": ""},
        follow_redirects=True,
    ).get_data(True)  # fmt: skip
    assert "孙九 已报名" in done and "尚未安排考场和座位" in done and "并安排座位" not in done


# ---------------------------------------------------------------- 3. times in Beijing


def test_papers_pages_in_beijing_time_and_printed_minutes_of_the_session(app, login, exam_setup):
    sid = exam_setup["sid"]
    with app.app_context():
        session = db.session.get(ExamSession, sid)
        paper = session.forms[0].paper_id
        session.component_row("theory").minutes = 75
        record = db.session.get(Paper, paper)
        record.center_id = session.center_id
        created = record.created_at
        db.session.commit()
    browser = login("admin1")
    view = browser.get(f"/papers/{paper}").get_data(True)
    assert "UTC" not in view and f"{timeutil.beijing(created)}（北京时间）" in view
    printed = browser.get(f"/papers/{paper}/print").get_data(True)
    assert "考试时间 75 分钟" in printed and "onclick" not in printed


# ---------------------------------------------------------------- 4./5. candidate and proctor pages


def test_candidate_sees_occupation_names_and_own_ticket(app, login, exam_setup, make_user):
    sid = exam_setup["sid"]
    browser = login("stu1")
    mine = browser.get("/exams/").get_data(True)
    assert "社团会员管理员 · 四级/中级工" in mine and "3-01-01-04 · 四级" not in mine
    assert f'href="/exams/{sid}/ticket"' in mine
    ticket = browser.get(f"/exams/{sid}/ticket").get_data(True)
    with app.app_context():
        number = db.session.scalar(
            select(Enrollment.ticket_no).join(User, User.id == Enrollment.user_id).where(User.username == "stu1")
        )
    assert number in ticket and "<svg" in ticket and "data-print" in ticket and "onclick" not in ticket
    others = [n for n in re.findall(r"\d{14}", ticket) if n != number]
    assert not others  # only their own card
    make_user("stranger")
    assert login("stranger").get(f"/exams/{sid}/ticket").status_code == 404


def test_reopening_a_finished_exam_shows_the_finished_state(app, login, exam_setup):
    sid = exam_setup["sid"]
    browser = login("stu1")
    take = browser.get(f"/exams/{sid}/take").get_data(True)
    assert 'id="exam-submit"' in take and "主导航" not in take  # no site menu during the exam
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "stu1"))
        started = exam_ops.start_attempt(sid, user, timeutil.utcnow())
        exam_ops.submit(db.session.get(Attempt, started.id), timeutil.utcnow())
        db.session.commit()
    finished = browser.get(f"/exams/{sid}/take").get_data(True)
    assert "您已交卷" in finished and 'id="exam-submit"' not in finished and "exam.js" not in finished
    assert 'href="/exams/"' in finished


def test_proctor_list_sorted_with_state_and_live_highlight(app, client, login, exam_setup, token_for):
    admin = exam_setup["admin"]
    later = client.post(
        "/api/v1/sessions", json=session_body(timeutil.utcnow() + timedelta(days=2), name="后天批次"), headers=admin
    ).get_json()["id"]
    room = client.post(f"/api/v1/sessions/{later}/rooms", json={"name": "C303", "capacity": 20, "kind": "theory"},
                       headers=admin).get_json()["id"]  # fmt: skip
    body = {"username": "proc1", "role": "proctor", "room": room, "panel": None}
    assert client.post(f"/api/v1/sessions/{later}/staff", json=body, headers=admin).status_code == 201
    page = login("proc1").get("/exams/proctor").get_data(True)
    assert page.index("A101") < page.index("C303")  # the live one first
    assert '<tr class="live">' in page and "正在考试" in page and "草稿" in page
    room_page = login("proc1").get(f"/exams/rooms/{exam_setup['room']}").get_data(True)
    assert "延长（分钟）" in room_page and 'data-confirm="强制收取' not in room_page  # nobody is sitting yet
    assert "<script>" not in room_page and 'data-refresh="30"' in room_page
