"""Income in Excel (openpyxl): the township template, and reading it back.

The upload page and `manage.py import_incomes` share `parse_income_workbook`: it lists every
error (row, column, reason in Chinese) and only returns rows to save when the whole file is valid.
Saving is `services.income_import`, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from loudi_portal import xlsx
from loudi_portal.xlsx import MONEY_FORMAT, RowError, is_blank

from .models import CONTRACTING_ABOLISHED_FROM, IncomeReport, IncomeStatus, Township, Village
from .scope import Scope
from .selectors import closed_years, period_states
from .services import (
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
COLUMN_WIDTHS = (16, 22, 8, 16, 16, 16, 16, 16, 40)
NOTE_MAX = 2000
NOT_XLSX = "文件“{name}”不是 xlsx 格式的 Excel 文件,请使用下载的模板(.xlsx)填写后上传。"


def _text(cell, value) -> None:
    # Every text cell of the template is formatted as Text, so what a clerk types there stays text.
    xlsx.write_text(cell, value, text_format=True)


# --- template --------------------------------------------------------------------------------


def income_template(*, township: Township, year: int) -> bytes:
    """A workbook for one township and year: one row per village, pre-filled with saved figures."""
    villages = list(Village.objects.filter(township=township).order_by("code"))
    reports = {r.village_id: r for r in IncomeReport.objects.filter(village__township=township, year=year)}
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年收入"
    xlsx.write_header(ws, list(zip(COLUMNS, COLUMN_WIDTHS, strict=True)))
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

    lines = [
        f"{township.county.name}{township.name} {year} 年村级集体经济收入填报模板",
        "1. 每行一个村(社区),按“区划代码”匹配,请勿修改区划代码;金额单位为元,保留两位小数。",
        "2. 总收入 = 经营收入 + 发包及上交收入 + 投资收益 + 补助收入 + 其他收入;经营性收入 = 前三项之和。二者由系统计算,无需填写。",
        f"3. {CONTRACTING_ABOLISHED_FROM} 年起发包及上交收入科目取消(财会〔2023〕14号),应填 0,原内容计入经营收入或投资收益。",
        "4. 五项金额均未填写的行不导入;只填了部分金额的行保存为草稿,未填的金额保持空白(提交前须填写,没有此项收入请填 0);"
        "已提交或已审核的村如数据未变化则跳过,如有变化须先由审核员退回。",
        "5. 总收入比上年增长超过 3 倍或降到 1/3 以下的,请在“备注”中说明原因,否则不能提交。",
        "6. 请勿增加或删除列;上传后先预览,所有行校验通过后才会一次性保存。",
    ]
    notes = xlsx.add_notes_sheet(wb, "填表说明", lines, width=110)
    notes["A1"].font = Font(bold=True, size=13)
    return xlsx.workbook_bytes(wb)


def income_template_filename(*, township: Township, year: int) -> str:
    return f"收入填报模板_{township.code}_{township.name}_{year}.xlsx"


# --- upload ------------------------------------------------------------------------------------


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
    try:
        xlsx.check_upload(name=filename, size=len(content), not_xlsx=NOT_XLSX)
        with xlsx.open_workbook(content, max_rows=xlsx.max_rows_for(scope)) as wb:
            sheet = wb.rows(0, columns=len(COLUMNS))
    except xlsx.UploadRejected as exc:
        return _file_error(str(exc))
    return _parse_sheet(sheet, scope=scope, approve=approve)


def _parse_sheet(sheet: xlsx.SheetRows, *, scope: Scope | None, approve: bool) -> ParsedIncomes:
    result = ParsedIncomes()
    rows = iter(sheet.rows)
    header = xlsx.read_header(next(rows, None), known=COLUMNS, required=REQUIRED_COLUMNS)
    result.errors += [
        RowError(1, letter, f"未知列“{title}”,模板只有这些列:{'、'.join(COLUMNS)}。")
        for letter, title in header.unknown
    ]
    result.errors += [RowError(1, letter, f"列“{title}”重复。") for letter, title in header.repeated]
    result.errors += [RowError(1, title, f"缺少列“{title}”。") for title in header.missing]
    if result.errors:
        result.errors += sheet.problems
        return result
    columns = header.index

    def cell(values, title):
        index = columns.get(title)
        return values[index] if index is not None and index < len(values) else None

    raw_rows = [(number, values) for number, values in enumerate(rows, start=2) if not xlsx.row_is_blank(values)]

    codes = {xlsx.division_code(cell(values, CODE)) for _, values in raw_rows} - {None}
    villages = {v.code: v for v in Village.objects.select_related("township__county").filter(code__in=codes)}
    years = {_year_of(cell(values, YEAR)) for _, values in raw_rows} - {None}
    report_qs = IncomeReport.objects.filter(village__in=villages.values(), year__in=years)
    if scope is not None:
        # Reports outside the user's scope stay unseen: those rows are refused on scope alone.
        report_qs = scope.filter(report_qs)
    reports = {(r.village_id, r.year): r for r in report_qs}
    closed = closed_years()
    states = period_states()
    seen: dict[tuple[str, int], int] = {}

    for number, values in raw_rows:
        amounts_raw = {f: cell(values, c) for c, f in AMOUNT_COLUMNS.items()}
        note_raw = cell(values, NOTE)
        if all(is_blank(v) for v in amounts_raw.values()) and is_blank(note_raw):
            result.skipped += 1
            continue
        errors: list[RowError] = []
        raw_code = cell(values, CODE)
        code = xlsx.division_code(raw_code)
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
        if visible and not is_blank(name) and str(name).strip() != village.name:
            errors.append(RowError(number, NAME, f"村名“{name}”与区划代码不符(系统中为“{village.name}”)。"))
        # A clerk's upload saves drafts, which may keep a blank; rows imported as approved may not.
        cleaned, problems = income_clean_amounts(year=year or 0, data=amounts_raw, submit=approve)
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
                    scope=scope,
                    village=village,
                    year=year,
                    report=report,
                    approve=approve,
                    closed=closed,
                    states=states,
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
                # 总收入 as the database will compute it: none while an amount is blank or wrong.
                "total": None if problems or None in cleaned.values() else sum(cleaned.values(), Decimal(0)),
                "status": IncomeStatus(report.status).label if report else "",
                "action": action,
                "errors": [e.message for e in errors],
            }
        )
    # Cells the reader could not use (a formula never computed, over-long text) are row errors
    # even when the rest of the row is blank.
    result.errors = sorted(result.errors + sheet.problems, key=lambda e: e.row)
    if not result.preview and not result.errors:
        result.errors.append(RowError(0, "", "文件中没有填写任何收入数据。"))
    return result


# --- the uploaded file between preview and confirm --------------------------------------------

STASH = xlsx.UploadStash("income")
