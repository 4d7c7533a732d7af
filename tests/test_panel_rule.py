"""One panel rule for the session's readiness and for finalize (3-01-01-04 1.9.3: 考评人员为3人以上
单数，每位考生由不少于3名考评员评分; 3-01-04-03 1.9.3: 3人（含）以上单数): the same staff gives the
same verdict through ``GET /sessions/<id>/readiness`` and ``POST …/practical/<username>/finalize``.

Unnamed graders score every candidate, so they join each named panel (scoring.panel.panels_of):
three unnamed + three in 甲 are one panel of six (even: both refuse), one unnamed + two in 甲 one of
three (both accept). 590008 states no panel rule: the platform's 3-and-odd applies in both, labelled
as the platform's.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from scoring.panel import PanelRule, panel_problem, panels_of
from tests.test_sessions_fixtures import approved, session_body

# ---------------------------------------------------------------- pure


def test_unnamed_members_join_every_named_panel():
    assert panels_of([(None, "a"), (None, "b"), (None, "c"), ("甲", "d"), ("甲", "e"), ("甲", "f")]) == {
        "甲": ["a", "b", "c", "d", "e", "f"]
    }
    assert panels_of([(None, "a"), ("乙", "b"), ("甲", "c")]) == {"乙": ["a", "b"], "甲": ["a", "c"]}
    assert panels_of([(None, "a"), (None, "b")]) == {None: ["a", "b"]}
    assert panels_of([]) == {}


@pytest.mark.parametrize(
    ("size", "codes"), [(0, ("too_small", "even")), (1, ("too_small",)), (2, ("too_small", "even")), (3, ()), (4, ("even",)), (5, ())]
)  # fmt: skip
def test_panel_problem_at_the_boundaries_of_3_and_odd(size, codes):
    problem = panel_problem(size, PanelRule(3, True, "1.9.3"), "考评小组")
    assert (problem.codes if problem else ()) == codes
    if problem:
        assert "考评小组" in problem.message and "1.9.3" in problem.message


# ---------------------------------------------------------------- readiness and finalize agree


@pytest.fixture(name="build")
def build_fixture(app, client, make_user, token_for, monkeypatch):
    """build(panels, standard, level) -> (session id, admin headers, grader headers): one grader per
    entry of ``panels`` (its panel name, None: unnamed) and two candidates."""

    def build(panels, standard="3-01-01-04", level="四级"):
        make_user("admin1", "center_admin")
        admin = token_for("admin1")
        sid = client.post("/api/v1/sessions", json=session_body(standard=standard, level=level), headers=admin)
        assert sid.status_code == 201, sid.get_json()
        sid = sid.get_json()["id"]
        for n, panel in enumerate(panels, start=1):
            make_user(f"g{n}", "grader")
            staff = {"username": f"g{n}", "role": "grader", "room": None, "panel": panel}
            assert client.post(f"/api/v1/sessions/{sid}/staff", json=staff, headers=admin).status_code == 201
        allowed = approved(monkeypatch)
        for name in ("c1", "c2"):
            make_user(name)
            with app.app_context():
                allowed.add((db.session.scalar(select(User.id).where(User.username == name)), standard, level))
            enrolled = client.post(f"/api/v1/sessions/{sid}/candidates", json={"username": name}, headers=admin)
            assert enrolled.status_code == 201, enrolled.get_json()
        return sid, admin, {n: token_for(f"g{n}") for n in range(1, len(panels) + 1)}

    return build


def panel_messages(client, sid, admin) -> list[str]:
    readiness = client.get(f"/api/v1/sessions/{sid}/readiness", headers=admin)
    assert readiness.status_code == 200
    codes = ("grader_panel_too_small", "grader_panel_even")
    return [p["message"] for p in readiness.get_json()["problems"] if p["code"] in codes]


def score_and_finalize(client, sid, admin, graders, candidate="c1"):
    """Every grader who scores ``candidate`` enters 80% of each section; then the admin finalizes."""
    sheet = client.get(f"/api/v1/sessions/{sid}/practical/sheet", headers=admin).get_json()["sections"]
    sections = {s["area"]: s["max"] * 0.8 for s in sheet}
    for headers in graders.values():
        client.put(f"/api/v1/sessions/{sid}/practical/{candidate}", json={"sections": sections}, headers=headers)
    return client.post(f"/api/v1/sessions/{sid}/practical/{candidate}/finalize", json={}, headers=admin)


def test_three_unnamed_and_three_named_are_one_even_panel_in_both(client, build):
    sid, admin, graders = build([None] * 3 + ["甲"] * 3)
    [message] = panel_messages(client, sid, admin)
    assert "「甲」" in message and "6 人" in message and "单数" in message and "未分组考评员 3 名" in message
    refused = score_and_finalize(client, sid, admin, graders)
    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "panel_invalid" and message in error["message"]  # the same words


def test_one_unnamed_and_two_named_are_one_panel_of_three_in_both(client, build):
    sid, admin, graders = build([None] + ["甲"] * 2)
    assert panel_messages(client, sid, admin) == []
    done = score_and_finalize(client, sid, admin, graders)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["graders"] == ["g1", "g2", "g3"] and done.get_json()["score"] == pytest.approx(80)


def test_590008_takes_the_platforms_three_and_odd_in_both(client, build):
    sid, admin, graders = build([None] * 2, standard="590008", level="初级")
    messages = panel_messages(client, sid, admin)
    assert len(messages) == 2 and all("平台" in m and "2 人" in m for m in messages)  # too small, even
    refused = score_and_finalize(client, sid, admin, graders)
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "panel_invalid"
    assert all(m in refused.get_json()["error"]["message"] for m in messages)


def test_590008_with_three_graders_is_ready_and_finalizes(client, build):
    sid, admin, graders = build([None] * 3, standard="590008", level="初级")
    assert panel_messages(client, sid, admin) == []
    done = score_and_finalize(client, sid, admin, graders)
    assert done.status_code == 200, done.get_json()
    assert len(done.get_json()["graders"]) == 3


# ---------------------------------------------------------------- the engine's arrows


def test_the_panel_engine_never_imports_the_registered_components():
    """traits ← engine (access, sheets, marking, reports) ← component: the engine asks the registry
    for a component's traits, so ``component.py`` (which imports the engine) is imported by none of it."""
    folder = Path(__file__).resolve().parent.parent / "app" / "practical"
    for name in ("panels", "traits", "access", "sheets", "marking", "reports"):
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        imported = {
            (node.module or "") + "." + alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        assert not [m for m in imported if "component" in m.split(".") or "views" in m], (name, imported)
