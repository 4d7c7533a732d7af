"""The panel page's typed fields (issue 27 items 5 and 14): a refused 定分 or 违纪 shows the page again
(422) with the typed 说明 / 违纪原因 in that candidate's row and the message beside it naming the field
by its label, nothing changed; 说明 and 违纪原因 are bounded — exactly the limit is taken, one more is
refused on the page and through the API (details.field)."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.practical import marking
from app.practical.models import ComponentResult
from tests.conftest import csrf_from
from tests.test_practical_api import finalize, put, sections_for, setup_fixture  # noqa: F401  (fixture)

NOTE_MAX, REASON_MAX = marking.NOTE_MAX, marking.REASON_MAX


def _flagged(client, s) -> None:
    """c1 scored 60 / 70 / 80: a spread of 20, over the threshold, so 定分 needs a 说明."""
    for grader, total in zip((1, 2, 3), (60, 70, 80), strict=True):
        assert put(client, s, grader, "c1", sections_for(total)).status_code in (200, 201)


def _results(app) -> dict:
    with app.app_context():
        return {
            r.enrollment.user.username: (r.status.value, r.mark.value if r.mark else None, r.note, r.mark_reason)
            for r in db.session.scalars(select(ComponentResult))
        }


def _input(html: str, field_id: str) -> str:
    match = re.search(rf'<input id="{re.escape(field_id)}"[^>]*>', html)
    assert match, field_id
    return match.group(0)


def test_a_too_long_note_comes_back_in_its_row_and_exactly_the_limit_is_taken(app, client, setup, login):
    s = setup(candidates=2)
    _flagged(client, s)
    browser = login("admin1")
    url = f"/practical/{s['sid']}/practical"
    html = browser.get(f"{url}/manage").get_data(True)
    assert f'maxlength="{NOTE_MAX}"' in _input(html, "note-c1")
    token = csrf_from(html)
    typed = "复核" + "录" * (NOTE_MAX - 1)  # NOTE_MAX + 1 characters
    before = _results(app)
    refused = browser.post(f"{url}/c1/finalize", data={"csrf_token": token, "note": typed})
    assert refused.status_code == 422
    page = refused.get_data(True)
    field = _input(page, "note-c1")
    assert f'value="{typed}"' in field and 'aria-invalid="true"' in field
    message = f"说明不能超过 {NOTE_MAX} 个字（现为 {NOTE_MAX + 1} 个字）"
    assert page.index(message, page.index(field)) < page.index("</form>", page.index(field))  # beside the field
    assert f'<a href="#note-c1">说明</a>：{message}' in page
    assert _results(app) == before  # nothing changed
    # a blank 说明 over the threshold: the same place, the field named
    blank = browser.post(f"{url}/c1/finalize", data={"csrf_token": token, "note": ""})
    assert blank.status_code == 422 and '<a href="#note-c1">说明</a>：分差 20 分超过阈值' in blank.get_data(True)
    done = browser.post(f"{url}/c1/finalize", data={"csrf_token": token, "note": "录" * NOTE_MAX})
    assert done.status_code == 302
    assert _results(app)["c1"][0] == "final" and _results(app)["c1"][2] == "录" * NOTE_MAX


def test_a_too_long_misconduct_reason_comes_back_and_the_limit_is_taken(app, client, setup, login):
    s = setup(candidates=2)
    browser = login("admin1")
    url = f"/practical/{s['sid']}/practical"
    html = browser.get(f"{url}/manage").get_data(True)
    assert f'maxlength="{REASON_MAX}"' in _input(html, "reason-c2")
    token = csrf_from(html)
    typed = "夹带" + "纸" * (REASON_MAX - 1)
    refused = browser.post(f"{url}/c2/mark", data={"csrf_token": token, "mark": "disqualified", "reason": typed})
    assert refused.status_code == 422
    page = refused.get_data(True)
    assert f'value="{typed}"' in _input(page, "reason-c2") and 'value="夹带' not in _input(page, "reason-c1")
    assert (
        f'<a href="#reason-c2">违纪原因</a>：违纪原因不能超过 {REASON_MAX} 个字（现为 {REASON_MAX + 1} 个字）' in page
    )
    blank = browser.post(f"{url}/c2/mark", data={"csrf_token": token, "mark": "disqualified", "reason": " "})
    assert blank.status_code == 422 and '<a href="#reason-c2">违纪原因</a>：标记违纪须填写违纪原因' in blank.get_data(
        True
    )
    assert _results(app).get("c2", (None, None))[1] is None  # not marked
    done = browser.post(
        f"{url}/c2/mark", data={"csrf_token": token, "mark": "disqualified", "reason": "纸" * REASON_MAX}
    )
    assert done.status_code == 302
    assert _results(app)["c2"][1:] == ("disqualified", "", "纸" * REASON_MAX)


def test_a_refusal_naming_no_typed_field_stands_in_the_row(app, client, setup, login):
    """定分 with sheets missing: the page again, the reason in that candidate's row, nothing changed."""
    s = setup(candidates=2)
    browser = login("admin1")
    url = f"/practical/{s['sid']}/practical"
    token = csrf_from(browser.get(f"{url}/manage").get_data(True))
    refused = browser.post(f"{url}/c2/finalize", data={"csrf_token": token})
    assert refused.status_code == 422
    page = refused.get_data(True)
    assert re.search(r'<p class="error" role="alert" id="row-c2-error">尚有考评员未评分', page)
    assert _results(app).get("c2", ("pending",))[0] == "pending"


def test_the_api_bounds_the_same_fields(app, client, setup):
    s = setup(candidates=2)
    _flagged(client, s)
    base = f"/api/v1/sessions/{s['sid']}/practical"
    before = _results(app)
    too_long = finalize(client, s, "c1", "录" * (NOTE_MAX + 1))
    assert too_long.status_code == 422
    error = too_long.get_json()["error"]
    assert error["details"]["field"] == "note" and "说明" in error["message"] and str(NOTE_MAX) in error["message"]
    panel = client.post(
        f"{base}/finalize", json={"all": True, "notes": {"c1": "录" * (NOTE_MAX + 1)}}, headers=s["admin"]
    )
    assert panel.status_code == 422 and panel.get_json()["error"]["details"]["field"] == "notes.c1"
    marked = client.post(
        f"{base}/c2/mark", json={"mark": "disqualified", "reason": "纸" * (REASON_MAX + 1)}, headers=s["admin"]
    )
    assert marked.status_code == 422
    error = marked.get_json()["error"]
    assert error["details"]["field"] == "reason" and str(REASON_MAX) in error["message"]
    assert _results(app) == before
    assert finalize(client, s, "c1", "录" * NOTE_MAX).status_code == 200
    ok = client.post(f"{base}/c2/mark", json={"mark": "disqualified", "reason": "纸" * REASON_MAX}, headers=s["admin"])
    assert ok.status_code == 200, ok.get_json()
