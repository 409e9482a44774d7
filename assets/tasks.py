"""Celery tasks of the 三资 app: thin wrappers around one function each, safe to run twice."""

from celery import shared_task

from . import selectors


@shared_task(name="assets.tasks.city_warnings_recompute", ignore_result=True)
def city_warnings_recompute() -> None:
    """The whole city's contract warnings after a write; twice is harmless (the same pairs kept)."""
    selectors.city_warnings_find()
