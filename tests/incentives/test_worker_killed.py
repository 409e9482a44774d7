"""A worker killed with kill -9 in the middle of a run (CI, real broker and PostgreSQL): the run
ends failed (or recomputed), never stuck "计算中", and no partial result is left.

The shared worker that .ci/run starts is needed by later tests, so this test starts its own worker
(the same command line, on a queue of its own) and kills only that one."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from incentives import tasks
from incentives.models import AcceptanceRun, AcceptanceVillageResult, RunStatus
from incentives.services import RUN_STUCK, acceptance_runs_fail_stuck, acceptance_start
from tests.conftest import IN_CI
from villages.models import IncomeReport

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {seconds} s")


@pytest.mark.celery_worker
def test_a_worker_killed_mid_run_leaves_no_stuck_run(celery_worker_ready, plan, incomes, city_user, settings, tmp_path):
    if connection.vendor != "postgresql":
        # CI runs on PostgreSQL: there the check is required, like the worker itself.
        if IN_CI:
            pytest.fail("CI 必须在 PostgreSQL 上运行被杀 worker 的检查。")
        pytest.skip("the real worker runs on PostgreSQL")
    app = celery_worker_ready
    incomes.passing()
    queue = f"acceptance-kill-test-{os.getpid()}"
    node = f"killable-{os.getpid()}@test"
    log = (tmp_path / "worker.log").open("w")
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "loudi_portal.settings_test"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "loudi_portal", "worker", "--pool=solo", "--concurrency=1"]
        + ["--loglevel=info", "-Q", queue, "-n", node],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(lambda: app.control.ping(destination=[node], timeout=1), 60, "the extra worker answers")
        run = acceptance_start(year=2024, user=city_user, enqueue=False)
        table = IncomeReport._meta.db_table
        with transaction.atomic():
            # The run reads the income reports: holding this lock blocks it after it has started.
            with connection.cursor() as cursor:
                cursor.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
            tasks.acceptance_compute.apply_async((run.pk,), queue=queue)
            _wait(
                lambda: AcceptanceRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).exists(),
                60,
                "the worker starts the run",
            )
            time.sleep(1)  # now blocked on the lock, in the middle of its transaction
            worker.kill()
            worker.wait(timeout=30)
        run.refresh_from_db()
        assert run.status == RunStatus.RUNNING  # what a killed worker used to leave for an hour

        # Beat's sweep (the limit shortened for the test) fails it once the dead worker's database
        # session is gone; until then its row lock says the run is still being computed.
        settings.ACCEPTANCE_RUN_TIMEOUT = 0
        _wait(lambda: acceptance_runs_fail_stuck() or AcceptanceRun.objects.get(pk=run.pk).is_finished, 60, "sweep")
        run.refresh_from_db()
        assert run.status in (RunStatus.FAILED, RunStatus.DONE)
        if run.status == RunStatus.FAILED:
            assert run.error == RUN_STUCK
            assert not AcceptanceVillageResult.objects.filter(run=run).exists() and not run.results
        # A new version may start at once.
        assert acceptance_start(year=2024, user=city_user, enqueue=False).version == 2
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)
        log.close()
