"""Dashboards on small scenarios built in the test: an empty year, a share exactly at its target,
users without a role, the menu."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.checks import page_refused, to_login
from villages.models import IncomeReport, IncomeStatus, Township, Village

pytestmark = pytest.mark.django_db


def test_empty_database_says_so(login, city_user):
    page = login(city_user).get(reverse("dashboards:city"))
    assert page.status_code == 200
    assert "暂无收入填报数据" in page.content.decode()


def test_share_exactly_at_the_target_passes(login, city_user, divisions, plan_2024):
    # 娄星区's 233 villages: a 60% share needs 139.8 → 140 villages at 10万 or more.
    villages = list(Village.objects.filter(township__county__code="431302").order_by("code"))
    IncomeReport.objects.bulk_create(
        IncomeReport(
            village=v,
            year=2024,
            operating_revenue=Decimal("100000.00") if i < 140 else Decimal("60000.00"),
            status=IncomeStatus.APPROVED,
        )
        for i, v in enumerate(villages)
    )
    client = login(city_user)
    row = {r["code"]: r for r in client.get(reverse("dashboards:city")).context["rows"]}["431302"]
    assert row["share_100k"] == 140 and row["checks"]["share_100k"]["met"] is True
    IncomeReport.objects.filter(village=villages[0], year=2024).update(operating_revenue=Decimal("99999.99"))
    # The city's figures are cached with their time; 立即刷新 recomputes them.
    row = {r["code"]: r for r in client.get(reverse("dashboards:city") + "?refresh=1").context["rows"]}["431302"]
    assert row["checks"]["share_100k"]["met"] is False and row["checks"]["share_100k"]["gap"] == 1


def test_user_without_role_and_anonymous(client, django_user_model, divisions):
    to_login(client.get(reverse("dashboards:city")), reverse("dashboards:city"))
    user = django_user_model.objects.create_user("nobody", password="x")
    client.force_login(user)
    page_refused(client.get(reverse("dashboards:city")), 403, reason="数据看板仅供市级和县级用户查看。")
    leping = Township.objects.get(code="431302001")
    page_refused(client.get(reverse("dashboards:township", args=[leping.code])), 404, hides=[leping.name])


def test_menu_entry_for_city_and_county_only(login, city_user, reviewer, clerk, divisions):
    dashboard = reverse("dashboards:city")
    assert f'href="{dashboard}"' in login(city_user).get(reverse("home")).content.decode()
    assert f'href="{dashboard}"' in login(reviewer).get(reverse("home")).content.decode()
    assert f'href="{dashboard}"' not in login(clerk).get(reverse("home")).content.decode()
