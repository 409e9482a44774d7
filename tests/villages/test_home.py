"""The home page sends each role to its work: what waits in their scope for the year."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from villages.models import IncomeReport, IncomeStatus, Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(divisions, open_period):
    open_period(2024)  # the year being filled in, which the home page shows
    leping = list(Village.objects.filter(township__code="431302001").order_by("code")[:4])
    foreign = Village.objects.filter(township__code="431322001").first()
    amounts = {"operating_revenue": Decimal("80000.00")}
    IncomeReport.objects.create(village=leping[0], year=2024, status=IncomeStatus.DRAFT, **amounts)
    IncomeReport.objects.create(
        village=leping[1], year=2024, status=IncomeStatus.DRAFT, returned_at=timezone.now(), **amounts
    )
    IncomeReport.objects.create(village=leping[2], year=2024, status=IncomeStatus.SUBMITTED, **amounts)
    IncomeReport.objects.create(village=leping[3], year=2024, status=IncomeStatus.APPROVED, **amounts)
    IncomeReport.objects.create(village=foreign, year=2024, status=IncomeStatus.SUBMITTED, **amounts)


def test_clerk_sees_the_townships_work(login, clerk, reports):
    work = login(clerk).get(reverse("home")).context["work"]
    assert (work["no_report"], work["draft"], work["returned"], work["submitted"], work["approved"]) == (8, 2, 1, 1, 1)


def test_reviewer_sees_what_waits_for_review(login, reviewer, reports):
    page = login(reviewer).get(reverse("home"))
    assert page.context["work"]["submitted"] == 1  # not the other county's
    assert f"{reverse('income:report_list')}?year=2024&amp;status=submitted" in page.content.decode()


def test_city_sees_the_whole_city(login, city_user, reports):
    work = login(city_user).get(reverse("home")).context["work"]
    assert work["submitted"] == 2 and work["villages"] == 2107
