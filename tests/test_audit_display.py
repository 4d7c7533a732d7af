"""The audit log page reads like a record, not like JSON (issue 27 item 8): each changed field a row
「label：before → after」 in Chinese, actions and roles named in Chinese, people by their names (the
username in brackets), scores with two decimals cut toward zero; the API and the CSV keep the raw
codes and JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

from sqlalchemy import select

from app.audit.operations import record
from app.auth.models import User
from app.extensions import db
from app.timeutil import utcnow

from .conftest import csrf_from


def _log(html: str) -> str:
    """The log's table (the filter's options carry the codes as their values, on purpose)."""
    return html[html.index('<table class="grid stack audit-log">') :]


def _rows(html: str) -> str:
    """The log's text with tags dropped and spaces squeezed (what a reader sees)."""
    text = re.sub(r"<[^>]+>", " ", _log(html))
    return re.sub(r"\s+", " ", text)


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def test_certificate_settings_change_is_one_row_per_field_before_and_after(make_user, login):
    make_user("cadmin", "center_admin", name="李主任")
    browser = login("cadmin")
    page = browser.get("/results/settings")
    form = {"kind": "S", "org_code": "0000", "province": "32", "org_serial": "000123", "platform_code": "CZSS"}
    saved = browser.post("/results/settings", data={**form, "csrf_token": csrf_from(page.get_data(True))})
    assert saved.status_code == 302
    html = browser.get("/audit/").get_data(True)
    text = _rows(html)
    assert "证书编号设置" in text and "certificate.settings_changed" not in _log(html)
    assert "李主任（cadmin）" in text and "机构管理员" in text and "center_admin" not in _log(html)
    # before: never set (空); after: the typed segments, each under its Chinese label
    assert "评价机构类别代码： （空） → S 社会培训评价组织" in text
    assert "评价机构序列码： （空） → 000123" in text and "平台证书机构简码： （空） → CZSS" in text
    assert '{"kind"' not in _log(html) and "null" not in _log(html) and "&#34;kind&#34;" not in _log(html)


def test_sheet_correction_and_mean_read_in_chinese_with_names_and_two_decimals(app, make_user, login):
    make_user("root", "admin", name="平台管理员甲")
    make_user("grader3", "grader", name="王考评")
    make_user("cand1", "candidate", name="张三")
    with app.app_context():
        grader, root = _user("grader3"), _user("root")
        old = {"sections": {"宣传讲解": 12.0, "会员发展": 25.5}, "total": 37.5}
        new = {"sections": {"宣传讲解": 14.0, "会员发展": 25.5}, "total": 39.5}
        change = {"candidate": "cand1", "kind": "correction", "old": old, "new": new}
        record("practical.sheet_saved", None, change, actor=grader, subject_type="score_sheets", subject_id=7)
        final = {"candidate": "cand1", "status": "final", "score": 91.83333333333333, "spread": 2.5, "graders": 3}
        record("practical.finalized", None, {**final, "note": ""}, actor=root, subject_type="component_results")
        closed_at = (utcnow() - timedelta(days=5)).replace(second=0, microsecond=0)  # relative: any day
        closed = {"reason": "deadline", "closed_at": closed_at.isoformat(), "score": 59.995}
        record("exam.closed_at_deadline", None, closed, actor=None, subject_type="attempts", subject_id=3)
        db.session.commit()
    text = _rows(login("root").get("/audit/").get_data(True))
    # the correction: only the changed section and the total, before → after
    assert "宣传讲解： 12.00 → 14.00" in text and "合计： 37.50 → 39.50" in text
    assert "会员发展" not in text  # unchanged: not listed
    assert "类型： 更正" in text and "考生： 张三（cand1）" in text
    assert "王考评（grader3） 考评员" in text and "操作技能评分录入/更正" in text
    # the mean to two decimals, cut; the role in Chinese; codes named
    assert "分数： 91.83" in text and "91.8333" not in text and "状态： 已定分" in text
    assert "平台管理员甲（root） 平台管理员" in text
    # the system closed an attempt: 59.995 shows 59.99 (never 60.00), the time in Beijing time
    assert "系统" in text and "收卷方式： 到时自动收卷" in text and "分数： 59.99" in text and "60.00" not in text
    beijing = closed_at + timedelta(hours=8)  # China keeps no daylight saving
    assert f"收卷时间： {beijing:%Y-%m-%d %H:%M:%S}" in text


def test_api_and_csv_keep_the_raw_codes_and_json(app, client, make_user, login, token_for):
    make_user("root", "admin")
    make_user("cand1", "candidate", name="张三")
    with app.app_context():
        details = {"candidate": "cand1", "status": "final", "score": 91.83333333333333}
        record("practical.finalized", None, details, actor=_user("root"), subject_type="component_results")
        db.session.commit()
    body = client.get("/api/v1/audit", headers=token_for("root")).get_json()
    [entry] = [e for e in body["entries"] if e["action"] == "practical.finalized"]
    assert entry["details"] == details and entry["actor_role"] == "admin"
    rows = list(csv.reader(io.StringIO(login("root").get("/audit/export.csv").get_data(True).lstrip("\ufeff"))))
    [row] = [r for r in rows[1:] if r[5] == "practical.finalized"]
    assert json.loads(row[9]) == details and row[3] == "admin"
