"""The action a verified suspicious item starts, through the benefits app's services (an app
changes another app's rows only through that app's services). Returns what was started, kept on
the item. Each overpayment ends in exactly one recovery case, opened by whichever benefits step
owns the arithmetic:

- paid after death, pensioner died: the death is recorded (source 稽核发现) for the county's review;
  its approval stops the pension from the month after the death, settles the heirs and opens the
  one recovery case for the basic pension paid after it (R11);
- duplicate receipt with the employee scheme: a recovery case for the basic pension paid in the
  overlap (R12; the termination of the residents' relation, 1407, is the transfers' application);
- imprisoned, still serving: a suspension request (1202) from the month after the sentence began,
  whose approval opens the recovery case for the months paid since; sentence over: a recovery case
  for the months paid during it;
- shared account, over 100 and not certified: a suspension request (1299) pending proof of life;
- a contributor who died (no pension): the account is settled by the termination application (参保人
  死亡, 6401) that the person's town enters with the heirs' details and evidence (enrollment's
  workflow; supervision writes none of its rows). Verifying puts the case on the town's 待办 and on
  the 死亡缴费人员待注销 page (supervision.selectors.death_followups), which follows the application
  until the relationship has ended.
"""

from decimal import Decimal
from importlib import import_module

from django.core.exceptions import ValidationError

from linggao_pension import periods

from ..models import SuspectItem

K = SuspectItem.Kind


def _service(module: str, name: str):
    try:
        return getattr(import_module(f"benefits.services.{module}"), name)
    except (ImportError, AttributeError):
        raise ValidationError(f"待遇模块尚未提供“{name}”服务，暂不能核实该类疑点") from None


def _pension(item: SuspectItem):
    pension = getattr(item.person, "pension", None)
    if pension is None:
        raise ValidationError("该参保人没有养老金待遇记录")
    return pension


def _recovery(item: SuspectItem, *, by, note: str, amount: Decimal) -> str:
    recovery_case_open = _service("recovery", "recovery_case_open")
    pension = _pension(item)
    held = _decreases_held(pension, item.months)
    if held:  # a decrease case (标准调整多发) already recovers part of those months: not twice
        amount -= held
        note = f"{note}（已扣除标准调整多发案件已立案的 {held} 元）"
        if amount <= 0:
            return f"涉及月份的多发待遇已由标准调整多发案件全部立案追回（{held} 元），无需另行立案"
    case = recovery_case_open(person=item.person, source="supervision", amount=amount, by=by, reason=note[:200],
                              months=tuple(item.months), pension=pension, detail=item.detail)
    return f"已立案追回 {amount} 元（追回案件 #{case.pk}）"


def _decreases_held(pension, months) -> Decimal:
    months = [periods.parse_month(m) for m in months]
    if not months:
        return Decimal("0.00")
    held = _service("recovery", "decreases_recovered")([pension.pk], since=min(months))
    return sum((held.get((pension.pk, m), Decimal("0.00")) for m in months), Decimal("0.00"))


def _suspend(item: SuspectItem, *, by, note: str, code: str, start) -> str:
    suspension_request = _service("suspension", "suspension_request")
    request = suspension_request(pension=_pension(item), reason_code=code, by=by, start_month=start,
                                 evidence=f"疑点核查 #{item.pk}", note=note[:200])
    return f"已申请暂停领取（{code}，自{periods.format_month(start)}起，申请 #{request.pk}，待县局复核）"


def start_for(*, item: SuspectItem, by, reason: str, today) -> str:
    note = f"疑点核查 #{item.pk}（{item.get_kind_display()}）：{reason}"
    if item.kind in (K.PAID_AFTER_DEATH, K.PENSIONER_DIED):
        death_record = _service("death", "death_record")
        report = death_record(person=item.person, death_date=item.event_date, source="audit", by=by, note=note[:200])
        return f"已登记死亡（#{report.pk}，待县局复核；复核通过后停发并对死亡后多发的待遇立案追回）"
    if item.kind == K.DUPLICATE_EMPLOYEE:
        return _recovery(item, by=by, note=note, amount=Decimal(item.basic_amount or item.amount))
    if item.kind == K.IMPRISONED:
        serving = item.event_end is None or item.event_end >= today
        if serving:
            return _suspend(item, by=by, note=note, code="1202",
                            start=periods.add_months(periods.month_start(item.event_date), 1))
        if item.amount:
            return _recovery(item, by=by, note=note, amount=Decimal(item.amount))
        return "刑满且服刑期间未发放待遇，无需追回"
    if item.kind in (K.SHARED_ACCOUNT, K.CENTENARIAN_UNCERTIFIED):
        return _suspend(item, by=by, note=note, code="1299", start=periods.add_months(periods.month_start(today), 1))
    return _contributor_died(item)


def _contributor_died(item: SuspectItem) -> str:
    from enrollment.models import Person

    person = item.person
    if getattr(person, "pension", None) is not None or person.status in (Person.Status.RECEIVING,
                                                                        Person.Status.BENEFIT_SUSPENDED):
        raise ValidationError("该参保人已领取待遇，不属于缴费人员死亡；请按“领取人死亡”重新比对死亡名单")
    if person.status == Person.Status.TERMINATED:
        raise ValidationError("该参保人已终止参保，个人账户已结算，请以“排除”办结并写明情况")
    return f"已通知{person.town.name}办理参保人死亡注销（6401）并结算个人账户（待办：死亡缴费人员待注销）"
