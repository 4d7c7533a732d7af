"""scoring.assembly, pure: every constraint of 组卷, the infeasibility messages, the guard.

Weights are 3-01-01-04's 4.1 四级 row (5/20/10/15/10/10/15/15) unless a case needs its own.
"""

from __future__ import annotations

import time
from itertools import combinations

import numpy as np
import pytest

from scoring.assembly import Bank, Blueprint, Infeasible, Section, TimeLimitExceeded, assemble
from scoring.assembly import solve as assembly

W4 = {
    "职业道德": 5,
    "基础知识": 20,
    "宣传讲解": 10,
    "会员发展": 15,
    "权益维护": 10,
    "履职监督": 10,
    "会籍管理": 15,
    "会员服务": 15,
}
LEVELS = ["五级", "四级", "三级", "二级", "一级"]
DEFAULT = (Section("judge", 20, 1), Section("single", 60, 1), Section("multiple", 10, 2))
SMALL = (Section("judge", 5, 1), Section("single", 11, 1), Section("multiple", 2, 2))  # 20 points


def blueprint(**kw) -> Blueprint:
    base = dict(level="四级", level_rank=1, weights=W4, sections=SMALL, forms=1, max_overlap=0.2, difficulty=(0.0, 1.0))
    base.update(kw)
    return Blueprint(**base)


def synthetic(per_cell: int = 4, seed: int = 1, weights=W4, level_ranks=(0, 1), **extra) -> list[dict]:
    """per_cell items of every area × type, points 1 (2 for multiple), spread difficulty."""
    rng = np.random.default_rng(seed)
    records = []
    for area in weights:
        for kind in ("judge", "single", "multiple"):
            for _ in range(per_cell):
                records.append(
                    dict(
                        id=len(records) + 1,
                        type=kind,
                        area=area,
                        level_rank=int(rng.choice(level_ranks)),
                        points=2 if kind == "multiple" else 1,
                        difficulty=float(rng.uniform(0.3, 0.95)),
                        enemy_group=None,
                        usage=0,
                        **extra,
                    )
                )
    return records


def by_id(records):
    return {r["id"]: r for r in records}


def check_form(form, records, bp):
    items = [by_id(records)[i] for i in form.item_ids]
    assert len(set(form.item_ids)) == len(form.item_ids)
    total = sum(r["points"] for r in items)
    assert total == bp.total_points == form.total_points
    for area, weight in bp.weights.items():
        assert sum(r["points"] for r in items if r["area"] == area) * 100 == weight * total
    for s in bp.sections:
        assert sum(1 for r in items if r["type"] == s.type and r["points"] == s.points) == s.count
    assert all(r["level_rank"] <= bp.level_rank for r in items)
    assert all(r["area"] in bp.weights for r in items)
    groups = [r["enemy_group"] for r in items if r["enemy_group"]]
    assert len(groups) == len(set(groups))
    mean = sum(r["difficulty"] for r in items) / len(items)
    assert bp.difficulty[0] - 1e-9 <= mean <= bp.difficulty[1] + 1e-9
    assert form.mean_difficulty == pytest.approx(mean)


def test_default_paper_meets_weights_sections_and_overlap():
    records = synthetic(per_cell=20)
    bp = blueprint(sections=DEFAULT, forms=3, max_overlap=0.2, difficulty=(0.55, 0.75))
    result = assemble(Bank.from_records(records), bp, seed=7)
    assert len(result.forms) == 3
    for form in result.forms:
        check_form(form, records, bp)
        assert form.area_points == {a: w for a, w in W4.items()}  # total 100: points = percent
    for a, b in combinations(result.forms, 2):
        assert len(set(a.item_ids) & set(b.item_ids)) <= 18  # floor(0.2 × 90)


def test_level_filter_excludes_higher_level_items_and_rows_absent_at_the_level():
    # 二级 has no 宣传讲解 row (4.1 "-"); items above 四级 never serve a 四级 paper.
    w2 = {
        "职业道德": 5,
        "基础知识": 15,
        "会员发展": 15,
        "权益维护": 10,
        "履职监督": 10,
        "会籍管理": 10,
        "会员服务": 15,
        "培训指导": 20,
    }
    records = synthetic(per_cell=8, weights={**W4, "培训指导": 20}, level_ranks=(0, 1, 2, 3))
    bank = Bank.from_records(records)
    four = assemble(bank, blueprint(forms=2), seed=3)
    for form in four.forms:
        check_form(form, records, blueprint())
    two_bp = blueprint(level="二级", level_rank=3, weights=w2)
    two = assemble(bank, two_bp, seed=3)
    for form in two.forms:
        check_form(form, records, two_bp)
        assert not any(by_id(records)[i]["area"] == "宣传讲解" for i in form.item_ids)


def test_area_shortfall_is_named_with_points_before_solving():
    records = [r for r in synthetic(per_cell=10) if r["area"] != "会籍管理"]
    # 会籍管理: 9 points usable at 四级, plus items of 三级 that do not count
    for k in range(9):
        records.append(dict(id=1000 + k, type="judge", area="会籍管理", level_rank=1, points=1, difficulty=0.6))
    for k in range(20):
        records.append(dict(id=2000 + k, type="single", area="会籍管理", level_rank=2, points=1, difficulty=0.6))
    bp = blueprint(sections=DEFAULT)
    with pytest.raises(Infeasible) as info:
        assemble(Bank.from_records(records), bp, seed=1, guard=False)
    assert info.value.constraint == "area"
    assert "会籍管理" in info.value.message and "15" in info.value.message and "9" in info.value.message
    assert info.value.details == {"area": "会籍管理", "need": 15, "have": 9}


def test_enemy_group_counts_once_in_the_capacity_check():
    records = [r for r in synthetic(per_cell=10) if r["area"] != "职业道德"]
    for k in range(4):  # 职业道德 needs 1 point of 20; four items of one enemy group give only one
        records.append(
            dict(id=500 + k, type="judge", area="职业道德", level_rank=0, points=1, difficulty=0.6, enemy_group="E")
        )
    bank = Bank.from_records(records)
    form = assemble(bank, blueprint(), seed=1).forms[0]
    assert sum(1 for i in form.item_ids if 500 <= i < 504) == 1
    with pytest.raises(Infeasible) as info:  # a 100-point paper needs 5 职业道德 points: the group gives 1
        assemble(bank, blueprint(sections=DEFAULT), seed=1)
    assert info.value.details == {"area": "职业道德", "need": 5, "have": 1}


def test_type_shortfall_names_the_type():
    records = [r for r in synthetic(per_cell=4) if r["type"] != "judge"][:]
    records += [
        dict(id=900 + k, type="judge", area="基础知识", level_rank=0, points=1, difficulty=0.5) for k in range(3)
    ]
    with pytest.raises(Infeasible) as info:
        assemble(Bank.from_records(records), blueprint(), seed=1, guard=False)
    assert info.value.constraint == "type"
    assert "判断题" in info.value.message and "5" in info.value.message and "3" in info.value.message


def test_enemy_groups_never_share_a_paper():
    records = synthetic(per_cell=6)
    for r in records:  # pairs of neighbours in one enemy group: many conflicts
        r["enemy_group"] = f"g{(r['id'] - 1) // 2}"
    bp = blueprint(forms=2)
    result = assemble(Bank.from_records(records), bp, seed=11)
    for form in result.forms:
        check_form(form, records, bp)


def test_enemy_group_across_areas_is_diagnosed():
    w = {"甲": 50, "乙": 50}
    secs = (Section("judge", 2, 1), Section("multiple", 1, 2))
    records = [
        dict(id=1, type="judge", area="甲", level_rank=0, points=1, difficulty=0.5, enemy_group="g"),
        dict(id=2, type="judge", area="甲", level_rank=0, points=1, difficulty=0.5, enemy_group="h"),
        dict(id=3, type="multiple", area="乙", level_rank=0, points=2, difficulty=0.5, enemy_group="g"),
    ]
    with pytest.raises(Infeasible) as info:
        assemble(Bank.from_records(records), blueprint(weights=w, sections=secs), guard=False)
    assert info.value.constraint == "enemy_group"
    records[2]["enemy_group"] = None
    assert assemble(Bank.from_records(records), blueprint(weights=w, sections=secs), guard=False).forms


def test_difficulty_band_is_met_and_its_infeasibility_reports_the_reachable_range():
    records = synthetic(per_cell=8)
    bp = blueprint(forms=2, difficulty=(0.70, 0.72))
    for form in assemble(Bank.from_records(records), bp, seed=2).forms:
        check_form(form, records, bp)
    with pytest.raises(Infeasible) as info:  # every item is at least 0.3: a mean ≤ 0.2 is impossible
        assemble(Bank.from_records(records), blueprint(difficulty=(0.1, 0.2)), guard=False)
    assert info.value.constraint == "difficulty" and "0.20" in info.value.message


def test_difficulty_forced_by_areas_is_diagnosed_after_solving():
    w = {"甲": 50, "乙": 50}
    secs = (Section("judge", 2, 1), Section("multiple", 1, 2))
    records = [
        dict(id=1, type="judge", area="甲", level_rank=0, points=1, difficulty=0.9),
        dict(id=2, type="judge", area="甲", level_rank=0, points=1, difficulty=0.9),
        dict(id=3, type="multiple", area="乙", level_rank=0, points=2, difficulty=0.9),
        dict(id=4, type="judge", area="乙", level_rank=0, points=1, difficulty=0.2),
        dict(id=5, type="judge", area="乙", level_rank=0, points=1, difficulty=0.2),
    ]
    with pytest.raises(Infeasible) as info:
        assemble(Bank.from_records(records), blueprint(weights=w, sections=secs, difficulty=(0.3, 0.6)), guard=False)
    assert info.value.constraint == "difficulty"
    assert info.value.details["reachable"] == [0.9, 0.9]
    assert "0.900" in info.value.message


def test_overlap_limit_is_floor_of_fraction_times_items():
    assert blueprint(sections=DEFAULT, max_overlap=0.1).overlap_limit == 9
    assert blueprint(max_overlap=0.2).overlap_limit == 3  # floor(0.2 × 18)
    records = synthetic(per_cell=6)
    bp = blueprint(forms=4, max_overlap=0.0)
    result = assemble(Bank.from_records(records), bp, seed=5)
    for form in result.forms:
        check_form(form, records, bp)
    for a, b in combinations(result.forms, 2):
        assert not set(a.item_ids) & set(b.item_ids)


def test_overlap_infeasible_after_capacity_checks_is_named():
    w = {"甲": 50, "乙": 50}
    secs = (Section("judge", 2, 1), Section("multiple", 1, 2))
    records = [
        dict(id=1, type="judge", area="甲", level_rank=0, points=1, difficulty=0.5),
        dict(id=2, type="multiple", area="甲", level_rank=0, points=2, difficulty=0.5),
        dict(id=3, type="multiple", area="甲", level_rank=0, points=2, difficulty=0.5),
        dict(id=4, type="judge", area="乙", level_rank=0, points=1, difficulty=0.5),
        dict(id=5, type="judge", area="乙", level_rank=0, points=1, difficulty=0.5),
        dict(id=6, type="judge", area="乙", level_rank=0, points=1, difficulty=0.5),
        dict(id=7, type="multiple", area="乙", level_rank=0, points=2, difficulty=0.5),
    ]
    bank = Bank.from_records(records)
    assert len(assemble(bank, blueprint(weights=w, sections=secs), guard=False).forms) == 1
    with pytest.raises(Infeasible) as info:
        assemble(bank, blueprint(weights=w, sections=secs, forms=2, max_overlap=0.0), guard=False)
    assert info.value.constraint == "overlap"
    assert "2 套" in info.value.message and "只够组 1 套" in info.value.message
    # one shared item allowed (floor(0.34 × 3) = 1): feasible
    two = assemble(bank, blueprint(weights=w, sections=secs, forms=2, max_overlap=0.34), guard=False)
    assert len(set(two.forms[0].item_ids) & set(two.forms[1].item_ids)) <= 1


def test_structure_infeasible_names_the_area():
    w = {"甲": 60, "乙": 40}
    secs = (Section("judge", 1, 1), Section("single", 2, 1), Section("multiple", 1, 2))
    records = [
        dict(id=1, type="multiple", area="甲", level_rank=0, points=2, difficulty=0.5),
        dict(id=2, type="single", area="甲", level_rank=0, points=1, difficulty=0.5),
        dict(id=3, type="single", area="甲", level_rank=0, points=1, difficulty=0.5),
        dict(id=4, type="judge", area="乙", level_rank=0, points=1, difficulty=0.5),
        dict(id=5, type="judge", area="乙", level_rank=0, points=1, difficulty=0.5),
    ]
    with pytest.raises(Infeasible) as info:
        assemble(Bank.from_records(records), blueprint(weights=w, sections=secs), guard=False)
    assert info.value.constraint == "area" and "乙" in info.value.message
    assert info.value.details == {"area": "乙", "need": 2, "have": 1}


def test_unreachable_exact_points_and_fractional_weights():
    w = {"甲": 60, "乙": 40}
    secs = (Section("judge", 1, 1), Section("multiple", 2, 2))  # 5 points: 甲 3, 乙 2
    records = [dict(id=k, type="multiple", area="甲", level_rank=0, points=2, difficulty=0.5) for k in range(1, 4)]
    records += [
        dict(id=9, type="judge", area="乙", level_rank=0, points=1, difficulty=0.5),
        dict(id=10, type="multiple", area="乙", level_rank=0, points=2, difficulty=0.5),
    ]
    with pytest.raises(Infeasible) as info:
        assemble(Bank.from_records(records), blueprint(weights=w, sections=secs), guard=False)
    assert info.value.constraint == "area" and "甲" in info.value.message and "凑不出 3" in info.value.message
    with pytest.raises(Infeasible) as info:  # 7 points × 60% = 4.2 points: not a whole number
        assemble(Bank.from_records(records), blueprint(weights=w, sections=(Section("judge", 7, 1),)), guard=False)
    assert info.value.constraint == "blueprint" and "4.2" in info.value.message


def test_less_used_items_are_preferred():
    fresh = synthetic(per_cell=3, seed=4)
    worn = synthetic(per_cell=3, seed=5)
    for r in worn:
        r["id"] += 10_000
        r["usage"] = 5
    records = fresh + worn
    form = assemble(Bank.from_records(records), blueprint(difficulty=(0.0, 1.0)), seed=1).forms[0]
    assert all(i < 10_000 for i in form.item_ids)


def test_same_seed_same_papers_other_seed_other_papers():
    bank = Bank.from_records(synthetic(per_cell=10))
    bp = blueprint(forms=2)
    first = assemble(bank, bp, seed=42)
    again = assemble(bank, bp, seed=42)
    other = assemble(bank, bp, seed=43)
    assert [f.item_ids for f in first.forms] == [f.item_ids for f in again.forms]
    assert [f.item_ids for f in first.forms] != [f.item_ids for f in other.forms]


@pytest.mark.parametrize("presolve", [True, False])
def test_presolve_on_and_off_give_conforming_papers(presolve):
    records = synthetic(per_cell=10)
    bp = blueprint(forms=3, max_overlap=0.1, difficulty=(0.55, 0.7))
    result = assemble(Bank.from_records(records), bp, seed=9, presolve=presolve)
    for form in result.forms:
        check_form(form, records, bp)
    for a, b in combinations(result.forms, 2):
        assert len(set(a.item_ids) & set(b.item_ids)) <= bp.overlap_limit


def test_hard_wall_clock_guard_terminates_a_stuck_solver(monkeypatch):
    def stuck(*args, **kwargs):
        time.sleep(30)

    monkeypatch.setattr(assembly, "_assemble_inline", stuck)
    monkeypatch.setattr(assembly, "GRACE_SECONDS", 0.1)
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded):
        assemble(Bank.from_records(synthetic(per_cell=1)), blueprint(), time_limit=0.3)
    assert time.monotonic() - started < 3


def test_bad_blueprints_name_the_field():
    bank = Bank.from_records(synthetic(per_cell=2))
    for kw, field in [
        ({"forms": 0}, "forms"),
        ({"max_overlap": 1.5}, "max_overlap"),
        ({"difficulty": (0.8, 0.2)}, "difficulty"),
        ({"sections": (Section("essay", 1, 1),)}, "sections"),
        ({"sections": (Section("judge", 1, 1), Section("judge", 2, 1))}, "sections"),
    ]:
        with pytest.raises(assembly.AssemblyError) as info:
            assemble(bank, blueprint(**kw), guard=False)
        assert info.value.details["field"] == field
