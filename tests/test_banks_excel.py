"""Excel import through the page (real .xlsx files written with openpyxl): every bad row and column
is listed and nothing is stored; a good file imports; export round-trips; the template downloads."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.banks.excel import COLUMNS
from app.banks.models import Item
from app.extensions import db
from tests.conftest import csrf_from

STD = "3-01-01-04"


def row(external_id, kind="单选", stem="题干", options=("甲", "乙", "丙", "丁"), answer="B", points=1, area="会员发展",
        level="四级", difficulty=0.6, enemy="", source="3.2 四级/中级工 2.1.1"):  # fmt: skip
    cells = dict.fromkeys(COLUMNS, None)
    cells.update({"题号": external_id, "题型": kind, "题干": stem, "答案": answer, "分值": points, "知识领域": area,
                  "等级": level, "难度": difficulty, "互斥组": enemy, "出处": source})  # fmt: skip
    for letter, text in zip("ABCDEFGH", options, strict=False):
        cells[f"选项{letter}"] = text
    return [cells[c] for c in COLUMNS]


def xlsx(rows, header=COLUMNS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "试题"
    sheet.append(list(header))
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def browser(make_user, login):
    make_user("boss", role="center_admin")
    return login("boss")


def upload(browser, data: bytes, standard=STD):
    page = browser.get(f"/banks/import?standard={standard}")
    return browser.post(
        "/banks/import",
        data={
            "csrf_token": csrf_from(page.get_data(True)),
            "standard": standard,
            "file": (io.BytesIO(data), "bank.xlsx"),
        },  # fmt: skip
        content_type="multipart/form-data",
    )


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Item))


def test_good_file_imports_every_type(browser, app):
    rows = [
        row("X-1"),
        row("X-2", kind="多选", answer="A,C", points=2),
        row("X-3", kind="判断", options=(), answer="错误", area="职业道德", level="五级"),
        row("X-4", kind="multiple", answer="BD", points=2, level="二级", area="培训指导"),
    ]
    response = upload(browser, xlsx(rows))
    assert response.status_code == 302, response.get_data(True)[-2000:]
    with app.app_context():
        items = {i.external_id: i for i in db.session.scalars(select(Item))}
    assert items["X-2"].answer == ["A", "C"] and items["X-2"].points == 2
    assert items["X-3"].answer is False and items["X-3"].options == []
    assert items["X-4"].answer == ["B", "D"]


def test_every_bad_row_and_column_is_listed_and_nothing_is_stored(browser, app):
    rows = [
        row("B-1"),  # good
        row("B-2", kind="问答"),  # unknown type
        row("B-3", answer=None),  # missing answer
        row("B-4", answer="E"),  # answer not among the options A–D
        row("B-5", area="财务管理"),  # unknown area
        row("B-6", area="培训指导", level="四级"),  # 培训指导 is no row of 四级 (4.1)
        row("B-1", stem="重复"),  # duplicate id in the file
        row("B-8", kind="多选", answer="A", points=2),  # one letter for a multiple
    ]
    response = upload(browser, xlsx(rows))
    assert response.status_code == 422
    html = response.get_data(True)
    errors = re.findall(r"<li>(第 \d+ 行「[^」]+」：[^<]*)</li>", html)
    cells = {(int(re.match(r"第 (\d+) 行", e).group(1)), re.search(r"「([^」]+)」", e).group(1)) for e in errors}
    assert cells == {(3, "题型"), (4, "答案"), (5, "答案"), (6, "知识领域"), (7, "知识领域"), (8, "题号"), (9, "答案")}
    assert "不在选项中" in html and "不在四级的理论知识权重表中" in html and "与第 2 行重复" in html
    assert stored(app) == 0


def test_missing_columns_and_non_excel_files_are_refused(browser, app):
    header = [c for c in COLUMNS if c != "答案"]
    response = upload(browser, xlsx([row("C-1")[:-1]], header=header))
    assert response.status_code == 422 and "第 1 行「答案」：缺少必需的列" in response.get_data(True)
    response = upload(browser, b"not an excel file")
    assert response.status_code == 422 and "不是有效的 Excel 工作簿（.xlsx）" in response.get_data(True)
    assert stored(app) == 0


def test_export_round_trips_and_template_downloads(browser, app):
    rows = [row("R-1"), row("R-2", kind="判断", options=(), answer="正确", area="职业道德", level="五级")]
    assert upload(browser, xlsx(rows)).status_code == 302
    exported = browser.get(f"/banks/export.xlsx?standard={STD}")
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.data))["试题"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == COLUMNS and len(values) == 3
    # the exported file imports again unchanged (external ids exist: an update, not new rows)
    assert upload(browser, exported.data).status_code == 302
    assert stored(app) == 2
    template = browser.get(f"/banks/template.xlsx?standard={STD}")
    book = load_workbook(io.BytesIO(template.data))
    assert list(next(book["试题"].iter_rows(values_only=True))) == COLUMNS
    assert "说明" in book.sheetnames
    as_json = browser.get(f"/banks/export.json?standard={STD}").get_json()
    assert {i["external_id"] for i in as_json["items"]} == {"R-1", "R-2"}
