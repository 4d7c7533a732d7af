"""Demonstration of the organization rating: three expert accounts, one round of
changzhou-vocational with two organizations — the demo center, self-assessed, scored by the panel
and finalized; the second center in the middle of its self-assessment."""

from __future__ import annotations

from datetime import timedelta

from app.auth.models import Center, User
from app.auth.operations import create_user
from app.extensions import db
from app.timeutil import CHINA, utcnow

from . import panel, rounds, self_assessment
from .frameworks import Node

EXPERTS = [("expert1", "评估专家甲"), ("expert2", "评估专家乙"), ("expert3", "评估专家丙")]
# Inputs of the demo center's formula leaves (each rule holds but 2.3.1.1's: 3 staff → 8 of 10).
INPUTS = {
    "2.3.1.1": {"full_time_staff": 3},
    "2.2.2.2": {"members": 320, "council": 90},
    "2.2.2.3": {"council": 90, "standing_council": 25},
    "2.3.1.2": {"staff": 6, "under_50": 4},
    "2.3.1.3": {"staff": 6, "college": 5},
    "2.4.4.1": {"liabilities": 12000, "assets": 860000},
    "2.4.4.2": {"net_assets_start": 800000, "net_assets_end": 848000},
    "2.4.4.3": {"business_expense": 410000, "total_expense": 620000},
    "4.1.2.1": {"members_by_year": [280, 296, 305, 320]},
    "4.1.2.2": {"members": 320, "dues_paid": 262},
    "4.1.2.3": {"members": 320, "attended": 270},
}
# Where the demo panel takes points off (expert1, expert2, expert3) and why.
DEDUCTIONS = {
    "3.1.3.2": ([5, 6, 5], "未提供境外合作项目材料，仅有加入学术组织的证明"),
    "3.6.1.1": ([35, 38, 36], "创新做法有事例，业绩材料偏少"),
    "3.1.2.1": ([12, 10, 12], "有研究报告，缺政府批示"),
}


def _leaf_self(leaf: Node) -> dict:
    if leaf.formula is not None:
        return {"inputs": INPUTS[leaf.code], "note": "按统计表填写"}
    return {"score": leaf.points, "note": "材料齐全"}


def demo_rating(users: dict[str, User], password: str) -> None:
    for username, name in EXPERTS:
        users[username] = create_user(username, password, "expert", name=name)
    now = utcnow()
    due = (now + timedelta(days=30)).astimezone(CHINA).date()
    rnd = rounds.create_round(
        users["admin"],
        {
            "framework": "changzhou-vocational",
            "name": f"{due.year} 年度职业类社会团体等级评估",
            "year": due.year,
            "self_assessment_due": due.isoformat(),
            "publicity_days": rounds.DEFAULT_PUBLICITY_DAYS,
            "experts": [u for u, _ in EXPERTS],
        },
    )
    framework = rounds.framework_of(rnd)
    centers = [db.session.get(Center, users[u].center_id).name for u in ("center_admin", "other_admin")]
    done = rounds.enroll(rnd, {"center": centers[0]})
    started = rounds.enroll(rnd, {"center": centers[1]})
    for leaf in framework.leaves():
        self_assessment.save(done, users["center_admin"], leaf.code, _leaf_self(leaf), now)
    self_assessment.submit(done, users["center_admin"], now)
    for index, (username, _) in enumerate(EXPERTS):
        for leaf in framework.leaves():
            if leaf.code in DEDUCTIONS:
                scores, comment = DEDUCTIONS[leaf.code]
                body = {"score": scores[index], "comment": comment}
            elif leaf.code == "2.3.1.1":
                body = {"score": 8, "comment": "专职工作人员 3 名（2 名 6 分，每增加 1 人加 2 分）"}
            else:
                body = {"score": leaf.points, "comment": ""}
            panel.save(done, users[username], leaf.code, body, now)
    panel.finalize(done, users["admin"], now)
    for leaf in framework.nodes[0].children[0].children[0].children:  # 1.1.1.*: the first leaves
        self_assessment.save(started, users["other_admin"], leaf.code, _leaf_self(leaf), now)
