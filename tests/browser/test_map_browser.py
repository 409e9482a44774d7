"""The county map in a real browser: five regions drawn from 娄底市's boundaries, the indicator can
be switched, a click on a county opens its dashboard; a county's townships fall back to ranked bars."""

import pytest
from django.urls import reverse

from tests.dashboards.data import income_reports_build, target_plan_build
from villages.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The map series' regions, and the pixel (inside the chart) of one county's centre.
REGIONS_JS = """([id, name]) => {
  const el = document.getElementById(id);
  const chart = echarts.getInstanceByDom(el);
  const series = chart.getModel().getSeriesByIndex(0);
  const regions = series.coordinateSystem.regions;
  const region = regions.find((r) => r.name === name);
  const rect = region.getBoundingRect();
  const centre = region.getCenter ? region.getCenter() : [rect.x + rect.width / 2, rect.y + rect.height / 2];
  const point = chart.convertToPixel({seriesIndex: 0}, centre);
  const canvas = el.querySelector('canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i]) painted++;
  return {type: series.type, names: regions.map((r) => r.name).sort(), values: series.getData().count(),
          x: point[0], y: point[1], painted: painted, indicator: el.dataset.indicator};
}"""


@pytest.fixture
def income(divisions):
    income_reports_build()
    target_plan_build(year=2024)


def test_city_map_draws_five_counties_and_a_click_opens_one(browser_page, make_user, income):
    make_user(Role.CITY_ORG, username="city")
    page = browser_page
    page.login("city")
    page.goto(reverse("dashboards:city"))
    page.page.locator("#chart-map[data-drawn=true]").wait_for()
    page.page.locator("#chart-map").scroll_into_view_if_needed()
    info = page.page.evaluate(REGIONS_JS, ["chart-map", "冷水江市"])
    assert info["type"] == "series.map"
    assert info["names"] == sorted(["娄星区", "双峰县", "新化县", "冷水江市", "涟源市"])
    assert info["values"] == 5 and info["painted"] > 0
    assert info["indicator"] == "share_100k_pct"
    page.page.select_option("#map-indicator", "avg_total_wan")
    assert page.page.locator("#chart-map").get_attribute("data-indicator") == "avg_total_wan"
    page.screenshot("dashboard-city-map")
    info = page.page.evaluate(REGIONS_JS, ["chart-map", "冷水江市"])
    box = page.page.locator("#chart-map").bounding_box()
    with page.page.expect_navigation():
        page.page.mouse.click(box["x"] + info["x"], box["y"] + info["y"])
    assert page.page.url.split("?")[0].endswith(reverse("dashboards:county", args=["431381"])), page.page.url

    # A county: townships have no boundaries, so the same indicators are ranked bars.
    page.page.locator("#chart-map[data-drawn=true]").wait_for()
    kind = page.page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-map')).getOption().series[0].type"
    )
    assert kind == "bar"
    page.assert_no_errors()
