"""Celery tasks of the portal itself: thin wrappers around one function each, safe to run twice."""

from celery import shared_task

from .exports import export_build, export_jobs_purge
from .xlsx import upload_previews_purge


@shared_task(name="loudi_portal.tasks.export_build_task")
def export_build_task(job_id: int) -> None:
    export_build(job_id=job_id)


@shared_task(name="loudi_portal.tasks.upload_previews_purge_task")
def upload_previews_purge_task() -> int:
    """Upload previews never confirmed, past their expiry."""
    return upload_previews_purge()


@shared_task(name="loudi_portal.tasks.export_jobs_purge_task")
def export_jobs_purge_task() -> int:
    """Finished exports older than a week, with their files."""
    return export_jobs_purge()
