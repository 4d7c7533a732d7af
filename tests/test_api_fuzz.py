"""A Hypothesis run over every /api/v1 route and method (issue 11, 4.): generated path ids, query
strings and JSON bodies — a valid body of the contract with one to three fields made hostile (lone
surrogates, NUL, huge integers, NaN/Infinity, 1e308, lists and objects where text is expected, empty and
very long strings, years 0001 and 9999), then raw garbage (not JSON, wrong content type, nested 100,000
deep). Each call is made as an identity the authorization table allows, so that it gets past the
permission check into validation. No answer is a 5xx; after any 4xx no table has changed: neither its
row count nor (for every table the request wrote to) a single row.

Deterministic: ``derandomize=True`` and no example database. The number of cases is printed at the end
of the run (tests/conftest.py ``RUN_SUMMARY``)."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from datetime import timedelta
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app import timeutil
from app.demo import DEMO_PASSWORD
from app.eligibility.models import Application
from app.exams.models import Attempt
from app.extensions import db
from app.sessions.models import ExamSession, Room
from tests.authorization_table import CAND, identity_for
from tests.authorization_world import PDF, USERNAMES, World
from tests.conftest import RUN_SUMMARY
from tests.test_authorization_matrix import routes

DISCOVER = os.environ.get("FUZZ_DISCOVER")  # collect every finding instead of stopping at the first
EXAMPLES = int(
    os.environ.get("FUZZ_EXAMPLES") or 24
)  # per (route, method, component): about 2,000 generated cases, plus the fixed garbage bodies
# Bookkeeping a request may write whatever its answer: a failed sign-in is counted (issue 11, 5.), and
# so is a public verification lookup, found or not (issue 28 item 8: the budget in the database).
BOOKKEEPING = {"login_failures", "rate_limit_counters", "write_probes"}

# ---------------------------------------------------------------- hostile values
HOSTILE_TEXT = [
    "",
    " ",
    "\ud800",
    "a\udfffb",
    "a\x00b",
    "\x00",
    "x" * 100_000,
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00+00:00",
    "2026-02-30",
    "NaN",
    "Infinity",
    "-1",
    "1e308",
    "\u202e\u200b",
    "'; DROP TABLE users; --",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "../../etc/passwd",
    "%00",
    "null",
]
HOSTILE_NUMBERS = [
    0,
    -1,
    2**31,
    2**63,
    2**64 + 1,
    -(2**63) - 1,
    10**30,
    1e308,
    -1e308,
    1e29,
    5e-324,
    float("nan"),
    float("inf"),
    float("-inf"),
    0.5,
    True,
    False,
    None,
]
scalar = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from(HOSTILE_NUMBERS),
    st.text(max_size=20),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
)
hostile = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["", "a", "\ud800", "\x00", "0"]), inner, max_size=3),
    ),
    max_leaves=6,
)
segment = st.one_of(
    st.sampled_from(
        ["0", "-1", str(2**31), str(2**63), str(2**64 + 1), "9" * 40, "abc", "1.5", "%00", "%ED%A0%80", "%E4%BD"]
    ),
    st.integers(min_value=0, max_value=10**6).map(str),
    st.text(max_size=12).map(lambda t: quote(t.encode("utf-8", "surrogatepass"), safe="")),
)


def _query_string(pairs: dict) -> str:
    """Percent-encoded as a client may send it, lone surrogates included (as their UTF-8 bytes)."""

    def enc(text: str) -> str:
        return quote(text.encode("utf-8", "surrogatepass"), safe="")

    return "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs.items())


query = st.dictionaries(
    st.sampled_from(["level", "area", "type", "q", "retired", "name", "status", "standard", "page", "\x00", "x"]),
    st.one_of(st.sampled_from(HOSTILE_TEXT[:6] + ["1", "true", str(2**64)]), st.text(max_size=10)),
    max_size=3,
).map(_query_string)


def _garbage() -> list[tuple[bytes, str]]:
    deep = 100_000
    return [
        (b"not json", "application/json"),
        (b"{", "application/json"),
        (b'{"a":', "application/json"),
        (b"\xff\xfe\x00\x81", "application/json"),
        (b"[" * deep + b"]" * deep, "application/json"),
        (b'{"a":' * deep + b"1" + b"}" * deep, "application/json"),
        (b"NaN", "application/json"),
        (b"1e999", "application/json"),
        (b'"\\ud800"', "application/json"),
        (b"[]", "application/json"),
        (b"null", "application/json"),
        (b'{"a": 1, "a": [2]}', "application/json"),
        (b'{"username": "x"}', "text/plain"),
        (b"username=x&password=y", "application/x-www-form-urlencoded"),
        (
            b"--b\r\nContent-Disposition: form-data; name=file; filename=x\x00.pdf\r\n\r\n%PDF\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
        ),
        (b"", "application/json"),
    ]


GARBAGE = _garbage()


# ---------------------------------------------------------------- the world, and a valid body per route
class Fuzz:
    def __init__(self, app):
        self.world = World(app)
        with app.app_context():
            one = db.session.scalar
            draft = one(select(ExamSession).where(ExamSession.status == "draft"))
            live = one(select(ExamSession).where(ExamSession.status == "theory_open"))
            owner = one(select(Attempt.user_id).where(Attempt.id == self.world.params["attempt_id"]))
            attempt = one(  # the candidate's attempt in progress in the open session
                select(Attempt).where(
                    Attempt.session_id == live.id, Attempt.user_id == owner, Attempt.status == "in_progress"
                )
            )
            eligible = one(select(Application).where(Application.status == "eligible"))
            self.draft_room = one(select(Room.id).where(Room.session_id == draft.id, Room.kind == "theory"))
            self.ids = {
                "draft": draft.id,
                "live": live.id,
                "live_room": one(select(Room.id).where(Room.session_id == live.id, Room.kind == "theory")),
                "attempt": attempt.id,
                "qid": attempt.layout[0]["qid"],
                "eligible_application": eligible.id,
            }
        self.cases = 0
        self.statuses: Counter = Counter()
        self.found: list[str] = []

    def params(self, endpoint: str, rule, component: str | None) -> dict:
        """Real records for the route: a draft session for its set-up, the open session for the exam,
        the session in scoring (or the 二级 one for review) for the rest."""
        values = dict(self.world.review_params if component == "review" else self.world.params)
        if endpoint in DRAFT_ROUTES:
            values["session_id"] = self.ids["draft"]
        if endpoint in LIVE_ROUTES:
            values["session_id"] = self.ids["live"]
            values["room_id"] = self.ids["live_room"]
        if endpoint in {"api.save_answer", "api.submit", "api.get_attempt"}:
            values["attempt_id"], values["qid"] = self.ids["attempt"], self.ids["qid"]
        if endpoint in {"api.approve_application", "api.reject_application"}:
            values["application_id"] = self.ids["eligible_application"]
        if re.search(r"review|materials", re.sub(r"<[^>]+>", "", rule.rule)):
            values.update(self.world.review_params)
        return {name: values[name] for name in rule.arguments}

    def body(self, endpoint: str, component: str | None):
        today = timeutil.utcnow().date()
        start = (timeutil.utcnow() + timedelta(days=20)).isoformat()
        candidate = {
            "birth_date": "1990-05-01",
            "work": [{"occupation": "社团会员管理员", "start": "2015-01-01", "end": None}],
            "certificates": [{"occupation": "社团会员管理员", "level": "五级", "issued": "2018-03-01"}],
            "education": [
                {
                    "school": "普通高等学校",
                    "program": "本科",
                    "major": "行政管理",
                    "status": "graduated",
                    "graduated": "2012-07-01",
                    "assessed": False,
                }
            ],
            "titles": [{"rank": "初级", "matches_field": True, "obtained": "2020-01-01"}],
            "training": [{"level": "四级", "hours": 30, "completion_certificate": True, "completed": "2025-06-30"}],
        }
        item = {
            "external_id": "FUZZ-1",
            "type": "single",
            "stem": "会员登记的第一步是？",
            "options": ["审核资格", "缴纳会费", "填写申请", "颁发证书"],
            "answer": "C",
            "points": 1,
            "area": "会员发展",
            "level": "四级",
            "difficulty": 0.65,
            "enemy_group": None,
        }
        bodies = {
            "api.create_token": {"username": USERNAMES[CAND], "password": DEMO_PASSWORD},
            "api.check_eligibility": {
                "standard": "3-01-01-04",
                "level": "四级",
                "as_of": today.isoformat(),
                "candidate": candidate,
            },
            "api.create_application": {"standard": "3-01-01-04", "level": "四级", "candidate": candidate},
            "api.approve_application": {"reason": "材料齐全"},
            "api.reject_application": {"reason": "材料不全"},
            "api.import_bank_items": {"items": [item]},
            "api.revoke_certificate": {"reason": "证书信息有误"},
            "api.assemble_papers": {
                "standard": "3-01-01-04",
                "level": "四级",
                "forms": 1,
                "max_overlap": 0.2,
                "seed": 7,
                "sections": [{"type": "judge", "count": 1}],
                "difficulty": {"min": 0.55, "max": 0.75},
            },
            "api.create_session": {
                "name": "模糊测试批次",
                "standard": "3-01-01-04",
                "level": "四级",
                "theory_start": start,
                "theory_minutes": 90,
                "practical_minutes": 60,
                "review_minutes": None,
            },
            "api.add_room": {"name": "第二考场", "capacity": 30, "kind": "theory", "stations": None},
            "api.add_staff": {"username": "proctor3", "role": "proctor", "room": self.draft_room, "panel": None},
            "api.add_candidate": {"username": "cand10", "room": self.draft_room},
            "api.assign_papers": {
                "forms": 1,
                "max_overlap": 0.2,
                "seed": 7,
                "sections": [{"type": "judge", "count": 1}],
            },
            "api.advance": {"status": "scheduled"},
            "api.save_answer": {"answer": "A"},
            "api.grant_extension": {"minutes": 10, "reason": "设备故障"},
            "api.record_incident": {"reason": "考生离座"},
            "api.force_close": {"reason": "违纪"},
            "api.save_sheet": {"sections": {"会员发展": 20, "宣传讲解": 10}}
            if component == "practical"
            else {"score": 80},
            "api.finalize": {"note": "核对无误"},
            "api.finalize_panel": {"panel": None, "notes": {}, "all": False},
            "api.mark": {"mark": "absent", "reason": "未到场"},
            "api.set_split": {"parts": [{"name": "会员招募", "max": 10}]},
            "api.scoring_settings": {"spread_threshold": 10},
            "api.review_deadline": {"due": start},
            # satisfaction surveys: the world's survey is the demo's open one (the template's six questions)
            "api.create_survey": {
                "title": "满意度调查",
                "audience": {"center": "members"},
                "anonymous": True,
                "opens": timeutil.utcnow().isoformat(),
                "closes": start,
                "questions": [
                    {"text": "总体评价", "type": "likert5"},
                    {"text": "获知渠道", "type": "choice", "options": ["网站", "通知"], "multiple": False},
                    {"text": "意见", "type": "text", "required": False},
                ],
            },
            "api.respond_to_survey": {"answers": ["满意", "满意", "非常满意", "机构网站", ["考前培训"], "很好"]},
            "api.add_survey_improvement": {
                "question": 1,
                "cause": "考场较冷",
                "found_on": today.isoformat(),
                "measure": "调整空调",
                "measure_on": today.isoformat(),
            },
            "api.save_survey_template": {"name": "模板甲", "questions": [{"text": "总体评价", "type": "likert5"}]},
            "api.save_survey_settings": {"satisfied_levels": ["非常满意", "满意"], "target_rate": 0.9},
        }
        return bodies.get(endpoint, {})


DRAFT_ROUTES = {
    "api.get_session",
    "api.add_room",
    "api.add_staff",
    "api.add_candidate",
    "api.assign_papers",
    "api.advance",
    "api.readiness",
    "api.set_split",
}
LIVE_ROUTES = {"api.start_attempt", "api.grant_extension", "api.force_close", "api.record_incident", "api.room_status"}


# ---------------------------------------------------------------- mutating a valid body
def _leaves(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _leaves(inner, (*path, index))


def _replace(value, path, new, delete=False):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        out = dict(value)
        if delete and not rest:
            out.pop(head, None)
        else:
            out[head] = _replace(value[head], rest, new, delete)
        return out
    out = list(value)
    if delete and not rest:
        del out[head]
    else:
        out[head] = _replace(value[head], rest, new, delete)
    return out


@st.composite
def mutated(draw, template):
    body = template
    paths = list(_leaves(template))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["hostile", "hostile", "hostile", "delete", "extra"]))
        try:
            if action == "delete" and path:
                body = _replace(body, path, None, delete=True)
            elif action == "extra":
                if isinstance(body, dict):
                    body = {**body, draw(st.sampled_from(["id", "center_id", "status", "\ud800", ""])): draw(hostile)}
            else:
                body = _replace(body, path, draw(hostile))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path
    return body


def encode(body) -> bytes:
    """JSON as a hostile client sends it: NaN/Infinity literals allowed, lone surrogates escaped."""
    return json.dumps(body, allow_nan=True).encode("ascii")


# ---------------------------------------------------------------- one call, checked
def build_path(rule, values: dict, hostile_values: dict) -> str:
    def fill(match):
        name = match.group(2)
        if name in hostile_values:
            return hostile_values[name]
        return quote(str(values[name]), safe="")

    return re.sub(r"<(?:([^:<>]+):)?([^<>]+)>", fill, rule.rule)


def check(
    fuzz: Fuzz,
    label: str,
    identity: str,
    method: str,
    path: str,
    data: bytes | None,
    content_type: str | None,
    query_string=None,
):
    world = fuzz.world
    headers = dict(world.identities[identity].token)
    before = world.counts()
    response = world.client(identity, cookies=False).open(
        path, method=method, data=data, content_type=content_type, headers=headers, query_string=query_string
    )
    fuzz.cases += 1
    status = response.status_code
    fuzz.statuses[status] += 1
    problem = None
    if status >= 500:
        problem = f"{status} {response.get_data(True)[:200]}"
    elif status >= 400:
        after = world.counts()
        counted = {t for t in before if before[t] != after[t]} - BOOKKEEPING
        changed = set(world.changed_tables()) - BOOKKEEPING
        if counted or changed:
            problem = f"{status} but tables changed: {sorted(counted | changed)}"
    world.restore()
    if problem:
        shown = data if data is None or len(data) < 300 else data[:300] + b"..."
        fuzz.found.append(
            f"{label} as {identity}: {method} {path[:200]} {query_string or ''} body={shown!r}: {problem}"
        )
    assert problem is None or DISCOVER, fuzz.found[-1]


def upload_payloads() -> list[tuple[bytes, str]]:
    """Review materials (multipart): a real PDF, a NUL in the kind and the file name, an .exe body behind
    a lone surrogate in the name, an empty file with a 5,000-character name."""
    boundary = "fuzz"
    out = []
    for kind, name, content in [
        ("summary", "技术总结.pdf", PDF),
        ("\x00", "a\x00b.pdf", PDF),
        ("thesis", "\ud800.pdf", b"MZ\x90\x00"),
        ("summary", "x" * 5000 + ".pdf", b""),
    ]:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        )
        payload = head.encode("utf-8", "surrogatepass") + content + f"\r\n--{boundary}--\r\n".encode()
        out.append((payload, f"multipart/form-data; boundary={boundary}"))
    return out


def fuzz_route(fuzz: Fuzz, endpoint: str, method: str, rule, component: str | None) -> None:
    identity = identity_for(endpoint, method, component)
    values = fuzz.params(endpoint, rule, component)
    if component:
        values["component"] = component
    template = fuzz.body(endpoint, component)
    label = f"{endpoint} {method}" + (f" ({component})" if component else "")
    path_args = [name for name in rule.arguments if name != "component"]

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        body=mutated(template) if method != "GET" else st.just(None),
        # the real records three times in four: the body's checks are reached past the path's
        ids=st.one_of(
            st.just({}), st.just({}), st.just({}), st.dictionaries(st.sampled_from(path_args), segment, min_size=1)
        )
        if path_args
        else st.just({}),
        qs=query,
    )
    def run(body, ids, qs):
        data = None if body is None else encode(body)
        check(
            fuzz, label, identity, method, build_path(rule, values, ids), data, "application/json" if data else None, qs
        )

    run()
    path = build_path(rule, values, {})
    if method != "GET":
        for data, content_type in GARBAGE + (upload_payloads() if endpoint == "api.upload_material" else []):
            check(fuzz, label, identity, method, path, data, content_type)


def test_api_fuzz(app):
    fuzz = Fuzz(app)
    endpoints = []
    for (endpoint, method), rule in sorted(routes(app).items(), key=lambda kv: (kv[1].rule, kv[0][1])):
        if rule.rule.startswith("/api/"):
            for component in ["practical", "review"] if "component" in rule.arguments else [None]:
                endpoints.append((endpoint, method, rule, component))
    for endpoint, method, rule, component in endpoints:
        fuzz_route(fuzz, endpoint, method, rule, component)
    RUN_SUMMARY.append(
        f"API fuzz: {fuzz.cases} cases over {len(endpoints)} (route, method, component) of /api/v1; "
        f"{len(fuzz.found)} found; answers: " + ", ".join(f"{s} ×{n}" for s, n in sorted(fuzz.statuses.items()))
    )
    print(RUN_SUMMARY[-1])
    assert not fuzz.found, "\n".join(fuzz.found)
