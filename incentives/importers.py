"""Reading a targets sheet (目标任务分解表) from Excel: every error is listed, nothing is half-read.

Columns: 区划代码, 名称, 10万元以上村占比(%), 50万元以上村数, 100万元以上村数. The city's row (its code, settings.PORTAL_CITY_CODE) is the
city, the others the counties; every county must have its row. A county's share may be left blank
to follow the city's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from loudi_portal import xlsx
from villages.city import city_name
from villages.models import County

from .rules import CITY_CODE

COLUMNS = ("区划代码", "名称", "10万元以上村占比(%)", "50万元以上村数", "100万元以上村数")
# The city and its counties take a handful of rows; a longer file is not a targets sheet.
MAX_ROWS = 100


@dataclass
class TargetsSheet:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


def _count(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def _percent(value, number_format: str) -> Decimal | None:
    """A percentage typed as 60, "60", "60%", or a cell formatted as a percentage (0.6 shown as 60%)."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            number = Decimal(str(value))
            if "%" in (number_format or ""):
                number *= 100
        else:
            text = str(value).strip()
            number = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0 or number > 100:
        return None
    return number


def read_targets_sheet(path_or_file, *, name: str | None = None, size: int | None = None) -> TargetsSheet:
    """Parse and check a targets workbook. `name`/`size` describe an upload (default: the path's)."""
    sheet = TargetsSheet()
    if isinstance(path_or_file, str | Path):
        path = Path(path_or_file)
        name = name or path.name
        if not path.is_file():
            sheet.errors.append(f"找不到文件:{path}")
            return sheet
        size = path.stat().st_size if size is None else size
    try:
        xlsx.check_upload(name=name, size=size)
        with xlsx.open_workbook(path_or_file, max_rows=MAX_ROWS) as workbook:
            read = workbook.rows(0, columns=len(COLUMNS), cells=True)
    except xlsx.UploadRejected as exc:
        sheet.errors.append(str(exc))
        return sheet
    sheet.errors += [str(problem) for problem in read.problems]
    _read_rows(read.rows, sheet)
    return sheet


def _read_rows(read_rows: list[tuple], sheet: TargetsSheet) -> None:
    counties = dict(County.objects.values_list("code", "name"))
    names = {CITY_CODE: city_name(), **counties}
    rows = iter(read_rows)
    header = None
    header_row = 0
    for row in rows:
        header_row += 1
        if not xlsx.row_is_blank(cell.value for cell in row):
            header = [xlsx.normalise_header(cell.value) for cell in row]
            break
    if header is None:
        sheet.errors.append("工作表是空的。")
        return
    while header and header[-1] == "":
        header.pop()
    unknown = [h or "(空白列名)" for h in header if h not in COLUMNS]
    missing = [c for c in COLUMNS if c not in header]
    if unknown:
        sheet.errors.append(f"第 {header_row} 行:未知的列 {'、'.join(unknown)}。")
    if missing:
        sheet.errors.append(f"第 {header_row} 行:缺少列 {'、'.join(missing)}。")
    if unknown or missing:
        return
    index = {h: header.index(h) for h in COLUMNS}
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=header_row + 1):
        cells = list(row) + [None] * len(header)
        by_column = {column: cells[index[column]] for column in COLUMNS}
        values = {column: getattr(c, "value", None) for column, c in by_column.items()}

        if xlsx.row_is_blank(values.values()):
            continue
        errors_before = len(sheet.errors)
        code = xlsx.division_code(values["区划代码"], length=6)
        if code is None:
            sheet.errors.append(f"第 {number} 行「区划代码」:应为 6 位数字,实际为「{values['区划代码'] or ''}」。")
        elif code not in names:
            sheet.errors.append(f"第 {number} 行「区划代码」:{code} 不是{city_name()}或其县市区的代码。")
        elif code in seen:
            sheet.errors.append(f"第 {number} 行「区划代码」:{code} 与第 {seen[code]} 行重复。")
        else:
            seen[code] = number
            typed = str(values["名称"] or "").strip()
            if typed and typed != names[code]:
                sheet.errors.append(f"第 {number} 行「名称」:{code} 应为「{names[code]}」,实际为「{typed}」。")
        raw_share = values["10万元以上村占比(%)"]
        percent = None
        if raw_share in (None, ""):
            if code == CITY_CODE:
                sheet.errors.append(f"第 {number} 行「10万元以上村占比(%)」:市级占比不能为空。")
        else:
            percent = _percent(raw_share, getattr(by_column["10万元以上村占比(%)"], "number_format", ""))
            if percent is None:
                sheet.errors.append(
                    f"第 {number} 行「10万元以上村占比(%)」:应为 0 到 100 之间的数,实际为「{raw_share}」。"
                )
        counts = {}
        for column, key in (("50万元以上村数", "count_500k"), ("100万元以上村数", "count_1m")):
            raw = values[column]
            counts[key] = _count(raw) if raw not in (None, "") else None
            if counts[key] is None:
                sheet.errors.append(
                    f"第 {number} 行「{column}」:应为不小于 0 的整数,实际为「{raw if raw is not None else ''}」。"
                )
        if len(sheet.errors) == errors_before:
            sheet.rows.append(
                {
                    "row": number,
                    "code": code,
                    "name": names[code],
                    "share_required": (percent / 100).quantize(Decimal("0.0001")) if percent is not None else None,
                    **counts,
                }
            )
    for code, name in sorted(names.items()):
        if code not in seen:
            sheet.errors.append(f"缺少 {name}({code})的行。")
    if sheet.errors:
        sheet.rows = []
