"""Overpayment recovery (待遇追回, R17): a case is opened (from a death, supervision's checks, a wrong
payment, a report, a past-dated decrease), its amount verified, the person ordered to repay (责令退回
通知书), then repaid at once, by instalments or by offsets against later pension lines; closed when
nothing is outstanding. A write-off needs a manager's approval and a reason. The outstanding amount
is kept on the case and never goes below zero (a check constraint too); every step writes a
RecoveryCaseChange (who, when, why) and the case's history."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from linggao_pension import periods
from linggao_pension.money import ZERO, quantize
from linggao_pension.org.services import system_user

from .. import rules
from ..models import (
    RECOVERY_COLLECTING,
    PayrollLine,
    RecoveryCase,
    RecoveryCaseChange,
    RecoveryCaseMonth,
    RecoveryInstalment,
    RecoveryPosting,
)
from .common import require, require_town, status_move

S = RecoveryCase.Status
MANAGE = "benefits.manage_recovery"


def _move(case: RecoveryCase, to: str, *, by, note: str) -> None:
    status_move(case, to, by=by, change_model=RecoveryCaseChange, fk="case", text_field="note", text=note,
                what=str(case))


def _save(case: RecoveryCase, *, by, reason: str, fields: list[str]) -> None:
    case._history_user = by
    case._change_reason = reason[:100]
    case.save(update_fields=fields)


def _locked(case: RecoveryCase, by, *, perm: str = MANAGE) -> RecoveryCase:
    require(by, perm, "只有县局经办员或稽核员可以办理待遇追回")
    case = RecoveryCase.objects.select_for_update().select_related("person").get(pk=case.pk)
    require_town(by, case.person.town_id)
    return case


def _amount(value, *, field: str = "amount") -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError("amounts are Decimal")
    value = quantize(value)
    if value <= 0:
        raise ValidationError({field: "金额必须大于零"})
    return value


@transaction.atomic
def recovery_case_open(*, person, source: str, amount: Decimal, by, reason: str, months=(), pension=None,
                       detail: str = "") -> RecoveryCase:
    """立案: a new case of `amount` 元 against `person` (R17 DETECTED). `months`: the months paid
    wrongly (dates or YYYY-MM). Called by supervision's checks, by death approval and by the pages."""
    require(by, MANAGE, "只有县局经办员或稽核员可以立案追回")
    require_town(by, person.town_id)
    return _case_create(person=person, source=source, amount=amount, by=by, reason=reason, months=months,
                        pension=pension, detail=detail)


def _case_create(*, person, source: str, amount: Decimal, by, reason: str, months, pension, detail: str) -> RecoveryCase:
    if source not in RecoveryCase.Source.values:
        raise ValidationError({"source": "案件来源不正确"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "立案必须填写原因"})
    amount = _amount(amount)
    month_list = sorted({m if isinstance(m, str) else f"{periods.month_start(m):%Y-%m}" for m in months})
    case = RecoveryCase(person=person, pension=pension, source=source, reason=reason.strip()[:200],
                        detail=detail, months=month_list, amount=amount, outstanding=amount, opened_by=by,
                        status=S.DETECTED)
    case._history_user, case._change_reason = by, "立案"
    case.save()
    RecoveryCaseChange.objects.create(case=case, from_status="", to_status=S.DETECTED, by=by,
                                      note=f"立案：{reason.strip()}，金额 {amount} 元"[:200])
    return case


def recovery_case_for_decrease(*, pension, months: list[tuple[date, Decimal, Decimal]], by,
                               changed_from: date) -> RecoveryCase | None:
    """标准调整多发: a past-dated decrease of the basic pension (R9 the other way round) makes every month
    already paid at the higher amount an overpayment. `months`: (month, basic paid, basic now due) for
    each such month; one case for the pension, with one RecoveryCaseMonth per month (its exact amount),
    opened 已立案 for a clerk or auditor to verify and recover (repayment, instalments or 待遇抵扣).

    Called by the payroll generation inside its chunk's transaction (it checked its own permission;
    `by` None: the system user). Each month's figures count what earlier decrease cases hold
    (decreases_recovered), so a rerun, or a second run at once, opens nothing twice."""
    rows = [(periods.month_start(m), quantize(paid), quantize(due)) for m, paid, due in months if paid > due]
    if not rows:
        return None
    actor = by or system_user()
    rows.sort()
    lines = [f"{periods.format_month(m)}：已发 {paid} 元，应发 {due} 元，多发 {paid - due} 元" for m, paid, due in rows]
    case = _case_create(
        person=pension.person, source=RecoveryCase.Source.STANDARD_CHANGE, by=actor, pension=pension,
        amount=sum((paid - due for _, paid, due in rows), ZERO), months=[m for m, _, _ in rows],
        reason=f"基础养老金自{periods.format_month(changed_from)}起追溯下调，已按原标准发放的月份多发",
        detail="\n".join(lines),
    )
    RecoveryCaseMonth.objects.bulk_create([
        RecoveryCaseMonth(case=case, pension=pension, month=m, paid=paid, due=due, amount=paid - due)
        for m, paid, due in rows
    ])
    return case


def decreases_recovered(pension_ids, *, since: date) -> dict[tuple[int, date], Decimal]:
    """(pension id, month) -> the basic pension already established as overpaid for that month by
    decrease cases (whatever became of them since: repaid, offset or written off, it is not due).
    Every other path that recovers a month already paid (a death, a suspension) subtracts this, so
    the same money is never recovered twice. `pension_ids`: a list of ids or a query of them."""
    rows = (RecoveryCaseMonth.objects.filter(pension_id__in=pension_ids, month__gte=since)
            .values("pension_id", "month").annotate(t=models.Sum("amount")).order_by())
    return {(r["pension_id"], r["month"]): quantize(r["t"]) for r in rows}


def recovery_case_reduce(*, case: RecoveryCase, amount: Decimal, months, by, reason: str) -> Decimal:
    """Part of a case turns out not to be overpaid after all (R7 ended: the months after the other
    pension's last month were due): the established amount goes down by `amount` and `months` leave
    the case. Inside the caller's transaction (the caller checked the actor); history and a
    RecoveryCaseChange (who, when, why).

    R17: outstanding = established − repaid − offset − written off, never below zero, and the amount
    is never established below what is already recovered (as at 核实). So the reduction takes the
    outstanding amount first; what the person already repaid or had offset beyond the new amount was
    not owed: it is returned (the figure, recorded on the case, for the clerk to refund). When the
    whole case falls away before anything was recovered the amount cannot be 0 (a case is always of
    a positive amount): it goes to 核销待批 with the reason, for a manager to approve (R17's only way
    to remove a receivable, maker-checker kept). Returns the amount to give back to the person."""
    amount = quantize(amount)
    if amount <= 0:
        return ZERO
    case = RecoveryCase.objects.select_for_update().get(pk=case.pk)
    drop = {m if isinstance(m, str) else f"{periods.month_start(m):%Y-%m}" for m in months}
    collected = case.repaid + case.offset
    done = collected + case.written_off
    wanted = case.amount - amount
    if wanted <= 0 and done == 0:
        if case.status == S.WRITE_OFF_PENDING:
            return ZERO
        case.write_off_reason, case.write_off_requested_by = f"{reason}：全部月份应发，无需追回"[:200], by
        _move(case, S.WRITE_OFF_PENDING, by=by, note=f"申请核销 {case.outstanding} 元：{reason}，全部月份应发")
        _save(case, by=by, reason="申请核销（全部月份应发）",
              fields=["status", "write_off_reason", "write_off_requested_by"])
        return ZERO
    new_amount = max(wanted, done)
    excess = max(ZERO, collected - max(wanted, ZERO))
    note = f"{reason}：减少应追回 {case.amount - new_amount} 元，应追回 {new_amount} 元"
    if excess:
        note += f"；已追回金额多于应追回 {excess} 元，应退还本人"
    if drop:
        note += f"（不再涉及 {'、'.join(sorted(drop))}）"
    case.amount, case.outstanding = new_amount, new_amount - done
    case.months = [m for m in case.months if m not in drop]
    RecoveryCaseChange.objects.create(case=case, from_status=case.status, to_status=case.status, by=by,
                                      note=note[:200])
    if case.outstanding == 0 and S.REPAID in RecoveryCase.MOVES[case.status] and collected > 0:
        _move(case, S.REPAID, by=by, note="未追回余额为零")
    _save(case, by=by, reason=f"减少应追回金额：{reason}", fields=["status", "amount", "outstanding", "months"])
    return excess


@transaction.atomic
def recovery_verify(*, case: RecoveryCase, by, amount: Decimal | None = None, note: str = "") -> RecoveryCase:
    """核实: the amount established (it may differ from the one detected), never below what is already recovered."""
    case = _locked(case, by)
    if amount is not None:
        amount = _amount(amount)
        done = case.repaid + case.offset + case.written_off
        if amount < done:
            raise ValidationError({"amount": f"核实金额不能少于已追回的 {done} 元"})
        case.amount, case.outstanding = amount, amount - done
    _move(case, S.VERIFIED, by=by, note=note or f"核实金额 {case.amount} 元")
    _save(case, by=by, reason="核实", fields=["status", "amount", "outstanding"])
    return case


@transaction.atomic
def recovery_notify(*, case: RecoveryCase, by, repay_by: date, note: str = "") -> RecoveryCase:
    """责令退回: the notice gets its number; the printable notice is reports.recovery_notice_pdf."""
    case = _locked(case, by)
    today = timezone.localdate()
    if repay_by < today:
        raise ValidationError({"repay_by": "限期退回日期不能早于今天"})
    count = RecoveryCase.objects.filter(notified_on__year=today.year).count() + 1
    case.notice_no = f"临社保追字〔{today.year}〕第{count:04d}号"
    case.notified_on, case.repay_by = today, repay_by
    _move(case, S.NOTIFIED, by=by, note=note or f"责令于{repay_by}前退回 {case.outstanding} 元（{case.notice_no}）")
    _save(case, by=by, reason="责令退回", fields=["status", "notice_no", "notified_on", "repay_by"])
    return case


def _post(case: RecoveryCase, *, kind: str, amount: Decimal, on: date, by, note: str, line=None) -> RecoveryPosting:
    """Book money against the case (the case row is locked by the caller); outstanding never below zero."""
    if case.status not in RECOVERY_COLLECTING:
        raise ValidationError(f"{case}当前状态为“{case.get_status_display()}”，不能登记追回")
    if amount > case.outstanding:
        raise ValidationError({"amount": f"金额 {amount} 元超过未追回余额 {case.outstanding} 元"})
    posting = RecoveryPosting.objects.create(case=case, kind=kind, amount=amount, on=on, line=line, note=note[:200],
                                             by=by)
    field = {RecoveryPosting.Kind.REPAYMENT: "repaid", RecoveryPosting.Kind.OFFSET: "offset",
             RecoveryPosting.Kind.WRITE_OFF: "written_off"}[kind]
    setattr(case, field, getattr(case, field) + amount)
    case.outstanding -= amount
    remaining = amount
    if kind == RecoveryPosting.Kind.REPAYMENT:
        for inst in case.instalments.filter(paid__lt=F("amount")).order_by("number"):
            take = min(remaining, inst.amount - inst.paid)
            if take <= 0:
                break
            inst.paid += take
            inst.save(update_fields=["paid"])
            remaining -= take
    if case.outstanding == 0 and kind != RecoveryPosting.Kind.WRITE_OFF:
        _move(case, S.REPAID, by=by, note="未追回余额为零")
    _save(case, by=by, reason=f"{posting.get_kind_display()} {amount} 元",
          fields=["status", field, "outstanding"])
    return posting


@transaction.atomic
def recovery_repay(*, case: RecoveryCase, amount: Decimal, on: date, by, note: str = "") -> RecoveryPosting:
    """退回: money received (applied to the earliest open instalments); at zero the case is 已全部追回."""
    case = _locked(case, by)
    if on > timezone.localdate():
        raise ValidationError({"on": "到账日期不能晚于今天"})
    return _post(case, kind=RecoveryPosting.Kind.REPAYMENT, amount=_amount(amount), on=on, by=by,
                 note=note or "退回款到账")


@transaction.atomic
def recovery_instalments_set(*, case: RecoveryCase, count: int, first_due: date, by, note: str = "") -> RecoveryCase:
    """还款协议: the outstanding amount in `count` monthly instalments from `first_due` (2 places; the
    last takes the residue)."""
    case = _locked(case, by)
    if not 2 <= count <= 60:
        raise ValidationError({"count": "分期期数应为 2 至 60 期"})
    if case.instalments.exists():
        raise ValidationError("该案件已签订还款协议")
    each = (case.outstanding / count).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    if each <= 0:
        raise ValidationError({"count": "未追回余额太少，不能分期"})
    amounts = [each] * (count - 1) + [case.outstanding - each * (count - 1)]
    RecoveryInstalment.objects.bulk_create([
        RecoveryInstalment(case=case, number=i + 1, due_date=rules.shift_months(first_due, i), amount=a)
        for i, a in enumerate(amounts)
    ])
    _move(case, S.INSTALMENT, by=by, note=note or f"签订还款协议：{count} 期，首期 {first_due} 应还 {amounts[0]} 元")
    _save(case, by=by, reason="分期退回", fields=["status"])
    return case


@transaction.atomic
def recovery_offset_set(*, case: RecoveryCase, by, monthly: Decimal = ZERO, note: str = "") -> RecoveryCase:
    """待遇抵扣: each later payroll deducts up to `monthly` 元 (0: the whole line) from the person's pension."""
    case = _locked(case, by)
    if case.pension_id is None and not hasattr(case.person, "pension"):
        raise ValidationError("该参保人没有养老金待遇，不能从待遇中抵扣")
    if case.pension_id is None:
        case.pension = case.person.pension
    if monthly < 0:
        raise ValidationError({"monthly": "每月抵扣额不能为负数"})
    case.monthly_offset = quantize(monthly)
    _move(case, S.OFFSET, by=by, note=note or ("从以后各月待遇中抵扣" + (f"，每月 {case.monthly_offset} 元" if monthly else "")))
    _save(case, by=by, reason="待遇抵扣", fields=["status", "monthly_offset", "pension"])
    return case


def recovery_offset_post(*, line: PayrollLine, on: date, by) -> RecoveryPosting | None:
    """A paid payroll line with an offset: book it on its case (inside the payroll close's transaction)."""
    if not line.offset_amount or line.offset_case_id is None:
        return None
    case = RecoveryCase.objects.select_for_update().get(pk=line.offset_case_id)
    if RecoveryPosting.objects.filter(line=line).exists():
        return None
    amount = min(line.offset_amount, case.outstanding)
    if amount <= 0:
        return None
    return _post(case, kind=RecoveryPosting.Kind.OFFSET, amount=amount, on=on, by=by,
                 note=f"{periods.format_month(line.month)}待遇抵扣（发放明细 {line.pk}）", line=line)


@transaction.atomic
def recovery_default(*, case: RecoveryCase, by, note: str) -> RecoveryCase:
    """逾期未还: the instalments (or the notice's deadline) were missed."""
    case = _locked(case, by)
    if not (note or "").strip():
        raise ValidationError({"note": "请填写说明"})
    _move(case, S.DEFAULTED, by=by, note=note)
    _save(case, by=by, reason="逾期未还", fields=["status"])
    return case


@transaction.atomic
def recovery_write_off_request(*, case: RecoveryCase, by, reason: str) -> RecoveryCase:
    """申请核销 (no heir, no estate ...): waits for a manager's approval; nothing is written off yet."""
    case = _locked(case, by)
    if not (reason or "").strip():
        raise ValidationError({"reason": "申请核销必须填写原因"})
    case.write_off_reason, case.write_off_requested_by = reason.strip()[:200], by
    _move(case, S.WRITE_OFF_PENDING, by=by, note=f"申请核销：{reason.strip()}")
    _save(case, by=by, reason="申请核销", fields=["status", "write_off_reason", "write_off_requested_by"])
    return case


@transaction.atomic
def recovery_write_off_approve(*, case: RecoveryCase, by, note: str = "") -> RecoveryCase:
    """核销 with a manager's (局领导) approval: the outstanding amount is written off; the record stays."""
    require(by, "benefits.approve_writeoff", "核销须经局领导批准")
    case = RecoveryCase.objects.select_for_update().select_related("person").get(pk=case.pk)
    require_town(by, case.person.town_id)
    if case.status != S.WRITE_OFF_PENDING:
        raise ValidationError(f"{case}当前状态为“{case.get_status_display()}”，须先申请核销")
    if case.write_off_requested_by_id == by.pk:
        raise PermissionDenied("申请核销的人员不能批准本人的核销申请")
    amount = case.outstanding
    if amount > 0:
        _post(case, kind=RecoveryPosting.Kind.WRITE_OFF, amount=amount, on=timezone.localdate(), by=by,
              note=f"核销：{case.write_off_reason}")
    case.write_off_approved_by = by
    _move(case, S.WRITTEN_OFF, by=by, note=note or f"批准核销 {amount} 元：{case.write_off_reason}")
    _save(case, by=by, reason="批准核销", fields=["status", "write_off_approved_by"])
    return case


@transaction.atomic
def recovery_write_off_reject(*, case: RecoveryCase, by, note: str) -> RecoveryCase:
    require(by, "benefits.approve_writeoff", "核销须经局领导审批")
    case = RecoveryCase.objects.select_for_update().get(pk=case.pk)
    if not (note or "").strip():
        raise ValidationError({"note": "不批准核销时必须填写意见"})
    _move(case, S.NOTIFIED, by=by, note=f"不批准核销：{note}")
    _save(case, by=by, reason="不批准核销", fields=["status"])
    return case


@transaction.atomic
def recovery_fraud_flag(*, case: RecoveryCase, by, fine_multiple: Decimal | None, police_referred: bool,
                        note: str) -> RecoveryCase:
    """涉嫌欺诈: the referral recorded (fine 2-5× the amount, Art. 88; police when criminal)."""
    case = _locked(case, by)
    if not (note or "").strip():
        raise ValidationError({"note": "请填写移送情况"})
    if fine_multiple is not None and not Decimal(2) <= fine_multiple <= Decimal(5):
        raise ValidationError({"fine_multiple": "罚款倍数应为 2 至 5 倍"})
    case.fraud, case.fine_multiple, case.police_referred = True, fine_multiple, police_referred
    case.fraud_note = note.strip()[:200]
    RecoveryCaseChange.objects.create(case=case, from_status=case.status, to_status=case.status, by=by,
                                      note=f"涉嫌欺诈：{note.strip()}"[:200])
    _save(case, by=by, reason="涉嫌欺诈移送", fields=["fraud", "fine_multiple", "police_referred", "fraud_note"])
    return case


@transaction.atomic
def recovery_close(*, case: RecoveryCase, by, note: str = "") -> RecoveryCase:
    case = _locked(case, by)
    _move(case, S.CLOSED, by=by, note=note or "结案")
    _save(case, by=by, reason="结案", fields=["status"])
    return case


def offsets_due(pension_ids, *, run) -> dict[int, tuple[int, Decimal]]:
    """For the payroll: per pension, the case to offset (the oldest in 待遇抵扣) and how much this
    run may deduct: its monthly limit (0: everything), never more than the outstanding amount less
    the offsets already on lines not yet paid (so two runs never plan the same money twice).
    `pension_ids`: a list of ids or a query of them (the payroll passes its chunk's id range)."""
    cases = list(RecoveryCase.objects.filter(pension_id__in=pension_ids, status=S.OFFSET, outstanding__gt=0)
                 .order_by("opened_at", "pk").values("pk", "pension_id", "outstanding", "monthly_offset"))
    if not cases:
        return {}
    planned = dict(
        PayrollLine.objects.filter(offset_case_id__in=[c["pk"] for c in cases], status=PayrollLine.Status.PENDING)
        .values("offset_case_id").annotate(t=models.Sum("offset_amount")).order_by()
        .values_list("offset_case_id", "t")
    )
    in_run = set(PayrollLine.objects.filter(run=run, offset_case_id__in=[c["pk"] for c in cases])
                 .values_list("offset_case_id", flat=True))
    due: dict[int, tuple[int, Decimal]] = {}
    for c in cases:
        if c["pension_id"] in due:
            continue
        left = c["outstanding"] - (planned.get(c["pk"]) or ZERO)
        if c["monthly_offset"]:
            left = min(left, ZERO if c["pk"] in in_run else c["monthly_offset"])
        if left > 0:
            due[c["pension_id"]] = (c["pk"], left)
    return due
