"""What the portal keeps for itself rather than for one app."""

from django.conf import settings
from django.db import models


class UploadPreview(models.Model):
    """An uploaded Excel file between its preview and its confirmation.

    Kept in the database, not on a server's disk, so the confirmation may reach any app server.
    The token is told only to the uploading session; rows past `expires_at` are never read and are
    deleted by the next upload and by the daily clean-up (`purge_upload_previews`).
    """

    token = models.CharField("令牌", max_length=64)
    kind = models.CharField("导入类型", max_length=40)
    content = models.BinaryField("文件内容")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "待确认的上传文件"
        constraints = [models.UniqueConstraint(fields=["token"], name="upload_preview_token_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


def export_path(job: "ExportJob", filename: str) -> str:
    return f"exports/{job.created_at:%Y/%m}/{job.pk}.xlsx"


class ExportJob(models.Model):
    """A large Excel export built by a Celery task (loudi_portal.exports), never inside a request.

    The file goes to the storage every app server shares; its owner downloads it when it is ready.
    """

    kind = models.CharField("导出类型", max_length=40)
    params = models.JSONField("参数", default=dict)
    filename = models.CharField("文件名", max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name="申请人"
    )
    status = models.CharField("状态", max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_done = models.PositiveIntegerField("已写行数", default=0)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    file = models.FileField("文件", upload_to=export_path, max_length=200, blank=True)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导出任务"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done") | (models.Q(finished_at__isnull=False) & ~models.Q(file="")),
                name="export_job_done_has_file",
            )
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0
