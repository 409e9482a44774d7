"""Large Excel exports on Celery: a request records an ExportJob and returns at once; the task builds
the workbook with the builder registered for its kind and puts the file in the shared storage.

Builders are found by name (like the menu and the panels), so this module imports no app. Each is
`build(*, job, output, progress) -> None`: it writes the workbook to the binary file `output` for
`job.user`'s scope and calls `progress(done, total)` now and then.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.module_loading import import_string

from loudi_portal import clock

from .models import ExportJob, ExportStatus

logger = logging.getLogger(__name__)

BUILDERS = {
    "acceptance_workbook": "incentives.exports.acceptance_workbook_build",
    "ledger": "assets.exports.ledger_build",
    "clue_ledger": "rectification.exports.clue_ledger_build",
}
# A finished export is kept this long, then removed with its file by the daily clean-up.
KEEP_FOR = timedelta(days=7)
# Progress is written at most this often (rows), not once per row.
PROGRESS_STEP = 500


def export_request(*, user, kind: str, params: dict, filename: str) -> ExportJob:
    """Record the export and queue its task. The same export still queued or building for the same
    user is reused, so a double click builds it once."""
    if kind not in BUILDERS:
        raise ValidationError(f"未知的导出类型:{kind}")
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update()
            .filter(user=user, kind=kind, params=params, status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING))
            .first()
        )
        if job is not None:
            return job
        job = ExportJob.objects.create(user=user, kind=kind, params=params, filename=filename)
    from .tasks import export_build_task

    transaction.on_commit(lambda: export_build_task.delay(job.pk))
    return job


def export_build(*, job_id: int) -> ExportJob | None:
    """Build the job's file. Safe to run twice: a finished job is left as it is."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == ExportStatus.DONE:
            return job
        job.status, job.error, job.rows_done = ExportStatus.RUNNING, "", 0
        job.save(update_fields=["status", "error", "rows_done"])
    build = import_string(BUILDERS[job.kind])
    last = {"done": 0}

    def progress(done: int, total: int) -> None:
        if done - last["done"] >= PROGRESS_STEP or done >= total:
            last["done"] = done
            ExportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

    try:
        with tempfile.TemporaryFile() as output:
            build(job=job, output=output, progress=progress)
            output.seek(0)
            old = job.file.name
            job.file.save(f"{job.pk}.xlsx", File(output), save=False)
    except (PermissionDenied, ValidationError) as exc:
        return _fail(job, "; ".join(getattr(exc, "messages", [str(exc)])))
    except Exception as exc:
        # Logged with its traceback; the user sees that it failed and may ask again.
        logger.exception("导出失败 %s", job.pk)
        return _fail(job, f"生成失败({exc.__class__.__name__}),请稍后重试或联系管理员。")
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.DONE, file=job.file.name, finished_at=clock.now(), rows_done=0, error=""
        )
    if old and old != job.file.name:
        job.file.storage.delete(old)
    job.refresh_from_db()
    return job


def _fail(job: ExportJob, message: str) -> ExportJob:
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error=message, finished_at=clock.now())
    job.refresh_from_db()
    return job


def export_jobs_purge(*, now=None) -> int:
    """Remove exports finished more than KEEP_FOR ago, with their files; return how many."""
    old = list(ExportJob.objects.filter(finished_at__lt=(now or clock.now()) - KEEP_FOR))
    for job in old:
        if job.file:
            job.file.storage.delete(job.file.name)
    ExportJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)
