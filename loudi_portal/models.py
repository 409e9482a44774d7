"""What the portal keeps for itself rather than for one app."""

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
