"""The organisation app in Excel: team and student ledgers, and the assessment sheet (write-only
workbooks in the acceptance workbook's style: a title block, a frozen and filtered header, typed
columns). Every figure is the stored one; a phone number is shown as the page shows it."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from loudi_portal.xlsx import TEXT_FORMAT, header_cells, workbook_bytes, write_text
from villages.scope import Scope

from . import selectors
from .assessment import INDICATORS
from .models import AssessmentRun

TITLE_FONT = Font(bold=True, size=14)
SCORE_FORMAT = "0.00"


class Sheet:
    def __init__(self, workbook: Workbook, title: str, columns: list[tuple[str, str, int]], heading: list[str]):
        self.ws = workbook.create_sheet(title)
        self.columns = columns
        header = header_cells(self.ws, [(label, width) for label, _, width in columns])
        self.header_row = len(heading) + 1
        self.ws.freeze_panes = f"A{self.header_row + 1}"
        for number, line in enumerate(heading):
            self.ws.append([self.cell(line, "text", font=TITLE_FONT if number == 0 else None)])
        self.ws.append(header)
        self.last_row = self.header_row

    def cell(self, value, kind: str, *, font=None) -> WriteOnlyCell:
        if value is not None and kind == "score":
            value = Decimal(value)
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str):
            write_text(cell, value)  # never a formula
        if kind == "code":
            cell.number_format = TEXT_FORMAT
        elif kind == "score":
            cell.number_format = SCORE_FORMAT
        if font is not None:
            cell.font = font
        return cell

    def append(self, values: list) -> None:
        self.ws.append([self.cell(v, kind) for v, (_, kind, _) in zip(values, self.columns, strict=True)])
        self.last_row += 1

    def close(self) -> None:
        self.ws.auto_filter.ref = f"A{self.header_row}:{get_column_letter(len(self.columns))}{self.last_row}"


def _heading(title: str, scope: Scope) -> list[str]:
    return [title, f"范围:{scope.name}    导出时间:{timezone.localtime():%Y-%m-%d %H:%M}"]


TEAM_COLUMNS = [
    ("工作队编号", "code", 14),
    ("工作队名称", "text", 30),
    ("派出单位", "text", 24),
    ("县市区", "text", 10),
    ("乡镇(街道)", "text", 14),
    ("驻点村代码", "code", 16),
    ("驻点村", "text", 14),
    ("轮次", "int", 6),
    ("到岗日期", "text", 12),
    ("姓名", "text", 10),
    ("职务", "text", 10),
    ("所在单位及职务", "text", 28),
    ("联系电话", "code", 14),
]


def team_workbook(teams, *, scope: Scope) -> bytes:
    """One row per member of each team's current term (a team without one gets a row of its own)."""
    wb = Workbook(write_only=True)
    sheet = Sheet(wb, "驻村工作队", TEAM_COLUMNS, _heading("驻村工作队在岗队员名册", scope))
    for team in teams:
        village = team.village
        base = [
            team.code,
            team.name,
            team.dispatching_unit,
            village.township.county.name,
            village.township.name,
            village.code,
            village.name,
        ]
        terms = team.current_terms
        if not terms:
            sheet.append([*base, None, "", "", "", "", ""])
            continue
        term = terms[0]
        for m in term.members.all():
            phone = selectors.phone_shown(scope=scope, phone=m.phone, county_id=village.township.county_id)
            sheet.append(
                [*base, term.number, f"{term.started_on:%Y-%m-%d}", m.name, m.get_role_display(), m.unit, phone]
            )
    sheet.close()
    return workbook_bytes(wb)


STUDENT_COLUMNS = [
    ("姓名", "text", 10),
    ("县市区", "text", 10),
    ("定向乡镇代码", "code", 12),
    ("定向乡镇", "text", 14),
    ("入学年份", "int", 8),
    ("专业", "text", 20),
    ("毕业年份", "int", 8),
    ("分配到村代码", "code", 16),
    ("分配到村", "text", 14),
    ("在岗状态", "text", 8),
    ("联系电话", "code", 14),
]


def student_workbook(students, *, scope: Scope) -> bytes:
    wb = Workbook(write_only=True)
    sheet = Sheet(wb, "定向培养生", STUDENT_COLUMNS, _heading("村干部定向培养生名册", scope))
    for s in students.iterator(chunk_size=2000):
        phone = selectors.phone_shown(scope=scope, phone=s.phone, county_id=s.township.county_id)
        sheet.append(
            [
                s.name,
                s.township.county.name,
                s.township.code,
                s.township.name,
                s.enrolled_year,
                s.major,
                s.graduated_year,
                s.village.code if s.village else "",
                s.village.name if s.village else "",
                s.get_status_display(),
                phone,
            ]
        )
    sheet.close()
    return workbook_bytes(wb)


def assessment_workbook(*, run: AssessmentRun, scores, scope: Scope) -> bytes:
    """The sheet of one run: subjects with each indicator (%) and the score; the weights on a second sheet."""
    wb = Workbook(write_only=True)
    columns = [
        ("考核对象编码", "code", 14),
        ("考核对象", "text", 28),
        ("县市区", "text", 10),
        ("乡镇(街道)", "text", 14),
        ("涉及村数", "int", 8),
    ]
    columns += [(f"{label}(%)", "score", 12) for label in INDICATORS.values()]
    columns += [("集体经济指标得分", "score", 12)]
    heading = [
        f"{run.year}年{run.get_kind_display()} · 村级集体经济指标",
        f"权重第 {run.rule.version} 版 · 计算于 {timezone.localtime(run.computed_at):%Y-%m-%d %H:%M}    范围:{scope.name}",
    ]
    sheet = Sheet(wb, "考核得分", columns, heading)
    for s in scores:
        values = [s.indicators.get(k) for k in INDICATORS]
        sheet.append(
            [
                s.subject_code,
                s.subject_name,
                s.county.name,
                s.township.name if s.township else "",
                s.village_count,
                *values,
                s.score,
            ]
        )
    sheet.close()
    weights = Sheet(
        wb, "指标权重", [("指标", "text", 20), ("权重", "score", 10)], [f"权重第 {run.rule.version} 版", run.rule.note]
    )
    for key, label in INDICATORS.items():
        weights.append([label, run.rule.weights.get(key, "0")])
    weights.close()
    return workbook_bytes(wb)
