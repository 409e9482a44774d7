"""Income in Excel (openpyxl): the township template, and reading it back.

The upload page and `manage.py import_incomes` share `parse_income_workbook`: it lists every
error (row, column, reason in Chinese) and only returns rows to save when the whole file is valid.
Saving is `services.income_import`, in one transaction.
"""

from __future__ import annotations

import io
import re
import secrets
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .models import CONTRACTING_ABOLISHED_FROM, IncomeReport, IncomeStatus, Township, Village
from .scope import Scope
from .selectors import closed_years
from .services import (
    CENT,
    INCOME_AMOUNT_FIELDS,
    IncomeImportRow,
    income_clean_amounts,
    income_entry_refusal,
    income_row_unchanged,
)

CODE, NAME, YEAR, NOTE = "区划代码", "村(社区)", "年度", "备注"
AMOUNT_COLUMNS = {
    "经营收入": "operating_revenue",
    "发包及上交收入": "contracting_revenue",
    "投资收益": "investment_income",
    "补助收入": "subsidy_income",
    "其他收入": "other_income",
}
COLUMNS = (CODE, NAME, YEAR, *AMOUNT_COLUMNS, NOTE)
REQUIRED_COLUMNS = (CODE, YEAR, *AMOUNT_COLUMNS)
COLUMN_OF_FIELD = {f: c for c, f in AMOUNT_COLUMNS.items()}
MONEY_FORMAT = "#,##0.00"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTE_MAX = 2000


def _text(cell, value) -> None:
    """Write `value` as a text cell, never a formula, even when it starts with = + - @."""
    cell.value = "" if value is None else str(value)
    cell.data_type = "s"
    cell.number_format = "@"


def _normalise_header(value) -> str:
    return str(value).strip().replace("(", "(").replace(")", ")").replace(" ", "") if value is not None else ""


# --- template --------------------------------------------------------------------------------


def income_template(*, township: Township, year: int) -> bytes:
    """A workbook for one township and year: one row per village, pre-filled with saved figures."""
    villages = list(Village.objects.filter(township=township).order_by("code"))
    reports = {r.village_id: r for r in IncomeReport.objects.filter(village__township=township, year=year)}
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年收入"
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="F2DCDB")
    for col, title in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=col, value=title)
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(horizontal="center")
    for i, village in enumerate(villages, start=2):
        report = reports.get(village.pk)
        _text(ws.cell(row=i, column=1), village.code)
        _text(ws.cell(row=i, column=2), village.name)
        ws.cell(row=i, column=3, value=year).number_format = "0"
        for col, name in enumerate(AMOUNT_COLUMNS.values(), start=4):
            cell = ws.cell(row=i, column=col, value=getattr(report, name) if report else None)
            cell.number_format = MONEY_FORMAT
        _text(ws.cell(row=i, column=9), report.note if report else "")
    last = max(len(villages) + 1, 2)
    for col, width in zip(range(1, 10), (16, 22, 8, 16, 16, 16, 16, 16, 40), strict=True):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:I{last}"
    money = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    money.error, money.errorTitle = "收入金额应为不小于 0 的数字(元)。", "金额无效"
    money.add(f"D2:D{last}")
    money.add(f"F2:H{last}")
    ws.add_data_validation(money)
    if year < CONTRACTING_ABOLISHED_FROM:
        money.add(f"E2:E{last}")
    else:
        zero = DataValidation(type="decimal", operator="equal", formula1="0", allow_blank=True)
        zero.error, zero.errorTitle = f"{CONTRACTING_ABOLISHED_FROM} 年起发包及上交收入应为 0。", "科目已取消"
        zero.add(f"E2:E{last}")
        ws.add_data_validation(zero)

    notes = wb.create_sheet("填表说明")
    lines = [
        f"{township.county.name}{township.name} {year} 年村级集体经济收入填报模板",
        "1. 每行一个村(社区),按“区划代码”匹配,请勿修改区划代码;金额单位为元,保留两位小数。",
        "2. 总收入 = 经营收入 + 发包及上交收入 + 投资收益 + 补助收入 + 其他收入;经营性收入 = 前三项之和。二者由系统计算,无需填写。",
        f"3. {CONTRACTING_ABOLISHED_FROM} 年起发包及上交收入科目取消(财会〔2023〕14号),应填 0,原内容计入经营收入或投资收益。",
        "4. 五项金额均未填写的行不导入;已提交或已审核的村如数据未变化则跳过,如有变化须先由审核员退回。",
        "5. 总收入比上年增长超过 3 倍或降到 1/3 以下的,请在“备注”中说明原因,否则不能提交。",
        "6. 请勿增加或删除列;上传后先预览,所有行校验通过后才会一次性保存。",
    ]
    for i, line in enumerate(lines, start=1):
        _text(notes.cell(row=i, column=1), line)
    notes.column_dimensions["A"].width = 110
    notes["A1"].font = Font(bold=True, size=13)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def income_template_filename(*, township: Township, year: int) -> str:
    return f"收入填报模板_{township.code}_{township.name}_{year}.xlsx"


# --- upload ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet row (1 is the header); 0 for the file itself
    column: str
    message: str

    def __str__(self) -> str:
        where = "文件" if self.row == 0 else f"第 {self.row} 行"
        return f"{where}{f' [{self.column}]' if self.column else ''}:{self.message}"


@dataclass
class ParsedIncomes:
    rows: list[IncomeImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)  # every filled row, valid or not
    skipped: int = 0  # rows with no figure at all (the template's untouched rows)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def versions(self) -> dict[str, int | None]:
        """What the rows were validated against, to detect a change before the save."""
        return {f"{r.village_id}:{r.year}": r.version for r in self.rows}

    def counts(self) -> dict[str, int]:
        keys = {"新增": "created", "更新": "updated", "不变": "unchanged"}
        result = dict.fromkeys(keys.values(), 0)
        for item in self.preview:
            if item.get("action") in keys:
                result[keys[item["action"]]] += 1
        return result


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _code_of(value) -> str | None:
    """区划代码 typed as text or as a number (Excel may store it as 431302001001.0)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not value.is_integer():
            return None
        text = str(int(value))
    elif isinstance(value, str):
        text = value.strip().lstrip("'")
    else:
        return None
    return text if re.fullmatch(r"\d{12}", text) else None


def _year_of(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if number != number.to_integral_value() or not 2000 <= number <= 2100:
        return None
    return int(number)


def _amount_of(value):
    """A cell's amount for income_clean_amounts: floats lose their binary noise first."""
    if isinstance(value, bool) or hasattr(value, "year"):  # TRUE/FALSE, dates: not amounts
        return str(value)
    if isinstance(value, float):
        exact = Decimal(repr(value))
        rounded = exact.quantize(CENT)
        return rounded if abs(exact - rounded) < Decimal("0.000001") else exact
    return value


def _file_error(message: str) -> ParsedIncomes:
    return ParsedIncomes(errors=[RowError(0, "", message)])


def parse_income_workbook(
    *, content: bytes, filename: str, scope: Scope | None, approve: bool = False
) -> ParsedIncomes:
    """Validate an income workbook and return its rows; any error leaves `rows` unusable.

    `scope` is the uploading user's (a clerk may only touch the villages of the township, and
    only drafts); None is the operator's command, which with `approve` may overwrite any report
    of an open year.
    """
    limit = settings.UPLOAD_MAX_BYTES
    if len(content) > limit:
        return _file_error(f"文件超过 {limit / (1024 * 1024):g} MB,请拆分后上传。")
    if not filename.lower().endswith(".xlsx") or not zipfile.is_zipfile(io.BytesIO(content)):
        return _file_error("不是 xlsx 格式的 Excel 文件,请使用下载的模板(.xlsx)填写后上传。")
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged or foreign zip
        return _file_error("无法读取该 Excel 文件,文件可能已损坏或不是 xlsx 格式。")
    try:
        return _parse_sheet(wb.worksheets[0], scope=scope, approve=approve)
    finally:
        wb.close()


def _parse_sheet(ws, *, scope: Scope | None, approve: bool) -> ParsedIncomes:
    result = ParsedIncomes()
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    columns: dict[str, int] = {}
    for index, raw in enumerate(header):
        title = _normalise_header(raw)
        letter = get_column_letter(index + 1)
        if not title:
            continue
        if title not in COLUMNS:
            result.errors.append(RowError(1, letter, f"未知列“{raw}”,模板只有这些列:{'、'.join(COLUMNS)}。"))
        elif title in columns:
            result.errors.append(RowError(1, letter, f"列“{title}”重复。"))
        else:
            columns[title] = index
    for title in REQUIRED_COLUMNS:
        if title not in columns:
            result.errors.append(RowError(1, title, f"缺少列“{title}”。"))
    if result.errors:
        return result

    def cell(values, title):
        index = columns.get(title)
        return values[index] if index is not None and index < len(values) else None

    raw_rows = []
    for number, values in enumerate(rows, start=2):
        if all(_is_blank(v) for v in values):
            continue
        raw_rows.append((number, values))

    codes = {_code_of(cell(values, CODE)) for _, values in raw_rows} - {None}
    villages = {v.code: v for v in Village.objects.select_related("township__county").filter(code__in=codes)}
    years = {_year_of(cell(values, YEAR)) for _, values in raw_rows} - {None}
    report_qs = IncomeReport.objects.filter(village__in=villages.values(), year__in=years)
    if scope is not None:
        # Reports outside the user's scope stay unseen: those rows are refused on scope alone.
        report_qs = scope.filter(report_qs)
    reports = {(r.village_id, r.year): r for r in report_qs}
    closed = closed_years()
    seen: dict[tuple[str, int], int] = {}

    for number, values in raw_rows:
        amounts_raw = {f: cell(values, c) for c, f in AMOUNT_COLUMNS.items()}
        note_raw = cell(values, NOTE)
        if all(_is_blank(v) for v in amounts_raw.values()) and _is_blank(note_raw):
            result.skipped += 1
            continue
        errors: list[RowError] = []
        raw_code = cell(values, CODE)
        code = _code_of(raw_code)
        village = villages.get(code) if code else None
        if code is None:
            errors.append(RowError(number, CODE, f"区划代码应为 12 位数字,不能是“{raw_code or ''}”。"))
        elif village is None:
            errors.append(RowError(number, CODE, f"区划代码 {code} 不存在。"))
        raw_year = cell(values, YEAR)
        year = _year_of(raw_year)
        if year is None:
            errors.append(RowError(number, YEAR, f"年度应为 4 位年份,不能是“{raw_year or ''}”。"))
        name = cell(values, NAME)
        visible = village is not None and (scope is None or scope.covers_village(village))
        if visible and not _is_blank(name) and str(name).strip() != village.name:
            errors.append(RowError(number, NAME, f"村名“{name}”与区划代码不符(系统中为“{village.name}”)。"))
        cleaned, problems = income_clean_amounts(
            year=year or 0, data={f: _amount_of(v) for f, v in amounts_raw.items()}
        )
        for f, message in problems.items():
            errors.append(RowError(number, COLUMN_OF_FIELD[f], message))
        note = "" if note_raw is None else str(note_raw).strip()
        if len(note) > NOTE_MAX:
            errors.append(RowError(number, NOTE, f"备注不能超过 {NOTE_MAX} 字。"))
        report = None
        if code and year:
            first = seen.get((code, year))
            if first:
                errors.append(RowError(number, CODE, f"与第 {first} 行重复({code},{year} 年)。"))
            else:
                seen[(code, year)] = number
        if village is not None and year is not None:
            report = reports.get((village.pk, year))
            if not problems and not income_row_unchanged(report=report, amounts=cleaned, note=note, approve=approve):
                refusal = income_entry_refusal(
                    scope=scope, village=village, year=year, report=report, approve=approve, closed=closed
                )
                if refusal:
                    errors.append(RowError(number, CODE, refusal))
        action = ""
        if not errors:
            if income_row_unchanged(report=report, amounts=cleaned, note=note, approve=approve):
                action = "不变"
            else:
                action = "更新" if report else "新增"
            result.rows.append(
                IncomeImportRow(
                    row=number,
                    village_id=village.pk,
                    year=year,
                    amounts=cleaned,
                    note=note,
                    report_id=report.pk if report else None,
                    version=report.version if report else None,
                )
            )
        result.errors.extend(errors)
        result.preview.append(
            {
                "row": number,
                "code": code or (str(raw_code) if raw_code is not None else ""),
                "name": village.name if village and visible else (name or ""),
                "year": year,
                "amounts": [cleaned.get(f) for f in INCOME_AMOUNT_FIELDS],
                "total": sum(cleaned.values(), Decimal(0)) if not problems else None,
                "status": IncomeStatus(report.status).label if report else "",
                "action": action,
                "errors": [e.message for e in errors],
            }
        )
    if not result.preview and not result.errors:
        result.errors.append(RowError(0, "", "文件中没有填写任何收入数据。"))
    return result


# --- the uploaded file between preview and confirm --------------------------------------------

STASH_DIR = Path(tempfile.gettempdir()) / "loudi-income-uploads"
STASH_MAX_AGE = 24 * 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def stash_upload(content: bytes) -> str:
    """Keep an uploaded file until the user confirms it; returns the token naming it."""
    STASH_DIR.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STASH_MAX_AGE
    for old in STASH_DIR.glob("*.xlsx"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (STASH_DIR / f"{token}.xlsx").write_bytes(content)
    return token


def stashed_upload(token: str) -> bytes | None:
    if not _TOKEN.match(token or ""):
        return None
    path = STASH_DIR / f"{token}.xlsx"
    return path.read_bytes() if path.is_file() else None


def drop_upload(token: str) -> None:
    if _TOKEN.match(token or ""):
        (STASH_DIR / f"{token}.xlsx").unlink(missing_ok=True)
