"""Double entry of paper scores (书面笔答, 3-01-04-03 1.9.2 理论知识考试为书面笔答闭卷考试): pure rules.

A marked paper's score is typed by two different people; it becomes final when the two entries
agree. When they disagree, a third person types a third, deciding entry: the third person reads
the script again, and their entry is the score of record whether it equals one of the first two or
neither (both earlier entries stay in the record). Nobody types a candidate's score twice, and
nothing is typed once the score is final.

Entries are compared at two decimals (a score is typed to at most two decimals; 59.99 stays 59.99).
An entry may also say 缺考 (absent: ``None``); two entries saying so agree, and a final 缺考 fails the
component like an absent machine candidate (1.9.2).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class EntryState(enum.StrEnum):
    none = "none"  # nothing typed yet
    first = "first"  # one entry: waits for a second person
    agreed = "agreed"  # two entries agree: final
    disagreed = "disagreed"  # two entries differ: waits for a third, deciding entry
    decided = "decided"  # the third entry decided: final

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in (EntryState.agreed, EntryState.decided)


STATE_LABELS = {
    EntryState.none: "未录入",
    EntryState.first: "已录入第一遍",
    EntryState.agreed: "两遍一致（已定分）",
    EntryState.disagreed: "两遍不一致，待第三人裁定",
    EntryState.decided: "第三人裁定（已定分）",
}


@dataclass(frozen=True)
class Decision:
    state: EntryState
    score: float | None  # the final score (out of 100) when the state is final, else None
    absent: bool = False  # final and 缺考


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return round(a * 100) == round(b * 100)


def decide(scores: list[float | None]) -> Decision:
    """The state of one candidate's entries, in the order they were typed."""
    if not scores:
        return Decision(EntryState.none, None)
    if len(scores) == 1:
        return Decision(EntryState.first, None)
    if same(scores[0], scores[1]):
        return Decision(EntryState.agreed, scores[0], absent=scores[0] is None)
    if len(scores) == 2:
        return Decision(EntryState.disagreed, None)
    return Decision(EntryState.decided, scores[2], absent=scores[2] is None)


def refusal(entries: list[tuple[int, float | None]], person: int) -> str | None:
    """Why ``person`` may not type another entry for this candidate (None: they may).
    ``entries``: (person id, score) in the order typed."""
    if decide([score for _, score in entries]).state.is_final:
        return "final"
    if any(who == person for who, _ in entries):
        return "same_person"
    return None
