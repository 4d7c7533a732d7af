"""Forms of the session pages: the session (create/edit) and a room.

Fields hold strings as typed: the operations validate them (``planning.create_session``,
``planning.add_room``), so the page and the API give the same messages naming the field by its label.
CSRF is checked for every page POST by ``CSRFProtect`` (app.extensions), as for the other pages.
"""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField

from app import assessment, timeutil
from app.standards.choices import split_target
from app.standards.registry import all_standards


class SessionForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect has checked the token before the view runs

    name = StringField("批次名称")
    # The standard and its level as one choice ("3-01-01-04|四级"), so a level always belongs to the
    # chosen standard; ``standard`` and ``level`` are read when no choice was sent.
    target = StringField("职业标准与等级")
    standard = StringField("职业标准")
    level = StringField("等级")
    center = StringField("机构名称")
    theory_start = StringField("理论考试开始时间（北京时间）")
    theory_minutes = StringField("理论知识考试时长（分钟）")
    practical_minutes = StringField("操作技能考核时长（分钟）")
    review_minutes = StringField("综合评审时长（分钟，仅二级/一级）")
    practical_start = StringField("操作技能考核开始时间（北京时间）")
    practical_place = StringField("操作技能考核地点")
    theory_mode = StringField("理论知识考试方式")  # blank: what the standard prescribes (1.9.2)
    confirm_past = BooleanField("开始时间已过，仍然保存")


class RoomForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect has checked the token before the view runs

    name = StringField("考场名称")
    kind = StringField("类型")
    capacity = StringField("容量")
    room_type = StringField("理论考场类别")
    stations = StringField("考核工位数")


CHINA = timeutil.CHINA  # the form's datetime-local is read as Beijing time


def beijing_input(value: str | None) -> str:
    """A datetime-local field's value (Beijing time, no offset) with its offset; blank stays blank and
    what does not parse goes on as typed (the operation names the field)."""
    value = (value or "").strip()
    if value and "+" not in value[10:]:
        try:
            value = datetime.fromisoformat(value).replace(tzinfo=CHINA).isoformat()
        except ValueError:
            pass
    return value


def whole(value: str | None):
    """A typed number as int (negative too, so "-5" reads "不能小于 1", not "必须是整数"); blank → None."""
    value = (value or "").strip()
    return int(value) if value.lstrip("-").isdigit() else (None if not value else value)


def form_data(form: SessionForm) -> dict:
    """The create/edit form as the API's JSON shape. The standard and its level come as one choice
    (``target`` = "3-01-01-04|四级"), so a level always belongs to the chosen standard."""
    standard, level = form.standard.data or "", form.level.data or ""
    if form.target.data:
        standard, level = split_target(form.target.data)
    return {
        "name": form.name.data or "",
        "standard": standard,
        "level": level,
        "theory_start": beijing_input(form.theory_start.data),
        "practical_start": beijing_input(form.practical_start.data),
        "practical_place": form.practical_place.data or "",
        "center": form.center.data,
        "theory_mode": form.theory_mode.data or proposed_mode(standard),
    } | {
        c.minutes_key: whole(form[c.minutes_key].data) if c.minutes_key in form else None
        for c in assessment.session_kinds()
    }


def proposed_mode(standard_id: str) -> str:
    """The theory mode the page proposes: the standard's own where its text prescribes one (3-01-04-03
    1.9.2 书面笔答闭卷 → paper, from its exam_templates file), else the machine exam."""
    standard = all_standards().get(standard_id)
    return (standard.assessment.theory_mode if standard else None) or "machine"


def paper_standards() -> list:
    return [st for st in all_standards().values() if st.assessment.theory_mode == "paper"]
