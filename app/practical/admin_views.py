"""Pages for center admins (and the platform admin): panel progress, totals, spreads and flags,
finalize one candidate or a whole panel, 缺考/违纪, the center's spread threshold, section splits,
the review deadline, the record of changes, and the agreement charts."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import timeutil
from app.auth.decorators import roles_required
from app.auth.roles import ADMINS
from app.boundary import page_action
from app.errors import DomainError, NotFound
from app.extensions import db
from scoring.stats_plots import agreement_chart_png

from . import marking, reports, sheets
from . import review as review_ops
from .blueprint import COMPONENT, bp, points, viewer_session
from .models import RECORD_LABELS
from .traits import traits_of


@bp.get(f"/<int:session_id>/{COMPONENT}/manage")
@roles_required(*ADMINS)
def manage(session_id: int, component: str):
    return _manage_page(viewer_session(session_id, component), component)


# The label of each typed field of a candidate's row (定分's 说明, 违纪's 违纪原因): the messages name it.
ROW_FIELDS = {("finalize", "note"): "说明", ("mark", "reason"): "违纪原因"}


def _manage_page(session, component: str, failed: dict | None = None, status: int = 200):
    """The panel page; after a refused 定分 or 标记 (``failed``) that candidate's row keeps what was
    typed, with the message beside its field and in a summary above the table (issue 27 item 5)."""
    traits = traits_of(component)
    rows = reports.summary(session, component, current_user)
    splits = []
    if traits.splittable:
        splits = [
            {**section, "contents": sheets.work_contents(session, section["area"])}
            for section in sheets.sheet_sections(session, component)
        ]
    return render_template(
        "practical/manage.html",
        s=session,
        component=traits,
        rows=rows,
        panels=reports.panel_progress(rows),
        # the confirmations of 全部定分 / 本组全部定分 state what they lock (issue 27 item 4)
        locks={
            name: reports.lock_counts([r for r in rows if r["panel"] == name]) for name in {r["panel"] for r in rows}
        },
        lock_all=reports.lock_counts(rows),
        threshold=marking.spread_threshold(session.center_id),
        agreement=reports.agreement(session, component),
        member_names={name: label for row in rows for name, label in row["member_labels"].items()},
        splits=splits,
        review_row=session.component_row(component) if traits.reads_materials else None,
        materials={e.id: review_ops.materials_of(e) for e in session.enrollments} if traits.reads_materials else {},
        china=timeutil.CHINA,
        note_max=marking.NOTE_MAX,
        reason_max=marking.REASON_MAX,
        failed=failed,
        errors={failed["id"]: [failed["message"]]} if failed else {},
        error_labels={failed["id"]: failed["label"]} if failed else {},
    ), status


def _row_action(session_id: int, component: str, username: str, action: str, run, success):
    """One candidate's 定分 or 标记: done, flash and back to the page; refused, nothing is kept and the
    page is shown again (422) with the typed 说明 / 违纪原因 in that row and the message beside it."""
    session = viewer_session(session_id, component)
    try:
        result = run(session)
    except NotFound:
        raise
    except DomainError as exc:
        db.session.rollback()
        field = exc.details.get("field")
        label = ROW_FIELDS.get((action, field))
        failed = {
            "username": username,
            "action": action,
            "field": field if label else None,
            "id": f"{field}-{username}" if label else f"row-{username}",
            "label": label or username,
            "message": exc.message,
            "note": request.form.get("note", ""),
            "reason": request.form.get("reason", ""),
            "mark": request.form.get("mark", ""),
        }
        return _manage_page(viewer_session(session_id, component), component, failed, 422)
    flash(success(result), "success")
    return redirect(_manage_url(session_id, component))


def _manage_url(session_id: int, component: str) -> str:
    return url_for("practical.manage", session_id=session_id, component=component)


@bp.post(f"/<int:session_id>/{COMPONENT}/<username>/finalize")
@roles_required(*ADMINS)
def finalize(session_id: int, component: str, username: str):
    note = request.form.get("note", "")
    return _row_action(
        session_id,
        component,
        username,
        "finalize",
        lambda session: marking.finalize(session, component, current_user, username, note, timeutil.utcnow()),
        lambda r: f"{username} 已定分：{r.status.label}" + (f" {points(r.score)} 分" if r.score is not None else ""),
    )


@bp.post(f"/<int:session_id>/{COMPONENT}/<username>/mark")
@roles_required(*ADMINS)
def mark(session_id: int, component: str, username: str):
    kind = request.form.get("mark") or None
    reason = request.form.get("reason", "")
    return _row_action(
        session_id,
        component,
        username,
        "mark",
        lambda session: marking.mark(session, component, current_user, username, kind, reason, timeutil.utcnow()),
        lambda r: (
            f"{username}：{'已取消标记' if r.mark is None else ('已标记缺考' if r.mark.value == 'absent' else '已标记违纪')}"
        ),
    )


@bp.post(f"/<int:session_id>/{COMPONENT}/finalize-panel")
@roles_required(*ADMINS)
def finalize_panel(session_id: int, component: str):
    session = viewer_session(session_id, component)
    every = request.form.get("all") == "1"
    panel = request.form.get("panel") or None

    def run():
        done, skipped = marking.finalize_panel(
            session, component, current_user, panel, {}, timeutil.utcnow(), every=every
        )
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
        lambda: marking.set_spread_threshold(current_user.center_id, number), back, f"分差阈值已设为 {value} 分"
    )


@bp.post("/<int:session_id>/practical/split")
@roles_required(*ADMINS)
def split(session_id: int):
    session = viewer_session(session_id, "practical")
    area = request.form.get("area", "")
    parts = []
    for name, maximum in zip(request.form.getlist("part_name"), request.form.getlist("part_max"), strict=False):
        if maximum.strip():
            try:
                parts.append({"name": name, "max": float(maximum)})
            except ValueError:
                parts.append({"name": name, "max": maximum})
    return page_action(
        lambda: sheets.set_split(session, area, parts),
        _manage_url(session_id, "practical"),
        f"「{area}」的评分项已更新",
    )


@bp.post("/<int:session_id>/review/deadline")
@roles_required(*ADMINS)
def deadline(session_id: int):
    session = viewer_session(session_id, "review")
    value = request.form.get("due", "").strip()
    if value and "+" not in value[10:]:
        value = value + "+08:00"  # the form's datetime-local is Beijing time
    return page_action(
        lambda: review_ops.set_deadline(session, value), _manage_url(session_id, "review"), "材料提交截止时间已保存"
    )


@bp.get(f"/<int:session_id>/{COMPONENT}/record")
@roles_required(*ADMINS)
def record(session_id: int, component: str):
    session = viewer_session(session_id, component)
    return render_template(
        "practical/record.html",
        s=session,
        component=traits_of(component),
        records=reports.records(session, component),
        labels=RECORD_LABELS,
    )


@bp.get(f"/<int:session_id>/{COMPONENT}/agreement-<int:index>.png")
@roles_required(*ADMINS)
def agreement_chart(session_id: int, component: str, index: int):
    session = viewer_session(session_id, component)
    panels = reports.agreement(session, component)
    if not 0 <= index < len(panels):
        raise NotFound("没有这个评分小组")
    panel = panels[index]
    stats = panel["grader_stats"]
    png = agreement_chart_png(
        [g["username"] for g in stats], [g["severity"] for g in stats], [g["consistency"] for g in stats]
    )
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})
