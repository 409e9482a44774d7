"""Celery app. Without CELERY_BROKER_URL tasks run in-process (task_always_eager, set in settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loudi_portal.settings")

app = Celery("loudi_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
