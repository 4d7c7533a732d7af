"""The seed banks of question_banks/<standard>.json (written by question_banks/generate.py).

Loaded by ``flask --app wsgi banks import-seed`` and by ``flask demo``, never by ``init-db``: a
production platform starts from the banks its experts approve, not from ours. Every file goes
through the same checks as an import; one bad item refuses the file.
"""

from __future__ import annotations

import json
from pathlib import Path

from app.errors import Invalid
from app.standards.registry import all_standards

from .operations import upsert_items, validate_items

SEED_DIR = Path(__file__).resolve().parents[2] / "question_banks"


def seed_files(directory: Path | None = None) -> dict[str, Path]:
    directory = directory or SEED_DIR
    return {sid: directory / f"{sid}.json" for sid in all_standards() if (directory / f"{sid}.json").exists()}


def import_seed(standard_ids: list[str] | None = None, directory: Path | None = None) -> dict[str, int]:
    """Upsert the seed bank of each standard (all, or those named); returns items per standard."""
    files = seed_files(directory)
    counts = {}
    for standard_id, path in files.items():
        if standard_ids and standard_id not in standard_ids:
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        standard = all_standards()[standard_id]
        clean, problems = validate_items(data.get("items", []), standard)
        if problems:
            index, problem = problems[0]
            raise Invalid(f"{path.name} 第 {index + 1} 题：{problem.message}", field=problem.field, index=index)
        counts[standard_id] = upsert_items(standard, clean)
    return counts
