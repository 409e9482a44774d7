"""Celery tasks of the rectification app: thin wrappers around one service each."""

from datetime import date

from celery import shared_task

from . import services


@shared_task(name="rectification.tasks.overdue_snapshot_record")
def overdue_snapshot_record(day: str | None = None) -> int:
    """Daily (CELERY_BEAT_SCHEDULE): each county's overdue clue count. Safe to run twice a day."""
    return services.overdue_snapshot_record(day=date.fromisoformat(day) if day else None)
