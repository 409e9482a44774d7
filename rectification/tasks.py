"""Celery tasks of the rectification app: thin wrappers around one service each."""

from datetime import date

from celery import shared_task

from villages.models import County

from . import selectors, services


@shared_task(name="rectification.tasks.overdue_snapshot_record")
def overdue_snapshot_record(day: str | None = None) -> int:
    """Daily (CELERY_BEAT_SCHEDULE): each county's overdue clue count. Safe to run twice a day."""
    return services.overdue_snapshot_record(day=date.fromisoformat(day) if day else None)


@shared_task(name="rectification.tasks.city_rates_recompute", ignore_result=True)
def city_rates_recompute(county_id: int | None = None) -> None:
    """The city's 整改率 figures (with one county's townships) after a write; twice is harmless."""
    county = County.objects.get(pk=county_id) if county_id else None
    selectors.city_rates(county=county, refresh=True)
