"""Score sheets of every panel component: the layout (the component's trait), section splits
into 工作内容, parsing and bounds, entry and correction (each recorded old → new), and the
component result row a sheet belongs to.

1.9.2 百分制: every sheet totals at most 100 (each section at most its maximum).
Operations only flush; the request boundary commits.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import select

from app import assessment
from app.audit.operations import record
from app.auth.models import User
from app.errors import Conflict, Invalid
from app.extensions import db
from app.locking import lock_row
from app.sessions.models import Enrollment, ExamSession, SessionStatus
from app.sessions.planning import standard_of

from .access import check_component, enrollment_named, ensure_in_panel
from .models import ComponentResult, RecordAction, ResultStatus, ScoreRecord, ScoreSheet, SectionSplit
from .traits import traits_of

SPLIT_COMPONENT = "practical"  # section splits (SectionSplit) belong to the practical sheet only


def sheet_sections(session: ExamSession, component: str) -> list[dict]:
    """[{"area", "max", "parts": [{"name", "max"}]}]: the component's sheet layout."""
    return traits_of(component).sheet_layout(session)


def splits_of(session: ExamSession) -> dict[str, list[dict]]:
    """{职业功能: [{"name", "max"}]}: the session's section splits."""
    return {
        s.area: s.parts for s in db.session.scalars(select(SectionSplit).where(SectionSplit.session_id == session.id))
    }


def work_contents(session: ExamSession, area: str) -> list[str]:
    """The 工作内容 of one 职业功能 at the session's level (3 工作要求), the names a split may use."""
    functions = standard_of(session).work_requirements.get(session.level, [])
    return [c.name for f in functions if f.name == area for c in f.contents]


def set_split(session: ExamSession, area: str, parts: list[dict]) -> SectionSplit | None:
    """Split a section into 工作内容 with maxima summing to the section's (empty list: no split).
    Only before any practical sheet of the session is entered (the sheet must not change under a grader)."""
    sections = {s["area"]: s["max"] for s in sheet_sections(session, SPLIT_COMPONENT)}
    if area not in sections:
        raise Invalid(f"「{area}」不是本等级的职业功能", field="area")
    if db.session.scalar(
        select(ScoreSheet.id)
        .where(ScoreSheet.session_id == session.id, ScoreSheet.component == SPLIT_COMPONENT)
        .limit(1)
    ):
        raise Conflict("已有评分记录，不能再调整评分表结构", code="sheets_exist")
    existing = db.session.scalar(
        select(SectionSplit).where(SectionSplit.session_id == session.id, SectionSplit.area == area)
    )
    if not parts:
        if existing is not None:
            record("practical.split_set", session, {"area": area, "old": existing.parts, "new": []})
            db.session.delete(existing)
            db.session.flush()
        return None
    allowed = work_contents(session, area)
    clean, seen = [], set()
    for index, part in enumerate(parts):
        name = part.get("name") if isinstance(part, dict) else None
        maximum = part.get("max") if isinstance(part, dict) else None
        if name not in allowed:
            raise Invalid(
                f"「{name}」不是「{area}」的工作内容（可选：{'、'.join(allowed)}）", field="parts", index=index
            )
        if name in seen:
            raise Invalid(f"工作内容「{name}」重复", field="parts", index=index)
        if not is_number(maximum) or maximum <= 0:
            raise Invalid(f"「{name}」的分值须为正数", field="parts", index=index)
        seen.add(name)
        clean.append({"name": name, "max": maximum})
    total = math.fsum(p["max"] for p in clean)
    if not math.isclose(total, sections[area], abs_tol=1e-9):
        raise Invalid(
            f"「{area}」各工作内容分值合计 {total:g} 分，须等于该职业功能的 {sections[area]} 分", field="parts"
        )
    old = existing.parts if existing is not None else []
    if existing is None:
        existing = SectionSplit(session_id=session.id, area=area, parts=clean)
        db.session.add(existing)
    else:
        existing.parts = clean
    record("practical.split_set", session, {"area": area, "old": old, "new": clean})
    db.session.flush()
    return existing


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _points(value, label: str, maximum: float, field: str) -> float:
    if value is None:
        raise Invalid(f"「{label}」未评分", field=field, code="section_missing")
    if not is_number(value):
        raise Invalid(f"「{label}」的分数须为数字", field=field)
    if value < 0:
        raise Invalid(f"「{label}」的分数不能为负数", field=field)
    if value > maximum:
        raise Invalid(f"「{label}」的分数 {value:g} 超过该项满分 {maximum:g} 分", field=field)
    return float(value)


def parse_sheet(session: ExamSession, component: str, data: dict) -> tuple[dict, dict, float]:
    """(sections, parts, total) from {"sections": {area: points}, "parts": {area: {工作内容: points}}}.
    422 naming ``sections.<area>`` for a missing, unknown, negative or above-maximum section."""
    sections_in = data.get("sections")
    parts_in = data.get("parts") or {}
    if not isinstance(sections_in, dict):
        raise Invalid("sections 须为 {职业功能: 分数} 的对象", field="sections")
    if not isinstance(parts_in, dict):
        raise Invalid("parts 须为 {职业功能: {工作内容: 分数}} 的对象", field="parts")
    layout = sheet_sections(session, component)
    known = {s["area"] for s in layout}
    for area in list(sections_in) + list(parts_in):
        if area not in known:
            raise Invalid(f"「{area}」不是本评分表的项目", field=f"sections.{area}", code="section_unknown")
    sections, parts = {}, {}
    for section in layout:
        area, maximum = section["area"], section["max"]
        given_parts = parts_in.get(area)
        if given_parts is not None and section["parts"]:
            if not isinstance(given_parts, dict):
                raise Invalid(f"「{area}」的工作内容分数须为对象", field=f"parts.{area}")
            names = {p["name"] for p in section["parts"]}
            for name in given_parts:
                if name not in names:
                    raise Invalid(
                        f"「{name}」不是「{area}」的工作内容", field=f"parts.{area}.{name}", code="section_unknown"
                    )
            values = {
                p["name"]: _points(given_parts.get(p["name"]), p["name"], p["max"], f"parts.{area}.{p['name']}")
                for p in section["parts"]
            }
            points = math.fsum(values.values())
            stated = sections_in.get(area)
            if stated is not None and (not is_number(stated) or not math.isclose(stated, points, abs_tol=1e-9)):
                raise Invalid(f"「{area}」的分数与其工作内容分数之和 {points:g} 不一致", field=f"sections.{area}")
            parts[area] = values
        else:
            points = _points(sections_in.get(area), area, maximum, f"sections.{area}")
        if points > maximum:
            raise Invalid(f"「{area}」的分数 {points:g} 超过该项满分 {maximum:g} 分", field=f"sections.{area}")
        sections[area] = points
    return sections, parts, math.fsum(sections.values())


def _sheet_of(component: str, enrollment: Enrollment, grader: User) -> ScoreSheet | None:
    return db.session.scalar(
        select(ScoreSheet)
        .where(
            ScoreSheet.component == component,
            ScoreSheet.enrollment_id == enrollment.id,
            ScoreSheet.grader_id == grader.id,
        )
        .execution_options(populate_existing=True)
    )


def sheets_of(component: str, enrollment: Enrollment) -> list[ScoreSheet]:
    return list(
        db.session.scalars(
            select(ScoreSheet)
            .where(ScoreSheet.component == component, ScoreSheet.enrollment_id == enrollment.id)
            .order_by(ScoreSheet.id)
            .execution_options(populate_existing=True)
        )
    )


def result_of(session: ExamSession, component: str, enrollment: Enrollment) -> ComponentResult:
    result = db.session.scalar(
        select(ComponentResult).where(
            ComponentResult.component == component, ComponentResult.enrollment_id == enrollment.id
        )
    )
    if result is None:
        result = ComponentResult(
            session_id=session.id, component=component, enrollment_id=enrollment.id, status=ResultStatus.pending
        )
        db.session.add(result)
        db.session.flush()
    return result


def existing_result(component: str, enrollment: Enrollment) -> ComponentResult | None:
    return db.session.scalar(
        select(ComponentResult).where(
            ComponentResult.component == component, ComponentResult.enrollment_id == enrollment.id
        )
    )


def ensure_open(session: ExamSession, component: str, enrollment: Enrollment) -> ComponentResult:
    """The candidate's result row, still open for scoring. The candidate's enrolment row is locked first
    (``app.locking.lock_row``) and held to the commit: a save, a mark and a finalize of one candidate run
    one after the other, so a correction is either in the final score or refused after it (409), and
    two saves of one sheet record old → new as one chain (the record is append-only)."""
    lock_row(enrollment, key_share=True)
    if session.status == SessionStatus.published:
        raise Conflict("成绩已发布，评分已锁定", code="session_published")
    if not assessment.sits(enrollment, component):
        raise Conflict(
            f"考生 {enrollment.user.username} 的{assessment.get(component).label}成绩保留，本批次不评分",
            code="component_carried",
        )
    result = result_of(session, component, enrollment)
    db.session.refresh(result)  # read again under the lock: another request may have just finalized it
    if result.locked:
        raise Conflict(
            f"考生 {enrollment.user.username} 的{assessment.get(component).label}已定分（{result.status.label}），评分已锁定",
            code="finalized",
        )
    return result


def write_record(session, component, enrollment, actor, action, old, new, now, note: str = "") -> ScoreRecord:
    entry = ScoreRecord(
        session_id=session.id,
        component=component,
        enrollment_id=enrollment.id,
        actor_id=actor.id,
        action=action,
        old=old,
        new=new,
        note=note,
        created_at=now,
    )
    db.session.add(entry)
    return entry


def _sheet_state(sheet: ScoreSheet) -> dict:
    state = {"sections": dict(sheet.sections), "total": sheet.total}
    if sheet.parts:
        state["parts"] = dict(sheet.parts)
    return state


def save_sheet(
    session: ExamSession, component: str, user: User, username: str, data: dict, now: datetime
) -> ScoreSheet:
    """A member enters or corrects their own sheet for a candidate of their panel (recorded old → new)."""
    check_component(session, component)
    enrollment = enrollment_named(session, username)
    ensure_in_panel(session, component, user, enrollment)
    ensure_open(session, component, enrollment)
    traits = traits_of(component)
    if traits.single_score:  # the layout's one section, sent as {"score"}
        [only] = sheet_sections(session, component)
        label = f"{traits.label}分数"
        if "score" not in data:
            raise Invalid(f"缺少{label} score", field="score", code="section_missing")
        score = _points(data.get("score"), label, only["max"], "score")
        sections, parts, total = {only["area"]: score}, {}, score
    else:
        sections, parts, total = parse_sheet(session, component, data)
    sheet = _sheet_of(component, enrollment, user)
    if sheet is None:
        sheet = ScoreSheet(
            session_id=session.id,
            component=component,
            enrollment_id=enrollment.id,
            grader_id=user.id,
            sections=sections,
            parts=parts,
            total=total,
            created_at=now,
            updated_at=now,
        )
        db.session.add(sheet)
        write_record(session, component, enrollment, user, RecordAction.entry, None, _sheet_state(sheet), now)
        record(f"{component}.sheet_saved", sheet, {"candidate": username, "kind": "entry", "new": _sheet_state(sheet)})
    else:
        old = _sheet_state(sheet)
        sheet.sections, sheet.parts, sheet.total, sheet.updated_at = sections, parts, total, now
        new = _sheet_state(sheet)
        if new != old:
            write_record(session, component, enrollment, user, RecordAction.correction, old, new, now)
            change = {"candidate": username, "kind": "correction", "old": old, "new": new}
            record(f"{component}.sheet_saved", sheet, change)
    db.session.flush()
    return sheet


def own_sheet(session: ExamSession, component: str, user: User, enrollment: Enrollment) -> ScoreSheet | None:
    return _sheet_of(component, enrollment, user)
