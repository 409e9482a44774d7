"""The demo plans, and a run on a real Celery worker (CI)."""

import time

import pytest

from incentives import demo
from incentives.models import AcceptanceRun, CountyTarget, RunStatus, TargetPlan
from incentives.services import acceptance_start


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
