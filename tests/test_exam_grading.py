"""Pure machine-exam rules: reproducible per-candidate order, answer shapes, objective scoring."""

from __future__ import annotations

import pytest

from app.exams import grading
from app.exams.grading import Question

QUESTIONS = [Question(i, "single" if i % 3 else "judge", 4 if i % 3 else 0) for i in range(1, 31)]


def test_layout_is_reproducible_and_differs_between_attempts():
    first = grading.layout("attempt-1", QUESTIONS)
    assert first == grading.layout("attempt-1", QUESTIONS)
    assert first != grading.layout("attempt-2", QUESTIONS)
    assert sorted(e["qid"] for e in first) == list(range(1, 31))
    for entry in first:
        n = 0 if entry["qid"] % 3 == 0 else 4
        assert sorted(entry["perm"]) == list(range(n))


def test_to_original_maps_shown_letters_back():
    perm = [2, 0, 3, 1]  # shown A is original C, shown B is original A ...
    assert grading.to_original("single", "A", perm) == "C"
    assert grading.to_original("multiple", ["B", "D"], perm) == ["A", "B"]
    assert grading.to_original("judge", False, []) is False


@pytest.mark.parametrize(
    ("kind", "options", "value", "expected"),
    [
        ("single", 4, "b", "B"),
        ("multiple", 4, ["C", "a", "C"], ["A", "C"]),
        ("judge", 0, True, True),
        ("multiple", 4, [], None),
        ("single", 4, None, None),
    ],
)
def test_normalize_accepts(kind, options, value, expected):
    assert grading.normalize(kind, options, value) == expected


@pytest.mark.parametrize(
    ("kind", "options", "value"),
    [
        ("single", 4, "E"),
        ("single", 4, ["A"]),
        ("single", 4, "AB"),
        ("multiple", 4, "A"),
        ("multiple", 3, ["D"]),
        ("judge", 0, "true"),
        ("judge", 0, 1),
    ],
)
def test_normalize_rejects(kind, options, value):
    with pytest.raises(ValueError):
        grading.normalize(kind, options, value)


def test_multiple_scores_only_when_exactly_right():
    assert grading.is_correct("multiple", ["A", "C"], ["A", "C"])
    assert not grading.is_correct("multiple", ["A", "C"], ["A"])  # partial = 0
    assert not grading.is_correct("multiple", ["A", "C"], ["A", "B", "C"])
    assert grading.is_correct("single", "B", "B") and not grading.is_correct("single", "B", None)
    assert grading.is_correct("judge", False, False) and not grading.is_correct("judge", True, False)


def test_score_is_points_earned_over_paper_total_times_100():
    earned, total, score = grading.score([(1, True), (2, False), (2, True), (1, False)])
    assert (earned, total) == (3.0, 6.0)
    assert score == pytest.approx(50.0)
    assert grading.score([(1, True), (2, False)])[2] == pytest.approx(100 / 3)


@pytest.mark.parametrize("earned", range(0, 101))
def test_whole_point_scores_out_of_100_are_exact(earned):
    """57 of 100 points is 57.0, not 56.99999999999999: the pass compares at 60 without rounding."""
    marks = [(1.0, True)] * earned + [(1.0, False)] * (100 - earned)
    assert grading.score(marks)[2] == earned


def test_sixty_percent_of_an_odd_total_is_exactly_sixty():
    marks = [(2.0, True)] * 36 + [(2.0, False)] * 24  # 72 of 120
    assert grading.score(marks)[2] == 60.0


def test_option_orders_are_drawn_evenly_from_all_of_them():
    """One draw among the n! orders per question (issue 12): over 4,800 candidates every one of the
    24 orders of four options turns up, each within ±25 % of its expected 200 (seeded: no flake)."""
    from collections import Counter

    seen = Counter(tuple(grading.layout(f"enrollment-{n}", [Question(1, "single", 4)])[0]["perm"]) for n in range(4800))
    assert len(seen) == 24
    assert all(150 <= count <= 250 for count in seen.values()), seen
    seven = grading.layout("enrollment-1", [Question(1, "multiple", 7)])[0]["perm"]  # beyond 6: shuffled
    assert sorted(seven) == list(range(7))


def test_a_drawn_layout_and_its_json_text_agree():
    """The start stores the layout as JSON text joined from texts built with the paper (issue 12):
    for every kind of question — judge, 2 to 4 options (tabled), 5 and 6 (orders joined at the
    start), 7 (shuffled) — the text decodes to the entries exactly, and the same seed draws the same."""
    import json

    questions = [Question(1, "judge", 0), Question(2, "judge", 2)] + [
        Question(10 + n, "multiple", n) for n in (3, 4, 5, 6, 7)
    ]
    shapes = grading.Shapes(questions)
    for n in range(200):
        drawn = shapes.draw(f"enrollment-{n}")
        assert json.loads(drawn.json()) == drawn.entries
        assert drawn.entries == grading.Shapes(questions).draw(f"enrollment-{n}").entries
        assert sorted(e["qid"] for e in drawn.entries) == [1, 2, 13, 14, 15, 16, 17]
        for entry in drawn.entries:
            options = next(q.options for q in questions if q.qid == entry["qid"])
            assert sorted(entry["perm"]) == list(range(options))
