"""The Celery task: idempotent, survives a retry, and a failure leaves nothing half-written."""

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from incentives import services, tasks
from incentives.models import AcceptanceRun, AcceptanceVillageResult, RunStatus
from incentives.services import acceptance_compute, acceptance_start
from villages.models import Village
from villages.services import system_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(plan, incomes):
    incomes.passing()
    return acceptance_start(year=2024, user=system_actor(), enqueue=False)


def test_start_snapshots_the_plan_and_queues(queued, plan):
    assert queued.status == RunStatus.QUEUED and queued.version == 1
    assert queued.plan_snapshot["city"]["share_required"] == "0.6000"
    assert queued.plan_snapshot["counties"]["431322"]["count_500k_required"] == 30
    # A change to the plan after the start does not change what the run computes.
    plan.count_1m_required = 99
    plan.save()
    run = acceptance_compute(run_id=queued.pk)
    assert run.results["city"]["targets"]["count_1m"]["required"] == 20


def test_start_enqueues_after_commit(plan, incomes, city_user, django_capture_on_commit_callbacks):
    incomes.passing()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = acceptance_start(year=2024, user=city_user)
        assert AcceptanceRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.DONE  # eager Celery in tests
    assert run.started_by == city_user and run.started_at and run.finished_at


def test_task_twice_changes_nothing(queued):
    assert tasks.acceptance_compute.apply(args=[queued.pk]).get() == RunStatus.DONE
    queued.refresh_from_db()
    first = (queued.results, queued.finished_at, list(queued.village_results.values_list("pk", flat=True)))
    assert tasks.acceptance_compute.apply(args=[queued.pk]).get() == RunStatus.DONE
    queued.refresh_from_db()
    assert (queued.results, queued.finished_at, list(queued.village_results.values_list("pk", flat=True))) == first
    assert queued.attempts == 1


def test_retry_of_a_half_done_run_recomputes_from_scratch(queued):
    # As if a worker died mid-way: the run says running, and stray rows exist.
    queued.status = RunStatus.RUNNING
    queued.save()

    village = Village.objects.first()
    AcceptanceVillageResult.objects.create(
        run=queued,
        village=village,
        county_code="000000",
        county_name="残留",
        township_code="000000000",
        township_name="残留",
        village_code=village.code,
        village_name="残留",
        kind="村",
        approved=False,
        tier="弱村",
        below_clearing=True,
    )
    run = acceptance_compute(run_id=queued.pk)
    assert run.status == RunStatus.DONE
    assert run.village_results.count() == 2107
    assert not run.village_results.filter(county_name="残留").exists()


def test_failure_marks_the_run_and_writes_no_results(queued, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    # Fails after the village rows were inserted: they must be rolled back with the rest.
    monkeypatch.setattr(services, "_closest_below", broken)
    run = acceptance_compute(run_id=queued.pk)
    assert run.status == RunStatus.FAILED
    assert "磁盘已满" in run.error and run.results is None and run.finished_at
    assert AcceptanceVillageResult.objects.filter(run=run).count() == 0
    # Once the cause is gone, a retry of the same run completes it.
    monkeypatch.undo()
    run = acceptance_compute(run_id=queued.pk)
    assert run.status == RunStatus.DONE and run.attempts == 2 and run.error == ""
    assert run.village_results.count() == 2107


def test_a_plan_without_a_county_fails_clearly(queued):
    snapshot = queued.plan_snapshot
    del snapshot["counties"]["431381"]
    AcceptanceRun.objects.filter(pk=queued.pk).update(plan_snapshot=snapshot)
    run = acceptance_compute(run_id=queued.pk)
    assert run.status == RunStatus.FAILED
    assert "目标快照未包含县市区:431381" in run.error
    assert not run.village_results.exists()


def test_database_errors_are_raised_for_the_retry(queued, monkeypatch):
    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "_below_clearing", lost)
    with pytest.raises(OperationalError):
        acceptance_compute(run_id=queued.pk)
    queued.refresh_from_db()
    assert queued.status == RunStatus.FAILED and not queued.village_results.exists()
    assert tasks.acceptance_compute.autoretry_for == (OperationalError, tasks.InterfaceError)


# The acceptance's queries, whatever the number of villages and counties (in a test each
# transaction is a savepoint; outside one, PostgreSQL's REPEATABLE READ adds one). Start: the plan
# locked, the closed-year check, an active run, the next version, the county targets, the
# counties, the run and its history row. Compute: the run marked running with its history row;
# then the run locked, stray rows deleted, the county check, the village rows (one INSERT …
# SELECT), the city's and the counties' figures, the villages below the clearing line, the closest
# villages, the run saved with its history row.
START_QUERIES = 10
COMPUTE_QUERIES = 17


def _grow(plan, *, counties: int, townships: int, villages: int) -> int:
    """More counties (codes starting with 9), each with its townships and villages, every village
    with approved reports for 2023 and 2024; the first county draws its own clearing line. Returns
    how many villages were added."""
    from decimal import Decimal

    from incentives.models import CountyTarget
    from villages.models import County, IncomeReport, IncomeStatus, Township

    added = []
    for c in range(counties):
        county = County.objects.create(code=f"9{c:05d}", name=f"合成县{c}")
        CountyTarget.objects.create(
            plan=plan, county=county, clearing_threshold=Decimal("60000.00") if c == 0 else None
        )
        for t in range(townships):
            township = Township.objects.create(county=county, code=f"{county.code}{t:03d}", name=f"合成镇{c}-{t}")
            added += Village.objects.bulk_create(
                Village(township=township, code=f"{township.code}{v:03d}", name=f"合成村{c}-{t}-{v}")
                for v in range(villages)
            )
    IncomeReport.objects.bulk_create(
        IncomeReport(
            village=village,
            year=year,
            operating_revenue=Decimal(55000 + 1000 * (i % 700)),
            subsidy_income=Decimal("1000.00"),
            status=IncomeStatus.APPROVED,
        )
        for i, village in enumerate(added)
        for year in (2023, 2024)
    )
    return len(added)


def _counted(fn):
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return result, ctx.captured_queries


def test_the_acceptance_runs_the_same_queries_at_two_sizes(plan, incomes):
    """Set-based: Loudi's 2,107 villages in 5 counties and 2,107 + 1,200 in 9 counties (one with a
    line of its own) take exactly the same queries; the village rows are one INSERT … SELECT
    written by the database (no row passes through Python)."""
    incomes.passing()
    actor = system_actor()
    sizes = []
    for grow in (None, dict(counties=4, townships=3, villages=100)):
        added = _grow(plan, **grow) if grow else 0
        run, start = _counted(lambda: acceptance_start(year=2024, user=actor, enqueue=False))
        run, compute = _counted(lambda run=run: acceptance_compute(run_id=run.pk))
        assert run.status == RunStatus.DONE, run.error
        assert run.village_results.count() == 2107 + added
        inserts = [q["sql"] for q in compute if q["sql"].startswith('INSERT INTO "incentives_acceptancevillageresult"')]
        assert len(inserts) == 1 and " SELECT " in inserts[0]
        sizes.append((len(start), len(compute)))
        if grow:
            own_line = next(u for u in run.results["counties"] if u["code"] == "900000")
            assert own_line["villages"] == 300
            # 总收入 56,000 + 1,000 × i for its villages i = 0…299: 56,000 to 59,000 are under its 60,000.
            assert own_line["targets"]["clearing"]["actual"] == 4
            assert own_line["targets"]["clearing"]["below"] == ["900000000000", *(f"90000000000{i}" for i in (1, 2, 3))]
            assert run.results["city"]["villages"] == 3307
    assert sizes == [(START_QUERIES, COMPUTE_QUERIES)] * 2, (sizes, [q["sql"][:60] for q in start + compute])
