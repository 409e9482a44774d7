"""Evidence file checks: the extension must be on the whitelist AND the content must look like it.

A renamed executable ("photo.jpg") or an empty file is refused before anything is stored.
"""

import zipfile
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from .models import EVIDENCE_TYPES

# Magic numbers of the plain formats; the Office formats are ZIP packages checked by their parts.
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
_OFFICE_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def evidence_type_of(upload) -> str:
    """Return the file's type (its lower-case extension) or raise a ValidationError in Chinese."""
    name = getattr(upload, "name", "") or ""
    ext = PurePosixPath(name).suffix.lower().lstrip(".")
    allowed = "、".join(sorted({k.upper() for k in EVIDENCE_TYPES}))
    if ext not in EVIDENCE_TYPES:
        raise ValidationError(f"不支持的文件类型“{name}”:只能上传 {allowed} 文件。", code="type")
    size = upload.size or 0
    if size <= 0:
        raise ValidationError(f"文件“{name}”是空文件。", code="empty")
    if size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            f"文件“{name}”大小为 {filesizeformat(size)},超过 {filesizeformat(settings.UPLOAD_MAX_BYTES)} 的上限。",
            code="size",
        )
    if not _content_matches(upload, ext):
        raise ValidationError(
            f"文件“{name}”的内容与扩展名 .{ext} 不符,请上传真实的 {ext.upper()} 文件。", code="content"
        )
    return ext


def _content_matches(upload, ext: str) -> bool:
    upload.seek(0)
    try:
        if ext in _SIGNATURES:
            head = upload.read(16)
            return any(head.startswith(sig) for sig in _SIGNATURES[ext])
        try:
            with zipfile.ZipFile(upload) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return "[Content_Types].xml" in names and _OFFICE_PARTS[ext] in names
    finally:
        upload.seek(0)
