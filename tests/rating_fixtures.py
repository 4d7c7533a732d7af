"""Shared set-up of the rating tests: a round of changzhou-vocational with three experts (and a
fourth who belongs to the rated center), one organization, and helpers scoring every leaf."""

from __future__ import annotations

from datetime import timedelta

from app import timeutil
from app.rating.frameworks import load_frameworks
from app.timeutil import CHINA

FRAMEWORK = load_frameworks()["changzhou-vocational"]
LEAVES = FRAMEWORK.leaves()
CENTER = "常州市职业技能协会"


def beijing_today():
    return timeutil.utcnow().astimezone(CHINA).date()


class RatingWorld:
    def __init__(self, client, make_user, token_for, experts: int = 3, due_days: int = 10):
        make_user("radmin", "admin")
        make_user("rca", "center_admin", center=CENTER)
        make_user("other_ca", "center_admin", center="另一协会")
        self.experts = [make_user(f"ex{i}", "expert") for i in range(1, experts + 1)]
        make_user("ex_own", "expert", center=CENTER)  # belongs to the rated center: 回避
        self.client = client
        self.admin = token_for("radmin")
        self.ca = token_for("rca")
        self.other_ca = token_for("other_ca")
        self.tokens = {u: token_for(u) for u in [*self.experts, "ex_own"]}
        self.due = beijing_today() + timedelta(days=due_days)

    def create_round(self, experts=None, **extra):
        body = {
            "framework": "changzhou-vocational",
            "name": "2026 年度等级评估",
            "year": 2026,
            "self_assessment_due": self.due.isoformat(),
            "publicity_days": 7,
            "experts": self.experts if experts is None else experts,
            **extra,
        }
        return self.client.post("/api/v1/rating/rounds", json=body, headers=self.admin)

    def setup(self, **extra):
        response = self.create_round(**extra)
        assert response.status_code == 201, response.get_json()
        self.rid = response.get_json()["id"]
        enrolled = self.client.post(
            f"/api/v1/rating/rounds/{self.rid}/organizations", json={"center": CENTER}, headers=self.admin
        )
        assert enrolled.status_code == 201, enrolled.get_json()
        self.cid = enrolled.get_json()["center_id"]
        return self

    @property
    def org(self) -> str:
        return f"/api/v1/rating/rounds/{self.rid}/organizations/{self.cid}"

    def submit(self):
        response = self.client.post(f"{self.org}/self/submit", headers=self.ca)
        assert response.status_code == 200, response.get_json()

    def score(self, expert: str, code: str, score, comment: str = ""):
        return self.client.put(
            f"{self.org}/experts/{code}", json={"score": score, "comment": comment}, headers=self.tokens[expert]
        )

    def score_all(self, scores: dict[str, list] | None = None, default=lambda leaf: leaf.points):
        """Every panel expert scores every leaf: ``scores[code]`` lists one score per expert."""
        for index, expert in enumerate(self.experts):
            for leaf in LEAVES:
                value = scores[leaf.code][index] if scores and leaf.code in scores else default(leaf)
                response = self.score(expert, leaf.code, value, "" if value == leaf.points else "材料不全")
                assert response.status_code == 200, (leaf.code, response.get_json())

    def finalize(self):
        return self.client.post(f"{self.org}/finalize", headers=self.admin)
