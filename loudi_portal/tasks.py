from celery import shared_task

from .xlsx import upload_previews_purge


@shared_task
def upload_previews_purge_task() -> int:
    """Upload previews never confirmed, past their expiry. Safe to run twice."""
    return upload_previews_purge()
