"""Tables in and out: the rows of an uploaded table — Excel (.xlsx) or CSV — for the roster and the
bank imports, and the one formula guard of every export.

Formula guard (CSV/formula injection: a name like ``=HYPERLINK(…)`` must never run). In a workbook
every text is written as a string cell (``as_text_cells``): openpyxl stores text beginning with
``=`` as a live formula, a string cell shows and imports back exactly as written and Excel never
evaluates it. A CSV has no cell types, so there text that begins like a formula (= + - @) gets a
leading apostrophe (``csv_text``), which a spreadsheet shows as a text marker.

Excel in China saves "CSV" in GBK unless the user picks "CSV UTF-8" (which writes a BOM), so a CSV
is read as UTF-8 (with or without BOM) when it decodes as such, and as GB 18030 (a superset of GBK)
otherwise. Any other file is refused with a message saying which files are accepted.
"""

from __future__ import annotations

import csv
import io
import os
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

ACCEPTED = "只接受 Excel 工作簿（.xlsx）或 CSV 文件（.csv）"
FORMULA_STARTS = ("=", "+", "-", "@")


class TableRefused(Exception):
    """The file cannot be read as a table; ``message`` says why in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def decode_csv(data: bytes) -> str:
    """UTF-8 (BOM or not) when the bytes are valid UTF-8, else GB 18030 (GBK); else refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise TableRefused("无法识别 CSV 文件的编码：请另存为“CSV UTF-8”或 Excel 工作簿（.xlsx）") from None


def _kind(filename: str, data: bytes) -> str:
    ext = os.path.splitext(filename or "")[1].lower()
    if ext == ".xlsx" or (not ext and data.startswith(b"PK")):
        return "xlsx"
    if ext == ".csv":
        return "csv"
    shown = ext or "无扩展名"
    if ext == ".xls":
        raise TableRefused(f"{ACCEPTED}；收到的是旧版 Excel 文件（.xls），请在 Excel 中另存为 .xlsx")
    raise TableRefused(f"{ACCEPTED}；收到的文件类型为 {shown}")


def read_rows(data: bytes, filename: str, sheet: str | None = None) -> list[list]:
    """Every row of the file (the first sheet, or ``sheet`` when the workbook has it) as a list of
    cell values: numbers stay numbers in .xlsx, everything is text in .csv."""
    if not data:
        raise TableRefused("文件为空")
    if _kind(filename, data) == "csv":
        text = decode_csv(data)
        try:
            return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
        except csv.Error as exc:
            raise TableRefused(f"CSV 文件格式有误：{exc}") from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError):
        raise TableRefused("不是有效的 Excel 工作簿（.xlsx）：文件已损坏，或其实是其他格式") from None
    try:
        # read here, inside the guard: openpyxl's read-only mode parses a sheet only while iterating
        chosen = workbook[sheet] if sheet and sheet in workbook.sheetnames else workbook.worksheets[0]
        return [list(values or ()) for values in chosen.iter_rows(values_only=True)]
    except (KeyError, IndexError, OSError, ValueError, SyntaxError, TypeError):
        raise TableRefused("不是有效的 Excel 工作簿（.xlsx）：文件已损坏，或其实是其他格式") from None
    finally:
        workbook.close()


# ---------------------------------------------------------------- exports: the formula guard


def as_text_cells(cells) -> None:
    """Every text of these openpyxl cells as a string cell, never a formula (see the module docstring)."""
    for cell in cells:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"


def csv_text(value):
    """A CSV field: text that begins like a formula gets a leading apostrophe; anything else stays."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
