"""/api/v1 training (职业培训) and staff qualifications (资格): api-contract v1.2."""

from __future__ import annotations

from flask import jsonify

from app import verify_limits
from app.auth.roles import ADMINS
from app.training import attendance, completion, qualifications
from app.training import operations as ops
from app.training.serialize import class_body, training_body

from . import bp
from .common import api_auth, api_user, fields, parse_body
from .schemas import Attendance, ClassRequest, Qualifications, TrainingRequest, Username


@bp.put("/users/<username>/qualifications")
@api_auth(*ADMINS)
def put_qualifications(username: str):
    user = qualifications.user_named(api_user(), username)
    qualifications.save(api_user(), user, fields(parse_body(Qualifications)), ops.today())
    return jsonify(qualifications.of_user(user))


@bp.get("/users/<username>/qualifications")
@api_auth(*ADMINS)
def get_qualifications(username: str):
    return jsonify(qualifications.of_user(qualifications.user_named(api_user(), username)))


@bp.post("/trainings")
@api_auth("center_admin")
def create_training():
    training = ops.create_training(api_user(), fields(parse_body(TrainingRequest)))
    return jsonify({"id": training.id, "required_hours": training_body(training)["required_hours"]}), 201


@bp.get("/trainings")
@api_auth(*ADMINS)
def list_trainings():
    return jsonify({"trainings": [training_body(t) for t in ops.list_trainings(api_user())]})


@bp.get("/trainings/<int:training_id>")
@api_auth(*ADMINS)
def get_training(training_id: int):
    return jsonify(training_body(ops.get_training(api_user(), training_id)))


@bp.post("/trainings/<int:training_id>/trainees")
@api_auth(*ADMINS)
def add_trainee(training_id: int):
    training = ops.get_training(api_user(), training_id)
    trainee = ops.add_trainee(training, parse_body(Username).username)
    return jsonify({"id": trainee.id, "username": trainee.user.username}), 201


@bp.post("/trainings/<int:training_id>/classes")
@api_auth(*ADMINS)
def add_class(training_id: int):
    training = ops.get_training(api_user(), training_id)
    item = ops.add_class(training, fields(parse_body(ClassRequest)))
    return jsonify(class_body(item)), 201


@bp.put("/trainings/<int:training_id>/classes/<int:class_id>/attendance")
@api_auth()
def save_attendance(training_id: int, class_id: int):
    training = ops.get_for_trainer_or_admin(api_user(), training_id)
    item = ops.get_class(training, class_id)
    present = attendance.save_attendance(api_user(), training, item, parse_body(Attendance).present)
    return jsonify({"class_id": item.id, "present": present})


@bp.post("/trainings/<int:training_id>/complete")
@api_auth(*ADMINS)
def complete_training(training_id: int):
    training = ops.get_training(api_user(), training_id)
    return jsonify(completion.complete(api_user(), training))


@bp.get("/training-certificates/<completion_no>")
@verify_limits.verification
def verify_completion(completion_no: str):
    """结业证书 verification (no auth): a number alone tells validity and the masked name."""
    return jsonify(completion.verification(completion.find(completion_no)))
