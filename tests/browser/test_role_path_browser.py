"""Each role's daily path in a real browser: the township clerk enters and submits a village's
income, the county reviewer approves it, and the organisation department sees it on the dashboard,
runs the year-end acceptance and downloads the workbook."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from incentives.dashboards import selectors as dash
from incentives.models import AcceptanceRun, RunStatus
from tests.dashboards.data import income_reports_build, target_plan_build
from villages.models import IncomeReport, IncomeStatus, Role, Village

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VILLAGE = "431302001001"  # 街心社区, 乐坪街道, 娄星区


@pytest.fixture
def year_2024(divisions):
    """Demo-like income and the 2024 plan; the clerk's village has no 2024 report yet."""
    income_reports_build()
    IncomeReport.objects.filter(village__code=VILLAGE, year=2024).delete()
    target_plan_build(year=2024)


def test_clerk_submits_reviewer_approves_city_accepts(browser_page, make_user, year_2024, tmp_path):
    make_user(Role.TOWNSHIP_CLERK, township="431302001", username="town-431302001")
    make_user(Role.COUNTY_REVIEWER, county="431302", username="county-431302")
    make_user(Role.CITY_ORG, username="city")
    page = browser_page.page
    row = f"tr:has(td:text-is('{VILLAGE}'))"

    # 1. The clerk enters the village's 2024 income and submits it.
    browser_page.login("town-431302001")
    page.click("nav.mainnav a:text('收入填报')")
    page.wait_for_load_state("networkidle")
    page.click(f"{row} a:text('填报')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(reverse("income:report_edit", args=[VILLAGE, 2024]))
    page.fill("input[name=operating_revenue]", "120,000.00")
    page.fill("input[name=investment_income]", "15000")
    page.fill("input[name=subsidy_income]", "30000.50")
    page.fill("input[name=other_income]", "0")
    browser_page.screenshot("role-1-clerk-entry")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    assert "已提交" in page.locator(".messages").inner_text()
    report = IncomeReport.objects.get(village__code=VILLAGE, year=2024)
    assert report.status == IncomeStatus.SUBMITTED
    assert str(report.total_income) == "165000.50"
    browser_page.screenshot("role-2-clerk-submitted")
    browser_page.assert_no_errors()
    browser_page.logout()

    # 2. The county reviewer approves it.
    browser_page.login("county-431302")
    browser_page.goto(f"{reverse('income:report_list')}?year=2024&township=431302001&status=submitted")
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

    # 3. The organisation department sees it counted on the dashboard.
    browser_page.login("city")
    page.click("nav.mainnav a:text('数据看板')")
    page.wait_for_load_state("networkidle")
    browser_page.assert_charts_drawn({"chart-bands", "chart-trend", "chart-tiers", "chart-share"})
    approved = IncomeReport.objects.filter(year=2024, status=IncomeStatus.APPROVED).count()
    assert page.locator("[data-card=villages] .dash-note").inner_text() == f"已审核 {approved} 个"
    browser_page.screenshot("role-4-city-dashboard")
    # The township's dashboard lists the village with its new figures and tier (中间村: 13.5万).
    browser_page.goto(reverse("dashboards:township", args=["431302001"]))
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
