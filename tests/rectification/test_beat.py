"""The daily overdue snapshot runs on a crontab in Loudi's time, not on a 24-hour interval that
restarts with beat and drifts."""

from celery.schedules import crontab
from django.conf import settings


def test_the_daily_snapshot_runs_just_after_midnight_in_loudi():
    entry = settings.CELERY_BEAT_SCHEDULE["rectification-overdue-snapshot"]
    assert entry["task"] == "rectification.tasks.overdue_snapshot_record"
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].hour == {0} and entry["schedule"].minute == {5}
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
