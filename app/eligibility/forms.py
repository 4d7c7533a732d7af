"""Forms of the 申报 pages. Rows hold strings: the profile is validated once, by
``scoring.eligibility.profile.parse_profile``, whose messages name the row and the field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FieldList, Form, FormField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.http_input import text_form_fields
from scoring.eligibility.profile import CERTIFICATE_LEVELS, PROGRAMS, SCHOOLS, STATUS_LABELS, TITLE_RANKS

from .models import ID_TYPES

text_form_fields("id_number")  # 证件号码 is text: checked and named by ``identity.check_id``

DATE = {"type": "date", "placeholder": "YYYY-MM-DD"}
REASON_MAX = 1000  # 审核意见 (the API's decide takes the same bound: operations.decide)
TEXT_MAX = 100  # occupation and major names


class WorkRow(Form):
    occupation = StringField(
        "职业（工种）",
        validators=[Length(max=TEXT_MAX, message="职业不能超过 100 个字")],
        render_kw={"list": "occupations"},
    )
    start = StringField("开始日期", render_kw=DATE)
    end = StringField("结束日期（仍在岗留空）", render_kw=DATE)


class CertificateRow(Form):
    occupation = StringField(
        "证书职业",
        validators=[Length(max=TEXT_MAX, message="证书职业不能超过 100 个字")],
        render_kw={"list": "occupations"},
    )
    level = SelectField("等级", choices=[SelectChoice(v) for v in CERTIFICATE_LEVELS])
    issued = StringField("发证日期", render_kw=DATE)


class EducationRow(Form):
    school = SelectField(
        "学校类型", choices=[SelectChoice(s) for s in SCHOOLS] + [SelectChoice("", "不填（同等学力）")]
    )
    program = SelectField("层次", choices=[SelectChoice(v) for v in PROGRAMS])
    major = StringField("专业", validators=[Length(max=TEXT_MAX, message="专业不能超过 100 个字")])
    status = SelectField("状态", choices=[SelectChoice(v, label) for v, label in STATUS_LABELS.items()])
    graduated = StringField("毕业日期", render_kw=DATE)
    assessed = BooleanField("经评估论证")
    # Contract v1.2: 同等学力 (专科 or 本科, counts where a clause says 含同等学力) and the 见习期.
    equivalent = BooleanField("同等学力（非学校毕业证书）")
    probation_end = StringField("见习期结束日期（已毕业、尚在见习期时填写）", render_kw=DATE)


class TitleRow(Form):
    rank = SelectField("职称级别", choices=[SelectChoice(v) for v in TITLE_RANKS])
    matches_field = BooleanField("符合专业对应关系")
    obtained = StringField("取得日期", render_kw=DATE)


class TrainingRow(Form):
    level = SelectField("培训等级", choices=[SelectChoice(v) for v in CERTIFICATE_LEVELS])
    hours = StringField("标准学时", render_kw={"inputmode": "decimal"})
    completion_certificate = BooleanField("取得结业证书")
    completed = StringField("结业日期", render_kw=DATE)


SECTIONS = {
    "work": ("工作经历", WorkRow),
    "certificates": ("职业资格（职业技能等级）证书", CertificateRow),
    "education": ("学历", EducationRow),
    "titles": ("职称", TitleRow),
    "training": ("预备培训", TrainingRow),
}


class ProfileForm(FlaskForm):
    # The 证件 is part of the one profile form (issue 27 item 9); checked by ``identity.check_id``.
    # (checked by ``identity.check_id``, which names the field; a post without them leaves the 证件 as stored)
    id_type = SelectField("证件类型", choices=[SelectChoice(t) for t in ID_TYPES], validate_choice=False)
    id_number = StringField(
        "证件号码",
        validators=[Length(max=40, message="证件号码不能超过 40 个字符")],
        render_kw={"autocomplete": "off", "placeholder": "居民身份证为18位，末位可为X"},
    )
    birth_date = StringField("出生日期", render_kw=DATE)
    work = FieldList(FormField(WorkRow))
    certificates = FieldList(FormField(CertificateRow))
    education = FieldList(FormField(EducationRow))
    titles = FieldList(FormField(TitleRow))
    training = FieldList(FormField(TrainingRow))


class EvidenceForm(FlaskForm):
    label = StringField(
        "材料名称", validators=[DataRequired("请填写材料名称"), Length(max=200, message="材料名称不能超过 200 个字")]
    )
    file = FileField("文件（PDF、JPEG 或 PNG）", validators=[FileRequired("请选择文件")])


class IdentityForm(FlaskForm):
    """证件 printed on certificates (人社鉴发〔2021〕1号); the number is checked by ``identity.check_id``."""

    id_type = SelectField("证件类型", choices=[SelectChoice(t) for t in ID_TYPES])
    id_number = StringField(
        "证件号码", validators=[Length(max=40, message="证件号码不能超过 40 个字符")], render_kw={"autocomplete": "off"}
    )


class PhotoForm(FlaskForm):
    photo = FileField("证件照（JPEG 或 PNG，将印在证书上）", validators=[FileRequired("请选择照片")])


class DecisionForm(FlaskForm):
    # Free text is bounded (issue 27 item 14: a 3,000-character 驳回 reason was accepted).
    reason = TextAreaField(
        "审核意见（驳回时必填）", validators=[Length(max=REASON_MAX, message=f"审核意见不能超过 {REASON_MAX} 个字")]
    )


def _none_if_blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _number(value: str | None):
    text = (value or "").strip()
    if not text:
        return 0
    try:
        return float(text)
    except ValueError:
        return text  # parse_profile names the field


def form_to_candidate(form: ProfileForm) -> dict:
    """The contract's ``candidate`` object from the form's rows (blank dates as null)."""
    candidate: dict = {"birth_date": _none_if_blank(form.birth_date.data)}
    candidate["work"] = [
        {"occupation": r.occupation.data, "start": _none_if_blank(r.start.data), "end": _none_if_blank(r.end.data)}
        for r in form.work
    ]
    candidate["certificates"] = [
        {"occupation": r.occupation.data, "level": r.level.data, "issued": _none_if_blank(r.issued.data)}
        for r in form.certificates
    ]
    candidate["education"] = [
        {
            "school": _none_if_blank(r.school.data),
            "program": r.program.data,
            "major": r.major.data or "",
            "status": r.status.data,
            "graduated": _none_if_blank(r.graduated.data),
            "assessed": bool(r.assessed.data),
            "equivalent": bool(r.equivalent.data),
            "probation_end": _none_if_blank(r.probation_end.data),
        }
        for r in form.education
    ]
    candidate["titles"] = [
        {"rank": r.rank.data, "matches_field": bool(r.matches_field.data), "obtained": _none_if_blank(r.obtained.data)}
        for r in form.titles
    ]
    candidate["training"] = [
        {
            "level": r.level.data,
            "hours": _number(r.hours.data),
            "completion_certificate": bool(r.completion_certificate.data),
            "completed": _none_if_blank(r.completed.data),
        }
        for r in form.training
    ]
    return candidate


def candidate_to_form_data(candidate: dict) -> dict:
    """Stored profile → form data (None dates as blanks, hours as text)."""
    data = {"birth_date": candidate.get("birth_date") or ""}
    for key in SECTIONS:
        rows = []
        for row in candidate.get(key) or []:
            row = {k: ("" if v is None else v) for k, v in row.items()}
            if "hours" in row:
                row["hours"] = f"{row['hours']:g}" if isinstance(row["hours"], int | float) else row["hours"]
            rows.append(row)
        data[key] = rows
    return data
