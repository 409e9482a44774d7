"""A dead broker or a dead worker never leaves a run stuck: the enqueue fails fast and the run is
failed with the reason (a retry may start at once); runs stuck past the limit are failed by beat."""

import select
import socket
import time
from datetime import timedelta

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from incentives import tasks
from incentives.models import AcceptanceRun, RunStatus
from incentives.services import QUEUE_UNAVAILABLE, RUN_STUCK, acceptance_runs_fail_stuck, acceptance_start
from villages.services import system_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.acceptance_compute, "delay", refuse)
    return monkeypatch


def test_an_enqueue_failure_fails_the_run_and_a_retry_starts_at_once(
    plan, incomes, city_user, broker_down, django_capture_on_commit_callbacks
):
    incomes.passing()
    with django_capture_on_commit_callbacks(execute=True):
        run = acceptance_start(year=2024, user=city_user)
    assert (run.status, run.error) == (RunStatus.FAILED, QUEUE_UNAVAILABLE)
    assert AcceptanceRun.objects.get().status == RunStatus.FAILED
    broker_down.undo()
    with django_capture_on_commit_callbacks(execute=True):
        again = acceptance_start(year=2024, user=city_user)
    again.refresh_from_db()
    assert (again.version, again.status) == (2, RunStatus.DONE)


@pytest.mark.django_db(transaction=True)
def test_the_page_and_the_api_say_the_queue_is_down(plan, incomes, login, api_login, city_user, broker_down):
    """Committed for real (autocommit), as in production: the enqueue happens inside the request."""
    incomes.passing()
    response = login(city_user).post(reverse("incentives:run_start"), {"year": "2024"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "未能开始计算:任务队列不可用,请稍后重试或联系管理员" in html
    assert AcceptanceRun.objects.get().status == RunStatus.FAILED
    response = api_login(city_user).post("/api/acceptance-runs/", {"year": 2024}, format="json")
    assert response.status_code == 201
    assert (response.json()["version"], response.json()["status"]) == (2, RunStatus.FAILED)
    assert QUEUE_UNAVAILABLE in str(response.json())


def _dead_app(url: str) -> Celery:
    """An app configured like the portal's (the CELERY_ settings) but pointing at `url`."""
    app = Celery("dead-broker", set_as_current=False)
    app.config_from_object(
        {
            name[len("CELERY_") :].lower(): getattr(django_settings, name)
            for name in dir(django_settings)
            if name.startswith("CELERY_")
        }
    )
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    return app


class VirtualClock:
    """Counts the seconds a publish would wait, without waiting: each sleep, and each socket read
    that finds nothing to read counts the socket's timeout (None, no timeout: forever) and times
    out at once. The settings decide these waits, not the machine's load, so the count is the same
    on a busy machine as on an idle one."""

    def __init__(self):
        self.waited = 0.0
        self.timeouts = 0

    def sleep(self, seconds):
        self.waited += seconds

    def socket_class(self):
        clock, base = self, socket.socket

        class VirtualSocket(base):
            def _would_block(self):
                readable, _, _ = select.select([self], [], [], 0)
                if readable:
                    return
                timeout = self.gettimeout()
                clock.waited += float("inf") if timeout is None else timeout
                clock.timeouts += 1
                raise TimeoutError("timed out")

            def recv(self, *args, **kwargs):
                self._would_block()
                return super().recv(*args, **kwargs)

            def recv_into(self, *args, **kwargs):
                self._would_block()
                return super().recv_into(*args, **kwargs)

        return VirtualSocket


@pytest.mark.parametrize("kind", ["refused", "hanging"])
def test_the_settings_bound_how_long_a_dead_broker_takes(kind, monkeypatch):
    """Kombu's and the result backend's defaults wait about 19 s for a refused connection and
    forever for a broker that accepts but never answers; the settings make both fail within 5 s
    (8 s when the result backend is tried too). Counted on a virtual clock, not the wall clock."""
    import kombu.utils.functional
    import redis.retry

    # Celery reads these variables before its configuration: in CI they name the live broker.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    hanging = socket.socket()
    hanging.bind(("127.0.0.1", 0))
    hanging.listen(50)  # accepts connections, never answers
    clock = VirtualClock()
    monkeypatch.setattr(socket, "socket", clock.socket_class())
    for module in (time, redis.retry, kombu.utils.functional):
        monkeypatch.setattr(module, "sleep", clock.sleep)
    try:
        port = 1 if kind == "refused" else hanging.getsockname()[1]
        app = _dead_app(f"redis://127.0.0.1:{port}/0")
        for ignore_result, limit in ((True, 5), (False, 8)):
            clock.waited, clock.timeouts = 0.0, 0
            with pytest.raises(OperationalError):
                app.send_task("incentives.tasks.acceptance_compute", args=(1,), ignore_result=ignore_result)
            assert clock.waited < limit, f"{kind}: a page would wait {clock.waited} s"
            # The clock saw the hanging broker's reads time out (a refused connection never reads).
            assert (clock.timeouts > 0) is (kind == "hanging")
    finally:
        hanging.close()


def test_the_acceptance_task_is_acknowledged_late_and_the_broker_gives_messages_back_soon():
    task = tasks.acceptance_compute
    assert task.acks_late and task.reject_on_worker_lost and task.ignore_result
    visibility = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert 60 <= visibility <= 15 * 60 < django_settings.ACCEPTANCE_RUN_TIMEOUT + 1
    schedule = django_settings.CELERY_BEAT_SCHEDULE["incentives-fail-stuck-runs"]
    assert schedule["task"] == "incentives.tasks.acceptance_fail_stuck" and schedule["schedule"] <= 10 * 60


def test_beat_fails_stuck_runs_and_leaves_live_ones(plan, incomes, city_user, settings):
    incomes.passing()
    settings.ACCEPTANCE_RUN_TIMEOUT = 600
    queued = acceptance_start(year=2024, user=system_actor(), enqueue=False)
    AcceptanceRun.objects.filter(pk=queued.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    running = acceptance_start(year=2024, user=system_actor(), enqueue=False)
    AcceptanceRun.objects.filter(pk=running.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=11)
    )
    fresh = AcceptanceRun.objects.create(
        year=2024, version=3, plan=plan, status=RunStatus.RUNNING, started_at=timezone.now()
    )
    assert tasks.acceptance_fail_stuck() == 2
    states = dict(AcceptanceRun.objects.values_list("pk", "status"))
    assert states == {queued.pk: RunStatus.FAILED, running.pk: RunStatus.FAILED, fresh.pk: RunStatus.RUNNING}
    assert AcceptanceRun.objects.get(pk=running.pk).error == RUN_STUCK
    assert acceptance_runs_fail_stuck() == 0
