"""The acceptance workbook (验收工作簿), written with openpyxl in write-only mode.

Write-only mode streams each sheet to a temporary file row by row, so a year of 2,107 villages (or
many more) never sits in memory as a workbook. Every figure comes from the run's stored results and
village rows: the workbook shows exactly what the screen shows.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from loudi_portal.xlsx import FORMULA_STARTS, HEADER_FONT, MONEY_FORMAT, TEXT_FORMAT, header_cells, write_text
from villages.city import city_name
from villages.scope import Scope
from villages.selectors import TIER_MILLION_FROM

from . import selectors
from .models import VILLAGE_RESULT_FIELDS, AcceptanceRun
from .rules import TARGET_KEYS, TARGET_LABELS, UnitTargets, as_percent, check_targets, ratio_label

SHEETS = ("汇总", "县市区达标情况", "村级明细", "薄弱村名单", "奖补测算")
PERCENT = "0.00%"
TITLE_FONT = Font(bold=True, size=14)
NUMBER_FORMATS = {"code": TEXT_FORMAT, "money": MONEY_FORMAT, "percent": PERCENT}


class Sheet:
    """One write-only sheet: a title block, a header row (frozen, filtered) and typed columns.

    openpyxl's write-only sheet turns each appended row into cells and writes each cell as soon as
    it is made, before making the next. The village rows are written through that: one reusable
    cell per kind of column, the styled ones (code as text, money, percent) with their style
    registered once, each given its value, row and column in turn. No cell, style or exception per
    value (openpyxl's own conversion makes a cell per styled value and raises and formats an error
    for each cell it is given); a text that could be read as a formula gets a cell of its own."""

    def __init__(self, workbook: Workbook, title: str, columns: list[tuple[str, str, int]], heading: list[str]):
        self.ws = workbook.create_sheet(title)
        self.columns = columns
        self.kinds = [kind for _, kind, _ in columns]
        self._cells = {kind: _KindCell(self.ws, NUMBER_FORMATS.get(kind)) for kind in set(self.kinds)}
        # Widths and the frozen pane must be set before the first row is written.
        header = header_cells(self.ws, [(label, width) for label, _, width in columns])
        self.header_row = len(heading) + 1
        self.ws.freeze_panes = f"A{self.header_row + 1}"
        for number, line in enumerate(heading):
            self.ws.append([self.cell(line, "text", font=TITLE_FONT if number == 0 else None)])
        self.ws.append(header)
        self.last_row = self.header_row

    def cell(self, value, kind: str, *, font=None) -> WriteOnlyCell:
        """A cell of its own (for a title, a total row in bold, or text that looks like a formula)."""
        value = _typed(value, kind)
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str):
            # Never a formula: a note like "=SUM(A1)" or "+86 …" stays the text it is.
            write_text(cell, value)
        if kind in NUMBER_FORMATS:
            cell.number_format = NUMBER_FORMATS[kind]
        if font is not None:
            cell.font = font
        return cell

    def _row_cells(self, values: list, row: int):
        """The cells of row `row`, made one at a time as openpyxl writes them."""
        for column, (value, kind) in enumerate(zip(values, self.kinds, strict=True), start=1):
            value = _typed(value, kind)
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                cell = self.cell(value, kind)
            else:
                cell = self._cells[kind]
                if value is None and cell.number_format_id is None:
                    continue  # an empty cell without a style is not written
                cell.value = value
            cell.row, cell.column = row, column
            yield cell

    def append(self, values: list, *, font=None) -> None:
        if font is not None:
            self.ws.append([self.cell(value, kind, font=font) for value, kind in zip(values, self.kinds, strict=True)])
        else:
            # The sheet turns the row into cells with this, as it writes it.
            self.ws._values_to_row = self._row_cells
            self.ws.append(values)
            del self.ws._values_to_row
        self.last_row += 1

    def close(self) -> None:
        self.ws.auto_filter.ref = f"A{self.header_row}:{get_column_letter(len(self.columns))}{self.last_row}"


class _KindCell(Cell):
    """A reusable write-only cell of one kind of column: its number format (or none) is set and
    registered with the workbook once, not looked up for every value written."""

    __slots__ = ("_style_id", "number_format_id")

    def __init__(self, ws, number_format: str | None):
        super().__init__(ws)
        self.number_format_id = self._style_id = None
        if number_format is not None:
            self.number_format = number_format
            self.number_format_id = self._style.numFmtId
            self._style_id = self.parent.parent._cell_styles.add(self._style)

    @property
    def style_id(self) -> int:
        return self._style_id


def _typed(value, kind: str):
    """Amounts and shares (stored as strings in the run's documents) as Decimal numbers."""
    if value is not None and kind in ("money", "percent") and not isinstance(value, Decimal):
        return Decimal(value)
    return value


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _passed(flag: bool) -> str:
    return "达标" if flag else "未达标"


def acceptance_workbook_write(*, run: AcceptanceRun, scope: Scope, output, progress=None) -> None:
    """Write the workbook of a done run, as much of it as `scope` may see, to a path or binary file.
    `progress(done, total)`, when given, hears how many village rows are written."""
    units = selectors.run_units(run=run, scope=scope)
    signoffs = selectors.run_signoffs(run=run)
    signed = "、".join(
        f"{s['label']}({timezone.localtime(s['signoff'].signed_at):%Y-%m-%d})" for s in signoffs if s["signoff"]
    )
    heading = [
        f"{city_name()} {run.year} 年度村级集体经济发展目标验收(第 {run.version} 版)",
        f"计算完成:{timezone.localtime(run.finished_at):%Y-%m-%d %H:%M};只计已审核的收入报告;联合验收:{signed or '尚未签署'}",
    ]
    workbook = Workbook(write_only=True)
    _summary(workbook, units, heading)
    _targets(workbook, units, heading)
    _villages(workbook, run, scope, heading, progress)
    _weak(workbook, run, scope, units, heading)
    _rewards(workbook, run, scope, heading)
    workbook.save(output)


def _summary(workbook, units, heading) -> None:
    sheet = Sheet(
        workbook,
        "汇总",
        [
            ("区划代码", "code", 10),
            ("单位", "text", 10),
            ("村(社区)数", "int", 9),
            ("已审核报告村数", "int", 10),
            ("无已审核报告村数", "int", 10),
            ("平均总收入(元)", "money", 14),
            ("上年平均总收入(元)", "money", 14),
            ("较上年增长", "percent", 10),
            ("清零线(元)", "money", 12),
            ("低于清零线村数", "int", 10),
            ("10万元以上村占比要求", "percent", 11),
            ("10万元以上村占比实际", "percent", 11),
            ("50万元以上村数要求", "int", 10),
            ("50万元以上村数实际", "int", 10),
            ("100万元以上村数要求", "int", 10),
            ("100万元以上村数实际", "int", 10),
            ("弱村", "int", 7),
            ("中间村", "int", 7),
            ("强村", "int", 7),
            ("其中百万村", "int", 8),
            ("验收结论", "text", 9),
            ("市级奖补(元)", "money", 15),
            ("县级配套(元)", "money", 15),
        ],
        heading,
    )
    for unit in units:
        d = unit["details"]
        t = unit["targets"]
        tiers = d.get("tiers", {})
        sheet.append(
            [
                unit["code"],
                unit["name"],
                unit["villages"],
                d.get("approved"),
                unit["unreported"],
                unit["average_total"],
                d.get("previous_average_total"),
                unit["average_total_growth"],
                d.get("targets", {}).get("clearing_threshold"),
                t["clearing"]["actual"],
                t["share_100k"]["required"],
                t["share_100k"]["actual"],
                t["count_500k"]["required"],
                t["count_500k"]["actual"],
                t["count_1m"]["required"],
                t["count_1m"]["actual"],
                tiers.get("weak"),
                tiers.get("middle"),
                tiers.get("strong"),
                tiers.get("million"),
                _passed(unit["passed"]),
                None if unit["is_city"] else unit["reward"],
                None if unit["is_city"] else unit["matching"],
            ]
        )
    sheet.close()


def _gap(unit: dict, key: str) -> str:
    """What is missing to pass, in words an official reads: check_targets' gap on the run's stored
    counts and targets (the rule itself, not a second computation)."""
    target = unit["targets"][key]
    if target["passed"]:
        return ""
    if key == "clearing":
        return f"{target['actual']} 个村(社区)低于清零线或无已审核报告"
    details = unit["details"]
    counts = details["counts"]
    gap = check_targets(
        villages=unit["villages"],
        clear=counts["clear"],
        share_count=counts["share"],
        count_500k=counts["count_500k"],
        count_1m=counts["count_1m"],
        targets=UnitTargets.from_json(details["targets"]),
    )[key]["gap"]
    return f"还差 {gap} 个村达到指标线" if key == "share_100k" else f"还差 {gap} 个村"


def _targets(workbook, units, heading) -> None:
    sheet = Sheet(
        workbook,
        "县市区达标情况",
        [
            ("区划代码", "code", 10),
            ("单位", "text", 10),
            ("指标", "text", 28),
            ("指标线(元)", "money", 14),
            ("要求", "text", 10),
            ("实际", "text", 10),
            ("是否达标", "text", 9),
            ("差距", "text", 34),
        ],
        heading,
    )
    for unit in units:
        lines = unit["details"].get("targets", {})
        line_of = {
            "clearing": lines.get("clearing_threshold"),
            "share_100k": lines.get("share_threshold"),
            "count_500k": lines.get("count_500k_threshold"),
            "count_1m": lines.get("count_1m_threshold"),
        }
        for key in TARGET_KEYS:
            target = unit["targets"][key]
            if key == "clearing":
                required, actual = "全部达标", f"{target['actual']} 个低于"
            elif key == "share_100k":
                required = f"{as_percent(target['required'])}%"
                actual = f"{as_percent(target['actual'])}%"
            else:
                required, actual = f"{target['required']} 个", f"{target['actual']} 个"
            sheet.append(
                [
                    unit["code"],
                    unit["name"],
                    TARGET_LABELS[key],
                    line_of[key],
                    required,
                    actual,
                    _yes(target["passed"]),
                    _gap(unit, key),
                ]
            )
        sheet.append([unit["code"], unit["name"], "综合结论", None, "", "", _yes(unit["passed"]), ""], font=HEADER_FONT)
    sheet.close()


VILLAGE_COLUMNS = [
    ("县市区代码", "code", 10),
    ("县市区", "text", 9),
    ("乡镇(街道)代码", "code", 11),
    ("乡镇(街道)", "text", 11),
    ("村(社区)代码", "code", 14),
    ("村(社区)", "text", 12),
    ("类型", "text", 6),
    ("报告状态", "text", 12),
    ("经营收入(元)", "money", 14),
    ("发包及上交收入(元)", "money", 14),
    ("投资收益(元)", "money", 14),
    ("补助收入(元)", "money", 14),
    ("其他收入(元)", "money", 14),
    ("总收入(元)", "money", 14),
    ("经营性收入(元)", "money", 14),
    ("档次", "text", 12),
    ("低于清零线", "text", 8),
    ("备注", "text", 30),
]


def _villages(workbook, run, scope, heading, progress=None) -> None:
    sheet = Sheet(workbook, "村级明细", VILLAGE_COLUMNS, heading)
    results = selectors.run_village_results(run=run, scope=scope)
    total = results.count() if progress else 0
    rows = results.values_list(*VILLAGE_RESULT_FIELDS)
    for number, row in enumerate(rows.iterator(chunk_size=2000), start=1):
        values = list(row)
        values[7] = "已审核" if row[7] else "无已审核报告"
        values[15] = _tier_label(row[15], row[14])
        values[16] = _yes(row[16])
        sheet.append(values)
        if progress:
            progress(number, total)
    sheet.close()


def _tier_label(tier: str, operating: Decimal | None) -> str:
    if operating is not None and operating >= TIER_MILLION_FROM:
        return f"{tier}(百万村)"
    return tier


def _weak(workbook, run, scope, units, heading) -> None:
    sheet = Sheet(
        workbook,
        "薄弱村名单",
        [
            ("县市区代码", "code", 10),
            ("县市区", "text", 9),
            ("乡镇(街道)代码", "code", 11),
            ("乡镇(街道)", "text", 11),
            ("村(社区)代码", "code", 14),
            ("村(社区)", "text", 12),
            ("原因", "text", 22),
            ("总收入(元)", "money", 14),
            ("清零线(元)", "money", 12),
            ("距清零线差额(元)", "money", 14),
            ("备注", "text", 30),
        ],
        heading,
    )
    lines = {u["code"]: Decimal(u["details"]["targets"]["clearing_threshold"]) for u in units if u["details"]}
    rows = selectors.run_below_clearing(run=run, scope=scope).values_list(
        "county_code",
        "county_name",
        "township_code",
        "township_name",
        "village_code",
        "village_name",
        "approved",
        "total_income",
        "note",
    )
    for county_code, county, town_code, town, code, name, approved, total, note in rows.iterator(chunk_size=2000):
        line = lines.get(county_code)
        sheet.append(
            [
                county_code,
                county,
                town_code,
                town,
                code,
                name,
                "总收入低于清零线" if approved else "无已审核的收入报告",
                total,
                line,
                (line - total) if approved and line is not None else line,
                note,
            ]
        )
    sheet.close()


def _rewards(workbook, run, scope, heading) -> None:
    info = run.details["rewards"]
    if scope.sees_city:
        policy = "按预算等比例缩减,向下取整到分" if info["policy"] == "scale" else "足额奖补,超出部分另行追加"
        heading = [
            *heading,
            f"市级奖补预算 {Decimal(info['budget']):,.2f} 元;达标县市区 {len(info['passed'])} 个,"
            f"按标准应奖 {Decimal(info['requested']):,.2f} 元;"
            + (f"超出预算,{policy}。" if info["over_budget"] else "未超出预算。"),
        ]
    sheet = Sheet(
        workbook,
        "奖补测算",
        [
            ("区划代码", "code", 10),
            ("县市区", "text", 10),
            ("验收结论", "text", 9),
            ("奖补标准(元)", "money", 15),
            ("市级奖补(元)", "money", 15),
            ("配套比例(市级:县级)", "text", 12),
            ("县级配套(元)", "money", 15),
            ("合计(元)", "money", 16),
        ],
        heading,
    )
    total_reward = total_matching = Decimal("0.00")
    for row in selectors.run_reward_rows(run=run, scope=scope):
        reward, matching = Decimal(row["reward"]), Decimal(row["matching"])
        total_reward += reward
        total_matching += matching
        sheet.append(
            [
                row["code"],
                row["name"],
                _passed(row["passed"]),
                info["award_per_county"] if row["passed"] else None,
                reward,
                ratio_label(info["matching_ratio"]),
                matching,
                reward + matching,
            ]
        )
    sheet.append(
        ["", "合计", "", None, total_reward, "", total_matching, total_reward + total_matching], font=HEADER_FONT
    )
    sheet.close()
