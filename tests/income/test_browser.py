"""The entry form in a real browser (Debian's chromium through Playwright): the totals follow
what the clerk types, the jump warning shows before submitting, and the page loads nothing from
outside the server. Skipped without chromium; required in CI."""

import threading
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import IN_CI, PASSWORD
from villages.models import IncomeReport, IncomeStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = Path("/usr/bin/chromium")


def in_own_thread(steps):
    """Run Playwright's sync API in a thread of its own: another test module's session-wide
    browser may already hold this thread's event loop. Database checks stay in the test's thread."""
    outcome = {}

    def target():
        try:
            outcome["value"] = steps()
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=180)
    if thread.is_alive():
        pytest.fail("浏览器操作超时。")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@pytest.fixture
def chromium():
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("CI 中必须运行浏览器测试(/usr/bin/chromium 不存在)。")
        pytest.skip("/usr/bin/chromium 不存在,跳过浏览器测试。")
    return str(CHROMIUM)


def test_live_totals_and_jump_warning(chromium, live_server, clerk, village, make_report):
    make_report(village, 2023, IncomeStatus.APPROVED, total="50000")
    base = live_server.url
    edit = base + reverse("income:report_edit", args=[village.code, 2024])

    def steps():
        from playwright.sync_api import sync_playwright

        errors, outside = [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
            page = browser.new_context(locale="zh-CN").new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("request", lambda req: None if req.url.startswith(base) else outside.append(req.url))
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", clerk.username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.goto(edit)
            assert page.input_value("input[name=contracting_revenue]") == "0.00"
            assert page.is_hidden("#jump-warning")

            page.fill("input[name=operating_revenue]", "120,000.10")
            page.fill("input[name=investment_income]", "15000")
            page.fill("input[name=subsidy_income]", "30000.50")
            # 其他收入 still blank: 总收入 is 未填, as the server keeps it for a draft; the filled part is told.
            assert page.text_content("#income-total") == "未填"
            told = page.text_content("#income-total-wan")
            assert "已填各项合计 165,000.60 元" in told and "其他收入未填" in told
            assert page.text_content("#income-operating") == "135,000.10"
            assert "中间村" in page.text_content("#income-tier")
            assert page.is_hidden("#jump-warning")  # compared once every amount is filled
            page.fill("input[name=other_income]", "0")
            assert page.text_content("#income-total") == "165,000.60"
            assert page.is_visible("#jump-warning")  # 165,000.60 > 3 × 50,000.00

            page.fill("input[name=operating_revenue]", "80000")
            assert page.text_content("#income-total") == "125,000.50"
            assert page.is_hidden("#jump-warning")
            page.fill("input[name=other_income]", "abc")
            assert page.text_content("#income-total") == "—"
            assert "invalid" in page.get_attribute("input[name=other_income]", "class")
            page.fill("input[name=other_income]", "0")
            page.fill("input[name=operating_revenue]", "1000")
            assert page.is_hidden("#jump-warning")  # 46,000.50 is not below 1/3 of 50,000.00 …
            page.fill("input[name=investment_income]", "0")
            page.fill("input[name=subsidy_income]", "15000.50")
            assert page.text_content("#income-total") == "16,000.50"
            assert page.is_visible("#jump-warning")  # … 16,000.50 is
            page.fill("input[name=operating_revenue]", "80000")
            page.fill("input[name=investment_income]", "15000")
            page.fill("input[name=subsidy_income]", "30000.50")
            page.fill("input[name=other_income]", "")
            assert page.text_content("#income-operating") == "95,000.00"

            # 其他收入 left blank: submitting asks for it (0 when there is none) and saves nothing.
            page.click("button[name=action][value=submit]")
            page.wait_for_load_state("networkidle")
            blank_error = page.text_content("form#income-form")
            page.fill("input[name=other_income]", "0")
            page.click("button[name=action][value=submit]")
            page.wait_for_load_state("networkidle")
            message = page.text_content(".messages")
            browser.close()
        return message, errors, outside, blank_error

    message, errors, outside, blank_error = in_own_thread(steps)
    assert "请填写其他收入,没有此项收入请填 0" in blank_error
    assert "已提交" in message
    assert errors == [] and outside == []
    report = IncomeReport.objects.get(village=village, year=2024)
    assert report.status == IncomeStatus.SUBMITTED and str(report.total_income) == "125000.50"
