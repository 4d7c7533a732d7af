"""Anonymity that holds (contract v1.2: "an anonymous survey stores who has responded apart from what they
answered"; design: no foreign key, no timestamp or order that joins the two). The tables are inspected as
a database reader would: no column, key, hidden row number or shared write links a person to an answer;
nor does the audit log, the report, or the export."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, inspect, select, text

from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db
from app.surveys.models import SurveyInvitation, SurveyResponse
from tests.survey_fixtures import CENTER_A, build_survey_world, survey_body

PEOPLE = [f"anon{n:02d}" for n in range(1, 21)]
TEXT = [{"text": "您的意见", "type": "text", "required": True}]


@pytest.fixture
def survey_world(app, make_user, token_for):
    for username in PEOPLE:
        make_user(username, "candidate", CENTER_A)
    world = build_survey_world(app, make_user, token_for)
    world.headers.update({name: token_for(name) for name in PEOPLE})
    return world


def _members_survey(client, world, **overrides) -> int:
    body = survey_body({"center": "members"}, questions=TEXT, **overrides)
    response = client.post("/api/v1/surveys", json=body, headers=world.headers["sadmin"])
    assert response.status_code == 201
    return response.get_json()["id"]


def _answer_in_order(client, world, survey_id) -> list[str]:
    """Each person answers in turn with a text naming them and their turn: the arrival order is known."""
    sent = []
    for turn, username in enumerate(PEOPLE):
        answer = f"{turn:02d}-{username}"
        response = client.post(
            f"/api/v1/surveys/{survey_id}/responses", json={"answers": [answer]}, headers=world.headers[username]
        )
        assert response.status_code == 201
        sent.append(answer)
    return sent


def test_the_response_table_holds_no_person_no_time_and_no_link_to_the_invitation(app):
    with app.app_context():
        inspector = inspect(db.engine)
        columns = {c["name"]: c for c in inspector.get_columns("survey_responses")}
        assert set(columns) == {"id", "survey_id", "user_id", "answers"}
        assert not any("date" in str(c["type"]).lower() or "time" in str(c["type"]).lower() for c in columns.values())
        targets = {fk["referred_table"] for fk in inspector.get_foreign_keys("survey_responses")}
        assert targets == {"surveys", "users"}  # users only for named surveys; never the invitation
        invitation_columns = {c["name"] for c in inspector.get_columns("survey_invitations")}
        assert invitation_columns == {"id", "survey_id", "user_id", "responded"}  # no time of the response
        # the only column both share is the survey: nothing to join a person's row to an answer's row
        assert set(columns) & invitation_columns == {"id", "survey_id", "user_id"}
        if db.engine.dialect.name == "sqlite":  # no hidden rowid counting arrivals
            sql = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'survey_responses'"))
            assert "WITHOUT ROWID" in sql.upper()


def test_no_stored_order_is_the_order_of_arrival(app, client, survey_world):
    survey_id = _members_survey(client, survey_world)
    sent = _answer_in_order(client, survey_world, survey_id)
    # PostgreSQL stores rows in arrival order until the survey closes: closing reorders them by key
    closed = client.post(f"/api/v1/surveys/{survey_id}/close", headers=survey_world.headers["sadmin"])
    assert closed.status_code == 200, closed.get_json()
    with app.app_context():
        by_key = db.session.scalars(
            select(SurveyResponse.answers).where(SurveyResponse.survey_id == survey_id).order_by(SurveyResponse.id)
        ).all()
        as_stored = db.session.execute(
            text("SELECT answers FROM survey_responses WHERE survey_id = :s"), {"s": survey_id}
        ).scalars()
        stored = [a if isinstance(a, list) else json.loads(a) for a in as_stored]
        users = db.session.scalars(select(SurveyResponse.user_id).where(SurveyResponse.survey_id == survey_id)).all()
    arrival = [[a] for a in sent]
    assert sorted(by_key) == sorted(arrival)
    # 20 responses: the key order or the storage order matches arrival by chance once in 20! (2.4 × 10^18)
    assert by_key != arrival and stored != arrival
    assert users == [None] * len(PEOPLE)


def test_a_response_rewrites_every_invitation_of_the_survey_alike(app, client, survey_world):
    """One UPDATE over all the survey's invitations, so that on PostgreSQL the rows written with the answers
    (same transaction id, new physical positions) are all of them, not the respondent's alone."""
    survey_id = _members_survey(client, survey_world)
    invited = len(PEOPLE) + 2 + 7  # the 20, sadmin, sproctor and sc1 … sc7
    counts = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE SURVEY_INVITATIONS"):
            counts.append(cursor.rowcount)

    with app.app_context():
        event.listen(db.engine, "after_cursor_execute", count)
        try:
            response = client.post(
                f"/api/v1/surveys/{survey_id}/responses",
                json={"answers": ["好"]},
                headers=survey_world.headers["anon01"],
            )
        finally:
            event.remove(db.engine, "after_cursor_execute", count)
    assert response.status_code == 201
    assert counts == [invited]


def test_anonymous_responses_leave_no_audit_entry_and_named_ones_do(app, client, survey_world):
    anonymous = _members_survey(client, survey_world)
    named = _members_survey(client, survey_world, anonymous=False)
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(AuditEntry))
    for survey_id in (anonymous, named):
        response = client.post(
            f"/api/v1/surveys/{survey_id}/responses", json={"answers": ["好"]}, headers=survey_world.headers["anon01"]
        )
        assert response.status_code == 201
    with app.app_context():
        person = db.session.scalar(select(User.id).where(User.username == "anon01"))
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.id > 0).order_by(AuditEntry.id)).all()[before:]
        assert [(e.action, e.subject_id, e.actor_id) for e in entries] == [("survey.responded", named, person)]
        named_row = db.session.scalar(select(SurveyResponse).where(SurveyResponse.survey_id == named))
        assert named_row.user_id == person  # a named survey keeps the user


def test_the_report_and_the_export_name_nobody_and_keep_no_arrival_order(app, client, login, survey_world):
    survey_id = _members_survey(client, survey_world)
    sent = _answer_in_order(client, survey_world, survey_id)
    report = client.get(f"/api/v1/surveys/{survey_id}/report", headers=survey_world.headers["sadmin"]).get_json()
    assert report["questions"][0]["texts"] == sorted(sent)  # sorted by text, not by arrival
    survey = client.get(f"/api/v1/surveys/{survey_id}", headers=survey_world.headers["sadmin"]).get_json()
    assert "respondents" not in survey
    admin = login("sadmin")
    page = admin.get(f"/surveys/{survey_id}").get_data(True)
    assert "已填写（实名问卷）" not in page
    book = load_workbook(io.BytesIO(admin.get(f"/surveys/{survey_id}/report.xlsx").data))
    cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v]
    # the answers themselves name the people here (the test's own texts); no cell carries a username or
    # display name otherwise, and the answers come sorted, not in arrival order
    texts = [c for c in cells if c[:2].isdigit() and "-anon" in c]
    assert texts == sorted(sent)
    with app.app_context():
        names = set(db.session.scalars(select(User.username))) | {n for n in db.session.scalars(select(User.name)) if n}
    assert not [c for c in cells if c in names]


def test_the_invitation_keeps_only_the_flag(app, client, survey_world):
    survey_id = _members_survey(client, survey_world)
    client.post(
        f"/api/v1/surveys/{survey_id}/responses", json={"answers": ["好"]}, headers=survey_world.headers["anon01"]
    )
    with app.app_context():
        rows = db.session.execute(
            select(User.username, SurveyInvitation.responded)
            .join(User, User.id == SurveyInvitation.user_id)
            .where(SurveyInvitation.survey_id == survey_id, SurveyInvitation.responded.is_(True))
        ).all()
    assert rows == [("anon01", True)]
