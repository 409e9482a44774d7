"""Excel in and out: the clue ledger export, the import template, and reading an uploaded clue list.

Division codes are written as text, money with two decimals, and any text that Excel would take
for a formula (= + - @) is stored as a string, never evaluated.
"""

import io
from dataclasses import dataclass, field

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from loudi_portal import xlsx
from loudi_portal.xlsx import DATE_FORMAT, MONEY_FORMAT, RowError, text_cell, workbook_bytes

from .models import ClueCategory

# The names rectification.services reads an uploaded clue list with.


# --- the clue ledger (问题线索台账) --------------------------------------------------------------
LEDGER_HEADERS = [
    ("线索编号", 20),
    ("县市区", 10),
    ("乡镇(街道)", 14),
    ("村(社区)代码", 15),
    ("村(社区)", 14),
    ("线索来源", 10),
    ("检查编号", 18),
    ("问题类别", 14),
    ("问题描述", 40),
    ("涉及金额(元)", 15),
    ("追回金额(元)", 15),
    ("整改责任人", 14),
    ("发现日期", 12),
    ("整改期限", 12),
    ("状态", 8),
    ("是否逾期", 8),
    ("整改措施", 40),
    ("退回次数", 8),
    ("销号人", 12),
    ("销号时间", 18),
]


CODE_COLUMNS = {1, 4}  # 线索编号 and the village's 12-digit code


def _ledger_row(ws, clue) -> list:
    village = clue.village
    texts = [
        clue.code,
        village.township.county.name,
        village.township.name,
        village.code,
        village.name,
        clue.get_source_display(),
        clue.inspection.code if clue.inspection_id else "",
        clue.get_category_display(),
        clue.description,
    ]
    tail = [
        clue.responsible_person,
        None,
        None,
        clue.get_status_display(),
        "是" if clue.overdue else "否",
        clue.measures,
        None,
        (clue.closed_by.first_name or clue.closed_by.username) if clue.closed_by_id else "",
        timezone.localtime(clue.closed_at).strftime("%Y-%m-%d %H:%M") if clue.closed_at else "",
    ]
    row = [text_cell(ws, value, text_format=col in CODE_COLUMNS) for col, value in enumerate(texts, start=1)]
    for amount in (clue.amount_involved, clue.amount_recovered):
        cell = WriteOnlyCell(ws, value=amount)
        cell.number_format = MONEY_FORMAT
        row.append(cell)
    for col, value in enumerate(tail, start=12):
        if col in (13, 14):
            cell = WriteOnlyCell(ws, value=clue.found_on if col == 13 else clue.deadline)
            cell.number_format = DATE_FORMAT
            row.append(cell)
        elif col == 18:
            row.append(clue.rejection_count)
        else:
            row.append(text_cell(ws, value))
    return row


def clue_ledger_workbook(clues, *, title: str = "问题线索台账") -> bytes:
    """The ledger of `clues` as the bytes of a workbook (a township's, downloaded at once)."""
    buffer = io.BytesIO()
    clue_ledger_write(clues, output=buffer, title=title)
    return buffer.getvalue()


def clue_ledger_write(clues, *, output, title: str = "问题线索台账", total: int = 0, progress=None) -> None:
    """Write the ledger of `clues` to `output` (a path or binary file). `clues`: an iterable of Clue
    with village__township__county, inspection, closed_by loaded and `overdue` annotated
    (selectors.clue_list). Written in openpyxl's streaming mode; `progress(done, total)`, when
    given, hears how many rows are written."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    ws.append(xlsx.header_cells(ws, LEDGER_HEADERS))
    rows = 1
    for clue in clues:
        ws.append(_ledger_row(ws, clue))
        rows += 1
        if progress:
            progress(rows - 1, total)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(LEDGER_HEADERS))}{rows}"
    wb.save(output)


# --- importing a clue list ---------------------------------------------------------------------
COL_CODE, COL_NAME, COL_CATEGORY = "村(社区)代码", "村(社区)名称", "问题类别"
COL_DESCRIPTION, COL_AMOUNT, COL_RESPONSIBLE = "问题描述", "涉及金额(元)", "整改责任人"
COL_DEADLINE, COL_FOUND, COL_MEASURES = "整改期限", "发现日期", "整改措施"
REQUIRED_COLUMNS = [COL_CODE, COL_CATEGORY, COL_DESCRIPTION, COL_AMOUNT, COL_RESPONSIBLE, COL_DEADLINE]
OPTIONAL_COLUMNS = [COL_NAME, COL_FOUND, COL_MEASURES]
IMPORT_COLUMNS = [
    COL_CODE,
    COL_NAME,
    COL_CATEGORY,
    COL_DESCRIPTION,
    COL_AMOUNT,
    COL_RESPONSIBLE,
    COL_FOUND,
    COL_DEADLINE,
    COL_MEASURES,
]
MAX_IMPORT_ROWS = 5000
CATEGORY_BY_LABEL = {label: value for value, label in ClueCategory.choices}


@dataclass
class SheetRow:
    number: int  # the Excel row number, as the user sees it
    values: dict[str, object] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # column title → cell reference (e.g. "C5")


def import_template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "问题线索"
    xlsx.write_header(
        ws, [(title, 16 if title not in (COL_DESCRIPTION, COL_MEASURES) else 40) for title in IMPORT_COLUMNS]
    )
    for row in range(2, 202):
        ws.cell(row=row, column=1).number_format = "@"  # codes typed here stay text
    lines = [
        "每行一条问题线索,第一行为表头,请勿修改表头。",
        f"必填列:{'、'.join(REQUIRED_COLUMNS)};选填列:{'、'.join(OPTIONAL_COLUMNS)}。",
        "村(社区)代码:12 位统计用区划代码,文本或数字均可。",
        f"问题类别:{'、'.join(CATEGORY_BY_LABEL)}之一。",
        "涉及金额(元):不能为负数,最多两位小数;没有金额的填 0。",
        "日期:如 2024-05-31;发现日期不填则为导入当天;整改期限不能早于发现日期。",
        "整个文件全部正确才会导入;有任何错误则一条都不导入,并列出每个错误的行、列和原因。",
    ]
    xlsx.add_notes_sheet(wb, "填写说明", lines)
    return workbook_bytes(wb)


def read_clue_sheet(upload) -> tuple[list[SheetRow], list[RowError]]:
    """Read the first sheet: check the header, return the non-empty rows keyed by column title."""
    try:
        xlsx.check_upload(name=getattr(upload, "name", ""), size=upload.size)
        with xlsx.open_workbook(upload, max_rows=MAX_IMPORT_ROWS) as wb:
            read = wb.rows(0, columns=len(IMPORT_COLUMNS))
    except xlsx.UploadRejected as exc:
        return [], [RowError(0, "", str(exc))]
    if read.problems:
        return [], read.problems
    rows = iter(read.rows)
    values = next(rows, None)
    if values is None:
        return [], [RowError(1, "", "文件是空的,没有表头。")]
    header = xlsx.read_header(values, known=IMPORT_COLUMNS, required=REQUIRED_COLUMNS)
    problems = [
        RowError(1, letter, f"未知的列“{title}”;可用的列:{'、'.join(IMPORT_COLUMNS)}。")
        for letter, title in header.unknown
    ]
    problems += [RowError(1, letter, f"列“{title}”重复。") for letter, title in header.repeated]
    problems += [RowError(1, "", f"缺少必填列“{title}”。") for title in header.missing]
    if problems:
        return [], problems
    columns = {index: title for title, index in header.index.items()}
    result: list[SheetRow] = []
    for number, values in enumerate(rows, start=2):
        if xlsx.row_is_blank(values):
            continue
        if len(result) >= MAX_IMPORT_ROWS:
            return [], [RowError(number, "", f"一次最多导入 {MAX_IMPORT_ROWS} 条线索,请分批导入。")]
        row = SheetRow(number=number)
        for index, title in columns.items():
            row.values[title] = values[index] if index < len(values) else None
            row.cells[title] = f"{get_column_letter(index + 1)}{number}"
        result.append(row)
    if not result:
        problems.append(RowError(2, "", "文件没有数据行。"))
    return result, problems
