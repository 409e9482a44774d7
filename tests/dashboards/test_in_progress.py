"""A year in progress is labelled, not passed off as final: completeness next to every average and
share, the trend point marked and no growth figure until the year is closed or ≥ 95 % approved."""

from decimal import Decimal

import pytest
from django.urls import reverse

from villages import services
from villages.models import IncomeReport, IncomeStatus, Village

pytestmark = pytest.mark.django_db

YEAR = 2025


def _reports(year: int, villages, status=IncomeStatus.APPROVED, amount="80000.00"):
    IncomeReport.objects.bulk_create(
        IncomeReport(village=v, year=year, status=status, operating_revenue=Decimal(amount)) for v in villages
    )


@pytest.fixture
def city_data(divisions, open_period):
    villages = list(Village.objects.order_by("code"))
    _reports(2024, villages)
    _reports(YEAR, villages[:1000], amount="120000.00")  # 1,000 of 2,107 approved so far
    _reports(YEAR, villages[1000:1100], status=IncomeStatus.DRAFT)
    open_period(YEAR)
    return villages


def _cards(page):
    return {card["key"]: card for card in page.context["cards"]}


def test_a_year_in_progress_shows_no_growth_and_says_how_far_it_is(login, city_user, city_data):
    page = login(city_user).get(reverse("dashboards:city"), {"year": YEAR})
    cards = _cards(page)
    assert cards["avg_total"]["note"] == "年度进行中,暂不计算增长"
    assert cards["avg_total"]["progress"] == "填报中 · 已审核 1000 / 2107"
    assert cards["share_100k"]["progress"] == "填报中 · 已审核 1000 / 2107"
    assert "含未审核 1107 个村" in cards["share_100k"]["note"]
    body = page.content.decode()
    assert "比上年" not in body.split('id="trend"')[0]
    assert "下列数字按规则把未审核的 1107 个村计为未达线" in body
    point = {p["year"]: p for p in page.context["trend"]["rows"]}[YEAR]
    assert point["provisional"] and point["avg_growth_pct"] is None
    spec = page.context["trend"]["chart"]
    assert spec["provisional"] == [False, True] and spec["categories"] == ["2024", "2025(进行中)"]
    assert 'class="provisional"' in body


def test_growth_appears_once_95_percent_are_approved(login, city_user, city_data):
    villages = city_data
    IncomeReport.objects.filter(year=YEAR).delete()
    _reports(YEAR, villages[:2002], amount="120000.00")  # 2,002 / 2,107 = 95.02 %
    page = login(city_user).get(reverse("dashboards:city"), {"year": YEAR})
    point = {p["year"]: p for p in page.context["trend"]["rows"]}[YEAR]
    assert not point["provisional"] and point["avg_growth_pct"] == Decimal("50.0")
    assert _cards(page)["avg_total"]["note"] == "比上年 +50.00%"
    assert _cards(page)["avg_total"]["progress"] == "填报中 · 已审核 2002 / 2107"  # still labelled


def test_a_year_past_its_deadline_is_labelled_until_closed(login, city_user, city_data, open_period):
    open_period(2024, days_left=-60)  # past its deadline, all approved, not yet closed: labelled
    page = login(city_user).get(reverse("dashboards:city"), {"year": 2024})
    assert _cards(page)["avg_total"]["progress"] == "已截止 · 已审核 2107 / 2107"


def test_a_closed_year_is_final_and_unlabelled(login, city_user, city_data, open_period):
    open_period(2024, days_left=-60)
    services.year_close(year=2024, user=city_user)
    page = login(city_user).get(reverse("dashboards:city"), {"year": 2024})
    assert page.context["progress"]["closed"] and not _cards(page)["avg_total"].get("progress")
    assert 'id="year-progress"' not in page.content.decode()


def test_a_year_without_a_period_reads_as_before(login, city_user, city_data):
    # Years loaded before periods existed (the demo's 2022–2024) carry no label and keep their growth.
    page = login(city_user).get(reverse("dashboards:city"), {"year": 2024})
    assert not page.context["progress"]["in_progress"] and not _cards(page)["avg_total"].get("progress")


def test_county_dashboard_labels_the_year_too(login, other_reviewer, city_data):
    # 新化县: 244 of its 695 villages are among the first 1,000 by code, the ones approved.
    page = login(other_reviewer).get(reverse("dashboards:county", args=["431322"]), {"year": YEAR})
    assert page.context["progress"]["in_progress"] and not page.context["progress"]["final"]
    assert _cards(page)["avg_total"]["note"] == "年度进行中,暂不计算增长"
