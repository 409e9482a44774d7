"""Excel primitives shared by every app (openpyxl): writing cells safely, reading cells typed by hand,
checking an upload, and keeping it between the preview and the confirmation.

Each app keeps its own columns, wording of row errors and domain rules; what is here is what would
otherwise be written four times: a division code stays text, text is never a formula, a code typed
as a number is still a code, an amount is an exact Decimal, a bad file gets one clear message.
"""

from __future__ import annotations

import io
import re
import secrets
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.read_only import EMPTY_CELL, ReadOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import coordinate_to_tuple, get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from loudi_portal import clock

FORMULA_TAG = f"{{{SHEET_MAIN_NS}}}f"
ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"
CELL_TAG = f"{{{SHEET_MAIN_NS}}}c"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
FORMULA_STARTS = ("=", "+", "-", "@")
CENT = Decimal("0.01")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)


# --- writing ---------------------------------------------------------------------------------


def write_text(cell, value, *, text_format: bool = False) -> None:
    """Write `value` as a text cell, never a formula, even when it starts with = + - @.

    `text_format` also formats the cell as Text ("@"): for codes, so Excel keeps their digits when
    edited, and for template cells a user types into. Formula-looking text also gets Excel's quote
    prefix, so editing the cell in Excel does not turn it into a formula either.
    """
    text = "" if value is None else str(value)
    cell.value = text
    cell.data_type = "s"
    if text_format:
        cell.number_format = TEXT_FORMAT
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def text_cell(ws, value, *, text_format: bool = False):
    """A text value for a write-only sheet: a plain str where nothing can go wrong (cheap on large
    sheets), else a cell written with `write_text`."""
    text = "" if value is None else str(value)
    if not text_format and not text.startswith(FORMULA_STARTS):
        return text
    cell = WriteOnlyCell(ws)
    write_text(cell, text, text_format=text_format)
    return cell


def write_header(ws, columns: Sequence[tuple[str, int]]) -> None:
    """Row 1 of a sheet: bold titles (as text), column widths, the header row frozen."""
    for index, (title, width) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index)
        write_text(cell, title)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"


def header_cells(ws, columns: Sequence[tuple[str, int]]) -> list:
    """The header row of a write-only sheet (bold titles) after setting the column widths, which
    a write-only sheet needs before its first row."""
    cells = []
    for index, (title, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
        cell = WriteOnlyCell(ws)
        write_text(cell, title)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
        cells.append(cell)
    return cells


def add_notes_sheet(wb: Workbook, title: str, lines: Sequence[str], *, width: int = 100):
    """A sheet of instructions, one line of text a row in column A."""
    ws = wb.create_sheet(title)
    for row, line in enumerate(lines, start=1):
        write_text(ws.cell(row=row, column=1), line)
    ws.column_dimensions["A"].width = width
    return ws


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- reading cells ---------------------------------------------------------------------------


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def row_is_blank(values: Iterable | None) -> bool:
    return values is None or all(is_blank(v) for v in values)


def cell_text(value) -> str:
    """A cell as the text the user typed: stripped, "" when empty, a whole number without the ".0"
    Excel stores (1001 typed in a text column is "1001", not "1001.0")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return str(int(value))
    return str(value).strip()


def division_code(value, *, length: int = 12) -> str | None:
    """A division code typed as text or as a number (Excel may store 431302001001 as a float, or
    keep a typed leading quote); None unless it is exactly `length` digits."""
    if value is None or isinstance(value, bool):
        return None
    text = cell_text(value).lstrip("'")
    return text if len(text) == length and text.isascii() and text.isdigit() else None


class NotANumber(ValueError):
    """A cell meant to hold a number holds text, TRUE/FALSE or a date."""


def cell_decimal(value) -> Decimal | None:
    """An amount read from a cell as an exact Decimal; None when the cell is empty.

    A float loses its binary noise at the cent (a sum computed in Excel may read back as
    0.30000000000000004); text that is a number ("1,234.50") is read as typed. Anything else,
    including text such as “一万” in a number column, raises NotANumber.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise NotANumber(str(value))  # TRUE/FALSE, a date or a time
    if isinstance(value, float):
        exact = Decimal(repr(value))
        if not exact.is_finite():
            raise NotANumber(str(value))
        try:
            rounded = exact.quantize(CENT)
        except InvalidOperation:  # too many digits to have cents: keep it exact
            return exact
        return rounded if abs(exact - rounded) < Decimal("0.000001") else exact
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    else:
        try:
            number = Decimal(str(value).strip().replace(",", "").replace("\uff0c", ""))
        except InvalidOperation:
            raise NotANumber(str(value)) from None
    if not number.is_finite():
        raise NotANumber(str(value))
    return number


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def cell_date(value) -> date | None:
    """A date cell, or text such as 2024-05-31 / 2024/5/31 / 2024年5月31日; None when empty.
    Raises ValueError for anything else."""
    if is_blank(value):
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


# --- reading a sheet -------------------------------------------------------------------------


def normalise_header(value) -> str:
    """A column title as typed in Chinese Excel: full-width brackets and stray spaces accepted."""
    if value is None:
        return ""
    text = str(value).replace("\uff08", "(").replace("\uff09", ")")
    return re.sub(r"[\s\u3000]+", "", text)


@dataclass
class Header:
    """The header row matched against an app's columns; the app words the errors."""

    index: dict[str, int] = field(default_factory=dict)  # known title → 0-based column
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (column letter, title)
    repeated: list[tuple[str, str]] = field(default_factory=list)  # (column letter, title)
    missing: list[str] = field(default_factory=list)  # required titles not found

    @property
    def ok(self) -> bool:
        return not (self.unknown or self.repeated or self.missing)


def read_header(values: Iterable | None, *, known: Iterable[str], required: Iterable[str] = ()) -> Header:
    """Match a header row (normalised) against the known titles; blank header cells are ignored."""
    known = set(known)
    header = Header()
    for index, raw in enumerate(values or ()):
        title = normalise_header(raw)
        if not title:
            continue
        letter = get_column_letter(index + 1)
        if title not in known:
            header.unknown.append((letter, title))
        elif title in header.index:
            header.repeated.append((letter, title))
        else:
            header.index[title] = index
    header.missing = [title for title in required if title not in header.index]
    return header


@dataclass(frozen=True)
class RowError:
    """One problem of an uploaded workbook: the spreadsheet row (1 is the header, 0 the file
    itself), the column (letter or title), the reason in Chinese, and the sheet when it matters."""

    row: int
    column: str
    message: str
    sheet: str = ""

    @property
    def reason(self) -> str:
        return self.message

    def __str__(self) -> str:
        where = "文件" if self.row == 0 else f"第 {self.row} 行"
        sheet = f"“{self.sheet}”表" if self.sheet else ""
        return f"{sheet}{where}{f' [{self.column}]' if self.column else ''}:{self.message}"


# --- the uploaded file -----------------------------------------------------------------------

NOT_XLSX = "文件“{name}”不是 Excel(.xlsx)文件:只接受 .xlsx 格式,请另存为 .xlsx 后上传。"
TOO_LARGE = "文件超过 {limit} 的上限(本文件 {size}),请拆分后上传。"
UNREADABLE = "无法读取该文件:不是有效的 Excel 文件,它不是 xlsx 格式或已损坏。请在 Excel 中另存为 .xlsx 后重新上传。"
UNPACKED_TOO_LARGE = "文件解压后过大(超过 {limit}),不是正常的 Excel 文件,请检查后重新保存再上传。"
TOO_MANY_ROWS = "文件超过 {limit} 行,一次最多导入 {limit} 行,请拆分后分批上传。"
TOO_WIDE = "第 {row} 行超出模板的列(模板最多 {limit} 列),请使用模板填写,不要在右侧添加内容。"
FORMULA_WITHOUT_VALUE = "公式没有计算结果,请在 Excel 中打开并保存后再上传"
TEXT_TOO_LONG = "内容超过 {limit} 个字,请删减。"
# A .xlsx is a zip of a few dozen XML parts; thousands of parts only serve to slow the reader.
MAX_ZIP_MEMBERS = 1000
# Template columns plus this many: a few stray columns still get their "unknown column" message,
# a sheet thousands of columns wide is refused before it is read.
EXTRA_COLUMNS = 20
# Empty <row> elements cost little to skip, but a million of them still cost time: a file may hold
# at most this many <row> elements per allowed data row (the same bound as the highest row number).
ROW_ELEMENTS_PER_ROW = 2


class UploadRejected(ValueError):
    """The file itself is refused (not xlsx, too large, unreadable); str() is the Chinese reason."""


def check_upload(*, name: str, size: int | None, not_xlsx: str = NOT_XLSX) -> None:
    """Refuse a file not named .xlsx or larger than settings.UPLOAD_MAX_BYTES. `not_xlsx` lets an
    app point at its own template ("{name}" is the file name)."""
    if not (name or "").lower().endswith(".xlsx"):
        raise UploadRejected(not_xlsx.format(name=name or ""))
    limit = settings.UPLOAD_MAX_BYTES
    if size is not None and size > limit:
        raise UploadRejected(TOO_LARGE.format(limit=filesizeformat(limit), size=filesizeformat(size)))


def max_rows_for(scope=None) -> int:
    """The row limit of an upload: a city-wide file (the city's users, the operator's commands when
    `scope` is None) may hold the whole city's ledger, a township's or county's file far less."""
    if scope is None or scope.sees_city:
        return settings.UPLOAD_MAX_ROWS_CITY
    return settings.UPLOAD_MAX_ROWS


def _check_zip(data: bytes) -> None:
    """Refuse a zip bomb before any XML is parsed: too many parts, too large once unpacked, or a part
    packed more tightly than real spreadsheets ever are. zipfile never unpacks more than a part
    declares, so the declared sizes are a bound on what parsing can read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadRejected(UNREADABLE) from exc
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise UploadRejected(UNREADABLE)
    limit = settings.UPLOAD_MAX_UNPACKED_BYTES
    if sum(m.file_size for m in members) > limit:
        raise UploadRejected(UNPACKED_TOO_LARGE.format(limit=filesizeformat(limit)))
    ratio = settings.UPLOAD_MAX_RATIO
    for member in members:
        # Small parts compress badly or very well without consequence; only large ones matter.
        if member.file_size > 1024 * 1024 and member.file_size > ratio * max(member.compress_size, 1):
            raise UploadRejected(UNPACKED_TOO_LARGE.format(limit=filesizeformat(limit)))


def _read_bytes(source) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str | Path):
        path = Path(source)
        if path.stat().st_size > settings.UPLOAD_MAX_BYTES:
            raise UploadRejected(
                TOO_LARGE.format(
                    limit=filesizeformat(settings.UPLOAD_MAX_BYTES), size=filesizeformat(path.stat().st_size)
                )
            )
        return path.read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read(settings.UPLOAD_MAX_BYTES + 1)
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise UploadRejected(
            TOO_LARGE.format(limit=filesizeformat(settings.UPLOAD_MAX_BYTES), size=f"{filesizeformat(len(data))}+")
        )
    return data


class FormulaWithoutValue:
    """A cell holding a formula that no spreadsheet program ever computed (no cached value)."""

    def __repr__(self) -> str:
        return "<formula without value>"


class TextTooLong:
    """A cell whose text exceeds settings.UPLOAD_MAX_CELL_CHARS."""

    def __repr__(self) -> str:
        return "<text too long>"


FORMULA_NO_VALUE = FormulaWithoutValue()
TOO_LONG = TextTooLong()


MAX_CELLS_IN_ROW = 16384  # column XFD: no spreadsheet writes more cells in a row


def _drop(element) -> None:
    """Free a parsed element and its already-parsed siblings, so memory stays flat however many
    rows or cells the sheet holds (lxml keeps the whole tree otherwise)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _sheet_rows(src, cell_parser: WorkSheetParser, *, max_cols: int, max_chars: int):
    """(row number, [cell dicts]) for each <row> of a sheet's XML, streamed: only the first
    `max_cols` cells of a row are parsed; a formula cell without a cached value becomes
    FORMULA_NO_VALUE rather than an empty cell (a silent 0), text longer than `max_chars` becomes
    TOO_LONG. A non-empty cell past `max_cols` raises _TooWide."""
    number = 0
    cells: list[dict] = []
    in_cell = False
    count = column = 0
    events = etree.iterparse(
        src, events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
    )
    for event, element in events:
        tag = element.tag
        if event == "start":
            if tag == ROW_TAG:
                number = int(float(element.get("r"))) if element.get("r") else number + 1
                cells, count, column = [], 0, 0
            elif tag == CELL_TAG:
                in_cell = True
            continue
        if tag == CELL_TAG:
            in_cell = False
            count += 1
            if count > MAX_CELLS_IN_ROW:
                raise ValueError("too many cells in a row")
            coordinate = element.get("r")
            column = coordinate_to_tuple(coordinate)[1] if coordinate else column + 1
            if column > max_cols:
                if len(element):  # holds a value, an inline string or a formula
                    raise _TooWide(number)
            else:
                cell_parser.row_counter, cell_parser.col_counter = number, column - 1
                cell = cell_parser.parse_cell(element)
                cell["row"], cell["column"] = number, column
                value = cell["value"]
                if value is None and element.find(FORMULA_TAG) is not None:
                    cell["value"] = FORMULA_NO_VALUE
                elif isinstance(value, str) and len(value) > max_chars:
                    cell["value"] = TOO_LONG
                cells.append(cell)
        elif in_cell:
            continue  # <v>, <f>, <is>: read when their cell ends
        elif tag == ROW_TAG:
            yield number, cells
        _drop(element)


class _TooWide(Exception):
    def __init__(self, row: int):
        self.row = row


@dataclass
class SheetRows:
    """A sheet read by GuardedWorkbook.rows: contiguous rows from row 1 (gaps filled with empty rows,
    trailing empty rows dropped), and the cells that cannot be used, as row errors (their value in
    `rows` is None)."""

    rows: list[tuple] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)


class GuardedWorkbook:
    """An uploaded workbook read without trusting it: the zip is checked before anything is parsed,
    rows are streamed without the sheet's <dimension> (which may claim a million rows), reading
    stops at `max_rows` data rows and at the template's width, long text and formulas without a
    cached value are row problems. Every refusal is an UploadRejected with a Chinese message."""

    def __init__(self, source, *, max_rows: int):
        self.max_rows = max_rows
        data = _read_bytes(source)
        _check_zip(data)
        try:
            self._book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged or disguised file
            raise UploadRejected(UNREADABLE) from exc

    @property
    def sheetnames(self) -> list[str]:
        return self._book.sheetnames

    def close(self) -> None:
        self._book.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def rows(self, sheet: str | int = 0, *, columns: int, cells: bool = False, sheet_label: str = "") -> SheetRows:
        """The sheet's rows, each a tuple of at most `columns` + EXTRA_COLUMNS values (or, with
        `cells`, read-only cells with .value and .number_format)."""
        ws = self._book.worksheets[sheet] if isinstance(sheet, int) else self._book[sheet]
        max_cols = columns + EXTRA_COLUMNS
        max_chars = settings.UPLOAD_MAX_CELL_CHARS
        result = SheetRows()
        book = self._book
        cell_parser = WorkSheetParser(
            None,
            ws._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        try:
            with ws._get_source() as src:
                data_rows = 0
                for elements, (number, row) in enumerate(
                    _sheet_rows(src, cell_parser, max_cols=max_cols, max_chars=max_chars), start=1
                ):
                    if elements > ROW_ELEMENTS_PER_ROW * self.max_rows + 1:
                        raise UploadRejected(TOO_MANY_ROWS.format(limit=self.max_rows))
                    if not row or all(is_blank(c["value"]) for c in row):
                        continue
                    data_rows += 1
                    # A row past the limit is refused before the gap up to it is filled; blank rows
                    # between data rows are allowed, within bounds.
                    if data_rows > self.max_rows + 1 or number > 2 * self.max_rows + 1:
                        raise UploadRejected(TOO_MANY_ROWS.format(limit=self.max_rows))
                    if number <= len(result.rows):
                        raise UploadRejected(UNREADABLE)  # rows out of order: not written by a spreadsheet
                    while len(result.rows) < number - 1:
                        result.rows.append(())
                    values: list = [None] * max(c["column"] for c in row)
                    for c in row:
                        value = c["value"]
                        if value is FORMULA_NO_VALUE or value is TOO_LONG:
                            message = (
                                FORMULA_WITHOUT_VALUE
                                if value is FORMULA_NO_VALUE
                                else TEXT_TOO_LONG.format(limit=max_chars)
                            )
                            result.problems.append(
                                RowError(number, get_column_letter(c["column"]), message, sheet_label)
                            )
                            value = c["value"] = None
                        values[c["column"] - 1] = ReadOnlyCell(ws, **c) if cells else value
                    if cells:
                        values = [v if v is not None else EMPTY_CELL for v in values]
                    result.rows.append(tuple(values))
        except _TooWide as exc:
            raise UploadRejected(TOO_WIDE.format(row=exc.row, limit=columns)) from None
        except UploadRejected:
            raise
        except Exception as exc:  # malformed XML, a bad shared-string index, a bad coordinate
            raise UploadRejected(UNREADABLE) from exc
        return result


def open_workbook(source, *, max_rows: int | None = None) -> GuardedWorkbook:
    """The uploaded workbook behind the guards of GuardedWorkbook (bytes, a path or a file);
    UploadRejected when it is refused. The caller closes it."""
    return GuardedWorkbook(source, max_rows=settings.UPLOAD_MAX_ROWS if max_rows is None else max_rows)


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class UploadStash:
    """Uploaded files kept between the preview and the confirmation, each under a random token that
    only the uploading session is told. They live in the database (loudi_portal.UploadPreview), so
    the confirmation may reach another app server than the preview. A file never confirmed expires
    after `max_age` seconds.
    """

    def __init__(self, kind: str, *, max_age: int = 24 * 60 * 60):
        self.kind = kind
        self.max_age = max_age

    def put(self, content: bytes) -> str:
        from .models import UploadPreview

        now = clock.now()
        upload_previews_purge(now=now)
        token = secrets.token_urlsafe(24)
        UploadPreview.objects.create(
            token=token, kind=self.kind, content=content, expires_at=now + timedelta(seconds=self.max_age)
        )
        return token

    def read(self, token: str) -> bytes | None:
        from .models import UploadPreview

        if not _TOKEN.match(token or ""):
            return None
        content = (
            UploadPreview.objects.filter(token=token, kind=self.kind, expires_at__gt=clock.now())
            .values_list("content", flat=True)
            .first()
        )
        return bytes(content) if content is not None else None

    def drop(self, token: str) -> None:
        from .models import UploadPreview

        UploadPreview.objects.filter(token=token, kind=self.kind).delete()


def upload_previews_purge(*, now=None) -> int:
    """Delete every upload preview past its expiry; return how many."""
    from .models import UploadPreview

    deleted, _ = UploadPreview.objects.filter(expires_at__lte=now or clock.now()).delete()
    return deleted
