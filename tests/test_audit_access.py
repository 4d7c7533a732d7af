"""The audit log is append-only and editable by nobody (the ORM and the database both refuse an
UPDATE or DELETE, on SQLite and on PostgreSQL, also in a schema built by ``create_all``), and it
is readable by admins only: the platform admin everything, a center admin their own center's
entries (404 for another's), candidates and staff 403; the page, the API and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, delete, select, text, update
from sqlalchemy.exc import DatabaseError

from app import timeutil
from app.append_only import AppendOnlyError
from app.audit.models import AuditEntry
from app.extensions import db
from tests.audit_helpers import entries
from tests.conftest import USE_POSTGRES
from tests.test_banks_api import item

STD = "3-01-01-04"


@pytest.fixture
def two_centers(app, client, make_user, token_for) -> dict:
    """Center A's and center B's admins each import one item (one entry each); a platform admin, a
    grader of A and a candidate."""
    make_user("a_admin", "center_admin", center="甲中心")
    make_user("b_admin", "center_admin", center="乙中心")
    make_user("root", "admin")
    make_user("a_grader", "grader", center="甲中心")
    make_user("cand")
    tokens = {name: token_for(name) for name in ("a_admin", "b_admin", "root", "a_grader", "cand")}
    for name, n in (("a_admin", 1), ("b_admin", 2)):
        r = client.post(f"/api/v1/banks/{STD}/items", json={"items": [item(n)]}, headers=tokens[name])
        assert r.status_code == 201, r.get_json()
    r = client.post(f"/api/v1/banks/{STD}/items", json={"items": [item(3)]}, headers=tokens["root"])
    assert r.status_code == 201  # the platform's bank: an entry of no center
    return tokens


def ids(app) -> dict[str, int]:
    with app.app_context():
        return {e.details["created_ids"][0]: e.id for e in db.session.scalars(select(AuditEntry))}


# ---------------------------------------------------------------- append-only


def test_the_orm_refuses_to_change_or_delete_an_entry(app, two_centers):
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry))
        entry.details = {"created": 0}
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        entry = db.session.scalar(select(AuditEntry))
        db.session.delete(entry)
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(AppendOnlyError):
            db.session.execute(update(AuditEntry).values(action="bank.item_edited"))
        with pytest.raises(AppendOnlyError):
            db.session.execute(delete(AuditEntry))
        db.session.rollback()
    assert len(entries(app)) == 3


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_entries SET details = '{}', actor_id = NULL", "DELETE FROM audit_entries"]
)
def test_the_database_refuses_raw_sql_changes(app, two_centers, statement):
    """Not even SQL sent past the ORM changes an entry (SQLite: BEFORE triggers raising ABORT;
    PostgreSQL: a trigger function raising) — on the database the migrations built."""
    before = entries(app)
    with app.app_context():
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert entries(app) == before


@pytest.mark.parametrize("table", ["audit_entries", "score_records", "difficulty_writebacks"])
def test_every_append_only_table_has_its_triggers(app, table):
    """The migration gives the two older append-only records (panel score changes, difficulty
    write-backs) the same database triggers as the audit log."""
    with app.app_context():
        expected = {f"{table}_no_change"} if USE_POSTGRES else {f"{table}_no_update", f"{table}_no_delete"}
        assert set(_triggers(table)) == expected


def _triggers(table: str) -> list[str]:
    if USE_POSTGRES:
        query = "SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) AND NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"
    return list(db.session.scalars(text(query), {"t": table}))


def test_a_schema_built_by_create_all_refuses_changes_too(app):
    """Tools and tests that build the schema with ``metadata.create_all()`` get the triggers from the
    table's DDL event (app/append_only.py)."""
    if USE_POSTGRES:
        with app.app_context():
            connection = db.session.connection()
            connection.execute(text("CREATE SCHEMA create_all_check"))
            connection.execute(text("SET LOCAL search_path TO create_all_check"))
            tables = [db.metadata.tables[name] for name in ("centers", "users", "audit_entries")]
            db.metadata.create_all(connection, tables=tables)
            _insert_and_try_to_change(connection)
            db.session.rollback()  # PostgreSQL's DDL is transactional: the schema goes too
        return
    engine = create_engine("sqlite://")
    db.metadata.create_all(engine)
    with engine.connect() as connection:
        _insert_and_try_to_change(connection)
    engine.dispose()


def _insert_and_try_to_change(connection) -> None:
    connection.execute(
        text(
            "INSERT INTO audit_entries (at, actor_role, action, subject_type, details, client_ip, request_id) "
            "VALUES (:at, '', 'token.revoked', 'api_tokens', '{}', '', '')"
        ),
        {"at": timeutil.utcnow()},
    )
    for statement in ("UPDATE audit_entries SET action = 'x'", "DELETE FROM audit_entries"):
        savepoint = connection.begin_nested()
        with pytest.raises(DatabaseError, match="append-only"):
            connection.execute(text(statement))
        savepoint.rollback()
    assert connection.execute(text("SELECT action FROM audit_entries")).scalars().all() == ["token.revoked"]


def test_no_route_edits_or_deletes_an_entry(app):
    audit_rules = [rule for rule in app.url_map.iter_rules() if "audit" in rule.rule]
    assert {rule.rule for rule in audit_rules} == {
        "/audit/",
        "/audit/export.csv",
        "/api/v1/audit",
        "/api/v1/audit/<int:entry_id>",
    }
    for rule in audit_rules:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


# ---------------------------------------------------------------- who reads what


def test_each_admin_reads_their_own_and_the_platform_admin_everything(app, client, two_centers):
    def listed(name):
        r = client.get("/api/v1/audit", headers=two_centers[name])
        assert r.status_code == 200, r.get_json()
        return [e["details"]["created_ids"][0] for e in r.get_json()["entries"]]

    assert listed("a_admin") == ["T-0001"]
    assert listed("b_admin") == ["T-0002"]
    assert listed("root") == ["T-0003", "T-0002", "T-0001"]  # newest first
    entry_ids = ids(app)
    url = f"/api/v1/audit/{entry_ids['T-0001']}"
    body = client.get(url, headers=two_centers["a_admin"]).get_json()
    assert (
        body["actor"] == "a_admin" and body["actor_role"] == "center_admin" and body["action"] == "bank.items_imported"
    )
    assert body["subject"] == {"type": "bank_items", "id": None} and body["at"].endswith("+08:00")
    assert client.get(url, headers=two_centers["b_admin"]).status_code == 404  # another center's: not found
    assert client.get(f"/api/v1/audit/{entry_ids['T-0003']}", headers=two_centers["a_admin"]).status_code == 404
    assert client.get(url, headers=two_centers["root"]).status_code == 200
    assert client.get("/api/v1/audit/99999", headers=two_centers["root"]).status_code == 404


@pytest.mark.parametrize("who", ["a_grader", "cand"])
def test_candidates_and_staff_are_refused(app, client, two_centers, login, who):
    r = client.get("/api/v1/audit", headers=two_centers[who])
    assert r.status_code == 403 and r.get_json()["error"]["code"]
    assert client.get(f"/api/v1/audit/{ids(app)['T-0001']}", headers=two_centers[who]).status_code == 403
    browser = login(who)
    assert browser.get("/audit/").status_code == 403
    assert browser.get("/audit/export.csv").status_code == 403
    assert "审计日志" not in browser.get("/").get_data(True)  # not in the navigation either


def test_anonymous_is_401_and_sent_to_sign_in(client, two_centers):
    assert client.get("/api/v1/audit").status_code == 401
    assert client.get("/audit/").status_code == 302


# ---------------------------------------------------------------- filters and pages


def test_filters_by_action_actor_subject_and_dates(app, client, two_centers):
    root = two_centers["root"]

    def got(**args):
        r = client.get("/api/v1/audit", query_string=args, headers=root)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    assert got(actor="b_admin")["total"] == 1
    assert got(action="bank.items_imported")["total"] == 3
    assert got(action="bank.")["total"] == 3  # a prefix ending in "."
    assert got(action="bank")["total"] == 0  # not a prefix: an exact code
    assert got(action="certificate.revoked")["total"] == 0
    assert got(subject_type="bank_items")["total"] == 3
    today = timeutil.utcnow().astimezone(timeutil.CHINA).date()
    assert got(**{"from": today.isoformat(), "to": today.isoformat()})["total"] == 3
    assert got(**{"from": (today + timedelta(days=1)).isoformat()})["total"] == 0
    assert got(to=(today - timedelta(days=1)).isoformat())["total"] == 0
    page = got(per_page=2, page=2)
    assert (page["total"], page["pages"], page["page"], len(page["entries"])) == (3, 2, 2, 1)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-12-02", "to": "2026-12-01"}, "from"),
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "1000"}, "per_page"),
        ({"page": "-1"}, "page"),
        ({"subject_id": "9" * 30}, "subject_id"),
        ({"actor": "x" * 81}, "actor"),
    ],
)
def test_bad_filters_are_422_naming_the_field(client, two_centers, login, args, field):
    r = client.get("/api/v1/audit", query_string=args, headers=two_centers["root"])
    assert r.status_code == 422 and r.get_json()["error"]["details"]["field"] == field
    page = login("root").get("/audit/", query_string=args)
    assert page.status_code == 422 and "flash-error" in page.get_data(True)


def test_the_page_lists_in_chinese_with_filters_and_the_export(app, two_centers, login):
    browser = login("a_admin")
    html = browser.get("/audit/").get_data(True)
    assert "审计日志" in html and "试题导入/新增" in html and "T-0001" in html and "T-0002" not in html
    assert "共 1 条" in html and 'href="/audit/"' in html  # the navigation names the page
    html = browser.get("/audit/", query_string={"action": "certificate.revoked"}).get_data(True)
    assert "没有符合条件的记录" in html


def test_export_is_csv_with_formulas_neutralised(app, client, make_user, token_for, login):
    make_user("root", "admin")
    headers = {**token_for("root"), "X-Request-ID": "-2-3"}  # a client's request id that looks like a formula
    assert client.post(f"/api/v1/banks/{STD}/items", json={"items": [item(1)]}, headers=headers).status_code == 201
    r = login("root").get("/audit/export.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    assert r.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(r.get_data(True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["编号", "时间", "操作人"]
    assert rows[1][2] == "root" and rows[1][5] == "bank.items_imported" and rows[1][11] == "'-2-3"


def test_the_platform_admin_sees_whose_record_each_entry_is(two_centers, client, login):
    html = login("root").get("/audit/").get_data(True)
    assert "<th>机构</th>" in html and "甲中心" in html and "乙中心" in html and ">平台<" in html
    assert "<th>机构</th>" not in login("a_admin").get("/audit/").get_data(True)
    body = client.get("/api/v1/audit", headers=two_centers["root"]).get_json()
    assert [e["center"] for e in body["entries"]] == [None, "乙中心", "甲中心"]


def test_the_page_names_coded_values_in_chinese_and_keeps_a_mean_below_60_visible():
    """Two decimals cut toward zero (issue 27 item 11): 59.9933 shows 59.99, never 60.00."""
    from types import SimpleNamespace

    from app.audit.display import shown

    entry = SimpleNamespace(
        actor=None,
        actor_role="",
        action="practical.sheet_saved",
        details={
            "kind": "correction",
            "status": "final",
            "mark": "disqualified",
            "score": 59.99333333333333,
            "new": {"sections": {"宣传讲解": 15.0, "会员发展": 25.5}, "total": 40.5},
            "passed": False,
        },
    )
    view = shown(entry, {})
    assert view.actor == "系统" and view.action == "操作技能评分录入/更正"
    assert view.lines == [("类型", "更正"), ("状态", "已定分"), ("标记", "违纪"), ("分数", "59.99"), ("合格数", "否")]
    assert view.changes == [
        ("宣传讲解", "（空）", "15.00"),
        ("会员发展", "（空）", "25.50"),
        ("合计", "（空）", "40.50"),
    ]
