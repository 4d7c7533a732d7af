"""The site navigation: (endpoint, label, roles). An entry shows only when its endpoint exists
and the user has one of its roles, so a domain adds its pages by naming them here."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from app.auth.roles import ADMINS, EVERYONE, PANEL_MEMBERS, PROCTORS

ALL = EVERYONE
STAFF = ("grader", "proctor", "reviewer")  # who may teach (any staff role, contract v1.2)

NAV_ITEMS: list[tuple[str, str, tuple[str, ...]]] = [
    ("main.index", "首页", ALL),
    ("standards.index", "职业标准", ALL),
    ("auth.staff", "机构人员", ADMINS),
    ("eligibility.profile", "我的申报资料", ("candidate",)),
    ("eligibility.my_applications", "我的申报", ("candidate",)),
    ("eligibility.review_queue", "申报审核", ADMINS),
    ("banks.items", "题库", ADMINS),
    ("papers.index", "组卷", ADMINS),
    ("sessions.index", "考试批次", ADMINS),
    ("exams.my_exams", "我的考试", ("candidate",)),
    ("results.mine", "我的成绩与证书", ("candidate",)),
    ("exams.proctor_rooms", "监考", PROCTORS),
    ("practical.my_sheets", "评分", PANEL_MEMBERS),
    ("results.index", "成绩与证书", ADMINS),
    ("statistics.dashboard", "统计", ADMINS),
    ("surveys.index", "满意度测评", ADMINS),
    ("surveys.mine", "我的问卷", ALL),
    ("rating.index", "等级评估", (*ADMINS, "expert")),
    ("audit.index", "审计日志", ADMINS),
    # 职业培训 · 继续教育 · 人才库
    ("training.index", "职业培训", ADMINS),
    ("ce.queue", "学时认定", ADMINS),
    ("talent.index", "人才库", ADMINS),
    ("ce.settings", "继续教育设置", ("center_admin",)),
    ("training.teach", "我的授课", STAFF),
    ("training.mine", "我的培训", ALL),
    ("ce.mine", "我的学时", ALL),
    ("talent.mine", "我的证书与学时", ("candidate",)),
]


def nav_items() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    role = current_user.role.value
    return [
        (endpoint, label)
        for endpoint, label, roles in NAV_ITEMS
        if role in roles and endpoint in current_app.view_functions
    ]
