"""Delegated payments (代发, R22): programmes as data (name, monthly rule: flat, or an amount per year
of service) and their payees (service years, status 待复核 → 正常发放 ⇄ 暂停发放 → 终止发放). County
clerks keep them; a payee added by one clerk is paid only once another clerk confirms it
(maker-checker). The payroll pays every 正常发放 payee as their own lines (payroll_extras)."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enrollment.models import Person
from linggao_pension import periods

from ..models import DelegatedPayee, DelegatedProgramme, PayrollLine
from .common import require

PERM = "benefits.manage_delegated"
PERM_MESSAGE = "只有县局经办员可以办理代发"
CENT = Decimal("0.01")
PS = DelegatedPayee.Status


def monthly_amount(programme: DelegatedProgramme, service_years: int) -> Decimal:
    """The programme's monthly rule: flat, or the amount per year of service × the years."""
    amount = programme.amount if programme.rule == DelegatedProgramme.Rule.FLAT else programme.amount * service_years
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def programme_save(*, by, code: str, name: str, rule: str, amount: Decimal, note: str = "", active: bool = True,
                   programme: DelegatedProgramme | None = None) -> DelegatedProgramme:
    """Create or edit a programme. A changed rule or amount applies to its payees' later months
    (their monthly amount is recomputed; months already paid stay as paid)."""
    require(by, PERM, PERM_MESSAGE)
    code, name = (code or "").strip(), (name or "").strip()
    errors = {}
    if not code:
        errors["code"] = "请填写代发类型代码"
    elif DelegatedProgramme.objects.filter(code=code).exclude(pk=getattr(programme, "pk", None)).exists():
        errors["code"] = "该代发类型代码已存在"
    if not name:
        errors["name"] = "请填写项目名称"
    if rule not in DelegatedProgramme.Rule.values:
        errors["rule"] = "请选择计发办法"
    if amount is None or amount <= 0:
        errors["amount"] = "金额应大于 0"
    if errors:
        raise ValidationError(errors)
    if programme is None:
        programme = DelegatedProgramme()
        reason = "新增代发项目"
    else:
        programme = DelegatedProgramme.objects.select_for_update().get(pk=programme.pk)
        reason = "修改代发项目"
    programme.code, programme.name, programme.rule = code, name, rule
    programme.amount, programme.note, programme.active = Decimal(amount).quantize(CENT), (note or "")[:200], active
    programme._history_user, programme._change_reason = by, reason
    programme.save()
    for payee in programme.payees.exclude(status=PS.TERMINATED).select_for_update():
        new = monthly_amount(programme, payee.service_years)
        if new != payee.monthly_amount and new > 0:
            payee.monthly_amount = new
            payee._history_user, payee._change_reason = by, f"代发项目调整：月发放额 {new}"
            payee.save(update_fields=["monthly_amount"])
    return programme


@transaction.atomic
def payee_add(*, programme: DelegatedProgramme, person: Person, service_years: int, start_month: date, by,
              note: str = "") -> DelegatedPayee:
    """A clerk adds a payee (待复核); another clerk confirms it before it is paid."""
    require(by, PERM, PERM_MESSAGE)
    programme = DelegatedProgramme.objects.get(pk=programme.pk)
    if not programme.active:
        raise ValidationError("该代发项目已停发，不能新增代发对象")
    if person.status == Person.Status.TERMINATED:
        raise ValidationError({"id_number": f"{person.name}的参保关系已终止（{person.status_reason or '终止'}），不能代发"})
    if DelegatedPayee.objects.filter(programme=programme, person=person).exists():
        raise ValidationError({"id_number": f"{person.name}已是该项目的代发对象"})
    if service_years is None or service_years < 0:
        raise ValidationError({"service_years": "服务年限不能为负数"})
    if programme.rule == DelegatedProgramme.Rule.PER_YEAR and service_years == 0:
        raise ValidationError({"service_years": "按服务年限计发的项目，服务年限应大于 0"})
    amount = monthly_amount(programme, service_years)
    payee = DelegatedPayee(programme=programme, person=person, service_years=service_years, monthly_amount=amount,
                           start_month=periods.month_start(start_month), status=PS.PENDING,
                           status_note=(note or "")[:200], created_by=by)
    payee._history_user, payee._change_reason = by, "新增代发对象（待复核）"
    payee.save()
    return payee


@transaction.atomic
def payee_confirm(*, payee: DelegatedPayee, by, note: str = "") -> DelegatedPayee:
    """Another clerk confirms a new payee: 正常发放 from its start month."""
    require(by, PERM, PERM_MESSAGE)
    payee = DelegatedPayee.objects.select_for_update().get(pk=payee.pk)
    if payee.status != PS.PENDING:
        raise ValidationError(f"该代发对象当前状态为“{payee.get_status_display()}”，无需复核")
    if payee.created_by_id == by.pk:
        raise ValidationError("录入代发对象的人员不能复核，请由其他县局经办员复核")
    payee.status, payee.confirmed_by, payee.confirmed_at = PS.NORMAL, by, timezone.now()
    payee._history_user, payee._change_reason = by, f"复核通过：{note}" if note else "复核通过"
    payee.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    return payee


@transaction.atomic
def payee_status_set(*, payee: DelegatedPayee, status: str, by, note: str) -> DelegatedPayee:
    """暂停发放, 恢复正常发放 or 终止发放, with the reason. A payee restored to 正常发放 is paid, by
    the next payroll, every month from the start month not yet paid (the suspended months included)."""
    require(by, PERM, PERM_MESSAGE)
    payee = DelegatedPayee.objects.select_for_update().get(pk=payee.pk)
    if payee.status == PS.PENDING:
        if status != PS.TERMINATED:
            raise ValidationError("该代发对象尚待复核，复核通过后才能变更发放状态")
    elif status not in DelegatedPayee.MOVES.get(payee.status, set()):
        raise ValidationError(f"该代发对象当前状态为“{payee.get_status_display()}”，不能变更为“{PS(status).label}”"
                              if status in PS.values else "请选择发放状态")
    if not (note or "").strip():
        raise ValidationError({"note": "请填写变更原因"})
    payee.status, payee.status_note = status, note[:200]
    if status == PS.TERMINATED:
        last = (PayrollLine.objects.filter(delegated_payee=payee, kind=PayrollLine.Kind.DELEGATED).live()
                .order_by("-month").values_list("month", flat=True).first())
        payee.last_month = last
    payee._history_user, payee._change_reason = by, f"{PS(status).label}：{note}"
    payee.save()
    return payee
