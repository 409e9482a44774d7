"""Large exports on Celery: the request records an export job and returns; the task builds the file
into the storage with its progress; only the user who asked sees and downloads it."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from incentives import workbook
from incentives.services import acceptance_compute, acceptance_start
from loudi_portal.exports import export_build, export_jobs_purge, export_request
from loudi_portal.models import ExportJob, ExportStatus
from tests.checks import page_refused
from villages.services import system_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_run(plan, incomes, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    incomes.passing()
    run = acceptance_start(year=2024, user=system_actor(), enqueue=False)
    return acceptance_compute(run_id=run.pk)


def test_the_request_only_queues_the_job(done_run, login, city_user, monkeypatch):
    def never(**kwargs):
        raise AssertionError("the workbook is written inside the request")

    monkeypatch.setattr(workbook, "acceptance_workbook_write", never)
    client = login(city_user)
    response = client.get(reverse("incentives:run_workbook", args=[done_run.pk]))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("export_job", args=[job.pk])
    assert (job.status, job.user, job.params, job.file.name) == (
        ExportStatus.QUEUED,
        city_user,
        {"run_id": done_run.pk},
        "",
    )
    assert job.filename == "娄底市2024年度验收第1版.xlsx"
    page = client.get(response["Location"]).content.decode()
    assert "排队中" in page and '<meta http-equiv="refresh" content="2">' in page and "export-download" not in page
    page_refused(client.get(reverse("export_job_download", args=[job.pk])), 404)
    # A second click while it waits reuses the job.
    client.get(reverse("incentives:run_workbook", args=[done_run.pk]))
    assert ExportJob.objects.count() == 1


def test_the_task_builds_the_file_with_progress(done_run, login, city_user, monkeypatch):
    seen = []
    real = workbook.acceptance_workbook_write

    def spy(**kwargs):
        progress = kwargs["progress"]

        def report(done, total):
            seen.append((done, total))
            progress(done, total)

        real(**{**kwargs, "progress": report})

    monkeypatch.setattr("incentives.exports.acceptance_workbook_write", spy)
    job = export_request(user=city_user, kind="acceptance_workbook", params={"run_id": done_run.pk}, filename="a.xlsx")
    job = export_build(job_id=job.pk)
    assert seen[0] == (1, 2107) and seen[-1] == (2107, 2107)
    assert job.status == ExportStatus.DONE and job.percent == 100 and job.finished_at
    book = load_workbook(BytesIO(job.file.read()))
    assert book["村级明细"].max_row == 3 + 2107

    client = login(city_user)
    status = client.get(reverse("export_job_status", args=[job.pk])).json()
    assert status["status"] == "done" and status["download_url"] == reverse("export_job_download", args=[job.pk])
    download = client.get(reverse("export_job_download", args=[job.pk]))
    assert "attachment" in download["Content-Disposition"] and "a.xlsx" in download["Content-Disposition"]

    # Safe to run twice: a finished job is left as it is.
    name = job.file.name
    assert export_build(job_id=job.pk).file.name == name


def test_progress_while_building(done_run, city_user):
    job = ExportJob.objects.create(user=city_user, kind="acceptance_workbook", params={}, filename="a.xlsx")
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, rows_done=500, rows_total=2107)
    job.refresh_from_db()
    assert job.percent == 23


def test_only_the_owner_sees_the_job(done_run, login, city_user, agri_user, export_download):
    export_download(login(city_user), reverse("incentives:run_workbook", args=[done_run.pk]))
    job = ExportJob.objects.get()
    other = login(agri_user)
    for name in ("export_job", "export_job_status", "export_job_download"):
        assert other.get(reverse(name, args=[job.pk])).status_code == 404


def test_a_job_whose_run_is_out_of_scope_fails_with_a_message(done_run, clerk):
    job = export_request(user=clerk, kind="acceptance_workbook", params={"run_id": done_run.pk}, filename="a.xlsx")
    job = export_build(job_id=job.pk)
    assert job.status == ExportStatus.FAILED and job.error == "无权导出该验收结果。" and not job.file


def test_a_builder_error_is_recorded_and_shown(done_run, login, city_user, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("incentives.exports.acceptance_workbook_write", broken)
    job = export_request(user=city_user, kind="acceptance_workbook", params={"run_id": done_run.pk}, filename="a.xlsx")
    job = export_build(job_id=job.pk)
    assert job.status == ExportStatus.FAILED and "生成失败(RuntimeError)" in job.error
    page = login(city_user).get(reverse("export_job", args=[job.pk])).content.decode()
    assert "生成失败(RuntimeError)" in page and "refresh" not in page


def test_finished_exports_are_purged_after_a_week(done_run, city_user):
    job = export_build(
        job_id=export_request(
            user=city_user, kind="acceptance_workbook", params={"run_id": done_run.pk}, filename="a.xlsx"
        ).pk
    )
    storage, name = job.file.storage, job.file.name
    assert export_jobs_purge(now=timezone.now() + timedelta(days=6)) == 0
    assert export_jobs_purge(now=timezone.now() + timedelta(days=8)) == 1
    assert not ExportJob.objects.exists() and not storage.exists(name)
