"""POST /api/v1/papers/assemble on the answers of issue 14: a proof named at once, an honest time-out."""

from __future__ import annotations

from app.papers import operations
from scoring.assembly import TimeLimitExceeded
from tests.test_papers_api import admin, request_body  # noqa: F401 — the fixture and the body


def test_band_no_sum_of_the_items_can_hit_is_infeasible_at_its_own_precision(client, admin):  # noqa: F811
    # the bank's difficulties are in thousandths; 18 items × 0.70005 = 12.6009 is no sum of thousandths
    body = request_body(difficulty={"min": 0.70005, "max": 0.70005})
    response = client.post("/api/v1/papers/assemble", json=body, headers=admin)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "infeasible" and error["details"]["constraint"] == "difficulty"
    assert "0.70005–0.70005" in error["message"]


def test_time_out_says_so_without_asking_to_relax(client, admin, monkeypatch):  # noqa: F811
    def out_of_time(*args, **kwargs):
        raise TimeLimitExceeded(
            "在 30 秒内既未组成满足全部约束的试卷，也未能证明无法组成：约束未必无法满足。",
            constraint="time_limit",
            details={"likely": "6 套试卷两两重复不超过 3 道时至少需要 63 道不同试题，可用 64 道"},
        )

    monkeypatch.setattr(operations, "assemble", out_of_time)
    response = client.post("/api/v1/papers/assemble", json=request_body(), headers=admin)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "time_limit_exceeded"
    assert error["details"] == {
        "constraint": "time_limit",
        "likely": "6 套试卷两两重复不超过 3 道时至少需要 63 道不同试题，可用 64 道",
    }
