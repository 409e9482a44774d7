"""Yearly targets: defaults, constraints, the city's edit page with the five counties, history."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from incentives.models import CountyTarget, TargetPlan
from incentives.selectors import plan_history, target_plan_for
from incentives.services import DEFAULT_COUNTY_COUNTS, target_plan_create
from tests.checks import page_refused

pytestmark = pytest.mark.django_db


def test_default_plan(plan):
    assert (plan.clearing_threshold, plan.share_threshold, plan.share_required) == (
        Decimal("50000.00"),
        Decimal("100000.00"),
        Decimal("0.6000"),
    )
    assert (plan.count_500k_threshold, plan.count_500k_required) == (Decimal("500000.00"), 100)
    assert (plan.count_1m_threshold, plan.count_1m_required) == (Decimal("1000000.00"), 20)
    assert (plan.reward_budget, plan.award_per_county, plan.matching_ratio) == (
        Decimal("10000000.00"),
        Decimal("2000000.00"),
        Decimal("1.0000"),
    )
    counts = {t.county.code: (t.count_500k_required, t.count_1m_required) for t in plan.county_targets.all()}
    assert counts == DEFAULT_COUNTY_COUNTS
    louxing = plan.county_targets.get(county__code="431302")
    assert louxing.clearing_threshold is None and louxing.effective("clearing_threshold") == Decimal("50000.00")


def test_target_plan_for(plan, django_assert_num_queries):
    with django_assert_num_queries(2):
        found = target_plan_for(year=2024)
        assert len(found.county_targets.all()) == 5
        assert found.county_targets.all()[0].county.name
    assert target_plan_for(year=1999) is None


def test_a_new_year_copies_the_latest_plan(plan, city_user):
    plan.count_1m_required = 25
    plan.save()
    CountyTarget.objects.filter(plan=plan, county__code="431302").update(share_required=Decimal("0.7000"))
    new = target_plan_create(year=2025, user=city_user)
    assert new.count_1m_required == 25
    assert new.county_targets.get(county__code="431302").share_required == Decimal("0.7000")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("share_required", Decimal("1.0001")),
        ("share_required", Decimal("-0.1")),
        ("reward_budget", Decimal("-1")),
        ("clearing_threshold", Decimal("-0.01")),
        ("matching_ratio", Decimal("-1")),
    ],
)
def test_database_constraints(plan, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetPlan.objects.filter(pk=plan.pk).update(**{field: value})


def test_one_plan_per_year(plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetPlan.objects.create(year=2024)


def test_county_target_constraints(plan):
    target = plan.county_targets.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        CountyTarget.objects.filter(pk=target.pk).update(share_required=Decimal("1.5"))
    with pytest.raises(IntegrityError), transaction.atomic():
        CountyTarget.objects.create(plan=plan, county=target.county)


def edit_data(plan, **overrides) -> dict:
    data = {
        # Money on the page is typed in 万元.
        "clearing_threshold": "5",
        "share_threshold": "10",
        "share_required": "60",
        "count_500k_threshold": "50",
        "count_500k_required": "100",
        "count_1m_threshold": "100",
        "count_1m_required": "20",
        "reward_budget": "1000",
        "award_per_county": "200",
        "matching_ratio": "1",
        "over_budget_policy": "scale",
        "note": "",
        "reason": "",
        "counties-TOTAL_FORMS": "5",
        "counties-INITIAL_FORMS": "5",
        "counties-MIN_NUM_FORMS": "0",
        "counties-MAX_NUM_FORMS": "1000",
    }
    for index, target in enumerate(plan.county_targets.order_by("county__code")):
        data[f"counties-{index}-id"] = str(target.pk)
        data[f"counties-{index}-count_500k_required"] = str(target.count_500k_required)
        data[f"counties-{index}-count_1m_required"] = str(target.count_1m_required)
        for name in CountyTarget.INHERITED:
            data[f"counties-{index}-{name}"] = ""
    data.update(overrides)
    return data


def test_city_edits_targets_in_the_browser(plan, login, city_user):
    client = login(city_user)
    page = client.get(reverse("incentives:plan_edit", args=[2024]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="60.00"' in html  # the share shown as a percentage
    assert html.count("counties-") > 5 and "冷水江市" in html
    data = edit_data(
        plan,
        share_required="65",
        reason="市委常委会调整",
        **{"counties-0-count_500k_required": "15", "counties-0-share_required": "70.5"},
    )
    response = client.post(reverse("incentives:plan_edit", args=[2024]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    plan.refresh_from_db()
    assert plan.share_required == Decimal("0.6500") and plan.updated_by == city_user
    louxing = plan.county_targets.get(county__code="431302")
    assert louxing.count_500k_required == 15 and louxing.share_required == Decimal("0.7050")
    history = plan_history(plan=plan)
    assert history[0]["reason"] == "市委常委会调整"
    changed = {(e["unit"], c["field"]) for e in history for c in e["changes"]}
    assert ("市级目标", "要求占比") in changed and ("娄星区", "50万元以上村数(个)") in changed
    detail = client.get(reverse("incentives:plan_detail", args=[2024])).content.decode()
    assert "市委常委会调整" in detail and "70.50%" in detail


def test_invalid_edit_changes_nothing(plan, login, city_user):
    client = login(city_user)
    response = client.post(
        reverse("incentives:plan_edit", args=[2024]),
        edit_data(plan, share_required="120", **{"counties-1-count_1m_required": "-3"}),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["share_required"]
    assert response.context["formset"].errors[1]["count_1m_required"]
    plan.refresh_from_db()
    assert plan.share_required == Decimal("0.6000")
    assert plan.history.count() == 1


@pytest.mark.parametrize("who", ["agri_user", "finance_user", "reviewer", "clerk"])
def test_only_the_organisation_department_edits(request, plan, login, who):
    client = login(request.getfixturevalue(who))
    page_refused(client.get(reverse("incentives:plan_edit", args=[2024])), 403)
    page_refused(client.post(reverse("incentives:plan_edit", args=[2024]), edit_data(plan, share_required="10")), 403)
    page_refused(client.post(reverse("incentives:plan_create"), {"year": "2025"}), 403)
    plan.refresh_from_db()
    assert plan.share_required == Decimal("0.6000") and not TargetPlan.objects.filter(year=2025).exists()


def test_city_creates_a_year(plan, login, city_user):
    client = login(city_user)
    # First the figures the new year starts from, for review; nothing is saved yet.
    review = client.post(reverse("incentives:plan_create"), {"year": "2025"})
    assert review.status_code == 200
    page = review.content.decode()
    assert "新建 2025 年度目标任务 · 请核对" in page and "参照 2024 年度" in page and "1,000 万元" in page
    assert not TargetPlan.objects.filter(year=2025).exists()
    response = client.post(reverse("incentives:plan_create"), {"year": "2025", "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("incentives:plan_edit", args=[2025])
    assert TargetPlan.objects.get(year=2025).county_targets.count() == 5
    response = client.post(reverse("incentives:plan_create"), {"year": "2025"}, follow=True)
    assert "2025 年度目标任务已存在" in response.content.decode()


def test_money_is_typed_and_shown_in_wan_and_kept_to_the_cent(plan, login, city_user):
    client = login(city_user)
    html = client.get(reverse("incentives:plan_edit", args=[2024])).content.decode()
    assert "市级奖补预算(万元)" in html and 'value="1000"' in html and 'inputmode="decimal"' in html
    response = client.post(
        reverse("incentives:plan_edit", args=[2024]), edit_data(plan, reward_budget="1234.567891", reason="调整")
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.reward_budget == Decimal("12345678.91")
    detail = client.get(reverse("incentives:plan_detail", args=[2024])).content.decode()
    assert "1,234.567891 万元" in detail


def test_county_reviewer_sees_the_city_and_his_county(plan, login, reviewer):
    page = login(reviewer).get(reverse("incentives:plan_detail", args=[2024]))
    assert [row["county"].code for row in page.context["counties"]] == ["431302"]
    html = page.content.decode()
    assert "新化县" not in html and "修改目标与分解" not in html and "修改记录" not in html


def test_plan_list(plan, login, city_user):
    page = login(city_user).get(reverse("incentives:plan_list"))
    assert [p.year for p in page.context["plans"]] == [2024]
    assert "新建年度目标" in page.content.decode()
