"""The one way a stored file (anything under MEDIA_ROOT) reaches a browser.

Nothing under MEDIA_ROOT has a URL of its own: `linggao_pension/urls.py` serves no media, the
production web server (gunicorn + WhiteNoise) serves only STATIC_ROOT, and a `FieldFile.url`
(`/media/...`) answers 404. Bank files, uploaded import files, bank return files, remittance
vouchers and whatever is stored later are handed out only by a view of the record they belong
to, through `serve_stored_file`:

    @permission_required("benefits.view_payrollrun", raise_exception=True)
    def bankfile_download(request, pk):
        bank_file = get_object_or_404(PayrollBankFile.objects.select_related("run"), pk=pk)
        return serve_stored_file(request, record=bank_file, field_file=bank_file.file,
                                 filename="2026-01_海南农信_代发.xlsx", label="2026-01 海南农信 代发文件",
                                 perm="benefits.export_payroll", town_id=None)

It checks the permission (403) and the town of the record (404 outside the user's town; pass the
record's town id, or None for a county-wide file), answers 404 when the file is missing, writes
the download into the access log (action 下载) and sends the file with Content-Disposition
(attachment unless `inline=True`) and `Cache-Control: private, no-store`.

`stored_file_delete` removes a stored upload that was refused, so refused files are not kept.
"""

import mimetypes

from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404

from linggao_pension.org.access import can_act_for_town
from linggao_pension.org.services import access_log_record

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _check(user, *, perm: str | None, town_id: int | None) -> None:
    if perm and not user.has_perm(perm):
        raise PermissionDenied("您没有下载该文件的权限")
    if town_id is not None and not can_act_for_town(user, town_id):
        raise Http404("文件不存在")


def serve_stored_file(request, *, record, field_file, filename: str, label: str, perm: str | None = None,
                      town_id: int | None = None, inline: bool = False, content_type: str | None = None,
                      action: str = "下载"):
    """Send `field_file` (a FieldFile, or a storage name as str) of `record` to the user; see the module."""
    _check(request.user, perm=perm, town_id=town_id)
    name = field_file if isinstance(field_file, str) else getattr(field_file, "name", "")
    if not name:
        raise Http404("文件不存在")
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError, SuspiciousFileOperation):
        # SuspiciousFileOperation: a name outside MEDIA_ROOT is never served.
        raise Http404("文件不存在") from None
    access_log_record(user=request.user, obj=record, label=label, action=action, request=request)
    if content_type is None:
        content_type = XLSX_TYPE if filename.endswith(".xlsx") else (
            mimetypes.guess_type(filename)[0] or "application/octet-stream")
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


def stored_file_delete(name: str | None) -> None:
    """Delete a stored upload (a refused import or return file). A missing file is no error."""
    if not name:
        return
    try:
        default_storage.delete(name)
    except (FileNotFoundError, OSError, SuspiciousFileOperation):
        pass
