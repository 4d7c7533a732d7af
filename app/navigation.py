"""The site navigation: (endpoint, label, roles). An entry shows only when its endpoint exists
and the user has one of its roles, so a domain adds its pages by naming them here.

The header shows the entries in groups (issue 27: a center admin had more than 20 links in one row):
``GROUPS`` names an entry's group by its endpoint, else by its blueprint (``BLUEPRINT_GROUPS``), so
a new entry lands in its domain's group without being listed twice. A group with one entry for this
user is a plain link; 首页 stays outside every group."""

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


# Group labels in the order the header shows them.
GROUP_ORDER = ("申报与考试", "考务", "题库与组卷", "评分与成绩", "培训", "评估", "系统", "其他")
GROUPS = {
    "main.index": None,  # outside every group
    "eligibility.profile": "申报与考试",
    "eligibility.my_applications": "申报与考试",
    "exams.my_exams": "申报与考试",
    "results.mine": "申报与考试",
    "talent.mine": "培训",
    "standards.index": "题库与组卷",
    "surveys.mine": "评估",
}
BLUEPRINT_GROUPS = {
    "eligibility": "考务",
    "sessions": "考务",
    "exams": "考务",
    "standards": "题库与组卷",
    "banks": "题库与组卷",
    "papers": "题库与组卷",
    "practical": "评分与成绩",
    "results": "评分与成绩",
    "statistics": "评分与成绩",
    "training": "培训",
    "ce": "培训",
    "talent": "培训",
    "rating": "评估",
    "surveys": "评估",
    "auth": "系统",
    "audit": "系统",
}


def group_of(endpoint: str) -> str | None:
    if endpoint in GROUPS:
        return GROUPS[endpoint]
    return BLUEPRINT_GROUPS.get(endpoint.split(".", 1)[0], "其他")


def nav_groups() -> list[tuple[str | None, list[tuple[str, str]]]]:
    """[(group label or None for a plain link, [(endpoint, label), …]), …] for this user, in
    ``GROUP_ORDER``; a group holding a single entry becomes a plain link."""
    items = nav_items()
    grouped: dict[str, list[tuple[str, str]]] = {}
    out: list[tuple[str | None, list[tuple[str, str]]]] = []
    for endpoint, label in items:
        group = group_of(endpoint)
        if group is None:
            out.append((None, [(endpoint, label)]))
        else:
            grouped.setdefault(group, []).append((endpoint, label))
    for group in sorted(grouped, key=lambda g: GROUP_ORDER.index(g) if g in GROUP_ORDER else len(GROUP_ORDER)):
        entries = grouped[group]
        out.append((None, entries) if len(entries) == 1 else (group, entries))
    return out


def nav_items() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    role = current_user.role.value
    return [
        (endpoint, label)
        for endpoint, label, roles in NAV_ITEMS
        if role in roles and endpoint in current_app.view_functions
    ]
