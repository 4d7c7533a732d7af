"""Request bodies of the survey endpoints, parsed by pydantic (strict: a list where text belongs is a 422,
never a TypeError). ``parse`` turns the first error into one ``Invalid`` whose ``field`` is the dotted
path (``questions.2.options``) and ``index`` the list position, with a Chinese message naming the field."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from app import timeutil
from app.errors import Invalid
from app.http_input import check_sane_year
from scoring.surveys import LIKERT_LEVELS

MAX_QUESTIONS = 100
MAX_OPTIONS = 30
TYPE_LABELS = {"likert5": "五级满意度", "choice": "选择题", "text": "文字意见"}
LABELS = {
    "title": "问卷标题",
    "audience": "调查对象",
    "anonymous": "匿名",
    "opens": "开始时间",
    "closes": "截止时间",
    "questions": "题目",
    "template": "模板",
    "text": "题目文字",
    "type": "题型",
    "options": "选项",
    "multiple": "多选",
    "required": "必答",
    "name": "模板名称",
    "survey": "问卷",
    "question": "题目",
    "cause": "原因分析",
    "found_on": "发现日期",
    "measure": "整改措施",
    "measure_on": "措施日期",
    "answers": "答案",
}


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", str_strip_whitespace=True)


class QuestionIn(_Strict):
    text: str = Field(min_length=1, max_length=500)
    type: Literal["likert5", "choice", "text"]
    options: list[str] | None = Field(default=None, max_length=MAX_OPTIONS)  # null or absent: none
    multiple: bool = False
    required: bool | None = None  # default: likert5 and choice required, text optional

    @model_validator(mode="after")
    def _shape(self) -> QuestionIn:
        options = [o.strip() for o in self.options or []]
        if self.type == "choice":
            if len(options) < 2 or any(not o for o in options):
                raise PydanticCustomError("survey", "选择题至少需要两个非空选项")
            if len(set(options)) != len(options):
                raise PydanticCustomError("survey", "选择题的选项不能重复")
            if any(len(o) > 200 for o in options):
                raise PydanticCustomError("survey", "选项文字不能超过 200 字")
        elif self.type == "likert5":
            if options and sorted(options) != sorted(LIKERT_LEVELS):
                raise PydanticCustomError("survey", "五级满意度题的选项固定为：" + "、".join(LIKERT_LEVELS))
            options = list(LIKERT_LEVELS)
        elif options:
            raise PydanticCustomError("survey", "文字意见题没有选项")
        if self.multiple and self.type != "choice":
            raise PydanticCustomError("survey", "只有选择题可以多选")
        self.options = options
        if self.required is None:
            self.required = self.type != "text"
        return self

    def stored(self) -> dict:
        body = {"text": self.text, "type": self.type, "options": self.options, "required": bool(self.required)}
        if self.type == "choice":
            body["multiple"] = self.multiple
        return body


class SurveyIn(_Strict):
    title: str = Field(min_length=1, max_length=200)
    audience: dict
    anonymous: bool = True
    opens: str | None = None
    closes: str | None = None
    questions: list[QuestionIn] | None = Field(default=None, max_length=MAX_QUESTIONS)
    template: int | None = None

    @model_validator(mode="after")
    def _questions_or_template(self) -> SurveyIn:
        if self.questions is None and self.template is None:
            raise PydanticCustomError("survey", "请填写题目，或选择一个模板", {"field": "questions"})
        if self.questions is not None and not self.questions:
            raise PydanticCustomError("survey", "问卷至少需要一道题", {"field": "questions"})
        return self


class TemplateIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    questions: list[QuestionIn] | None = Field(default=None, min_length=1, max_length=MAX_QUESTIONS)
    survey: int | None = None

    @model_validator(mode="after")
    def _source(self) -> TemplateIn:
        if (self.questions is None) == (self.survey is None):
            raise PydanticCustomError(
                "survey", "请给出题目，或给出要另存为模板的问卷（二者选一）", {"field": "questions"}
            )
        return self


class ImprovementIn(_Strict):
    question: int | None = Field(default=None, ge=0)
    cause: str = Field(min_length=1, max_length=5000)
    found_on: str
    measure: str = Field(min_length=1, max_length=5000)
    measure_on: str

    @field_validator("found_on", "measure_on")
    @classmethod
    def _date(cls, value: str) -> str:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("survey", "须为 YYYY-MM-DD 格式的日期") from None
        return value


MESSAGES = {
    "missing": "请填写{label}",
    "string_type": "{label}必须是文本",
    "string_too_short": "请填写{label}",
    "string_too_long": "{label}过长",
    "bool_type": "{label}必须是 true 或 false",
    "int_type": "{label}必须是整数",
    "list_type": "{label}必须是列表",
    "dict_type": "{label}必须是对象",
    "model_type": "{label}必须是对象",
    "too_long": "{label}过多",
    "too_short": "{label}不能为空",
    "literal_error": "{label}必须是 " + "、".join(f"{k}（{v}）" for k, v in TYPE_LABELS.items()) + " 之一",
    "greater_than_equal": "{label}不能为负数",
}


def _label(loc: tuple) -> str:
    names = [str(part) for part in loc if isinstance(part, str)]
    label = LABELS.get(names[-1], names[-1]) if names else "请求体"
    numbers = [part for part in loc if isinstance(part, int)]
    if len(loc) == 2 and loc[0] == "questions" and numbers:  # the question as a whole: 第 3 题
        return f"第 {numbers[0] + 1} 题"
    return f"第 {numbers[0] + 1} 题的{label}" if numbers and loc[0] == "questions" and len(loc) > 2 else label


def _invalid(error: dict) -> Invalid:
    loc = tuple(error["loc"])
    field = ".".join(str(part) for part in loc) or (error.get("ctx") or {}).get("field", "body")
    index = next((part for part in loc if isinstance(part, int)), None)
    if error["type"] == "survey":
        message = (f"{_label(loc)}：" if loc else "") + error["msg"]
    else:
        message = MESSAGES.get(error["type"], "{label}有误").format(label=_label(loc))
    return Invalid(message, field=field, index=index)


def parse(model: type[_Strict], data: dict):
    """``model`` from ``data``, or 422 naming the first bad field by its dotted path and list index."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc.errors(include_url=False)[0]) from None


def problems(model: type[_Strict], data: dict) -> list[Invalid]:
    """Every error of ``data`` against ``model`` (the page forms show them all at once), [] when valid."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return [_invalid(error) for error in exc.errors(include_url=False)]
    return []


def parse_moment(value: str | None, field: str, default: datetime | None) -> datetime | None:
    """A datetime with offset, a naive one (read as Beijing time) or a date alone, read as a Beijing day:
    ``opens`` = a date opens at 00:00 that day, ``closes`` = a date closes at the end of that day (00:00
    the day after) — the window stays [opens, closes) and a closing date is a last day to answer."""
    if value is None or value == "":
        return default
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            check_sane_year(day, field)
            parsed = datetime.combine(day, time(), tzinfo=timeutil.CHINA)
            if field == "closes":
                parsed += timedelta(days=1)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=timeutil.CHINA)
    except ValueError:
        raise Invalid(
            f"{LABELS[field]}不是合法的日期或日期时间（如 2026-12-01 或 2026-12-01T09:00:00+08:00）", field=field
        ) from None
    check_sane_year(parsed, field)
    return parsed
