"""Suspension (暂停领取) and resumption (R3, R10): the payroll suspends every pensioner whose
certification is overdue (1201) from its month; a certification ends it and the next payroll
back-pays the withheld months once. Other suspensions (1202 服刑, 1299 其他) and every resumption
other than by certification go through the shared review workflow (SuspensionRequest, SUSPENSION_FLOW):
recorded and submitted by the town at once, approved or returned by a county clerk who did not prepare
it; a returned request is corrected (suspension_request_update) and resubmitted, or withdrawn."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from enrollment.models import Person
from enrollment.services import person_status_set
from linggao_pension import periods
from linggao_pension.files import stored_file_delete
from linggao_pension.money import ZERO
from linggao_pension.org.services import system_user
from linggao_pension.workflow import (
    RS,
    ReviewFlow,
    review_check_editable,
    review_mark_created,
    review_mark_edited,
    review_move,
)

from .. import rules, selectors
from ..models import PayrollLine, PayrollRun, Pension, RecoveryCase, Suspension, SuspensionRequest
from .common import require, require_town
from .recovery import decreases_recovered, recovery_case_open, recovery_case_reduce

REQUEST_PERM, REVIEW_PERM = "benefits.request_suspension", "benefits.review_suspension"
A = SuspensionRequest.Action
PENDING_MESSAGE = "该养老金已有待复核的暂停/恢复申请"
REASON_LABELS = {"1201": "未按期认证", "1202": "服刑", "1299": "其他"}


def suspension_open(*, pension: Pension, reason_code: str, start_month: date, by, backpay: bool, evidence: str = "",
                    note: str = "") -> Suspension:
    """Withhold `pension` from `start_month` (inside the caller's transaction; the caller checked the
    actor). Months from there already paid are overpaid when they are not to be back-paid: a recovery case."""
    pension = Pension.objects.select_for_update().select_related("person").get(pk=pension.pk)
    if pension.status != Pension.Status.ACTIVE:
        raise ValidationError("该养老金已停止发放，不能暂停")
    if Suspension.objects.filter(pension=pension, end_month__isnull=True).exists():
        raise ValidationError("该养老金已在暂停领取中")
    suspension = Suspension(pension=pension, person=pension.person, reason_code=reason_code,
                            start_month=periods.month_start(start_month), backpay=backpay, evidence=evidence[:200],
                            note=note[:200], created_by=by)
    suspension._history_user, suspension._change_reason = by, f"暂停领取（{reason_code}）"
    suspension.save()
    if pension.person.status == Person.Status.RECEIVING:
        person_status_set(person=pension.person, status=Person.Status.BENEFIT_SUSPENDED,
                             on=suspension.start_month, by=by, reason=reason_code,
                             note=f"暂停领取：{REASON_LABELS[reason_code]}，自{periods.format_month(start_month)}起")
    if not backpay:
        paid = paid_during(pension, since=suspension.start_month)
        amount = sum(paid.values(), ZERO)
        if amount > 0:
            recovery_case_open(person=pension.person, pension=pension, source="suspension", amount=amount, by=by,
                               months=sorted(paid), reason=_case_reason(reason_code),
                               detail="\n".join(f"{periods.format_month(m)}：{a} 元" for m, a in sorted(paid.items())))
    return suspension


def _case_reason(reason_code: str) -> str:
    return f"暂停领取（{REASON_LABELS[reason_code]}）期间已发放的待遇"


def paid_during(pension: Pension, *, since: date, months=None) -> dict[date, Decimal]:
    """Month -> what a suspension not back-paid recovers of it: everything paid for the month's
    pension (正常, 恢复补发, 补发 and 重发 lines 已支付, before any offset) less what decrease cases
    already hold as overpaid for it (recovery.decreases_recovered: the same money is never recovered
    twice). Months from `since` (only `months` when given); months with nothing left are left out."""
    net = {m: a - held for m, (a, _, held) in paid_by_month(pension, since=since, months=months).items()}
    return {m: a for m, a in net.items() if a > 0}


def paid_by_month(pension: Pension, *, since: date, months=None) -> dict[date, tuple[Decimal, Decimal, Decimal]]:
    """Month -> (paid before any offset, of which basic pension, held by decrease cases) for the
    pension's lines 已支付 (every kind but 继承支付 and 代发) from `since` (only `months` when given)."""
    lines = (PayrollLine.objects.filter(pension=pension, month__gte=since, status=PayrollLine.Status.PAID)
             .exclude(kind__in=[PayrollLine.Kind.SETTLEMENT, PayrollLine.Kind.DELEGATED]))
    if months is not None:
        lines = lines.filter(month__in=list(months))
    paid: dict[date, tuple[Decimal, Decimal]] = {}
    for month, amount, offset, basic in lines.values_list("month", "amount", "offset_amount", "basic_amount"):
        total, basic_total = paid.get(month, (ZERO, ZERO))
        paid[month] = (total + amount + offset, basic_total + basic)
    held = decreases_recovered([pension.pk], since=since) if paid else {}
    return {m: (a, b, held.get((pension.pk, m), ZERO)) for m, (a, b) in paid.items()}


def suspension_case_release(suspension: Suspension, *, from_month: date, by, reason: str
                            ) -> tuple[Decimal, dict[date, Decimal]]:
    """Months from `from_month` that the suspension's recovery case holds are not its to recover after
    all (R7 ended: they were due; a death: they are the death's overpayment, R11): the case goes down
    by exactly what it counted for them (paid_during, the same figures as at its opening) and they
    leave it (recovery.recovery_case_reduce, inside the caller's transaction). Returns (what the
    person already repaid beyond the new amount, to be given back; month -> amount released)."""
    case = suspension_case(suspension)
    if case is None:
        return ZERO, {}
    months = [m for m in (periods.parse_month(x) for x in case.months) if m >= from_month]
    counted = paid_during(suspension.pension, since=suspension.start_month, months=months) if months else {}
    if not counted:
        return ZERO, {}
    first, last = periods.format_month(min(counted)), periods.format_month(max(counted))
    span = first if first == last else f"{first}至{last}"
    refund = recovery_case_reduce(case=case, amount=sum(counted.values(), ZERO), months=sorted(counted), by=by,
                                  reason=f"{reason}（{span}）")
    return refund, counted


def suspension_case(suspension: Suspension) -> RecoveryCase | None:
    """The recovery case suspension_open opened for the months paid during `suspension` (in the same
    transaction, right after it): the first such case opened since whose first month lies from its
    start to before the next suspension's start (suspensions of a pension never overlap, and its own
    case is opened before any later one's, so a later suspension's case is never taken)."""
    if suspension.backpay:
        return None
    later = (Suspension.objects.filter(pension_id=suspension.pension_id, pk__gt=suspension.pk)
             .order_by("pk").values_list("start_month", flat=True).first())
    start, bound = f"{suspension.start_month:%Y-%m}", f"{later:%Y-%m}" if later else "9999-12"
    cases = (RecoveryCase.objects.filter(pension_id=suspension.pension_id, source=RecoveryCase.Source.SUSPENSION,
                                         reason=_case_reason(suspension.reason_code),
                                         opened_at__gte=suspension.created_at).order_by("opened_at", "pk"))
    return next((c for c in cases if c.months and start <= min(c.months) < bound), None)


def suspension_end(*, suspension: Suspension, resume_month: date, by, note: str) -> Suspension:
    """End a suspension: months from `resume_month` are paid again (inside the caller's transaction)."""
    suspension = Suspension.objects.select_for_update().select_related("person").get(pk=suspension.pk)
    if suspension.end_month is not None:
        raise ValidationError("该暂停已恢复")
    suspension.end_month = max(periods.month_start(resume_month), suspension.start_month)
    suspension.ended_by, suspension.ended_at, suspension.end_note = by, timezone.now(), note[:200]
    suspension._history_user, suspension._change_reason = by, f"恢复发放：{note}"
    suspension.save()
    person = suspension.person
    if person.status == Person.Status.BENEFIT_SUSPENDED:
        person_status_set(person=person, status=Person.Status.RECEIVING, on=suspension.end_month, by=by,
                             note=f"恢复发放：{note}")
    return suspension


def resume_month_for(day: date) -> date:
    """The first month paid again after a cause removed on `day`: its month, or the next when that
    month's payroll already exists (it was generated while the person was withheld)."""
    month = periods.month_start(day)
    return periods.add_months(month, 1) if PayrollRun.objects.filter(month=month).exists() else month


def overdue_pensions(*, today: date, cycle_months: int):
    """Pensions being paid whose next certification date (last + cycle) is before today."""
    limit = rules.shift_months(today, -cycle_months)
    open_suspension = Suspension.objects.filter(pension=OuterRef("pk"), end_month__isnull=True)
    return (Pension.objects.filter(status=Pension.Status.ACTIVE, person__status=Person.Status.RECEIVING,
                                   last_certified_on__lt=limit).exclude(Exists(open_suspension)))


def suspend_overdue(*, month: date, today: date, by) -> int:
    """The payroll's first step: suspend (1201) from `month` everyone overdue; returns how many are
    suspended from this month (also those suspended by an earlier run of the same month)."""
    actor = by or system_user()
    cycle = selectors.pension_tables().cycle_months
    ids = list(overdue_pensions(today=today, cycle_months=cycle).filter(first_payroll_month__lte=month)
               .values_list("pk", flat=True))
    for i in range(0, len(ids), 500):
        with transaction.atomic():
            for pension in Pension.objects.filter(pk__in=ids[i : i + 500]).select_related("person"):
                suspension_open(pension=pension, reason_code="1201", start_month=month, by=actor, backpay=True,
                                note=f"领取资格认证逾期（最近认证 {pension.last_certified_on}）")
    return Suspension.objects.filter(reason_code="1201", start_month=month).count()


# --- requests through the review ------------------------------------------------------------------------


def _check_suspend_fields(*, reason_code: str, evidence: str, note: str) -> None:
    if reason_code not in ("1202", "1299"):
        raise ValidationError({"reason_code": "暂停原因应为 1202（服刑）或 1299（其他）；1201 由发放时自动暂停"})
    if not (evidence or "").strip() and not (note or "").strip():
        raise ValidationError({"evidence": "请填写依据或证明材料"})


def _check_resume_fields(*, suspension: Suspension, month: date, evidence: str, note: str) -> None:
    if periods.month_start(month) < suspension.start_month:
        raise ValidationError({"resume_month": "恢复年月不能早于暂停起始年月"})
    if not (evidence or "").strip() and not (note or "").strip():
        raise ValidationError({"evidence": "请填写恢复发放的依据"})


def _check_requestable(*, action: str, pension: Pension, suspension: Suspension | None) -> None:
    """What the pension must be for the request to wait for the county: at its creation and when a
    returned request is resubmitted."""
    if action == A.SUSPEND:
        if pension.status != Pension.Status.ACTIVE:
            raise ValidationError("该养老金已停止发放")
        if Suspension.objects.filter(pension=pension, end_month__isnull=True).exists():
            raise ValidationError("该养老金已在暂停领取中")
    elif Suspension.objects.filter(pk=suspension.pk, end_month__isnull=False).exists():
        raise ValidationError("该暂停已恢复")
    if SuspensionRequest.objects.filter(pension=pension, status=RS.TOWN_APPROVED).exists():
        raise ValidationError(PENDING_MESSAGE)


@transaction.atomic
def suspension_request(*, pension: Pension, reason_code: str, by, start_month: date, evidence: str = "",
                       note: str = "", evidence_file=None) -> SuspensionRequest:
    """A town agent asks to suspend a pension (1202 服刑, 1299 其他) from `start_month`, with the
    evidence; recorded and submitted at once, a county clerk reviews it (suspension_request_approve)."""
    require(by, REQUEST_PERM, "只有镇/农场经办员可以申请暂停领取")
    pension = Pension.objects.select_related("person").get(pk=pension.pk)
    require_town(by, pension.person.town_id)
    _check_suspend_fields(reason_code=reason_code, evidence=evidence, note=note)
    _check_requestable(action=A.SUSPEND, pension=pension, suspension=None)
    checked = evidence_check(evidence_file)
    return _request_create(pension=pension, by=by, action=A.SUSPEND, reason_code=reason_code,
                           month=start_month, backpay=False, evidence=evidence, note=note, evidence_file=checked)


@transaction.atomic
def resumption_request(*, suspension: Suspension, by, resume_month: date, backpay: bool, evidence: str = "",
                       note: str = "", evidence_file=None) -> SuspensionRequest:
    """A town agent asks to resume a suspended pension from `resume_month` (the cause removed);
    `backpay`: whether the withheld months are paid (never for 1202)."""
    require(by, REQUEST_PERM, "只有镇/农场经办员可以申请恢复发放")
    suspension = Suspension.objects.select_related("pension", "person").get(pk=suspension.pk)
    require_town(by, suspension.person.town_id)
    _check_resume_fields(suspension=suspension, month=resume_month, evidence=evidence, note=note)
    _check_requestable(action=A.RESUME, pension=suspension.pension, suspension=suspension)
    checked = evidence_check(evidence_file)
    return _request_create(pension=suspension.pension, by=by, action=A.RESUME,
                           reason_code=suspension.reason_code, month=resume_month,
                           backpay=backpay and suspension.reason_code != "1202", evidence=evidence, note=note,
                           suspension=suspension, evidence_file=checked)


# The evidence is a scan: its type is read from the content, never from the name.
EVIDENCE_TYPES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


def evidence_check(upload) -> tuple[bytes, str] | None:
    """An uploaded evidence scan (PDF, JPG or PNG, at most the upload limit) as (content, extension);
    None when nothing was uploaded. A ValidationError at the field otherwise."""
    if upload is None:
        return None
    limit = settings.UPLOAD_MAX_BYTES
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError({"evidence_file": f"证明材料附件不能超过 {limit // 1048576} MB"})
    if not content:
        raise ValidationError({"evidence_file": "证明材料附件是空文件，请重新扫描后上传"})
    for magic, extension in EVIDENCE_TYPES.items():
        if content.startswith(magic):
            return content, extension
    raise ValidationError({"evidence_file": "证明材料附件应为 PDF、JPG 或 PNG 扫描件（按文件内容判断，与文件名无关）"})


def _evidence_save(request: SuspensionRequest, evidence_file) -> None:
    """Attach a checked scan (not saved yet: the caller saves the request and deletes the stored file
    when that fails)."""
    if evidence_file is not None:
        content, extension = evidence_file
        name = f"{request.pension.person_id}_{request.action}_{timezone.now():%Y%m%d%H%M%S}.{extension}"
        request.evidence_file.save(name, ContentFile(content), save=False)


def _request_create(*, pension, by, action, reason_code, month, backpay, evidence, note, suspension=None,
                    evidence_file=None):
    request = SuspensionRequest(pension=pension, town_id=pension.person.town_id, action=action,
                                reason_code=reason_code, month=periods.month_start(month), backpay=backpay,
                                suspension=suspension, evidence=evidence.strip()[:200], note=note.strip()[:200],
                                created_by=by)
    _evidence_save(request, evidence_file)
    try:
        request._history_user, request._change_reason = by, request.get_action_display()
        request.save()
        review_mark_created(request, by=by, opinion=f"{request.get_action_display()}：{request.evidence or request.note}")
        return review_move(record=request, to=RS.TOWN_APPROVED, by=by, opinion=request.note)
    except Exception:
        stored_file_delete(request.evidence_file.name)
        raise


@transaction.atomic
def suspension_request_update(*, request: SuspensionRequest, by, month: date, evidence: str = "", note: str = "",
                              reason_code: str = "", backpay: bool = False, evidence_file=None) -> SuspensionRequest:
    """Correct a returned request: its month, evidence and note, the reason (a suspension) or the
    back pay (a resumption), optionally a new scan (the old one stays in the history). Whoever edits
    it never approves it; the town then resubmits it (review_move to 镇初审通过) or withdraws it."""
    request = (SuspensionRequest.objects.select_for_update(of=("self",)).select_related("pension", "suspension")
               .get(pk=request.pk))
    review_check_editable(request, by=by, flow=SUSPENSION_FLOW)
    if request.action == A.SUSPEND:
        _check_suspend_fields(reason_code=reason_code, evidence=evidence, note=note)
        request.reason_code = reason_code
    else:
        _check_resume_fields(suspension=request.suspension, month=month, evidence=evidence, note=note)
        request.backpay = backpay and request.suspension.reason_code != "1202"
    checked = evidence_check(evidence_file)
    request.month, request.evidence, request.note = periods.month_start(month), evidence.strip()[:200], note.strip()[:200]
    _evidence_save(request, checked)
    try:
        request._history_user, request._change_reason = by, f"修改{request.get_action_display()}申请"
        request.save()
        review_mark_edited(request, by=by, opinion=f"修改：{request.evidence or request.note}")
    except Exception:
        if checked is not None:
            stored_file_delete(request.evidence_file.name)
        raise
    return request


def suspension_request_approve(*, request: SuspensionRequest, by, opinion: str = "") -> SuspensionRequest:
    """县复核通过: the suspension starts, or ends, as requested (SUSPENSION_FLOW.on_approve)."""
    return review_move(record=request, to=RS.COUNTY_APPROVED, by=by, opinion=opinion)


def suspension_request_return(*, request: SuspensionRequest, by, opinion: str) -> SuspensionRequest:
    """县复核退回 (with the reason): the town corrects and resubmits it, or withdraws it."""
    return review_move(record=request, to=RS.COUNTY_RETURNED, by=by, opinion=opinion)


def _before_move(request: SuspensionRequest, to: str) -> None:
    if to == RS.TOWN_APPROVED:
        _check_requestable(action=request.action, pension=request.pension, suspension=request.suspension)


def _approved(request: SuspensionRequest, by) -> None:
    """县复核通过, in the approval's transaction: open the suspension, or end it."""
    if request.action == A.SUSPEND:
        request.suspension = suspension_open(pension=request.pension, reason_code=request.reason_code,
                                             start_month=request.month, by=by, backpay=False,
                                             evidence=request.evidence, note=request.note)
    else:
        suspension = Suspension.objects.select_for_update().get(pk=request.suspension_id)
        suspension.backpay = request.backpay
        suspension.save(update_fields=["backpay"])
        suspension_end(suspension=suspension, resume_month=request.month, by=by,
                       note=f"复核通过：{request.evidence or request.note}")


SUSPENSION_FLOW = ReviewFlow(
    noun="暂停/恢复领取申请",
    no_town_return="暂停/恢复领取申请录入即提交，没有镇初审退回：请修改后重新提交，或撤销",
    submit_perm=REQUEST_PERM,
    review_perm=REVIEW_PERM,
    on_approve=_approved,
    before_move=_before_move,
    default_opinions={RS.TOWN_APPROVED: "申请", RS.COUNTY_APPROVED: "县复核通过"},
    done={RS.TOWN_APPROVED: "已重新提交县局复核", RS.COUNTY_RETURNED: "已退回镇/农场", RS.CANCELLED: "申请已撤销"},
    select_related=("pension", "suspension"),
    done_for=lambda request, to: (f"复核通过：已{request.get_action_display()}" if to == RS.COUNTY_APPROVED else None),
)
