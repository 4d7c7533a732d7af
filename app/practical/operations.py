"""Panel scoring operations shared by the pages and the API: sheets, entry and correction, 缺考/违纪,
finalize (one candidate or a whole panel), settings, the record, agreement.

Both components scored by a panel go through here: ``practical`` (操作技能考核, graders, one section
per 职业功能 of the level's skill weight table) and ``review`` (综合评审, reviewers, one score 0–100).
The rules, from the standards' own words:
- 3-01-01-04 1.9.3 考评人员为3人以上单数，每位考生由不少于3名考评员评分；综合评审委员为3人以上单数;
  3-01-04-03 1.9.3 考评人员为3人（含）以上单数: a panel must be an odd number of at least 3
  (the standard's numbers where it states them; the same 3-and-odd rule for 590008, which states none).
- 1.9.2 百分制: every sheet totals at most 100; the score is the mean of all panel members' totals,
  unrounded (59.99 fails).
Operations only flush; the request boundary commits.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import select

from app import assessment
from app.audit.operations import record
from app.auth.models import Role, User
from app.auth.roles import is_admin
from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from app.extensions import db
from app.sessions.models import Enrollment, ExamSession, SessionStatus, StaffRole, roster_order
from app.sessions.planning import components_of, get_session, standard_of
from app.sessions.staffing import graders_for, panel_for, staff_of
from app.standards.schema import Standard
from scoring import agreement as agreement_stats
from scoring import panel as panel_maths

from .models import (
    REVIEW_SECTION,
    ComponentResult,
    Mark,
    RecordAction,
    ResultStatus,
    ScoreRecord,
    ScoreSheet,
    ScoringSettings,
    SectionSplit,
)

PANEL_ROLE = {"practical": StaffRole.grader, "review": StaffRole.reviewer}
USER_ROLE = {"practical": Role.grader, "review": Role.reviewer}
MEMBER_NAMES = {"practical": "考评员", "review": "综合评审委员"}
DEFAULT_PANEL = (3, True)  # min panel, odd — where a standard states no rule (590008)


# ---------------------------------------------------------------- sessions, candidates, panels


def session_for_member(session_id: int, user: User, component: str) -> ExamSession:
    """The session for a grader/reviewer entering marks: 404 if it does not exist; 403 for a user
    of another role or not on this session's staff in that role (api-contract)."""
    session = db.session.get(ExamSession, session_id)
    if session is None:
        raise NotFound("考试批次不存在")
    if user.role != USER_ROLE[component] or not any(
        s.user_id == user.id and s.role == PANEL_ROLE[component] for s in session.staff
    ):
        raise Forbidden(f"您不是本考试批次的{MEMBER_NAMES[component]}", code="not_on_session")
    return session


def session_for_viewer(session_id: int, user: User, component: str) -> ExamSession:
    """Center admins (of the session's center; 404 otherwise), platform admins, or a panel member."""
    if is_admin(user):
        return get_session(session_id, user)
    return session_for_member(session_id, user, component)


def enrollment_named(session: ExamSession, username: str) -> Enrollment:
    enrollment = next((e for e in session.enrollments if e.user.username == username), None)
    if enrollment is None:
        raise NotFound(f"考生 {username} 不在本考试批次")
    return enrollment


def check_component(session: ExamSession, component: str) -> None:
    if component not in components_of(session):
        raise NotFound(f"本考试批次的等级没有{assessment.get(component).label}")


def panel_members(session: ExamSession, component: str, enrollment: Enrollment) -> list[User]:
    """Who scores this candidate: graders by panel (sessions.graders_for); every reviewer for review."""
    if component == "practical":
        return graders_for(session, enrollment)
    return [s.user for s in staff_of(session, StaffRole.reviewer)]


def panel_name(session: ExamSession, component: str, enrollment: Enrollment) -> str | None:
    return panel_for(session, enrollment) if component == "practical" else None


def panels(session: ExamSession, component: str) -> dict[str | None, list[Enrollment]]:
    """Candidates by panel name (None: the unnamed panel, or the one reviewer panel)."""
    grouped: dict[str | None, list[Enrollment]] = {}
    for e in roster(session, component):
        grouped.setdefault(panel_name(session, component, e), []).append(e)
    return grouped


def roster(session: ExamSession, component: str | None = None) -> list[Enrollment]:
    """Candidates in seat order; with ``component``, only those who sit it (成绩保留: a carried
    component is not scored again)."""
    ordered = sorted(session.enrollments, key=roster_order)
    return [e for e in ordered if component is None or assessment.sits(e, component)]


def candidates_for(session: ExamSession, component: str, user: User) -> list[Enrollment]:
    """A member sees only the candidates of their own panel; admins see everyone."""
    if is_admin(user):
        return roster(session, component)
    return [e for e in roster(session, component) if any(m.id == user.id for m in panel_members(session, component, e))]


def ensure_in_panel(session: ExamSession, component: str, user: User, enrollment: Enrollment) -> None:
    if not any(m.id == user.id for m in panel_members(session, component, enrollment)):
        raise Forbidden(f"考生 {enrollment.user.username} 不由您所在的小组评分", code="not_in_panel")


def panel_rule(standard: Standard, component: str) -> tuple[int, bool]:
    rule = standard.assessment.graders if component == "practical" else standard.assessment.reviewers
    return (rule.min_panel, rule.odd) if rule is not None else DEFAULT_PANEL


# ---------------------------------------------------------------- the sheet


def sheet_sections(session: ExamSession, component: str) -> list[dict]:
    """[{"area", "max", "parts": [{"name", "max"}]}]: practical from the level's skill weight table
    (4.2 技能要求权重表; max points = the weight), review one section of 100."""
    if component == "review":
        return [{"area": REVIEW_SECTION, "max": 100, "parts": []}]
    standard = standard_of(session)
    splits = {
        s.area: s.parts for s in db.session.scalars(select(SectionSplit).where(SectionSplit.session_id == session.id))
    }
    return [
        {"area": area, "max": weight, "parts": list(splits.get(area, []))}
        for area, weight in standard.skill_weights[session.level].items()
    ]


def work_contents(session: ExamSession, area: str) -> list[str]:
    """The 工作内容 of one 职业功能 at the session's level (3 工作要求), the names a split may use."""
    functions = standard_of(session).work_requirements.get(session.level, [])
    return [c.name for f in functions if f.name == area for c in f.contents]


def set_split(session: ExamSession, area: str, parts: list[dict]) -> SectionSplit | None:
    """Split a section into 工作内容 with maxima summing to the section's (empty list: no split).
    Only before any practical sheet of the session is entered (the sheet must not change under a grader)."""
    sections = {s["area"]: s["max"] for s in sheet_sections(session, "practical")}
    if area not in sections:
        raise Invalid(f"「{area}」不是本等级的职业功能", field="area")
    if db.session.scalar(
        select(ScoreSheet.id).where(ScoreSheet.session_id == session.id, ScoreSheet.component == "practical").limit(1)
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
        if not _is_number(maximum) or maximum <= 0:
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


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _points(value, label: str, maximum: float, field: str) -> float:
    if value is None:
        raise Invalid(f"「{label}」未评分", field=field, code="section_missing")
    if not _is_number(value):
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
            if stated is not None and (not _is_number(stated) or not math.isclose(stated, points, abs_tol=1e-9)):
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
        select(ScoreSheet).where(
            ScoreSheet.component == component,
            ScoreSheet.enrollment_id == enrollment.id,
            ScoreSheet.grader_id == grader.id,
        )
    )


def sheets_of(component: str, enrollment: Enrollment) -> list[ScoreSheet]:
    return list(
        db.session.scalars(
            select(ScoreSheet)
            .where(ScoreSheet.component == component, ScoreSheet.enrollment_id == enrollment.id)
            .order_by(ScoreSheet.id)
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


def _ensure_open(session: ExamSession, component: str, enrollment: Enrollment) -> ComponentResult:
    if session.status == SessionStatus.published:
        raise Conflict("成绩已发布，评分已锁定", code="session_published")
    if not assessment.sits(enrollment, component):
        raise Conflict(
            f"考生 {enrollment.user.username} 的{assessment.get(component).label}成绩保留，本批次不评分",
            code="component_carried",
        )
    result = result_of(session, component, enrollment)
    if result.locked:
        raise Conflict(
            f"考生 {enrollment.user.username} 的{assessment.get(component).label}已定分（{result.status.label}），评分已锁定",
            code="finalized",
        )
    return result


def _record(session, component, enrollment, actor, action, old, new, now, note: str = "") -> ScoreRecord:
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
    _ensure_open(session, component, enrollment)
    if component == "review":
        if "score" not in data:
            raise Invalid("缺少综合评审分数 score", field="score", code="section_missing")
        score = _points(data.get("score"), "综合评审分数", 100, "score")
        sections, parts, total = {REVIEW_SECTION: score}, {}, score
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
        _record(session, component, enrollment, user, RecordAction.entry, None, _sheet_state(sheet), now)
        record(f"{component}.sheet_saved", sheet, {"candidate": username, "kind": "entry", "new": _sheet_state(sheet)})
    else:
        old = _sheet_state(sheet)
        sheet.sections, sheet.parts, sheet.total, sheet.updated_at = sections, parts, total, now
        new = _sheet_state(sheet)
        if new != old:
            _record(session, component, enrollment, user, RecordAction.correction, old, new, now)
            change = {"candidate": username, "kind": "correction", "old": old, "new": new}
            record(f"{component}.sheet_saved", sheet, change)
    db.session.flush()
    return sheet


def own_sheet(session: ExamSession, component: str, user: User, enrollment: Enrollment) -> ScoreSheet | None:
    return _sheet_of(component, enrollment, user)


# ---------------------------------------------------------------- 缺考 / 违纪


def mark(
    session: ExamSession, component: str, actor: User, username: str, kind: str | None, reason, now: datetime
) -> ComponentResult:
    """The center admin marks a candidate 缺考 (absent) or 违纪 (disqualified, a reason required), or
    clears the mark (``kind`` None); both marks finalize to a failing component."""
    check_component(session, component)
    enrollment = enrollment_named(session, username)
    result = _ensure_open(session, component, enrollment)
    reason = reason.strip() if isinstance(reason, str) else ""
    if kind is None:
        if result.mark is None:
            return result
        _record(session, component, enrollment, actor, RecordAction.unmark, {"mark": result.mark.value}, None, now)
        record(f"{component}.unmarked", result, {"candidate": username, "old": result.mark.value}, actor=actor)
        result.mark, result.mark_reason = None, ""
        db.session.flush()
        return result
    if not isinstance(kind, str) or kind not in {m.value for m in Mark}:
        raise Invalid("标记须为 absent（缺考）或 disqualified（违纪）", field="mark")
    if kind == Mark.disqualified and not reason:
        raise Invalid("标记违纪须填写原因", field="reason")
    old = {"mark": result.mark.value, "reason": result.mark_reason} if result.mark else None
    result.mark, result.mark_reason = Mark(kind), reason
    _record(session, component, enrollment, actor, RecordAction.mark, old, {"mark": kind, "reason": reason}, now)
    record(f"{component}.marked", result, {"candidate": username, "mark": kind, "reason": reason}, actor=actor)
    db.session.flush()
    return result


# ---------------------------------------------------------------- finalize


def spread_threshold(center_id: int) -> float:
    settings = db.session.get(ScoringSettings, center_id)
    return settings.spread_threshold if settings else panel_maths.DEFAULT_SPREAD_THRESHOLD


def set_spread_threshold(center_id: int, value) -> ScoringSettings:
    if not _is_number(value) or not 0 < value <= 100:
        raise Invalid("分差阈值须为 0–100 之间的正数", field="spread_threshold")
    settings = db.session.get(ScoringSettings, center_id)
    if settings is None:
        settings = ScoringSettings(center_id=center_id)
        db.session.add(settings)
    old = settings.spread_threshold
    settings.spread_threshold = float(value)
    record("practical.threshold_set", settings, {"old": old, "new": settings.spread_threshold}, subject_id=center_id)
    db.session.flush()
    return settings


def preview(session: ExamSession, component: str, enrollment: Enrollment) -> dict:
    """What finalizing would give now: members, totals by member, mean, spread, flag, what is missing."""
    members = panel_members(session, component, enrollment)
    sheets = {s.grader_id: s for s in sheets_of(component, enrollment)}
    totals = [(m, sheets[m.id].total) for m in members if m.id in sheets]
    missing = [m.username for m in members if m.id not in sheets]
    minimum, odd = panel_rule(standard_of(session), component)
    problem = panel_maths.panel_size_problem(len(members), minimum, odd)
    body = {
        "members": [m.username for m in members],
        "totals": {m.username: total for m, total in totals},
        "missing": missing,
        "panel_problem": problem,
        "score": None,
        "spread": None,
        "flagged": False,
    }
    if totals:
        aggregate = panel_maths.aggregate([t for _, t in totals])
        body["score"], body["spread"] = aggregate.score, aggregate.spread
        body["flagged"] = panel_maths.flagged(aggregate.spread, spread_threshold(session.center_id))
    return body


def finalize(session: ExamSession, component: str, actor: User, username: str, note, now: datetime) -> ComponentResult:
    """Fix the candidate's component score: the mean of all panel members' totals (1.9.3), with the
    spread; 422 with a member missing or a panel that is not an odd number of at least 3; a spread
    above the center's threshold needs a written note (422 without); 409 once finalized."""
    check_component(session, component)
    enrollment = enrollment_named(session, username)
    result = _ensure_open(session, component, enrollment)
    note = note.strip() if isinstance(note, str) else ""
    if result.mark is not None:
        result.transition(ResultStatus(result.mark.value))
        result.score = None
    else:
        view = preview(session, component, enrollment)
        clause = standard_of(session).assessment.clauses.get(
            "graders" if component == "practical" else "reviewers", "1.9.3"
        )
        if view["panel_problem"]:
            raise Invalid(f"{view['panel_problem']}（{clause}），不能定分", field="panel", code="panel_invalid")
        if view["missing"]:
            raise Invalid(
                f"尚有{MEMBER_NAMES[component]}未评分：{'、'.join(view['missing'])}",
                field="sheets",
                code="sheets_missing",
                details={"missing": view["missing"]},
            )
        if view["flagged"] and not note:
            raise Invalid(
                f"分差 {view['spread']:g} 分超过阈值 {spread_threshold(session.center_id):g} 分，定分须填写说明",
                field="note",
                code="note_required",
            )
        result.transition(ResultStatus.final)
        result.score, result.spread = view["score"], view["spread"]
        result.graders, result.flagged = len(view["members"]), view["flagged"]
    result.note, result.finalized_by_id, result.finalized_at = note, actor.id, now
    _record(
        session,
        component,
        enrollment,
        actor,
        RecordAction.finalize,
        None,
        {"status": result.status.value, "score": result.score, "spread": result.spread, "flagged": result.flagged},
        now,
        note,
    )
    summary = {"status": result.status.value, "score": result.score, "spread": result.spread, "graders": result.graders}
    record(f"{component}.finalized", result, {"candidate": username, **summary, "note": note}, actor=actor)
    db.session.flush()
    return result


def finalize_panel(
    session: ExamSession,
    component: str,
    actor: User,
    panel: str | None,
    notes: dict,
    now: datetime,
    *,
    every: bool = False,
) -> tuple[list[ComponentResult], list[dict]]:
    """Finalize every pending candidate of one panel (or of all panels with ``every``), each in its
    own savepoint: those that cannot be finalized are skipped with the reason."""
    check_component(session, component)
    grouped = panels(session, component)
    if not every and (not (panel is None or isinstance(panel, str)) or panel not in grouped):
        raise Invalid(f"没有名为「{panel if isinstance(panel, str) else ''}」的评分小组", field="panel")
    targets = [e for name, members in grouped.items() if every or name == panel for e in members]
    done, skipped = [], []
    for enrollment in targets:
        current = existing_result(component, enrollment)
        if current is not None and current.locked:
            continue
        username = enrollment.user.username
        try:
            with db.session.begin_nested():
                done.append(finalize(session, component, actor, username, notes.get(username), now))
        except DomainError as exc:
            skipped.append({"username": username, "code": exc.code, "reason": exc.message})
    return done, skipped


# ---------------------------------------------------------------- reading


def final_scores(session: ExamSession, component: str) -> dict[int, assessment.FinalScore]:
    results = {
        r.enrollment_id: r
        for r in db.session.scalars(
            select(ComponentResult).where(
                ComponentResult.session_id == session.id, ComponentResult.component == component
            )
        )
    }
    scores = {}
    for e in session.enrollments:
        r = results.get(e.id)
        if r is None or r.status == ResultStatus.pending:
            scores[e.id] = assessment.PENDING
        else:
            scores[e.id] = assessment.FinalScore(r.score, assessment.Status(r.status.value))
    return scores


def summary(session: ExamSession, component: str, user: User) -> list[dict]:
    """One row per candidate the user may see: panel, progress, and (admins only) totals and spread."""
    rows = []
    admin = is_admin(user)
    for e in candidates_for(session, component, user):
        result = existing_result(component, e)
        view = preview(session, component, e)
        row = {
            "enrollment": e,
            "username": e.user.username,
            "name": e.user.display_name,
            "ticket_no": e.ticket_no,
            "seat": e.seat,
            "panel": panel_name(session, component, e),
            "members": view["members"],
            "scored": len(view["totals"]),
            "missing": view["missing"],
            "status": result.status if result else ResultStatus.pending,
            "mark": result.mark if result else None,
            "mine": own_sheet(session, component, user, e) if not admin else None,
            "result": result,
        }
        locked = result is not None and result.locked
        if admin or locked:
            row.update(totals=view["totals"], score=view["score"], spread=view["spread"], flagged=view["flagged"])
            row["panel_problem"] = view["panel_problem"]
        rows.append(row)
    return rows


def records(session: ExamSession, component: str | None = None) -> list[ScoreRecord]:
    query = select(ScoreRecord).where(ScoreRecord.session_id == session.id).order_by(ScoreRecord.id)
    if component:
        query = query.where(ScoreRecord.component == component)
    return list(db.session.scalars(query))


def agreement(session: ExamSession, component: str) -> list[dict]:
    """Per panel (contract v1.1): over the panel's candidates with a sheet from every member, on the
    members' totals: ICC(A,1), Kendall's W (tie-corrected), each member's severity and consistency,
    and the flag for a member far from the panel (scoring.agreement.RULE)."""
    check_component(session, component)
    out = []
    for name, enrollments in panels(session, component).items():
        members = panel_members(session, component, enrollments[0]) if enrollments else []
        rows = []
        for e in enrollments:
            sheets = {s.grader_id: s.total for s in sheets_of(component, e)}
            if members and all(m.id in sheets for m in members):
                rows.append([sheets[m.id] for m in members])
        stats = agreement_stats.panel_agreement(rows, graders=len(members))
        out.append(
            {
                "panel": name,
                "graders": [m.username for m in members],
                "candidates": stats["candidates"],
                "icc": stats["icc"],
                "kendall_w": stats["kendall_w"],
                "grader_stats": [
                    {"username": m.username, "severity": sev, "consistency": con, "flagged": flag}
                    for m, sev, con, flag in zip(
                        members, stats["severity"], stats["consistency"], stats["flagged"], strict=True
                    )
                ],
                "rule": stats["rule"],
            }
        )
    return out
