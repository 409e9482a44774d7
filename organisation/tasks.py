"""Celery tasks of the organisation app: thin wrappers around one function each, safe to run twice."""

from celery import shared_task

from . import panels


@shared_task(name="organisation.tasks.city_panel_recompute", ignore_result=True)
def city_panel_recompute() -> None:
    """The city's 党建引领 panel after a write; twice is harmless (the same figures kept again)."""
    panels.city_panel(refresh=True)
