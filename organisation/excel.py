"""The organisation app in Excel: team and student ledgers, and the assessment sheet (write-only
workbooks in the acceptance workbook's style: a title block, a frozen and filtered header, typed
columns). Every figure is the stored one; a phone number is shown as the page shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from loudi_portal import xlsx
from loudi_portal.xlsx import (
    TEXT_FORMAT,
    RowError,
    add_notes_sheet,
    header_cells,
    workbook_bytes,
    write_header,
    write_text,
)
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


# --- import: teams and students through the guarded reader ---------------------------------------
MAX_IMPORT_ROWS = 5000
TEAM_IMPORT_COLUMNS = (
    "工作队编号",
    "工作队名称",
    "派出单位",
    "驻点村代码",
    "到岗日期",
    "姓名",
    "职务",
    "所在单位及职务",
    "联系电话",
)
TEAM_REQUIRED = ("工作队编号", "工作队名称", "派出单位", "驻点村代码", "到岗日期", "姓名", "职务")
STUDENT_IMPORT_COLUMNS = (
    "姓名",
    "定向乡镇代码",
    "入学年份",
    "专业",
    "毕业年份",
    "分配到村代码",
    "在岗状态",
    "联系电话",
)
STUDENT_REQUIRED = ("姓名", "定向乡镇代码", "入学年份", "专业", "在岗状态")
TEMPLATE_NOTES = {
    "teams": [
        "每行一名队员;同一工作队编号的各行组成一支新登记的工作队(编号不能与已有工作队重复)。",
        "职务填 第一书记、队长 或 队员;每队须有第一书记或队长,最多一名第一书记。",
        "驻点村代码为 12 位统计用区划代码;到岗日期如 2024-04-01;联系电话可不填。",
        "不要填写身份证号码。上传后先预览,文件全部正确才能确认导入;有任何错误,一条都不会导入。",
    ],
    "students": [
        "每行一名定向培养生;同一定向乡镇、入学年份和姓名的已有记录会被更新(如毕业、分配到村)。",
        "在岗状态填 在读、待分配、在岗 或 已离岗;在岗和已离岗须填写毕业年份和分配到村代码(12 位)。",
        "定向乡镇代码为 9 位统计用区划代码;联系电话可不填。不要填写身份证号码。",
        "上传后先预览,文件全部正确才能确认导入;有任何错误,一条都不会导入。",
    ],
}


def import_template(kind: str) -> bytes:
    columns = TEAM_IMPORT_COLUMNS if kind == "teams" else STUDENT_IMPORT_COLUMNS
    wb = Workbook()
    ws = wb.active
    ws.title = "驻村工作队" if kind == "teams" else "定向培养生"
    write_header(ws, [(title, 16) for title in columns])
    for col in range(1, len(columns) + 1):
        for row in range(2, 502):
            ws.cell(row=row, column=col).number_format = TEXT_FORMAT
    add_notes_sheet(wb, "填写说明", TEMPLATE_NOTES[kind])
    return workbook_bytes(wb)


@dataclass
class ImportRow:
    number: int
    values: dict = field(default_factory=dict)


def read_import_sheet(upload, kind: str) -> tuple[list[ImportRow], list[RowError]]:
    """The first sheet's rows keyed by column title, read with the guarded reader; or the problems."""
    columns, required = (
        (TEAM_IMPORT_COLUMNS, TEAM_REQUIRED) if kind == "teams" else (STUDENT_IMPORT_COLUMNS, STUDENT_REQUIRED)
    )
    try:
        xlsx.check_upload(name=getattr(upload, "name", ""), size=upload.size)
        with xlsx.open_workbook(upload, max_rows=MAX_IMPORT_ROWS) as wb:
            read = wb.rows(0, columns=len(columns))
    except xlsx.UploadRejected as exc:
        return [], [RowError(0, "", str(exc))]
    if read.problems:
        return [], read.problems
    rows = iter(read.rows)
    header = xlsx.read_header(next(rows, None), known=columns, required=required)
    problems = [
        RowError(1, letter, f"未知的列“{title}”;可用的列:{'、'.join(columns)}。") for letter, title in header.unknown
    ]
    problems += [RowError(1, letter, f"列“{title}”重复。") for letter, title in header.repeated]
    problems += [RowError(1, "", f"缺少必填列“{title}”。") for title in header.missing]
    if problems:
        return [], problems
    result = []
    for number, values in enumerate(rows, start=2):
        if xlsx.row_is_blank(values):
            continue
        result.append(ImportRow(number, {t: (values[i] if i < len(values) else None) for t, i in header.index.items()}))
    if not result:
        problems.append(RowError(2, "", "文件没有数据行。"))
    return result, problems
