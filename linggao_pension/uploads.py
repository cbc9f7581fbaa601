"""The size limit of every uploaded file (issue 9), with a Chinese message at the field.

Django streams an upload above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file, so a large file
does not fill the memory; every upload form adds `validators=[upload_size_limit]` to its FileField
and refuses a file above settings.UPLOAD_MAX_BYTES before anything is stored or read.
"""

from django.conf import settings
from django.core.exceptions import ValidationError


def upload_size_limit(file) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    if file is not None and file.size > limit:
        raise ValidationError(
            f"文件过大（{file.size / 1048576:.1f} MB），上传文件不能超过 {limit // 1048576} MB；请分批导入",
            code="file_too_large",
        )
