"""Issue 27 items 4, 6 and 10 on the pages (CSRF on): the 准考证 carries the candidate's photo and 证件号码
and the 操作技能考核's time and place; the exam page before the start shows the start, a countdown and the
rules (and still refuses the start); the 定分 buttons and the evidence delete say what they will do."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

from sqlalchemy import select

from app import timeutil
from app.auth.models import User
from app.eligibility.identity import save_identity, store_photo
from app.extensions import db
from app.practical.models import ComponentResult
from app.results.demo import demo_photo, demo_resident_id
from app.sessions.models import ExamSession, SessionStatus
from app.uploads import EvidenceFile
from tests.conftest import csrf_from
from tests.test_eligibility_pages import PDF
from tests.test_practical_api import put, sections_for, setup_fixture  # noqa: F401  (fixture)
from tests.test_sessions_fixtures import exam_setup_fixture  # noqa: F401  (fixture)


def page_text(response) -> str:
    return html.unescape(response.get_data(True))


def identify(app, username: str, number: int = 1) -> str:
    """Give ``username`` a 居民身份证 number and a photo (as the candidate's own profile does)."""
    resident = demo_resident_id(number, 1990)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        save_identity(user, "居民身份证", resident)
        store_photo(user, demo_photo(username))
        db.session.commit()
    return resident


# ---------------------------------------------------------------- item 10: the 准考证


def test_the_session_form_takes_the_practical_time_and_place_and_the_ticket_shows_them(app, login, exam_setup,
                                                                                      make_user):  # fmt: skip
    sid = exam_setup["sid"]
    with app.app_context():  # back before the start, so that the times may still be edited
        session = db.session.get(ExamSession, sid)
        session.status, session.theory_start = SessionStatus.scheduled, timeutil.utcnow() + timedelta(days=2)
        db.session.commit()
    resident = identify(app, "stu1")
    admin = login("admin1")
    form = page_text(admin.get(f"/sessions/{sid}/edit"))
    assert 'name="practical_start"' in form and 'name="practical_place"' in form
    practical = (timeutil.utcnow() + timedelta(days=3)).astimezone(timeutil.CHINA).replace(second=0, microsecond=0)
    theory = (timeutil.utcnow() + timedelta(days=2)).astimezone(timeutil.CHINA).strftime("%Y-%m-%dT%H:%M")
    data = {"csrf_token": csrf_from(form), "name": "十二月批次", "theory_start": theory, "theory_minutes": "90",
            "practical_minutes": "60", "practical_start": practical.strftime("%Y-%m-%dT%H:%M"),
            "practical_place": "本中心三楼实训室"}  # fmt: skip
    bad = admin.post(f"/sessions/{sid}/edit", data={**data, "practical_start": "下周一"})
    assert bad.status_code == 422 and "操作技能考核开始时间不是合法的日期时间" in page_text(bad)
    assert admin.post(f"/sessions/{sid}/edit", data=data).status_code == 302
    with app.app_context():
        session = db.session.get(ExamSession, sid)
        assert session.practical_start == practical and session.practical_place == "本中心三楼实训室"
    shown = timeutil.beijing(practical)
    api = admin.get(f"/api/v1/sessions/{sid}", headers=exam_setup["admin"]).get_json()
    assert api["practical_place"] == "本中心三楼实训室" and api["practical_start"] == timeutil.iso(practical)
    # the center's print: photo, the number masked (handed out, read at the door), practical time and place
    printed = page_text(admin.get(f"/sessions/{sid}/tickets"))
    masked = resident[:3] + "*" * 11 + resident[-4:]
    assert masked in printed and resident not in printed
    assert f"{shown} 起 60 分钟（北京时间）" in printed and "本中心三楼实训室" in printed
    photos = re.findall(r'<img src="([^"]+)" alt="stu1的证件照"', printed)
    assert photos and "照片未登记" in printed  # stu2 has none
    photo = admin.get(photos[0])
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg" and photo.data[:2] == b"\xff\xd8"
    # another center's admin sees neither the tickets nor the photo
    make_user("rival", "center_admin", center="别的中心")
    rival = login("rival")
    assert rival.get(photos[0]).status_code == 404 and rival.get(f"/sessions/{sid}/tickets").status_code == 404
    # the candidate's own ticket: the number in full, and their own photo
    own = page_text(login("stu1").get(f"/exams/{sid}/ticket"))
    assert resident in own and "本中心三楼实训室" in own and 'src="/eligibility/photo"' in own
    # without a profile photo or number the candidate is told where to register them
    other = page_text(login("stu2").get(f"/exams/{sid}/ticket"))
    assert "照片未登记" in other and "未登记" in other and "/eligibility/profile#identity" in other
    assert "时间另行通知" not in own and "另行通知" not in own


# ---------------------------------------------------------------- item 6: before the start


def test_the_exam_page_before_the_start_counts_down_and_the_start_stays_refused(app, login, exam_setup,
                                                                                 monkeypatch):  # fmt: skip
    sid = exam_setup["sid"]
    start = timeutil.utcnow() + timedelta(minutes=30)
    with app.app_context():
        session = db.session.get(ExamSession, sid)
        session.status, session.theory_start = SessionStatus.scheduled, start
        db.session.commit()
    browser = login("stu1")
    listing = page_text(browser.get("/exams/"))
    assert "考试须知与倒计时" in listing
    page = page_text(browser.get(f"/exams/{sid}/take"))
    words = re.sub(r"<[^>]+>", "", page)
    assert "理论考试尚未开始" in page and f"开始时间：{timeutil.beijing(start)}（北京时间）" in words
    assert f'data-start="{timeutil.iso(start)}"' in page and "js/countdown.js" in page and "js/exam.js" not in page
    assert "考试须知" in page and "A101，第 1 座" in page and "成绩达 60 分（含）以上为合格（1.9.2）" in page
    assert "理论知识考试以笔试、机考等方式为主（职业标准 1.9.2）" in page and "考试时长 90 分钟" in page
    countdown = re.search(r'id="countdown"[^>]*data-seconds="(\d+)"[^>]*>([^<]+)<', page)
    assert countdown and 1790 <= int(countdown.group(1)) <= 1800 and countdown.group(2).startswith("0:")
    # at the start the same address opens the exam page itself
    monkeypatch.setattr(timeutil, "utcnow", lambda: start + timedelta(seconds=1))
    opened = page_text(browser.get(f"/exams/{sid}/take"))
    assert "js/exam.js" in opened and "理论考试尚未开始" not in opened


def test_the_start_is_refused_before_theory_start(app, client, exam_setup, token_for):
    sid = exam_setup["sid"]
    with app.app_context():
        session = db.session.get(ExamSession, sid)
        session.status, session.theory_start = SessionStatus.scheduled, timeutil.utcnow() + timedelta(minutes=5)
        db.session.commit()
    refused = client.post(f"/api/v1/sessions/{sid}/attempt", headers=token_for("stu1"))
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "not_open"


# ---------------------------------------------------------------- item 4: 定分 and evidence


def test_finalize_buttons_state_how_many_sheets_they_lock(app, setup, client, login):
    s = setup(candidates=3)
    for grader in (1, 2, 3):
        for candidate, total in (("c1", 70), ("c2", 72)):
            assert put(client, s, grader, candidate, sections_for(total)).status_code == 200
    assert put(client, s, 1, "c3", sections_for(60)).status_code == 200  # c3: two sheets missing
    admin = login("admin1")
    url = f"/practical/{s['sid']}/practical/manage"
    page = page_text(admin.get(url))
    everything = (
        "全部定分：将为 2 名考生定分，锁定 6 份评分表，之后不能修改；另有 1 名考生尚不能定分，将被跳过。确定定分？"
    )
    assert f'data-confirm="{everything}"' in page
    assert "统一小组全部定分：将为 2 名考生定分，锁定 6 份评分表" in page
    assert "为 c1（c1）定分：70 分，锁定 3 份评分表，之后不能修改。确定定分？" in page
    done = admin.post(f"/practical/{s['sid']}/practical/finalize-panel",
                      data={"csrf_token": csrf_from(page), "all": "1"}, follow_redirects=True)  # fmt: skip
    assert "已定分 2 名考生" in page_text(done)
    with app.app_context():
        final = db.session.scalars(select(ComponentResult).where(ComponentResult.status == "final")).all()
        assert len(final) == 2
    after = page_text(admin.get(url))
    assert "全部定分：将为 0 名考生定分，锁定 0 份评分表" in after  # what is left says so too


def test_deleting_evidence_asks_first_naming_the_file(app, make_user, login):
    make_user("cand", center="甲中心")
    browser = login("cand")
    csrf = csrf_from(browser.get("/eligibility/profile").get_data(True))
    browser.post("/eligibility/evidence", data={"csrf_token": csrf, "label": "毕业证书", "file": (io.BytesIO(PDF),
                 "证书.pdf")}, content_type="multipart/form-data")  # fmt: skip
    with app.app_context():
        assert db.session.scalar(select(EvidenceFile.original_name)) == "证书.pdf"
    page = page_text(browser.get("/eligibility/profile"))
    assert re.search(r'data-confirm="删除证明材料「毕业证书」（证书\.pdf，[\d.]+ KB）？删除后文件不能恢复', page)
