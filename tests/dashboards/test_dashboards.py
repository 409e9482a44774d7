"""Dashboards: figures equal the shared income selector's, each figure links to its list, scope is
enforced (404 outside it, 403 for clerks on county dashboards), and the query count is fixed."""

import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incentives.dashboards import panels
from incentives.dashboards import selectors as dash
from incentives.dashboards.panels import TABLES_APART_FROM
from loudi_portal.views import COUNTIES_PER_PAGE
from rectification.models import Clue, ClueStatus
from rectification.selectors import clue_rates_by_unit
from tests.checks import page_refused
from tests.portal.test_page_size import PROVINCE_COUNTIES, _add_counties, _add_province
from villages.models import County, IncomeReport, IncomeStatus, Notification, NotificationKind, Role, Township, Village
from villages.scope import scope_for

pytestmark = pytest.mark.django_db


# The seed's lines, and the bands of 经营性收入 (lower bound included), as the dashboards state them.
CLEARING_LINE, SHARE_LINE, LINE_500K, LINE_1M = (Decimal(n) for n in ("50000", "100000", "500000", "1000000"))
BAND_EDGES = (
    ("5万以下", None, 50000),
    ("5万–10万", 50000, 100000),
    ("10万–20万", 100000, 200000),
    ("20万–50万", 200000, 500000),
    ("50万–100万", 500000, 1000000),
    ("100万以上", 1000000, None),
)
STATUS_LABELS = {IncomeStatus.APPROVED: "已审核", IncomeStatus.SUBMITTED: "已提交", IncomeStatus.DRAFT: "草稿"}


def _operating(report) -> Decimal:
    """经营性收入 from the report's own amounts (not the database's generated column)."""
    return report.operating_revenue + report.contracting_revenue + report.investment_income


def _total(report) -> Decimal:
    return _operating(report) + report.subsidy_income + report.other_income


def _tier(operating: Decimal) -> str:
    return "weak" if operating < 100000 else "middle" if operating < 500000 else "strong"


def _stats(year=2024, by="city", scope=None, share_line=SHARE_LINE):
    """The dashboard's figures computed independently, in Python over the raw rows (villages and
    their reports), not with the selector the page uses."""
    villages = scope.villages() if scope else Village.objects.all()
    villages = villages.select_related("township__county")
    reports = {r.village_id: r for r in IncomeReport.objects.filter(year=year, village__in=villages)}
    units: dict[str, dict] = {}
    for village in villages:
        place = {"city": ("431300", "娄底市"), "county": village.township.county, "township": village.township}[by]
        code, name = place if by == "city" else (place.code, place.name)
        unit = units.setdefault(
            code,
            {
                "name": name,
                "villages": 0,
                "approved": 0,
                "submitted": 0,
                "draft": 0,
                "not_started": 0,
                "totals": [],
                "s": 0,
                "c5": 0,
                "c1": 0,
                "clear": 0,
                "below_weak_line": 0,
                "tier_weak": 0,
                "tier_middle": 0,
                "tier_strong": 0,
                "tier_million": 0,
                "bands": {label: 0 for label, _, _ in BAND_EDGES},
            },
        )
        unit["villages"] += 1
        report = reports.get(village.pk)
        if report is None:
            unit["not_started"] += 1
        elif report.status == IncomeStatus.SUBMITTED:
            unit["submitted"] += 1
        elif report.status == IncomeStatus.DRAFT:
            unit["draft"] += 1
        if report is None or report.status != IncomeStatus.APPROVED:
            unit["tier_weak"] += 1
            continue
        unit["approved"] += 1
        operating, total = _operating(report), _total(report)
        unit["totals"].append(total)
        unit["s"] += operating >= share_line
        unit["c5"] += operating >= LINE_500K
        unit["c1"] += operating >= LINE_1M
        unit["clear"] += total >= CLEARING_LINE
        unit["below_weak_line"] += total < CLEARING_LINE
        unit[f"tier_{_tier(operating)}"] += 1
        unit["tier_million"] += operating >= LINE_1M
        label = next(
            b for b, low, high in BAND_EDGES if (low is None or operating >= low) and (high is None or operating < high)
        )
        unit["bands"][label] += 1
    for unit in units.values():
        unit["unreported"] = unit["villages"] - unit["approved"]
        unit["avg_total"] = sum(unit["totals"]) / len(unit["totals"]) if unit["totals"] else None
        unit["bands"].update({"已提交待审核": unit["submitted"], "草稿": unit["draft"], "未填报": unit["not_started"]})
    return dict(sorted(units.items()))


def _floor_pct(part: int, whole: int) -> Decimal:
    """part / whole in percent, cut (not rounded) to 2 decimals, by integer arithmetic."""
    return Decimal(part * 10000 // whole) / 100


def _growth_pct(current: Decimal, previous: Decimal) -> Decimal:
    """Growth in percent: the fraction rounded half up to 4 decimals, then × 100."""
    return ((current - previous) / previous).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) * 100


def _wan(yuan: Decimal) -> Decimal:
    return (yuan / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _cards(response) -> dict:
    return {card["key"]: card for card in response.context["cards"]}


def _assert_headline(page, unit: dict) -> None:
    """A dashboard's cards against a unit of _stats."""
    cards = _cards(page)
    assert cards["villages"]["value"] == unit["villages"]
    assert cards["villages"]["note"] == f"已审核 {unit['approved']} 个"
    assert cards["avg_total"]["value"] == _wan(unit["avg_total"])
    assert cards["share_100k"]["value"] == _floor_pct(unit["s"], unit["villages"])
    assert cards["share_100k"]["note"].startswith(f"{unit['s']} 个村")
    assert cards["count_500k"]["value"] == unit["c5"]
    assert cards["count_1m"]["value"] == unit["c1"]
    assert cards["below_line"]["value"] == unit["villages"] - unit["clear"]
    assert cards["below_line"]["note"] == f"其中未审核 {unit['unreported']} 个"
    assert cards["completeness"]["value"] == _floor_pct(unit["approved"], unit["villages"])
    assert cards["completeness"]["note"] == (
        f"待审核 {unit['submitted']} · 草稿 {unit['draft']} · 未填报 {unit['not_started']}"
    )


def _assert_bands(page, unit: dict) -> None:
    """Every band and status row, with its share of the unit's villages; they cover each village once."""
    rows = page.context["bands"]["rows"]
    assert {r["label"]: r["count"] for r in rows} == unit["bands"]
    assert sum(r["count"] for r in rows) == unit["villages"]
    for row in rows:
        assert row["pct"] == _floor_pct(row["count"], unit["villages"]), row["label"]


def _assert_rows(rows: list[dict], expected: dict[str, dict]) -> None:
    """A dashboard's rows (counties or townships) against _stats by that level."""
    by_code = {row["code"]: row for row in rows}
    assert list(by_code) == list(expected)
    for code, unit in expected.items():
        row = by_code[code]
        assert row["name"] == unit["name"]
        assert (row["villages"], row["approved"], row["submitted"]) == (
            unit["villages"],
            unit["approved"],
            unit["submitted"],
        ), code
        assert (row["share_100k"], row["count_500k"], row["count_1m"]) == (unit["s"], unit["c5"], unit["c1"]), code
        assert row["share_100k_pct"] == _floor_pct(unit["s"], unit["villages"]), code
        assert row["below_line"] == unit["villages"] - unit["clear"], code
        assert row["avg_total_wan"] == (_wan(unit["avg_total"]) if unit["totals"] else None), code
        for tier in ("weak", "middle", "strong", "million"):
            assert row[f"tier_{tier}"] == unit[f"tier_{tier}"], (code, tier)


def _expected_checks(unit: dict, *, share_required: Decimal, c500: int, c1m: int) -> dict:
    """Each target met or not, and the gap in villages, worked out here: the share needs
    ceil(required × villages) villages; the clearing target needs every village approved and ≥ 5万."""
    needed = -(-(share_required * unit["villages"]) // 1)  # ceiling, exact in Decimal
    below = unit["villages"] - unit["clear"]
    return {
        "clearing": {"met": below == 0, "gap": below},
        "share_100k": {"met": unit["s"] >= needed, "gap": max(int(needed) - unit["s"], 0)},
        "count_500k": {"met": unit["c5"] >= c500, "gap": max(c500 - unit["c5"], 0)},
        "count_1m": {"met": unit["c1"] >= c1m, "gap": max(c1m - unit["c1"], 0)},
    }


def _shown_checks(checks: dict) -> dict:
    return {key: {"met": check["met"], "gap": check["gap"]} for key, check in checks.items()}


# --- figures ---------------------------------------------------------------------------------------


def test_city_headline_figures_equal_income_unit_stats(login, city_user, income_data):
    page = login(city_user).get(reverse("dashboards:city"))
    assert page.status_code == 200
    assert page.context["year"] == 2024  # the latest year with reports
    expected = _stats()["431300"]
    cards = _cards(page)
    assert cards["villages"]["value"] == expected["villages"] == 2107
    assert cards["avg_total"]["value"] == (expected["avg_total"] / 10000).quantize(Decimal("0.01"))
    # 1,264 of 2,107 must never show as 60.0 %: the share is cut, not rounded.
    assert page.context["unit"]["share_100k"] == expected["s"]
    assert cards["share_100k"]["value"] == _floor_pct(expected["s"], 2107)
    assert cards["count_500k"]["value"] == expected["c5"]
    assert cards["count_1m"]["value"] == expected["c1"] == expected["tier_million"]
    # Below 5万: approved reports under the line plus villages with no approved report.
    assert cards["below_line"]["value"] == expected["villages"] - expected["clear"]
    assert cards["below_line"]["value"] == expected["below_weak_line"] + expected["unreported"]
    assert page.context["unit"]["approved"] == expected["approved"]
    assert cards["completeness"]["value"] == _floor_pct(expected["approved"], 2107)
    _assert_headline(page, expected)


def test_growth_is_on_the_previous_years_average(login, city_user, income_data):
    page = login(city_user).get(reverse("dashboards:city"))
    avg_2023 = _stats(2023)["431300"]["avg_total"]
    avg_2024 = _stats(2024)["431300"]["avg_total"]
    avg_2023, avg_2024 = avg_2023.quantize(Decimal("0.01")), avg_2024.quantize(Decimal("0.01"))
    growth = ((avg_2024 - avg_2023) / avg_2023).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) * 100
    assert _cards(page)["avg_total"]["note"] == f"比上年 +{growth:.2f}%"
    trend = {p["year"]: p for p in page.context["trend"]["rows"]}
    assert sorted(trend) == [2022, 2023, 2024]
    assert trend[2023]["avg_total"] == avg_2023
    assert trend[2022]["avg_growth_pct"] is None


def test_county_rows_and_tiers_equal_income_unit_stats(login, city_user, income_data):
    page = login(city_user).get(reverse("dashboards:city"))
    expected = _stats(by="county")
    _assert_rows(page.context["rows"], expected)
    # 新化县 has reports not yet approved: they count as 弱村 and below the line.
    xinhua = expected["431322"]
    assert xinhua["submitted"] and xinhua["draft"] and xinhua["not_started"]
    # The tier chart carries the same numbers as the table.
    tiers = page.context["tiers"]["chart"]
    assert tiers["categories"] == [u["name"] for u in expected.values()]
    weak = next(s for s in tiers["series"] if s["name"] == "弱村")
    assert weak["data"] == [u["tier_weak"] for u in expected.values()]


def test_bands_cover_every_village_once(login, city_user, income_data):
    page = login(city_user).get(reverse("dashboards:city"))
    city = _stats()["431300"]
    assert city["villages"] == 2107 and all(city["bands"].values())  # every band has villages here
    _assert_bands(page, city)


def test_a_chosen_year_and_an_unknown_year(login, city_user, income_data):
    client = login(city_user)
    page = client.get(reverse("dashboards:city"), {"year": "2022"})
    assert page.context["year"] == 2022
    assert _cards(page)["count_500k"]["value"] == _stats(2022)["431300"]["c5"]
    # The pick is remembered for the session: an unknown year, or none, opens on it again.
    assert client.get(reverse("dashboards:city"), {"year": "1999"}).context["year"] == 2022
    assert client.get(reverse("dashboards:city"), {"year": "abc"}).context["year"] == 2022
    assert client.get(reverse("dashboards:city")).context["year"] == 2022
    # Without a pick, the latest year with approved reports (none is closed or accepted here).
    client.logout()
    client = login(city_user)
    assert client.get(reverse("dashboards:city"), {"year": "1999"}).context["year"] == 2024


def test_county_dashboard_figures_are_its_townships(login, reviewer, income_data):
    page = login(reviewer).get(reverse("dashboards:county", args=["431302"]))
    assert page.status_code == 200
    assert page.context["unit"]["villages"] == 233
    expected = _stats(by="township", scope=scope_for(reviewer))
    assert len(expected) == 13
    _assert_rows(page.context["rows"], expected)
    county = _stats(by="county")["431302"]
    _assert_headline(page, county)
    _assert_bands(page, county)


def test_a_lagging_countys_dashboard(login, city_user, income_data):
    """新化县: drafts, submitted and missing reports counted where they belong, on the county's
    page and on the township with the most of them."""
    client = login(city_user)
    page = client.get(reverse("dashboards:county", args=["431322"]))
    county = _stats(by="county")["431322"]
    _assert_headline(page, county)
    _assert_bands(page, county)
    townships = {code: u for code, u in _stats(by="township").items() if code.startswith("431322")}
    _assert_rows(page.context["rows"], townships)
    code, unit = max(townships.items(), key=lambda item: item[1]["unreported"])
    assert unit["unreported"] > 0
    township = client.get(reverse("dashboards:township", args=[code]))
    _assert_headline(township, unit)
    _assert_bands(township, unit)
    _assert_village_rows(township, code)


def _assert_village_rows(page, township_code: str, year: int = 2024) -> None:
    """A township page's village rows against each village's report, one by one."""
    villages = list(Village.objects.filter(township__code=township_code).order_by("code"))
    reports = {r.village_id: r for r in IncomeReport.objects.filter(year=year, village__in=villages)}
    rows = page.context["village_rows"]
    assert [r["village"].code for r in rows] == [v.code for v in villages]
    html = page.content.decode()
    for row, village in zip(rows, villages, strict=True):
        assert village.name in html
        report = reports.get(village.pk)
        approved = report is not None and report.status == IncomeStatus.APPROVED
        assert row["status"] == (STATUS_LABELS[report.status] if report else "未填报"), village.code
        if approved:
            operating, total = _operating(report), _total(report)
            assert (row["total_wan"], row["operating_wan"]) == (_wan(total), _wan(operating)), village.code
            assert row["tier"] == {"weak": "弱村", "middle": "中间村", "strong": "强村"}[_tier(operating)]
            assert row["million"] == (operating >= LINE_1M)
            assert row["below_line"] == (total < CLEARING_LINE), village.code
        else:
            assert (row["total_wan"], row["operating_wan"], row["tier"]) == (None, None, "弱村(未审核)")
            assert row["below_line"] is True and row["million"] is False


def test_township_and_village_pages(login, reviewer, income_data):
    client = login(reviewer)
    page = client.get(reverse("dashboards:township", args=["431302001"]))
    assert page.status_code == 200
    assert len(page.context["village_rows"]) == 12
    _assert_village_rows(page, "431302001")
    unit = _stats(by="township", scope=scope_for(reviewer))["431302001"]
    _assert_headline(page, unit)
    _assert_bands(page, unit)
    first = page.context["village_rows"][0]["village"]
    village = client.get(reverse("dashboards:village", args=[first.code]))
    assert village.status_code == 200
    history = village.context["history"]
    assert [h["year"] for h in history] == [2022, 2023, 2024]
    reports = {r.year: r for r in IncomeReport.objects.filter(village=first)}
    tiers = {"weak": "弱村", "middle": "中间村", "strong": "强村"}
    for point in history:
        report = reports[point["year"]]
        assert report.status == IncomeStatus.APPROVED
        assert (point["total_wan"], point["operating_wan"]) == (_wan(_total(report)), _wan(_operating(report)))
        assert point["tier"] == tiers[_tier(_operating(report))]
    assert history[0]["growth_pct"] is None
    assert history[-1]["growth_pct"] == _growth_pct(_total(reports[2024]), _total(reports[2023]))
    assert "三资概况" in village.content.decode()


def test_township_rows_count_unapproved_villages_as_weak(login, city_user, income_data):
    report = IncomeReport.objects.filter(
        village__township__county__code="431322", year=2024, status=IncomeStatus.SUBMITTED
    ).first()
    page = login(city_user).get(reverse("dashboards:township", args=[report.village.township.code]))
    row = next(r for r in page.context["village_rows"] if r["village"].pk == report.village_id)
    assert row["status"] == "已提交" and row["tier"] == "弱村(未审核)" and row["below_line"] is True
    assert row["total_wan"] is None


def test_village_page_shows_sanzi_and_open_clues(login, city_user, full_data):
    from assets.selectors import village_assets_summary
    from rectification.models import Clue, ClueStatus

    clue = Clue.objects.exclude(status=ClueStatus.CLOSED).select_related("village").first()
    village = clue.village
    page = login(city_user).get(reverse("dashboards:village", args=[village.code]))
    summary = village_assets_summary(village=village)
    assert page.context["assets"]["asset_count"] == summary["asset_count"]
    assert page.context["assets"]["idle_count"] == summary["idle_count"]
    open_clues = Clue.objects.filter(village=village).exclude(status=ClueStatus.CLOSED)
    shown_open = {c.pk for c in page.context["clues"] if c.status != ClueStatus.CLOSED}
    assert shown_open == set(open_clues.values_list("pk", flat=True))
    assert page.context["open_clue_count"] == open_clues.count()
    html = page.content.decode()
    assert reverse("rectification:clue_detail", args=[clue.pk]) in html
    assert f"{reverse('assets:asset_list')}?village={village.code}" in html
    assert f"{reverse('rectification:clue_list')}?village={village.code}&amp;overdue=1" in html


# --- targets ---------------------------------------------------------------------------------------


def test_without_a_plan_the_page_says_so(login, city_user, income_data):
    page = login(city_user).get(reverse("dashboards:city"))
    assert "2024 年尚未制定目标方案" in page.content.decode()
    assert all(card.get("check") is None for card in page.context["cards"])


def test_each_figure_against_the_plans_targets(login, city_user, income_data, plan_2024):
    page = login(city_user).get(reverse("dashboards:city"))
    html = page.content.decode()
    assert "2024 年尚未制定目标方案" not in html
    assert "占比 ≥ 60.00%" in html
    city = _stats()["431300"]
    cards = _cards(page)
    assert (plan_2024.share_required, plan_2024.count_500k_required, plan_2024.count_1m_required) == (
        Decimal("0.6"),
        100,
        20,
    )
    expected = _expected_checks(city, share_required=Decimal("0.6"), c500=100, c1m=20)
    shown = {key: cards[card]["check"] for key, card in CHECKED_CARDS.items()}
    assert _shown_checks(shown) == expected
    # Per county, against its allocation: every target met or not, its gap, and whether it passed.
    rows = {r["code"]: r for r in page.context["rows"]}
    counties = _stats(by="county")
    allocations = {a.county.code: a for a in plan_2024.county_targets.select_related("county")}
    assert set(allocations) == set(counties)
    for code, allocation in allocations.items():
        assert allocation.share_required is None  # inherits the city's 60 %
        expected = _expected_checks(
            counties[code],
            share_required=plan_2024.share_required,
            c500=allocation.count_500k_required,
            c1m=allocation.count_1m_required,
        )
        assert _shown_checks(rows[code]["checks"]) == expected, code
        assert rows[code]["passed"] is all(c["met"] for c in expected.values()), code
        assert rows[code]["checks"]["count_500k"]["target"] == allocation.count_500k_required
    # 新化县 has unapproved reports, so it cannot meet the clearing target.
    assert rows["431322"]["checks"]["clearing"]["met"] is False and rows["431322"]["passed"] is False
    assert {rows[code]["checks"]["count_500k"]["met"] for code in rows} == {True, False}  # both cases occur


# The card showing each target's check.
CHECKED_CARDS = {
    "clearing": "below_line",
    "share_100k": "share_100k",
    "count_500k": "count_500k",
    "count_1m": "count_1m",
}


def test_county_dashboard_against_its_targets(login, reviewer, income_data, plan_2024):
    page = login(reviewer).get(reverse("dashboards:county", args=["431302"]))
    allocation = plan_2024.county_targets.get(county__code="431302")
    county = _stats(by="county")["431302"]
    expected = _expected_checks(
        county,
        share_required=plan_2024.share_required,
        c500=allocation.count_500k_required,
        c1m=allocation.count_1m_required,
    )
    cards = _cards(page)
    assert _shown_checks({key: cards[card]["check"] for key, card in CHECKED_CARDS.items()}) == expected
    # Its townships have no targets of their own.
    assert all(not row["has_targets"] and row["checks"] == {} for row in page.context["rows"])


def test_a_countys_own_lines_are_used_for_its_figures(login, city_user, income_data, plan_2024):
    allocation = plan_2024.county_targets.get(county__code="431302")
    allocation.share_threshold = Decimal("200000.00")
    allocation.save()
    page = login(city_user).get(reverse("dashboards:city"))
    row = {r["code"]: r for r in page.context["rows"]}["431302"]
    expected = _stats(by="county", share_line=Decimal("200000"))["431302"]["s"]
    assert 0 < row["share_100k"] == expected < _stats(by="county")["431302"]["s"]
    assert "operating_min=200000" in row["share_url"]
    # Its townships are counted on the county's line too, on the county and township pages.
    county_page = login(city_user).get(reverse("dashboards:county", args=["431302"]))
    township = {r["code"]: r for r in county_page.context["rows"]}["431302001"]
    in_township = _stats(by="township", share_line=Decimal("200000"))["431302001"]["s"]
    assert township["share_100k"] == in_township
    assert "≥ 20万" in _cards(county_page)["share_100k"]["label"]
    township_page = login(city_user).get(reverse("dashboards:township", args=["431302001"]))
    assert _cards(township_page)["share_100k"]["note"] == f"{in_township} 个村"


# --- rectification and 三资 ------------------------------------------------------------------------


def test_rectification_and_assets_by_county(login, city_user, full_data):
    page = login(city_user).get(reverse("dashboards:city"))
    rates = clue_rates_by_unit(scope=scope_for(city_user), by="county")
    rows = {r["code"]: r for r in page.context["clues"]["rows"]}
    for code, unit in rates.items():
        assert rows[code]["clues"] == unit["clues"]
        assert rows[code]["overdue"] == unit["overdue"]
        closed = Clue.objects.filter(village__township__county__code=code, status=ClueStatus.CLOSED).count()
        total = Clue.objects.filter(village__township__county__code=code).count()
        assert total and rows[code]["rate_pct"] == _floor_pct(closed, total)
    assert page.context["clues"]["total"]["clues"] == sum(u["clues"] for u in rates.values())
    assert len(page.context["clues"]["trend"]["days"]) == 30
    assets = {r["code"]: r for r in page.context["assets"]["rows"]}
    assert sum(r["idle_value"] for r in assets.values()) > 0
    assert sum(r["revitalised_income"] for r in assets.values()) > 0


# --- links -----------------------------------------------------------------------------------------


def _hrefs(response) -> set[str]:
    return {h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', response.content.decode())}


def test_every_figure_links_to_its_list(login, city_user, full_data):
    page = login(city_user).get(reverse("dashboards:city"))
    hrefs = _hrefs(page)
    income = reverse("income:report_list")
    for code in ("431302", "431322"):
        assert f"{reverse('dashboards:county', args=[code])}?year=2024" in hrefs
        assert f"{income}?year=2024&county={code}&below_line=1" in hrefs
        assert f"{income}?year=2024&county={code}&status=approved&operating_min=100000" in hrefs
        for tier in ("weak", "middle", "strong", "million"):
            assert f"{income}?year=2024&county={code}&tier={tier}" in hrefs
        assert f"{reverse('rectification:clue_list')}?county={code}&overdue=1" in hrefs
        assert f"{reverse('rectification:clue_list')}?county={code}&status=closed" in hrefs
        assert f"{reverse('assets:asset_list')}?county={code}&status=idle" in hrefs
        assert f"{reverse('assets:asset_list')}?county={code}&revitalised=1" in hrefs
    assert f"{income}?year=2024&below_line=1" in hrefs
    assert f"{reverse('income:completeness')}?year=2024" in hrefs
    # Cards: each one a link.
    for card in page.context["cards"]:
        assert card["url"] in hrefs
    # The chart data carries the same links for clicks: one pattern for the five counties' bars.
    data = json.loads(re.search(r'id="chart-tiers-data"[^>]*>(.*?)</script>', page.content.decode(), re.S).group(1))
    million = data["series"][3]
    assert "urls" not in million and million["url"] == f"{income}?year=2024&county={{code}}&tier=million"
    assert _point_urls(data, million) == [r["tier_urls"]["million"] for r in page.context["rows"]]
    assert f"{income}?year=2024&county=431302&tier=million" in _point_urls(data, million)


def _point_urls(spec: dict, one: dict) -> list[str]:
    """The link behind each point of a series, as dashboards.js reads it."""
    if one.get("urls"):
        return one["urls"]
    return [one["url"].replace("{code}", code) for code in spec.get("codes", [""] * len(spec["categories"]))]


def test_links_lead_to_lists_with_the_same_count(login, city_user, income_data):
    """The list behind a figure shows as many villages as the figure says."""
    client = login(city_user)
    page = client.get(reverse("dashboards:city"))
    row = {r["code"]: r for r in page.context["rows"]}["431302"]
    for url, figure in (
        (row["below_url"], row["below_line"]),
        (row["share_url"], row["share_100k"]),
        (row["tier_urls"]["middle"], row["tier_middle"]),
        (row["tier_urls"]["million"], row["tier_million"]),
    ):
        listing = client.get(url)
        assert listing.status_code == 200
        assert listing.context["paginator"].count == figure, url


def _listed(client, url) -> int:
    listing = client.get(url)
    assert listing.status_code == 200, url
    return listing.context["paginator"].count


def test_band_links(login, city_user, income_data):
    """Each band links to the tier it lies in, narrowed by operating_min / operating_max."""
    client = login(city_user)
    page = client.get(reverse("dashboards:county", args=["431302"]))
    bands = {r["label"]: r for r in page.context["bands"]["rows"]}
    assert "tier=weak&operating_min=50000" in bands["5万–10万"]["url"]
    assert "tier=middle&operating_min=200000" in bands["20万–50万"]["url"]
    assert bands["100万以上"]["url"].endswith("status=approved&tier=million")
    assert "tier=strong&operating_max=1000000" in bands["50万–100万"]["url"]
    assert "tier=middle&operating_max=200000" in bands["10万–20万"]["url"]
    # The list behind every band holds exactly the band's villages.
    for label, band in bands.items():
        assert _listed(client, band["url"]) == band["count"], label


def test_drill_down_city_county_township_village(login, city_user, income_data):
    client = login(city_user)
    city = client.get(reverse("dashboards:city"))
    county_url = {r["code"]: r for r in city.context["rows"]}["431302"]["drill_url"]
    county = client.get(county_url)
    assert county.status_code == 200 and county.context["county"].code == "431302"
    township_url = {r["code"]: r for r in county.context["rows"]}["431302001"]["drill_url"]
    township = client.get(township_url)
    assert township.status_code == 200
    village_url = township.context["village_rows"][0]["url"]
    assert client.get(village_url).status_code == 200
    assert village_url in _hrefs(township)


# --- scope -----------------------------------------------------------------------------------------


def test_county_reviewer_is_sent_to_their_county(login, reviewer, income_data):
    response = login(reviewer).get(reverse("dashboards:city"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:county", args=["431302"])


def test_reviewer_of_another_county_gets_404(login, other_reviewer, income_data):
    client = login(other_reviewer)
    leping = Township.objects.get(code="431302001")
    village = Village.objects.get(code="431302001001")
    # Nothing of 娄星区 on the 404s: not its name, its township's, its village's.
    page_refused(client.get(reverse("dashboards:county", args=["431302"])), 404, hides=["娄星区", leping.name])
    page_refused(client.get(reverse("dashboards:township", args=["431302001"])), 404, hides=[leping.name])
    page_refused(client.get(reverse("dashboards:village", args=[village.code])), 404, hides=[village.name])
    own = client.get(reverse("dashboards:county", args=["431322"]))
    assert own.status_code == 200 and own.context["county"].code == "431322"
    assert own.context["unit"]["villages"] == Village.objects.filter(township__county__code="431322").count()
    assert "新化县" in own.content.decode()


def test_clerks_get_no_county_or_city_dashboard(login, clerk, income_data):
    client = login(clerk)
    page_refused(client.get(reverse("dashboards:city")), 403, reason="数据看板仅供市级和县级用户查看。")
    for county in ("431302", "431322"):
        page_refused(
            client.get(reverse("dashboards:county", args=[county])),
            403,
            reason="县市区数据看板仅供市级和县级用户查看。",
            hides=["新化县"],
        )
    # Their own township and its villages only.
    own = client.get(reverse("dashboards:township", args=["431302001"]))
    assert own.status_code == 200
    villages = list(Village.objects.filter(township__code="431302001").order_by("code"))
    assert sorted(r["village"].code for r in own.context["village_rows"]) == [v.code for v in villages]
    assert all(v.name in own.content.decode() for v in villages)
    neighbour = Township.objects.get(code="431302002")
    page_refused(client.get(reverse("dashboards:township", args=[neighbour.code])), 404, hides=[neighbour.name])
    village = client.get(reverse("dashboards:village", args=["431302001001"]))
    assert village.status_code == 200 and village.context["village"].code == "431302001001"
    assert villages[0].name in village.content.decode()
    other = Village.objects.filter(township__code="431302002").order_by("code").first()
    page_refused(client.get(reverse("dashboards:village", args=[other.code])), 404, hides=[other.name])


def test_bureaus_see_the_city_dashboard(login, make_user, income_data):
    approved = IncomeReport.objects.filter(year=2024, status=IncomeStatus.APPROVED).count()
    for role in (Role.AGRI_BUREAU, Role.FINANCE_BUREAU, Role.ADMIN):
        page = login(make_user(role)).get(reverse("dashboards:city"))
        assert page.status_code == 200, role
        assert page.context["unit"]["villages"] == 2107 and page.context["unit"]["approved"] == approved
        assert "数据看板" in page.content.decode()
        assert {r["code"] for r in page.context["rows"]} == set(County.objects.values_list("code", flat=True))


# --- pages without JavaScript, charts served locally -------------------------------------------------


def test_every_chart_has_its_data_and_the_library_is_local(login, city_user, full_data):
    html = login(city_user).get(reverse("dashboards:city")).content.decode()
    containers = re.findall(r'data-chart="([^"]+)"', html)
    assert set(containers) >= {
        "chart-bands-data",
        "chart-trend-data",
        "chart-share-data",
        "chart-tiers-data",
        "chart-clues-data",
        "chart-overdue-data",
        "chart-assets-data",
    }
    for source in containers:
        assert f'id="{source}" type="application/json"' in html
    assert '<script src="/static/vendor/echarts/echarts.min.js"></script>' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_echarts_is_served_by_the_portal(client, divisions):
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/echarts/echarts.min.js"), "npm ci 未安装 echarts(node_modules/echarts/dist)"
    assert finders.find("incentives/dashboards/dashboards.js")


# --- query counts ----------------------------------------------------------------------------------

# The city dashboard's queries, whatever the number of villages: session, user, scope (3); years (1);
# the year it opens on (closed years, finished runs, periods, latest approved year: 4); the
# header's unread notifications (1);
# plan (1, and its county targets when there is one); income for the city and per county (2 + 2);
# trend (1); clue rates per county and for the city (2 + 1); overdue trend (1); 三资 per county (4);
# the previous year's averages per county for the map's growth (2); closed years and periods for
# labelling a year in progress (2); the organisation panel (teams 3, training 3, suggestions 1).
ORGANISATION_PANEL_QUERIES = 7
CITY_DASHBOARD_QUERIES = 27 + ORGANISATION_PANEL_QUERIES


def _keep_only(n: int) -> None:
    """Delete every village but the first n, and their data: the city shrinks to n villages.

    Plain SQL: the ORM would load every row to write its deletion into the audit history."""
    from assets.models import Asset, Resource, Revitalisation
    from rectification.models import Clue

    keep = list(Village.objects.order_by("code").values_list("pk", flat=True)[:n])
    marks = ", ".join(["%s"] * len(keep))
    with connection.cursor() as cursor:
        for model in (Revitalisation, Asset, Resource, Clue, IncomeReport):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE village_id NOT IN ({marks})", keep)
        cursor.execute(f"DELETE FROM {Village._meta.db_table} WHERE id NOT IN ({marks})", keep)
    assert Village.objects.count() == n


def test_city_dashboard_costs_the_same_queries_for_2107_and_20_villages(
    login, city_user, full_data, django_assert_num_queries
):
    client = login(city_user)
    url = reverse("dashboards:city") + "?refresh=1"  # computed, not read from the cache
    with django_assert_num_queries(CITY_DASHBOARD_QUERIES):
        page = client.get(url)
    assert page.context["unit"]["villages"] == 2107
    assert len(page.content) < MAX_DASHBOARD_BYTES
    _keep_only(20)
    with django_assert_num_queries(CITY_DASHBOARD_QUERIES):
        page = client.get(url)
    assert page.context["unit"]["villages"] == 20
    assert len(page.content) < MAX_DASHBOARD_BYTES


def test_city_dashboard_with_a_plan_costs_one_query_more(
    login, city_user, full_data, plan_2024, django_assert_num_queries
):
    client = login(city_user)
    url = reverse("dashboards:city") + "?refresh=1"
    with django_assert_num_queries(CITY_DASHBOARD_QUERIES + 1):  # the plan's county targets
        client.get(url)
    _keep_only(20)
    with django_assert_num_queries(CITY_DASHBOARD_QUERIES + 1):
        client.get(url)


def test_city_dashboard_figures_are_cached_until_the_data_changes(login, city_user, clerk, full_data):
    client = login(city_user)
    url = reverse("dashboards:city")
    with CaptureQueriesContext(connection) as computed:
        first = client.get(url)
    assert first.context["unit"]["villages"] == 2107
    assert f"数据更新于 {timezone.localtime(first.context['computed_at']):%H:%M}" in first.content.decode()
    with CaptureQueriesContext(connection) as cached:
        again = client.get(url)
    # The same figures and time, from the cache: only the session, user, scope and years are read.
    assert again.context["computed_at"] == first.context["computed_at"]
    assert len(cached) < len(computed) - 10
    # Their HTML is kept with them: the cached view renders no table again.
    fragment = cache.get(
        make_template_fragment_key(
            "dashboard_figures", ["city", first.context["year"], first.context["computed_at"].isoformat()]
        )
    )
    assert fragment and 'class="table dash-units dash-nums"' in fragment and fragment in again.content.decode()
    # Not even the years on record: no village's reports are read until one changes.
    assert not [q for q in cached.captured_queries if '"villages_incomereport"."village_id"' in q["sql"]]
    assert [q for q in computed.captured_queries if '"villages_incomereport"."village_id"' in q["sql"]]
    # A write no figure reads (a notification read) keeps them.
    Notification.objects.create(recipient=clerk, kind=NotificationKind.choices[0][0], key="k", title="提醒")
    Notification.objects.update(read_at=timezone.now())
    assert client.get(url).context["computed_at"] == first.context["computed_at"]
    # Any write to the data they read computes them again at once, however it is written (here plain SQL).
    _keep_only(20)
    with CaptureQueriesContext(connection) as recomputed:
        fresh = client.get(url)
    assert fresh.context["unit"]["villages"] == 20 and fresh.context["computed_at"] > first.context["computed_at"]
    assert len(recomputed) == len(computed)
    assert client.get(url + "?refresh=1").context["computed_at"] > fresh.context["computed_at"]


def test_after_a_write_the_dashboards_show_their_last_figures_while_a_task_computes_them(
    login, city_user, full_data, settings, monkeypatch
):
    from loudi_portal import data_versions
    from loudi_portal.celery import app

    settings.FIGURES_RECOMPUTED_BY_WORKER = True  # a worker computes them
    queued = []
    monkeypatch.setattr(data_versions, "_queue", lambda name, kwargs: queued.append((name, kwargs)))
    client = login(city_user)
    city, county = reverse("dashboards:city"), reverse("dashboards:county", args=["431302"])
    first = client.get(city).context
    assert client.get(county).context["unit"]["villages"] > 20
    _keep_only(20)
    with CaptureQueriesContext(connection) as served:
        page = client.get(city)
    # The last figures at once (no aggregate read), with their time and a word that new ones come;
    # the organisation panel's too.
    assert page.context["unit"]["villages"] == 2107 and page.context["recomputing"]
    assert page.context["computed_at"] == first["computed_at"]
    assert not [q for q in served.captured_queries if "SUM(" in q["sql"] or "organisation_" in q["sql"]]
    assert "正在重新汇总" in page.content.decode()
    assert client.get(county).context["recomputing"]
    assert queued == [
        ("incentives.tasks.dashboard_recompute", {"year": first["year"]}),
        ("organisation.tasks.city_panel_recompute", {}),
        (
            "incentives.tasks.dashboard_recompute",
            {"year": first["year"], "county_id": County.objects.get(code="431302").pk},
        ),
    ]
    app.loader.import_default_modules()
    for name, kwargs in queued:
        app.tasks[name](**kwargs)  # the worker
    page = client.get(city)
    assert page.context["unit"]["villages"] == 20 and not page.context.get("recomputing")
    assert "正在重新汇总" not in page.content.decode()
    assert client.get(county).context["unit"]["villages"] == 20


def test_county_dashboard_is_cached_until_a_report_changes(login, reviewer, city_user, full_data):
    url = reverse("dashboards:county", args=["431302"])
    first = login(reviewer).get(url).context
    # The county's figures are the same for the city: kept once for both.
    assert login(city_user).get(url).context["computed_at"] == first["computed_at"]
    report = IncomeReport.objects.filter(village__township__county__code="431302", year=first["year"]).first()
    IncomeReport.objects.filter(pk=report.pk).update(other_income=report.other_income + 1)
    assert login(reviewer).get(url).context["computed_at"] > first["computed_at"]


# What one more county may add to the city dashboard: its row in the main table (about 1 KB of
# links to its lists), its bar in each chart and its unit on the map. Measured 1.0 KB here (no
# targets for the added counties) and 1.4 KB at Hunan size (targets, figures); 612 KB at Hunan size
# before the charts sent one link pattern per series and the map each county once.
MAX_BYTES_PER_COUNTY = 1_800


def test_city_dashboard_grows_by_a_bounded_size_per_county(
    login, city_user, full_data, plan_2024, django_assert_num_queries
):
    """Loudi's 5 counties, then a province's 125: the same queries, a bounded number of bytes per
    added county, and past TABLES_APART_FROM counties the tiers, clues and 三资 tables each on a
    page of their own that lists every county."""
    client = login(city_user)
    url = reverse("dashboards:city") + "?refresh=1"  # computed, not read from the cache
    with django_assert_num_queries(CITY_DASHBOARD_QUERIES + 1):  # the plan's county targets
        small = client.get(url)
    assert small.context["year"] == 2024
    assert len(small.context["rows"]) == 5 and not small.context["tables_apart"]
    assert "/dashboard/table/" not in small.content.decode()
    _add_province()
    with django_assert_num_queries(CITY_DASHBOARD_QUERIES + 1):
        large = client.get(url)
    counties = len(large.context["rows"])
    assert counties == 5 + PROVINCE_COUNTIES >= TABLES_APART_FROM and large.context["tables_apart"]
    assert (len(large.content) - len(small.content)) / PROVINCE_COUNTIES < MAX_BYTES_PER_COUNTY
    html = large.content.decode()
    # The main table keeps every county; the other three are a link away, their totals stay.
    assert html.count("<tr data-unit=") == counties
    for panel in ("tiers", "clues", "assets"):
        assert f'href="{reverse("dashboards:city_table", args=[panel])}?year=2024"' in html
    assert "合计 · " + large.context["clues"]["total"]["name"] in html

    row = {r["code"]: r for r in large.context["rows"]}["431302"]
    tiers = client.get(reverse("dashboards:city_table", args=["tiers"]), {"year": 2024})
    assert tiers.context["computed_at"] == large.context["computed_at"]  # the dashboard's figures
    tiers_html = tiers.content.decode()
    assert tiers_html.count("<tr><td>") == counties
    assert f'<a href="{row["tier_urls"]["million"]}">{row["tier_million"]}</a>'.replace("&", "&amp;") in tiers_html
    clues = client.get(reverse("dashboards:city_table", args=["clues"]), {"year": 2024}).content.decode()
    per_county = clues.split('id="chart-overdue"')[0]  # then the days of overdue clues, as on the dashboard
    assert per_county.count("<tr><td>") == len(large.context["clues"]["rows"]) == counties
    assets = client.get(reverse("dashboards:city_table", args=["assets"]), {"year": 2024}).content.decode()
    assert assets.count("<tr><td>") == len(large.context["assets"]["rows"]) == counties


def test_city_dashboard_pages_its_counties_past_a_province(
    login, city_user, full_data, plan_2024, django_assert_num_queries
):
    """Past COUNTIES_PER_PAGE counties (a country's 2,850) the dashboard and its tables pages show
    one page of counties, with the charts and the map: the same queries and bytes at 205 and 405
    counties, each county's figures those computed for the city, the totals the city's."""
    client = login(city_user)
    url = reverse("dashboards:city") + "?refresh=1"  # computed, not read from the cache
    _add_counties(200)
    with django_assert_num_queries(CITY_DASHBOARD_QUERIES + 1):  # the plan's county targets
        small = client.get(url)
    ctx = small.context
    assert ctx["county_count"] == 205 and ctx["counties_page"].paginator.per_page == COUNTIES_PER_PAGE == 125
    codes = [r["code"] for r in ctx["rows"]]
    assert len(codes) == COUNTIES_PER_PAGE and codes[:5] == ["431302", "431321", "431322", "431381", "431382"]
    # The tables, the charts and the map hold the page's counties, nothing else.
    assert [r["code"] for r in ctx["clues"]["rows"]] == [r["code"] for r in ctx["assets"]["rows"]] == codes
    for panel in ("tiers", "share", "clues", "assets"):
        assert ctx[panel]["chart"]["categories"] == [r["name"] for r in ctx["rows"]]
    assert [u["code"] for u in ctx["unit_map"]["units"]] == codes
    share = next(i for i in ctx["unit_map"]["indicators"] if i["key"] == "share_100k_pct")
    assert share["values"] == [r["share_100k_pct"] for r in ctx["rows"]]
    html = small.content.decode()
    assert html.count("<tr data-unit=") == COUNTIES_PER_PAGE and "共 205 个县市区,每页 125 个" in html
    assert 'href="?year=2024&amp;page=2"' in html
    # The links to the tables open the same page of counties.
    assert f'href="{reverse("dashboards:city_table", args=["tiers"])}?year=2024&amp;page=1">205 个县市区' in html
    # The totals are the city's: every village, not the page's.
    assert ctx["unit"]["villages"] == 2107 + 200

    _add_counties(200, first=201)
    with django_assert_num_queries(CITY_DASHBOARD_QUERIES + 1):
        large = client.get(url)
    assert [r["code"] for r in large.context["rows"]] == codes
    # The same page but for the counts (共 405 个, the pages, the city's totals).
    assert abs(len(large.content) - len(small.content)) < 200

    # Page 2 of 4: the next counties, as computed for the city (the figures in the cache).
    second = client.get(reverse("dashboards:city"), {"year": 2024, "page": 2}).context
    assert second["computed_at"] == large.context["computed_at"]
    full = panels.city_page_cached(scope=scope_for(city_user), year=2024)
    assert second["rows"] == full["rows"][125:250] and second["clues"]["rows"] == full["clues"]["rows"][125:250]
    # The tables' pages: 125 counties, and the last page's 30.
    for panel, number, rows in (("tiers", 2, 125), ("assets", 4, 30)):
        table = client.get(reverse("dashboards:city_table", args=[panel]), {"year": 2024, "page": number})
        assert table.content.decode().count("<tr><td>") == rows


def test_county_reviewer_is_sent_from_a_city_table_to_their_county(login, reviewer, divisions):
    page = login(reviewer).get(reverse("dashboards:city_table", args=["tiers"]))
    assert page.status_code == 302 and page.url == reverse("dashboards:county", args=["431302"])


def test_county_dashboard_query_count_is_fixed(login, reviewer, full_data, django_assert_num_queries):
    client = login(reviewer)
    url = reverse("dashboards:county", args=["431302"])
    with django_assert_num_queries(COUNTY_DASHBOARD_QUERIES):
        client.get(url)
    _keep_only(20)  # the first 20 villages are 娄星区's
    with django_assert_num_queries(COUNTY_DASHBOARD_QUERIES):
        page = client.get(url)
    assert page.context["unit"]["villages"] == 20
    assert len(page.content) < MAX_DASHBOARD_BYTES


# The county's: session, user, scope, the county (4); years (1); the year it opens on (4); unread
# notifications (1); plan (1);
# income for the county and
# per township (2 + 2); trend (1); clue rates per township and for the county (2 + 2); overdue
# trend (1); 三资 (4); the previous year's averages per township for the ranked chart's growth (2);
# closed years and periods (2); the organisation panel (7).
COUNTY_DASHBOARD_QUERIES = 29 + ORGANISATION_PANEL_QUERIES
# The largest a dashboard page may be, at 20 villages as at 2,107.
MAX_DASHBOARD_BYTES = 120_000


def test_selectors_trend_matches_reports(income_data):
    trend = dash.income_trend(villages=Village.objects.all(), village_count=2107)
    point = {p["year"]: p for p in trend}[2023]
    approved = IncomeReport.objects.filter(year=2023, status=IncomeStatus.APPROVED)
    assert point["approved"] == approved.count()
    assert point["count_500k"] == approved.filter(operating_income__gte=500000).count()


def test_years_on_record_for_every_village_probe_the_index_and_agree(income_data):
    everywhere = dash.report_years(villages=Village.objects.all())
    assert everywhere == dash.report_years(villages=Village.objects.filter(pk__gt=0)) == [2022, 2023, 2024]
    IncomeReport.objects.filter(year=2022).delete()
    assert dash.report_years(villages=Village.objects.all()) == [2023, 2024]
    with CaptureQueriesContext(connection) as captured:
        dash.report_years(villages=Village.objects.all())
    assert "RECURSIVE" in captured.captured_queries[0]["sql"]
