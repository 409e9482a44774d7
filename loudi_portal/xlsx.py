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
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

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
UNREADABLE = "无法读取该文件:它不是 xlsx 格式的 Excel 文件,或已损坏。"


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


def open_workbook(source):
    """The workbook (read-only, cached values rather than formulas) from bytes, a path or a file;
    UploadRejected when openpyxl cannot read it. The caller closes it."""
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    try:
        return load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or disguised file
        raise UploadRejected(UNREADABLE) from exc


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class UploadStash:
    """Uploaded files kept between the preview and the confirmation, each under a random token that
    only the uploading session is told. Files never confirmed are removed after `max_age` seconds.

    `folder` is called each time, so a setting (MEDIA_ROOT) or a module attribute changed in a
    test is honoured.
    """

    def __init__(self, folder: Callable[[], Path], *, max_age: int = 24 * 60 * 60):
        self.folder = folder
        self.max_age = max_age

    def _path(self, token: str) -> Path | None:
        return self.folder() / f"{token}.xlsx" if _TOKEN.match(token or "") else None

    def put(self, content: bytes) -> str:
        folder = self.folder()
        folder.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - self.max_age
        for old in folder.glob("*.xlsx"):
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        token = secrets.token_urlsafe(24)
        (folder / f"{token}.xlsx").write_bytes(content)
        return token

    def read(self, token: str) -> bytes | None:
        path = self._path(token)
        return path.read_bytes() if path is not None and path.is_file() else None

    def drop(self, token: str) -> None:
        path = self._path(token)
        if path is not None:
            path.unlink(missing_ok=True)
