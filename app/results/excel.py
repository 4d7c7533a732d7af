"""The results roster as an Excel workbook in the columns provinces ask for when results are
reported. Every text is a string cell (app.spreadsheets.as_text_cells), so that a name or number
can never run as a formula (CSV/formula injection)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from app import assessment, timeutil
from app.eligibility.identity import identity_of
from app.sessions.models import ExamSession
from app.spreadsheets import as_text_cells
from app.standards.registry import get_standard
from scoring.display import SCORE_FORMAT, score_number, score_text

HEADERS = ["姓名", "证件类型", "证件号码", "职业名称", "等级", "理论", "操作", "综合评审", "是否合格", "证书编号"]
COLUMNS = ("theory", "practical", "review")  # 理论, 操作, 综合评审
STATUS_TEXT = {"absent": "缺考", "disqualified": "违纪", "pending": "未定分"}
STEP_TEXT = {"open": "开考", "publish": "发布成绩"}


def _score_cell(finals: dict, key: str, required: set[str]):
    if key not in required:
        return "无"  # the level has no such component (e.g. 综合评审 below 二级)
    score, status = finals.get(key, (None, "pending"))
    if score is None:
        return STATUS_TEXT.get(status, "")
    # the shown score, cut to two decimals like the pages (59.995 → 59.99 beside 不合格; issue 27 item 11)
    return f"{score_text(score)}（保留）" if status == "carried" else score_number(score)


def _held_text(row: dict) -> str:
    held = row.get("held_certificate_no")
    return f"已持有 {held}（同等级有效证书，未重复发证）" if held else ""


def roster_workbook(session: ExamSession, rows: list[dict], exceptions: list | None = None) -> bytes:
    standard = get_standard(session.standard_id)
    level = standard.level(session.level)
    required = {c.key for c in assessment.session_components(session)}
    book = Workbook()
    sheet = book.active
    sheet.title = "成绩"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        identity = identity_of(row["user"])
        certificate = row["certificate"]
        values = [
            identity.name,
            identity.id_type,
            identity.id_number,
            standard.name,
            level.title if level else session.level,
            *(_score_cell(row["finals"], key, required) for key in COLUMNS),
            "合格" if row["passed"] else "不合格",
            certificate.number if certificate else _held_text(row),
        ]
        sheet.append(values)
    for row in sheet.iter_rows(min_row=2):  # once, after the rows (sheet[n] per row would scan every cell)
        as_text_cells(row)
        for cell in row[5:8]:  # 理论, 操作, 综合评审
            if isinstance(cell.value, float):
                cell.number_format = SCORE_FORMAT
    for column, width in zip("ABCDEFGHIJ", (10, 12, 22, 16, 12, 8, 8, 10, 9, 26), strict=True):
        sheet.column_dimensions[column].width = width
    if exceptions:  # 1.9.3: going on below the standard's staffing, with the written reason
        notes = book.create_sheet("配备例外")
        notes.append(["环节", "理由", "未达标准的配备（1.9.3）", "填写人", "时间（北京时间）"])
        for cell in notes[1]:
            cell.font = Font(bold=True)
        for exception in exceptions:
            values = [
                STEP_TEXT.get(exception.step, exception.step),
                exception.reason,
                "；".join(p["message"] for p in exception.problems),
                exception.actor.display_name if exception.actor else "",
                timeutil.beijing(exception.created_at),
            ]
            notes.append(values)
        for row in notes.iter_rows(min_row=2):
            as_text_cells(row)
        for column, width in zip("ABCDE", (10, 40, 60, 12, 20), strict=True):
            notes.column_dimensions[column].width = width
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
