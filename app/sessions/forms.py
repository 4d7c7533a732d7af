"""Forms of the session pages: the session (create/edit) and a room.

Fields hold strings as typed: the operations validate them (``planning.create_session``,
``planning.add_room``), so the page and the API give the same messages naming the field by its label.
CSRF is checked for every page POST by ``CSRFProtect`` (app.extensions), as for the other pages.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField


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
