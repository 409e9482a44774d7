"""A contract warning becomes a clue (source 合同预警, category 合同管理), once per open warning."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assets.models import Asset, Contract, ContractPayment
from rectification import services
from rectification.models import Clue, ClueCategory, ClueSource, ClueStatus
from tests.checks import page_refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(village, today):
    """A pond lease whose first instalment is unpaid: assets raises the "overdue" warning."""
    asset = Asset.objects.create(
        village=village,
        code="ZC-001",
        name="村集体鱼塘配套用房",
        nature="operating",
        category="building",
        original_value=Decimal("50000"),
        book_value=Decimal("40000"),
        status="leased",
    )
    contract = Contract.objects.create(
        village=village,
        number="2023-007",
        asset=asset,
        counterparty="张某",
        method="negotiation",
        start_date=date(2023, 1, 1),
        end_date=today + timedelta(days=3 * 365),
        yearly_amount=Decimal("6000"),
    )
    ContractPayment.objects.create(contract=contract, due_date=today - timedelta(days=40), amount_due=Decimal("6000"))
    return contract


def test_reviewer_turns_a_warning_into_a_clue(contract, reviewer):
    clue = services.clue_from_warning(user=reviewer, contract=contract, warning="overdue")
    assert (clue.source, clue.category, clue.contract, clue.asset) == (
        ClueSource.WARNING,
        ClueCategory.CONTRACT,
        contract,
        contract.asset,
    )
    assert clue.village == contract.village and clue.warning_code == "overdue"
    assert "2023-007" in clue.description and "收款逾期" in clue.description


def test_a_second_open_clue_is_refused(contract, reviewer, city_user):
    services.clue_from_warning(user=reviewer, contract=contract, warning="overdue")
    with pytest.raises(ValidationError, match="已有未销号线索"):
        services.clue_from_warning(user=city_user, contract=contract, warning="overdue")
    assert Clue.objects.count() == 1


def test_after_closing_a_new_clue_may_be_raised(contract, reviewer):
    clue = services.clue_from_warning(user=reviewer, contract=contract, warning="overdue")
    Clue.objects.filter(pk=clue.pk).update(status=ClueStatus.CLOSED, closed_at=clue.created_at, closed_by=reviewer)
    assert services.clue_from_warning(user=reviewer, contract=contract, warning="overdue").pk != clue.pk


def test_a_warning_that_is_not_raised_is_refused(contract, reviewer):
    with pytest.raises(ValidationError, match="当前没有"):
        services.clue_from_warning(user=reviewer, contract=contract, warning="term_over_20y")
    assert not Clue.objects.exists()


@pytest.mark.parametrize("who", ["clerk", "other_reviewer"])
def test_clerks_and_other_counties_may_not(request, who, contract):
    with pytest.raises(PermissionDenied):
        services.clue_from_warning(user=request.getfixturevalue(who), contract=contract, warning="overdue")


def test_the_post_view(login, reviewer, other_reviewer, clerk, contract):
    url = reverse("rectification:clue_from_warning")
    page_refused(login(other_reviewer).post(url, {"contract": contract.pk, "warning": "overdue"}), 404)
    page_refused(login(clerk).post(url, {"contract": contract.pk, "warning": "overdue"}), 403)
    response = login(reviewer).post(url, {"contract": contract.pk, "warning": "overdue"})
    clue = Clue.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("rectification:clue_detail", args=[clue.pk])
    again = login(reviewer).post(url, {"contract": contract.pk, "warning": "overdue"}, HTTP_REFERER="/assets/warnings/")
    assert again.status_code == 302 and again["Location"] == "/assets/warnings/"
    assert Clue.objects.count() == 1
    not_allowed = login(reviewer).get(url)  # a clue is only made by a post
    assert not_allowed.status_code == 405 and not_allowed["Allow"] == "POST"
    assert Clue.objects.count() == 1


def test_the_api_action(api_login, city_user, contract):
    response = api_login(city_user).post(
        "/api/clues/from-warning/", {"contract": contract.pk, "warning": "overdue"}, format="json"
    )
    assert response.status_code == 201 and response.json()["source"] == "warning"
    again = api_login(city_user).post(
        "/api/clues/from-warning/", {"contract": contract.pk, "warning": "overdue"}, format="json"
    )
    assert again.status_code == 400 and "已有未销号线索" in str(again.json())
