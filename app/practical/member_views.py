"""Pages for graders and reviewers: their sessions, their panel's roster with progress, sheet
entry one candidate after another, and printable blank sheets (center admins print them too)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import timeutil
from app.auth.decorators import roles_required
from app.auth.roles import ADMINS, PANEL_MEMBERS
from app.errors import Invalid, NotFound
from app.extensions import db
from app.sessions.planning import standard_of

from . import access, reports, sheets
from . import review as review_ops
from .blueprint import COMPONENT, bp, member_session, points, viewer_session
from .models import REVIEW_SECTION
from .traits import traits_of


@bp.get("/")
@roles_required(*PANEL_MEMBERS)
def my_sheets():
    component, rows = reports.member_sessions(current_user)
    return render_template("practical/my_sheets.html", rows=rows, component=component)


@bp.get(f"/<int:session_id>/{COMPONENT}")
@roles_required(*PANEL_MEMBERS)
def roster(session_id: int, component: str):
    session = member_session(session_id, component)
    rows = reports.summary(session, component, current_user)
    pending = reports.to_score(rows)
    return render_template(
        "practical/roster.html",
        s=session,
        component=traits_of(component),
        rows=rows,
        done=sum(1 for r in rows if r["mine"]),
        next_row=pending[0] if pending else None,
    )


def _form_to_body(layout: list[dict], single_score: bool) -> dict:
    """The entry form as the API's body: sections (or parts of split sections) by index."""
    form = request.form

    def number(name: str):
        value = form.get(name, "").strip().replace("，", ".")
        if value == "":
            return None
        try:
            return float(value)
        except ValueError:
            return value

    if single_score:
        return {"score": number("s-0")}
    sections, parts = {}, {}
    for i, section in enumerate(layout):
        if section["parts"]:
            parts[section["area"]] = {p["name"]: number(f"p-{i}-{j}") for j, p in enumerate(section["parts"])}
        else:
            sections[section["area"]] = number(f"s-{i}")
    return {"sections": sections, "parts": parts}


def _field_name(layout: list[dict], field: str | None) -> str | None:
    """The input that the API's error field (sections.<area>, parts.<area>.<name>, score) names."""
    if not field:
        return None
    if field == "score":
        return "s-0"
    for i, section in enumerate(layout):
        if field == f"sections.{section['area']}":
            return f"s-{i}"
        for j, part in enumerate(section["parts"]):
            if field == f"parts.{section['area']}.{part['name']}":
                return f"p-{i}-{j}"
    return None


@bp.route(f"/<int:session_id>/{COMPONENT}/<username>", methods=["GET", "POST"])
@roles_required(*PANEL_MEMBERS)
def entry(session_id: int, component: str, username: str):
    session = member_session(session_id, component)
    enrollment = access.enrollment_named(session, username)
    access.ensure_in_panel(session, component, current_user, enrollment)
    layout = sheets.sheet_sections(session, component)
    traits = traits_of(component)
    rows = reports.summary(session, component, current_user)
    position = next(i for i, r in enumerate(rows) if r["username"] == username)
    error, error_field, values = None, None, {}
    sheet = sheets.own_sheet(session, component, current_user, enrollment)
    if sheet is not None:
        for i, section in enumerate(layout):
            values[f"s-{i}"] = points(sheet.sections.get(section["area"]))
            for j, part in enumerate(section["parts"]):
                values[f"p-{i}-{j}"] = points((sheet.parts or {}).get(section["area"], {}).get(part["name"]))
    status = 200
    if request.method == "POST":
        values = dict(request.form)
        try:
            saved = sheets.save_sheet(
                session,
                component,
                current_user,
                username,
                _form_to_body(layout, traits.single_score),
                timeutil.utcnow(),
            )
        except Invalid as exc:
            db.session.rollback()  # a failed save changes nothing; the reason is shown beside the field
            error, error_field, status = exc.message, _field_name(layout, exc.details.get("field")), 422
        else:
            flash(f"已保存 {enrollment.user.display_name}（{username}）：合计 {points(saved.total)} 分", "success")
            after = reports.to_score(rows, after=username)
            if after:
                return redirect(
                    url_for(
                        "practical.entry", session_id=session_id, component=component, username=after[0]["username"]
                    )
                )
            return redirect(url_for("practical.roster", session_id=session_id, component=component))
    result = sheets.existing_result(component, enrollment)
    materials = review_ops.materials_of(enrollment) if traits.reads_materials else []
    return (
        render_template(
            "practical/entry.html",
            s=session,
            component=traits,
            e=enrollment,
            layout=layout,
            values=values,
            error=error,
            error_field=error_field,
            locked=result is not None and result.locked,
            result=result,
            position=position,
            rows=rows,
            materials=materials,
            review_section=REVIEW_SECTION,
        ),
        status,
    )


@bp.get(f"/<int:session_id>/{COMPONENT}/print")
@roles_required(*PANEL_MEMBERS, *ADMINS)
def print_sheets(session_id: int, component: str):
    """Blank 评分记录表 for a paper backup: every candidate (admins) or the member's panel; ?username= one."""
    session = viewer_session(session_id, component)
    enrollments = access.candidates_for(session, component, current_user)
    wanted = request.args.get("username")
    if wanted:
        enrollments = [e for e in enrollments if e.user.username == wanted]
        if not enrollments:
            raise NotFound("考生不在您的评分范围内")
    return render_template(
        "practical/print.html",
        s=session,
        standard=standard_of(session),
        component=traits_of(component),
        layout=sheets.sheet_sections(session, component),
        enrollments=enrollments,
        panel_of=lambda e: access.panel_name(session, component, e),
        members_of=lambda e: access.panel_members(session, component, e),
    )
