"""差一点 as an Excel workbook: the villages just under each line, and the cheapest way to close
each county's gap (the same figures as the page)."""

from __future__ import annotations

from openpyxl import Workbook

from loudi_portal.xlsx import MONEY_FORMAT, workbook_bytes, write_header, write_text

LINE_COLUMNS = (
    ("指标线", 16),
    ("县市区", 10),
    ("乡镇(街道)", 14),
    ("村(社区)", 16),
    ("区划代码", 14),
    ("当前(元)", 14),
    ("指标线(元)", 14),
    ("还差(元)", 14),
)
GAP_COLUMNS = (
    ("县市区", 10),
    ("目标", 26),
    ("缺口(村)", 10),
    ("村(社区)", 16),
    ("区划代码", 14),
    ("乡镇(街道)", 14),
    ("还差(元)", 14),
    ("合计(元)", 14),
)


def _money(cell, value) -> None:
    cell.value = value
    cell.number_format = MONEY_FORMAT


def near_miss_workbook(data: dict, *, year: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "差一点"
    write_header(ws, LINE_COLUMNS)
    row = 2
    for line in data["lines"]:
        for item in line["rows"]:
            for col, value in enumerate(
                (line["label"], item["county"], item["township"], item["name"], item["code"]), 1
            ):
                write_text(ws.cell(row=row, column=col), value)
            for col, value in enumerate((item["figure"], item["line"], item["need"]), 6):
                _money(ws.cell(row=row, column=col), value)
            row += 1
    gaps = wb.create_sheet("补齐缺口")
    write_header(gaps, GAP_COLUMNS)
    row = 2
    for gap in data["gaps"]:
        for item in gap["villages"] or [None]:
            write_text(gaps.cell(row=row, column=1), gap["county"])
            write_text(gaps.cell(row=row, column=2), gap["target"])
            gaps.cell(row=row, column=3).value = gap["gap"]
            if item:
                write_text(gaps.cell(row=row, column=4), item["name"])
                write_text(gaps.cell(row=row, column=5), item["code"])
                write_text(gaps.cell(row=row, column=6), item["township"])
                _money(gaps.cell(row=row, column=7), item["need"])
            _money(gaps.cell(row=row, column=8), gap["total"])
            row += 1
    wb.properties.title = f"{year} 年差一点名单"
    return workbook_bytes(wb)
