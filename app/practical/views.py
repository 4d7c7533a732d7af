"""Pages of panel scoring (操作技能考核 / 综合评审), in Chinese, built for sixty sheets in a row:

- graders and reviewers: their sessions, the roster of their panel with progress, keyboard sheet
  entry (live total, instant validation, a summary before saving, then straight on to the next
  candidate), reviewers with the candidate's materials beside the score box, printable blank sheets;
- center admins: panel progress, totals, spreads and flags, finalize one or all, 缺考/违纪, the
  center's spread threshold, section splits, the review deadline, the record of changes, agreement;
- candidates: upload their 综合评审 materials (PDF) before the deadline.
Views parse the form, check the role and call one operation in ``operations`` / ``review``.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app import assessment, timeutil
from app.auth.decorators import roles_required
from app.auth.roles import ADMINS
from app.boundary import page_action
from app.errors import Invalid, NotFound
from app.extensions import db
from app.sessions.enrolment import enrollment_of
from app.sessions.models import ExamSession, StaffAssignment
from app.sessions.planning import components_of, standard_of
from scoring.stats_plots import agreement_chart_png

from . import operations as ops
from . import review as review_ops
from .models import MATERIAL_LABELS, RECORD_LABELS, REVIEW_SECTION

bp = Blueprint("practical", __name__, url_prefix="/practical")

MEMBERS = ("grader", "reviewer")
COMPONENT = "<any(practical, review):component>"
ROLE_COMPONENT = {"grader": "practical", "reviewer": "review"}


@bp.app_template_filter("points")
def points(value) -> str:
    """Scores as entered: 59.99, 60, 12.5 (no trailing zeros, no rounding up)."""
    if value is None:
        return "—"
    return f"{value:.4f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- graders and reviewers


@bp.get("/")
@roles_required(*MEMBERS)
def my_sheets():
    component = ROLE_COMPONENT[current_user.role.value]
    assignments = db.session.scalars(
        select(StaffAssignment)
        .where(StaffAssignment.user_id == current_user.id, StaffAssignment.role == current_user.role.value)
        .order_by(StaffAssignment.session_id.desc())
    )
    rows = []
    for a in assignments:
        session = a.session
        if component not in components_of(session):
            continue
        mine = ops.summary(session, component, current_user)
        rows.append({"s": session, "total": len(mine), "done": sum(1 for r in mine if r["mine"])})
    return render_template("practical/my_sheets.html", rows=rows, component=assessment.get(component))


def _member_session(session_id: int, component: str) -> ExamSession:
    session = ops.session_for_member(session_id, current_user, component)
    ops.check_component(session, component)
    return session


@bp.get(f"/<int:session_id>/{COMPONENT}")
@roles_required(*MEMBERS)
def roster(session_id: int, component: str):
    session = _member_session(session_id, component)
    rows = ops.summary(session, component, current_user)
    next_row = next((r for r in rows if not r["mine"] and r["status"].value == "pending"), None)
    return render_template(
        "practical/roster.html",
        s=session,
        component=assessment.get(component),
        rows=rows,
        done=sum(1 for r in rows if r["mine"]),
        next_row=next_row,
    )


def _form_to_body(layout: list[dict], component: str) -> dict:
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

    if component == "review":
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
@roles_required(*MEMBERS)
def entry(session_id: int, component: str, username: str):
    session = _member_session(session_id, component)
    enrollment = ops.enrollment_named(session, username)
    ops.ensure_in_panel(session, component, current_user, enrollment)
    layout = ops.sheet_sections(session, component)
    rows = ops.summary(session, component, current_user)
    position = next(i for i, r in enumerate(rows) if r["username"] == username)
    error, error_field, values = None, None, {}
    sheet = ops.own_sheet(session, component, current_user, enrollment)
    if sheet is not None:
        for i, section in enumerate(layout):
            values[f"s-{i}"] = points(sheet.sections.get(section["area"]))
            for j, part in enumerate(section["parts"]):
                values[f"p-{i}-{j}"] = points((sheet.parts or {}).get(section["area"], {}).get(part["name"]))
    status = 200
    if request.method == "POST":
        values = dict(request.form)
        try:
            saved = ops.save_sheet(
                session, component, current_user, username, _form_to_body(layout, component), timeutil.utcnow()
            )
        except Invalid as exc:
            db.session.rollback()  # a failed save changes nothing; the reason is shown beside the field
            error, error_field, status = exc.message, _field_name(layout, exc.details.get("field")), 422
        else:
            flash(f"已保存 {enrollment.user.display_name}（{username}）：合计 {points(saved.total)} 分", "success")
            after = [
                r for r in rows[position + 1 :] + rows[:position] if not r["mine"] and r["status"].value == "pending"
            ]
            if after:
                return redirect(
                    url_for(
                        "practical.entry", session_id=session_id, component=component, username=after[0]["username"]
                    )
                )
            return redirect(url_for("practical.roster", session_id=session_id, component=component))
    result = ops.existing_result(component, enrollment)
    materials = review_ops.materials_of(enrollment) if component == "review" else []
    return (
        render_template(
            "practical/entry.html",
            s=session,
            component=assessment.get(component),
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


def _viewer_session(session_id: int, component: str) -> ExamSession:
    session = ops.session_for_viewer(session_id, current_user, component)
    ops.check_component(session, component)
    return session


@bp.get(f"/<int:session_id>/{COMPONENT}/print")
@roles_required(*MEMBERS, *ADMINS)
def print_sheets(session_id: int, component: str):
    """Blank 评分记录表 for a paper backup: every candidate (admins) or the member's panel; ?username= one."""
    session = _viewer_session(session_id, component)
    enrollments = ops.candidates_for(session, component, current_user)
    wanted = request.args.get("username")
    if wanted:
        enrollments = [e for e in enrollments if e.user.username == wanted]
        if not enrollments:
            raise NotFound("考生不在您的评分范围内")
    return render_template(
        "practical/print.html",
        s=session,
        standard=standard_of(session),
        component=assessment.get(component),
        layout=ops.sheet_sections(session, component),
        enrollments=enrollments,
        panel_of=lambda e: ops.panel_name(session, component, e),
        members_of=lambda e: ops.panel_members(session, component, e),
    )


# ---------------------------------------------------------------- center admins


@bp.get(f"/<int:session_id>/{COMPONENT}/manage")
@roles_required(*ADMINS)
def manage(session_id: int, component: str):
    session = _viewer_session(session_id, component)
    rows = ops.summary(session, component, current_user)
    panels = {}
    for row in rows:
        entry = panels.setdefault(row["panel"], {"members": row["members"], "candidates": 0, "sheets": 0, "final": 0})
        entry["candidates"] += 1
        entry["sheets"] += row["scored"]
        entry["final"] += row["status"].value != "pending"
    splits = []
    if component == "practical":
        splits = [
            {**section, "contents": ops.work_contents(session, section["area"])}
            for section in ops.sheet_sections(session, component)
        ]
    return render_template(
        "practical/manage.html",
        s=session,
        component=assessment.get(component),
        rows=rows,
        panels=panels,
        threshold=ops.spread_threshold(session.center_id),
        agreement=ops.agreement(session, component),
        splits=splits,
        review_row=session.component_row("review") if component == "review" else None,
        materials={e.id: review_ops.materials_of(e) for e in session.enrollments} if component == "review" else {},
        china=timeutil.CHINA,
    )


def _manage_url(session_id: int, component: str) -> str:
    return url_for("practical.manage", session_id=session_id, component=component)


@bp.post(f"/<int:session_id>/{COMPONENT}/<username>/finalize")
@roles_required(*ADMINS)
def finalize(session_id: int, component: str, username: str):
    session = _viewer_session(session_id, component)
    note = request.form.get("note", "")
    return page_action(
        lambda: ops.finalize(session, component, current_user, username, note, timeutil.utcnow()),
        _manage_url(session_id, component),
        lambda r: f"{username} 已定分：{r.status.label}" + (f" {points(r.score)} 分" if r.score is not None else ""),
    )


@bp.post(f"/<int:session_id>/{COMPONENT}/<username>/mark")
@roles_required(*ADMINS)
def mark(session_id: int, component: str, username: str):
    session = _viewer_session(session_id, component)
    kind = request.form.get("mark") or None
    reason = request.form.get("reason", "")
    return page_action(
        lambda: ops.mark(session, component, current_user, username, kind, reason, timeutil.utcnow()),
        _manage_url(session_id, component),
        lambda r: (
            f"{username}：{'已取消标记' if r.mark is None else ('已标记缺考' if r.mark.value == 'absent' else '已标记违纪')}"
        ),
    )


@bp.post(f"/<int:session_id>/{COMPONENT}/finalize-panel")
@roles_required(*ADMINS)
def finalize_panel(session_id: int, component: str):
    session = _viewer_session(session_id, component)
    every = request.form.get("all") == "1"
    panel = request.form.get("panel") or None

    def run():
        done, skipped = ops.finalize_panel(session, component, current_user, panel, {}, timeutil.utcnow(), every=every)
        for item in skipped:
            flash(f"未定分 {item['username']}：{item['reason']}", "error")
        return done

    return page_action(run, _manage_url(session_id, component), lambda done: f"已定分 {len(done)} 名考生")


@bp.post("/threshold")
@roles_required("center_admin")
def threshold():
    value = request.form.get("spread_threshold", "").strip()
    try:
        number = float(value)
    except ValueError:
        number = value
    back = request.form.get("back") or url_for("practical.my_sheets")
    if not back.startswith("/practical/"):
        back = url_for("sessions.index")
    return page_action(
        lambda: ops.set_spread_threshold(current_user.center_id, number), back, f"分差阈值已设为 {value} 分"
    )


@bp.post("/<int:session_id>/practical/split")
@roles_required(*ADMINS)
def split(session_id: int):
    session = _viewer_session(session_id, "practical")
    area = request.form.get("area", "")
    parts = []
    for name, maximum in zip(request.form.getlist("part_name"), request.form.getlist("part_max"), strict=False):
        if maximum.strip():
            try:
                parts.append({"name": name, "max": float(maximum)})
            except ValueError:
                parts.append({"name": name, "max": maximum})
    return page_action(
        lambda: ops.set_split(session, area, parts), _manage_url(session_id, "practical"), f"「{area}」的评分项已更新"
    )


@bp.post("/<int:session_id>/review/deadline")
@roles_required(*ADMINS)
def deadline(session_id: int):
    session = _viewer_session(session_id, "review")
    value = request.form.get("due", "").strip()
    if value and "+" not in value[10:]:
        value = value + "+08:00"  # the form's datetime-local is Beijing time
    return page_action(
        lambda: review_ops.set_deadline(session, value), _manage_url(session_id, "review"), "材料提交截止时间已保存"
    )


@bp.get(f"/<int:session_id>/{COMPONENT}/record")
@roles_required(*ADMINS)
def record(session_id: int, component: str):
    session = _viewer_session(session_id, component)
    return render_template(
        "practical/record.html",
        s=session,
        component=assessment.get(component),
        records=ops.records(session, component),
        labels=RECORD_LABELS,
    )


@bp.get(f"/<int:session_id>/{COMPONENT}/agreement-<int:index>.png")
@roles_required(*ADMINS)
def agreement_chart(session_id: int, component: str, index: int):
    session = _viewer_session(session_id, component)
    panels = ops.agreement(session, component)
    if not 0 <= index < len(panels):
        raise NotFound("没有这个评分小组")
    panel = panels[index]
    stats = panel["grader_stats"]
    png = agreement_chart_png(
        [g["username"] for g in stats], [g["severity"] for g in stats], [g["consistency"] for g in stats]
    )
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})


# ---------------------------------------------------------------- candidates: review materials


@bp.route("/<int:session_id>/materials", methods=["GET", "POST"])
@roles_required("candidate")
def materials(session_id: int):
    session = review_ops.candidate_session(session_id, current_user)
    row = review_ops.review_row(session)
    enrollment = enrollment_of(session, current_user)
    if request.method == "POST":
        upload = request.files.get("file")

        def run():
            if upload is None or not upload.filename:
                raise Invalid("请选择要上传的 PDF 文件", field="file")
            return review_ops.upload(
                session, current_user, request.form.get("kind", ""), upload.filename, upload.stream, timeutil.utcnow()
            )

        return page_action(
            run,
            url_for("practical.materials", session_id=session_id),
            lambda m: f"已上传{m.kind_label}：{m.original_name}",
            failure="上传失败：",
        )
    return render_template(
        "practical/materials.html",
        s=session,
        row=row,
        materials=review_ops.materials_of(enrollment),
        labels=MATERIAL_LABELS,
        now=timeutil.utcnow(),
    )


@bp.post("/<int:session_id>/materials/<int:material_id>/delete")
@roles_required("candidate")
def delete_material(session_id: int, material_id: int):
    session = review_ops.candidate_session(session_id, current_user)
    return page_action(
        lambda: review_ops.delete(session, current_user, material_id, timeutil.utcnow()),
        url_for("practical.materials", session_id=session_id),
        "已删除材料",
    )


@bp.get("/materials/<int:material_id>")
@login_required
def material_file(material_id: int):
    material, path = review_ops.get_material(current_user, material_id)
    response = send_file(path, mimetype="application/pdf", download_name=material.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = response.headers["Content-Disposition"].replace("attachment", "inline")
    return response
