"""The acceptance rules at every boundary, through the full computation (approved reports only)."""

from decimal import Decimal

import pytest

from incentives.models import AcceptanceVillageResult, RunStatus
from incentives.rules import growth
from incentives.services import acceptance_compute, acceptance_start
from villages.models import IncomeStatus
from villages.services import system_actor

from .conftest import county_village

pytestmark = pytest.mark.django_db

LOUXING, LENGSHUIJIANG, XINHUA = "431302", "431381", "431322"


def compute(year: int = 2024) -> dict:
    run = acceptance_start(year=year, user=system_actor(), enqueue=False)
    run = acceptance_compute(run_id=run.pk)
    assert run.status == RunStatus.DONE, run.error
    return run.results


def unit(results: dict, code: str) -> dict:
    if code == results["city"]["code"]:
        return results["city"]
    return next(u for u in results["counties"] if u["code"] == code)


def test_everything_passes_with_the_default_plan(plan, incomes):
    incomes.passing()
    results = compute()
    assert results["city"]["passed"] is True
    assert [u["passed"] for u in results["counties"]] == [True] * 5
    city = results["city"]["targets"]
    assert city["clearing"] == {"required": 0, "actual": 0, "passed": True, "below": []}
    assert city["share_100k"] == {"required": "0.6000", "actual": "1.0000", "passed": True}
    assert city["count_500k"] == {"required": 100, "actual": 100, "passed": True}
    assert city["count_1m"] == {"required": 20, "actual": 20, "passed": True}


def test_clearing_line_is_inclusive(plan, incomes):
    incomes.passing()
    at_line, under = county_village(LOUXING, -1), county_village(LOUXING, -2)
    incomes.set(at_line, total="50000.00", operating="0")
    incomes.set(under, total="49999.99", operating="0")
    results = compute()
    clearing = unit(results, LOUXING)["targets"]["clearing"]
    assert clearing["below"] == [under]
    assert clearing["actual"] == 1 and clearing["passed"] is False
    assert unit(results, LOUXING)["passed"] is False
    assert results["city"]["targets"]["clearing"]["below"] == [under]
    # The other counties are not affected.
    assert unit(results, LENGSHUIJIANG)["passed"] is True


def test_exactly_fifty_thousand_passes(plan, incomes):
    incomes.passing()
    incomes.set(county_village(LOUXING), total="50000.00", operating="0")
    assert unit(compute(), LOUXING)["targets"]["clearing"]["passed"] is True


def _share_at_boundary(incomes, last_value: str) -> dict:
    """冷水江市 has 150 villages: 60% is exactly 90. 89 are well above 100,000, one is at
    `last_value`, the other 60 at 60,000 (总收入 clears, 经营性收入 does not)."""
    incomes.passing()
    codes = [v.code for v in incomes.villages(LENGSHUIJIANG)]
    assert len(codes) == 150
    # The first 10 keep their 500k/1m figures; 79 more stay at 120,000 → 89 above the line.
    for code in codes[89:149]:
        incomes.set(code, total="70000.00", operating="60000.00")
    incomes.set(codes[149], operating=last_value)
    return unit(compute(), LENGSHUIJIANG)["targets"]["share_100k"]


def test_share_of_exactly_sixty_percent_passes(plan, incomes):
    share = _share_at_boundary(incomes, "100000.00")
    assert share == {"required": "0.6000", "actual": "0.6000", "passed": True}


def test_share_just_under_sixty_percent_fails(plan, incomes):
    share = _share_at_boundary(incomes, "99999.99")
    # 89 / 150 = 0.59333…, shown rounded down so a failing share never reads 0.6000.
    assert share == {"required": "0.6000", "actual": "0.5933", "passed": False}


def test_count_thresholds_are_inclusive(plan, incomes):
    incomes.passing()
    codes = [v.code for v in incomes.villages(LOUXING)]
    # 娄星区 needs 13 ≥ 500,000 and 2 ≥ 1,000,000: put the 13th and the 2nd exactly on the lines.
    incomes.set(codes[1], operating="1000000.00")
    incomes.set(codes[12], operating="500000.00")
    targets = unit(compute(), LOUXING)["targets"]
    assert targets["count_1m"] == {"required": 2, "actual": 2, "passed": True}
    assert targets["count_500k"] == {"required": 13, "actual": 13, "passed": True}


def test_count_just_under_the_line_fails(plan, incomes):
    incomes.passing()
    codes = [v.code for v in incomes.villages(LOUXING)]
    incomes.set(codes[1], operating="999999.99")
    incomes.set(codes[12], operating="499999.99")
    results = compute()
    targets = unit(results, LOUXING)["targets"]
    assert targets["count_1m"] == {"required": 2, "actual": 1, "passed": False}
    # 999,999.99 still counts among the 500k villages; 499,999.99 does not: 13 − 1.
    assert targets["count_500k"]["actual"] == 12
    assert unit(results, LOUXING)["passed"] is False
    # The city needs 20 and 100: one fewer fails the city too.
    assert results["city"]["targets"]["count_1m"]["actual"] == 19
    assert results["city"]["passed"] is False


def test_a_village_without_an_approved_report_counts_below(plan, incomes):
    incomes.passing()
    missing = county_village(LOUXING, 0)
    incomes.remove(missing)
    results = compute()
    louxing = unit(results, LOUXING)
    assert louxing["unreported"] == 1
    assert louxing["targets"]["clearing"]["below"] == [missing]
    assert louxing["passed"] is False
    row = AcceptanceVillageResult.objects.get(village_code=missing)
    assert row.approved is False and row.below_clearing is True and row.total_income is None
    assert row.tier == "弱村"


@pytest.mark.parametrize("status", [IncomeStatus.DRAFT, IncomeStatus.SUBMITTED])
def test_unapproved_reports_are_not_counted(plan, incomes, status):
    incomes.passing()
    code = county_village(LOUXING, 0)  # one of 娄星区's 1,200,000 villages
    incomes.set(code, operating="5000000.00", status=status)
    results = compute()
    louxing = unit(results, LOUXING)
    assert code in louxing["targets"]["clearing"]["below"]
    assert louxing["targets"]["count_1m"]["actual"] == 1
    assert louxing["unreported"] == 1
    row = AcceptanceVillageResult.objects.get(village_code=code)
    assert row.approved is False and row.operating_income is None


def test_county_targets_follow_the_city_unless_set(plan, incomes):
    incomes.passing()
    code = county_village(LOUXING)
    incomes.set(code, total="55000.00", operating="0")
    louxing_target = plan.county_targets.get(county__code=LOUXING)
    louxing_target.clearing_threshold = Decimal("60000.00")
    louxing_target.save()
    results = compute()
    assert unit(results, LOUXING)["targets"]["clearing"]["below"] == [code]
    # The city keeps its own line of 50,000.
    assert results["city"]["targets"]["clearing"]["below"] == []


def test_average_and_growth_on_the_previous_year(plan, incomes):
    incomes.passing(2024)
    results = compute()
    assert results["city"]["average_total_growth"] is None  # no 2023 reports
    incomes.passing(2023)
    for village in incomes.villages(LOUXING):
        incomes.set(village.code, year=2023, total="100000.00", operating="90000.00")
    results = compute()
    louxing = unit(results, LOUXING)
    # 2024: 2 × 1,210,000 + 11 × 610,000 + 220 × 130,000 over 233 villages.
    expected_2024 = (2 * Decimal("1210000") + 11 * Decimal("610000") + 220 * Decimal("130000")) / 233
    assert louxing["average_total"] == str(expected_2024.quantize(Decimal("0.01")))
    assert louxing["average_total_growth"] == growth(Decimal(louxing["average_total"]), Decimal("100000.00"))
    assert Decimal(louxing["average_total_growth"]) > 0


def test_growth_formula():
    assert growth(Decimal("92200.00"), Decimal("57805.64")) == "0.5950"
    assert growth(Decimal("100"), None) is None
    assert growth(None, Decimal("100")) is None


def test_below_clearing_and_closest_villages_are_kept(plan, incomes):
    incomes.passing()
    codes = [v.code for v in incomes.villages(LOUXING)]
    incomes.set(codes[-1], total="49000.00", operating="0")
    incomes.set(codes[-2], total="30000.00", operating="0")
    incomes.set(codes[2], operating="480000.00")  # 20,000 short of 500,000
    run = acceptance_start(year=2024, user=system_actor(), enqueue=False)
    run = acceptance_compute(run_id=run.pk)
    closest = run.details["units"][LOUXING]["closest"]
    assert [v["code"] for v in closest["clearing"][:2]] == [codes[-1], codes[-2]]
    assert closest["clearing"][0]["gap"] == "1000.00"
    assert closest["count_500k"][0]["code"] == codes[2]
    assert closest["count_500k"][0]["gap"] == "20000.00"
    assert len(closest["share_100k"]) <= 10
    tiers = run.details["units"][LOUXING]["tiers"]
    assert tiers == {"weak": 2, "middle": 219, "strong": 12, "million": 2}
