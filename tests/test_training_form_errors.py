"""Issue 27 item 5 on the 职业培训 and 继续教育 pages: a refused form answers 422 with the same page,
every error beside its field by its label (and in the summary at the top, linking to the field),
what was typed kept, nothing written; a good post still redirects (PRG). Dates relative to now.

Texts' boundaries used: 3-01-01-04 1.8.1 (五级 不少于 120 标准学时: 119 is refused); 3-01-04-03 1.8
(五级 30 学时, no 1.8.2, no 1.8.3); 学时认定 credits at most the hours claimed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import timeutil
from app.audit.models import AuditEntry
from app.continuing_education.models import CERecord, CERequirement, CEStatus
from app.extensions import db
from app.training import attendance
from app.training.models import Attendance, StaffQualification, Trainee, Training, TrainingClass
from tests.conftest import csrf_from

CENTER = "甲培训中心"
TABLES = (Training, Trainee, TrainingClass, Attendance, StaffQualification, CERecord, CERequirement, AuditEntry)


def today():
    return timeutil.utcnow().astimezone(timeutil.CHINA).date()


def counts(app) -> dict:
    with app.app_context():
        return {t.__name__: db.session.scalar(select(func.count()).select_from(t)) for t in TABLES}


def beside(html: str, field_id: str, message: str) -> bool:
    """``message`` in the error block of the input ``field_id`` (the macro's ``<id>-error``)."""
    start = html.find(f'id="{field_id}-error"')
    return start >= 0 and message in html[start : html.find("</div>", start)]


def linked(html: str, field_id: str, label: str) -> bool:
    """The summary at the top links to the field by its label."""
    return f'<a href="#{field_id}">{label}</a>' in html and html.find("error-summary") < html.find(f'id="{field_id}"')


@pytest.fixture
def boss(app, make_user, login):
    make_user("boss", role="center_admin", center=CENTER)
    make_user("t1", role="grader", center=CENTER, name="教师甲")
    for name in ("s1", "s2"):
        make_user(name, center=CENTER, name=f"学员{name}")
    return login("boss")


def post(browser, page: str, action: str, data: dict):
    html = browser.get(page).get_data(True)
    return browser.post(action, data={"csrf_token": csrf_from(html), **data})


def create_training(browser, **over) -> int:
    start = today()
    data = {
        "name": "劳动保障协理员五级培训班",
        "standard": "3-01-04-03",
        "level": "五级",
        "kind": "theory",
        "start": start.isoformat(),
        "end": (start + timedelta(days=30)).isoformat(),
        "trainers": "",
        "venue_name": "201 教室",
        "venue_type": "标准教室",
        "stations": "0",
    } | over
    response = post(browser, "/training/", "/training/new", data)
    assert response.status_code == 302, response.get_data(True)[:2000]
    with browser.application.app_context():
        return db.session.scalar(select(func.max(Training.id)))


# ---------------------------------------------------------------- 创建培训班


def test_create_training_shows_every_error_beside_its_field_and_keeps_the_typing(app, boss):
    page = boss.get("/training/").get_data(True)
    assert 'id="name" maxlength="200"' in page and 'maxlength="500"' in page  # 培训班名称, 培训教师
    before = counts(app)
    data = {
        "name": "",
        "standard": "3-01-01-04",
        "level": "五级",
        "kind": "practical",
        "hours": "119",  # 1.8.1: 五级 不少于 120
        "start": "明天",
        "end": today().isoformat(),
        "trainers": "nobody",
        "venue_name": "实训室甲",
        "venue_type": "专业实操场地",
        "stations": "2",  # 1.8.3: 工位不少于 3 个
    }
    response = post(boss, "/training/", "/training/new", data)
    html = response.get_data(True)
    assert response.status_code == 422
    assert beside(html, "name", "必须填写") and linked(html, "name", "培训班名称")
    assert beside(html, "hours", "119 学时少于标准规定的") and linked(html, "hours", "培训学时")
    assert beside(html, "start", "日期格式应为 YYYY-MM-DD") and linked(html, "start", "开始日期")
    assert beside(html, "trainers", "nobody 不是本机构的工作人员账号")
    assert beside(html, "stations", "工位不少于 3 个")
    assert 'value="119"' in html and 'value="明天"' in html and 'value="nobody"' in html and 'value="实训室甲"' in html
    assert '<option selected value="3-01-01-04">' in html and '<option selected value="practical">' in html
    assert counts(app) == before
    good = data | {"name": "社团会员管理员五级班", "hours": "120", "start": today().isoformat(), "trainers": ""}
    good |= {"stations": "3", "end": (today() + timedelta(days=40)).isoformat()}
    response = post(boss, "/training/", "/training/new", good)
    assert response.status_code == 302 and response.headers["Location"].endswith("/training/")
    assert counts(app)["Training"] == before["Training"] + 1


def test_an_overlong_training_name_is_refused_by_its_label(app, boss):
    before = counts(app)
    response = post(boss, "/training/", "/training/new", {"name": "班" * 201, "standard": "3-01-04-03"})
    html = response.get_data(True)
    assert response.status_code == 422
    assert beside(html, "name", "培训班名称不能超过 200 个字（现为 201 个字）")
    assert "班" * 201 in html and counts(app) == before


# ---------------------------------------------------------------- 培训班页：学员、课次、结业


def test_add_trainee_unknown_and_twice(app, boss):
    tid = create_training(boss)
    page = f"/training/{tid}"
    before = counts(app)
    response = post(boss, page, f"{page}/trainees", {"username": "ghost"})
    html = response.get_data(True)
    assert response.status_code == 422
    assert beside(html, "username", "用户 ghost 不存在") and linked(html, "username", "学员用户名")
    assert 'value="ghost"' in html and counts(app) == before
    assert post(boss, page, f"{page}/trainees", {"username": "s1"}).status_code == 302
    before = counts(app)
    response = post(boss, page, f"{page}/trainees", {"username": "s1"})
    html = response.get_data(True)
    assert response.status_code == 422 and "已是本培训班学员" in html.split("error-summary")[1][:600]
    assert counts(app) == before


def test_add_class_shows_all_its_errors_at_once(app, boss):
    tid = create_training(boss)
    page = f"/training/{tid}"
    before = counts(app)
    data = {"date": "", "start": "10:00", "end": "09:30", "hours": "0", "topic": "劳动法"}
    response = post(boss, page, f"{page}/classes", data)
    html = response.get_data(True)
    assert response.status_code == 422
    assert beside(html, "class-date", "必须填写") and linked(html, "class-date", "上课日期")
    assert beside(html, "class-end", "应晚于开始时间") and linked(html, "class-end", "结束时间")
    assert beside(html, "class-hours", "应大于 0") and linked(html, "class-hours", "课时")
    assert 'value="10:00"' in html and 'value="09:30"' in html and 'value="劳动法"' in html
    assert counts(app) == before
    long = post(boss, page, f"{page}/classes", data | {"topic": "课" * 201}).get_data(True)
    assert beside(long, "class-topic", "课程内容不能超过 200 个字（现为 201 个字）") and 'maxlength="200"' in long
    good = data | {"date": today().isoformat(), "end": "12:00", "hours": "2"}
    assert post(boss, page, f"{page}/classes", good).status_code == 302
    assert counts(app)["TrainingClass"] == before["TrainingClass"] + 1


def test_completing_twice_says_why_on_the_page_and_keeps_its_confirmation(app, boss):
    tid = create_training(boss)
    page = f"/training/{tid}"
    assert 'data-confirm="确认结业？' in boss.get(page).get_data(True)
    assert post(boss, page, f"{page}/complete", {}).status_code == 302
    before = counts(app)
    response = post(boss, page, f"{page}/complete", {})
    assert response.status_code == 422 and "该培训班已结业" in response.get_data(True).split("error-summary")[1]
    assert counts(app) == before


# ---------------------------------------------------------------- 考勤、签到


def test_attendance_refused_keeps_the_ticks_and_writes_nothing(app, boss):
    tid = create_training(boss)
    page = f"/training/{tid}"
    for name in ("s1", "s2"):
        assert post(boss, page, f"{page}/trainees", {"username": name}).status_code == 302
    data = {"date": today().isoformat(), "start": "00:00", "end": "23:59", "hours": "4"}
    assert post(boss, page, f"{page}/classes", data).status_code == 302
    with app.app_context():
        cid = db.session.scalar(select(TrainingClass.id).where(TrainingClass.training_id == tid))
    here = f"/training/{tid}/classes/{cid}/attendance"
    before = counts(app)
    html = boss.get(here).get_data(True)
    response = boss.post(here, data={"csrf_token": csrf_from(html), "present": ["s2", "t1"]})
    html = response.get_data(True)
    assert response.status_code == 422 and "t1 不是本培训班学员" in html.split("error-summary")[1][:600]
    assert 'value="s2" style="width:1.5rem;height:1.5rem" checked' in html  # the tick as sent
    assert counts(app) == before
    response = boss.post(here, data={"csrf_token": csrf_from(html), "present": ["s2"]})
    assert response.status_code == 302 and counts(app)["Attendance"] == before["Attendance"] + 1


def test_check_in_outside_the_class_is_said_on_the_page(app, boss, login):
    tid = create_training(boss, start=(today() - timedelta(days=3)).isoformat())
    page = f"/training/{tid}"
    assert post(boss, page, f"{page}/trainees", {"username": "s1"}).status_code == 302
    yesterday = {"date": (today() - timedelta(days=1)).isoformat(), "start": "08:00", "end": "10:00", "hours": "2"}
    assert post(boss, page, f"{page}/classes", yesterday).status_code == 302
    with app.app_context():
        link = f"/training/checkin/{attendance.checkin_token(db.session.scalar(select(TrainingClass)))}"
    trainee = login("s1")
    before = counts(app)
    html = trainee.get("/training/mine").get_data(True)
    response = trainee.post(link, data={"csrf_token": csrf_from(html)})
    assert response.status_code == 422
    assert "不在上课时间内，签到码无效" in response.get_data(True).split("error-summary")[1]
    assert counts(app) == before


# ---------------------------------------------------------------- 人员资格


def test_qualification_errors_beside_their_fields(app, boss):
    page = "/training/qualifications/t1"
    html = boss.get(page).get_data(True)
    assert 'id="no" maxlength="60"' in html
    before = counts(app)
    future = (today() + timedelta(days=2)).isoformat()
    data = {
        "occupation": "社团会员管理员",
        "level": "九级",
        "issued": future,
        "no": "A-1",
        "rank": "中级",
        "obtained": "",
    }
    response = post(boss, page, page, data)
    html = response.get_data(True)
    assert response.status_code == 422
    assert beside(html, "level", "未知等级 九级") and linked(html, "level", "证书等级")
    assert beside(html, "issued", "不能晚于今天") and linked(html, "issued", "发证日期")
    assert beside(html, "obtained", "必须填写") and linked(html, "obtained", "职称取得日期")
    assert 'value="九级"' in html and f'value="{future}"' in html and 'value="A-1"' in html
    assert counts(app) == before
    lost = post(boss, page, page, {"level": "三级"}).get_data(True)  # details without the occupation
    assert beside(lost, "occupation", "请选择证书职业") and 'value="三级"' in lost
    good = data | {"level": "三级", "issued": (today() - timedelta(days=800)).isoformat(), "rank": ""}
    assert post(boss, page, page, good).status_code == 302
    assert counts(app)["StaffQualification"] == before["StaffQualification"] + 1


# ---------------------------------------------------------------- 继续教育：认定、设置、申报


@pytest.fixture
def claim_id(app, boss, login):
    grader = login("t1")
    day = today()
    data = {"year": str(day.year), "form": "远程教育", "category": "公需科目", "title": "网络课程",
            "date": day.isoformat(), "hours": "6"}  # fmt: skip
    assert post(grader, "/ce/", "/ce/claim", data).status_code == 302
    with app.app_context():
        return db.session.scalar(select(CERecord.id).where(CERecord.title == "网络课程"))


def status_of(app, rid):
    with app.app_context():
        return db.session.get(CERecord, rid).status


def test_decide_refused_shows_the_claim_form_as_typed(app, boss, claim_id):
    rid = claim_id
    before = counts(app)
    response = post(boss, "/ce/queue", f"/ce/records/{rid}/decide", {"action": "approve", "hours": "7", "reason": "好"})
    html = response.get_data(True)
    assert response.status_code == 422
    assert beside(html, f"hours-{rid}", "超过") and linked(html, f"hours-{rid}", "认定学时")
    assert f'id="hours-{rid}" name="hours" value="7"' in html and 'value="好"' in html
    response = post(boss, "/ce/queue", f"/ce/records/{rid}/decide", {"action": "reject", "reason": "  "})
    assert response.status_code == 422 and beside(response.get_data(True), f"reason-{rid}", "必须填写")
    long = post(boss, "/ce/queue", f"/ce/records/{rid}/decide", {"action": "reject", "reason": "理" * 2001})
    assert long.status_code == 422 and beside(long.get_data(True), f"reason-{rid}", "意见不能超过 2000 个字")
    assert 'maxlength="2000"' in long.get_data(True)
    assert status_of(app, rid) == CEStatus.pending and counts(app) == before
    done = post(boss, "/ce/queue", f"/ce/records/{rid}/decide", {"action": "approve", "hours": "6"})
    assert done.status_code == 302 and status_of(app, rid) == CEStatus.approved
    again = post(boss, "/ce/queue", f"/ce/records/{rid}/decide", {"action": "approve", "hours": "6"})
    assert again.status_code == 422 and "不能再次认定" in again.get_data(True).split("error-summary")[1]


def test_ce_settings_errors_beside_their_inputs(app, boss):
    page = boss.get("/ce/settings").get_data(True)
    assert 'id="form-0"' in page and 'maxlength="40"' in page and 'maxlength="200"' in page
    before = counts(app)
    data = {
        "annual_hours": "九十",
        "min_公需科目": "-5",
        "min_专业科目": "60",
        "form": ["远程教育", "远程教育", "", ""],
        "hours_rule": ["按课时", "按证书", "每次 4 学时", ""],
    }
    response = post(boss, "/ce/settings", "/ce/settings", data)
    html = response.get_data(True)
    assert response.status_code == 422
    assert beside(html, "annual_hours", "应为数字") and linked(html, "annual_hours", "每年学时")
    assert beside(html, "min_公需科目", "公需科目 应为非负数")
    assert beside(html, "form-2", "请填写形式") and linked(html, "form-2", "第 3 行·形式")
    assert beside(html, "form-1", "远程教育 重复") and linked(html, "form-1", "第 2 行·形式")
    assert 'value="九十"' in html and 'value="-5"' in html and 'value="每次 4 学时"' in html
    assert counts(app) == before
    data |= {"form": ["远程教育", "远程教育", ""], "hours_rule": ["按课时", "按证书", ""]}
    good = data | {"annual_hours": "90", "min_公需科目": "", "form": ["远程教育", "面授"]}
    assert post(boss, "/ce/settings", "/ce/settings", good).status_code == 302
    assert counts(app)["CERequirement"] == before["CERequirement"] + 1


def test_ce_claim_shows_all_its_errors_at_once(app, boss, login):
    grader = login("t1")
    year = today().year
    before = counts(app)
    data = {"year": str(year), "form": "远程教育", "category": "公需科目", "title": "讲座",
            "date": f"{year - 1}-06-01", "hours": "0"}  # fmt: skip
    response = post(grader, "/ce/", "/ce/claim", data)
    html = response.get_data(True)
    assert response.status_code == 422
    assert beside(html, "date", "应在申报年度内") and beside(html, "hours", "应大于 0")
    assert 'value="讲座"' in html and counts(app) == before
