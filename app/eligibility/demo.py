"""Demo step of 申报: profiles and applications so that the sessions demo has approved candidates
(3-01-01-04 四级 and 3-01-04-03 五级), plus one application pending and one rejected."""

from __future__ import annotations

from app.auth.models import User

from . import operations as ops

SHE = "社团会员管理员"
LAB = "劳动保障协理员"


def _she_profile(number: int) -> dict:
    # 1.9.1 四级 (1): more than 5 years' cumulative work in 本职业 or a related occupation.
    return {
        "birth_date": f"{1980 + number}-0{1 + number % 9}-15",
        "work": [
            {"occupation": "公关员", "start": f"{2010 + number % 3}-03-01", "end": "2016-12-31"},
            {"occupation": SHE, "start": "2017-01-01", "end": None},
        ],
        "education": [
            {
                "school": "普通高等学校",
                "program": "本科",
                "major": "行政管理",
                "status": "graduated",
                "graduated": "2009-07-01",
                "assessed": False,
            }
        ],
    }


def _lab_profile(number: int) -> dict:
    # 3-01-04-03 1.9.1 五级 (2): 连续从事本职业工作半年及以上.
    return {
        "birth_date": f"{1990 + number % 8}-05-20",
        "work": [{"occupation": LAB, "start": "2023-09-01", "end": None}],
    }


def demo_eligibility(users: dict[str, User]) -> None:
    admin = users["center_admin"]
    plan = [(f"cand{n:02d}", "3-01-01-04", "四级", _she_profile(n)) for n in range(1, 9)]
    plan += [(f"cand{n:02d}", "3-01-04-03", "五级", _lab_profile(n)) for n in range(9, 15)]
    for username, standard, level, profile in plan:
        ops.save_profile(users[username], profile)
        application = ops.create_application(users[username], standard, level, profile)
        ops.decide(admin, application.id, approve=True, reason="材料齐全，符合申报条件")

    # Pending: 3 years after a 五级 certificate (四级 (2)), awaiting review.
    pending = {
        "birth_date": "1995-08-08",
        "work": [{"occupation": SHE, "start": "2019-05-01", "end": None}],
        "certificates": [{"occupation": SHE, "level": "五级", "issued": "2021-06-30"}],
    }
    ops.save_profile(users["cand15"], pending)
    ops.create_application(users["cand15"], "3-01-01-04", "四级", pending)

    # Rejected: applies for 三级 with about 4 years' work (needs 10, 1.9.1 三级 (1)).
    short = {"birth_date": "1998-02-28", "work": [{"occupation": SHE, "start": "2022-09-01", "end": None}]}
    ops.save_profile(users["cand16"], short)
    rejected = ops.create_application(users["cand16"], "3-01-01-04", "三级", short)
    ops.decide(admin, rejected.id, approve=False, reason="累计工作年限不足10年，且无四级证书")
