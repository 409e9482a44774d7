"""Celery tasks of the villages app: thin wrappers around one service each."""

from datetime import date

from celery import shared_task

from . import services


@shared_task(name="villages.tasks.reminders_send")
def reminders_send(day: str | None = None) -> str:
    """CELERY_BEAT_SCHEDULE: the deadline and review reminders. Each is sent once a day at most."""
    return str(services.reminders_send(day=date.fromisoformat(day) if day else None))
