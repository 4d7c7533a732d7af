"""The time a printed paper states (1.9.4 评价时间): the theory minutes of the session that sits it,
else the standard's minimum, printed as such.

Sessions sit above papers (a session is assigned papers), so papers never query sessions: the
sessions domain tells this module, once at import, how to find a paper's sitting minutes
(``set_sitting_minutes``), as results tell the assessment registry about carried passes.
"""

from __future__ import annotations

from collections.abc import Callable

from app.standards.schema import Standard

from .models import Paper

SittingMinutes = Callable[[int], int | None]
_sitting_minutes: SittingMinutes | None = None


def set_sitting_minutes(provider: SittingMinutes) -> None:
    global _sitting_minutes
    _sitting_minutes = provider


def printed_minutes(paper: Paper, standard: Standard) -> tuple[int | None, int | None]:
    """(the sitting's theory minutes, or None; the standard's minimum when there is no sitting)."""
    minutes = _sitting_minutes(paper.id) if _sitting_minutes else None
    return minutes, standard.assessment.min_minutes.theory if minutes is None else None
