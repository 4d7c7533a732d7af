"""Pages of 职业培训: the center's programs (create, trainees, classes, attendance, completion), a
trainer's classes of today with the tick list and the check-in QR code, a person's trainings, the
QR check-in, the printable 结业证书 and its public verification. Views parse the form, check the
role and call the same operations as the API (so every action is audited the same way)."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required

from app import timeutil, verify_limits
from app.auth.decorators import roles_required
from app.auth.models import STAFF_ROLES
from app.auth.roles import ADMINS
from app.boundary import page_action
from app.errors import NotFound
from app.qrcodes import certificate_qr
from app.standards.registry import all_standards

from . import attendance, completion, qualifications
from . import operations as ops
from .models import TrainingClass

bp = Blueprint("training", __name__, url_prefix="/training")


def _form_training() -> dict:
    f = request.form
    data = {
        "name": f.get("name", ""),
        "standard": f.get("standard", ""),
        "level": f.get("level", ""),
        "kind": f.get("kind", "both"),
        "start": f.get("start", ""),
        "end": f.get("end", ""),
        "trainers": [u.strip() for u in f.get("trainers", "").replace("，", ",").split(",") if u.strip()],
        "venue": {
            "name": f.get("venue_name", ""),
            "type": f.get("venue_type", ""),
            "stations": _int(f.get("stations")),
        },
    }
    if f.get("hours"):
        data["hours"] = _float(f.get("hours"))
    return data


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


@bp.get("/")
@roles_required(*ADMINS)
def index():
    return render_template(
        "training/index.html", trainings=ops.list_trainings(current_user), standards=all_standards().values()
    )


@bp.post("/new")
@roles_required("center_admin")
def create():
    return page_action(
        lambda: ops.create_training(current_user, _form_training()),
        url_for("training.index"),
        lambda t: f"培训班「{t.name}」已创建，规定学时 {t.hours:g}",
        failure="未能创建：",
    )


@bp.get("/<int:training_id>")
@roles_required(*ADMINS)
def detail(training_id: int):
    training = ops.get_training(current_user, training_id)
    return render_template("training/detail.html", t=training, hours_of=completion.hours_of)


@bp.post("/<int:training_id>/trainees")
@roles_required(*ADMINS)
def add_trainee(training_id: int):
    training = ops.get_training(current_user, training_id)
    return page_action(
        lambda: ops.add_trainee(training, request.form.get("username", "").strip()),
        url_for("training.detail", training_id=training_id),
        "学员已加入",
        failure="未能加入：",
    )


@bp.post("/<int:training_id>/classes")
@roles_required(*ADMINS)
def add_class(training_id: int):
    training = ops.get_training(current_user, training_id)
    f = request.form
    data = {
        "date": f.get("date"),
        "start": f.get("start"),
        "end": f.get("end"),
        "hours": _float(f.get("hours")),
        "topic": f.get("topic"),
    }
    return page_action(
        lambda: ops.add_class(training, data),
        url_for("training.detail", training_id=training_id),
        "课次已添加",
        failure="未能添加：",
    )


@bp.post("/<int:training_id>/complete")
@roles_required(*ADMINS)
def complete(training_id: int):
    training = ops.get_training(current_user, training_id)
    return page_action(
        lambda: completion.complete(current_user, training),
        url_for("training.detail", training_id=training_id),
        lambda r: f"已结业：{len(r['completed'])} 人获发结业证书，{len(r['not_completed'])} 人未达学时",
        failure="未能结业：",
    )


@bp.route("/<int:training_id>/classes/<int:class_id>/attendance", methods=["GET", "POST"])
@login_required
def class_attendance(training_id: int, class_id: int):
    """The tick list (390 px) and, while the class runs, the check-in QR code for the screen."""
    training = ops.get_for_trainer_or_admin(current_user, training_id)
    item = ops.get_class(training, class_id)
    here = url_for("training.class_attendance", training_id=training_id, class_id=class_id)
    if request.method == "POST":
        present = request.form.getlist("present")
        return page_action(
            lambda: attendance.save_attendance(current_user, training, item, present),
            here,
            lambda names: f"考勤已保存：出勤 {len(names)} 人",
            failure="未能保存：",
        )
    now = timeutil.utcnow()
    qr = None
    if attendance.running(item, now) and training.status.value == "open":
        link = url_for("training.checkin", token=attendance.checkin_token(item), _external=True)
        qr = certificate_qr(link)
    return render_template(
        "training/attendance.html", t=training, c=item, qr=qr, present=set(attendance.present_usernames(item))
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
        return page_action(
            lambda: attendance.check_in(current_user, token, now),
            url_for("training.mine"),
            lambda c: f"签到成功：{c.training.name} {c.date.isoformat()} {c.topic}",
            failure="未能签到：",
        )
    item: TrainingClass = attendance.class_of_token(token, now)
    attendance.trainee_of(current_user, item.training)  # 404 for anyone not on the training
    return render_template("training/checkin.html", c=item, token=token)


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


@bp.route("/qualifications/<username>", methods=["GET", "POST"])
@roles_required(*ADMINS)
def staff_qualifications(username: str):
    user = qualifications.user_named(current_user, username)
    if request.method == "POST":
        current = qualifications.of_user(user)
        certificates = [c for c in current["certificates"] if c["source"] == "center"]
        titles = list(current["titles"])
        f = request.form
        if f.get("occupation"):
            certificates.append(
                {
                    "occupation": f["occupation"],
                    "level": f.get("level", ""),
                    "issued": f.get("issued", ""),
                    "no": f.get("no", ""),
                }
            )
        if f.get("rank"):
            titles.append(
                {"rank": f["rank"], "matches_field": f.get("matches_field") == "1", "obtained": f.get("obtained", "")}
            )
        for key in ("source", "standard", "evidence"):
            for row in certificates + titles:
                row.pop(key, None)
        return page_action(
            lambda: qualifications.save(
                current_user, user, {"certificates": certificates, "titles": titles}, ops.today()
            ),
            url_for("training.staff_qualifications", username=username),
            "资格已登记",
            failure="未能登记：",
        )
    return render_template(
        "training/qualifications.html", user=user, q=qualifications.of_user(user), standards=all_standards().values()
    )
