"""The guarded reader refuses hostile workbooks quickly, with one Chinese message, before they can
tie up a worker: a sheet claiming the whole grid, a million rows, a zip bomb, a row wider than any
template; a formula without a cached value or over-long text is a row error, never a silent blank."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from loudi_portal import xlsx

from . import hostile

TITLES = ["区划代码", "名称", "金额"]


def read(content: bytes, *, max_rows: int = 5000, columns: int = len(TITLES), cells: bool = False):
    with xlsx.open_workbook(content, max_rows=max_rows) as wb:
        return wb.rows(0, columns=columns, cells=cells)


def test_a_sheet_claiming_the_whole_grid_is_refused_at_the_row_limit():
    content = hostile.claims_whole_grid(TITLES)
    assert len(content) < 2500
    with hostile.within(2), pytest.raises(xlsx.UploadRejected, match="文件超过 5000 行"):
        read(content)


def test_a_million_short_rows_are_refused(settings):
    content = hostile.million_rows(TITLES)
    assert len(content) < 1024 * 1024
    with hostile.within(2), pytest.raises(xlsx.UploadRejected, match="文件解压后过大"):
        read(content)
    # Were they packed less tightly, the row limit would stop them as soon.
    settings.UPLOAD_MAX_RATIO = 1_000_000
    with hostile.within(2), pytest.raises(xlsx.UploadRejected, match="文件超过 5000 行"):
        read(content)


def test_many_empty_row_elements_are_refused(settings):
    content = hostile.workbook(
        hostile.header_row(TITLES) + "".join(f'<row r="{n}"/>' for n in range(2, 200_002)),
        dimension="A1:C200001",
    )
    with hostile.within(2), pytest.raises(xlsx.UploadRejected, match="文件超过 5000 行"):
        read(content)


def test_a_huge_shared_string_is_refused_before_parsing():
    content = hostile.huge_shared_string(TITLES)
    assert len(content) < 1024 * 1024
    with hostile.within(2), pytest.raises(xlsx.UploadRejected, match="文件解压后过大"):
        read(content)


def test_a_part_packed_too_tightly_is_refused(settings):
    # 2 MB of one repeated row pack to a few KB: no real spreadsheet compresses 100:1.
    content = hostile.workbook(hostile.header_row(TITLES) + "<row><c><v>1</v></c></row>" * 80_000)
    with hostile.within(2), pytest.raises(xlsx.UploadRejected, match="文件解压后过大"):
        read(content)
    settings.UPLOAD_MAX_RATIO = 10_000  # the check is the ratio, not the row count
    with pytest.raises(xlsx.UploadRejected, match="行"):
        read(content)


def test_too_many_zip_members_or_not_a_zip_are_unreadable():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(xlsx.MAX_ZIP_MEMBERS + 1):
            archive.writestr(f"x/{n}.xml", "")
    for content in (buffer.getvalue(), b"PK\x03\x04 not a zip", b"<html>"):
        with pytest.raises(xlsx.UploadRejected, match="不是有效的 Excel 文件"):
            read(content)


def test_malformed_xml_and_entities_are_unreadable():
    with pytest.raises(xlsx.UploadRejected, match="不是有效的 Excel 文件"):
        read(hostile.workbook("<row r='1'><c r='A1'><v>1</v></row>"))
    with pytest.raises(xlsx.UploadRejected, match="不是有效的 Excel 文件"):
        read(hostile.workbook(hostile.row(1, '<c r="NOTACELL"><v>1</v></c>')))
    # An entity in the sheet is not expanded (a "billion laughs" cannot grow inside the reader).
    bomb = hostile.workbook(hostile.header_row(TITLES) + hostile.row(2, "<c r='A2'><v>&lol;</v></c>"))
    with pytest.raises(xlsx.UploadRejected):
        read(bomb)


def test_a_value_past_the_template_width_is_refused_but_empty_styled_cells_are_not():
    wide = hostile.workbook(hostile.header_row(TITLES) + hostile.row(2, hostile.number("XFD2", 1)))
    with hostile.within(2), pytest.raises(xlsx.UploadRejected, match="第 2 行超出模板的列"):
        read(wide)
    styled = hostile.workbook(
        hostile.header_row(TITLES) + hostile.row(2, hostile.number("A2", 7), '<c r="XFD2" s="1"/>')
    )
    assert read(styled).rows == [tuple(TITLES), (7,)]


def test_a_formula_without_a_cached_value_is_a_row_error_not_a_blank():
    content = hostile.uncomputed_formula(TITLES, "C2", hostile.text("A2", "431302001001"))
    sheet = read(content)
    assert [str(p) for p in sheet.problems] == ["第 2 行 [C]:公式没有计算结果,请在 Excel 中打开并保存后再上传"]
    assert sheet.rows[1] == ("431302001001", None, None)
    # A formula that Excel computed is read as its value.
    computed = hostile.workbook(hostile.header_row(TITLES) + hostile.row(2, '<c r="C2"><f>1+2</f><v>3</v></c>'))
    assert read(computed).rows[1] == (None, None, 3) and not read(computed).problems


def test_over_long_text_is_a_row_error(settings):
    settings.UPLOAD_MAX_CELL_CHARS = 10
    content = hostile.workbook(
        hostile.header_row(TITLES) + hostile.row(2, hostile.text("A2", "x" * 11), hostile.text("B2", "y" * 10))
    )
    sheet = read(content)
    assert [str(p) for p in sheet.problems] == ["第 2 行 [A]:内容超过 10 个字,请删减。"]
    assert sheet.rows[1] == (None, "y" * 10)


def test_rows_are_contiguous_from_row_1_and_a_real_workbook_reads_as_typed():
    wb = Workbook()
    ws = wb.active
    ws.append(TITLES)
    ws.append(["431302001001", "街心社区", 1.5])
    ws.append([])
    ws.append(["431302001002", None, 2])
    ws["C4"].number_format = "0.00%"
    sheet = read(xlsx.workbook_bytes(wb))
    assert sheet.rows == [tuple(TITLES), ("431302001001", "街心社区", 1.5), (), ("431302001002", None, 2)]
    cells = read(xlsx.workbook_bytes(wb), cells=True).rows
    assert cells[3][2].value == 2 and cells[3][2].number_format == "0.00%"
    assert cells[3][1].value is None


def test_the_row_limit_counts_data_rows_after_the_header():
    wb = Workbook()
    ws = wb.active
    ws.append(TITLES)
    for n in range(3):
        ws.append([n, "x", 1])
    assert len(read(xlsx.workbook_bytes(wb), max_rows=3).rows) == 4
    with pytest.raises(xlsx.UploadRejected, match="文件超过 2 行"):
        read(xlsx.workbook_bytes(wb), max_rows=2)


def test_row_limits_follow_the_uploader(settings):
    class Scope:
        def __init__(self, is_city):
            self.sees_city = is_city

    assert xlsx.max_rows_for(None) == settings.UPLOAD_MAX_ROWS_CITY == 30000
    assert xlsx.max_rows_for(Scope(True)) == 30000
    assert xlsx.max_rows_for(Scope(False)) == settings.UPLOAD_MAX_ROWS == 5000
