"""Excel in and out: the clue ledger export, the import template, and reading an uploaded clue list.

Division codes are written as text, money with two decimals, and any text that Excel would take
for a formula (= + - @) is stored as a string, never evaluated.
"""

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from .models import ClueCategory

FORMULA_STARTS = ("=", "+", "-", "@")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"


def write_text(cell, value, *, text_format: bool = False) -> None:
    """A text cell that stays text: '=…' is never a formula. `text_format` also marks the cell as
    Text ("@") so a code keeps its digits when edited in Excel (a style costs time: codes only)."""
    cell.value = "" if value is None else str(value)
    cell.data_type = "s"
    if text_format:
        cell.number_format = "@"
    if cell.value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def _header(ws, headers: list[tuple[str, int]]) -> None:
    for col, (title, width) in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col)
        write_text(cell, title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


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
    row = [_text_cell(ws, value, col in CODE_COLUMNS) for col, value in enumerate(texts, start=1)]
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
            row.append(_text_cell(ws, value, False))
    return row


def _text_cell(ws, value, code: bool):
    """Plain strings are cheap; only codes and formula-looking text need a styled cell."""
    value = "" if value is None else str(value)
    if not code and not value.startswith(FORMULA_STARTS):
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    if code:
        cell.number_format = "@"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def clue_ledger_workbook(clues, *, title: str = "问题线索台账") -> bytes:
    """`clues`: an iterable of Clue with village__township__county, inspection, closed_by loaded and
    `overdue` annotated (selectors.clue_list). Written in openpyxl's streaming mode: the city's
    whole ledger (8,000+ rows) in a couple of seconds."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    header = []
    for col, (name, width) in enumerate(LEDGER_HEADERS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
        cell = WriteOnlyCell(ws, value=name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        header.append(cell)
    ws.append(header)
    rows = 1
    for clue in clues:
        ws.append(_ledger_row(ws, clue))
        rows += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(LEDGER_HEADERS))}{rows}"
    return _save(wb)


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


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    reason: str


@dataclass
class SheetRow:
    number: int  # the Excel row number, as the user sees it
    values: dict[str, object] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # column title → cell reference (e.g. "C5")


def import_template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "问题线索"
    _header(ws, [(title, 16 if title not in (COL_DESCRIPTION, COL_MEASURES) else 40) for title in IMPORT_COLUMNS])
    for row in range(2, 202):
        ws.cell(row=row, column=1).number_format = "@"  # codes typed here stay text
    notes = wb.create_sheet("填写说明")
    lines = [
        "每行一条问题线索,第一行为表头,请勿修改表头。",
        f"必填列:{'、'.join(REQUIRED_COLUMNS)};选填列:{'、'.join(OPTIONAL_COLUMNS)}。",
        "村(社区)代码:12 位统计用区划代码,文本或数字均可。",
        f"问题类别:{'、'.join(CATEGORY_BY_LABEL)}之一。",
        "涉及金额(元):不能为负数,最多两位小数;没有金额的填 0。",
        "日期:如 2024-05-31;发现日期不填则为导入当天;整改期限不能早于发现日期。",
        "整个文件全部正确才会导入;有任何错误则一条都不导入,并列出每个错误的行、列和原因。",
    ]
    for i, line in enumerate(lines, start=1):
        write_text(notes.cell(row=i, column=1), line)
    notes.column_dimensions["A"].width = 100
    return _save(wb)


def check_upload(upload) -> list[Problem]:
    name = getattr(upload, "name", "") or ""
    if PurePosixPath(name).suffix.lower() != ".xlsx":
        return [Problem(0, "", f"文件“{name}”不是 Excel(.xlsx)文件。")]
    if upload.size > settings.UPLOAD_MAX_BYTES:
        return [
            Problem(
                0,
                "",
                f"文件大小 {filesizeformat(upload.size)} 超过 {filesizeformat(settings.UPLOAD_MAX_BYTES)} 的上限。",
            )
        ]
    return []


def read_clue_sheet(upload) -> tuple[list[SheetRow], list[Problem]]:
    """Read the first sheet: check the header, return the non-empty rows keyed by column title."""
    problems = check_upload(upload)
    if problems:
        return [], problems
    upload.seek(0)
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a damaged or disguised file
        return [], [Problem(0, "", "无法读取该文件,请确认是有效的 Excel(.xlsx)文件。")]
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return [], [Problem(1, "", "文件是空的,没有表头。")]
        columns: dict[int, str] = {}
        for index, title in enumerate(header):
            title = "" if title is None else str(title).strip()
            letter = get_column_letter(index + 1)
            if not title:
                continue
            if title not in IMPORT_COLUMNS:
                problems.append(Problem(1, letter, f"未知的列“{title}”;可用的列:{'、'.join(IMPORT_COLUMNS)}。"))
            elif title in columns.values():
                problems.append(Problem(1, letter, f"列“{title}”重复。"))
            else:
                columns[index] = title
        for title in REQUIRED_COLUMNS:
            if title not in columns.values():
                problems.append(Problem(1, "", f"缺少必填列“{title}”。"))
        if problems:
            return [], problems
        result: list[SheetRow] = []
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if len(result) >= MAX_IMPORT_ROWS:
                return [], [Problem(number, "", f"一次最多导入 {MAX_IMPORT_ROWS} 条线索,请分批导入。")]
            row = SheetRow(number=number)
            for index, title in columns.items():
                row.values[title] = values[index] if index < len(values) else None
                row.cells[title] = f"{get_column_letter(index + 1)}{number}"
            result.append(row)
        if not result:
            problems.append(Problem(2, "", "文件没有数据行。"))
        return result, problems
    finally:
        wb.close()


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_code(value) -> str | None:
    """A 12-digit code typed as text or as a number (Excel may show it as 4.31302E+11)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        try:
            value = Decimal(str(value))
        except InvalidOperation:
            return None
        if value != value.to_integral_value():
            return None
        text = str(int(value))
    else:
        text = cell_text(value)
    return text if len(text) == 12 and text.isdigit() else None


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def cell_date(value) -> date | None:
    """A date cell, or text such as 2024-05-31 / 2024/5/31 / 2024年5月31日. Raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        return from_excel(value).date()  # a date typed into a cell formatted as a number
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def cell_amount(value) -> str:
    """Money as text for the service's own check (never through float arithmetic)."""
    if value is None:
        return "0"
    if isinstance(value, float):
        return repr(value)
    return str(value).strip() or "0"
