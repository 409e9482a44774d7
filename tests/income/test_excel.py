"""The Excel round trip: the township template, the upload preview listing every error, the
confirm that saves everything in one transaction, and `manage.py import_incomes`."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.checks import page_refused, workbook_rows
from villages import services
from villages.excel import COLUMNS, parse_income_workbook
from villages.models import IncomeReport, IncomeStatus, Township, Village

from .conftest import LEPING, SHANGMEI, figures

pytestmark = pytest.mark.django_db


def xlsx(rows, header=COLUMNS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def row(village, year=2024, operating=80000, contracting=0, investment=5000, subsidy=20000, other=1000, note=""):
    return [village.code, village.name, year, operating, contracting, investment, subsidy, other, note]


def upload(client, content, name="收入.xlsx"):
    return client.post(reverse("income:upload"), {"file": SimpleUploadedFile(name, content)})


# --- template ---------------------------------------------------------------------------------


def test_template_layout_text_codes_and_no_formulas(login, clerk, leping_villages, make_report):
    make_report(leping_villages[0], 2024, IncomeStatus.APPROVED, note='=HYPERLINK("http://x","点我")')
    make_report(leping_villages[1], 2024, note="+1-2")
    make_report(leping_villages[2], 2024, note="@SUM(A1)")
    make_report(leping_villages[3], 2024, note="-5")
    response = login(clerk).get(reverse("income:template"), {"township": LEPING, "year": 2024})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in ws[1]] == list(COLUMNS)
    assert ws.max_row == 13
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:I13"
    first = ws[2]
    assert first[0].value == leping_villages[0].code and first[0].data_type == "s" and first[0].number_format == "@"
    assert first[2].value == 2024
    assert first[3].value == 60000 and first[3].number_format == "#,##0.00"
    notes = {ws.cell(row=r, column=9).value: ws.cell(row=r, column=9).data_type for r in range(2, 6)}
    assert notes == {'=HYPERLINK("http://x","点我")': "s", "+1-2": "s", "@SUM(A1)": "s", "-5": "s"}
    assert ws.cell(row=6, column=4).value is None  # no report yet: left blank for the clerk


def test_template_scope(login, clerk, reviewer, other_reviewer, city_user):
    url = reverse("income:template")
    villages = {code: {v.code for v in Village.objects.filter(township__code=code)} for code in (LEPING, SHANGMEI)}
    names = dict(Township.objects.filter(code__in=villages).values_list("code", "name"))

    def template_villages(response) -> set[str]:
        return {row[0] for row in workbook_rows(response) if row and str(row[0]).isdigit()}

    page_refused(login(clerk).get(url, {"township": SHANGMEI, "year": 2024}), 404, hides=[names[SHANGMEI]])
    # Without a township, the clerk's own.
    assert template_villages(login(clerk).get(url, {"year": 2024})) == villages[LEPING]
    assert template_villages(login(reviewer).get(url, {"township": LEPING, "year": 2024})) == villages[LEPING]
    page_refused(login(other_reviewer).get(url, {"township": LEPING, "year": 2024}), 404, hides=[names[LEPING]])
    assert template_villages(login(city_user).get(url, {"township": SHANGMEI, "year": 2024})) == villages[SHANGMEI]


# --- upload -------------------------------------------------------------------------------------


def test_round_trip_template_to_drafts(login, clerk, leping_villages, make_report, upload_stash):
    make_report(leping_villages[5], 2024, IncomeStatus.APPROVED)  # unchanged approved rows are skipped
    client = login(clerk)
    template = client.get(reverse("income:template"), {"township": LEPING, "year": 2024}).content
    wb = load_workbook(io.BytesIO(template))
    ws = wb.worksheets[0]
    for r, amount in ((2, 81000.5), (3, "95,000.00"), (4, 120000)):
        ws.cell(row=r, column=4, value=amount)
        ws.cell(row=r, column=7, value=15000)
    ws.cell(row=4, column=1, value=int(leping_villages[2].code))  # a code typed as a number
    buffer = io.BytesIO()
    wb.save(buffer)
    response = upload(client, buffer.getvalue(), "乐坪街道.xlsx")
    assert response.status_code == 302
    preview = client.get(response.url)
    assert preview.context["counts"] == {"created": 3, "updated": 0, "unchanged": 1}
    assert preview.context["parsed"].skipped == 8
    assert not IncomeReport.objects.filter(status=IncomeStatus.DRAFT).exists()  # nothing before confirm
    assert upload_stash.count() == 1
    done = client.post(response.url)
    assert done.status_code == 302
    assert not upload_stash.exists()
    drafts = IncomeReport.objects.filter(status=IncomeStatus.DRAFT).order_by("village__code")
    assert [d.village_id for d in drafts] == [v.pk for v in leping_villages[:3]]
    assert drafts[0].operating_revenue == Decimal("81000.50") and drafts[1].operating_revenue == Decimal("95000.00")
    assert drafts[0].subsidy_income == Decimal("15000.00")
    # The cells left blank stay blank in the drafts (未填), never 0, and so do their sums; the
    # abolished 发包及上交收入 is 0.
    assert drafts[0].investment_income is None and drafts[0].other_income is None
    assert drafts[0].total_income is None and drafts[0].operating_income is None
    assert drafts[0].contracting_revenue == 0
    record = drafts[0].history.first()
    assert record.history_user == clerk and record.history_change_reason == "Excel 导入:乐坪街道.xlsx"
    # The token is spent.
    page_refused(client.post(response.url), 404)


def test_bad_upload_lists_every_error_and_saves_nothing(login, clerk, admin_user, leping_villages, make_report):
    v = leping_villages
    foreign = Village.objects.filter(township__code=SHANGMEI).first()
    approved = make_report(v[6], 2024, IncomeStatus.APPROVED)
    make_report(v[7], 2024, IncomeStatus.SUBMITTED)
    make_report(foreign, 2024, IncomeStatus.APPROVED)
    services.year_close(year=2021, user=admin_user)
    rows = [
        row(v[0], operating=-100),  # 2: negative
        row(v[1], investment="一万"),  # 3: text in a number cell
        ["431302001999", "不存在村", 2024, 1, 0, 0, 0, 0, ""],  # 4: unknown code
        row(foreign),  # 5: another township's village
        row(v[2]),  # 6
        row(v[2]),  # 7: duplicate of row 6
        row(v[3], contracting=500),  # 8: 发包及上交收入 in 2024
        row(v[6], operating=approved.operating_revenue + 1),  # 9: approved, changed
        row(v[7], operating=1),  # 10: submitted, changed
        row(v[8], year=2021, contracting=100),  # 11: closed year
        row(v[9], year="二〇二四"),  # 12: bad year
        [v[10].code, "别的名字", 2024, 1, 0, 0, 0, 0, ""],  # 13: name does not match the code
        row(v[11]),  # 14: valid, but the file is not
    ]
    response = upload(login(clerk), xlsx(rows))
    assert response.status_code == 200
    errors = {(e.row, e.column): e.message for e in response.context["parsed"].errors}
    assert "不能为负数" in errors[(2, "经营收入")]
    assert "应为数字" in errors[(3, "投资收益")] and "一万" in errors[(3, "投资收益")]
    assert "431302001999 不存在" in errors[(4, "区划代码")]
    assert "不属于您管辖的乡镇" in errors[(5, "区划代码")] and foreign.name not in errors[(5, "区划代码")]
    # Nothing about the other township's report shows in the preview.
    assert response.context["parsed"].preview[3]["status"] == ""
    assert "与第 6 行重复" in errors[(7, "区划代码")]
    assert "发包及上交收入科目已取消" in errors[(8, "发包及上交收入")]
    assert "已审核" in errors[(9, "区划代码")]
    assert "已提交" in errors[(10, "区划代码")]
    assert "已关账" in errors[(11, "区划代码")]
    assert "年度应为" in errors[(12, "年度")]
    assert "与区划代码不符" in errors[(13, "村(社区)")]
    assert len(errors) == 11
    body = response.content.decode()
    assert "文件有 11 处错误,未保存任何数据" in body and "第 9 行" in body and "确认导入" not in body
    assert IncomeReport.objects.count() == 3
    assert not response.wsgi_request.session.get("income_uploads")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"village,amount\n1,2\n", "incomes.xlsx", "不是 xlsx"),
        (xlsx([]), "incomes.xls", "只能上传 .xlsx"),
        (b"PK\x03\x04garbage", "incomes.xlsx", "不是 xlsx"),
    ],
)
def test_upload_rejects_files_that_are_not_xlsx(login, clerk, content, name, message):
    response = upload(login(clerk), content, name)
    assert response.status_code == 200
    assert message in response.context["form"].errors["file"][0]


def test_upload_rejects_large_files(login, clerk, settings, village):
    settings.UPLOAD_MAX_BYTES = 2048
    content = xlsx([row(village, note="很长" * 3000)])
    assert len(content) > 2048
    response = upload(login(clerk), content)
    assert "文件超过" in response.context["form"].errors["file"][0]
    parsed = parse_income_workbook(content=content, filename="a.xlsx", scope=None)
    assert "文件超过" in parsed.errors[0].message


def test_upload_rejects_unknown_and_missing_columns(login, clerk, village):
    header = ["区划代码", "村(社区)", "年度", "经营收入", "发包及上交收入", "投资收益", "补助收入", "备注", "村书记"]
    response = upload(login(clerk), xlsx([row(village)], header=header))
    errors = {(e.row, e.column): e.message for e in response.context["parsed"].errors}
    assert "未知列“村书记”" in errors[(1, "I")]
    assert "缺少列“其他收入”" in errors[(1, "其他收入")]
    assert not IncomeReport.objects.exists()


def test_upload_is_for_clerks_only(login, reviewer, city_user, clerk, village):
    for user in (reviewer, city_user):
        client = login(user)
        page_refused(client.get(reverse("income:upload")), 403)
        assert upload(client, xlsx([row(village)])).status_code == 403
    assert not IncomeReport.objects.exists()


def test_a_change_after_the_preview_is_a_conflict(login, clerk, leping_villages, make_report):
    report = make_report(leping_villages[0], 2024)
    client = login(clerk)
    response = upload(client, xlsx([row(leping_villages[0], operating=99999), row(leping_villages[1])]))
    preview_url = response.url
    services.income_save_draft(
        user=clerk, village=leping_villages[0], year=2024, data=figures(other_income="5"), version=report.version
    )
    confirm = client.post(preview_url)
    assert confirm.status_code == 200
    assert "已被他人修改" in confirm.context["error"]
    assert not IncomeReport.objects.filter(village=leping_villages[1]).exists()
    assert IncomeReport.objects.get(pk=report.pk).other_income == Decimal("5.00")


def test_preview_token_belongs_to_the_session(login, clerk, make_user, village):
    from django.test import Client

    from villages.models import Role

    response = upload(login(clerk), xlsx([row(village)]))
    colleague = Client()
    colleague.force_login(make_user(Role.TOWNSHIP_CLERK, township=LEPING))
    assert colleague.get(response.url).status_code == 404
    assert colleague.post(response.url).status_code == 404
    assert not IncomeReport.objects.exists()


# --- import_incomes -------------------------------------------------------------------------------


@pytest.fixture
def write(tmp_path):
    def _write(rows, name="incomes.xlsx", **kwargs):
        path = tmp_path / name
        path.write_bytes(xlsx(rows, **kwargs))
        return str(path)

    return _write


def test_import_command_bad_file_exits_1_and_saves_nothing(write, leping_villages, capsys):
    path = write(
        [row(leping_villages[0]), row(leping_villages[1], operating=-1), ["123", "x", 2024, 1, 0, 0, 0, 0, ""]]
    )
    with pytest.raises(CommandError, match="2 处错误,未导入任何数据") as failed:
        call_command("import_incomes", path)
    assert failed.value.returncode == 1
    err = capsys.readouterr().err
    assert "第 3 行 [经营收入]:经营收入不能为负数" in err and "第 4 行 [区划代码]" in err
    # manage.py turns a CommandError into exit status 1 (run_from_argv: sys.exit(e.returncode)).
    with pytest.raises(CommandError) as failed:
        call_command("import_incomes", write([row(leping_villages[0])], name="a.csv"))
    assert failed.value.returncode == 1 and "不是 xlsx" in capsys.readouterr().err
    assert not IncomeReport.objects.exists()


def test_import_command_dry_run_and_approve(write, leping_villages, capsys):
    rows = [row(v, year=2023, contracting=12000) for v in leping_villages]
    rows[0][0] = int(rows[0][0])  # codes typed as numbers are accepted
    path = write(rows)
    call_command("import_incomes", path, "--dry-run")
    assert "校验通过" in capsys.readouterr().out and not IncomeReport.objects.exists()
    call_command("import_incomes", path, "--approve")
    assert IncomeReport.objects.filter(year=2023, status=IncomeStatus.APPROVED).count() == 12
    report = IncomeReport.objects.get(village=leping_villages[0], year=2023)
    assert report.contracting_revenue == Decimal("12000.00") and report.approved_at is not None
    assert report.history.first().history_change_reason == "Excel 导入:incomes.xlsx,直接审核"
    # Again: nothing changes; without --approve approved reports cannot be overwritten.
    call_command("import_incomes", path, "--approve")
    assert "未变 12 份" in capsys.readouterr().out
    rows[1][3] = 1
    with pytest.raises(CommandError):
        call_command("import_incomes", write(rows, name="b.xlsx"))
    assert "已审核" in capsys.readouterr().err


def test_import_command_refuses_a_closed_year(write, admin_user, leping_villages):
    services.year_close(year=2022, user=admin_user)
    with pytest.raises(CommandError):
        call_command("import_incomes", write([row(leping_villages[0], year=2022)]), "--approve")
    assert not IncomeReport.objects.exists()


def test_import_command_exit_status_from_the_shell(tmp_path):
    """The real process: a file that is not xlsx is refused with exit status 1 before any query."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    bad = tmp_path / "incomes.csv"
    bad.write_text("区划代码,经营收入\n431302001001,1\n", encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "manage.py", "import_incomes", str(bad)], cwd=root, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "不是 xlsx" in result.stderr and "未导入任何数据" in result.stderr


# --- hostile files ---------------------------------------------------------------------------------


def test_upload_of_a_hostile_file_is_refused_quickly_and_saves_nothing(login, clerk):
    from tests.portal import hostile

    client = login(clerk)
    for content, message in (
        (hostile.claims_whole_grid(COLUMNS), "文件超过 5000 行"),
        (hostile.huge_shared_string(COLUMNS), "文件解压后过大"),
    ):
        with hostile.within(2):
            response = upload(client, content)
        assert response.status_code == 200
        assert message in response.context["form"].errors["file"][0]
    assert not IncomeReport.objects.exists()


def test_an_uncomputed_formula_is_a_row_error_not_zero(login, clerk, village):
    from tests.portal import hostile

    cells = "".join(
        hostile.text(f"{letter}2", value) if isinstance(value, str) else hostile.number(f"{letter}2", value)
        for letter, value in zip("ABCDEFG", row(village)[:7], strict=True)
    )
    content = hostile.uncomputed_formula(COLUMNS, "H2", cells)  # 其他收入 = SUM(...) never computed
    parsed = parse_income_workbook(content=content, filename="a.xlsx", scope=None)
    assert "第 2 行 [H]:公式没有计算结果,请在 Excel 中打开并保存后再上传" in [str(e) for e in parsed.errors]
    assert not parsed.ok
    response = upload(login(clerk), content)
    assert "公式没有计算结果" in response.content.decode()
    assert not IncomeReport.objects.exists()


def test_import_command_refuses_a_hostile_file_with_exit_1(tmp_path, divisions, capsys):
    from tests.portal import hostile

    path = tmp_path / "incomes.xlsx"
    path.write_bytes(hostile.claims_whole_grid(COLUMNS))
    with hostile.within(2), pytest.raises(CommandError, match="未导入任何数据") as failed:
        call_command("import_incomes", str(path))
    assert failed.value.returncode == 1
    assert "文件超过 30000 行" in capsys.readouterr().err
    assert not IncomeReport.objects.exists()
