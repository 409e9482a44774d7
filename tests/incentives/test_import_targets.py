"""`import_targets`: a valid sheet updates the plan; any error lists everything and imports nothing."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from incentives.importers import COLUMNS
from incentives.models import TargetPlan

pytestmark = pytest.mark.django_db

ROWS = [
    ("431300", "娄底市", 60, 100, 20),
    ("431302", "娄星区", 65, 14, 3),
    ("431321", "双峰县", None, 25, 5),
    ("431322", "新化县", 55.5, 30, 6),
    ("431381", "冷水江市", 60, 8, 2),
    ("431382", "涟源市", 60, 24, 5),
]


def write(path, rows, header=COLUMNS):
    book = Workbook()
    ws = book.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    book.save(path)
    return path


def test_import_creates_the_plan(divisions, tmp_path, capsys):
    rows = [list(r) for r in ROWS]
    rows[0][0] = 431300  # a code typed as a number
    call_command("import_targets", str(write(tmp_path / "t.xlsx", rows)), "--year", "2026")
    assert "已导入 2026 年度目标任务" in capsys.readouterr().out
    plan = TargetPlan.objects.get(year=2026)
    assert (plan.share_required, plan.count_500k_required, plan.count_1m_required) == (Decimal("0.6000"), 100, 20)
    targets = {t.county.code: t for t in plan.county_targets.all()}
    assert targets["431302"].share_required == Decimal("0.6500") and targets["431302"].count_1m_required == 3
    assert targets["431321"].share_required is None  # blank: follows the city's
    assert targets["431322"].share_required == Decimal("0.5550")
    # Only real changes are recorded: the city's figures equal the defaults, 娄星区's do not.
    assert plan.history.first().history_change_reason == "新建(默认目标)"
    assert targets["431302"].history.first().history_change_reason == "从 Excel 导入目标任务分解"


def test_import_updates_an_existing_plan(plan, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][4] = 25
    call_command("import_targets", str(write(tmp_path / "t.xlsx", rows)), "--year", "2024")
    plan.refresh_from_db()
    assert plan.count_1m_required == 25


def test_a_percent_formatted_cell_is_read_as_shown(divisions, tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(list(COLUMNS))
    for row in ROWS:
        ws.append(list(row))
    ws["C2"] = 0.62
    ws["C2"].number_format = "0%"
    book.save(tmp_path / "p.xlsx")
    call_command("import_targets", str(tmp_path / "p.xlsx"), "--year", "2026")
    assert TargetPlan.objects.get(year=2026).share_required == Decimal("0.6200")


def test_every_error_is_listed_and_nothing_is_imported(plan, tmp_path):
    rows = [list(r) for r in ROWS[:5]]  # 涟源市 missing
    rows[1][1] = "娄星县"  # wrong name
    rows[2][2] = "六成"  # not a number
    rows[3][3] = -1  # negative count
    rows[4][0] = "999999"  # unknown code
    rows.append(["431302", "娄星区", 60, 1, 1])  # duplicate
    with pytest.raises(CommandError) as error:
        call_command("import_targets", str(write(tmp_path / "bad.xlsx", rows)), "--year", "2024")
    message = str(error.value)
    assert "未导入任何数据" in message
    assert "第 3 行「名称」:431302 应为「娄星区」,实际为「娄星县」" in message
    assert "第 4 行「10万元以上村占比(%)」:应为 0 到 100 之间的数,实际为「六成」" in message
    assert "第 5 行「50万元以上村数」:应为不小于 0 的整数,实际为「-1」" in message
    assert "第 6 行「区划代码」:999999 不是娄底市或其县市区的代码" in message
    assert "第 7 行「区划代码」:431302 与第 3 行重复" in message
    assert "缺少 涟源市(431382)的行" in message
    plan.refresh_from_db()
    assert plan.history.count() == 1


def test_unknown_and_missing_columns(divisions, tmp_path):
    header = ["区划代码", "名称", "10万元以上村占比(%)", "50万元以上村数", "备注"]
    with pytest.raises(CommandError) as error:
        call_command("import_targets", str(write(tmp_path / "c.xlsx", [], header)), "--year", "2026")
    assert "未知的列 备注" in str(error.value) and "缺少列 100万元以上村数" in str(error.value)
    assert not TargetPlan.objects.filter(year=2026).exists()


def test_not_an_xlsx(divisions, tmp_path):
    bad = tmp_path / "t.csv"
    bad.write_text("区划代码,名称\n")
    with pytest.raises(CommandError, match="只接受 .xlsx"):
        call_command("import_targets", str(bad), "--year", "2026")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip")
    with pytest.raises(CommandError, match="无法读取该文件"):
        call_command("import_targets", str(fake), "--year", "2026")


def test_too_big(divisions, tmp_path, settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(CommandError, match="文件超过"):
        call_command("import_targets", str(write(tmp_path / "t.xlsx", ROWS)), "--year", "2026")


def test_import_into_a_closed_year_is_refused(plan, tmp_path):
    from villages.services import year_close

    year_close(year=2024, user=None)
    with pytest.raises(CommandError, match="已完成联合验收并关账"):
        call_command("import_targets", str(write(tmp_path / "t.xlsx", ROWS)), "--year", "2024")


def test_import_refuses_a_hostile_file_quickly(divisions, tmp_path):
    from tests.portal import hostile

    path = tmp_path / "t.xlsx"
    for content, message in (
        (hostile.claims_whole_grid(COLUMNS), "文件超过 100 行"),
        (hostile.huge_shared_string(COLUMNS), "文件解压后过大"),
        (hostile.uncomputed_formula(COLUMNS, "C2", hostile.text("A2", "431300")), "公式没有计算结果"),
    ):
        path.write_bytes(content)
        with hostile.within(2), pytest.raises(CommandError, match=message) as failed:
            call_command("import_targets", str(path), "--year", "2026")
        assert failed.value.returncode == 1
    assert not TargetPlan.objects.filter(year=2026).exists()
