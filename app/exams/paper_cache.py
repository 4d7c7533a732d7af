"""Each paper's questions, read once per process.

Why: when a hall presses 开始考试 in the same second, every start needs its paper's items (to
build the candidate's order) and every save needs the question's type and option count. A paper
is frozen once assembled — its items are snapshots that never change, and papers are never
deleted (app/papers/models.py) — so a copy read once stays right for the life of the process.
The cache lives in the app (``app.extensions``), bounded to the most recently used papers.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.engine import Connection

from app.papers.models import PaperItem

from . import grading

MAX_PAPERS = 64  # each holds its questions' texts in every order of up to 4 options (~0.5 MB for 100)
MAX_DRAWN = 5000  # layouts drawn ahead (warm.py), ~2 KB each for 100 questions
MAX_ATTEMPT_HINTS = 100_000  # (attempt, user) → paper, ~200 bytes each


@dataclass(frozen=True)
class Question:
    """One frozen item of a paper (the key stays on the server: never sent before the end)."""

    qid: int
    type: str
    stem: str
    options: tuple[str, ...]  # in the bank's order; none for judge items
    points: int
    answer: object

    @property
    def option_count(self) -> int:
        return len(self.options)


@dataclass(frozen=True)
class CachedPaper:
    questions: tuple[Question, ...]  # in paper order
    by_qid: dict[int, Question]
    shapes: grading.Shapes  # what each candidate's layout is drawn from
    encoded: dict[int, tuple[str, tuple[str, ...], str]]  # qid → JSON text around its options (no key)
    # per paper position, the question's JSON text in each of its tabled orders (grading.Shapes.tabled;
    # None: joined at each start)
    texts: list[tuple[str, ...] | None]

    def questions_json(self, layout: list[dict]) -> str:
        """The candidate's questions as a JSON array, in their order with options in their order —
        and no key: each question's text was encoded once, a start only joins it (issue 12)."""
        parts = []
        for entry in layout:
            parts.append(_question_json(self.encoded[entry["qid"]], entry["perm"]))
        return "[" + ",".join(parts) + "]"

    def drawn_questions_json(self, drawn: grading.Drawn) -> str:
        """``questions_json`` of a layout just drawn: each question's text picked from ``texts``."""
        parts = []
        for i in drawn.order:
            pick, texts = drawn.picks[i], self.texts[i]
            if texts is not None:
                parts.append(texts[pick])
            else:
                parts.append(_question_json(self.encoded[self.questions[i].qid], drawn.shapes.perm(i, pick)))
        return "[" + ",".join(parts) + "]"


def _question_json(encoded: tuple[str, tuple[str, ...], str], perm) -> str:
    head, options, tail = encoded
    return head + ",".join([options[i] for i in perm]) + tail


class PaperCache:
    def __init__(self, size: int = MAX_PAPERS, drawn_size: int = MAX_DRAWN) -> None:
        self.size, self.drawn_size = size, drawn_size
        self._papers: OrderedDict[int, CachedPaper] = OrderedDict()
        # (paper id, enrolment id) → that candidate's layout, drawn before the start (warm.py); a
        # layout is a pure function of the paper (frozen) and the enrolment's seed, so it stays right.
        self._drawn: OrderedDict[tuple[int, int], grading.Drawn] = OrderedDict()
        # (attempt id, user id) → the attempt's paper, seen by this process (a start, a checked save):
        # a hint the save sends ahead on (attempts._send_answer); the statement checks it again
        self._attempt_papers: dict[tuple[int, int], int] = {}
        self._lock = threading.Lock()
        self.loads = 0  # papers read from the database (tests check that a paper is read once)

    def draw_ahead(self, paper: CachedPaper, paper_id: int, enrollment_id: int) -> None:
        drawn = paper.shapes.draw(seed(enrollment_id))
        with self._lock:
            self._drawn[paper_id, enrollment_id] = drawn
            while len(self._drawn) > self.drawn_size:
                self._drawn.popitem(last=False)

    def drawn(self, paper: CachedPaper, paper_id: int, enrollment_id: int) -> grading.Drawn:
        """The candidate's layout: drawn ahead (and forgotten now: it is stored with the attempt), or now."""
        with self._lock:
            ahead = self._drawn.pop((paper_id, enrollment_id), None)
        return ahead if ahead is not None else paper.shapes.draw(seed(enrollment_id))

    def note_attempt(self, attempt_id: int, user_id: int, paper_id: int) -> None:
        if len(self._attempt_papers) >= MAX_ATTEMPT_HINTS:
            self._attempt_papers.clear()  # a new exam day's attempts fill it again at their first save
        self._attempt_papers[attempt_id, user_id] = paper_id

    def paper_of_attempt(self, attempt_id: int, user_id: int) -> tuple[int, CachedPaper] | None:
        """The attempt's paper as last seen, if it is in the cache — never read from the database."""
        paper_id = self._attempt_papers.get((attempt_id, user_id))
        if paper_id is None:
            return None
        with self._lock:
            paper = self._papers.get(paper_id)
        return None if paper is None else (paper_id, paper)

    def get(self, connection: Connection, paper_id: int) -> CachedPaper:
        with self._lock:
            paper = self._papers.get(paper_id)
            if paper is not None:
                self._papers.move_to_end(paper_id)
                return paper
        paper = _load(connection, paper_id)
        with self._lock:
            self.loads += 1
            self._papers[paper_id] = paper
            while len(self._papers) > self.size:
                self._papers.popitem(last=False)
        return paper


def _load(connection: Connection, paper_id: int) -> CachedPaper:
    table = PaperItem.__table__
    rows = connection.execute(
        select(table.c.item_id, table.c.type, table.c.stem, table.c.options, table.c.points, table.c.answer)
        .where(table.c.paper_id == paper_id)
        .order_by(table.c.position)
    )
    questions = tuple(
        Question(
            qid=row.item_id,
            type=row.type,
            stem=row.stem,
            options=tuple(row.options or []) if row.type != "judge" else (),
            points=row.points,
            answer=row.answer,
        )
        for row in rows
    )
    return prepared(questions)


def prepared(questions: tuple[Question, ...]) -> CachedPaper:
    """The paper as a start uses it: shapes to draw from, each question's JSON text in each order."""
    shapes = grading.Shapes([grading.Question(q.qid, q.type, q.option_count) for q in questions])
    encoded = {q.qid: _encoded(q) for q in questions}
    texts = [
        tuple(_question_json(encoded[q.qid], order) for order in tabled) if tabled is not None else None
        for q, tabled in zip(questions, shapes.tabled, strict=True)
    ]
    return CachedPaper(questions, {q.qid: q for q in questions}, shapes, encoded, texts)


def _encoded(q: Question) -> tuple[str, tuple[str, ...], str]:
    """``{"qid", "type", "stem", "options": [`` · each option · ``], "points"}`` as JSON text."""
    head = json.dumps({"qid": q.qid, "type": q.type, "stem": q.stem}, ensure_ascii=False)
    options = tuple(json.dumps(option, ensure_ascii=False) for option in q.options)
    return head[:-1] + ', "options": [', options, f'], "points": {json.dumps(q.points)}}}'


def seed(enrollment_id: int) -> str:
    """The seed of the candidate's order: their enrolment (one attempt per enrolment), the same for a
    second press of 开始考试 and for a layout drawn ahead."""
    return f"enrollment-{enrollment_id}"


def cache() -> PaperCache:
    """This process's cache (in the app: apps are created in each gunicorn worker)."""
    found = current_app.extensions.get("paper_cache")
    if found is None:
        found = current_app.extensions.setdefault("paper_cache", PaperCache())
    return found


def paper(connection: Connection, paper_id: int) -> CachedPaper:
    """The paper's frozen questions, from this process's cache (read from ``connection`` once)."""
    return cache().get(connection, paper_id)


def drawn(connection: Connection, paper_id: int, enrollment_id: int) -> grading.Drawn:
    """The candidate's layout of the paper (``grading.Shapes.draw`` with ``seed``): drawn ahead when
    the worker booted (warm.py), else now."""
    found = cache()
    return found.drawn(found.get(connection, paper_id), paper_id, enrollment_id)
