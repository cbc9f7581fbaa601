"""非现场监督 (五(2)): ① the data request (scope, format, method, deadline) to a unit; ② its
submissions reviewed (accepted, or resubmit with reasons); ③ analysis and report; and 三(2)③:
escalation to an on-site inspection when serious problems are found."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from linggao_pension.imports import FileFormatError

from ..models import DataRequest, DataSubmission, Inspection
from .common import MANAGE, RESPOND, check_move, next_number, require_perm, require_town, required_text
from .plans import inspection_create

D = DataRequest.Status


def _lock(request: DataRequest) -> DataRequest:
    return DataRequest.objects.select_for_update().get(pk=request.pk)


def _move(request: DataRequest, to_status: str) -> None:
    check_move(request, to_status, f"非现场监督 {request.number} ")
    request.status = to_status


@transaction.atomic
def data_request_create(*, kind: str, town, purpose: str, scope: str, deadline: date, by, data_format: str = "",
                        method: str = "", today: date | None = None) -> DataRequest:
    require_perm(by, MANAGE, "只有稽核股可以要求被监督单位报送数据")
    today = today or timezone.localdate()
    if kind not in DataRequest.Kind.values:
        raise ValidationError({"kind": "请选择定期报送或专项报送"})
    if deadline < today:
        raise ValidationError({"deadline": "报送期限不能早于今天"})
    return DataRequest.objects.create(
        number=next_number("非", today.year), year=today.year, kind=kind, town=town,
        purpose=required_text(purpose, "purpose", "请填写监督目的"), scope=required_text(scope, "scope", "请填写报送数据范围"),
        data_format=data_format or DataRequest._meta.get_field("data_format").default,
        method=method or DataRequest._meta.get_field("method").default, deadline=deadline, created_by=by,
    )  # fmt: skip


def _count_rows(file) -> int:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception:
        raise FileFormatError("无法读取文件：请上传 Excel（.xlsx）文件") from None
    ws = wb.worksheets[0]
    rows = sum(1 for row in ws.iter_rows(min_row=2, values_only=True) if any(v not in (None, "") for v in row))
    wb.close()
    file.seek(0)
    return rows


@transaction.atomic
def submission_upload(*, request: DataRequest, file, by, note: str = "") -> DataSubmission:
    """The unit uploads its data (Excel); a resubmission replaces nothing: each is kept."""
    require_perm(by, RESPOND, "只有被监督单位的经办人可以报送数据")
    require_town(by, request.town_id)
    request = _lock(request)
    _move(request, D.SUBMITTED)
    if not file.name.lower().endswith(".xlsx"):
        raise ValidationError({"file": "请上传 Excel（.xlsx）文件"})
    try:
        rows = _count_rows(file)
    except FileFormatError as exc:
        raise ValidationError({"file": str(exc)}) from None
    if rows == 0:
        raise ValidationError({"file": "文件中没有数据行"})
    submission = DataSubmission(request=request, filename=file.name[:120], rows=rows, note=note[:200], uploaded_by=by)
    submission.file.save(f"{request.number}_{timezone.now():%Y%m%d%H%M%S}.xlsx", file, save=False)
    submission.save()
    request.save(update_fields=["status"])
    return submission


@transaction.atomic
def submission_review(*, submission: DataSubmission, accept: bool, reason: str, by) -> DataSubmission:
    """五(2)②: accepted, or the unit must resubmit (补报或重新报送), with the reasons."""
    require_perm(by, MANAGE, "只有稽核股可以审核报送数据")
    submission = DataSubmission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != DataSubmission.Status.PENDING:
        raise ValidationError("该报送已审核")
    if submission.uploaded_by_id == by.pk:
        raise ValidationError("报送人不能审核自己报送的数据")
    request = _lock(submission.request)
    _move(request, D.ACCEPTED if accept else D.RESUBMIT)
    reason = reason.strip() if accept else required_text(reason, "reason", "要求补报或重新报送须写明原因")
    submission.status = DataSubmission.Status.ACCEPTED if accept else DataSubmission.Status.RESUBMIT
    submission.review_reason, submission.reviewed_by, submission.reviewed_at = reason, by, timezone.now()
    submission.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at"])
    request.save(update_fields=["status"])
    return submission


@transaction.atomic
def data_request_report(*, request: DataRequest, analysis: str, report: str, serious: bool, on: date,
                        by) -> DataRequest:
    """五(2)③: the analysis of the data and the problems, and the report."""
    require_perm(by, MANAGE, "只有稽核股可以出具非现场监督报告")
    request = _lock(request)
    _move(request, D.REPORTED)
    request.analysis = required_text(analysis, "analysis", "请填写数据分析与存在的问题")
    request.report_text = required_text(report, "report", "请填写监督报告")
    request.serious, request.reported_on = serious, on
    request.save(update_fields=["analysis", "report_text", "serious", "reported_on", "status"])
    return request


@transaction.atomic
def data_request_escalate(*, request: DataRequest, scope, team_leader: str, start: date, end: date, by,
                          team_members: str = "") -> Inspection:
    """三(2)③: serious problems found off site → an on-site inspection of the same unit."""
    require_perm(by, MANAGE, "只有稽核股可以转现场监督")
    request = _lock(request)
    if not request.serious:
        raise ValidationError("只有发现严重违法违纪问题的非现场监督才转现场监督")
    _move(request, D.ESCALATED)
    inspection = inspection_create(
        kind=Inspection.Kind.OFFSITE, title=f"非现场监督 {request.number} 转现场监督：{request.purpose}"[:80],
        town=request.town, scope=scope, team_leader=team_leader, team_members=team_members, start=start, end=end,
        by=by, source_request=request,
    )  # fmt: skip
    request.save(update_fields=["status"])
    return inspection
