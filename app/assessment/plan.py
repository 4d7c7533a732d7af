"""A session's plan as plain data, for the readiness rules: ``app.sessions`` builds it
(``operations.plan_of``), ``app.sessions.readiness`` and each component's ``readiness`` hook read it.

It sits below both (this package imports no domain), so the arrow runs one way:
sessions → assessment, never back.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RoomPlan:
    name: str
    kind: str  # theory | practical
    capacity: int
    stations: int | None
    candidates: int  # seated in this room
    proctors: int  # proctors assigned to this room
    room_type: str | None = None  # a theory room's type: classroom | computer_lab (1.9.5)


@dataclass(frozen=True)
class SessionPlan:
    components: list[str]  # the level's components, e.g. ["theory", "practical", "review"]
    minutes: dict[str, int | None]  # component -> minutes planned
    candidates: int
    unseated: int  # enrolled candidates with no room
    rooms: list[RoomPlan]
    grader_panels: list[str | None]  # one entry per grader: its panel name (None = the unnamed panel)
    reviewers: int
    papers: int  # forms assembled
    without_paper: int  # enrolled candidates with no form assigned
    clause: dict[str, str] = field(default_factory=dict)  # rule -> clause of the standard
    # component -> candidates who sit it (成绩保留: a carried component is not sat); default: all
    sitting: dict[str, int] = field(default_factory=dict)
    theory_mode: str = "machine"  # machine (机考) | paper (书面笔答, 3-01-04-03 1.9.2)

    def sitting_in(self, component: str) -> int:
        return self.sitting.get(component, self.candidates)
