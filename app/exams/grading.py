"""Pure rules of the machine exam: the candidate's own order, answer shapes, objective scoring.

No Flask and no database, so that they are tested in milliseconds. Answers travel in the
candidate's letters (``A`` = the first option *as shown to them*); ``perm`` maps a shown position
back to the option's position in the bank item.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import string
from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np

LETTERS = string.ascii_uppercase


@dataclass(frozen=True)
class Question:
    qid: int
    type: str  # single | multiple | judge
    options: int  # number of options (0 for judge)


def layout(seed: str, questions: list[Question]) -> list[dict]:
    """The candidate's order of questions and of each question's options, reproducible from ``seed``."""
    return Shapes(questions).draw(seed).entries


TABLED_OPTIONS = 4  # up to 4 options (24 orders), each order's JSON text is built once per paper


class Shapes:
    """A paper's questions prepared for drawing layouts: built once per paper (app/exams/paper_cache.py),
    so that a start only draws and picks texts built before (issue 12: a hall presses 开始考试 in the
    same second).

    Each question's options take one of their n! orders, drawn uniformly with one draw (beyond 6
    options, shuffled); the draws of a layout are two vectorised calls of a generator seeded by
    ``seed``'s SHA-256.
    """

    def __init__(self, questions: list[Question]) -> None:
        self.questions = tuple(questions)
        self.orders = [_orders(q.options) for q in self.questions]
        self._counts = np.array([len(orders) or 1 for orders in self.orders])
        self._shuffled = [i for i, q in enumerate(self.questions) if q.options and not self.orders[i]]
        # Per paper position, the orders whose texts are built once per paper (up to TABLED_OPTIONS
        # options; a judge item's one empty order), indexed by pick; None: built at each start.
        self.tabled = [
            (orders or ((),)) if q.options <= TABLED_OPTIONS else None
            for q, orders in zip(self.questions, self.orders, strict=True)
        ]
        # '{"qid": 7, "type": "single", "perm": [' — the JSON of each entry up to its order
        self._heads = [json.dumps({"qid": q.qid, "type": q.type, "perm": []})[:-2] for q in self.questions]
        self._entry_texts = [
            tuple(self.entry_json(i, order) for order in tabled) if tabled is not None else None
            for i, tabled in enumerate(self.tabled)
        ]

    def draw(self, seed: str) -> Drawn:
        rng = np.random.default_rng(int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big"))
        order = rng.permutation(len(self.questions)).tolist()
        picks: list = rng.integers(0, self._counts).tolist()
        for i in self._shuffled:  # more than 6 options
            picks[i] = tuple(rng.permutation(self.questions[i].options).tolist())
        return Drawn(self, order, picks)

    def perm(self, i: int, pick) -> tuple[int, ...]:
        """The order of options of paper position ``i`` for its ``pick``."""
        if isinstance(pick, tuple):
            return pick
        return self.orders[i][pick] if self.orders[i] else ()

    def entry_json(self, i: int, perm) -> str:
        """The layout entry of paper position ``i`` with its options in order ``perm``, as JSON text."""
        return f"{self._heads[i]}{', '.join(map(str, perm))}]}}"


@dataclass(frozen=True)
class Drawn:
    """One candidate's layout as drawn: paper positions in the candidate's order and, for each paper
    position, its pick — an index into ``Shapes.orders`` (the shuffled order itself beyond 6 options)."""

    shapes: Shapes
    order: list[int]
    picks: list

    @cached_property
    def entries(self) -> list[dict]:
        """``{"qid", "type", "perm"}`` in the candidate's order: the layout as stored."""
        questions, perm = self.shapes.questions, self.shapes.perm
        return [
            {"qid": questions[i].qid, "type": questions[i].type, "perm": list(perm(i, self.picks[i]))}
            for i in self.order
        ]

    def json(self) -> str:
        """``entries`` as JSON text, joined from texts built with the paper (stored as is)."""
        shapes, tables, picks = self.shapes, self.shapes._entry_texts, self.picks
        parts = [
            tables[i][picks[i]] if tables[i] is not None else shapes.entry_json(i, shapes.perm(i, picks[i]))
            for i in self.order
        ]
        return "[" + ", ".join(parts) + "]"


@cache
def _orders(options: int) -> tuple[tuple[int, ...], ...]:
    """Every order of ``options`` options, up to 6 (720 orders); beyond that, none (shuffled instead)."""
    return tuple(itertools.permutations(range(options))) if 0 < options <= 6 else ()


def normalize(kind: str, options: int, value):
    """The answer as stored, or ValueError naming what is wrong. ``None`` (or an empty choice) clears it."""
    if value is None:
        return None
    if kind == "judge":
        if not isinstance(value, bool):
            raise ValueError("判断题的答案必须是 true 或 false")
        return value
    valid = LETTERS[:options]
    if kind == "single":
        if not isinstance(value, str) or len(value.strip()) != 1 or value.strip().upper() not in valid:
            raise ValueError(f"单选题的答案必须是 {valid[0]}–{valid[-1]} 中的一个字母")
        return value.strip().upper()
    if kind == "multiple":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError('多选题的答案必须是字母列表，如 ["A", "C"]')
        letters = sorted({v.strip().upper() for v in value})
        if any(letter not in valid or len(letter) != 1 for letter in letters):
            raise ValueError(f"多选题的答案只能是 {valid[0]}–{valid[-1]} 中的字母")
        return letters or None
    raise ValueError(f"未知题型 {kind!r}")


def to_original(kind: str, value, perm: list[int]):
    """Map an answer in the candidate's letters to the bank item's letters."""
    if value is None or kind == "judge":
        return value
    if kind == "single":
        return LETTERS[perm[LETTERS.index(value)]]
    return sorted(LETTERS[perm[LETTERS.index(v)]] for v in value)


def _key(kind: str, key):
    if kind == "multiple":
        return sorted(str(k).strip().upper() for k in key)
    if kind == "single":
        return str(key).strip().upper()
    if isinstance(key, str):
        return key.strip().lower() in {"true", "t", "1", "对", "正确", "√"}
    return bool(key)


def is_correct(kind: str, key, answer) -> bool:
    """Objective scoring: a multiple-choice item scores only when exactly right (no partial credit)."""
    if answer is None:
        return False
    return _key(kind, key) == answer


def score(marks: list[tuple[float, bool]]) -> tuple[float, float, float]:
    """(points earned, paper total, score out of 100 = earned / total × 100) from (points, correct) pairs."""
    total = float(sum(points for points, _ in marks))
    earned = float(sum(points for points, correct in marks if correct))
    # Multiply before dividing: earned × 100 is exact, so whole-number scores stay exact (57 of 100 is 57.0,
    # not 56.99999999999999 as earned / total × 100 would give) and the 60-point pass compares truly.
    return earned, total, (earned * 100.0 / total if total else 0.0)
