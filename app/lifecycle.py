"""One transition helper for every lifecycle (sessions, attempts, applications, score sheets).

Each lifecycle is a StrEnum of states plus a table of the legal moves (in the spirit of indico's
``SurveyState``). ``Lifecycle.move`` is the only way a record changes state: an illegal move raises
one ``Conflict`` (409, code ``illegal_transition``) naming both states in Chinese.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from app.errors import Conflict


class Lifecycle:
    def __init__(
        self,
        subject: str,
        transitions: Mapping[enum.Enum, set[enum.Enum]],
        labels: Mapping[enum.Enum, str],
        *,
        field: str = "status",
    ) -> None:
        self.subject = subject  # what the record is called in messages: 考试批次, 答卷, …
        self.transitions = transitions
        self.labels = labels
        self.field = field

    def can(self, current: enum.Enum, target: enum.Enum) -> bool:
        return target in self.transitions.get(current, set())

    def move(self, record: object, target: enum.Enum) -> None:
        """Set ``record.<field>`` to ``target`` if the table allows it, else 409."""
        current = getattr(record, self.field)
        if not self.can(current, target):
            raise Conflict(
                f"{self.subject}状态不能从「{self.labels[current]}」变为「{self.labels[target]}」",
                code="illegal_transition",
                details={"status": current.value, "target": target.value},
            )
        setattr(record, self.field, target)
