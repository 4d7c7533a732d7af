"""scoring.assembly on zero-width bands with several forms: the item-class model (pairs.py), the
symmetry it breaks, infeasible zero-width bands named before any solve, and a worker whose native
solver output never reaches the server's stdout. Speed is measured in bench/tight_banks.py."""

from __future__ import annotations

import os
from itertools import combinations

import numpy as np
import pytest

from bench.tight_banks import SMALL as BENCH_SMALL
from bench.tight_banks import check_papers, planted_ok
from scoring.assembly import Bank, Infeasible, Result, assemble, filter_bank, pairs, repair
from scoring.assembly import solve as assembly
from scoring.assembly.solve import verify
from tests.test_assembly import blueprint, synthetic


def _planted_zero(seed=7, forms=6, overlap=0.1, slack=0.5, at=0.70):
    return planted_ok(np.random.default_rng(seed), BENCH_SMALL, forms, overlap, 0.0, False, slack, at=at)


def test_classes_are_each_form_alone_then_each_pair():
    assert pairs.classes_of(3) == [(0,), (1,), (2,), (0, 1), (0, 2), (1, 2)]
    assert len(pairs.classes_of(6)) == 6 + 15


@pytest.mark.parametrize("presolve", [False, True])
def test_item_class_model_meets_a_zero_width_band_on_six_forms(presolve):
    records, bp, _ = _planted_zero()
    assert bp.difficulty[0] == bp.difficulty[1] == 0.70 and bp.forms == 6
    problem = filter_bank(Bank.from_records(records), bp)
    whole = np.arange(len(problem.bank))
    forms, status = pairs.solve_classes(problem, bp, whole, np.random.default_rng(3), 1e12, presolve)
    assert status == "ok"
    verify(problem, bp, forms)  # raises on any constraint missed
    ids = [set(problem.bank.id[f].tolist()) for f in forms]
    for f in ids:  # 18 items whose difficulties sum to exactly 18 × 0.70
        total = sum(round(problem.bank.difficulty[problem.bank.id == i][0] * 100) for i in f)
        assert total == 1260
    shared = [ids[a] & ids[b] for a, b in combinations(range(6), 2)]
    assert max(len(s) for s in shared) <= bp.overlap_limit == 1
    assert all(len([f for f in ids if i in f]) <= 2 for i in set().union(*ids))  # no item in three forms


def test_symmetry_breaking_puts_the_first_item_in_form_zero_or_nowhere():
    records, bp, _ = _planted_zero(seed=5, forms=3, overlap=0.2, slack=0.5, at=0.66)
    problem = filter_bank(Bank.from_records(records), bp)
    for seed in range(3):
        rng = np.random.default_rng(seed)
        first = rng.permutation(np.arange(len(problem.bank)))[0]  # the column order the model draws
        forms, status = pairs.solve_classes(problem, bp, np.arange(len(problem.bank)), np.random.default_rng(seed),
                                            1e12, False)  # fmt: skip
        assert status == "ok"
        holding = [f for f, chosen in enumerate(forms) if first in chosen]
        assert holding in ([], [0], [0, 1], [0, 2])  # never form 1 or 2 without form 0


def _no_guided(monkeypatch):
    monkeypatch.setattr(assembly, "GUIDED_TRIES", 0)  # interleaved with repair (solve.portfolio)


def _no_repair(monkeypatch):
    _no_guided(monkeypatch)
    monkeypatch.setattr(assembly, "solve_structure_then_band", lambda *a, **k: (None, "time"))


def test_class_stage_runs_for_three_forms_or_more_and_its_papers_conform(monkeypatch):
    monkeypatch.setattr(assembly, "SEQUENTIAL_TRIES", 0)  # straight to the whole-bank models
    _no_repair(monkeypatch)
    records, bp, _ = _planted_zero(seed=5, forms=3, overlap=0.2, slack=0.5, at=0.66)
    result = assemble(Bank.from_records(records), bp, seed=2, time_limit=60)
    assert result.stats["rounds"][-1]["mode"] == "direct-classes"
    assert check_papers(result, records, bp) is None


def test_two_forms_keep_the_per_form_joint_model(monkeypatch):
    monkeypatch.setattr(assembly, "SEQUENTIAL_TRIES", 0)
    _no_repair(monkeypatch)
    records, bp, _ = _planted_zero(seed=5, forms=2, overlap=0.2, slack=0.5, at=0.66)
    result = assemble(Bank.from_records(records), bp, seed=2, time_limit=60)
    modes = [r["mode"] for r in result.stats["rounds"]]
    assert modes[-1] == "direct-highs" and set(modes[:-1]) == {"structure-band", "structure-narrow"}
    assert check_papers(result, records, bp) is None


def test_when_the_class_model_finds_nothing_the_joint_model_still_answers(monkeypatch):
    monkeypatch.setattr(assembly, "SEQUENTIAL_TRIES", 0)
    monkeypatch.setattr(assembly, "solve_classes", lambda *a, **k: (None, "infeasible"))
    _no_repair(monkeypatch)
    records, bp, _ = _planted_zero(seed=5, forms=3, overlap=0.2, slack=0.5, at=0.66)
    result = assemble(Bank.from_records(records), bp, seed=2, time_limit=60, guard=False)
    modes = [r["mode"] for r in result.stats["rounds"]]
    assert modes[-2:] == ["direct-classes", "direct-highs"]
    assert set(modes[:-2]) == {"structure-band", "structure-narrow"}  # the repair tries, switched off
    assert check_papers(result, records, bp) is None


@pytest.mark.parametrize("value", [0.97, 0.2])
def test_an_unreachable_zero_width_band_on_six_forms_is_named_before_solving(monkeypatch, value):
    for name in ("solve_direct", "solve_sequential", "solve_classes", "solve_structure_then_band"):
        monkeypatch.setattr(assembly, name, lambda *a, **k: pytest.fail("a check must answer first"))
    records = synthetic(per_cell=8)  # difficulties 0.3–0.95, here in hundredths: the band's sum is reachable
    for r in records:
        r["difficulty"] = round(r["difficulty"], 2)
    with pytest.raises(Infeasible) as info:
        assemble(Bank.from_records(records), blueprint(forms=6, max_overlap=0.1, difficulty=(value, value)),
                 guard=False)  # fmt: skip
    assert info.value.constraint == "difficulty"
    low, high = info.value.details["reachable"]
    assert (value > high) if value > 0.5 else (value < low)


def test_native_output_of_the_solver_worker_stays_out_of_the_servers_stdout(monkeypatch, capfd):
    def chatty(*args, **kwargs):
        os.write(1, b"HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();\n")
        os.write(2, b"native stderr chatter\n")
        return Result([], {"rounds": []})

    monkeypatch.setattr(assembly, "_assemble_inline", chatty)
    result = assemble(Bank.from_records(synthetic(per_cell=1)), blueprint(), time_limit=5)
    assert result.forms == []
    out, err = capfd.readouterr()
    assert "tmpSolver" not in out and "chatter" not in err


def test_a_real_guarded_solve_prints_nothing(capfd):
    records, bp, _ = _planted_zero(seed=7)
    result = assemble(Bank.from_records(records), bp, seed=1, time_limit=60)
    assert check_papers(result, records, bp) is None
    out, err = capfd.readouterr()
    assert out == "" and err == ""


# --- structure first, then the band by same-cell exchanges (repair.py) ---------------------------


def test_repair_meets_a_zero_width_band_from_a_structure_that_misses_it():
    records, bp, _ = _planted_zero(seed=7)
    problem = filter_bank(Bank.from_records(records), bp)
    whole = np.arange(len(problem.bank))
    from scoring.assembly.models import Flags

    forms, status = pairs.solve_classes(problem, bp, whole, np.random.default_rng(0), 1e12, False,
                                        flags=Flags(difficulty=False))  # fmt: skip
    assert status == "ok"
    sums = [int(problem.dint[f].sum()) for f in forms]
    assert any(s != problem.band[0] for s in sums)  # the structure alone misses the band
    index = {members: c for c, members in enumerate(pairs.classes_of(bp.forms))}
    cls = np.array([index.get(tuple(f for f in range(bp.forms) if j in set(forms[f].tolist())), -1)
                    for j in whole])  # fmt: skip
    found = repair.tabu_band(problem, bp, whole, cls, np.random.default_rng(1), 1e12)
    assert found is not None
    classes = pairs.classes_of(bp.forms)
    fixed = [whole[np.array([c >= 0 and f in classes[c] for c in found])] for f in range(bp.forms)]
    verify(problem, bp, fixed)  # sections, areas, enemy groups, band, overlap: all still met
    assert [int(problem.dint[f].sum()) for f in fixed] == [problem.band[0]] * bp.forms
    for f in range(bp.forms):  # each form keeps its cells: only same-cell items were exchanged
        before = sorted(zip(problem.section_of[forms[f]], problem.area_of[forms[f]], strict=True))
        after = sorted(zip(problem.section_of[fixed[f]], problem.area_of[fixed[f]], strict=True))
        assert before == after


def test_repair_stage_answers_first_on_the_whole_bank_and_the_same_seed_gives_the_same_papers(monkeypatch):
    monkeypatch.setattr(assembly, "SEQUENTIAL_TRIES", 0)
    _no_guided(monkeypatch)
    records, bp, _ = _planted_zero(seed=7)
    bank = Bank.from_records(records)
    first, again = (assemble(bank, bp, seed=3, time_limit=60) for _ in range(2))
    modes = [r["mode"] for r in first.stats["rounds"]]
    assert set(modes) <= {"structure-band", "structure-narrow"} and first.stats["rounds"][-1]["ok"]  # repair tries
    assert [f.item_ids for f in first.forms] == [f.item_ids for f in again.forms]
    assert check_papers(first, records, bp) is None


def test_repair_gives_up_without_claiming_anything_when_the_structure_cannot_be_met():
    records, bp, _ = _planted_zero(seed=7)
    problem = filter_bank(Bank.from_records(records), bp)
    few = np.arange(40)  # fewer items than one form's sections need together with five others
    forms, status = repair.solve_structure_then_band(problem, bp, few, 0, 1e12, False)
    assert forms is None and status in ("infeasible", "time", "other")
