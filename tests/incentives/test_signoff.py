"""The joint sign-off: three departments confirm, the year closes; the administrator may unlock."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from incentives.models import AcceptanceSignoff, YearUnlock
from incentives.services import acceptance_compute, acceptance_sign, acceptance_start, acceptance_year_unlock
from tests.checks import page_refused
from villages.selectors import year_is_closed
from villages.services import system_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_run(plan, incomes):
    incomes.passing()
    run = acceptance_start(year=2024, user=system_actor(), enqueue=False)
    return acceptance_compute(run_id=run.pk)


def sign_all(run, city_user, agri_user, finance_user):
    acceptance_sign(run=run, user=city_user, comment="同意")
    acceptance_sign(run=run, user=agri_user)
    return acceptance_sign(run=run, user=finance_user, reward_total=Decimal("10000000.00"))


def test_three_signatures_close_the_year(done_run, city_user, agri_user, finance_user):
    acceptance_sign(run=done_run, user=city_user)
    acceptance_sign(run=done_run, user=agri_user)
    assert not year_is_closed(year=2024)
    signoff = acceptance_sign(run=done_run, user=finance_user, reward_total=Decimal("10000000.00"))
    assert signoff.confirmed_reward_total == Decimal("10000000.00")
    assert year_is_closed(year=2024)
    assert not year_is_closed(year=2023)
    assert signoff.history.first().history_change_reason == "签署联合验收"


def test_finance_must_confirm_the_reward_total(done_run, finance_user):
    with pytest.raises(ValidationError, match="请填写核对后的奖补总额"):
        acceptance_sign(run=done_run, user=finance_user)
    with pytest.raises(ValidationError, match="不一致"):
        acceptance_sign(run=done_run, user=finance_user, reward_total=Decimal("9999999.99"))
    assert not AcceptanceSignoff.objects.exists()


def test_other_roles_cannot_sign(done_run, clerk, reviewer, admin_user):
    for user in (clerk, reviewer, admin_user):
        with pytest.raises(PermissionDenied):
            acceptance_sign(run=done_run, user=user)
    assert not AcceptanceSignoff.objects.exists()


def test_a_department_signs_once(done_run, agri_user):
    acceptance_sign(run=done_run, user=agri_user)
    with pytest.raises(ValidationError, match="已签署"):
        acceptance_sign(run=done_run, user=agri_user)


def test_only_the_latest_done_run_can_be_signed(done_run, agri_user):
    newer = acceptance_compute(run_id=acceptance_start(year=2024, user=system_actor(), enqueue=False).pk)
    with pytest.raises(ValidationError, match="请签署最新版本"):
        acceptance_sign(run=done_run, user=agri_user)
    acceptance_sign(run=newer, user=agri_user)


def test_a_run_not_done_cannot_be_signed(plan, incomes, agri_user):
    run = acceptance_start(year=2024, user=system_actor(), enqueue=False)
    with pytest.raises(ValidationError, match="尚未计算完成"):
        acceptance_sign(run=run, user=agri_user)


def test_sign_in_the_browser(done_run, login, city_user, agri_user, finance_user):
    url = reverse("incentives:run_sign", args=[done_run.pk])
    for user in (city_user, agri_user):
        assert login(user).post(url, {"comment": "同意"}).status_code == 302
    page = login(finance_user).get(reverse("incentives:run_detail", args=[done_run.pk]))
    assert "核对后的市级奖补总额" in page.content.decode()
    response = login(finance_user).post(url, {"reward_total": "1.00"}, follow=True)
    assert "不一致" in response.content.decode()
    assert not year_is_closed(year=2024)
    response = login(finance_user).post(url, {"reward_total": "1000"}, follow=True)  # 万元
    assert "已关账" in response.content.decode()
    assert year_is_closed(year=2024)
    assert AcceptanceSignoff.objects.filter(run=done_run).count() == 3


def test_county_reviewer_cannot_sign_in_the_browser(done_run, login, reviewer):
    response = login(reviewer).post(reverse("incentives:run_sign", args=[done_run.pk]))
    assert response.status_code == 403
    assert not AcceptanceSignoff.objects.exists()


def test_admin_unlocks_a_closed_year_with_a_reason(done_run, city_user, agri_user, finance_user, admin_user, login):
    sign_all(done_run, city_user, agri_user, finance_user)
    client = login(admin_user)
    url = reverse("incentives:year_unlock")
    page = client.get(url)
    assert page.status_code == 200 and "2024 年" in page.content.decode()
    response = client.post(url, {"year": "2024", "reason": "  "})
    assert response.status_code == 200 and year_is_closed(year=2024)
    response = client.post(url, {"year": "2024", "reason": "新化县两个村收入数据录入有误,需更正"})
    assert response.status_code == 302
    assert not year_is_closed(year=2024)
    record = YearUnlock.objects.get()
    assert record.unlocked_by == admin_user and "录入有误" in record.reason
    assert "录入有误" in client.get(url).content.decode()
    detail = client.get(reverse("incentives:run_detail", args=[done_run.pk])).content.decode()
    assert "已由系统管理员解锁" in detail


def test_only_the_administrator_unlocks(done_run, city_user, agri_user, finance_user, reviewer, clerk, login):
    sign_all(done_run, city_user, agri_user, finance_user)
    for user in (city_user, agri_user, finance_user, reviewer, clerk):
        client = login(user)
        page_refused(client.get(reverse("incentives:year_unlock")), 403)
        page_refused(client.post(reverse("incentives:year_unlock"), {"year": "2024", "reason": "x"}), 403)
    with pytest.raises(PermissionDenied):
        acceptance_year_unlock(year=2024, user=city_user, reason="x")
    assert year_is_closed(year=2024) and not YearUnlock.objects.exists()


def test_targets_of_a_closed_year_cannot_change(done_run, plan, city_user, agri_user, finance_user):
    from incentives.services import target_plan_update

    sign_all(done_run, city_user, agri_user, finance_user)
    with pytest.raises(ValidationError, match="已完成联合验收并关账"):
        target_plan_update(plan=plan, user=city_user, data={"count_1m_required": 1})


def test_a_closed_year_gets_no_new_acceptance_version(
    done_run, city_user, agri_user, finance_user, api_login, login, admin_user
):
    from django.core.management import CommandError, call_command

    from incentives.models import AcceptanceRun

    sign_all(done_run, city_user, agri_user, finance_user)
    message = "2024 年度已关账,如需重算请先由管理员解锁"
    with pytest.raises(ValidationError, match=message):
        acceptance_start(year=2024, user=city_user)
    response = api_login(city_user).post("/api/acceptance-runs/", {"year": 2024}, format="json")
    assert response.status_code == 400 and message in str(response.json())
    page = login(city_user).post(reverse("incentives:run_start"), {"year": "2024"}, follow=True)
    assert message in page.content.decode()
    with pytest.raises(CommandError, match=message):
        call_command("run_acceptance", "--year", "2024")
    assert list(AcceptanceRun.objects.values_list("version", flat=True)) == [1]
    # Once unlocked by the administrator, a recomputation is allowed again.
    acceptance_year_unlock(year=2024, user=admin_user, reason="更正收入后重算")
    assert acceptance_start(year=2024, user=city_user, enqueue=False).version == 2
