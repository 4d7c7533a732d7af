"""scoring.assembly on zero-width bands with several forms: the interleaved heuristic tries
(solve.portfolio), the narrow repair variant (repair.py) and the proof that no solution keeps every
item in at most two forms (aggregate.pairs_possible), which sends the solve straight to the
per-form joint model (issue 25 item 3). Speed is measured in bench/tight_banks.py (kind one6)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.tight_banks import SMALL as BENCH_SMALL
from bench.tight_banks import check_papers, planted_ok
from scoring.assembly import Bank, Blueprint, Infeasible, Section, assemble, filter_bank, repair
from scoring.assembly import solve as assembly
from scoring.assembly.aggregate import pairs_possible
from scoring.assembly.solve import verify

FAR = 1e12  # no deadline
ONE_AREA = {"基础知识": 100}


def _hub_bank(with_hub: bool = True) -> tuple[list[dict], Blueprint]:
    """Three forms of two judge items, mean exactly 0.70, any two sharing at most one item: only
    {hub, y_k} reaches 0.70 (0.90 + 0.50), so the hub must be in all three forms."""
    records = [
        dict(id=k, type="judge", area="基础知识", level_rank=0, points=1, difficulty=0.50, enemy_group=None)
        for k in (1, 2, 3)
    ]
    records += [
        dict(id=k, type="judge", area="基础知识", level_rank=0, points=1, difficulty=0.55, enemy_group=None)
        for k in (4, 5)
    ]
    if with_hub:
        records.append(
            dict(id=9, type="judge", area="基础知识", level_rank=0, points=1, difficulty=0.90, enemy_group=None)
        )
    bp = Blueprint(level="四级", level_rank=1, weights=ONE_AREA, sections=(Section("judge", 2, 1),), forms=3,
                   max_overlap=0.5, difficulty=(0.70, 0.70))  # fmt: skip
    return records, bp


@pytest.mark.parametrize("coarse", [True, False])
def test_the_portfolio_interleaves_repair_guided_and_narrow_tries(monkeypatch, coarse):
    order = assembly.portfolio(coarse)
    assert order[0] == ("R", 0)
    assert order[1] == (("G", 0) if coarse else ("N", 0))  # tenths: guided first; hundredths: narrow
    assert sorted(k for kind, k in order if kind == "R") == list(range(repair.STRUCTURES))
    assert sorted(k for kind, k in order if kind == "N") == [0, 1, 2]
    assert sorted(k for kind, k in order if kind == "G") == list(range(assembly.GUIDED_TRIES))
    monkeypatch.setattr(assembly, "GUIDED_TRIES", 0)
    assert all(kind != "G" for kind, _ in assembly.portfolio(coarse))


def test_an_item_needed_in_three_forms_skips_the_pair_restricted_stages(monkeypatch):
    records, bp = _hub_bank()
    problem = filter_bank(Bank.from_records(records), bp)
    assert pairs_possible(problem, bp, FAR) == "infeasible"  # no item in three forms: no 0.70 for all
    monkeypatch.setattr(assembly, "SEQUENTIAL_TRIES", 0)  # one form at a time would settle it at once
    for name in ("_repair_try", "_guided_try", "_solve_whole_classes"):
        monkeypatch.setattr(assembly, name, lambda *a, **k: pytest.fail("a pair-restricted stage ran"))
    result = assemble(Bank.from_records(records), bp, seed=1, time_limit=60, guard=False)
    assert [r["mode"] for r in result.stats["rounds"]] == ["pairs-infeasible", "direct-highs"]
    assert check_papers(result, records, bp) is None
    assert all(9 in form.item_ids for form in result.forms)  # the hub in every form
    assert all(abs(form.mean_difficulty - 0.70) < 1e-9 for form in result.forms)


def test_without_the_hub_the_band_is_named_as_what_cannot_be_met():
    records, bp = _hub_bank(with_hub=False)
    with pytest.raises(Infeasible) as info:
        assemble(Bank.from_records(records), bp, seed=1, time_limit=60)
    assert info.value.constraint == "difficulty"  # the highest mean of two items is 0.55


def test_pairs_possible_never_rejects_a_planted_bank():
    records, bp, _ = planted_ok(np.random.default_rng(7), BENCH_SMALL, 6, 0.1, 0.0, False, 0.5, at=0.70)
    problem = filter_bank(Bank.from_records(records), bp)
    assert pairs_possible(problem, bp, FAR) == "ok"  # planted forms share items in pairs only


def _planted_zero(seed=7):
    return planted_ok(np.random.default_rng(seed), BENCH_SMALL, 6, 0.1, 0.0, False, 0.5, at=0.70)


def test_narrow_repair_meets_a_zero_width_band_and_the_seed_fixes_the_papers():
    records, bp, _ = _planted_zero()
    problem = filter_bank(Bank.from_records(records), bp)
    whole = np.arange(len(problem.bank))
    runs = [repair.solve_structure_then_band(problem, bp, whole, seed, FAR, False, narrow=True) for seed in (3, 3, 4)]
    for forms, status in runs:
        assert status == "ok"
        verify(problem, bp, forms)  # raises on any constraint missed, the band's equality included
        assert [int(problem.dint[f].sum()) for f in forms] == [problem.band[0]] * 6
    same = [[sorted(f.tolist()) for f in forms] for forms, _ in runs]
    assert same[0] == same[1]
    assert same[0] != same[2]


def test_narrow_repair_stops_at_once_when_even_the_widened_band_is_unreachable():
    records, bp, _ = _planted_zero()
    problem = filter_bank(Bank.from_records(records), bp)
    top = int(np.sort(problem.dint)[-bp.items_per_form :].sum())  # the 18 hardest items together
    problem.band = (top + 1000, top + 1000)  # above what any 18 items reach, even widened
    forms, status = repair.solve_structure_then_band(problem, bp, np.arange(len(problem.bank)), 0, FAR, False,
                                                     narrow=True)  # fmt: skip
    assert forms is None and status == "infeasible"


def test_the_portfolio_answers_a_zero_width_bank_the_same_way_for_the_same_seed(monkeypatch):
    monkeypatch.setattr(assembly, "SEQUENTIAL_TRIES", 0)  # straight to the portfolio
    records, bp, _ = _planted_zero(seed=5)
    bank = Bank.from_records(records)
    first, again = (assemble(bank, bp, seed=2, time_limit=60) for _ in range(2))
    modes = [r["mode"] for r in first.stats["rounds"]]
    assert modes[-1] in ("structure-band", "guided", "structure-narrow") and first.stats["rounds"][-1]["ok"]
    assert check_papers(first, records, bp) is None
    assert [f.item_ids for f in first.forms] == [f.item_ids for f in again.forms]
