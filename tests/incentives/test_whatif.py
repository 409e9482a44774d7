"""测算: the what-if is the acceptance's own computation, never saved."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from incentives.insights.whatif import whatif_rows
from incentives.models import AcceptanceRun, AcceptanceVillageResult, TargetPlan
from incentives.services import acceptance_compute, acceptance_preview, acceptance_start, target_plan_update
from tests.checks import page_refused

pytestmark = pytest.mark.django_db

CHANGES = {"reward_budget": Decimal("5000000.00"), "share_required": Decimal("0.5000")}
COUNTIES = {"431302": {"count_500k_required": 14}, "431381": {"share_required": Decimal("0.9000")}}


def test_whatif_equals_a_real_run_with_the_same_inputs(plan, incomes, city_user):
    incomes.passing()
    before = list(TargetPlan.objects.values())
    results, details = acceptance_preview(user=city_user, year=2024, data=CHANGES, counties=COUNTIES)
    # Nothing saved: no run, no village rows, the plan as it was.
    assert not AcceptanceRun.objects.exists() and not AcceptanceVillageResult.objects.exists()
    assert list(TargetPlan.objects.values()) == before

    target_plan_update(plan=plan, user=city_user, data=CHANGES, counties=COUNTIES)
    run = acceptance_compute(run_id=acceptance_start(year=2024, user=city_user, enqueue=False).pk)
    assert results == run.results
    assert details == run.details
    # The changes matter: 娄星区 misses its raised count, the budget caps the rewards.
    by_code = {u["code"]: u for u in results["counties"]}
    assert by_code["431302"]["passed"] is False and by_code["431321"]["passed"] is True
    assert details["rewards"]["scaled"] is True


def test_whatif_rows_show_gaps_and_rewards(plan, incomes, city_user):
    incomes.passing()
    results, details = acceptance_preview(user=city_user, year=2024, data=CHANGES, counties=COUNTIES)
    outcome = whatif_rows(results=results, details=details)
    louxing = next(u for u in outcome["units"] if u["code"] == "431302")
    gaps = {t["key"]: t["gap"] for t in louxing["targets"]}
    assert gaps == {"clearing": 0, "share_100k": 0, "count_500k": 1, "count_1m": 0}
    passed = [u for u in outcome["units"] if u["passed"] and not u["is_city"]]
    assert outcome["rewards"]["total"] == sum(u["reward"] for u in passed) <= outcome["rewards"]["budget"]


def test_whatif_refuses_bad_input_and_other_roles(plan, city_user, reviewer):
    with pytest.raises(ValidationError):
        acceptance_preview(user=city_user, year=2024, data={"share_required": Decimal("1.5")})
    with pytest.raises(PermissionDenied):
        acceptance_preview(user=reviewer, year=2024, data={})
    with pytest.raises(ValidationError):
        acceptance_preview(user=city_user, year=2030, data={})


def test_whatif_page(login, plan, incomes, city_user, reviewer):
    incomes.passing()
    client = login(city_user)
    url = reverse("insights:whatif", args=[2024])
    page = client.get(url)
    assert page.status_code == 200
    assert url in client.get(reverse("incentives:plan_detail", args=[2024])).content.decode()
    form = page.context["form"]
    # The form as shown: money in 万元, shares in percent (each field's own prepare_value).
    data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
    data["share_required"] = "60"
    data["reward_budget"] = "500"  # 万元
    formset = page.context["formset"]
    data.update({f"counties-{k}": v for k, v in formset.management_form.initial.items()})
    for i, f in enumerate(formset.forms):
        for name in f.fields:
            value = f[name].value()
            data[f"counties-{i}-{name}"] = "" if value is None else value
        data[f"counties-{i}-id"] = f.instance.pk
    response = client.post(url, data)
    assert response.status_code == 200, response.content.decode()[:500]
    outcome = response.context["outcome"]
    assert outcome is not None, (response.context["form"].errors, response.context["formset"].errors)
    assert outcome["rewards"]["total"] == Decimal("5000000.00")
    assert not AcceptanceRun.objects.exists()
    page_refused(login(reviewer).get(url), 403)


def test_a_share_over_100_percent_gets_a_message_not_a_crash(plan, city_user):
    from incentives.insights.services import income_check_settings_update

    with pytest.raises(ValidationError) as exc:
        target_plan_update(plan=plan, user=city_user, data={"share_required": Decimal("1.5")})
    assert "0% 到 100%" in str(exc.value)
    with pytest.raises(ValidationError):
        income_check_settings_update(user=city_user, tolerance=Decimal("1"), excess=Decimal("1"), band=Decimal("2"))
