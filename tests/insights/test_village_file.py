"""一村一档: every section of the village file, in scope only, at a fixed query count."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assets.models import Asset, AssetCategory, AssetNature, AssetStatus, Contract, ContractMethod, ContractPayment
from rectification.models import Clue, ClueCategory, ClueSource, ClueStatus, WeakPartyOrganisation
from tests.checks import page_refused
from villages.models import IncomeReport, IncomeStatus, Village

pytestmark = pytest.mark.django_db

A = "431302001001"  # 街心社区, 乐坪街道, 娄星区


def _report(village, year, operating, *, status=IncomeStatus.APPROVED, subsidy="0"):
    return IncomeReport.objects.create(
        village=village,
        year=year,
        operating_revenue=Decimal(operating),
        subsidy_income=Decimal(subsidy),
        status=status,
    )


def _ledger(village, n: int):
    """n assets, n contracts with a payment each, n clues: the file's lists grow with n."""
    for i in range(n):
        asset = Asset.objects.create(
            village=village,
            code=f"ZC{i:03d}",
            name=f"资产{i}",
            nature=AssetNature.values[0],
            category=AssetCategory.values[0],
            original_value=Decimal("1000"),
            book_value=Decimal("800"),
            status=AssetStatus.IDLE if i % 2 else AssetStatus.LEASED,
        )
        contract = Contract.objects.create(
            village=village,
            number=f"HT{village.code}{i:03d}",
            asset=asset,
            counterparty=f"承租人{i}",
            method=ContractMethod.values[0],
            start_date=date(2020, 1, 1),
            end_date=date(2030, 12, 31),
            yearly_amount=Decimal("1000"),
        )
        ContractPayment.objects.create(contract=contract, due_date=date(2021, 1, 1), amount_due=Decimal("1000"))
        Clue.objects.create(
            code=f"XS{village.code}{i:05d}",
            source=ClueSource.PUBLIC,
            category=ClueCategory.FINANCE,
            village=village,
            description=f"问题{i}",
            responsible_person="张三",
            found_on=date(2024, 1, 1),
            deadline=date(2024, 1, 1) + timedelta(days=30),
            status=ClueStatus.PENDING,
        )


def _queries(client, code):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("dashboards:village", args=[code]))
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_village_file_query_count_does_not_grow_with_history(login, reviewer, divisions):
    client = login(reviewer)
    short = Village.objects.get(code=A)
    long = Village.objects.filter(township__code="431302001").exclude(pk=short.pk).first()
    _report(short, 2024, "120000")
    for year in range(2018, 2025):
        _report(long, year, str(60000 + year))
    _ledger(short, 1)
    _ledger(long, 6)
    WeakPartyOrganisation.objects.create(
        village=long, branch_name="党支部", year_listed=2023, reasons="班子软弱", responsible_leader="李四"
    )
    few, _ = _queries(client, short.code)
    many, page = _queries(client, long.code)
    assert few == many
    assert len(page.context["history"]) == 7
    assert len(page.context["clues"]) == 6


def test_village_file_sections(login, reviewer, divisions):
    village = Village.objects.get(code=A)
    neighbour = Village.objects.filter(township=village.township).exclude(pk=village.pk).first()
    _report(village, 2023, "90000")
    _report(village, 2024, "150000", subsidy="20000")
    _report(neighbour, 2024, "300000")  # ranks above
    _ledger(village, 2)
    page = login(reviewer).get(reverse("dashboards:village", args=[village.code]))
    ctx = page.context
    assert [r["year"] for r in ctx["history"]] == [2023, 2024]
    assert ctx["latest"]["tier"] == "中间村"
    assert ctx["rank"]["township_operating"] == 2 and ctx["rank"]["township_count"] == 2
    assert ctx["rank"]["county_operating"] == 2
    statuses = {row["status"]: row["count"] for row in ctx["assets"]["asset_statuses"]}
    assert statuses[AssetStatus.IDLE] == 1 and statuses[AssetStatus.LEASED] == 1
    assert ctx["open_clue_count"] == 2
    html = page.content.decode()
    assert "一村一档" in html and "village_file.css" in html
    assert "资产按状态" in html and "资源按状态" in html


@pytest.mark.parametrize("role_user", ["other_clerk", "other_reviewer"])
def test_village_file_outside_scope_is_not_found(request, login, role_user, divisions):
    user = request.getfixturevalue(role_user)
    response = login(user).get(reverse("dashboards:village", args=[A]))
    page_refused(response, 404, hides=[Village.objects.get(code=A).name, "一村一档"])


def test_clerk_sees_own_village_file(login, clerk, divisions):
    page = login(clerk).get(reverse("dashboards:village", args=[A]))
    assert page.status_code == 200 and page.context["village"].code == A
    html = page.content.decode()
    assert "一村一档" in html and "街心社区" in html and "乐坪街道" in html


def test_print_stylesheet_lays_out_a4():
    from django.contrib.staticfiles import finders

    css = open(finders.find("incentives/insights/village_file.css"), encoding="utf-8").read()
    assert "@media print" in css and "size: A4" in css


def test_users_without_a_role_get_nothing(client, django_user_model, divisions):
    user = django_user_model.objects.create_user(username="nobody", password="x")
    client.force_login(user)
    page_refused(client.get(reverse("dashboards:village", args=[A])), 404, hides=["街心社区", "一村一档"])


def test_village_lists_and_page_lead_to_the_file(login, clerk, divisions):
    client = login(clerk)
    village = Village.objects.get(code=A)
    _report(village, 2024, "120000", status=IncomeStatus.DRAFT)
    listing = client.get(reverse("income:report_list"), {"year": 2024}).content.decode()
    assert reverse("villages:village_detail", args=[A]) in listing
    page = client.get(reverse("villages:village_detail", args=[A])).content.decode()
    assert reverse("dashboards:village", args=[A]) in page
