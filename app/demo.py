"""The demonstration data of ``flask demo``: centers, users of every role, and (as each domain
lands) banks, applications and a session in each state. Every demo password is DEMO_PASSWORD."""

from __future__ import annotations

from sqlalchemy import func, select

from app.auth.models import User
from app.auth.operations import create_user
from app.banks.demo import demo_banks
from app.eligibility.demo import demo_eligibility
from app.errors import Conflict
from app.exams.demo import demo_exams
from app.extensions import db
from app.papers.demo import demo_papers
from app.practical.demo import demo_practical
from app.rating.demo import demo_rating
from app.results.demo import demo_results
from app.sessions.demo import demo_sessions
from app.surveys.demo import demo_surveys
from app.training.demo import demo_training

DEMO_PASSWORD = "demo1234"
DEMO_CENTER = "示范职业技能评价中心"
OTHER_CENTER = "第二培训学校"

DEMO_STAFF = [
    ("admin", "admin", None, "平台管理员"),
    ("center_admin", "center_admin", DEMO_CENTER, "王主任"),
    ("other_admin", "center_admin", OTHER_CENTER, "李校长"),
    ("proctor1", "proctor", DEMO_CENTER, "监考员甲"),
    ("proctor2", "proctor", DEMO_CENTER, "监考员乙"),
    ("proctor3", "proctor", DEMO_CENTER, "监考员丙"),
    ("grader1", "grader", DEMO_CENTER, "考评员甲"),
    ("grader2", "grader", DEMO_CENTER, "考评员乙"),
    ("grader3", "grader", DEMO_CENTER, "考评员丙"),
    ("reviewer1", "reviewer", DEMO_CENTER, "评审委员甲"),
    ("reviewer2", "reviewer", DEMO_CENTER, "评审委员乙"),
    ("reviewer3", "reviewer", DEMO_CENTER, "评审委员丙"),
]
DEMO_CANDIDATE_NAMES = [
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨磊",
    "赵敏",
    "黄勇",
    "周婷",
    "吴强",
    "徐丽",
    "孙杰",
    "马超",
    "朱琳",
    "胡斌",
    "郭霞",
    "何涛",
    "高敏",
    "林峰",
    "罗佳",
]


def demo_users() -> dict[str, User]:
    users = {}
    for username, role, center, name in DEMO_STAFF:
        users[username] = create_user(username, DEMO_PASSWORD, role, center=center, name=name)
    for number, name in enumerate(DEMO_CANDIDATE_NAMES, start=1):
        username = f"cand{number:02d}"
        users[username] = create_user(username, DEMO_PASSWORD, "candidate", center=DEMO_CENTER, name=name)
    return users


def _demo_rating(users: dict[str, User]) -> None:
    demo_rating(users, DEMO_PASSWORD)


# Each domain appends its step; a step takes the users made above.
DEMO_STEPS = [
    demo_eligibility,
    demo_banks,
    demo_papers,
    demo_sessions,
    demo_exams,
    demo_practical,
    demo_results,
    demo_training,
    demo_surveys,
    _demo_rating,
]


def load_demo() -> str:
    if db.session.scalar(select(User).where(User.username == "center_admin")) is not None:
        return "演示数据已存在，未重复载入。"
    if db.session.scalar(select(func.count()).select_from(User)):
        raise Conflict("数据库中已有用户：演示数据只能载入空数据库。")
    users = demo_users()
    for step in DEMO_STEPS:
        step(users)
    db.session.flush()
    return f"演示数据已载入：{len(users)} 个用户，密码均为 {DEMO_PASSWORD}。"
