"""Training programs (培训班): creation under the standard's 1.8, trainees and classes.

Operations only flush; the request boundary commits. Pages and API call the same functions.
Attendance and QR check-in live in ``attendance.py``, completion and 结业证书 in ``completion.py``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from app import timeutil
from app.audit.operations import record
from app.auth.models import STAFF_ROLES, Role, User
from app.auth.scoping import get_for_center, scope_to_center
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.standards.registry import get_level, get_standard
from app.standards.schema import Standard
from scoring.training import KINDS, trainer_verdict, venue_problem, venue_type_name

from . import inputs, qualifications
from .models import Trainee, Training, TrainingClass, TrainingStatus, TrainingTrainer

# Any staff role of the center may teach (contract v1.2), 评估专家 of the center included.
TEACHING_ROLES = {*STAFF_ROLES, Role.expert}


def today() -> date:
    return timeutil.utcnow().astimezone(timeutil.CHINA).date()


def _user(username: object) -> User | None:
    if not isinstance(username, str):
        return None
    return db.session.scalar(select(User).where(User.username == username))


# ---------------------------------------------------------------- 1.8.2 and 1.8.3


def trainer_problem(standard: Standard, level: str, trainer: User, as_of: date) -> tuple[str | None, str]:
    """(why ``trainer`` does not meet 1.8.2 for ``level`` or None, the basis when met)."""
    rules = standard.training
    rule = rules.trainer_rule(level) if rules else None
    if rule is None:  # e.g. 3-01-04-03: no 1.8.2 — no trainer rule applies
        return None, (rules.trainers_note if rules and rules.trainers_note else "标准未规定培训教师条件")
    certificates, titles = qualifications.holdings(trainer, standard.id, standard.name)
    verdict = trainer_verdict(
        [o.model_dump() for o in rule.any_of], rule.text, certificates, titles, standard.level_ids, as_of
    )
    clause = rules.trainers_clause
    if verdict.met:
        return None, f"{verdict.reason}（{clause}）"
    return f"{clause}：{verdict.reason}", ""


def check_venue(standard: Standard, kind: str, venue: dict) -> None:
    rules = standard.training
    rule = rules.venue.model_dump() if rules and rules.venue else None
    problem = venue_problem(kind, venue, rule)
    if problem:
        raise Invalid(
            f"培训场所：不符合 {rules.venue_clause}：{problem}", field="venue", details={"rule": rules.venue_clause}
        )


def _venue(data: dict) -> dict:
    venue = data.get("venue")
    if venue is None:
        return {}
    if not isinstance(venue, dict):
        raise Invalid("培训场所：应为对象 {name, type, stations}", field="venue")
    stations = venue.get("stations")
    if stations is not None and (isinstance(stations, bool) or not isinstance(stations, int) or stations < 0):
        raise Invalid("培训场所·工位数：应为非负整数", field="venue")
    name = inputs.text(venue, "name", "培训场所·名称", required=False)
    kind = venue.get("type")
    if kind is not None and not isinstance(kind, str):
        raise Invalid("培训场所·类型：应为文本", field="venue")
    return {"name": name, "type": venue_type_name(kind or "") or (kind or ""), "stations": stations}


# ---------------------------------------------------------------- programs


def _training_hours(standard: Standard, level, data: dict) -> float:
    # 1.8.1 培训参考时长: 不少于 the level's 标准学时
    required = level.training_hours
    hours = inputs.number(data, "hours", "培训学时", required=required is None, minimum=0)
    if hours is None:
        hours = float(required)
    if required is not None and hours < required:
        clause = standard.training.hours_clause if standard.training else "1.8"
        raise Invalid(
            f"培训学时：{hours:g} 学时少于标准规定的{level.title}不少于 {required} 标准学时（{clause}）",
            field="hours",
            details={"required": required},
        )
    if hours <= 0:
        raise Invalid("培训学时：应大于 0", field="hours")
    return hours


def _trainers(user: User, standard: Standard | None, level, start: date | None, trainers: object):
    """[(trainer, basis)]: staff accounts of the center, once each, meeting 1.8.2 (judged once the
    standard, the level and the start date are known)."""
    if not isinstance(trainers, list):
        raise Invalid("培训教师：应为用户名列表", field="trainers")
    chosen: list[tuple[User, str]] = []
    for index, username in enumerate(trainers):
        trainer = _user(username)
        if trainer is None or trainer.role not in TEACHING_ROLES or trainer.center_id != user.center_id:
            raise Invalid(
                f"培训教师：{username} 不是本机构的工作人员账号",
                field="trainers",
                index=index,
                details={"trainer": username if isinstance(username, str) else None},
            )
        if any(t.id == trainer.id for t, _ in chosen):
            raise Invalid(f"培训教师：{username} 重复", field="trainers", index=index, details={"trainer": username})
        basis = ""
        if standard is not None and level is not None and start is not None:
            problem, basis = trainer_problem(standard, level.id, trainer, start)
            if problem:
                raise Invalid(
                    f"培训教师：{trainer.display_name}（{username}）不符合 {problem}",
                    field="trainers",
                    index=index,
                    details={"trainer": username, "rule": problem},
                )
        chosen.append((trainer, basis))
    return chosen


def create_training(user: User, data: dict) -> Training:
    """POST /trainings: hours default to the level's 1.8.1 hours and may not be below them; every
    trainer a staff account of the center meeting 1.8.2; the venue meeting 1.8.3. Every problem is
    found (``inputs.Problems``); the first is raised, in the order the fields are read."""
    if user.center_id is None:
        raise Forbidden("只有机构管理员可以创建培训班")
    problems = inputs.Problems()
    name = problems.take(inputs.text, data, "name", "培训班名称")
    standard = problems.take(get_standard, data.get("standard"), field="standard")
    level_id = data.get("level")
    level = None
    if not isinstance(level_id, str):
        problems.add(Invalid("等级：必须选择等级", field="level"))
    elif standard is not None:
        level = problems.take(get_level, standard, level_id)
    kind = data.get("kind", "both")
    if kind not in KINDS:
        problems.add(Invalid("培训类型：应为 theory、practical 或 both", field="kind"))
        kind = None
    start = problems.take(inputs.day, data.get("start"), "start", "开始日期")
    end = problems.take(inputs.day, data.get("end"), "end", "结束日期")
    if start is not None and end is not None and end < start:
        problems.add(Invalid("结束日期：不能早于开始日期", field="end"))
    hours = problems.take(_training_hours, standard, level, data) if level is not None else None
    chosen = problems.take(_trainers, user, standard, level, start, data.get("trainers", []))
    venue = problems.take(_venue, data)
    if venue is not None and standard is not None and kind is not None:
        problems.take(check_venue, standard, kind, venue)
    problems.raise_if_any()
    training = Training(
        center_id=user.center_id,
        name=name,
        standard_id=standard.id,
        level=level.id,
        kind=kind,
        hours=hours,
        start_date=start,
        end_date=end,
        venue=venue,
        status=TrainingStatus.open,
        created_by_id=user.id,
    )
    training.trainers = [TrainingTrainer(user=t, basis=basis[:500]) for t, basis in chosen]
    db.session.add(training)
    db.session.flush()
    record("training.created", training, {"name": name, "standard": standard.id, "level": level.id, "hours": hours})
    return training


def visible_trainings(user: User):
    return scope_to_center(select(Training), user, Training.center_id).order_by(
        Training.start_date.desc(), Training.id.desc()
    )


def list_trainings(user: User) -> list[Training]:
    return list(db.session.scalars(visible_trainings(user)))


def get_training(user: User, training_id: int) -> Training:
    """A center admin's (their center's) or admin's training, 404 otherwise."""
    return get_for_center(Training, training_id, user, "培训班不存在")


def is_trainer(user: User, training: Training) -> bool:
    return any(t.user_id == user.id for t in training.trainers)


def get_for_trainer_or_admin(user: User, training_id: int) -> Training:
    """A trainer of the training, its center's admin, or the platform admin; 404 for anyone else."""
    training = db.session.get(Training, training_id)
    if training is None:
        raise NotFound("培训班不存在")
    if user.role == Role.admin or (user.role == Role.center_admin and user.center_id == training.center_id):
        return training
    if is_trainer(user, training):
        return training
    raise NotFound("培训班不存在")


def ensure_open(training: Training) -> None:
    if training.status == TrainingStatus.completed:
        raise Conflict("该培训班已结业，不能再修改", code="training_completed")


def add_trainee(training: Training, username: object) -> Trainee:
    ensure_open(training)
    user = _user(username)
    if user is None:
        raise Invalid(f"学员：用户 {username} 不存在", field="username")
    if user.role in (Role.admin,):
        raise Invalid("学员：平台管理员不能报名培训", field="username")
    if db.session.scalar(select(Trainee).where(Trainee.training_id == training.id, Trainee.user_id == user.id)):
        raise Conflict(f"{user.display_name}（{user.username}）已是本培训班学员", code="already_enrolled")
    trainee = Trainee(training_id=training.id, user_id=user.id)
    db.session.add(trainee)
    db.session.flush()
    record("training.trainee_added", trainee, {"username": user.username}, center_id=training.center_id)
    return trainee


def add_class(training: Training, data: dict) -> TrainingClass:
    """A class (课次): its Beijing date and times, its 学时 and topic; every problem found at once."""
    ensure_open(training)
    problems = inputs.Problems()
    day = problems.take(inputs.day, data.get("date"), "date", "上课日期")
    start = problems.take(inputs.clock, data.get("start"), "start", "开始时间")
    end = problems.take(inputs.clock, data.get("end"), "end", "结束时间")
    if start is not None and end is not None and end <= start:
        problems.add(Invalid("结束时间：应晚于开始时间", field="end"))
    hours = problems.take(inputs.number, data, "hours", "课时", minimum=0)
    if hours is not None and hours <= 0:  # a class's 学时 as the center counts them (not its clock time)
        problems.add(Invalid("课时：应大于 0", field="hours"))
    topic = problems.take(inputs.text, data, "topic", "课程内容", required=False)
    problems.raise_if_any()
    item = TrainingClass(training_id=training.id, date=day, start_time=start, end_time=end, hours=hours, topic=topic)
    db.session.add(item)
    db.session.flush()
    record(
        "training.class_added",
        item,
        {"date": day.isoformat(), "hours": hours, "topic": topic},
        center_id=training.center_id,
    )
    return item


def get_class(training: Training, class_id: int) -> TrainingClass:
    item = db.session.get(TrainingClass, class_id)
    if item is None or item.training_id != training.id:
        raise NotFound("课次不存在")
    return item


def class_window(item: TrainingClass) -> tuple[datetime, datetime]:
    """The class's time in UTC (its date and times are Beijing time)."""
    start = datetime.combine(item.date, item.start_time, tzinfo=timeutil.CHINA)
    end = datetime.combine(item.date, item.end_time, tzinfo=timeutil.CHINA)
    return start, end


def trainings_taught(user: User) -> list[Training]:
    return list(
        db.session.scalars(
            select(Training)
            .join(TrainingTrainer, TrainingTrainer.training_id == Training.id)
            .where(TrainingTrainer.user_id == user.id)
            .order_by(Training.start_date.desc())
        )
    )


def trainings_attended(user: User) -> list[Trainee]:
    return list(db.session.scalars(select(Trainee).where(Trainee.user_id == user.id).order_by(Trainee.id.desc())))
