"""Load and validate the standards in ``exam_templates/``.

Pure Python (no Flask): the bench scripts and the question-bank generator use it too.
A malformed file raises :class:`TemplateError` naming the file and the path of the bad field.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from scoring.eligibility import RuleError, validate_rule

from .schema import Standard

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "exam_templates"


class TemplateError(Exception):
    """A standard file that cannot be used; the message names the file and the field."""


def _format_loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


# libyaml's parser when the wheel has it (about 10x faster than the pure-Python one).
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Validated standards keyed by (path, size, mtime): every create_app (one per test) reuses them.
_cache: dict[tuple[str, int, int], Standard] = {}


def load_standard_file(path: Path) -> Standard:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _cache:
        _cache[key] = _load_standard_file(path)
    return _cache[key]


def _load_standard_file(path: Path) -> Standard:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise TemplateError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise TemplateError(f"{path.name}: (top level): expected a mapping")
    try:
        standard = Standard.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{_format_loc(err['loc'])}: {err['msg']}" for err in exc.errors(include_url=False))
        raise TemplateError(f"{path.name}: {problems}") from exc
    if standard.id != path.stem:
        raise TemplateError(f"{path.name}: id: '{standard.id}' does not match the file name")
    for level_id, clauses in standard.eligibility.items():
        for index, clause in enumerate(clauses):
            if clause.rule is None:
                continue
            try:
                validate_rule(clause.rule)
            except RuleError as exc:
                where = f"eligibility.{level_id}[{index}].rule"
                if exc.path:
                    where += f".{exc.path}"
                raise TemplateError(f"{path.name}: {where}: {exc.message}") from exc
    return standard


def load_standards(directory: Path | str | None = None) -> dict[str, Standard]:
    """Every ``<id>.yaml`` at the top of the directory, keyed by standard id, in file order."""
    directory = Path(directory) if directory else TEMPLATES_DIR
    standards: dict[str, Standard] = {}
    for path in sorted(directory.glob("*.yaml")):
        standard = load_standard_file(path)
        clash = next((o.id for o in standards.values() if o.bank_prefix == standard.bank_prefix), None)
        if clash:
            raise TemplateError(f"{path.name}: bank_prefix: '{standard.bank_prefix}' is already {clash}'s")
        standards[standard.id] = standard
    if not standards:
        raise TemplateError(f"{directory}: no standard files (*.yaml) found")
    return standards
