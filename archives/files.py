"""Checks of uploaded scans: the type is read from the content (magic bytes), never from the name.

(The security helper's shared `linggao_pension/files.py` replaces this once it lands.)
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

# content type -> (magic prefix, extension)
SIGNATURES = {
    "application/pdf": (b"%PDF-", "pdf"),
    "image/jpeg": (b"\xff\xd8\xff", "jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", "png"),
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "ARCHIVES_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    mime_type: str
    extension: str
    sha256: str
    size: int


def sniff(head: bytes) -> str | None:
    for mime, (magic, _) in SIGNATURES.items():
        if head.startswith(magic):
            return mime
    return None


def check_upload(upload, *, allowed: tuple[str, ...] = tuple(SIGNATURES)) -> CheckedFile:
    """Read an upload once: refuse an empty or too large file or one whose content is not an allowed
    type (a ValidationError in Chinese at the file field); return its bytes, type and SHA-256."""
    limit = max_upload_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError({"file": _too_large(size, limit)})
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError({"file": _too_large(len(content), limit)})
    if not content:
        raise ValidationError({"file": "文件是空的，请重新扫描后上传"})
    mime = sniff(content[:16])
    if mime not in allowed:
        names = "、".join(SIGNATURES[m][1].upper() for m in allowed)
        raise ValidationError(
            {"file": f"文件内容不是 {names} 格式（按文件内容判断，与文件名无关），请上传扫描得到的 {names} 文件"}
        )
    return CheckedFile(
        content=content, mime_type=mime, extension=SIGNATURES[mime][1], sha256=sha256(content), size=len(content)
    )


def _too_large(size: int, limit: int) -> str:
    return f"文件过大（{size / 1024 / 1024:.1f} MB），单个文件不能超过 {limit / 1024 / 1024:.0f} MB"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
