"""收入核对: the flags at their boundaries, the ledger's receipts by year, and flag → clue."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assets.models import (
    Asset,
    AssetCategory,
    AssetNature,
    AssetStatus,
    Contract,
    ContractMethod,
    ContractPayment,
    Revitalisation,
)
from incentives.dashboards.selectors import DEFAULT_LINES
from incentives.insights.reconciliation import CheckTolerances, check_flags, income_check
from incentives.insights.services import income_check_clue_create, income_check_settings_update
from rectification.models import Clue, ClueSource, IncomeCheckFlag
from tests.checks import page_refused
from villages.models import IncomeReport, IncomeStatus, Village
from villages.scope import scope_for

D = Decimal
TOL = CheckTolerances(tolerance=D("1000.00"), excess=D("30000.00"), band=D("0.1000"))
A = "431302001001"  # 乐坪街道, 娄星区


def flags(reported, sources, total=None, operating=None):
    total = D(total if total is not None else reported)
    operating = D(operating if operating is not None else reported)
    return check_flags(
        reported=D(reported), sources=D(sources), total=total, operating=operating, lines=DEFAULT_LINES, tol=TOL
    )[0]


# --- the rule at its boundaries ----------------------------------------------------------------


def test_below_receipts_boundary():
    assert flags("20000.00", "21000.00", total="200000") == []  # exactly the tolerance: not flagged
    assert flags("20000.00", "21000.01", total="200000") == ["below_receipts"]  # a cent over
    assert flags("20000.00", "20999.99", total="200000") == []


def test_inflated_needs_excess_and_a_line_just_passed():
    # 52,000 reported, 22,000 in the ledger: 30,000 over (exactly the excess) → not flagged.
    assert flags("52000.00", "22000.00") == []
    assert flags("52000.00", "21999.99") == ["inflated"]
    # Far above the ledger but not near a line: 70,000 is 40% over 5万 and under 10万.
    assert flags("70000.00", "0") == []
    # Just under the line does not pass it; the band's upper end is excluded.
    assert flags("49999.99", "0") == []
    assert flags("55000.00", "0", operating="55000.00") == []
    assert flags("54999.99", "0") == ["inflated"]
    # The operating lines: 10万, 50万, 100万.
    assert flags("100000.00", "0", total="130000") == ["inflated"]
    assert flags("1099999.99", "0", total="1200000") == ["inflated"]


def test_line_comes_with_the_flag():
    _, line = check_flags(
        reported=D("51000"), sources=D("0"), total=D("51000"), operating=D("51000"), lines=DEFAULT_LINES, tol=TOL
    )
    assert line == "总收入刚过 5万"


# --- the selector on the database -------------------------------------------------------------


def _report(village, year, operating, status=IncomeStatus.APPROVED, subsidy="0"):
    return IncomeReport.objects.create(
        village=village, year=year, operating_revenue=D(operating), subsidy_income=D(subsidy), status=status
    )


def _contract(village, number="HT1"):
    asset = Asset.objects.create(
        village=village,
        code=f"ZC-{number}",
        name="厂房",
        nature=AssetNature.values[0],
        category=AssetCategory.values[0],
        original_value=D("100000"),
        book_value=D("100000"),
        status=AssetStatus.LEASED,
    )
    return Contract.objects.create(
        village=village,
        number=number,
        asset=asset,
        counterparty="某公司",
        method=ContractMethod.values[0],
        start_date=date(2022, 1, 1),
        end_date=date(2030, 12, 31),
        yearly_amount=D("80000"),
    )


@pytest.fixture
def village(divisions):
    return Village.objects.select_related("township__county").get(code=A)


@pytest.fixture
def city_scope(city_user):
    return scope_for(city_user)


def test_no_contracts_reported_income_rests_on_nothing(village, city_scope):
    _report(village, 2024, "52000.00")
    (row,) = income_check(scope=city_scope, year=2024, villages=Village.objects.filter(pk=village.pk))
    assert row["receipts"] == 0 and row["sources"] == 0
    assert row["flag_codes"] == ["inflated"]


def test_payments_count_in_the_year_they_came_in(village, city_scope):
    contract = _contract(village)
    # Due in 2023, received in January 2024: it is 2024's income.
    ContractPayment.objects.create(
        contract=contract,
        due_date=date(2023, 12, 31),
        amount_due=D("80000"),
        amount_received=D("80000"),
        received_on=date(2024, 1, 5),
    )
    ContractPayment.objects.create(contract=contract, due_date=date(2024, 12, 31), amount_due=D("80000"))  # unpaid
    _report(village, 2023, "10000.00", subsidy="60000")
    _report(village, 2024, "20000.00", subsidy="60000")
    only = Village.objects.filter(pk=village.pk)
    rows_2023 = income_check(scope=city_scope, year=2023, villages=only, flagged_only=False)
    rows_2024 = income_check(scope=city_scope, year=2024, villages=only)
    assert rows_2023[0]["receipts"] == 0 and rows_2023[0]["flag_codes"] == []
    assert rows_2024[0]["receipts"] == D("80000.00")
    assert rows_2024[0]["flag_codes"] == ["below_receipts"]
    assert rows_2024[0]["difference"] == D("-60000.00")


def test_revitalisation_income_without_contract_counts_from_its_year(village, city_scope):
    contract = _contract(village)
    Revitalisation.objects.create(
        village=village,
        asset=contract.asset,
        revitalised_on=date(2024, 3, 1),
        became="研学基地",
        yearly_income=D("100000"),
    )
    Revitalisation.objects.create(  # under a contract: already in its payments, not counted again
        village=village,
        asset=contract.asset,
        revitalised_on=date(2023, 3, 1),
        became="仓库",
        contract=contract,
        yearly_income=D("50000"),
    )
    _report(village, 2023, "60000.00", subsidy="60000")
    _report(village, 2024, "60000.00", subsidy="60000")
    only = Village.objects.filter(pk=village.pk)
    assert income_check(scope=city_scope, year=2023, villages=only, flagged_only=False)[0]["revitalised"] == 0
    row = income_check(scope=city_scope, year=2024, villages=only)[0]
    assert row["revitalised"] == D("100000.00") and row["flag_codes"] == ["below_receipts"]


def test_drafts_are_not_checked_and_scope_applies(village, other_reviewer, city_scope):
    _report(village, 2024, "52000.00", status=IncomeStatus.DRAFT)
    assert income_check(scope=city_scope, year=2024) == []
    IncomeReport.objects.filter(village=village).update(status=IncomeStatus.SUBMITTED)
    assert len(income_check(scope=city_scope, year=2024)) == 1
    assert income_check(scope=scope_for(other_reviewer), year=2024) == []


def test_settings_change_the_flags(village, city_user, city_scope):
    _report(village, 2024, "52000.00")
    only = Village.objects.filter(pk=village.pk)
    assert income_check(scope=city_scope, year=2024, villages=only)
    income_check_settings_update(user=city_user, tolerance=D("1000"), excess=D("60000"), band=D("0.1"))
    assert income_check(scope=city_scope, year=2024, villages=only) == []


def test_only_the_org_department_sets_tolerances(reviewer):
    with pytest.raises(PermissionDenied):
        income_check_settings_update(user=reviewer, tolerance=D("1"), excess=D("1"), band=D("0.1"))


# --- flag → clue ------------------------------------------------------------------------------


def test_flag_becomes_a_clue_once(village, reviewer):
    _report(village, 2024, "52000.00", status=IncomeStatus.SUBMITTED)
    clue = income_check_clue_create(user=reviewer, village=village, year=2024, flag=IncomeCheckFlag.INFLATED)
    assert clue.source == ClueSource.INCOME_CHECK and clue.income_year == 2024 and clue.income_flag == "inflated"
    assert clue.amount_involved == D("52000.00")
    assert "52,000.00" in clue.description
    with pytest.raises(ValidationError):
        income_check_clue_create(user=reviewer, village=village, year=2024, flag=IncomeCheckFlag.INFLATED)
    assert Clue.objects.filter(village=village).count() == 1


def test_a_flag_not_raised_cannot_become_a_clue(village, reviewer):
    _report(village, 2024, "52000.00")
    with pytest.raises(ValidationError):
        income_check_clue_create(user=reviewer, village=village, year=2024, flag=IncomeCheckFlag.BELOW_RECEIPTS)


def test_clerk_cannot_raise_a_clue(village, clerk):
    _report(village, 2024, "52000.00")
    with pytest.raises(PermissionDenied):
        from rectification.services import clue_from_income_check

        clue_from_income_check(
            user=clerk, village=village, year=2024, flag="inflated", description="x", amount_involved=D("1")
        )


# --- pages ------------------------------------------------------------------------------------


def test_review_page_shows_the_flag_before_approving(login, village, reviewer):
    _report(village, 2024, "52000.00", status=IncomeStatus.SUBMITTED)
    page = login(reviewer).get(reverse("income:report_detail", args=[village.code, 2024]))
    html = page.content.decode()
    assert "收入核对" in html and "疑似虚增收入" in html and "总收入刚过 5万" in html
    assert html.index("疑似虚增收入") < html.index('value="approve"')


def test_list_and_clue_action(login, village, city_user, clerk):
    _report(village, 2024, "52000.00")
    client = login(city_user)
    page = client.get(reverse("insights:income_check"), {"year": 2024})
    assert page.status_code == 200
    assert [r["village"].code for r in page.context["rows"]] == [A]
    assert page.context["summary"][0]["inflated"] == 1
    assert reverse("dashboards:village", args=[A]) in page.content.decode()
    response = client.post(reverse("insights:income_check_clue"), {"village": A, "year": 2024, "flag": "inflated"})
    clue = Clue.objects.get(village=village)
    assert response.status_code == 302 and response["Location"] == reverse("rectification:clue_detail", args=[clue.pk])
    page_refused(login(clerk).get(reverse("insights:income_check")), 403)


def test_dashboards_link_to_the_income_check(login, city_user, reviewer, village):
    _report(village, 2024, "52000.00")
    html = login(city_user).get(reverse("dashboards:city")).content.decode()
    assert f"{reverse('insights:income_check')}?year=2024" in html
    html = login(reviewer).get(reverse("dashboards:county", args=["431302"])).content.decode()
    assert f"{reverse('insights:income_check')}?year=2024&amp;county=431302" in html
