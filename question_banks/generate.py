"""Derive the seed question banks from the standards' own data (deterministic).

    .venv/bin/python question_banks/generate.py          # write question_banks/<standard>.json
    .venv/bin/python question_banks/generate.py --check  # exit 1 if a file is out of date

Every key is a fact of the standard (exam_templates/<standard>.yaml, transcribed from the
standard's text; its ``wording`` block names the tables' terms and clauses as the text prints them)
and every item cites the clause it tests in ``source``. Distractors are drawn
from elsewhere in the same standard (other 工作内容, 职业功能, levels, topics) or from the other
standards, and each is verified NOT to be true of the item (``builder.check_false``) before it is used:
a skill offered as a distractor for 工作内容 X is checked not to be a skill of X at that level, a
number is checked to differ from the true one, and so on. Items derived from one fact share an
enemy group, so a paper never asks the same fact twice. Hand-written items (职业道德 scenarios
grounded in the 职业守则, and articles of the laws a standard names) come from handwritten.yaml.

Modules: builder.py (the item shapes, distractor checks, priors), work_items.py (工作要求),
basic_items.py (基本要求), number_items.py (职业概况 and 权重表 numbers); this file writes the banks.

Difficulty is a prior (expected proportion correct) by item kind, to be replaced by the item
statistics of real sittings: judge 0.75, fact-to-category single 0.62–0.70, reverse single 0.6,
level or number single 0.5–0.55, multiple 0.48; a small deterministic jitter (±0.04) per item.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from the repository root
    sys.path.insert(0, str(ROOT))

from app.banks.validation import check_item  # noqa: E402
from app.standards.loader import load_standards  # noqa: E402
from app.standards.schema import Standard  # noqa: E402
from question_banks.basic_items import basic_items  # noqa: E402
from question_banks.builder import Builder  # noqa: E402
from question_banks.number_items import number_items  # noqa: E402
from question_banks.work_items import work_items  # noqa: E402

HERE = Path(__file__).resolve().parent
HANDWRITTEN = HERE / "handwritten.yaml"


def handwritten(standard_id: str) -> list[dict]:
    data = yaml.safe_load(HANDWRITTEN.read_text(encoding="utf-8")) or {}
    return [dict(item) for item in data.get(standard_id, [])]


def build(standard: Standard, all_standards: dict[str, Standard]) -> list[dict]:
    b = Builder(standard)
    work_items(b, all_standards)
    basic_items(b, all_standards)
    number_items(b, all_standards)
    items = b.items + handwritten(standard.id)
    seen = set()
    for index, item in enumerate(items):
        if item["external_id"] in seen:
            raise SystemExit(f"{standard.id}: duplicate external_id {item['external_id']}")
        seen.add(item["external_id"])
        _, problems = check_item(item, standard)
        if problems:
            raise SystemExit(f"{standard.id}[{index}] {item['external_id']}: {problems}")
    return items


def render(standard: Standard, items: list[dict]) -> str:
    body = {
        "standard": standard.id,
        "name": standard.name,
        "generated_by": "question_banks/generate.py",
        "items": items,
    }
    return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str]) -> int:
    standards = load_standards()
    stale = []
    for standard in standards.values():
        items = build(standard, standards)
        text = render(standard, items)
        path = HERE / f"{standard.id}.json"
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
            continue
        path.write_text(text, encoding="utf-8")
        print(f"{path.name}: {len(items)} items")
    if stale:
        print("out of date: " + ", ".join(stale) + " (run question_banks/generate.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
