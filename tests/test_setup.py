"""A newcomer's path: production pins and installs what it runs and no test tools, the documents stand
alone (nothing points outside the repository), API JSON keeps Chinese as UTF-8."""

from __future__ import annotations

import re
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


def test_the_documents_point_nowhere_outside_the_repository():
    for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text and "shared/seeds" not in text, f"{path.name} points outside the repository"


def test_api_json_keeps_chinese_as_utf8(client, make_user, token_for):
    make_user("json_reader")
    body = client.get("/api/v1/standards", headers=token_for("json_reader")).data
    assert "社团会员管理员".encode() in body and b"\\u" not in body
