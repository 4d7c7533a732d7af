"""The seed banks: up to date with the standards, keys that are facts, and conforming parallel papers
for every level of the three standards (3 forms, ≤ 20% overlap, the default paper)."""

from __future__ import annotations

import json
import re
from itertools import combinations
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.banks.models import Item
from app.extensions import db
from app.papers.templates import paper_template
from app.standards.loader import load_standards
from question_banks import generate
from scoring.assembly import Bank, Blueprint, Section, assemble

BANKS = Path(__file__).resolve().parents[1] / "question_banks"
STANDARDS = load_standards()
LETTERS = "ABCDEFGH"


def seed(standard_id: str) -> list[dict]:
    return json.loads((BANKS / f"{standard_id}.json").read_text(encoding="utf-8"))["items"]


def test_seed_files_are_what_the_generator_derives_from_the_current_standards():
    assert generate.main(["--check"]) == 0


def _level_tables(standard):
    """{level title: {content name: {"skills": set, "knowledge": set}}}, recomputed independently."""
    tables = {}
    for level in standard.level_ids:
        title = standard.level(level).title
        tables[title] = {}
        for function in standard.work_requirements[level]:
            for content in function.contents:
                entry = tables[title].setdefault(content.name, {"skills": set(), "knowledge": set(), "function": set()})
                entry["skills"] |= {s.text for s in content.skills}
                entry["knowledge"] |= {k.text for k in content.knowledge}
                entry["function"].add(function.name)
    return tables


JUDGE_SKILL = re.compile(r"^(.+?)「(.+?)」(?:工作内容|工作任务)的(?:技能要求|职业技能要求)包括「(.+)」。$")
JUDGE_KNOW = re.compile(r"^(.+?)「(.+?)」工作内容的相关知识要求包括「(.+)」。$")
SINGLE_SKILL = re.compile(r"中，(.+?)的(?:技能要求|职业技能要求)「(.+)」属于下列哪项(?:工作内容|工作任务)？$")


@pytest.mark.parametrize("standard_id", list(STANDARDS))
def test_keys_are_facts_and_distractors_are_false(standard_id):
    """Independent of the generator: re-read each derived item against the standard's tables."""
    tables = _level_tables(STANDARDS[standard_id])
    checked = 0
    for item in seed(standard_id):
        stem = item["stem"]
        if item["type"] == "judge" and (m := JUDGE_SKILL.match(stem)):
            title, content, skill = m.groups()
            assert (skill in tables[title].get(content, {}).get("skills", set())) == item["answer"], item
            checked += 1
        elif item["type"] == "judge" and (m := JUDGE_KNOW.match(stem)):
            title, content, know = m.groups()
            assert (know in tables[title].get(content, {}).get("knowledge", set())) == item["answer"], item
            checked += 1
        elif item["type"] == "single" and (m := SINGLE_SKILL.search(stem)):
            title, skill = m.groups()
            key = item["options"][LETTERS.index(item["answer"])]
            holders = {o for o in item["options"] if skill in tables[title][o]["skills"]}
            assert holders == {key}, item  # the key holds the skill, no distractor does
            checked += 1
        elif item["type"] == "multiple" and stem.endswith(("工作内容的技能要求？", "工作任务的职业技能要求？")):
            m = re.search(r"下列哪些是(.+?)「(.+?)」", stem)
            title, content = m.groups()
            truth = tables[title][content]["skills"]
            keyed = {item["options"][LETTERS.index(a)] for a in item["answer"]}
            assert keyed == {o for o in item["options"] if o in truth} and len(keyed) >= 2, item
            checked += 1
    assert checked > 300


@pytest.mark.parametrize("standard_id", list(STANDARDS))
def test_every_item_cites_a_clause_and_no_two_ids_clash(standard_id):
    items = seed(standard_id)
    assert len({i["external_id"] for i in items}) == len(items)
    assert all(re.match(r"^\d", i["source"]) for i in items)  # a clause number first (3.2 …, 2.1.2 …, 6.2 表1 …)


@pytest.mark.parametrize(
    ("standard_id", "level"), [(sid, lv) for sid, s in STANDARDS.items() for lv in s.level_ids]
)  # fmt: skip
def test_three_parallel_default_papers_conform_at_every_level(standard_id, level):
    standard = STANDARDS[standard_id]
    template = paper_template(standard)
    rank = {lv: k for k, lv in enumerate(standard.level_ids)}
    items = seed(standard_id)
    records = [
        dict(id=n, type=i["type"], area=i["area"], level_rank=rank[i["level"]], points=i["points"],
             difficulty=i["difficulty"], enemy_group=i["enemy_group"])
        for n, i in enumerate(items)
    ]  # fmt: skip
    bp = Blueprint(
        level=level, level_rank=rank[level], weights=standard.theory_weights[level],
        sections=tuple(Section(s.type, s.count, s.points) for s in template.sections), forms=3, max_overlap=0.2,
        difficulty=(template.difficulty.min, template.difficulty.max),
    )  # fmt: skip
    result = assemble(Bank.from_records(records), bp, seed=11)
    assert len(result.forms) == 3
    for form in result.forms:
        chosen = [records[i] for i in form.item_ids]
        total = sum(r["points"] for r in chosen)
        assert total == 100
        for area, weight in standard.theory_weights[level].items():
            assert sum(r["points"] for r in chosen if r["area"] == area) == weight  # exactly, at 100 points
        assert {r["area"] for r in chosen} <= set(standard.theory_weights[level])
        assert all(r["level_rank"] <= rank[level] for r in chosen)
        groups = [r["enemy_group"] for r in chosen if r["enemy_group"]]
        assert len(groups) == len(set(groups))
        assert template.difficulty.min <= form.mean_difficulty <= template.difficulty.max
    for a, b in combinations(result.forms, 2):
        assert len(set(a.item_ids) & set(b.item_ids)) <= 18


def test_import_seed_command_loads_a_bank_and_is_repeatable(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["banks", "import-seed", "--standard", "590008"])
    assert result.exit_code == 0, result.output
    assert "590008" in result.output
    again = runner.invoke(args=["banks", "import-seed", "--standard", "590008"])
    assert again.exit_code == 0
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Item).where(Item.standard_id == "590008"))
        assert count == len(seed("590008"))
