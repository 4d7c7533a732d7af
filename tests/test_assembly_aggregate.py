"""scoring.assembly.aggregate: the relaxation over how many forms hold each item (issue 25 item 3).

It must never reject a bank that has a solution (planted banks of bench/tight_banks.py), and it
must name the banks it proves infeasible before any per-form solve. Speed: bench/tight_banks.py
(kind one6)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from bench.tight_banks import ONE, ONE_SECTIONS, SMALL, _bp, check_papers, drawn_one, planted_ok
from scoring.assembly import Bank, Infeasible, assemble, filter_bank
from scoring.assembly import solve as assembly
from scoring.assembly.aggregate import forms_possible, usage_counts
from scoring.assembly.models import Flags
from tests.test_assembly import blueprint, synthetic

FAR = 1e12  # no deadline


def _forbid_solves(monkeypatch):
    for name in ("_solve_whole_sequential", "_solve_whole_portfolio", "_solve_whole_classes", "solve_direct"):
        monkeypatch.setattr(assembly, name, lambda *a, **k: pytest.fail("the relaxation must answer first"))


@pytest.mark.parametrize(
    ("seed", "forms", "overlap", "width", "slack", "at"),
    [(7, 6, 0.1, 0.0, 0.5, 0.70), (5, 3, 0.2, 0.0, 0.5, 0.66), (3, 4, 0.0, 0.05, 0.2, None), (11, 6, 0.2, 0.01, 0.0, None)],
)  # fmt: skip
def test_banks_with_a_planted_solution_are_never_rejected(seed, forms, overlap, width, slack, at):
    records, bp, plan = planted_ok(np.random.default_rng(seed), SMALL, forms, overlap, width, False, slack, at=at)
    problem = filter_bank(Bank.from_records(records), bp)
    assert forms_possible(problem, bp, forms, FAR) == "ok"
    # the planted forms themselves give a solution of the relaxation: each item's count of forms
    counts = {}
    for ids in plan:
        for i in ids:
            counts[i] = counts.get(i, 0) + 1
    shared = sum(c * (c - 1) // 2 for c in counts.values())
    assert shared <= forms * (forms - 1) // 2 * bp.overlap_limit


def test_singles_used_more_often_than_the_overlap_allows_are_named_before_any_solve(monkeypatch):
    # 6 forms × 11 singles = 66 uses of the 24 singles (3 per area × 8): spread as evenly as
    # possible (18 items in 3 forms, 6 in 2) they make 18 × 3 + 6 × 1 = 60 shared pairs, and 15
    # pairs of forms sharing at most floor(0.2 × 18) = 3 items allow 45. The inclusion–exclusion
    # check (6 × 11 − 15 × 3 = 21 ≤ 24 distinct singles) cannot see it.
    _forbid_solves(monkeypatch)
    bp = blueprint(forms=6, max_overlap=0.2)
    with pytest.raises(Infeasible) as info:
        assemble(Bank.from_records(synthetic(per_cell=3)), bp, guard=False)
    assert info.value.constraint == "overlap"
    assert info.value.details["forms"] == 6 and info.value.details["limit"] == 3
    assert info.value.details["with_difficulty"] is False  # the band (0–1) is not what fails
    possible = info.value.details["possible"]
    assert 1 <= possible < 6 and f"至多只够组 {possible} 套" in info.value.message
    # and the bound it names holds: 3 per single item at most, C(3,2) = 3 pairs each ≤ 45 ...
    problem = filter_bank(Bank.from_records(synthetic(per_cell=3)), bp)
    assert forms_possible(problem, bp, possible, FAR) == "ok"
    assert forms_possible(problem, bp, possible + 1, FAR) == "infeasible"


def _seed_spread_bank():
    """A 230-item 一级 bank with the seed banks' difficulties (few items above 0.70), 35-item forms:
    one form reaches a mean of exactly 0.70, six forms sharing at most 3 items each cannot."""
    return drawn_one(11, ONE_SECTIONS["35"], "seed", 2)


def test_a_zero_width_band_that_one_form_meets_but_six_cannot_share_is_named(monkeypatch):
    records = _seed_spread_bank()
    one = _bp(ONE_SECTIONS["35"], 1, 0.1, (0.70, 0.70), ONE)
    paper = assemble(Bank.from_records(records), one, seed=1, time_limit=30)
    assert check_papers(paper, records, one) is None  # one form: mean exactly 0.70
    _forbid_solves(monkeypatch)
    six = _bp(ONE_SECTIONS["35"], 6, 0.1, (0.70, 0.70), ONE)
    with pytest.raises(Infeasible) as info:
        assemble(Bank.from_records(records), six, guard=False)
    assert info.value.constraint == "overlap" and info.value.details["with_difficulty"] is True
    assert "平均难度 0.70 的要求下" in info.value.message
    problem = filter_bank(Bank.from_records(records), six)
    assert forms_possible(problem, six, 6, FAR, Flags(difficulty=False)) == "ok"  # the band is what binds


@pytest.mark.parametrize(
    ("kind", "decimals", "label"), [("uniform", 2, "18"), ("clustered", 1, "20"), ("easy", 2, "38")]
)
def test_drawn_one6_banks_get_papers_that_meet_every_constraint(kind, decimals, label):
    records = drawn_one(5, ONE_SECTIONS[label], kind, decimals)
    bp = _bp(ONE_SECTIONS[label], 6, 0.1, (0.70, 0.70), ONE)
    result = assemble(Bank.from_records(records), bp, seed=3, time_limit=60)
    assert len(result.forms) == 6
    assert check_papers(result, records, bp) is None  # areas, types, level, enemies, band, overlap
    total = bp.items_per_form * 70  # exactly 0.70: the sum of hundredths (tenths × 10) hits it
    for form in result.forms:
        by_id = {r["id"]: r for r in records}
        assert sum(round(by_id[i]["difficulty"] * 100) for i in form.item_ids) == total


def test_the_relaxation_gives_up_quietly_when_out_of_time():
    records, bp, _ = planted_ok(np.random.default_rng(7), SMALL, 6, 0.1, 0.0, False, 0.5, at=0.70)
    problem = filter_bank(Bank.from_records(records), bp)
    assert forms_possible(problem, bp, 6, time.monotonic() - 1) == "time"  # proves nothing


def test_the_guided_stage_deals_an_aggregated_solution_to_conforming_forms(monkeypatch):
    monkeypatch.setattr(assembly, "SEQUENTIAL_TRIES", 0)  # straight to the guided stage
    monkeypatch.setattr(assembly, "solve_structure_then_band", lambda *a, **k: (None, "time"))
    records = drawn_one(5, ONE_SECTIONS["20"], "seed", 1)  # the seed banks' priors, in tenths
    bp = _bp(ONE_SECTIONS["20"], 6, 0.1, (0.70, 0.70), ONE)
    bank = Bank.from_records(records)
    first, again = (assemble(bank, bp, seed=3, time_limit=60) for _ in range(2))
    modes = [r["mode"] for r in first.stats["rounds"]]
    assert "guided" in modes and modes[-1] == "guided" and first.stats["rounds"][-1]["ok"]
    assert check_papers(first, records, bp) is None
    assert [f.item_ids for f in first.forms] == [f.item_ids for f in again.forms]  # the same seed
    problem = filter_bank(bank, bp)
    counts = usage_counts(problem, bp, np.random.default_rng(0), FAR)
    assert counts.max() <= 2 and int(counts.sum()) == 6 * bp.items_per_form  # ≤ 2 forms an item
