"""Pages of 职业培训: the center's programs (create, trainees, classes, attendance, completion), a
trainer's classes of today with the tick list and the check-in QR code, a person's trainings, the
QR check-in, the printable 结业证书 and its public verification. Views parse the form, check the
role and call the same operations as the API (so every action is audited the same way)."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app import timeutil, verify_limits
from app.auth.decorators import roles_required
from app.auth.models import STAFF_ROLES
from app.auth.roles import ADMINS
from app.errors import DomainError, NotFound
from app.extensions import db
from app.qrcodes import certificate_qr
from app.standards.registry import all_standards

from . import attendance, completion, qualifications
from . import operations as ops
from .forms import ClassForm, QualificationForm, TraineeForm, TrainingForm
from .models import TrainingClass
from .page_forms import attach_all, refuse

bp = Blueprint("training", __name__, url_prefix="/training")


def _training_form() -> TrainingForm:
    form = TrainingForm(formdata=request.form if request.method == "POST" else None)
    form.standard.choices = [SelectChoice(s.id, f"{s.id} {s.name}") for s in all_standards().values()]
    return form


def _training_data(form: TrainingForm) -> dict:
    """The form as the operation's body: numbers where they read as numbers, else the text as typed
    (the operation names it), a blank 培训学时 left out (the level's 标准学时)."""
    data = {
        "name": form.name.data,
        "standard": form.standard.data,
        "level": (form.level.data or "").strip() or None,
        "kind": form.kind.data,
        "start": form.start.data,
        "end": form.end.data,
        "trainers": [u.strip() for u in (form.trainers.data or "").replace("，", ",").split(",") if u.strip()],
        "venue": {
            "name": form.venue_name.data,
            "type": form.venue_type.data,
            "stations": _int(form.stations.data),
        },
    }
    if (form.hours.data or "").strip():
        data["hours"] = _float(form.hours.data)
    return data


def _training_field(path: str, message: str) -> str:
    """The venue's problem beside its stations or its type (the body names ``venue`` whole)."""
    if path == "venue":
        return "stations" if "工位" in message else "venue_type"
    return path


def _int(value):
    """A blank 工位数 is 0; a number as a number; anything else as typed, for the operation to name."""
    text = (value or "").strip()
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        return text


def _float(value):
    """A number as a number; anything else as typed (the operation names the field); blank is None."""
    text = (value or "").strip() if isinstance(value, str) else value
    if text in (None, ""):
        return None
    try:
        return float(text)
    except (TypeError, ValueError):
        return text


def _render_index(form: TrainingForm, status: int = 200, others: list[str] | None = None):
    return (
        render_template(
            "training/index.html", trainings=ops.list_trainings(current_user), form=form, others=others or []
        ),
        status,
    )


@bp.get("/")
@roles_required(*ADMINS)
def index():
    return _render_index(_training_form())


@bp.post("/new")
@roles_required("center_admin")
def create():
    form = _training_form()
    valid, others = form.validate(), []
    try:  # run even when the form's own check failed, so that every problem shows at once
        training = ops.create_training(current_user, _training_data(form))
    except DomainError as exc:  # shown again with what was typed (issue 27 item 5)
        refuse(exc)
        others = attach_all(form, exc, _training_field)
    else:
        if valid:
            flash(f"培训班「{training.name}」已创建，规定学时 {training.hours:g}", "success")
            return redirect(url_for("training.index"))
        db.session.rollback()
    return _render_index(form, 422, others)


def _render_detail(training, status: int = 200, *, failed=None, others: list[str] | None = None):
    """The training; after a refused post, the form that failed (with what was typed) and the summary."""
    trainee_form = failed if isinstance(failed, TraineeForm) else TraineeForm(formdata=None)
    class_form = failed if isinstance(failed, ClassForm) else ClassForm(formdata=None)
    return (
        render_template(
            "training/detail.html",
            t=training,
            hours_of=completion.hours_of,
            trainee_form=trainee_form,
            class_form=class_form,
            failed=failed,
            others=others or [],
        ),
        status,
    )


@bp.get("/<int:training_id>")
@roles_required(*ADMINS)
def detail(training_id: int):
    return _render_detail(ops.get_training(current_user, training_id))


def _detail_post(training, form, action, success):
    """One form of the detail page: run ``action``; PRG on success, the page again with 422 else."""
    valid, others = form is None or form.validate(), []
    try:
        result = action()
    except DomainError as exc:
        refuse(exc)
        others = attach_all(form, exc)
    else:
        if valid:
            flash(success(result), "success")
            return redirect(url_for("training.detail", training_id=training.id))
        db.session.rollback()
    return _render_detail(training, 422, failed=form, others=others)


@bp.post("/<int:training_id>/trainees")
@roles_required(*ADMINS)
def add_trainee(training_id: int):
    training = ops.get_training(current_user, training_id)
    form = TraineeForm()
    return _detail_post(
        training,
        form,
        lambda: ops.add_trainee(training, (form.username.data or "").strip()),
        lambda t: f"学员 {t.user.display_name}（{t.user.username}）已加入",
    )


@bp.post("/<int:training_id>/classes")
@roles_required(*ADMINS)
def add_class(training_id: int):
    training = ops.get_training(current_user, training_id)
    form = ClassForm()
    data = {
        "date": form.date.data,
        "start": form.start.data,
        "end": form.end.data,
        "hours": _float(form.hours.data),
        "topic": form.topic.data,
    }
    return _detail_post(training, form, lambda: ops.add_class(training, data), lambda c: f"课次 {c.date} 已添加")


@bp.post("/<int:training_id>/complete")
@roles_required(*ADMINS)
def complete(training_id: int):
    training = ops.get_training(current_user, training_id)
    return _detail_post(
        training,
        None,
        lambda: completion.complete(current_user, training),
        lambda r: f"已结业：{len(r['completed'])} 人获发结业证书，{len(r['not_completed'])} 人未达学时",
    )


@bp.route("/<int:training_id>/classes/<int:class_id>/attendance", methods=["GET", "POST"])
@login_required
def class_attendance(training_id: int, class_id: int):
    """The tick list (390 px) and, while the class runs, the check-in QR code for the screen."""
    training = ops.get_for_trainer_or_admin(current_user, training_id)
    item = ops.get_class(training, class_id)
    others: list[str] = []
    present = set(attendance.present_usernames(item))
    if request.method == "POST":
        ticked = request.form.getlist("present")
        try:
            names = attendance.save_attendance(current_user, training, item, ticked)
        except DomainError as exc:  # the ticks as they were sent, the reason at the top
            refuse(exc)
            others, present = [exc.message], set(ticked)
        else:
            flash(f"考勤已保存：出勤 {len(names)} 人", "success")
            return redirect(url_for("training.class_attendance", training_id=training_id, class_id=class_id))
    now = timeutil.utcnow()
    qr = None
    if attendance.running(item, now) and training.status.value == "open":
        link = url_for("training.checkin", token=attendance.checkin_token(item), _external=True)
        qr = certificate_qr(link)
    return (
        render_template("training/attendance.html", t=training, c=item, qr=qr, present=present, others=others),
        422 if others else 200,
    )


@bp.get("/teach")
@roles_required(*STAFF_ROLES)
def teach():
    today = ops.today()
    trainings = ops.trainings_taught(current_user)
    classes = [(t, c) for t in trainings for c in t.classes if c.date == today]
    return render_template("training/teach.html", trainings=trainings, classes=classes, today=today)


@bp.get("/mine")
@login_required
def mine():
    return render_template(
        "training/mine.html", rows=ops.trainings_attended(current_user), hours_of=completion.hours_of
    )


@bp.route("/checkin/<token>", methods=["GET", "POST"])
@login_required
def checkin(token: str):
    now = timeutil.utcnow()
    if request.method == "POST":
        try:
            item = attendance.check_in(current_user, token, now)
        except DomainError as exc:  # e.g. the code expired or the class is over: said on the page
            refuse(exc)
            return render_template("training/checkin.html", c=None, token=token, others=[exc.message]), 422
        flash(f"签到成功：{item.training.name} {item.date.isoformat()} {item.topic}", "success")
        return redirect(url_for("training.mine"))
    item: TrainingClass = attendance.class_of_token(token, now)
    attendance.trainee_of(current_user, item.training)  # 404 for anyone not on the training
    return render_template("training/checkin.html", c=item, token=token, others=[])


@bp.get("/certificates/<completion_no>")
@login_required
def certificate(completion_no: str):
    trainee = completion.visible(completion_no, current_user)
    url = url_for("training.verify", completion_no=trainee.certificate_no, _external=True)
    return render_template(
        "training/certificate.html",
        tr=trainee,
        t=trainee.training,
        url=url,
        qr=certificate_qr(url),
    )


@bp.get("/verify/<completion_no>")
@verify_limits.verification
def verify(completion_no: str):
    try:
        body = completion.verification(completion.find(completion_no))
    except NotFound:
        return render_template("training/verify.html", body=None, number=completion_no), 404
    return render_template("training/verify.html", body=body, number=completion_no)


_ROW_PATH = re.compile(r"^(certificates|titles)\[(\d+)\]\.(\w+)$")


def _qualification_form() -> QualificationForm:
    form = QualificationForm(formdata=request.form if request.method == "POST" else None)
    form.occupation.choices = [SelectChoice("", "（不登记证书）")] + [
        SelectChoice(s.name) for s in all_standards().values()
    ]
    return form


def _qualification_rows(form: QualificationForm, current: dict) -> tuple[dict, dict[str, int]]:
    """The body the operation replaces the center's record with (what it holds, plus the new row),
    and the index of the new certificate and title in it."""
    certificates = [c for c in current["certificates"] if c["source"] == "center"]
    titles = list(current["titles"])
    new: dict[str, int] = {}
    if form.occupation.data:
        new["certificates"] = len(certificates)
        certificates.append(
            {
                "occupation": form.occupation.data,
                "level": form.level.data,
                "issued": form.issued.data,
                "no": form.no.data,
            }
        )
    if form.rank.data:
        new["titles"] = len(titles)
        titles.append(
            {"rank": form.rank.data, "matches_field": form.matches_field.data, "obtained": form.obtained.data}
        )
    for key in ("source", "standard", "evidence"):
        for row in certificates + titles:
            row.pop(key, None)
    return {"certificates": certificates, "titles": titles}, new


@bp.route("/qualifications/<username>", methods=["GET", "POST"])
@roles_required(*ADMINS)
def staff_qualifications(username: str):
    user = qualifications.user_named(current_user, username)
    form = _qualification_form()
    others: list[str] = []
    if request.method == "POST":
        body, new = _qualification_rows(form, qualifications.of_user(user))

        def to_field(path: str, message: str) -> str | None:
            match = _ROW_PATH.match(path)
            if match:  # a row already recorded names no field of the form: the summary says which
                rows, index, name = match.groups()
                return name if new.get(rows) == int(index) else None
            return path

        valid = form.validate()
        try:
            qualifications.save(current_user, user, body, ops.today())
        except DomainError as exc:
            refuse(exc)
            others = attach_all(form, exc, to_field)
        else:
            if valid:
                flash("资格已登记", "success")
                return redirect(url_for("training.staff_qualifications", username=username))
            db.session.rollback()
    return (
        render_template(
            "training/qualifications.html", user=user, q=qualifications.of_user(user), form=form, others=others
        ),
        422 if request.method == "POST" else 200,
    )
