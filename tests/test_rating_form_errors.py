"""Rating page forms (issue 27 item 5): a refused post re-renders its page with every error beside its
field by its Chinese label (a leaf's named by its code and title), the summary at the top and what was
typed, and changes nothing; a good post still redirects. Dates relative to now."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape

from sqlalchemy import select

from app.extensions import db
from app.rating.frameworks import INPUT_LABELS, load_frameworks
from app.rating.models import RatingRound
from tests.conftest import csrf_from
from tests.rating_fixtures import CENTER, LEAVES, RatingWorld, beijing_today

PLAIN = next(leaf for leaf in LEAVES if leaf.formula is None)  # a leaf scored by hand
STAFF = next(leaf for leaf in LEAVES if leaf.formula is not None and leaf.formula.inputs == ["full_time_staff"])
CAPACITY = load_frameworks()["ssof-capacity"].leaves()[0]


def snapshot(app) -> dict:
    """Every row of every table: a refused post leaves them all as they were."""
    with app.app_context():
        return {
            t.name: sorted(map(repr, db.session.execute(select(t)).all()))
            for t in db.metadata.sorted_tables
            if not t.name.startswith("login_")  # sign-in bookkeeping of the test's own sign-ins
        }


def text(response) -> str:
    return unescape(response.get_data(True))


def summary(html: str) -> str:
    assert "error-summary" in html, "no error summary on the page"
    start = html.index("error-summary")
    return re.sub(r"<[^>]+>", "", html[start : html.index("</div>", start)])


def world(client, make_user, token_for, login):
    w = RatingWorld(client, make_user, token_for).setup()
    w.org_page = f"/rating/rounds/{w.rid}/organizations/{w.cid}"
    return w


def test_a_round_refused_shows_every_error_and_keeps_the_typed_values(app, client, make_user, token_for, login):
    RatingWorld(client, make_user, token_for)
    admin = login("radmin")
    token = csrf_from(admin.get("/rating/").get_data(True))
    before = snapshot(app)
    due = (beijing_today() + timedelta(days=20)).isoformat()
    form = {
        "csrf_token": token,
        "framework": "changzhou-vocational",
        "name": "二〇二六年度第二批",
        "year": "明年",
        "self_assessment_due": due,
        "publicity_days": "7",
        "experts": "ex1，ex2",
    }
    refused = admin.post("/rating/rounds", data=form)
    html = text(refused)
    assert refused.status_code == 422
    found = summary(html)
    assert "评估年度" in found and "须为 2000 至 2200 的整数" in found
    assert "评估专家" in found and "3人以上单数" in found  # both fields at once
    assert 'value="二〇二六年度第二批"' in html and 'value="ex1，ex2"' in html and f'value="{due}"' in html
    assert 'id="year-error"' in html and 'aria-invalid="true"' in html
    assert snapshot(app) == before
    long_name = admin.post("/rating/rounds", data=form | {"name": "批" * 201, "year": "2026", "experts": "ex1,ex2,ex3"})
    assert long_name.status_code == 422 and "批次名称不能超过 200 个字（现为 201 个字）" in text(long_name)
    assert 'id="name" name="name" required maxlength="200"' in text(admin.get("/rating/"))
    assert snapshot(app) == before
    made = admin.post("/rating/rounds", data=form | {"year": "2026", "experts": "ex1,ex2,ex3"})
    assert made.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(RatingRound.name).where(RatingRound.name == "二〇二六年度第二批"))


def test_the_round_page_forms(app, client, make_user, token_for, login):
    w = world(client, make_user, token_for, login)
    admin = login("radmin")
    page = admin.get(f"/rating/rounds/{w.rid}")
    html = page.get_data(True)
    token = csrf_from(html)
    assert 'data-confirm="确认开始公示？"' in html and 'data-confirm="确认公告评估结果并颁发证书？"' in html
    grades = admin.get(f"/api/v1/rating/rounds/{w.rid}", headers=w.admin).get_json()["grades"]
    before = snapshot(app)
    missing = admin.post(f"/rating/rounds/{w.rid}/organizations", data={"csrf_token": token, "center": "不存在的协会"})
    assert missing.status_code == 422
    assert "机构名称" in summary(text(missing)) and "未找到名为「不存在的协会」的机构" in text(missing)
    assert 'value="不存在的协会"' in text(missing)
    typed = {f"min_{g['grade']}": str(g["min"]) for g in grades}
    first, second = (f"min_{g['grade']}" for g in grades[:2])
    bad = admin.post(f"/rating/rounds/{w.rid}/grades", data=typed | {"csrf_token": token, first: "九十", second: "abc"})
    html = text(bad)
    assert bad.status_code == 422
    assert f"{grades[0]['grade']} 最低分：请填写数字" in html and f"{grades[1]['grade']} 最低分：请填写数字" in html
    assert 'value="九十"' in html and 'value="abc"' in html
    early = admin.post(f"/rating/rounds/{w.rid}/publish", data={"csrf_token": token})
    assert early.status_code == 409 and "尚未定分" in summary(text(early))  # a wrong state, in the summary
    assert snapshot(app) == before
    assert admin.post(f"/rating/rounds/{w.rid}/grades", data=typed | {"csrf_token": token}).status_code == 302
    enrolled = admin.post(f"/rating/rounds/{w.rid}/organizations", data={"csrf_token": token, "center": "另一协会"})
    assert enrolled.status_code == 302


def test_a_self_assessment_refused_names_the_leaf_and_keeps_what_was_typed(app, client, make_user, token_for, login):
    w = world(client, make_user, token_for, login)
    ca = login("rca")
    html = ca.get(w.org_page).get_data(True)
    token = csrf_from(html)
    assert 'data-confirm="提交后自评不能再修改，确认提交？"' in html
    before = snapshot(app)
    over = str(PLAIN.points + 5)
    note = "说" * 2001
    refused = ca.post(f"{w.org_page}/self/{PLAIN.code}", data={"csrf_token": token, "score": over, "note": note})
    html = text(refused)
    assert refused.status_code == 422
    found = summary(html)
    assert f"{PLAIN.code} {PLAIN.title} · 自评得分" in found and f"超出 0 至 {PLAIN.points}" in found
    assert f"{PLAIN.code} {PLAIN.title} · 说明：说明不能超过 2000 个字（现为 2001 个字）" in found  # both at once
    assert f'id="score-{PLAIN.code}-error"' in html and f'id="note-{PLAIN.code}-error"' in html
    assert f'value="{over}"' in html and f">{note}</textarea>" in html
    formula = ca.post(f"{w.org_page}/self/{STAFF.code}", data={"csrf_token": token, "full_time_staff": "三个"})
    found = summary(text(formula))
    assert formula.status_code == 422 and f"{STAFF.code} {STAFF.title} · 专职工作人员人数：专职工作人员人数：" in found
    assert 'value="三个"' in text(formula) and "full_time_staff" not in re.sub(r"<[^>]+>", "", found)
    assert all(name in INPUT_LABELS for leaf in LEAVES if leaf.formula for name in leaf.formula.inputs)
    bad_file = ca.post(
        f"{w.org_page}/upload",
        data={"csrf_token": token, "label": "", "file": (io.BytesIO(b""), "空.pdf")},
        content_type="multipart/form-data",
    )
    found = summary(text(bad_file))
    assert bad_file.status_code == 422 and "材料名称：请填写" in found and "文件为空" in found
    assert snapshot(app) == before
    saved = ca.post(f"{w.org_page}/self/{PLAIN.code}", data={"csrf_token": token, "score": "1", "note": "有会议记录"})
    assert saved.status_code == 302
    assert w.client.get(w.org, headers=w.ca).get_json()["leaves"][PLAIN.code]["self_score"] == 1


def test_expert_scoring_and_finalize(app, client, make_user, token_for, login):
    w = world(client, make_user, token_for, login)
    w.submit()
    expert = login("ex1")
    token = csrf_from(expert.get(w.org_page).get_data(True))
    before = snapshot(app)
    refused = expert.post(
        f"{w.org_page}/experts/{PLAIN.code}", data={"csrf_token": token, "score": "-1", "comment": "材料缺会议纪要"}
    )
    html = text(refused)
    assert refused.status_code == 422
    assert f"{PLAIN.code} {PLAIN.title} · 评分" in summary(html) and "超出 0 至" in html
    assert 'value="-1"' in html and ">材料缺会议纪要</textarea>" in html
    admin = login("radmin")
    admin_page = admin.get(w.org_page).get_data(True)
    assert 'data-confirm="定分后评分锁定，确认？"' in admin_page
    early = admin.post(f"{w.org_page}/finalize", data={"csrf_token": csrf_from(admin_page)})
    assert early.status_code == 422 and "尚有评估专家未完成全部指标的评分" in summary(text(early))
    assert snapshot(app) == before
    scored = expert.post(f"{w.org_page}/experts/{PLAIN.code}", data={"csrf_token": token, "score": "1", "comment": ""})
    assert scored.status_code == 302


def test_appeal_and_decision(app, client, make_user, token_for, login):
    w = world(client, make_user, token_for, login)
    w.submit()
    w.score_all()
    assert w.finalize().status_code == 200
    assert client.post(f"/api/v1/rating/rounds/{w.rid}/publish", headers=w.admin).status_code == 200
    ca = login("rca")
    token = csrf_from(ca.get(w.org_page).get_data(True))
    before = snapshot(app)
    refused = ca.post(
        f"{w.org_page}/appeal", data={"csrf_token": token, "reason": " ", "codes": f"{PLAIN.code}，9.9.9"}
    )
    html = text(refused)
    assert refused.status_code == 422
    found = summary(html)
    assert "复核理由：请填写" in found and "申请复核的指标编码第 2 项「9.9.9」：不是末级指标编码" in found
    assert f'value="{PLAIN.code}，9.9.9"' in html
    long = ca.post(f"{w.org_page}/appeal", data={"csrf_token": token, "reason": "由" * 4001, "codes": ""})
    assert long.status_code == 422 and "复核理由不能超过 4000 个字（现为 4001 个字）" in text(long)
    assert snapshot(app) == before
    lodged = ca.post(f"{w.org_page}/appeal", data={"csrf_token": token, "reason": "分数有误", "codes": PLAIN.code})
    assert lodged.status_code == 302
    admin = login("radmin")
    token = csrf_from(admin.get(w.org_page).get_data(True))
    before = snapshot(app)
    typed = f"{PLAIN.code}={PLAIN.points + 1}\n9.9.9=1"
    bad = admin.post(f"{w.org_page}/appeal/decide", data={"csrf_token": token, "decision": "changed", "scores": typed})
    html = text(bad)
    assert bad.status_code == 422
    found = summary(html)
    assert (
        f"变更的指标得分第 1 行（{PLAIN.code} {PLAIN.title}）" in found
        and "第 2 行：「9.9.9」不是末级指标编码" in found
    )
    assert f">{typed}</textarea>" in html and '<option value="changed" selected>' in html
    assert snapshot(app) == before
    decided = admin.post(
        f"{w.org_page}/appeal/decide", data={"csrf_token": token, "decision": "changed", "scores": f"{PLAIN.code}=0"}
    )
    assert decided.status_code == 302


def test_the_checklist_keeps_the_typed_answer(app, client, make_user, token_for, login):
    make_user("rca", "center_admin", center=CENTER)
    ca = login("rca")
    token = csrf_from(ca.get("/rating/checklists/ssof-capacity").get_data(True))
    url = f"/rating/checklists/ssof-capacity/{CAPACITY.code}"
    before = snapshot(app)
    refused = ca.post(url, data={"csrf_token": token, "level": "部分达到", "measure": ""})
    html = text(refused)
    assert refused.status_code == 422
    assert f"{CAPACITY.code} {CAPACITY.title} · 整改措施" in summary(html) and "须填写整改措施" in html
    assert f'id="item-{CAPACITY.code}"' in ca.get("/rating/checklists/ssof-capacity").get_data(True)  # a leaf's form
    assert "<option selected>部分达到</option>" in html
    long = ca.post(url, data={"csrf_token": token, "level": "部分达到", "measure": "改" * 2001})
    assert long.status_code == 422 and "整改措施不能超过 2000 个字（现为 2001 个字）" in text(long)
    assert snapshot(app) == before
    assert ca.post(url, data={"csrf_token": token, "level": "部分达到", "measure": "本月补齐"}).status_code == 302
