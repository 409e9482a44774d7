"""Each role's daily path in a real browser, from a fresh `seed_demo`: the township clerk lands on
the year being filled in without choosing it, enters and submits a village's income, the county
reviewer approves it, and the organisation department sees it labelled in progress on the
dashboard, runs the 2024 year-end acceptance and downloads the workbook."""

import io
import re

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from incentives.dashboards import selectors as dash
from incentives.models import AcceptanceRun, RunStatus
from villages.demo import DEMO_OPEN_YEAR as OPEN_YEAR
from villages.demo import DEMO_PASSWORD
from villages.models import IncomeReport, IncomeStatus, Village

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VILLAGE = "431302001001"  # 街心社区, 乐坪街道, 娄星区


@pytest.fixture
def fresh_demo(divisions):
    """A fresh `seed_demo`: 2022–2024 as the demo has them, 2025 open for entry around today."""
    call_command("seed_demo", stdout=io.StringIO())


def test_clerk_submits_reviewer_approves_city_accepts(browser_page, fresh_demo, tmp_path):
    page = browser_page.page
    row = f"tr:has(td:text-is('{VILLAGE}'))"
    assert not IncomeReport.objects.filter(village__code=VILLAGE, year=OPEN_YEAR).exists()

    # 1. The clerk lands on the open year without choosing it, enters the village's income, submits.
    browser_page.login("town-431302001", DEMO_PASSWORD)
    assert f"{OPEN_YEAR} 年收入填报" in page.locator("main").inner_text()
    assert "填报中" in page.locator(".period-line").inner_text()
    assert page.locator("#clerk-todo").count() == 1
    page.click("nav.mainnav a:text('收入填报')")
    page.wait_for_load_state("networkidle")
    assert "year=" not in page.url
    assert page.locator("select[name=year]").input_value() == str(OPEN_YEAR)
    page.click(f"{row} a:text('填报')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(reverse("income:report_edit", args=[VILLAGE, OPEN_YEAR]))
    page.fill("input[name=operating_revenue]", "120,000.00")
    page.fill("input[name=investment_income]", "15000")
    page.fill("input[name=subsidy_income]", "30000.50")
    page.fill("input[name=other_income]", "0")
    browser_page.screenshot("role-1-clerk-entry")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    assert "已提交" in page.locator(".messages").inner_text()
    report = IncomeReport.objects.get(village__code=VILLAGE, year=OPEN_YEAR)
    assert report.status == IncomeStatus.SUBMITTED
    assert str(report.total_income) == "165000.50"
    browser_page.screenshot("role-2-clerk-submitted")
    browser_page.assert_no_errors()
    browser_page.logout()

    # 2. The county reviewer approves it; the review list opens on the open year too.
    browser_page.login("county-431302", DEMO_PASSWORD)
    browser_page.goto(f"{reverse('income:report_list')}?township=431302001&status=submitted")
    assert page.locator("select[name=year]").input_value() == str(OPEN_YEAR)
    page.click(f"{row} a:text('审核')")
    page.wait_for_load_state("networkidle")
    page.click("button[name=action][value=approve]")
    with page.expect_navigation():  # approving cannot be undone by the county: it asks first
        page.click("#confirm-dialog button[value=ok]")
    page.wait_for_load_state("networkidle")
    assert "审核通过" in page.locator(".messages").inner_text()
    report.refresh_from_db()
    assert report.status == IncomeStatus.APPROVED
    browser_page.screenshot("role-3-reviewer-approved")
    browser_page.assert_no_errors()
    browser_page.logout()

    # 3. The organisation department's dashboard opens on a finished year; the open year, picked,
    # is labelled in progress with no growth figure.
    browser_page.login("city", DEMO_PASSWORD)
    page.click("nav.mainnav a:text('数据看板')")
    page.wait_for_load_state("networkidle")
    assert page.locator("select[name=year]").input_value() != str(OPEN_YEAR)
    browser_page.goto(f"{reverse('dashboards:city')}?year={OPEN_YEAR}")
    browser_page.assert_charts_drawn({"chart-bands", "chart-trend", "chart-tiers", "chart-share"})
    approved = IncomeReport.objects.filter(year=OPEN_YEAR, status=IncomeStatus.APPROVED).count()
    assert page.locator("[data-card=villages] .dash-note").first.inner_text() == f"已审核 {approved} 个"
    assert "年度进行中,暂不计算增长" in page.locator("[data-card=avg_total]").inner_text()
    assert f"已审核 {approved} / 2107" in page.locator("#year-progress").inner_text()
    browser_page.screenshot("role-4-city-dashboard")
    # The township's dashboard lists the village with its new figures and tier (中间村: 13.5万).
    browser_page.goto(f"{reverse('dashboards:township', args=['431302001'])}?year={OPEN_YEAR}")
    village_row = page.locator(f"tr[data-village='{VILLAGE}']")
    assert "16.50" in village_row.inner_text() and "中间村" in village_row.inner_text()

    # 4. It runs the 2024 acceptance and downloads the workbook.
    page.click("nav.mainnav a:text('年终验收')")
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=year]", "2024")
    page.click("button:text('发起验收计算')")
    download_link = page.locator("a:text('下载验收工作簿')")
    download_link.wait_for(timeout=60_000)  # the progress page refreshes until the run is done
    run = AcceptanceRun.objects.get(year=2024)
    assert run.status == RunStatus.DONE
    browser_page.screenshot("role-5-acceptance-run")
    # The workbook is an export job: its page refreshes until the file is ready, then offers it.
    download_link.click()
    export_link = page.locator("#export-download")
    export_link.wait_for(timeout=60_000)
    with page.expect_download() as download:
        export_link.click()
    path = tmp_path / "acceptance.xlsx"
    download.value.save_as(path)
    workbook = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    assert len(workbook.sheetnames) >= 4
    text = "\n".join(
        str(cell.value) for sheet in workbook.worksheets for row_ in sheet.iter_rows() for cell in row_ if cell.value
    )
    assert "娄星区" in text and "新化县" in text
    browser_page.assert_no_errors()

    # The dashboard and the acceptance agree on which counties pass.
    targets = dash.year_targets(year=2024)
    figures = dash.income_figures(year=2024, by="county", villages=Village.objects.all(), targets=targets)
    accepted = {unit["code"]: unit["passed"] for unit in run.results["counties"]}
    assert accepted == {code: fig["passed"] for code, fig in figures.items()}
    browser_page.goto(reverse("incentives:run_detail", args=[run.pk]))  # back from the export page
    passing = re.search(r"达标县市区\s*(\d+) / 5", page.locator(".cards").inner_text())
    assert passing and int(passing.group(1)) == sum(accepted.values())
