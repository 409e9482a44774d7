"""Cached figures are keyed by the versions of the data they read: every write to an app's tables
changes its version, however it is written, and once more when its transaction commits."""

import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from loudi_portal import data_versions
from villages.models import Notification, NotificationKind, Village

pytestmark = pytest.mark.django_db


def test_every_kind_of_write_changes_its_apps_version_only(divisions, clerk):
    before = data_versions.version("villages", "assets")
    village = Village.objects.first()
    village.name += "村"
    village.save()
    after_save = data_versions.version("villages", "assets")
    assert after_save != before and after_save.split("-")[1] == before.split("-")[1]  # assets unchanged
    Village.objects.filter(pk=village.pk).update(name="新名村")
    after_update = data_versions.version("villages")
    assert after_update != after_save.split("-")[0]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Village._meta.db_table} SET name = %s WHERE id = %s", ["又名村", village.pk])
    assert data_versions.version("villages") != after_update
    # A table no cached figure reads (notifications are read and marked read all day) changes nothing.
    unchanged = data_versions.version("villages")
    Notification.objects.create(recipient=clerk, kind=NotificationKind.choices[0][0], key="k", title="提醒")
    assert data_versions.version("villages") == unchanged
    # Reads change nothing either.
    list(Village.objects.all()[:5])
    assert data_versions.version("villages") == unchanged


def test_a_write_bumps_again_at_commit_once_per_app(divisions, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        Village.objects.filter(pk=Village.objects.first().pk).update(name="甲村")
        Village.objects.filter(pk=Village.objects.last().pk).update(name="乙村")
    assert len(callbacks) == 1
    during = data_versions.version("villages")
    callbacks[0]()
    assert data_versions.version("villages") != during


def test_a_rolled_back_write_still_bumps_at_the_next_commit(divisions, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                Village.objects.filter(pk=Village.objects.first().pk).update(name="甲村")
                raise RuntimeError
        except RuntimeError:
            pass
        Village.objects.filter(pk=Village.objects.first().pk).update(name="乙村")
    assert len(callbacks) == 1  # the rolled-back savepoint's callback is gone, the new write's is there


def test_cached_computes_once_per_version():
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    assert data_versions.cached("t", apps=("assets",), compute=compute, timeout=60) == {"n": 1}
    assert data_versions.cached("t", apps=("assets",), compute=compute, timeout=60) == {"n": 1}
    data_versions.bump("assets")
    assert data_versions.cached("t", apps=("assets",), compute=compute, timeout=60) == {"n": 2}
    assert data_versions.cached("t", apps=("assets",), compute=compute, timeout=60, refresh=True) == {"n": 3}


def test_after_a_write_readers_get_the_last_figures_while_a_task_computes_them(settings, monkeypatch):
    settings.FIGURES_RECOMPUTED_BY_WORKER = True  # a worker computes them
    settings.FIGURES_STALE_SECONDS = 600
    calls, queued = [], []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    monkeypatch.setattr(data_versions, "_queue", lambda name, kwargs: queued.append(1))

    def get(refresh=False, recompute=("some.task", {})):
        return data_versions.cached(
            "stale-test",
            apps=("assets",),
            as_of="20261205",
            compute=compute,
            timeout=60,
            refresh=refresh,
            recompute=recompute,
        )

    assert get() == {"n": 1}  # nothing kept yet: the reader computes
    data_versions.bump("assets")
    assert get() == {"n": 1, "recomputing": True} and queued == [1]
    assert get() == {"n": 1, "recomputing": True} and queued == [1]  # queued once for every reader
    assert get(refresh=True) == {"n": 2}  # what the task does
    assert get() == {"n": 2} and queued == [1]

    # A task that never comes (no worker): past FIGURES_STALE_SECONDS the reader computes them.
    data_versions.bump("assets")
    assert get() == {"n": 2, "recomputing": True} and queued == [1, 1]
    later = time.time() + 601
    with monkeypatch.context() as clock:
        clock.setattr(data_versions.time, "time", lambda: later)
        assert get() == {"n": 3}

    # A broker that refuses the task: the reader computes them, and the next write queues again.
    def refused(name, kwargs):
        raise ConnectionError("broker down")

    data_versions.bump("assets")
    with monkeypatch.context() as broker_down:
        broker_down.setattr(data_versions, "_queue", refused)
        assert get() == {"n": 4}
    data_versions.bump("assets")
    assert get() == {"n": 4, "recomputing": True} and queued == [1, 1, 1]


def test_where_tasks_run_in_process_the_reader_computes_at_once(settings, monkeypatch):
    settings.FIGURES_RECOMPUTED_BY_WORKER = False  # tasks in-process, or a worker with a cache of its own
    calls = []
    monkeypatch.setattr(data_versions, "_queue", lambda name, kwargs: pytest.fail("nothing is queued"))

    def get():
        return data_versions.cached(
            "eager-test",
            apps=("assets",),
            compute=lambda: calls.append(1) or {"n": len(calls)},
            timeout=60,
            recompute=("some.task", {}),
        )

    assert get() == {"n": 1}
    data_versions.bump("assets")
    assert get() == {"n": 2}


def test_the_time_figures_were_computed_names_the_day_unless_today():
    from loudi_portal import clock
    from loudi_portal.templatetags.portal_format import since

    now = clock.now()
    assert since(now) == f"{timezone.localtime(now):%H:%M}"
    yesterday = timezone.localtime(now) - timedelta(days=1)
    assert since(yesterday) == f"{yesterday.month}月{yesterday.day}日 {yesterday:%H:%M}"
    assert since(None) == "—"


def test_the_tasks_named_for_recomputing_exist():
    from loudi_portal.celery import app

    app.loader.import_default_modules()
    from assets.selectors import CITY_WARNINGS_TASK
    from incentives.dashboards.panels import RECOMPUTE_TASK

    names = (
        CITY_WARNINGS_TASK,
        RECOMPUTE_TASK,
        "rectification.tasks.city_rates_recompute",
        "organisation.tasks.city_panel_recompute",
    )
    for name in names:
        assert name in app.tasks


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "False"),
        ({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/9"}, "False"),  # the worker's cache would be its own
        ({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/9", "REDIS_URL": "redis://127.0.0.1:6379/8"}, "True"),
    ],
)
def test_last_figures_are_served_only_with_a_worker_sharing_the_cache(env, expected):
    from tests.villages.test_commands import _manage

    blank = {
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
        "CACHE_URL": "",
        "DJANGO_SETTINGS_MODULE": "loudi_portal.settings",
    }
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.FIGURES_RECOMPUTED_BY_WORKER)",
        env_extra={**blank, **env},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
