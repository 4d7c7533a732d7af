"""Forms of the 职业培训 pages (issue 27 item 5): each field labelled as the operations' messages name
it, its typed value kept on a refused post, free text bounded (``form_errors.text_bound``, with the
matching ``maxlength``). The rules themselves stay in the operations, which find every problem."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import ValidationError

from app.form_errors import plain_label, text_bound
from scoring.training import VENUE_TYPES

DATE = {"type": "date", "placeholder": "YYYY-MM-DD"}
TIME = {"type": "time", "placeholder": "HH:MM"}
NUMBER = {"inputmode": "decimal"}
NAME_MAX = 200  # Training.name, TrainingClass.topic, the venue's name (String(200))
LEVEL_MAX = 20
TRAINERS_MAX = 500
USERNAME_MAX = 40
NO_MAX = 60


class TextBound:
    """Free text of at most ``limit`` characters, the message naming the field by its label."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, form, field) -> None:
        message = text_bound(field.data, plain_label(field.label.text), self.limit)
        if message:
            raise ValidationError(message)


def text(label: str, limit: int, *, id: str | None = None, **render_kw) -> StringField:  # noqa: A002
    """A free-text field bounded server-side and by ``maxlength``."""
    bound = [TextBound(limit)]
    return StringField(label, validators=bound, id=id, render_kw={"maxlength": limit, **render_kw})


class Form(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect guards every page POST; the templates carry the token


class TrainingForm(Form):
    name = text("培训班名称", NAME_MAX, required=True)
    standard = SelectField("职业标准", validate_choice=False)
    level = text("等级（如 五级、四级、初级）", LEVEL_MAX, required=True)
    kind = SelectField(
        "培训类型",
        choices=[
            SelectChoice("theory", "理论知识培训"),
            SelectChoice("practical", "操作技能培训"),
            SelectChoice("both", "理论与操作"),
        ],
        default="both",
        validate_choice=False,
    )
    hours = StringField("培训学时（留空则取该等级标准学时）", render_kw=NUMBER)
    start = StringField("开始日期", render_kw={**DATE, "required": True})
    end = StringField("结束日期", render_kw={**DATE, "required": True})
    trainers = text("培训教师（本机构工作人员用户名，逗号分隔）", TRAINERS_MAX)
    venue_name = text("培训场所名称", NAME_MAX)
    venue_type = SelectField(
        "培训场所类型", choices=[SelectChoice(v) for v in VENUE_TYPES.values()], validate_choice=False
    )
    stations = StringField("培训工位数", default="0", render_kw={"inputmode": "numeric"})


class TraineeForm(Form):
    username = text("学员用户名", USERNAME_MAX, required=True, autocomplete="off")


class ClassForm(Form):
    # Ids apart from the trainee form's on the same page (the names are the API's).
    date = StringField("上课日期", id="class-date", render_kw={**DATE, "required": True})
    start = StringField("开始时间", id="class-start", render_kw={**TIME, "required": True})
    end = StringField("结束时间", id="class-end", render_kw={**TIME, "required": True})
    hours = StringField("课时", id="class-hours", render_kw={**NUMBER, "required": True})
    topic = text("课程内容", NAME_MAX, id="class-topic")


class QualificationForm(Form):
    occupation = SelectField("证书职业", validate_choice=False)
    level = text("证书等级", LEVEL_MAX, placeholder="如 三级")
    issued = StringField("发证日期", render_kw=DATE)
    no = text("证书编号", NO_MAX)
    rank = SelectField(
        "职称等级",
        choices=[SelectChoice("", "（不登记职称）")] + [SelectChoice(v) for v in ("初级", "中级", "高级")],
        validate_choice=False,
    )
    matches_field = BooleanField("相关专业（职称与所授职业专业对应）")
    obtained = StringField("职称取得日期", render_kw=DATE)

    def validate_occupation(self, field) -> None:
        """A certificate's details typed without its occupation, or nothing chosen at all, would save
        nothing: said beside 证书职业 rather than dropped."""
        if field.data:
            return
        if any((f.data or "").strip() for f in (self.level, self.issued, self.no)):
            raise ValidationError("请选择证书职业（已填写证书等级、发证日期或编号）")
        if not self.rank.data:
            raise ValidationError("请选择证书职业或职称等级后再登记")

    def validate_rank(self, field) -> None:
        if not field.data and ((self.obtained.data or "").strip() or self.matches_field.data):
            raise ValidationError("请选择职称等级（已填写取得日期或相关专业）")
