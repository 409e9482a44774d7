"""The demo plans, and a run on a real Celery worker (CI)."""

import os
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from incentives import demo
from incentives.models import AcceptanceRun, CountyTarget, RunStatus, TargetPlan
from incentives.services import acceptance_start
from tests.conftest import IN_CI
from villages.models import IncomeReport, IncomeStatus


@pytest.mark.django_db
def test_demo_seed_is_idempotent(divisions, capsys):
    assert "2023 年、2024 年" in demo.seed(stdout=None)
    first = list(TargetPlan.objects.values())
    assert "未做修改" in demo.seed(stdout=None)
    assert list(TargetPlan.objects.values()) == first
    plan = TargetPlan.objects.get(year=2024)
    counts = dict(
        CountyTarget.objects.filter(plan=plan)
        .values_list("county__code", "count_500k_required")
        .order_by("county__code")
    )
    assert counts == {"431302": 13, "431321": 25, "431322": 30, "431381": 8, "431382": 24}
    assert (plan.count_500k_required, plan.count_1m_required) == (100, 20)


@pytest.mark.celery_worker
def test_a_run_on_the_real_worker(celery_worker_ready, plan, incomes, city_user):
    """The run is committed (transactional_db), the task goes through the broker, and a worker
    reading the test database computes it; poll the database until it is done."""
    incomes.passing()
    run = acceptance_start(year=2024, user=city_user)  # autocommit: on_commit sends at once
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.5)
    assert run.status == RunStatus.DONE, run.error or f"still {run.status} after 60 s"
    assert run.results["city"]["passed"] is True
    assert run.village_results.count() == 2107
    assert AcceptanceRun.objects.filter(year=2024).count() == 1


@pytest.mark.celery_worker
def test_after_a_write_the_dashboard_is_recomputed_by_the_real_worker(
    celery_worker_ready, plan, incomes, city_user, login, settings
):
    """The web and the worker share the cache (Redis; CI gives the worker WORKER_CACHE_URL): after a
    write the city's dashboard shows its last figures at once, and the worker's new ones shortly."""
    location = os.environ.get("WORKER_CACHE_URL")
    if not location:
        if IN_CI:
            pytest.fail("CI 必须为 Celery worker 设置 WORKER_CACHE_URL(与测试共用的 Redis 缓存)。")
        pytest.skip("未设置 WORKER_CACHE_URL:跳过看板由真实 worker 重算的检查。")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "portal",
        }
    }
    settings.FIGURES_RECOMPUTED_BY_WORKER = True
    cache.clear()
    incomes.passing()
    client = login(city_user)
    url = reverse("dashboards:city") + "?year=2024"
    before = client.get(url).context["unit"]["approved"]
    IncomeReport.objects.filter(year=2024, status=IncomeStatus.APPROVED).order_by("pk").first().delete()
    page = client.get(url)
    assert page.context["recomputing"] and page.context["unit"]["approved"] == before
    deadline = time.monotonic() + 60
    while page.context.get("recomputing") and time.monotonic() < deadline:
        time.sleep(0.5)
        page = client.get(url)
    assert not page.context.get("recomputing"), "worker did not recompute the dashboard within 60 s"
    assert page.context["unit"]["approved"] == before - 1
