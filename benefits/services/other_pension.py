"""R7: a person who already receives another basic state pension (城镇职工基本养老保险 ...) receives no
residents' pension. Recorded from the person's declaration or from supervision's employee-pension
list: a claim is refused; a pension being paid is suspended (1299) from the month the other pension
began, and the months already paid from then are an overpayment (a recovery case, suspension_open).
When the other pension ends (other_pension_end), payment resumes from the month after its last month."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enrollment.models import Person
from linggao_pension import periods
from linggao_pension.money import ZERO

from .. import rules, selectors
from ..models import OtherPensionRecord, Pension, Suspension
from .common import require, require_town
from .recovery import recovery_case_for_decrease
from .suspension import paid_by_month, suspension_case_release, suspension_end, suspension_open


def other_pension_refusal(person) -> str:
    """Why a claim of `person` is refused under R7 ("" when nothing is recorded)."""
    record = OtherPensionRecord.objects.filter(person=person, active=True).order_by("from_month").first()
    if record is None:
        return ""
    return (f"{person.name}已领取{record.scheme}待遇（自{periods.format_month(record.from_month)}起），"
            "不能重复领取城乡居民基本养老保险待遇")


@transaction.atomic
def other_pension_record(*, person: Person, origin: str, scheme: str, from_month: date, by,
                         note: str = "") -> OtherPensionRecord:
    require(by, "benefits.add_otherpensionrecord", "只有县局经办员可以登记领取其他基本养老保障待遇")
    person = Person.objects.select_for_update().get(pk=person.pk)
    require_town(by, person.town_id)
    if origin not in OtherPensionRecord.Origin.values:
        raise ValidationError({"origin": "请选择信息来源"})
    if not (scheme or "").strip():
        raise ValidationError({"scheme": "请填写其他养老保障待遇的名称"})
    from_month = periods.month_start(from_month)
    if from_month > periods.month_start(timezone.localdate()):
        raise ValidationError({"from_month": "起始领取年月不能晚于本月"})
    if OtherPensionRecord.objects.filter(person=person, active=True, scheme=scheme.strip()).exists():
        raise ValidationError({"scheme": f"已登记{person.name}领取{scheme.strip()}待遇"})
    record = OtherPensionRecord(person=person, origin=origin, scheme=scheme.strip()[:60], from_month=from_month,
                                note=(note or "")[:200], recorded_by=by)
    record._history_user, record._change_reason = by, "登记领取其他基本养老保障待遇"
    record.save()
    pension = Pension.objects.filter(person=person, status=Pension.Status.ACTIVE).first()
    if pension is not None and not Suspension.objects.filter(pension=pension, end_month__isnull=True).exists():
        record.suspension = suspension_open(
            pension=pension, reason_code="1299", start_month=max(from_month, pension.start_month), by=by,
            backpay=False, evidence=_evidence(record),
            note=f"已领取{record.scheme}待遇（R7），自{periods.format_month(from_month)}起停发")
        record.save(update_fields=["suspension"])
    return record


def _evidence(record: OtherPensionRecord) -> str:
    return f"{record.get_origin_display()}：{record.scheme}"[:200]


def _its_suspension(record: OtherPensionRecord) -> Suspension | None:
    """The open 1299 suspension the record started (linked since it was recorded; an older record's
    is found by the evidence it wrote)."""
    open_ones = Suspension.objects.filter(person_id=record.person_id, end_month__isnull=True, reason_code="1299")
    if record.suspension_id is not None:
        return open_ones.filter(pk=record.suspension_id).first()
    return open_ones.filter(evidence=_evidence(record), backpay=False).first()


@transaction.atomic
def other_pension_end(*, record: OtherPensionRecord, to_month: date, reason: str, by) -> OtherPensionRecord:
    """The other pension ended (停发 of the employee pension, a wrong match ...): `to_month` is its last
    month. R7 no longer bars the person: a claim may be made, and the suspension the record started
    ends, so the pension is paid again from the month after `to_month` (the payroll pays every month
    from there not yet paid, as 正常 lines; the months of the other pension stay unpaid). While another
    record of the person is still active, that one still bars the pension: it stays suspended."""
    require(by, "benefits.add_otherpensionrecord", "只有县局经办员可以登记其他基本养老保障待遇终止")
    record = OtherPensionRecord.objects.select_for_update().select_related("person").get(pk=record.pk)
    require_town(by, record.person.town_id)
    if not record.active:
        raise ValidationError(f"该记录已于{periods.format_month(record.to_month)}终止领取")
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写终止原因"})
    if to_month is None:
        raise ValidationError({"to_month": "请填写末次领取年月"})
    to_month = periods.month_start(to_month)
    if to_month < record.from_month:
        raise ValidationError({"to_month": f"末次领取年月不能早于起始领取年月{periods.format_month(record.from_month)}"})
    if to_month > periods.month_start(timezone.localdate()):
        raise ValidationError({"to_month": "末次领取年月不能晚于本月"})
    record.active, record.to_month, record.end_reason = False, to_month, reason.strip()[:200]
    record.ended_by, record.ended_at = by, timezone.now()
    record._history_user = by
    record._change_reason = f"终止领取{record.scheme}：末次领取{periods.format_month(to_month)}，{record.end_reason}"
    record.save(update_fields=["active", "to_month", "end_reason", "ended_by", "ended_at"])
    suspension = _its_suspension(record)
    still = OtherPensionRecord.objects.filter(person_id=record.person_id, active=True).exists()
    record.refund = ZERO
    if suspension is not None and not still:
        resume = periods.add_months(to_month, 1)
        suspension_end(suspension=suspension, resume_month=resume, by=by,
                       note=f"{record.scheme}末次领取{periods.format_month(to_month)}（R7）：{record.end_reason}")
        record.refund = _months_due_again(suspension, resume=resume, by=by,
                                          reason=f"{record.scheme}末次领取{periods.format_month(to_month)}")
    return record


def _months_due_again(suspension: Suspension, *, resume: date, by, reason: str) -> Decimal:
    """The months from `resume` that the suspension's recovery case holds were due after all (the
    other pension had ended): they leave the case, by exactly what it counted for them
    (suspension_case_release). Then compared with the pension now due, as the payroll compares every
    month paid (R9): a basic pension paid above today's standard (lowered while they were suspended,
    when the payroll does not compare them) becomes a decrease case (标准调整多发, per month), so it is
    recovered once and later changes see it. Returns what the person already repaid beyond the case's
    new amount (to be given back)."""
    refund, counted = suspension_case_release(suspension, from_month=resume, by=by, reason=f"{reason}，其后月份应发")
    if not counted:
        return refund
    pension = Pension.objects.select_related("person").get(pk=suspension.pension_id)
    tables = selectors.pension_tables()
    rows = []
    for m, (_, basic, held) in sorted(paid_by_month(pension, since=min(counted), months=list(counted)).items()):
        due = tables.basic_total(month=m, years=pension.contribution_years,
                                 age=rules.age_at_month(pension.person.birth_date, m))
        rows.append((m, basic - held, due))
    recovery_case_for_decrease(pension=pension, months=rows, by=by, changed_from=min(counted))
    return refund
