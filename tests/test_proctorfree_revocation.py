"""撤销原因 is bounded (issue 27 item 14): the page's field carries the limit as maxlength; one character
more is refused at the field (422, the typed text kept, the certificate still valid), on the page and
through the API (details.field); exactly the limit is taken."""

from __future__ import annotations

import re

from app.results.certificates import REVOKE_REASON_MAX as LIMIT
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)
from tests.test_revocation_page import _certified

from .conftest import csrf_from


def test_the_page_refuses_one_character_more_keeping_what_was_typed(flow, login, client):
    number = _certified(flow)
    browser = login("admin1")
    page = browser.get(f"/results/certificates/{number}").get_data(True)
    assert re.search(rf'<textarea id="reason" name="reason"[^>]*maxlength="{LIMIT}"', page)
    typed = "冒名" + "顶" * (LIMIT - 1)
    r = browser.post(f"/results/certificates/{number}/revoke", data={"reason": typed, "csrf_token": csrf_from(page)})
    assert r.status_code == 422
    html = r.get_data(True)
    message = f"撤销原因不能超过 {LIMIT} 个字（现为 {LIMIT + 1} 个字）"
    assert f'<p class="error" id="reason-error" role="alert">{message}</p>' in html
    assert f'<a href="#reason">撤销原因</a>：{message}' in html
    assert f">{typed}</textarea>" in html
    assert client.get(f"/api/v1/certificates/{number}").get_json()["valid"] is True  # nothing changed
    done = browser.post(
        f"/results/certificates/{number}/revoke", data={"reason": "顶" * LIMIT, "csrf_token": csrf_from(page)}
    )
    assert done.status_code == 302
    assert client.get(f"/api/v1/certificates/{number}").get_json()["revoked"] is True


def test_the_api_refuses_one_character_more_naming_the_field(flow, client):
    number = _certified(flow)
    url = f"/api/v1/certificates/{number}/revoke"
    r = client.post(url, json={"reason": "顶" * (LIMIT + 1)}, headers=flow.admin)
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["details"]["field"] == "reason" and error["message"].startswith(f"撤销原因不能超过 {LIMIT} 个字")
    assert client.get(f"/api/v1/certificates/{number}").get_json()["valid"] is True
    r = client.post(url, json={"reason": "顶" * LIMIT}, headers=flow.admin)
    assert r.status_code == 200 and r.get_json()["revoked"] is True
