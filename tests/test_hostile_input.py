"""No 500 on any input (issue 11 item 3): one test per root cause the audit found, each through the
endpoints that reached it. Hostile input answers 400/404/422 and changes nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.practical.models import ComponentResult
from app.sessions.models import ExamSession, Room
from app.uploads import EvidenceFile
from tests.conftest import PASSWORD, USE_POSTGRES, csrf_from
from tests.test_eligibility_pages import PNG
from tests.test_practical_api import setup_fixture  # noqa: F401  (fixture)
from tests.test_sessions_fixtures import exam_setup_fixture, session_body  # noqa: F401  (fixture)


@pytest.fixture
def admin(make_user, token_for):
    make_user("admin1", "center_admin")
    return token_for("admin1")


def raw(client, path, body: str, headers=None, method="post"):
    return getattr(client, method)(path, data=body, content_type="application/json", headers=headers or {})


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_json_nested_100000_deep_is_400(client, admin):
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    # the sign-in's body is bounded at 16 KB (a 600 KB one is a 413 before parsing): nest it 2,000 deep
    deep_but_short = '{"a":' * 2_000 + "1" + "}" * 2_000
    for path, body in (
        ("/api/v1/auth/token", deep_but_short),
        ("/api/v1/sessions", deep),
        ("/api/v1/eligibility", deep),
    ):
        response = raw(client, path, body, admin)
        assert response.status_code == 400, path
        assert response.get_json()["error"]["code"] == "malformed_json"
    assert raw(client, "/api/v1/auth/token", deep, admin).status_code == 413
    lists = "[" * 100 + "]" * 100  # deeper than 64 levels but small: refused the same way
    assert raw(client, "/api/v1/sessions", lists, admin).status_code == 400


def test_a_nul_in_any_text_is_422(app, client, admin, login):
    response = raw(client, "/api/v1/sessions", '{"name": "批次\\u0000"}', admin)
    assert response.status_code == 422 and response.get_json()["error"]["details"]["field"] == "name"
    assert client.get("/api/v1/standards?x=%00", headers=admin).status_code == 422
    browser = login("admin1")
    assert browser.get("/banks/?standard=3-01-01-04&q=a%00b").status_code == 422
    page = browser.get("/sessions/new")
    response = browser.post("/sessions/new", data={"csrf_token": csrf_from(page.get_data(True)), "name": "a\x00b"})
    assert response.status_code == 422
    assert count(app, ExamSession) == 0


def test_lone_surrogate_in_any_string_is_422_naming_the_field(app, client, admin):
    body = '{"username": "\\ud800", "password": "x"}'
    response = raw(client, "/api/v1/auth/token", body)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["field"] == "username"
    nested = '{"standard": "3-01-01-04", "level": "四级", "candidate": {"work": [{}, {"occupation": "\\udfff"}]}}'
    response = raw(client, "/api/v1/eligibility", nested, admin)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["field"] == "candidate.work.1.occupation"
    name = raw(client, "/api/v1/sessions", '{"name": "批次\\ud83d"}', admin)
    assert name.status_code == 422 and name.get_json()["error"]["details"]["field"] == "name"
    assert count(app, ExamSession) == 0
    # a correctly paired surrogate (an emoji) is ordinary text
    paired = raw(client, "/api/v1/auth/token", '{"username": "\\ud83d\\ude00", "password": "x"}')
    assert paired.status_code == 401


def test_path_ids_beyond_64_bits_are_404(client, admin, login):
    for path in (f"/api/v1/sessions/{2**64}", f"/api/v1/attempts/{10**30}", f"/api/v1/sessions/{2**63}/readiness"):
        response = client.get(path, headers=admin)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"
    for largest in (2**31 - 1, 2**31, 2**63 - 1):  # ids are INTEGER columns (32 bits on PostgreSQL)
        assert client.get(f"/api/v1/sessions/{largest}", headers=admin).status_code == 404
    assert login("admin1").get(f"/sessions/{2**64}").status_code == 404


def test_integers_beyond_64_bits_in_bodies_are_422(app, client, admin):
    response = raw(client, "/api/v1/sessions", '{"theory_minutes": 18446744073709551616}', admin)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["field"] == "theory_minutes"
    digits = raw(client, "/api/v1/sessions", '{"theory_minutes": ' + "9" * 5000 + "}", admin)
    assert digits.status_code in {400, 422}
    sid = client.post("/api/v1/sessions", json=session_body(), headers=admin).get_json()["id"]
    room = client.post(
        f"/api/v1/sessions/{sid}/rooms", json={"name": "A", "kind": "theory", "capacity": 2**64}, headers=admin
    )
    assert room.status_code == 422 and room.get_json()["error"]["details"]["field"] == "capacity"
    assert count(app, Room) == 0


def test_integers_beyond_64_bits_in_forms_are_422(app, login, make_user, token_for, client):
    make_user("admin1", "center_admin")
    sid = client.post("/api/v1/sessions", json=session_body(), headers=token_for("admin1")).get_json()["id"]
    browser = login("admin1")
    token = csrf_from(browser.get(f"/sessions/{sid}").get_data(True))
    for capacity in ("9" * 30, "-" + "9" * 20):
        response = browser.post(
            f"/sessions/{sid}/rooms", data={"csrf_token": token, "name": "A", "kind": "theory", "capacity": capacity}
        )
        assert response.status_code == 422
        assert "capacity" in response.get_data(True)
    assert count(app, Room) == 0


def test_a_list_or_object_where_text_is_expected_is_422(app, client, admin):
    sid = client.post("/api/v1/sessions", json=session_body(), headers=admin).get_json()["id"]
    for value in (["theory"], {"a": 1}):
        room = client.post(
            f"/api/v1/sessions/{sid}/rooms", json={"name": "A", "kind": value, "capacity": 5}, headers=admin
        )
        assert room.status_code == 422 and room.get_json()["error"]["details"]["field"] == "kind"
        staff = client.post(f"/api/v1/sessions/{sid}/staff", json={"username": "admin1", "role": value}, headers=admin)
        assert staff.status_code == 422
    assert count(app, Room) == 0


def test_dates_outside_a_sane_range_are_refused_and_lists_keep_working(app, client, admin, login):
    for start in ("9999-12-31T23:00:00+00:00", "0001-01-01T00:00:00+08:00", "1899-12-31T09:00:00+08:00"):
        response = client.post("/api/v1/sessions", json=session_body(theory_start=start), headers=admin)
        assert response.status_code == 422, start
        assert response.get_json()["error"]["details"]["field"] == "theory_start"
    huge = client.post("/api/v1/sessions", json=session_body(theory_minutes=10**9), headers=admin)
    assert huge.status_code == 422  # would push the end of the exam past year 9999
    assert count(app, ExamSession) == 0
    assert client.get("/api/v1/sessions", headers=admin).status_code == 200
    assert login("admin1").get("/sessions/").status_code == 200
    body = {"standard": "3-01-01-04", "level": "五级", "candidate": {"birth_date": "2000-01-01"}}
    for as_of in ("9999-12-31", "0001-01-01"):
        response = client.post("/api/v1/eligibility", json={**body, "as_of": as_of}, headers=admin)
        assert response.status_code == 422 and response.get_json()["error"]["details"]["field"] == "as_of"
    birth = client.post("/api/v1/eligibility", json={**body, "candidate": {"birth_date": "0001-01-01"}}, headers=admin)
    assert birth.status_code == 422 and birth.get_json()["error"]["details"]["field"] == "candidate.birth_date"


def test_nan_infinity_and_absurd_training_hours_are_422(client, admin, make_user, login):
    def check(hours_json: str):
        body = (
            '{"standard": "3-01-04-03", "level": "五级", "candidate": {"birth_date": "2000-01-01", '
            '"training": [{"level": "五级", "hours": ' + hours_json + ', "completion_certificate": true, '
            '"completed": "2020-01-01"}]}}'
        )
        return raw(client, "/api/v1/eligibility", body, admin)

    for value in ("NaN", "Infinity", "-Infinity", "1e29", "1e400", "10001"):
        response = check(value)
        assert response.status_code == 422, value
        assert response.get_json()["error"]["details"]["field"] == "candidate.training.0.hours"
    assert check("10000").status_code == 200  # the largest accepted figure
    # the profile page: the same rule for what a form field holds
    make_user("cand")
    browser = login("cand")
    for value in ("nan", "inf", "1e29"):
        page = browser.get("/eligibility/profile")
        response = browser.post(
            "/eligibility/profile",
            data={
                "csrf_token": csrf_from(page.get_data(True)),
                "birth_date": "2000-01-01",
                "training-0-level": "五级",
                "training-0-hours": value,
                "training-0-completed": "2020-01-01",
                "action": "save",
            },
        )
        assert response.status_code == 422, value


def test_empty_or_non_zip_uploads_get_a_clear_message(app, login, exam_setup, make_user):
    browser = login("admin1")
    sid = exam_setup["sid"]
    token = csrf_from(browser.get(f"/sessions/{sid}").get_data(True))
    for content, expected in ((b"", "文件为空"), (b"username,room\nstu3,A101\n", "不是有效的 Excel 工作簿")):
        response = browser.post(
            f"/sessions/{sid}/import",
            data={"csrf_token": token, "file": (io.BytesIO(content), "r.xlsx")},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        assert response.status_code < 500 and expected in response.get_data(True)
    page = browser.get("/banks/import?standard=3-01-01-04")
    for content, expected in ((b"", "文件为空"), (b"PK\x03\x04broken", "不是有效的 Excel 工作簿")):
        response = browser.post(
            "/banks/import",
            data={
                "csrf_token": csrf_from(page.get_data(True)),
                "standard": "3-01-01-04",
                "file": (io.BytesIO(content), "b.xlsx"),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 422 and expected in response.get_data(True)


def test_login_next_with_cr_lf_redirects_home_without_a_500(app, make_user):
    make_user("zhang")
    browser = app.test_client()
    for target in ("/x%0d%0aSet-Cookie:%20a=b", "/x%0aLocation:%20//evil", "/\\evil.example", "/%09/evil"):
        token = csrf_from(browser.get(f"/login?next={target}").get_data(True))
        response = browser.post(
            f"/login?next={target}", data={"username": "zhang", "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, target
        assert response.headers["Location"] == "/"


def test_a_nul_in_an_uploaded_file_name_is_dropped_and_the_file_downloads(app, make_user, login):
    make_user("cand")
    browser = login("cand")
    csrf = csrf_from(browser.get("/eligibility/profile").get_data(True))
    browser.post(
        "/eligibility/evidence",
        data={"csrf_token": csrf, "label": "证书", "file": (io.BytesIO(PNG), "证书\x00.png")},
        content_type="multipart/form-data",
    )
    with app.app_context():
        record = db.session.scalars(select(EvidenceFile)).one()
        assert record.original_name == "证书.png"
        if not USE_POSTGRES:  # PostgreSQL text never held a NUL; SQLite stored one before the fix
            record.original_name = "旧\x00记录.png"
            db.session.commit()
        file_id = record.id
    response = browser.get(f"/eligibility/evidence/{file_id}")
    assert response.status_code == 200
    assert "\x00" not in response.headers["Content-Disposition"]


def test_overflow_deep_down_is_422_not_500(app, client, exam_setup, token_for):
    # an extension of 10^15 minutes passes the JSON checks but cannot be added to a deadline
    headers = token_for("admin1")
    response = client.post(
        f"/api/v1/sessions/{exam_setup['sid']}/candidates/stu1/extension",
        json={"minutes": 10**15, "reason": "设备故障"},
        headers=headers,
    )
    assert response.status_code == 422


# ---- found by the fuzz run (tests/test_api_fuzz.py), shrunk to the case that failed


def test_an_object_where_an_id_or_a_choice_is_expected_is_422(client, setup):
    s = setup()
    sid, admin = s["sid"], s["admin"]
    for body, field in (({"standard": {}, "level": {}, "forms": 1}, "standard"), ({"standard": ["x"]}, "standard")):
        r = client.post("/api/v1/papers/assemble", json=body, headers=admin)  # was 500: unhashable dict
        assert r.status_code == 422 and r.get_json()["error"]["details"]["field"] == field, r.get_json()
    for value in ({}, ["absent"]):
        r = client.post(f"/api/v1/sessions/{sid}/practical/c1/mark", json={"mark": value}, headers=admin)
        assert r.status_code == 422 and r.get_json()["error"]["details"]["field"] == "mark", r.get_json()
        r = client.post(f"/api/v1/sessions/{sid}/practical/finalize", json={"panel": value, "notes": {}}, headers=admin)
        assert r.status_code == 422 and r.get_json()["error"]["details"]["field"] == "panel", r.get_json()


def test_a_refused_api_request_leaves_nothing_it_flushed_behind(app, client, setup, token_for):
    """The API's error handler rolls back: the request boundary commits after every response, and a
    review sheet refused with 422 had left the candidate's (pending) review result committed."""
    s = setup(level="二级", reviewers=3)
    reviewer = token_for("r1")
    r = client.put(f"/api/v1/sessions/{s['sid']}/review/c1", json={}, headers=reviewer)
    assert r.status_code == 422 and r.get_json()["error"]["details"]["field"] == "score"
    r = client.post(f"/api/v1/sessions/{s['sid']}/review/c1/finalize", json={}, headers=s["admin"])
    assert r.status_code == 422
    assert count(app, ComponentResult) == 0


def test_a_nul_in_a_path_segment_is_404(client, admin, login, make_user):
    """Found by the fuzz run on PostgreSQL: GET /api/v1/certificates/%00 was a 500 (text cannot hold a NUL)."""
    make_user("zhang")
    for path in (
        "/api/v1/certificates/%00",
        "/api/v1/certificates/S%00",
        "/api/v1/standards/%00",
        "/results/verify/%00",
    ):
        assert client.get(path, headers=admin).status_code == 404, path
    assert login("zhang").get("/standards/3-01-01-04%00").status_code == 404
