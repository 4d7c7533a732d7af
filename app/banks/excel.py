"""Excel (openpyxl) import and export of a bank; the columns are documented in question_banks/README.md.

One bad row refuses the whole file and the error lists EVERY bad row and column, so an author
fixes the sheet in one pass. Rows are checked by the same rules as the JSON API
(``validation.check_item``) after the cells are turned into an item.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from app.spreadsheets import TableRefused, as_text_cells, read_rows
from app.standards.schema import Standard

from .validation import LETTERS, MAX_OPTIONS, check_item

SHEET = "试题"
OPTION_COLUMNS = [f"选项{LETTERS[i]}" for i in range(MAX_OPTIONS)]
COLUMNS = ["题号", "题型", "题干", *OPTION_COLUMNS, "答案", "分值", "知识领域", "等级", "难度", "互斥组", "出处"]
REQUIRED = ["题号", "题型", "题干", "答案", "分值", "知识领域", "等级"]
FIELD_COLUMN = {
    "external_id": "题号",
    "type": "题型",
    "stem": "题干",
    "options": "选项A",
    "answer": "答案",
    "points": "分值",
    "area": "知识领域",
    "level": "等级",
    "difficulty": "难度",
    "enemy_group": "互斥组",
    "source": "出处",
}
TYPE_WORDS = {
    "single": "single", "单选": "single", "单选题": "single", "单项选择题": "single",
    "multiple": "multiple", "多选": "multiple", "多选题": "multiple", "多项选择题": "multiple",
    "judge": "judge", "判断": "judge", "判断题": "judge",
}  # fmt: skip
TYPE_NAMES = {"single": "单选", "multiple": "多选", "judge": "判断"}
TRUE_WORDS = {"正确", "对", "√", "是", "true", "t", "1", "yes"}
FALSE_WORDS = {"错误", "错", "×", "否", "false", "f", "0", "no"}


@dataclass(frozen=True)
class RowError:
    row: int  # Excel row number (the header is row 1)
    column: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行「{self.column}」：{self.message}"


class ExcelRefused(Exception):
    """The file as a whole is refused; ``errors`` lists every bad row and column."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} 处错误，整个文件未导入")
        self.errors = errors


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _answer(kind: str | None, value) -> object:
    """The cell as the contract's answer: "B", ["A", "C"] or true/false (None when blank)."""
    if isinstance(value, bool):
        return value
    text = _cell_text(value)
    if not text:
        return None
    if kind == "judge":
        low = text.lower()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
        return text  # refused by check_item with the judge message
    if kind == "multiple":
        letters = [x for x in re.split(r"[\s,，、;；]+|(?<=[A-Za-z])(?=[A-Za-z])", text) if x]
        return [x.upper() for x in letters]
    return text.upper()


def _number(value, integer: bool):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return str(value)
    return int(number) if integer and number.is_integer() else number


def read_items(data: bytes, standard: Standard, filename: str = "items.xlsx") -> list[dict]:
    """Parse and check every row of a .xlsx or .csv; raise :class:`ExcelRefused` listing every problem."""
    try:
        table = read_rows(data, filename, sheet=SHEET)
    except TableRefused as exc:
        raise ExcelRefused([RowError(1, "文件", exc.message)]) from exc
    rows = iter(table)
    header = [_cell_text(v) for v in next(rows, ())]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c and c not in COLUMNS]
    if missing or unknown:
        errors = [RowError(1, c, "缺少必需的列") for c in missing]
        errors += [RowError(1, c, "未知的列") for c in unknown]
        raise ExcelRefused(errors)
    position = {name: header.index(name) for name in COLUMNS if name in header}
    errors: list[RowError] = []
    items: list[dict] = []
    first_row: dict[str, int] = {}
    for number, values in enumerate(rows, start=2):
        cells = {name: (values[i] if i < len(values) else None) for name, i in position.items()}
        if all(_cell_text(v) == "" for v in cells.values()):
            continue
        row_errors: list[RowError] = []
        type_text = _cell_text(cells.get("题型"))
        kind = TYPE_WORDS.get(type_text.lower()) if type_text else None
        if kind is None:
            row_errors.append(RowError(number, "题型", f"题型须为 单选、多选 或 判断，收到「{type_text}」"))
        options = [_cell_text(cells.get(c)) for c in OPTION_COLUMNS]
        while options and not options[-1]:
            options.pop()
        if kind in ("single", "multiple") and "" in options:
            row_errors.append(RowError(number, OPTION_COLUMNS[options.index("")], "选项之间不能有空列"))
        raw = {
            "external_id": _cell_text(cells.get("题号")),
            "type": kind,
            "stem": _cell_text(cells.get("题干")),
            "options": options,
            "answer": _answer(kind, cells.get("答案")),
            "points": _number(cells.get("分值"), integer=True),
            "area": _cell_text(cells.get("知识领域")),
            "level": _cell_text(cells.get("等级")),
            "difficulty": _number(cells.get("难度"), integer=False),
            "enemy_group": _cell_text(cells.get("互斥组")) or None,
            "source": _cell_text(cells.get("出处")),
        }
        if raw["difficulty"] is None:
            raw.pop("difficulty")  # blank: the default 0.5
        if raw["external_id"]:
            if raw["external_id"] in first_row:
                row_errors.append(
                    RowError(number, "题号", f"题号 {raw['external_id']} 与第 {first_row[raw['external_id']]} 行重复")
                )
            else:
                first_row[raw["external_id"]] = number
        clean, problems = check_item(raw, standard)
        for problem in problems:
            if problem.field == "type" and kind is None:
                continue  # already reported in the sheet's own words
            if problem.field == "options" and any(e.column.startswith("选项") for e in row_errors):
                continue
            row_errors.append(RowError(number, FIELD_COLUMN.get(problem.field, problem.field), problem.message))
        if row_errors:
            errors.extend(row_errors)
        elif clean is not None:
            items.append(clean)
    if errors:
        raise ExcelRefused(errors)
    if not items:
        raise ExcelRefused([RowError(2, "题号", "文件中没有试题")])
    return items


def _answer_text(item: dict) -> object:
    if item["type"] == "judge":
        return "正确" if item["answer"] else "错误"
    if item["type"] == "multiple":
        return "".join(item["answer"])
    return item["answer"]


def write_items(items: list[dict], standard: Standard) -> bytes:
    """A workbook in the import format (round-trips through ``read_items``), plus a 说明 sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for item in items:
        options = list(item.get("options") or []) + [""] * (MAX_OPTIONS - len(item.get("options") or []))
        sheet.append(
            [
                item["external_id"],
                TYPE_NAMES[item["type"]],
                item["stem"],
                *options,
                _answer_text(item),
                item["points"],
                item["area"],
                item["level"],
                item["difficulty"],
                item.get("enemy_group") or "",
                item.get("source") or "",
            ]  # fmt: skip
        )
    for row in sheet.iter_rows(min_row=2):  # once, after the rows: sheet[n] per row scans every cell (O(n²))
        as_text_cells(row)
    widths = {"A": 16, "B": 8, "C": 60}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("说明")
    notes.append(["列", "说明"])
    for row in column_notes(standard):
        notes.append(row)
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 100
    for cell in notes["B"]:
        cell.alignment = Alignment(wrap_text=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def column_notes(standard: Standard) -> list[list[str]]:
    areas = "；".join(f"{lv}：{'、'.join(table)}" for lv, table in standard.theory_weights.items())
    return [
        ["题号", "必填。本标准内唯一；已存在的题号导入时更新该题。"],
        ["题型", "必填。单选、多选 或 判断（也接受 single、multiple、judge）。"],
        ["题干", "必填。"],
        ["选项A–H", "选择题 2–8 个选项，从选项A起连续填写；判断题不填。"],
        ["答案", "单选填一个字母（如 B）；多选填两个或以上字母（如 ACD 或 A,C,D）；判断填 正确/错误。"],
        ["分值", "必填。正整数（默认试卷：判断、单选每题 1 分，多选每题 2 分）。"],
        ["知识领域", f"必填。须为该题等级理论知识权重表中的一行。{standard.id}：{areas}"],
        ["等级", f"必填。该题适用的最低等级：{'、'.join(standard.level_ids)}（高级别涵盖低级别）。"],
        ["难度", "选填。0–1 之间，预计答对比例；空白为 0.5。"],
        ["互斥组", "选填。同组试题不会出现在同一份试卷中。"],
        ["出处", "选填。该题考查的标准条款，如「3.2 四级/中级工 2.1.1」。"],
    ]
