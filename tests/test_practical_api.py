"""操作技能考核 through the API (api-contract: Practical assessment): the sheet from the skill weights,
422/403/409, corrections recorded, panels of 3, 4 and 5, a missing member, 59.99 vs 60 after averaging,
spreads and notes, 缺考/违纪, panel finalize with its skip list, locking, and the append-only record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from app import assessment, timeutil
from app.auth.models import User
from app.errors import Conflict
from app.extensions import db
from app.practical.models import AppendOnlyError, ScoreRecord
from app.sessions import enrolment as session_ops
from app.sessions.models import ExamSession
from app.standards.registry import get_standard
from tests.test_sessions_fixtures import approved, session_body

# 3-01-01-04 4.2 技能要求权重表, 四级
FOUR = {"宣传讲解": 15, "会员发展": 25, "权益维护": 15, "履职监督": 10, "会籍管理": 15, "会员服务": 20}


def sections_for(total: float) -> dict:
    """A sheet totalling ``total``: each section filled in order up to its maximum."""
    left, out = total, {}
    for area, maximum in FOUR.items():
        points = min(maximum, left)
        out[area] = round(points, 6)
        left = round(left - points, 6)
    assert left == 0
    return out


@pytest.fixture(name="setup")
def setup_fixture(app, client, make_user, token_for, monkeypatch):
    """build(graders=3, candidates=2, panels=None, level="四级", reviewers=0) -> dict with sid and tokens."""

    def build(graders=3, candidates=2, panels=None, level="四级", reviewers=0):
        make_user("admin1", "center_admin")
        admin = token_for("admin1")
        body = session_body(level=level, review_minutes=60 if level in ("二级", "一级") else None)
        if level in ("二级", "一级"):
            body["theory_minutes"], body["practical_minutes"] = 120, 120
        sid = client.post("/api/v1/sessions", json=body, headers=admin).get_json()["id"]
        names = panels or [None] * graders
        for n, panel in enumerate(names, start=1):
            make_user(f"g{n}", "grader")
            r = client.post(
                f"/api/v1/sessions/{sid}/staff",
                json={"username": f"g{n}", "role": "grader", "room": None, "panel": panel},
                headers=admin,
            )
            assert r.status_code == 201, r.get_json()
        for n in range(1, reviewers + 1):
            make_user(f"r{n}", "reviewer")
            client.post(
                f"/api/v1/sessions/{sid}/staff",
                json={"username": f"r{n}", "role": "reviewer", "room": None},
                headers=admin,
            )
        allowed = approved(monkeypatch)
        for n in range(1, candidates + 1):
            make_user(f"c{n}")
            with app.app_context():
                user_id = db.session.scalar(select(User.id).where(User.username == f"c{n}"))
            allowed.add((user_id, "3-01-01-04", level))
            r = client.post(
                f"/api/v1/sessions/{sid}/candidates", json={"username": f"c{n}", "room": None}, headers=admin
            )
            assert r.status_code == 201, r.get_json()
        return {"sid": sid, "admin": admin, "g": {n: token_for(f"g{n}") for n in range(1, len(names) + 1)}}

    return build


def put(client, s, grader: int, candidate: str, sections: dict):
    return client.put(
        f"/api/v1/sessions/{s['sid']}/practical/{candidate}", json={"sections": sections}, headers=s["g"][grader]
    )


def finalize(client, s, candidate: str, note=None):
    body = {"note": note} if note is not None else None
    return client.post(f"/api/v1/sessions/{s['sid']}/practical/{candidate}/finalize", json=body, headers=s["admin"])


def test_sheet_has_one_section_per_function_with_its_weight(client, setup):
    s = setup()
    sheet = client.get(f"/api/v1/sessions/{s['sid']}/practical/sheet", headers=s["g"][1])
    assert sheet.status_code == 200
    assert {x["area"]: x["max"] for x in sheet.get_json()["sections"]} == FOUR
    assert sum(x["max"] for x in sheet.get_json()["sections"]) == 100


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"会员服务": None}, "sections.会员服务"),  # missing
        ({"培训指导": 5}, "sections.培训指导"),  # unknown at 四级 (4.2: 二级/一级 only)
        ({"宣传讲解": -1}, "sections.宣传讲解"),  # negative
        ({"会员发展": 25.5}, "sections.会员发展"),  # above its max of 25
        ({"履职监督": "8"}, "sections.履职监督"),  # not a number
    ],
)
def test_bad_sections_are_422_and_store_nothing(app, client, setup, change, field):
    s = setup()
    sections = sections_for(70)
    for area, value in change.items():
        if value is None:
            sections.pop(area)
        else:
            sections[area] = value
    r = put(client, s, 1, "c1", sections)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["error"]["details"]["field"] == field
    with app.app_context():
        assert db.session.scalar(select(ScoreRecord.id)) is None


def test_non_graders_and_graders_off_the_session_are_403(client, setup, make_user, token_for):
    s = setup()
    make_user("outsider", "grader")
    make_user("proc", "proctor")
    for headers in (token_for("outsider"), token_for("proc"), token_for("c2"), s["admin"]):
        r = client.put(
            f"/api/v1/sessions/{s['sid']}/practical/c1", json={"sections": sections_for(70)}, headers=headers
        )
        assert r.status_code == 403, r.get_json()


def test_corrections_are_recorded_old_to_new_and_marks_stay_private(client, setup):
    s = setup()
    assert put(client, s, 1, "c1", sections_for(70)).status_code == 200
    assert put(client, s, 1, "c1", sections_for(72)).status_code == 200
    assert put(client, s, 2, "c1", sections_for(50)).status_code == 200
    record = client.get(f"/api/v1/sessions/{s['sid']}/practical/record", headers=s["admin"]).get_json()["record"]
    assert [(e["action"], e["by"]) for e in record] == [("entry", "g1"), ("correction", "g1"), ("entry", "g2")]
    assert record[1]["old"]["total"] == 70 and record[1]["new"]["total"] == 72
    # g1 sees only their own sheet, never g2's marks, before finalization
    mine = client.get(f"/api/v1/sessions/{s['sid']}/practical/c1", headers=s["g"][1]).get_json()
    assert [x["grader"] for x in mine["sheets"]] == ["g1"] and "preview" not in mine
    roster = client.get(f"/api/v1/sessions/{s['sid']}/practical", headers=s["g"][1]).get_json()["candidates"]
    assert "totals" not in roster[0] and roster[0]["mine"]["total"] == 72
    # the record is the center admin's only
    assert client.get(f"/api/v1/sessions/{s['sid']}/practical/record", headers=s["g"][1]).status_code == 403


def test_mean_of_three_is_unrounded_59_99_fails_and_60_passes(app, client, setup):
    s = setup()
    for grader, total in zip((1, 2, 3), (60, 60, 59.97), strict=True):
        assert put(client, s, grader, "c1", sections_for(total)).status_code == 200
    for grader in (1, 2, 3):
        assert put(client, s, grader, "c2", sections_for(60)).status_code == 200
    low = finalize(client, s, "c1")
    assert low.status_code == 200, low.get_json()
    body = low.get_json()
    assert body["score"] == pytest.approx(59.99, abs=1e-9) and body["score"] < 60
    assert body["graders"] == ["g1", "g2", "g3"] and body["spread"] == pytest.approx(0.03) and not body["flagged"]
    assert finalize(client, s, "c2").get_json()["score"] == 60
    with app.app_context():
        session = db.session.get(ExamSession, s["sid"])
        component = assessment.get("practical")
        scores = component.final_scores(session)
        by_name = {e.user.username: scores[e.id] for e in session.enrollments}
        standard = get_standard("3-01-01-04")
        assert not component.passed(by_name["c1"], standard)  # 1.9.2: 60分（含）以上, no rounding up
        assert component.passed(by_name["c2"], standard)


def test_a_missing_member_is_422(client, setup):
    s = setup()
    put(client, s, 1, "c1", sections_for(80))
    put(client, s, 2, "c1", sections_for(80))
    r = finalize(client, s, "c1")
    assert r.status_code == 422
    assert r.get_json()["error"]["code"] == "sheets_missing"
    assert r.get_json()["error"]["details"]["missing"] == ["g3"]


def test_an_even_panel_of_four_cannot_finalize(client, setup):
    s = setup(graders=4)
    for grader in (1, 2, 3, 4):
        put(client, s, grader, "c1", sections_for(80))
    r = finalize(client, s, "c1")
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "panel_invalid"
    assert "单数" in r.get_json()["error"]["message"]


def test_a_panel_of_five_finalizes_on_the_mean_of_five(client, setup):
    s = setup(graders=5)
    for grader, total in zip(range(1, 6), (74, 76, 80, 82, 88), strict=True):
        put(client, s, grader, "c1", sections_for(total))
    body = finalize(client, s, "c1").get_json()
    assert body["score"] == 80 and body["spread"] == 14 and len(body["graders"]) == 5


def test_a_panel_of_two_is_too_small(client, setup):
    s = setup(graders=2)
    put(client, s, 1, "c1", sections_for(80))
    put(client, s, 2, "c1", sections_for(80))
    assert finalize(client, s, "c1").get_json()["error"]["code"] == "panel_invalid"


def test_wide_spread_flags_and_needs_a_note(client, setup):
    s = setup()
    for grader, total in zip((1, 2, 3), (60, 70, 76), strict=True):  # spread 16 > 15
        put(client, s, grader, "c1", sections_for(total))
    for grader, total in zip((1, 2, 3), (60, 70, 75), strict=True):  # spread 15: not above the threshold
        put(client, s, grader, "c2", sections_for(total))
    refused = finalize(client, s, "c1")
    assert refused.status_code == 422 and refused.get_json()["error"]["details"]["field"] == "note"
    done = finalize(client, s, "c1", note="复核录像，三位考评员意见已当面核实")
    assert done.status_code == 200 and done.get_json()["flagged"] is True
    assert finalize(client, s, "c2").get_json()["flagged"] is False


def test_center_threshold_changes_the_flag(client, setup):
    s = setup()
    assert client.put("/api/v1/scoring/settings", json={"spread_threshold": 10}, headers=s["admin"]).status_code == 200
    for grader, total in zip((1, 2, 3), (60, 65, 71), strict=True):
        put(client, s, grader, "c1", sections_for(total))
    assert finalize(client, s, "c1").status_code == 422
    bad = client.put("/api/v1/scoring/settings", json={"spread_threshold": -1}, headers=s["admin"])
    assert bad.status_code == 422


def test_finalized_sheets_are_locked(client, setup):
    s = setup()
    for grader in (1, 2, 3):
        put(client, s, grader, "c1", sections_for(66))
    assert finalize(client, s, "c1").status_code == 200
    assert put(client, s, 1, "c1", sections_for(70)).status_code == 409
    assert finalize(client, s, "c1").status_code == 409
    mark = client.post(f"/api/v1/sessions/{s['sid']}/practical/c1/mark", json={"mark": "absent"}, headers=s["admin"])
    assert mark.status_code == 409
    # after finalization a grader may see the panel's totals
    seen = client.get(f"/api/v1/sessions/{s['sid']}/practical/c1", headers=s["g"][2]).get_json()
    assert len(seen["sheets"]) == 3


def test_absent_and_disqualified_finalize_to_failing(app, client, setup):
    s = setup()
    url = f"/api/v1/sessions/{s['sid']}/practical"
    assert client.post(f"{url}/c1/mark", json={"mark": "absent"}, headers=s["admin"]).status_code == 200
    no_reason = client.post(f"{url}/c2/mark", json={"mark": "disqualified"}, headers=s["admin"])
    assert no_reason.status_code == 422 and no_reason.get_json()["error"]["details"]["field"] == "reason"
    assert (
        client.post(
            f"{url}/c2/mark", json={"mark": "disqualified", "reason": "携带资料"}, headers=s["admin"]
        ).status_code
        == 200
    )
    assert finalize(client, s, "c1").get_json() | {} == {
        "username": "c1",
        "score": None,
        "graders": [],
        "totals": {},
        "spread": None,
        "flagged": False,
        "status": "absent",
        "note": None,
    }
    assert finalize(client, s, "c2").get_json()["status"] == "disqualified"
    with app.app_context():
        session = db.session.get(ExamSession, s["sid"])
        scores = assessment.get("practical").final_scores(session)
        assert {f.status for f in scores.values()} == {assessment.Status.absent, assessment.Status.disqualified}
        assert not any(assessment.get("practical").passed(f, get_standard("3-01-01-04")) for f in scores.values())


def test_named_panels_see_and_score_only_their_candidates(client, setup):
    s = setup(panels=["甲组"] * 3 + ["乙组"] * 3, candidates=4)
    roster = client.get(f"/api/v1/sessions/{s['sid']}/practical", headers=s["g"][1]).get_json()["candidates"]
    mine = {row["username"] for row in roster}
    others = {"c1", "c2", "c3", "c4"} - mine
    assert len(mine) == 2 and len(others) == 2
    assert put(client, s, 1, sorted(others)[0], sections_for(70)).status_code == 403
    assert put(client, s, 1, sorted(mine)[0], sections_for(70)).status_code == 200
    admin_roster = client.get(f"/api/v1/sessions/{s['sid']}/practical", headers=s["admin"]).get_json()["candidates"]
    assert {row["panel"] for row in admin_roster} == {"甲组", "乙组"}


def test_finalize_a_panel_lists_what_it_skipped(client, setup):
    s = setup(candidates=3)
    for grader in (1, 2, 3):
        put(client, s, grader, "c1", sections_for(70))
    put(client, s, 1, "c2", sections_for(70))
    for grader, total in zip((1, 2, 3), (50, 60, 90), strict=True):
        put(client, s, grader, "c3", sections_for(total))
    r = client.post(f"/api/v1/sessions/{s['sid']}/practical/finalize", json={"panel": None}, headers=s["admin"])
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert [x["username"] for x in body["finalized"]] == ["c1"]
    assert {x["username"]: x["code"] for x in body["skipped"]} == {"c2": "sheets_missing", "c3": "note_required"}
    # skipped candidates are untouched and can be finalized later
    again = client.post(
        f"/api/v1/sessions/{s['sid']}/practical/finalize",
        json={"all": True, "notes": {"c3": "已复核"}},
        headers=s["admin"],
    ).get_json()
    assert [x["username"] for x in again["finalized"]] == ["c3"]


def test_finalize_is_center_admin_only_and_other_centers_get_404(client, setup, make_user, token_for):
    s = setup()
    assert (
        client.post(f"/api/v1/sessions/{s['sid']}/practical/c1/finalize", json={}, headers=s["g"][1]).status_code == 403
    )
    make_user("other", "center_admin", center="另一机构")
    r = client.post(f"/api/v1/sessions/{s['sid']}/practical/c1/finalize", json={}, headers=token_for("other"))
    assert r.status_code == 404


def test_publishing_locks_entry(app, client, setup):
    s = setup()
    with app.app_context():
        db.session.get(ExamSession, s["sid"]).status = "published"
        db.session.commit()
    assert put(client, s, 1, "c1", sections_for(70)).status_code == 409


def test_the_record_is_append_only(app, client, setup):
    s = setup()
    put(client, s, 1, "c1", sections_for(70))
    with app.app_context():
        entry = db.session.scalar(select(ScoreRecord))
        entry.new = {"total": 100}
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        entry = db.session.scalar(select(ScoreRecord))
        db.session.delete(entry)
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(AppendOnlyError):
            db.session.execute(update(ScoreRecord).values(note="x"))
        with pytest.raises(AppendOnlyError):
            db.session.execute(delete(ScoreRecord))
        db.session.rollback()
        assert db.session.scalar(select(ScoreRecord)).new["total"] == 70


def test_sections_split_into_work_contents(app, client, setup):
    s = setup()
    url = f"/api/v1/sessions/{s['sid']}/practical/splits/会员发展"
    with app.app_context():
        functions = get_standard("3-01-01-04").work_requirements["四级"]
        contents = [c.name for f in functions if f.name == "会员发展" for c in f.contents]
    assert len(contents) >= 2
    wrong = client.put(url, json={"parts": [{"name": contents[0], "max": 10}, {"name": contents[1], "max": 10}]},
                       headers=s["admin"])  # fmt: skip
    assert wrong.status_code == 422  # 20 ≠ 25
    parts = [{"name": contents[0], "max": 10}, {"name": contents[1], "max": 15}]
    sheet = client.put(url, json={"parts": parts}, headers=s["admin"]).get_json()["sections"]
    assert next(x for x in sheet if x["area"] == "会员发展")["parts"] == parts
    sections = sections_for(70)
    sections.pop("会员发展")
    over = {"会员发展": {contents[0]: 11, contents[1]: 14}}
    r = client.put(
        f"/api/v1/sessions/{s['sid']}/practical/c1", json={"sections": sections, "parts": over}, headers=s["g"][1]
    )
    assert r.status_code == 422 and r.get_json()["error"]["details"]["field"] == f"parts.会员发展.{contents[0]}"
    good = {"会员发展": {contents[0]: 10, contents[1]: 15}}
    r = client.put(
        f"/api/v1/sessions/{s['sid']}/practical/c1", json={"sections": sections, "parts": good}, headers=s["g"][1]
    )
    assert r.status_code == 200 and r.get_json()["total"] == 70 and r.get_json()["sections"]["会员发展"] == 25
    # no restructuring under a grader's feet
    assert client.put(url, json={"parts": []}, headers=s["admin"]).status_code == 409


def test_scores_may_be_entered_in_a_session_whatever_its_clock(client, setup, app):
    s = setup()
    with app.app_context():
        session = db.session.get(ExamSession, s["sid"])
        session.theory_start = timeutil.utcnow() + timedelta(days=2)
        db.session.commit()
    assert put(client, s, 1, "c1", sections_for(70)).status_code == 200


def test_a_candidate_with_sheets_cannot_be_removed(app, client, setup):
    s = setup()
    put(client, s, 1, "c1", sections_for(70))
    with app.app_context():
        session = db.session.get(ExamSession, s["sid"])
        session.theory_start = timeutil.utcnow() + timedelta(days=2)  # a draft ahead of its window
        db.session.commit()
        enrollment_id = next(e.id for e in session.enrollments if e.user.username == "c1")
    with app.app_context():
        session = db.session.get(ExamSession, s["sid"])
        with pytest.raises(Conflict, match="操作技能考核已开始评分"):
            session_ops.remove_candidate(session, enrollment_id)
