"""Revocation on the page checks its reason first, then confirms (issue 27 item 14): the reason is a
required field, the confirmation is asked only once it is filled (site.js refuses a reason of spaces
before any confirm), and a blank reason that reaches the server is shown at the field (422), the
certificate still valid."""

from __future__ import annotations

import re
from pathlib import Path

from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)

from .conftest import csrf_from

ROOT = Path(__file__).resolve().parent.parent


def _certified(flow) -> str:
    sid = flow.session(["c1"])
    flow.theory(sid, "c1", 80)
    flow.practical(sid, "c1", 75)
    flow.end_theory(sid)
    assert flow.publish(sid).status_code == 200
    return flow.results(sid)["c1"]["certificate_no"]


def test_the_form_requires_the_reason_before_it_confirms(flow, login):
    number = _certified(flow)
    html = login("admin1").get(f"/results/certificates/{number}").get_data(True)
    form = re.search(r'<form method="post" action="/results/certificates/[^"]+/revoke"[^>]*>.*?</form>', html, re.S)
    assert form, "no revocation form"
    assert re.search(r'<textarea id="reason" name="reason"[^>]*required', form.group(0))
    assert "data-confirm=" in form.group(0) and number in form.group(0)  # the question names the certificate
    script = (ROOT / "static" / "js" / "site.js").read_text(encoding="utf-8")
    handler = script[script.index('addEventListener("submit"') :]
    # blanks are refused (reportValidity) before window.confirm is ever asked
    assert handler.index("blankRequired(form)") < handler.index("window.confirm")
    assert "value.trim()" in script


def test_a_blank_reason_is_shown_at_the_field_and_nothing_changes(flow, login, client):
    number = _certified(flow)
    browser = login("admin1")
    page = browser.get(f"/results/certificates/{number}").get_data(True)
    r = browser.post(f"/results/certificates/{number}/revoke", data={"reason": "   ", "csrf_token": csrf_from(page)})
    html = r.get_data(True)
    assert r.status_code == 422
    assert '<p class="error" id="reason-error" role="alert">撤销原因：必须填写（不能只填空格）</p>' in html
    assert 'aria-invalid="true"' in html
    assert client.get(f"/api/v1/certificates/{number}").get_json()["valid"] is True
    done = browser.post(
        f"/results/certificates/{number}/revoke",
        data={"reason": "证书信息有误", "csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert done.status_code == 200 and "证书已撤销" in done.get_data(True)
    body = client.get(f"/api/v1/certificates/{number}").get_json()
    assert body["valid"] is False and body["revoked"] is True


def test_api_revocation_without_a_reason_is_still_422(flow):
    number = _certified(flow)
    r = flow.client.post(f"/api/v1/certificates/{number}/revoke", json={"reason": " "}, headers=flow.admin)
    assert r.status_code == 422 and r.get_json()["error"]["details"]["field"] == "reason"
