"""Celery tasks of the incentives app: thin, they take ids and call one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


@shared_task(
    name="incentives.tasks.acceptance_compute",
    acks_late=True,
    # A lost connection or a serialisation failure is worth another try; the service has already
    # marked the run failed, and recomputes it from scratch on the retry.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    max_retries=3,
)
def acceptance_compute(run_id: int) -> str:
    """Compute one acceptance run. Running it twice is harmless: a done run is left as it is."""
    return services.acceptance_compute(run_id=run_id).status
