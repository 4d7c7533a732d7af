"""A newcomer's path: production pins and installs what it runs and no test tools, the documents stand
alone (nothing points outside the repository), API JSON keeps Chinese as UTF-8."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _requirements(name: str) -> list[Requirement]:
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    return [
        Requirement(line.split("#")[0].strip())
        for line in lines
        if line.split("#")[0].strip() and not line.startswith("-r")
    ]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_runtime_requirement_is_pinned_within_its_range():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_canonical(name)] = version
    for requirement in _requirements("requirements.txt"):
        name = _canonical(requirement.name)
        assert name in pins, f"{requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{name}=={pins[name]} outside {requirement}"
        )
    names = [_canonical(r.name) for r in _requirements("requirements.txt")]
    assert len(names) == len(set(names)), "a requirement is listed twice"


def test_production_installs_no_test_tools():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    runtime = re.search(r"^\$\(STAMP\):.*?(?=^\S)", makefile, flags=re.M | re.S).group(0)
    assert "requirements.txt" in runtime and "requirements-dev" not in runtime
    for target in ("run", "serve", "db"):
        line = re.search(rf"^{target}:(.*)$", makefile, flags=re.M).group(1)
        assert "install-dev" not in line, f"make {target} installs the test tools"


def test_nothing_tracked_points_outside_the_repository():
    """Code, data, tests and documents stand alone: no path into the folder beside the repository."""
    outside = "../" + "shared"  # spelled in two pieces so that this test does not find itself
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    pointing = []
    for name in tracked.split():
        path = ROOT / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" not in data and outside.encode() in data:
            pointing.append(name)
    assert pointing == []


def test_api_json_keeps_chinese_as_utf8(client, make_user, token_for):
    make_user("json_reader")
    body = client.get("/api/v1/standards", headers=token_for("json_reader")).data
    assert "社团会员管理员".encode() in body and b"\\u" not in body


def test_a_huge_body_to_an_anonymous_route_is_refused_before_it_is_parsed(client, make_user):
    """Issue 28 item 11: a sign-in body is bounded (16 KB), so a 13 MB JSON body is a 413 at once,
    its JSON never parsed; an ordinary sign-in still works."""
    make_user("bounded")
    huge = b'{"username": "bounded", "password": "' + b"x" * (13 * 1024 * 1024) + b'"}'
    refused = client.post("/api/v1/auth/token", data=huge, content_type="application/json")
    assert refused.status_code == 413
    assert refused.get_json()["error"]["code"]
    padded = b'{"username": "bounded", "password": "secret123", "pad": "' + b"x" * 20_000 + b'"}'
    assert client.post("/api/v1/auth/token", data=padded, content_type="application/json").status_code == 413
    ok = client.post("/api/v1/auth/token", json={"username": "bounded", "password": "secret123"})
    assert ok.status_code == 200
