"""The acceptance workbook, read back with openpyxl."""

from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from incentives.services import acceptance_compute, acceptance_start
from incentives.workbook import SHEETS
from loudi_portal.models import ExportJob
from tests.checks import page_refused
from villages.services import system_actor

from .conftest import county_village

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_run(plan, incomes):
    incomes.passing()
    incomes.set(county_village("431302"), total="49999.99", operating="20000.00", note="=SUM(A1)")
    incomes.set(county_village("431302", -2), operating="120000.00", note="+86 138 0000 0000")
    incomes.set(county_village("431302", -3), operating="120000.00", note="-负责人外出")
    incomes.set(county_village("431302", -4), operating="120000.00", note="@村委会")
    run = acceptance_start(year=2024, user=system_actor(), enqueue=False)
    return acceptance_compute(run_id=run.pk)


def rows_of(ws, header_row: int):
    rows = list(ws.iter_rows(min_row=header_row))
    header = [c.value for c in rows[0]]
    return header, rows[1:]


def test_export_command_writes_every_sheet(done_run, tmp_path):
    output = tmp_path / "验收.xlsx"
    call_command("export_acceptance", "--year", "2024", "--output", str(output))
    book = load_workbook(output)
    assert book.sheetnames == list(SHEETS)

    summary = book["汇总"]
    assert "2024 年度" in summary["A1"].value and "第 1 版" in summary["A1"].value
    assert summary.freeze_panes == "A4"
    assert summary.auto_filter.ref == "A3:W9"
    header, rows = rows_of(summary, 3)
    assert header[:3] == ["区划代码", "单位", "村(社区)数"]
    assert [r[0].value for r in rows] == ["431300", "431302", "431321", "431322", "431381", "431382"]
    assert all(r[0].data_type == "s" and r[0].number_format == "@" for r in rows)
    louxing = dict(zip(header, [c.value for c in rows[1]], strict=True))
    assert louxing["低于清零线村数"] == 1 and louxing["验收结论"] == "未达标"
    assert louxing["市级奖补(元)"] == 0
    assert rows[2][header.index("市级奖补(元)")].number_format == "#,##0.00"
    assert rows[2][header.index("市级奖补(元)")].value == 2000000
    assert summary.column_dimensions["A"].width == 10

    villages = book["村级明细"]
    header, rows = rows_of(villages, 3)
    assert header == [
        "县市区代码", "县市区", "乡镇(街道)代码", "乡镇(街道)", "村(社区)代码", "村(社区)", "类型", "报告状态",
        "经营收入(元)", "发包及上交收入(元)", "投资收益(元)", "补助收入(元)", "其他收入(元)",
        "总收入(元)", "经营性收入(元)", "档次", "低于清零线", "备注",
    ]  # fmt: skip
    assert len(rows) == 2107
    by_code = {r[4].value: r for r in rows}
    weak = by_code[county_village("431302")]
    assert weak[4].data_type == "s" and weak[4].number_format == "@"  # a 12-digit code stays text
    assert weak[13].value == pytest.approx(49999.99)
    assert weak[13].number_format == "#,##0.00"
    assert weak[16].value == "是" and weak[15].value == "弱村"
    # Formula-looking notes are text, never formulas.
    for index, note in ((-1, "=SUM(A1)"), (-2, "+86 138 0000 0000"), (-3, "-负责人外出"), (-4, "@村委会")):
        cell = by_code[county_village("431302", index)][17]
        assert cell.value == note and cell.data_type == "s"
    million = by_code[county_village("431302", 0)]
    assert million[15].value == "强村(百万村)"

    weak_sheet = book["薄弱村名单"]
    header, rows = rows_of(weak_sheet, 3)
    assert [r[4].value for r in rows] == [county_village("431302")]
    assert rows[0][header.index("距清零线差额(元)")].value == pytest.approx(0.01)

    targets = book["县市区达标情况"]
    header, rows = rows_of(targets, 3)
    assert header[:3] == ["区划代码", "单位", "指标"]
    assert len(rows) == 6 * 5  # four targets and a conclusion per unit

    rewards = book["奖补测算"]
    header, rows = rows_of(rewards, 4)
    assert header[:3] == ["区划代码", "县市区", "验收结论"]
    assert rows[-1][1].value == "合计" and rows[-1][4].value == 8000000


def test_export_a_given_version_and_errors(done_run, tmp_path):
    output = tmp_path / "v1.xlsx"
    call_command("export_acceptance", "--year", "2024", "--run", "1", "--output", str(output))
    assert load_workbook(output).sheetnames == list(SHEETS)
    with pytest.raises(CommandError, match="没有第 9 版"):
        call_command("export_acceptance", "--year", "2024", "--run", "9", "--output", str(output))
    with pytest.raises(CommandError, match="没有已完成的验收"):
        call_command("export_acceptance", "--year", "2023", "--output", str(output))


def test_workbook_is_written_in_write_only_mode(done_run, monkeypatch, tmp_path):
    import incentives.workbook as workbook

    made = []
    real = workbook.Workbook

    def spy(*args, **kwargs):
        book = real(*args, **kwargs)
        made.append(book)
        return book

    monkeypatch.setattr(workbook, "Workbook", spy)
    call_command("export_acceptance", "--year", "2024", "--output", str(tmp_path / "a.xlsx"))
    assert made and made[0].write_only


def test_download_as_the_city(done_run, login, city_user, export_download):
    response = export_download(login(city_user), reverse("incentives:run_workbook", args=[done_run.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == list(SHEETS)
    assert book["村级明细"].max_row == 3 + 2107


def test_download_as_a_county_reviewer_has_his_county_only(done_run, login, reviewer, export_download):
    response = export_download(login(reviewer), reverse("incentives:run_workbook", args=[done_run.pk]))
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    _, rows = rows_of(book["汇总"], 3)
    assert [r[0].value for r in rows] == ["431302"]
    _, rows = rows_of(book["村级明细"], 3)
    assert len(rows) == 233 and {r[0].value for r in rows} == {"431302"}
    _, rows = rows_of(book["奖补测算"], 3)
    assert [r[0].value for r in rows[:-1]] == ["431302"]


def test_no_download_for_a_clerk(done_run, login, clerk):
    response = login(clerk).get(reverse("incentives:run_workbook", args=[done_run.pk]))
    page_refused(response, 403, reason="目标任务与年终验收仅供市级部门和县级审核员查看。")
    assert not ExportJob.objects.exists()  # no workbook is built for them either


def test_village_sheet_is_the_run_rows_cell_by_cell(plan, incomes, tmp_path, monkeypatch):
    """Every village row as the run stored it, each column with its type and format, including
    the empty amounts of a village without an approved report; written without a cell object per
    value (the sheet's cells are reused, so a mix-up would show here as wrong values)."""
    from decimal import Decimal

    from openpyxl.cell import cell as openpyxl_cell

    from incentives.models import AcceptanceVillageResult
    from incentives.workbook import VILLAGE_COLUMNS, acceptance_workbook_write
    from villages.scope import scope_for

    incomes.passing()
    incomes.remove(county_village("431322", 3))
    incomes.set(county_village("431381", 1), total="80000.50", operating="12345.67", note="说明")
    run = acceptance_compute(run_id=acceptance_start(year=2024, user=system_actor(), enqueue=False).pk)

    made = []
    real_init = openpyxl_cell.Cell.__init__

    def counting_init(self, *args, **kwargs):
        made.append(1)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(openpyxl_cell.Cell, "__init__", counting_init)
    output = tmp_path / "v.xlsx"
    acceptance_workbook_write(run=run, scope=scope_for(system_actor()), output=str(output))
    monkeypatch.undo()
    assert len(made) < 1000  # 2,107 rows × 18 columns are written

    header, rows = rows_of(load_workbook(output)["村级明细"], 3)
    expected = list(
        AcceptanceVillageResult.objects.filter(run=run)
        .order_by("village_code")
        .values_list(
            "county_code", "county_name", "township_code", "township_name", "village_code", "village_name", "kind",
            "approved", "operating_revenue", "contracting_revenue", "investment_income", "subsidy_income",
            "other_income", "total_income", "operating_income", "tier", "below_clearing", "note",
        )
    )  # fmt: skip
    assert len(rows) == len(expected) == 2107
    kinds = [kind for _, kind, _ in VILLAGE_COLUMNS]
    for row, values in zip(rows, expected, strict=True):
        for cell, value, kind in zip(row, values, kinds, strict=True):
            if kind == "code":
                assert (cell.value, cell.data_type, cell.number_format) == (value, "s", "@")
            elif kind == "money":
                assert cell.number_format == "#,##0.00"
                assert (None if cell.value is None else Decimal(str(cell.value))) == value
    missing = next(r for r in rows if r[4].value == county_village("431322", 3))
    assert missing[7].value == "无已审核报告" and missing[13].value is None and missing[16].value == "是"
    mine = next(r for r in rows if r[4].value == county_village("431381", 1))
    assert [c.value for c in mine[8:15]] == [12345.67, 0, 0, pytest.approx(67654.83), 0, 80000.5, 12345.67]
    assert mine[17].value == "说明"
