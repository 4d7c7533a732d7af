"""Demo step of training and continuing education: qualifications of the demo trainers, a completed
3-01-04-03 五级 training (30 学时, 1.8) with 结业证书, a running 3-01-01-04 四级 training with a
class today, and a 学时认定 queue. Runs after the results step (the registry then has holders)."""

from __future__ import annotations

from datetime import timedelta

from app import timeutil
from app.auth.models import User
from app.continuing_education import operations as ce_ops
from app.continuing_education.models import CERecord, CEStatus
from app.extensions import db

from . import attendance, completion, qualifications
from . import operations as ops


def demo_training(users: dict[str, User]) -> None:
    admin = users["center_admin"]
    today = ops.today()
    for username, level in (("grader1", "二级"), ("grader2", "三级")):
        issued = today - timedelta(days=3 * 365)
        body = {
            "certificates": [{"occupation": "社团会员管理员", "level": level, "issued": issued.isoformat(), "no": ""}]
        }
        qualifications.save(admin, users[username], body, today)
    qualifications.save(
        admin,
        users["reviewer1"],
        {
            "titles": [
                {"rank": "高级", "matches_field": True, "obtained": (today - timedelta(days=4 * 365)).isoformat()}
            ]
        },
        today,
    )

    # A completed training: 劳动保障协理员 五级, 30 标准学时 (1.8), two classes of 15.
    start = today - timedelta(days=20)
    done = ops.create_training(
        admin,
        {
            "name": "劳动保障协理员五级预备培训（第一期）",
            "standard": "3-01-04-03",
            "level": "五级",
            "kind": "both",
            "start": start.isoformat(),
            "end": (start + timedelta(days=7)).isoformat(),
            "trainers": ["grader2"],
            "venue": {"name": "二楼多媒体教室", "type": "标准教室", "stations": 0},
        },
    )
    trainees = [f"cand{n:02d}" for n in range(1, 7)]
    for name in trainees:
        ops.add_trainee(done, name)
    first = ops.add_class(
        done, {"date": start.isoformat(), "start": "09:00", "end": "17:00", "hours": 15, "topic": "劳动就业政策"}
    )
    second = ops.add_class(
        done,
        {
            "date": (start + timedelta(days=1)).isoformat(),
            "start": "09:00",
            "end": "17:00",
            "hours": 15,
            "topic": "社会保险经办",
        },
    )
    attendance.save_attendance(admin, done, first, trainees)
    attendance.save_attendance(admin, done, second, trainees[:-1])  # cand06 missed a day: not completed
    completion.complete(admin, done)

    # A running training: 社团会员管理员 四级 (110 标准学时, 1.8.1), a practical part (1.8.3: 工位 ≥ 3).
    running = ops.create_training(
        admin,
        {
            "name": "社团会员管理员四级培训班",
            "standard": "3-01-01-04",
            "level": "四级",
            "kind": "both",
            "start": (today - timedelta(days=2)).isoformat(),
            "end": (today + timedelta(days=40)).isoformat(),
            "trainers": ["grader1", "grader2"],
            "venue": {"name": "会员服务实训室", "type": "专业实操场地", "stations": 6},
        },
    )
    for name in ("cand03", "cand07", "cand08", "cand10"):
        ops.add_trainee(running, name)
    ops.add_class(
        running,
        {
            "date": (today - timedelta(days=2)).isoformat(),
            "start": "09:00",
            "end": "12:00",
            "hours": 3,
            "topic": "职业道德",
        },
    )
    ops.add_class(
        running, {"date": today.isoformat(), "start": "00:00", "end": "23:59", "hours": 6, "topic": "会员发展实务"}
    )
    attendance.save_attendance(admin, running, running.classes[0], ["cand03", "cand07", "cand08"])

    # 学时认定 queue: claims of the staff, some decided.
    year = today.year
    claims = [
        ("grader1", "学术会议·讲座·访问", "专业科目", "社会组织人才评价研讨会", 8),
        ("grader2", "远程教育", "公需科目", "专业技术人员职业道德（网络课程）", 12),
        ("reviewer1", "培训·研修·进修", "专业科目", "等级评估专家研修班", 24),
        ("proctor1", "实践活动", "专业科目", "社区劳动保障服务实践", 16),
    ]
    for username, form, category, title, hours in claims:
        ce_ops.claim(
            users[username],
            {
                "year": year,
                "form": form,
                "category": category,
                "title": title,
                "date": today.isoformat(),
                "hours": hours,
            },
        )
    last = year - 1  # last year's records: grader1 met the requirement, grader2 did not (readiness warns)
    for username, category, hours in (
        ("grader1", "专业科目", 60),
        ("grader1", "公需科目", 30),
        ("grader2", "专业科目", 40),
    ):
        from_last = CERecord(
            user_id=users[username].id,
            center_id=users[username].center_id,
            year=last,
            form="培训·研修·进修",
            category=category,
            title=f"{last} 年度继续教育",
            date=today.replace(year=last, month=6, day=1),
            hours=hours,
            credited=hours,
            status=CEStatus.approved,
            source="claim",
            evidence=[],
            decided_by_id=admin.id,
            decided_at=timeutil.utcnow(),
        )
        db.session.add(from_last)
    db.session.flush()
