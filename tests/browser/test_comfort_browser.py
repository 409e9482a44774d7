"""Working comfortably, in a real browser: name search and sorting on the income list, every
confirmation dialog (cancel changes nothing, 确认 does it), the clerk's entry path at phone width
without page-level horizontal scroll, and the Chinese 403/404 pages."""

import datetime
import re
from decimal import Decimal

import pytest

from incentives.models import AcceptanceSignoff
from incentives.services import acceptance_compute, acceptance_start, target_plan_create
from rectification.models import ClueEvidence
from tests.incentives.conftest import Incomes
from tests.rectification.conftest import PDF, upload
from villages.models import IncomeReport, IncomeStatus, Role, Village
from villages.services import system_actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Whether the page itself scrolls sideways (a table box scrolling inside it is fine).
PAGE_SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth + 1"


def _report(code: str, total: str, status=IncomeStatus.SUBMITTED, year: int = 2025) -> IncomeReport:
    return IncomeReport.objects.create(
        village=Village.objects.get(code=code),
        year=year,
        status=status,
        operating_revenue=Decimal(total),
        contracting_revenue=0,
        investment_income=0,
        subsidy_income=0,
        other_income=0,
    )


def _codes(page) -> list[str]:
    return [c for c in page.locator("table.income-table tbody tr td:first-child").all_inner_texts() if c.strip()]


def _dialog(page):
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    return dialog


def _confirm(page) -> None:
    """确认 in the dialog, then wait for the page the form was sent to."""
    with page.expect_navigation():
        _dialog(page).locator("button[value=ok]").click()
    page.wait_for_load_state("networkidle")


def test_income_list_search_by_name_and_sort(browser_page, make_user, divisions):
    make_user(Role.COUNTY_REVIEWER, county="431302", username="county-431302")
    _report("431302001005", "90000")
    _report("431302001002", "50000")
    page = browser_page.page
    browser_page.login("county-431302")
    browser_page.goto("/income/?year=2025")
    page.fill("input[name=q]", "街心")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert _codes(page) == ["431302001001"]
    assert "街心社区" in page.locator("table.income-table tbody").inner_text()
    browser_page.screenshot("comfort-income-search")

    browser_page.goto("/income/?year=2025&q=乐坪")
    page.click("th a:text('总收入(元)')")
    page.wait_for_load_state("networkidle")
    assert _codes(page)[:2] == ["431302001002", "431302001005"]  # ascending, the blanks last
    page.click("th a:text('总收入(元)')")
    page.wait_for_load_state("networkidle")
    assert _codes(page)[:2] == ["431302001005", "431302001002"]
    assert "sort=-total_income" in page.url and "q=" in page.url  # the search is kept
    # The sort stays when filtering again (it rides along in the form).
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert _codes(page)[:2] == ["431302001005", "431302001002"]
    browser_page.assert_no_errors()


def test_approve_one_and_a_township_ask_first(browser_page, make_user, divisions):
    make_user(Role.COUNTY_REVIEWER, county="431302", username="county-431302")
    one = _report("431302001001", "60000")
    _report("431302001002", "70000")
    _report("431302001003", "80000")
    page = browser_page.page
    browser_page.login("county-431302")

    browser_page.goto("/income/431302001001/2025/")
    page.click("button[name=action][value=approve]")
    dialog = _dialog(page)
    assert "将审核通过 1 份报告" in dialog.inner_text() and "县级不能撤回" in dialog.inner_text()
    browser_page.screenshot("comfort-confirm-approve")
    dialog.locator("button[value=cancel]").click()
    one.refresh_from_db()
    assert one.status == IncomeStatus.SUBMITTED  # cancelled: nothing happened
    page.click("button[name=action][value=approve]")
    _confirm(page)
    assert "审核通过" in page.locator(".messages").inner_text()
    one.refresh_from_db()
    assert one.status == IncomeStatus.APPROVED

    browser_page.goto("/income/?year=2025&township=431302001")
    page.click("form.bulk button[type=submit]")
    dialog = _dialog(page)
    assert "将审核通过乐坪街道 2 份报告,县级不能撤回" in dialog.inner_text()
    dialog.locator("button[value=cancel]").click()
    assert IncomeReport.objects.filter(status=IncomeStatus.SUBMITTED).count() == 2
    page.click("form.bulk button[type=submit]")
    _confirm(page)
    assert IncomeReport.objects.filter(status=IncomeStatus.APPROVED).count() == 3
    browser_page.assert_no_errors()


def test_submit_all_drafts_asks_first(browser_page, make_user, divisions, open_period):
    open_period(2025)  # townships enter income only while the year's 填报期 is open
    make_user(Role.TOWNSHIP_CLERK, township="431302001", username="town-431302001")
    _report("431302001001", "60000", status=IncomeStatus.DRAFT)
    _report("431302001002", "60000", status=IncomeStatus.DRAFT)
    page = browser_page.page
    browser_page.login("town-431302001")
    browser_page.goto("/income/?year=2025")
    page.click("form.bulk button[type=submit]")
    dialog = _dialog(page)
    assert "将提交 2 份草稿" in dialog.inner_text()
    browser_page.screenshot("comfort-confirm-submit-all")
    dialog.locator("button[value=cancel]").click()
    assert not IncomeReport.objects.filter(status=IncomeStatus.SUBMITTED).exists()
    page.click("form.bulk button[type=submit]")
    _confirm(page)
    assert IncomeReport.objects.filter(status=IncomeStatus.SUBMITTED).count() == 2
    browser_page.assert_no_errors()


def test_deleting_evidence_asks_first(browser_page, make_user, divisions, settings, tmp_path):
    from rectification import services
    from rectification.models import ClueCategory, ClueSource

    settings.MEDIA_ROOT = tmp_path / "media"
    clerk = make_user(Role.TOWNSHIP_CLERK, township="431302001", username="town-431302001")
    reviewer = make_user(Role.COUNTY_REVIEWER, county="431302", username="county-431302")
    clue = services.clue_create(
        user=reviewer,
        source=ClueSource.PUBLIC,
        data=services.ClueInput(
            village=Village.objects.get(code="431302001001"),
            category=ClueCategory.CONTRACT,
            description="鱼塘承包租金两年未收取",
            amount_involved="12000.00",
            responsible_person="村党支部书记",
            deadline=datetime.date.today() + datetime.timedelta(days=30),
            found_on=datetime.date.today(),
        ),
    )
    clue = services.clue_start(clue=clue, user=clerk, measures="约谈承包户,限期缴清租金")
    services.clue_add_evidence(clue=clue, user=clerk, file=upload("收款凭证.pdf", PDF))
    page = browser_page.page
    browser_page.login("town-431302001")
    browser_page.goto(f"/rectification/clues/{clue.pk}/")
    page.click("form[action*='/evidence/'] button:text('删除')")
    dialog = _dialog(page)
    assert "将删除佐证材料“收款凭证.pdf”,删除后不能恢复" in dialog.inner_text()
    browser_page.screenshot("comfort-confirm-evidence")
    dialog.locator("button[value=cancel]").click()
    assert ClueEvidence.objects.count() == 1
    page.click("form[action*='/evidence/'] button:text('删除')")
    _confirm(page)
    assert ClueEvidence.objects.count() == 0
    browser_page.assert_no_errors()


def test_signing_says_what_is_left_out_and_asks_first(browser_page, make_user, divisions):
    make_user(Role.AGRI_BUREAU, username="agri")
    target_plan_create(year=2024, user=system_actor())
    incomes = Incomes()
    incomes.passing()
    codes = [v.code for v in incomes.villages()[:3]]
    incomes.set(codes[0], status=IncomeStatus.SUBMITTED)
    incomes.set(codes[1], status=IncomeStatus.DRAFT)
    run = acceptance_compute(run_id=acceptance_start(year=2024, user=system_actor(), enqueue=False).pk)
    page = browser_page.page
    browser_page.login("agri")
    browser_page.goto(f"/incentives/runs/{run.pk}/")
    page.click("button:text('确认签署')")
    dialog = _dialog(page)
    text = dialog.inner_text()
    assert "仍有 1 份已提交待审核、1 份草稿未纳入本次验收" in text
    assert "三个部门全部签署后 2024 年度关账" in text
    browser_page.screenshot("comfort-confirm-signoff")
    dialog.locator("button[value=cancel]").click()
    assert not AcceptanceSignoff.objects.exists()
    page.click("button:text('确认签署')")
    _confirm(page)
    assert AcceptanceSignoff.objects.count() == 1
    browser_page.assert_no_errors()


@pytest.fixture
def phone_page(chromium_browser, live_server):
    from tests.browser.conftest import BrowserPage

    context = chromium_browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = BrowserPage(context.new_page(), live_server.url)
    yield page
    context.close()


def test_clerk_enters_income_on_a_phone(phone_page, make_user, divisions, open_period):
    open_period(2025)  # townships enter income only while the year's 填报期 is open
    make_user(Role.TOWNSHIP_CLERK, township="431302001", username="town-431302001")
    page = phone_page.page
    phone_page.login("town-431302001")
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS), "首页在 375px 宽时横向滚动"
    # The menu folds away behind one button.
    assert not page.locator("nav.mainnav a:text('收入填报')").is_visible()
    page.click("button.menu-toggle")
    page.click("nav.mainnav a:text('收入填报')")
    page.wait_for_load_state("networkidle")
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS), "收入列表在 375px 宽时整页横向滚动"
    box = page.evaluate(
        "() => { const t = document.querySelector('table.income-table');"
        " return {scroll: t.scrollWidth, client: t.clientWidth}; }"
    )
    assert box["scroll"] > box["client"]  # the wide table scrolls inside its own box
    assert page.locator("button:text('退出登录')").bounding_box()["height"] < 40  # not one character per line
    phone_page.screenshot("comfort-phone-income-list")

    page.click("tr:has(td:text-is('431302001001')) a:text('填报')")
    page.wait_for_load_state("networkidle")
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS), "填报表单在 375px 宽时横向滚动"
    money = page.locator("input[name=operating_revenue]")
    assert money.get_attribute("inputmode") == "decimal"
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('input[name=operating_revenue]')).fontSize")
        == "16px"
    )
    # One column: the hint sits under the field, inside the screen.
    hint = page.locator("text=自 2024 年起应为 0").bounding_box()
    field = page.locator("input[name=contracting_revenue]").bounding_box()
    assert hint["y"] > field["y"] and hint["x"] + hint["width"] <= 375
    page.fill("input[name=operating_revenue]", "120000")
    page.fill("input[name=investment_income]", "15000")
    page.fill("input[name=subsidy_income]", "30000.50")
    page.fill("input[name=other_income]", "0")
    phone_page.screenshot("comfort-phone-entry")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    assert "已提交" in page.locator(".messages").inner_text()
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    report = IncomeReport.objects.get(village__code="431302001001")
    assert report.status == IncomeStatus.SUBMITTED and str(report.total_income) == "165000.50"
    phone_page.assert_no_errors()


def test_chinese_403_and_404_pages(browser_page, make_user, divisions):
    make_user(Role.TOWNSHIP_CLERK, township="431302001", username="town-431302001")
    page = browser_page.page
    browser_page.login("town-431302001")
    response = browser_page.goto("/incentives/plans/new/")
    assert response.status == 403
    text = page.locator("main").inner_text()
    assert "没有权限执行该操作" in text and "只有市委组织部可以进行此操作。" in text
    assert page.locator("nav.mainnav").count() == 1
    browser_page.screenshot("comfort-403")
    response = browser_page.goto("/assets/village/431302100210/")
    assert response.status == 404
    assert "页面不存在或不在您的查看范围内" in page.locator("main").inner_text()
    assert not re.search(r"Not Found|Forbidden", page.content())
    page.click("a:text('返回首页')")
    page.wait_for_load_state("networkidle")
    assert page.url == browser_page.base_url + "/"
