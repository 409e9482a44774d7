"""The income demo data reproduces the seed's figures and the demo 2024 plan,
checked with the same selectors the acceptance and dashboards use."""

from decimal import Decimal

import pytest

from villages.demo import _demo_reports, seed_accounts, seed_incomes
from villages.models import IncomeReport, IncomeStatus, Village
from villages.selectors import income_unit_stats

pytestmark = pytest.mark.django_db

LINES = {
    "total_at_least": {"clear": Decimal("50000.00")},
    "operating_at_least": {
        "k100": Decimal("100000.00"),
        "k500": Decimal("500000.00"),
        "m1": Decimal("1000000.00"),
    },
}
# county: (count_500k, count_1m) allocated by the demo plan
TARGETS = {"431322": (30, 6), "431321": (25, 5), "431382": (24, 5), "431302": (13, 2), "431381": (8, 2)}


def passes(unit, county) -> dict:
    n500, n1m = TARGETS[county]
    return {
        "clearing": unit["clear"] == unit["villages"],
        "share_100k": unit["k100"] * 100 >= unit["villages"] * 60,
        "count_500k": unit["k500"] >= n500,
        "count_1m": unit["m1"] >= n1m,
    }


def test_demo_income_matches_the_seed_and_the_2024_plan(divisions):
    seed_accounts()
    # How long it takes is a figure of `make bench`, not a pass/fail limit here.
    assert seed_incomes() == {2022: 2107, 2023: 2107, 2024: 2107}

    # 2023: every village above 5万, average 9.22万, +59.5% on 2022; 2022 and 2023 approved.
    city = {year: income_unit_stats(year=year, by="city", **LINES)["431300"] for year in (2022, 2023, 2024)}
    for year in (2022, 2023):
        assert city[year]["approved"] == 2107
    assert city[2023]["clear"] == 2107 and city[2023]["below_weak_line"] == 0
    assert abs(city[2023]["avg_total"] - Decimal("92200")) <= Decimal("92200") * Decimal("0.005")
    growth = (city[2023]["avg_total"] / city[2022]["avg_total"] - 1) * 100
    assert abs(growth - Decimal("59.5")) <= 1
    assert city[2022]["below_weak_line"] > 0  # before 清零 some villages were under 5万

    # 2024: 发包及上交收入 abolished; the five fields are plausibly split.
    reports_2024 = IncomeReport.objects.filter(year=2024)
    assert not reports_2024.exclude(contracting_revenue=0).exists()
    assert not reports_2024.filter(subsidy_income=0).exists() and not reports_2024.filter(other_income=0).exists()
    assert not IncomeReport.objects.filter(year=2023, contracting_revenue=0).exists()

    counties = income_unit_stats(year=2024, by="county", **LINES)
    outcome = {code: passes(unit, code) for code, unit in counties.items()}
    for code in ("431302", "431321", "431381"):  # 娄星区, 双峰县, 冷水江市 meet every target
        assert all(outcome[code].values()), (code, outcome[code])
        assert counties[code]["approved"] == counties[code]["villages"]
    xinhua = counties["431322"]  # 新化县: statuses mixed, below the line and under 60%
    assert xinhua["draft"] > 0 and xinhua["submitted"] > 0 and xinhua["approved"] < xinhua["villages"]
    assert not outcome["431322"]["clearing"] and not outcome["431322"]["share_100k"]
    assert (
        IncomeReport.objects.filter(year=2024, village__township__county__code="431322")
        .exclude(return_reason="")
        .filter(status=IncomeStatus.DRAFT)
        .exists()
    )
    lianyuan = counties["431382"]  # 涟源市: all approved, only 3 villages ≥ 100万
    assert lianyuan["approved"] == lianyuan["villages"] and lianyuan["m1"] == 3
    assert outcome["431382"] == {"clearing": True, "share_100k": True, "count_500k": True, "count_1m": False}
    assert city[2024]["k500"] >= 100 and city[2024]["m1"] >= 20

    # Idempotent: a second run changes nothing.
    before = list(IncomeReport.objects.order_by("pk").values_list("pk", "version", "operating_revenue"))
    assert seed_incomes() == {}
    assert list(IncomeReport.objects.order_by("pk").values_list("pk", "version", "operating_revenue")) == before


def test_demo_skips_a_year_that_exists_and_is_deterministic(divisions, leping_villages, make_report):
    make_report(leping_villages[0], 2023, IncomeStatus.APPROVED, total="1")
    assert seed_incomes() == {2022: 2107, 2024: 2107}
    assert IncomeReport.objects.filter(year=2023).count() == 1
    # The figures do not depend on what exists: a fresh generation gives what was saved.
    villages = list(Village.objects.select_related("township__county").order_by("code"))
    fresh = {r.village_id: r.operating_revenue for r in _demo_reports(villages)[2024]}
    assert dict(IncomeReport.objects.filter(year=2024).values_list("village_id", "operating_revenue")) == fresh
