"""loudi_portal.xlsx: the Excel primitives every app's import and export rely on."""

import io
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from loudi_portal import xlsx
from loudi_portal.models import UploadPreview


def _round_trip(write) -> Workbook:
    wb = Workbook()
    write(wb.active)
    return load_workbook(io.BytesIO(xlsx.workbook_bytes(wb)))


def test_text_that_looks_like_a_formula_is_written_as_text():
    def write(ws):
        xlsx.write_text(ws["A1"], '=HYPERLINK("http://x")')
        xlsx.write_text(ws["A2"], "431302001001", text_format=True)
        xlsx.write_text(ws["A3"], None)

    ws = _round_trip(write).active
    assert ws["A1"].value == '=HYPERLINK("http://x")' and ws["A1"].data_type == "s" and ws["A1"].quotePrefix
    assert ws["A2"].value == "431302001001" and ws["A2"].number_format == "@" and not ws["A2"].quotePrefix
    assert ws["A3"].value in (None, "")


def test_write_only_text_cells():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    assert xlsx.text_cell(ws, "村名") == "村名"  # plain text stays a cheap str
    cell = xlsx.text_cell(ws, "+1-2")
    assert isinstance(cell, type(WriteOnlyCell(ws))) and cell.data_type == "s" and cell.quotePrefix
    ws.append([cell, xlsx.text_cell(ws, "431302001001", text_format=True)])
    read = load_workbook(io.BytesIO(xlsx.workbook_bytes(wb))).active
    assert read["A1"].value == "+1-2" and read["A1"].data_type == "s"
    assert read["B1"].value == "431302001001" and read["B1"].number_format == "@"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("431302001001", "431302001001"),
        (431302001001, "431302001001"),
        (431302001001.0, "431302001001"),
        (Decimal("431302001001"), "431302001001"),
        (" '431302001001 ", "431302001001"),
        ("43130200100", None),
        (431302001001.5, None),
        (True, None),
        (None, None),
        ("４３１３０２００１００１", None),  # full-width digits are not a code
    ],
)
def test_division_code_typed_as_text_or_number(value, code):
    assert xlsx.division_code(value) == code


def test_division_code_of_another_length():
    assert xlsx.division_code(431300.0, length=6) == "431300"
    assert xlsx.division_code("4313001", length=6) is None


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        (None, None),
        ("  ", None),
        (1234.56, Decimal("1234.56")),
        (0.1 + 0.2, Decimal("0.30")),  # Excel's binary noise is dropped at the cent
        (1.234, Decimal("1.234")),  # a real third decimal is kept, for the caller to refuse
        (12000, Decimal("12000")),
        ("1,234.50", Decimal("1234.50")),
        ("-5", Decimal("-5")),
    ],
)
def test_cell_decimal(value, amount):
    assert xlsx.cell_decimal(value) == amount


@pytest.mark.parametrize("value", ["一万", "NaN", True, date(2024, 1, 1), float("inf")])
def test_cell_decimal_refuses_what_is_not_a_number(value):
    with pytest.raises(xlsx.NotANumber):
        xlsx.cell_decimal(value)


def test_cell_date():
    assert xlsx.cell_date("2024/5/31") == date(2024, 5, 31)
    assert xlsx.cell_date("2024年5月31日") == date(2024, 5, 31)
    assert xlsx.cell_date(45443) == date(2024, 5, 31)  # a date typed into a number cell
    assert xlsx.cell_date(None) is None
    with pytest.raises(ValueError):
        xlsx.cell_date("下周")


def test_read_header_normalises_and_reports():
    header = xlsx.read_header(
        ["区划代码", "村(社区)", None, " 年 度 ", "村书记", "区划代码"],
        known=["区划代码", "村(社区)", "年度", "备注"],
        required=["区划代码", "年度", "经营收入"],
    )
    assert header.index == {"区划代码": 0, "村(社区)": 1, "年度": 3}
    assert header.unknown == [("E", "村书记")]
    assert header.repeated == [("F", "区划代码")]
    assert header.missing == ["经营收入"]
    assert not header.ok


def test_row_error_reads_as_a_sentence():
    assert str(xlsx.RowError(3, "经营收入", "不能为负数。")) == "第 3 行 [经营收入]:不能为负数。"
    assert str(xlsx.RowError(0, "", "文件为空。")) == "文件:文件为空。"
    assert xlsx.RowError(2, "A", "x", "合同").reason == "x"


def test_upload_checks(settings):
    with pytest.raises(xlsx.UploadRejected, match="“a.csv”不是 Excel"):
        xlsx.check_upload(name="a.csv", size=10)
    with pytest.raises(xlsx.UploadRejected, match="请用模板 b.xls"):
        xlsx.check_upload(name="b.xls", size=10, not_xlsx="请用模板 {name}")
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(xlsx.UploadRejected, match="文件超过 .* 的上限"):
        xlsx.check_upload(name="a.xlsx", size=101)
    xlsx.check_upload(name="A.XLSX", size=100)
    with pytest.raises(xlsx.UploadRejected, match="无法读取该文件"):
        xlsx.open_workbook(b"PK\x03\x04 not really a workbook")
    xlsx.open_workbook(xlsx.workbook_bytes(Workbook())).close()


@pytest.mark.django_db
def test_upload_stash():
    stash = xlsx.UploadStash("test", max_age=60)
    token = stash.put(b"content")
    assert stash.read(token) == b"content"
    assert xlsx.UploadStash("other").read(token) is None  # another importer's token is not this one's
    assert stash.read("../../etc/passwd") is None and stash.read("") is None
    stash.drop(token)
    assert stash.read(token) is None and not UploadPreview.objects.exists()


@pytest.mark.django_db
def test_upload_stash_expiry_and_purge():
    stash = xlsx.UploadStash("test", max_age=60)
    old = stash.put(b"old")
    later = timezone.now() + timedelta(seconds=61)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert stash.read(old) is None  # expired: never read, even before the clean-up
        fresh = stash.put(b"fresh")  # an upload removes the expired ones
        assert stash.read(fresh) == b"fresh"
    assert list(UploadPreview.objects.values_list("token", flat=True)) == [fresh]
    with mock.patch("django.utils.timezone.now", return_value=later + timedelta(seconds=61)):
        call_command("purge_upload_previews")
    assert not UploadPreview.objects.exists()
