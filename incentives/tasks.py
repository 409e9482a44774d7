"""Celery tasks of the incentives app: thin, they take ids and call one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services
from .dashboards import panels


@shared_task(
    name="incentives.tasks.acceptance_compute",
    # Acknowledged only when done: a worker killed mid-run leaves the message to the broker, which
    # hands it out again after the visibility timeout (settings); recomputing is harmless.
    acks_late=True,
    reject_on_worker_lost=True,
    # The run row is the result; no result backend round trip (which a dead Redis would slow).
    ignore_result=True,
    # A lost connection or a serialisation failure is worth another try; the service has already
    # marked the run failed, and recomputes it from scratch on the retry.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    max_retries=3,
)
def acceptance_compute(run_id: int) -> str:
    """Compute one acceptance run. Running it twice is harmless: a done run is left as it is."""
    return services.acceptance_compute(run_id=run_id).status


@shared_task(name="incentives.tasks.acceptance_fail_stuck", ignore_result=True)
def acceptance_fail_stuck() -> int:
    """Fail the acceptance runs stuck past settings.ACCEPTANCE_RUN_TIMEOUT (beat)."""
    return services.acceptance_runs_fail_stuck()


@shared_task(name="incentives.tasks.dashboard_recompute", ignore_result=True)
def dashboard_recompute(year: int, county_id: int | None = None) -> None:
    """The city's (or a county's) dashboard figures after a write. Twice is harmless: the same
    figures kept again."""
    panels.dashboard_recompute(year=year, county_id=county_id)
