"""Demo step of the surveys domain: the demo center's question template, a closed anonymous survey of the
published session with 7 of its 8 candidates' responses, its report and one improvement record (the
考场环境 question falls below the 90% target), and an open survey of the session in 评分中 that nobody
has answered yet. Runs after the results step (the sessions exist and hold their candidates)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import timeutil
from app.auth.models import User
from app.extensions import db
from app.sessions.demo import DEMO_PLANS
from app.sessions.models import Enrollment, SessionStatus

from . import improvements as improvement_ops
from . import operations as ops

QUESTIONS = [
    {"text": "您对本次考务组织（报名、通知、入场）的总体评价", "type": "likert5"},
    {"text": "您对考场环境与设施的评价", "type": "likert5"},
    {"text": "您对考评人员、监考人员服务态度的评价", "type": "likert5"},
    {
        "text": "您是通过什么渠道得知本次评价的",
        "type": "choice",
        "options": ["机构网站", "单位通知", "朋友介绍", "其他"],
    },
    {
        "text": "您希望本机构增加哪些服务（可多选）",
        "type": "choice",
        "options": ["考前培训", "线上练习", "证书查询", "继续教育"],
        "multiple": True,
        "required": False,
    },
    {"text": "您对我们的其他意见和建议", "type": "text"},
]
# Seven respondents (cand08 did not answer): 考场环境 has 4 of 7 satisfied, below the 90% target.
ANSWERS = [
    ["非常满意", "满意", "非常满意", "机构网站", ["考前培训", "线上练习"], "希望考前多组织模拟练习"],
    ["满意", "基本满意", "满意", "单位通知", ["考前培训"], "报名通知可以再早一些"],
    ["非常满意", "不满意", "非常满意", "单位通知", ["证书查询"], "考场空调温度偏低"],
    ["满意", "满意", "满意", "朋友介绍", ["线上练习", "继续教育"], ""],
    ["非常满意", "非常满意", "非常满意", "机构网站", [], "工作人员很耐心"],
    ["满意", "基本满意", "满意", "单位通知", ["考前培训", "继续教育"], "候考区座位不够"],
    ["基本满意", "满意", "满意", "其他", ["证书查询"], ""],
]


def _session_in(state: SessionStatus):
    return next(session for session, target in DEMO_PLANS if target == state)


def _invited(session) -> list[str]:
    query = select(User.username).join(Enrollment, Enrollment.user_id == User.id)
    return list(db.session.scalars(query.where(Enrollment.session_id == session.id).order_by(Enrollment.id)))


def demo_surveys(users: dict[str, User]) -> None:
    admin = users["center_admin"]
    now = timeutil.utcnow()
    template = ops.save_template(admin, {"name": "考后满意度调查（标准题目）", "questions": QUESTIONS}, now)

    published = _session_in(SessionStatus.published)
    opens = published.theory_start + timedelta(days=1)
    closes = min(now - timedelta(hours=1), opens + timedelta(days=7))
    closed = ops.create_survey(
        admin,
        {
            "title": f"{published.name}考后满意度调查",
            "audience": {"session": published.id},
            "anonymous": True,
            "opens": opens.isoformat(),
            "closes": closes.isoformat(),
            "template": template.id,
        },
        opens,
    )
    answered_at = opens + (closes - opens) / 2
    for username, answers in zip(_invited(published), ANSWERS, strict=False):
        ops.respond(closed.id, users[username], {"answers": answers}, answered_at)
    found = (closes + timedelta(minutes=30)).astimezone(timeutil.CHINA).date()
    improvement_ops.add_improvement(
        closed,
        admin,
        {
            "question": 1,
            "cause": "考场空调温度偏低、候考区座位不足（问卷意见与现场巡查）",
            "found_on": found.isoformat(),
            "measure": "调整空调设定温度并增设候考区座椅 20 个；下次批次前由考务负责人复查",
            "measure_on": found.isoformat(),
        },
        now,
    )

    scoring = _session_in(SessionStatus.scoring)
    ops.create_survey(
        admin,
        {
            "title": f"{scoring.name}考后满意度调查",
            "audience": {"session": scoring.id},
            "anonymous": True,
            "opens": (now - timedelta(hours=2)).isoformat(),
            "closes": (now + timedelta(days=14)).isoformat(),
            "template": template.id,
        },
        now - timedelta(hours=2),
    )
    db.session.flush()
