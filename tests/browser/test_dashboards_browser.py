"""The dashboards in a real browser: every chart draws (an ECharts instance, a painted canvas) and no
page logs a console error or raises a JavaScript error."""

import pytest
from django.urls import reverse

from tests.browser.conftest import BrowserPage
from tests.dashboards.data import income_reports_build, sanzi_and_clues_build, target_plan_build
from villages.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The pixel (inside the chart) of the middle of the first series' tallest bar, and its link.
CLICK_POINT_JS = """(id) => {
  const el = document.getElementById(id);
  const chart = echarts.getInstanceByDom(el);
  const spec = JSON.parse(document.getElementById(el.dataset.chart).textContent);
  const data = spec.series[0].data.map(Number);
  const index = data.indexOf(Math.max(...data));
  const bar = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
  // One link per bar, or one pattern with the county's code in it (panels.chart).
  const s = spec.series[0];
  const url = s.urls && s.urls.length ? s.urls[index] : s.url.replace("{code}", spec.codes[index]);
  return {x: bar.x + bar.width / 2, y: bar.y + bar.height / 2, url: url};
}"""

CITY_CHARTS = {
    "chart-bands",
    "chart-trend",
    "chart-share",
    "chart-tiers",
    "chart-clues",
    "chart-overdue",
    "chart-assets",
}


@pytest.fixture
def demo_like(divisions):
    """Three years of income for all 2,107 villages, 三资, clues and the 2024 plan."""
    income_reports_build()
    sanzi_and_clues_build()
    target_plan_build(year=2024)


def test_city_dashboard_draws_every_chart(browser_page, make_user, demo_like):
    make_user(Role.CITY_ORG, username="city")
    page = browser_page
    page.login("city")
    page.goto(reverse("dashboards:city"))
    assert page.page.locator("h1").inner_text().startswith("数据看板 · 娄底市 2024 年")
    page.assert_charts_drawn(CITY_CHARTS)
    # Headline figures carry their target and whether it is met.
    assert page.page.locator(".dash-card.bad, .dash-card.ok").count() >= 5
    page.screenshot("dashboard-city")

    # Drill down: a county, one of its townships, one of its villages.
    page.page.click("#units a:text('娄星区')")
    page.page.wait_for_load_state("networkidle")
    assert page.page.url.endswith(reverse("dashboards:county", args=["431302"]) + "?year=2024")
    page.assert_charts_drawn({"chart-bands", "chart-trend", "chart-share", "chart-tiers", "chart-assets"})
    page.screenshot("dashboard-city-county")
    page.page.click("#units a:text('乐坪街道')")
    page.page.wait_for_load_state("networkidle")
    page.assert_charts_drawn({"chart-bands", "chart-trend"})
    page.screenshot("dashboard-township")
    page.page.click("#villages tbody tr:first-child td:nth-child(2) a")
    page.page.wait_for_load_state("networkidle")
    assert "/dashboard/village/" in page.page.url
    page.assert_charts_drawn({"chart-village"})
    page.screenshot("dashboard-village")

    # A click on a bar opens the list behind it: the tallest bar of the county tier chart.
    page.goto(reverse("dashboards:city"))
    page.page.locator("#chart-tiers").scroll_into_view_if_needed()
    point = page.page.evaluate(CLICK_POINT_JS, "chart-tiers")
    box = page.page.locator("#chart-tiers").bounding_box()
    with page.page.expect_navigation():
        page.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert page.page.url.endswith(point["url"]), (page.page.url, point)
    assert reverse("income:report_list") in page.page.url
    page.assert_no_errors()


def test_the_year_can_be_chosen(browser_page, make_user, demo_like):
    make_user(Role.CITY_ORG, username="city")
    page = browser_page
    page.login("city")
    page.goto(reverse("dashboards:city"))
    page.page.select_option("select[name=year]", "2023")
    page.page.click(".dash-year button")
    page.page.wait_for_load_state("networkidle")
    assert "year=2023" in page.page.url
    assert "2023 年" in page.page.locator("h1").inner_text()
    page.assert_charts_drawn(CITY_CHARTS)
    page.assert_no_errors()


def test_county_reviewer_dashboard(browser_page, make_user, demo_like):
    make_user(Role.COUNTY_REVIEWER, county="431322", username="county-431322")
    page = browser_page
    page.login("county-431322")
    page.page.click("nav.mainnav a:text('数据看板')")
    page.page.wait_for_load_state("networkidle")
    # The reviewer lands on their own county's dashboard, with its 30 townships.
    assert page.page.url.split("?")[0].endswith(reverse("dashboards:county", args=["431322"]))
    assert "新化县" in page.page.locator("h1").inner_text()
    assert page.page.locator("#units tbody tr").count() == 30
    page.assert_charts_drawn(
        {"chart-bands", "chart-trend", "chart-share", "chart-tiers", "chart-clues", "chart-assets"}
    )
    page.screenshot("dashboard-county-reviewer")
    # Another county's dashboard is not theirs to see.
    response = page.goto(reverse("dashboards:county", args=["431302"]))
    assert response.status == 404
    page.errors.clear()  # the 404 page's own "failed to load" console line is expected
    page.goto(reverse("dashboards:county", args=["431322"]))
    page.assert_no_errors()


def test_tables_read_without_javascript(chromium_browser, live_server, make_user, demo_like):
    """With JavaScript off there are no charts, but every figure is in the tables."""
    make_user(Role.CITY_ORG, username="city")
    context = chromium_browser.new_context(java_script_enabled=False, viewport={"width": 1400, "height": 900})
    page = BrowserPage(context.new_page(), live_server.url)
    page.login("city")
    page.goto(reverse("dashboards:city"))
    assert page.page.locator("#units tbody tr").count() == 5
    assert page.page.locator("#tiers tbody tr").count() == 5
    assert page.page.locator("#bands tbody tr").count() == 9
    assert page.page.locator("#trend tbody tr").count() == 3
    assert page.page.locator("#clues tbody tr").count() >= 5
    assert page.page.locator("#assets tbody tr").count() == 5
    assert page.page.locator(".chart canvas").count() == 0
    page.screenshot("dashboard-city-without-javascript")
    context.close()
