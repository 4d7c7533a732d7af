"""The authorization matrix: every (route, method) of ``app.url_map`` × every identity of
tests/authorization_table.py, called on one world (tests/authorization_world.py) where each path
parameter names a real record of center A."""

from __future__ import annotations

import os
import re

from app.demo import DEMO_PASSWORD
from tests.authorization_table import (
    ADMIN_A,
    ADMIN_B,
    ANON,
    CAND,
    FLASHED_REFUSALS,
    IDENTITIES,
    OTHER,
    TABLE,
    identity_for,
)
from tests.authorization_world import USERNAMES, World
from tests.conftest import RUN_SUMMARY

DISCOVER = os.environ.get("MATRIX_DISCOVER")
# Refused where the peer is allowed: 404, existence must not leak. Another center's admin always; another
# candidate where the route names a record a candidate owns (an attempt, application, file, certificate).
PEERS = {OTHER: CAND, ADMIN_B: ADMIN_A}
OWNED = {"attempt_id", "application_id", "file_id", "material_id", "no"}
# Bodies that get past the form or JSON checks to the authorization they guard (else {} or an empty form).
BODIES = {
    ("api.create_token", "POST"): {"username": USERNAMES[CAND], "password": DEMO_PASSWORD},
    ("api.save_answer", "PUT"): {"answer": "A"},
    ("eligibility.decide", "POST"): {"action": "reject", "reason": "材料不全"},
}
# The bank pages name center A's own item; the statistics write-back an item of the platform's bank.
OWN_ITEM = {"banks.edit", "banks.preview", "banks.retire"}


def routes(app) -> dict[tuple[str, str], object]:
    out = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            assert (rule.endpoint, method) not in out, f"{rule.endpoint} {method} has two rules"
            out[(rule.endpoint, method)] = rule
    return out


def test_every_route_has_an_entry_and_every_entry_a_route(app):
    found = routes(app)
    missing = sorted(f"{e} {m} ({found[(e, m)].rule})" for e, m in set(found) - set(TABLE))
    stale = sorted(f"{e} {m}" for e, m in set(TABLE) - set(found))
    assert not missing, "routes without an entry in tests/authorization_table.py: " + ", ".join(missing)
    assert not stale, "entries in tests/authorization_table.py naming no route: " + ", ".join(stale)
    for key, allowed in TABLE.items():
        for identities in allowed.values() if isinstance(allowed, dict) else [allowed]:
            assert set(identities) <= set(IDENTITIES), key


def allowed_for(endpoint: str, method: str, values: dict) -> frozenset | None:
    entry = TABLE.get((endpoint, method))
    if isinstance(entry, dict):
        entry = entry[values["component"]]
    return None if entry is None else frozenset(entry)


def cases(world: World, app):
    """(endpoint, method, rule, path parameters): the session of the practical assessment (状态：评分中),
    and the 二级 session for review routes; a route of either component is called for both."""
    for (endpoint, method), rule in sorted(routes(app).items(), key=lambda kv: (kv[1].rule, kv[0][1])):
        review = re.search(r"review|materials", re.sub(r"<[^>]+>", "", rule.rule)) is not None
        variants = [world.params, world.review_params] if "component" in rule.arguments else []
        for params in variants or [world.review_params if review else world.params]:
            values = dict(params)
            if endpoint in OWN_ITEM:
                values["item_id"] = values["own_item_id"]
            yield endpoint, method, rule, {name: values[name] for name in rule.arguments}


def call(world: World, endpoint: str, method: str, rule, values: dict, identity: str):
    _, path = rule.build(values, append_unknown=False)
    who = world.identities[identity]
    api = path.startswith("/api/")
    browser = world.client(identity, cookies=not api)
    kwargs: dict = {"method": method, "headers": dict(who.token) if api else {}}
    body = BODIES.get((endpoint, method), {})
    if method != "GET":
        if api:
            kwargs["json"] = body
        else:
            kwargs["data"] = {**body, "csrf_token": who.csrf}
            kwargs["headers"]["X-CSRFToken"] = who.csrf
    return path, browser, browser.open(path, **kwargs)


def flashed_error(browser) -> bool:
    with browser.session_transaction() as session:
        return any(category == "error" for category, _message in session.get("_flashes", []))


def verdict(path: str, rule, identity: str, allowed: frozenset, response, flashed: bool = False) -> str | None:
    """None when the response is what the table says, else why not. ``flashed``: this refusal may be a
    redirect back with the reason flashed (FLASHED_REFUSALS)."""
    status = response.status_code
    if status >= 500:
        return f"{status}"
    api = path.startswith("/api/")
    # Flask-Login sends whoever is not signed in to the sign-in page with ?next= (a sign-out: without)
    to_login = status == 302 and "/login?next=" in response.headers.get("Location", "")
    if identity in allowed:
        if status in (401, 403, 404):
            return f"allowed but {status}"
        if to_login:
            return "allowed but sent to sign in"
        return None
    if identity == ANON:
        return None if (status == 401 if api else to_login) else f"anonymous got {status}"
    if flashed and status == 302:
        return None
    peer = PEERS.get(identity)
    if peer in allowed and (identity == ADMIN_B or OWNED & set(rule.arguments)):
        return None if status == 404 else f"refused peer got {status}, not 404"
    return None if status in (403, 404) else f"refused but {status}"


def test_authorization_matrix(app, capsys):
    world = World(app)
    failures, calls, pairs = [], 0, set()
    observed = []
    for endpoint, method, rule, values in cases(world, app):
        pairs.add((endpoint, method))
        allowed = allowed_for(endpoint, method, values)
        flashing = FLASHED_REFUSALS.get((endpoint, method), frozenset())
        row = []
        for identity in IDENTITIES:
            before = world.counts()
            path, browser, response = call(world, endpoint, method, rule, values, identity)
            calls += 1
            row.append(f"{identity}={response.status_code}")
            if allowed is None:
                world.restore()
                continue
            flashed = identity in flashing
            problem = verdict(path, rule, identity, allowed, response, flashed)
            if flashed and not flashed_error(browser):
                problem = "refused without a flashed reason"
            if identity not in allowed:
                after = world.counts()
                changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
                rows = world.changed_tables()  # rows updated in place: the count alone does not see them
                if changed or rows:
                    problem = (problem + "; " if problem else "") + f"refused call changed rows {changed} {rows}"
                if DISCOVER and world.written:
                    print("refused call wrote", endpoint, identity, sorted(world.written))
            if problem:
                failures.append(f"{method} {path} ({endpoint}) as {identity}: {problem}")
            if world.written:
                world.restore()
        observed.append(f"{endpoint} {method} {path}: " + " ".join(row))
    if DISCOVER:
        with capsys.disabled():
            print("\n".join(observed))
    RUN_SUMMARY.append(
        f"authorization matrix: {len(pairs)} (route, method) pairs, {calls // len(IDENTITIES)} cases × "
        f"{len(IDENTITIES)} identities = {calls} calls"
    )
    assert not failures, f"{len(failures)} of {calls} calls disagree with the table:\n" + "\n".join(failures)


def test_every_write_needs_its_csrf_token(app):
    """Every page form and every cookie-signed API write, sent by an identity the table allows but
    without the CSRF token (no form field, no X-CSRFToken header): refused, and nothing written."""
    world = World(app)
    failures, calls = [], 0
    for endpoint, method, rule, values in cases(world, app):
        identity = identity_for(endpoint, method, values.get("component"))
        _, path = rule.build(values, append_unknown=False)
        api = path.startswith("/api/")
        if method == "GET" or (api and identity == ANON):
            continue  # reads need no token; an anonymous API call has no cookie to forge
        body = BODIES.get((endpoint, method), {})
        browser = world.client(identity)  # the signed-in cookie, no bearer token
        before = world.counts()
        response = browser.open(path, method=method, **({"json": body} if api else {"data": body}))
        calls += 1
        after = world.counts()
        changed = sorted({t for t in before if before[t] != after[t]} | set(world.changed_tables()))
        refused = response.status_code in ({400, 401, 403} if api else {400})
        if not refused or changed:
            failures.append(f"{method} {path} ({endpoint}) as {identity}: {response.status_code}, changed {changed}")
        world.restore()
    RUN_SUMMARY.append(f"CSRF: {calls} writes without a token refused")
    assert calls > 70  # every page form and cookie API write (79 today)
    assert not failures, "\n".join(failures)
