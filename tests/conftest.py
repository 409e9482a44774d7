"""Shared fixtures: Loudi's real divisions, users of every role, API clients, a real Celery worker."""

import os

import pytest
from django.contrib.auth import get_user_model
from hypothesis import settings
from rest_framework.test import APIClient

from villages.models import County, Official, Role, Township, Village
from villages.services import divisions_load

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "test-pass-123"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters (DRF) and the city dashboard's figures live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Loudi's 2,201 divisions are loaded once; tests run inside transactions that roll back.
    with django_db_blocker.unblock():
        divisions_load()


@pytest.fixture
def divisions(db):
    """The real divisions. Transactional tests flush the database, so reload if they are gone."""
    if not Village.objects.exists():
        divisions_load()
    return County.objects.all()


@pytest.fixture
def open_period(db):
    """open_period(year, days_left=30, opened_days_ago=30) -> the year's ReportingPeriod, in 填报中 today
    (or, with days_left < 0, past its entry deadline). Townships enter income only in an open period."""
    from datetime import timedelta

    from django.utils import timezone

    from villages.models import ReportingPeriod

    def _open(year: int, *, days_left: int = 30, opened_days_ago: int = 30):
        today = timezone.localdate()
        deadline = today + timedelta(days=days_left)
        period, _ = ReportingPeriod.objects.update_or_create(
            year=year,
            defaults={
                "opens_on": min(today - timedelta(days=opened_days_ago), deadline),
                "entry_deadline": deadline,
                "review_deadline": deadline + timedelta(days=30),
            },
        )
        return period

    return _open


@pytest.fixture
def make_user(db, divisions):
    """make_user(role, county="431302", township="431302001", username=...) -> User."""
    counter = {"n": 0}

    def _make(role: str, *, county: str | None = None, township: str | None = None, username: str | None = None):
        counter["n"] += 1
        User = get_user_model()
        user = User.objects.create_user(
            username=username or f"{role}-{county or township or 'city'}-{counter['n']}",
            password=PASSWORD,
            first_name=Role(role).label,
            is_superuser=role == Role.ADMIN,
            is_staff=role == Role.ADMIN,
        )
        Official.objects.create(
            user=user,
            role=role,
            county=County.objects.get(code=county) if county else None,
            township=Township.objects.get(code=township) if township else None,
        )
        return user

    return _make


@pytest.fixture
def clerk(make_user):
    """Township clerk of 乐坪街道 (431302001), 娄星区."""
    return make_user(Role.TOWNSHIP_CLERK, township="431302001", username="town-431302001")


@pytest.fixture
def other_clerk(make_user):
    """Township clerk of a township in 新化县 (another county)."""
    return make_user(Role.TOWNSHIP_CLERK, township="431322001", username="town-431322001")


@pytest.fixture
def reviewer(make_user):
    """County reviewer of 娄星区 (431302)."""
    return make_user(Role.COUNTY_REVIEWER, county="431302", username="county-431302")


@pytest.fixture
def other_reviewer(make_user):
    """County reviewer of 新化县 (431322)."""
    return make_user(Role.COUNTY_REVIEWER, county="431322", username="county-431322")


@pytest.fixture
def city_user(make_user):
    return make_user(Role.CITY_ORG, username="city")


@pytest.fixture
def agri_user(make_user):
    return make_user(Role.AGRI_BUREAU, username="agri")


@pytest.fixture
def finance_user(make_user):
    return make_user(Role.FINANCE_BUREAU, username="finance")


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMIN, username="admin")


@pytest.fixture
def login(client):
    """login(user) -> a Django test client logged in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_login():
    """api_login(user) -> a DRF APIClient authenticated as that user."""

    def _login(user):
        api = APIClient()
        api.force_authenticate(user)
        return api

    return _login


@pytest.fixture
def celery_worker_ready(transactional_db, settings):
    """A real Celery worker (started by CI) that reads this test database.

    Skipped when no broker is configured (plain `make test` on a laptop); in CI it must be there.
    """
    from loudi_portal.celery import app

    if not os.environ.get("CELERY_BROKER_URL"):
        if IN_CI:
            pytest.fail("CI 必须设置 CELERY_BROKER_URL 并启动 Celery worker。")
        pytest.skip("未设置 CELERY_BROKER_URL:跳过需要真实 Celery worker 的测试。")
    replies = app.control.ping(timeout=5.0)
    if not replies:
        pytest.fail("CELERY_BROKER_URL 已设置,但没有 Celery worker 应答。")
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    yield app
    app.conf.task_always_eager = previous


# Property tests (hypothesis) are repeatable and bounded in `make test`: a fixed derandomized seed,
# a bounded number of examples, no example database written into the checkout.
settings.register_profile("portal", derandomize=True, max_examples=200, deadline=None, database=None)
settings.load_profile("portal")


@pytest.fixture
def export_download(settings, tmp_path, django_capture_on_commit_callbacks):
    """export_download(client, url, data=None) -> the download of a finished export job.

    The request queues the job (302 to its page); its Celery task runs in-process on commit; the
    job's page then offers the file, which is downloaded from the storage (the test's own folder).
    """
    from django.urls import reverse

    settings.MEDIA_ROOT = tmp_path

    def _download(client, url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url, data or {})
        assert response.status_code == 302 and "/exports/" in response["Location"], response
        page = client.get(response["Location"])
        job = page.context["job"]
        assert job.status == "done", job.error
        return client.get(reverse("export_job_download", args=[job.pk]))

    return _download


SKIP_KINDS = (("browser", "浏览器测试"), ("celery_worker", "Celery worker 测试"))


def pytest_terminal_summary(terminalreporter):
    """One line after every run: how many browser and worker tests were skipped, and why (a laptop
    without chromium or a broker skips them; CI must run them all)."""
    counts: dict[tuple[str, str], int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        label = next((label for marker, label in SKIP_KINDS if marker in report.keywords), None)
        if label is None:
            continue
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        counts[(label, reason)] = counts.get((label, reason), 0) + 1
    if counts:
        parts = [f"{label} {n} 个({reason})" for (label, reason), n in counts.items()]
        terminalreporter.write_line("已跳过:" + ";".join(parts))
    else:
        terminalreporter.write_line("浏览器测试与 Celery worker 测试:没有跳过(已运行或未选中)。")
