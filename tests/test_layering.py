"""The direction of imports between the packages, written down once (issue 20 item 5).

Each unit below may import only units of LOWER layers (and itself). A unit is a package of ``app``
(``app.sessions``), a top-level module of ``app`` (``app.uploads``), ``scoring`` or ``question_banks``;
Two packages are cut in two: ``app.auth``'s accounts (models, role groups, and the decorators and
scoping that read them), which everything may use, stand below its operations and pages, which record
in the audit log; ``app.standards``' page stands above the assessment registry whose labels it shows.
Each domain's ``demo`` module belongs with ``app.demo``: demonstration data builds across domains.
Imports inside ``if TYPE_CHECKING:`` count too, except a higher package's ``models`` named for an
annotation (no code of it runs, no import cycle can form). A test that fails here names the module,
the import and the two layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. Units of one layer import nothing of each other.
LAYERS: list[tuple[str, ...]] = [
    ("scoring",),
    ("app.errors", "app.timeutil", "app.config", "app.extensions"),
    (
        "app.lifecycle",
        "app.locking",
        "app.http_input",
        "app.append_only",
        "app.faults",
        "app.security",
        "app.spreadsheets",
        "app.qrcodes",
        "app.form_errors",
        "app.db_identity",
        "app.verify_limits",
        "app.session_cookies",
        "app.flask_app",
    ),
    ("app.write_health",),
    ("app.boundary", "app.standards"),
    ("app.statement_reads", "app.connection_ping", "app.driver_statements"),
    ("app.auth.accounts",),
    ("app.audit", "app.uploads"),
    ("app.auth",),
    ("app.eligibility", "app.banks"),
    ("app.papers",),
    ("app.assessment",),
    ("app.sessions",),
    ("app.exams", "app.practical"),
    ("app.results",),
    ("app.statistics", "question_banks", "app.training"),
    ("app.continuing_education",),
    ("app.talent", "app.surveys"),
    ("app.rating",),
    ("app.components", "app.navigation", "app.main", "app.standards.pages", "app.models"),
    ("app.api", "app.demo"),
    ("app.cli",),
    ("app",),
]
SPLIT = {
    "app.auth.models": "app.auth.accounts",
    "app.auth.roles": "app.auth.accounts",
    "app.auth.decorators": "app.auth.accounts",
    "app.auth.scoping": "app.auth.accounts",
    "app.standards.views": "app.standards.pages",
}
LAYER_OF = {unit: index for index, units in enumerate(LAYERS) for unit in units}


def unit_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "app":
        return parts[0]
    if len(parts) == 1:
        return "app"
    if len(parts) > 2 and parts[2] == "demo":  # demonstration data builds across domains, like app.demo
        return "app.demo"
    if ".".join(parts[:3]) in SPLIT:
        return SPLIT[".".join(parts[:3])]
    return f"app.{parts[1]}"


def module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    package = parts[-1] == "__init__"
    if package:
        parts = parts[:-1]
    return ".".join(parts), package


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of this repository's code in ``path``."""
    module, package = module_name(path)
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    annotation_only = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING"
        for statement in node.body
        for child in ast.walk(statement)
        if isinstance(child, ast.ImportFrom) and (child.module or "").endswith(".models")
    }
    for node in ast.walk(tree):
        if id(node) in annotation_only:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if package else module.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # ``from app import timeutil`` imports the module app.timeutil, not the package's __init__
            if target == "app":
                found += [(node.lineno, f"app.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, target))
    return [(line, name) for line, name in found if name.split(".")[0] in {"app", "scoring", "question_banks"}]


def back_arrows() -> list[str]:
    problems = []
    for root in ("app", "scoring", "question_banks"):
        for path in sorted((ROOT / root).rglob("*.py")):
            module, _ = module_name(path)
            source = unit_of(module)
            assert source in LAYER_OF, f"{module}: unit {source} has no layer in LAYERS"
            for line, target in imported(path):
                unit = unit_of(target)
                if unit == source:
                    continue
                assert unit in LAYER_OF, f"{module}:{line} imports {target}: unit {unit} has no layer in LAYERS"
                if LAYER_OF[unit] >= LAYER_OF[source]:
                    problems.append(
                        f"{path.relative_to(ROOT)}:{line} {source} (layer {LAYER_OF[source]}) imports {target} "
                        f"({unit}, layer {LAYER_OF[unit]})"
                    )
    return problems


def test_imports_run_one_way():
    assert back_arrows() == []


def test_the_check_sees_a_back_arrow(tmp_path, monkeypatch):
    """The test can fail: scoring importing the app is refused."""
    assert unit_of("app.auth.roles") == "app.auth.accounts" and unit_of("app.auth.operations") == "app.auth"
    assert LAYER_OF[unit_of("app.sessions.enrolment")] > LAYER_OF[unit_of("app.papers.models")]
    fake = ROOT / "scoring" / "_layering_probe.py"
    fake.write_text("from app.sessions.models import ExamSession\n", encoding="utf-8")
    try:
        assert any("_layering_probe.py:1 scoring (layer 0) imports app.sessions.models" in p for p in back_arrows())
    finally:
        fake.unlink()
