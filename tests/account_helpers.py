"""Page helpers of the account tests: a form posted with its CSRF token, the block of one field."""

from __future__ import annotations

import re

from tests.conftest import csrf_from


def post_form(browser, page: str, data: dict, action: str | None = None, **kwargs):
    """GET ``page`` (for its CSRF token), then POST ``data`` to ``action`` (default: the page)."""
    token = csrf_from(browser.get(page).get_data(True))
    return browser.post(action or page, data={**data, "csrf_token": token}, **kwargs)


def field_block(html: str, name: str) -> str:
    """The ``<div class="field …">`` around the input named ``name`` (its label, hint and errors)."""
    for chunk in html.split('<div class="field')[1:]:
        block = chunk.split("</div>", 1)[0]
        if re.search(rf'name="{re.escape(name)}"', block):
            return block
    raise AssertionError(f"no field {name}")


def errors_of(html: str, name: str) -> list[str]:
    return re.findall(r'<p class="error" role="alert">([^<]*)</p>', field_block(html, name))
