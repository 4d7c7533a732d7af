"""A survey's report as an Excel workbook, withheld where the report withholds (anonymous, fewer than
5 answers: the cells say so instead of a number). Text is written as string cells, never as a formula
(``app.spreadsheets.as_text_cells``): a free-text answer like ``=HYPERLINK(…)`` stays text."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from app import timeutil
from app.spreadsheets import as_text_cells
from scoring.display import RATE_FORMAT, SCORE_FORMAT, rate_number, score_number
from scoring.surveys import LIKERT_LEVELS, MIN_ANONYMOUS

from .models import SurveyImprovement
from .report import SurveyReport

WITHHELD = f"不足{MIN_ANONYMOUS}份，不予显示"
TYPE_NAMES = {"likert5": "五级满意度", "choice": "选择题", "text": "文字意见"}


def _rate(value: float | None, withheld: bool = False):
    """A rate as the page shows it: two decimals of a percent, cut (84.615…% → 84.61%; issue 27 item 11)."""
    return WITHHELD if withheld else ("" if value is None else rate_number(value))


def _mean(value):
    return "" if value is None or value == "" else score_number(value)


def _formats(sheet, columns: dict[int, str]) -> None:
    """Number formats by column (1-based) for the numeric cells written by ``_rate`` / ``_mean``."""
    for row in sheet.iter_rows(min_row=2):
        for index, fmt in columns.items():
            if index <= len(row) and isinstance(row[index - 1].value, float):
                row[index - 1].number_format = fmt


def _sheet(book: Workbook, title: str, header: list[str]):
    sheet = book.create_sheet(title) if book.worksheets[0].title != "Sheet" else book.worksheets[0]
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    return sheet


def report_workbook(report: SurveyReport, improvements: list[SurveyImprovement]) -> bytes:
    survey = report.survey
    book = Workbook()
    summary = _sheet(book, "汇总", ["项目", "内容"])
    for row in [
        ("问卷", survey.title),
        ("机构", survey.center.name),
        ("调查对象", survey.audience_name),
        ("匿名", "是" if survey.anonymous else "否（实名）"),
        ("开始时间（北京时间）", timeutil.beijing(survey.opens)),
        ("截止时间（北京时间）", timeutil.beijing(survey.closes) or "未设"),
        ("邀请人数", report.invited),
        ("回收份数", report.responses),
        ("回收率", _rate(report.response_rate)),
        ("总体满意率", _rate(report.satisfaction_rate, report.overall_withheld)),
        ("计为满意的等级", "、".join(report.settings.satisfied_levels)),
        ("目标满意率", report.settings.target_rate),
    ]:
        summary.append(list(row))
    for label, cell in summary.iter_rows(min_row=2, max_col=2):
        if label.value in ("回收率", "总体满意率", "目标满意率") and isinstance(cell.value, float):
            cell.number_format = RATE_FORMAT
    likert = _sheet(
        book,
        "满意度",
        ["题号", "题目", "回答数", *LIKERT_LEVELS, "均值（5分制）", "95%置信下限", "95%置信上限", "满意率"],
    )
    choices = _sheet(book, "选择题", ["题号", "题目", "选项", "人次"])
    texts = _sheet(book, "文字意见", ["题号", "题目", "意见"])
    for q in report.questions:
        number = q.index + 1
        if q.type == "likert5":
            if q.withheld:
                likert.append([number, q.text, WITHHELD])
                continue
            low, high = q.ci95 or ("", "")
            likert.append(
                [number, q.text, q.answered, *(q.counts[level] for level in LIKERT_LEVELS), _mean(q.mean), _mean(low),
                 _mean(high), _rate(q.satisfaction_rate)]
            )  # fmt: skip
        elif q.type == "choice":
            if q.withheld:
                choices.append([number, q.text, WITHHELD])
                continue
            for option, count in q.counts.items():
                choices.append([number, q.text, option, count])
        else:
            if q.withheld:
                texts.append([number, q.text, WITHHELD])
                continue
            for text in q.texts:
                texts.append([number, q.text, text])
    records = _sheet(book, "整改措施", ["题号", "满意率", "目标", "原因分析", "发现日期", "整改措施", "措施日期"])
    for i in improvements:
        records.append(
            ["总体" if i.question is None else i.question + 1, _rate(i.rate), i.target, i.cause, i.found_on,
             i.measure, i.measure_on]
        )  # fmt: skip
    _formats(likert, {9: SCORE_FORMAT, 10: SCORE_FORMAT, 11: SCORE_FORMAT, 12: RATE_FORMAT})
    _formats(records, {2: RATE_FORMAT, 3: RATE_FORMAT})
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=1):
            as_text_cells(row)
        sheet.column_dimensions["B"].width = 40
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
