"""The pensioner side of a transfer or termination (R12, R16), registered with contributions' exit
settlement (contributions may not import benefits): the basic pension paid in a duplicate receipt's
overlap, the funeral subsidy of a death, and, once settled, the pension stopped and a recovery case
for what the account could not cover."""

from datetime import date

from contributions.models import AccountExit
from contributions.services.exits import PensionerSide
from linggao_pension import periods
from linggao_pension.money import ZERO, quantize

from .models import FuneralSubsidy, PayrollLine, Pension
from .services.recovery import decreases_recovered


def funeral_subsidy(on: date):
    row = FuneralSubsidy.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    return row.amount if row is not None else ZERO


def exit_figures(*, person, kind: str, on: date, employee_start: date | None) -> PensionerSide:
    side = PensionerSide()
    if kind == "death":
        side.funeral_subsidy = funeral_subsidy(on)
    pension = Pension.objects.filter(person=person).first()
    if pension is None:
        return side
    side.last_payable_month = f"{periods.add_months(on, -1):%Y-%m}"
    if kind == "duplicate_receipt" and employee_start is not None:
        # R12: the overlap runs from the later of the two benefit starts to the residents' stop.
        start = max(pension.start_month, periods.month_start(employee_start))
        lines = PayrollLine.objects.filter(
            person=person, status=PayrollLine.Status.PAID, month__gte=start, month__lt=on
        ).values_list("month", "basic_amount")
        months = sorted({m for m, _ in lines})
        # R12 subtracts what is already being recovered: a decrease case's part of those months.
        held = decreases_recovered([pension.pk], since=start) if months else {}
        side.overlap_basic = quantize(sum((b for _, b in lines), ZERO)
                                      - sum((held.get((pension.pk, m), ZERO) for m in months), ZERO))
        side.overlap_months = [f"{m:%Y-%m}" for m in months]
    return side


def exit_settled(*, exit: AccountExit, by) -> None:
    """After the account is settled: stop the pension from the settlement month; the basic pension the
    account could not cover becomes a recovery case (benefits.services.recovery, when present)."""
    from benefits import services

    pension = Pension.objects.filter(person_id=exit.person_id).first()
    if pension is not None and pension.status == Pension.Status.ACTIVE:
        services.pension_stop(
            pension=pension, last_month=periods.add_months(exit.on, -1), by=by,
            reason=f"{exit.get_kind_display()}，居保关系终止",
        )
    if exit.to_recover > 0:
        try:
            from benefits.services.recovery import recovery_case_open
        except ImportError:  # the recovery cases are not on main yet: the exit keeps `to_recover`
            return
        months = []
        if exit.application is not None and exit.application.employee_start:
            months = exit_figures(person=exit.person, kind=exit.kind, on=exit.on,
                                  employee_start=exit.application.employee_start).overlap_months
        recovery_case_open(
            person=exit.person, source="supervision", amount=exit.to_recover, by=by, months=months,
            pension=pension, reason="重复领取职保与居保待遇：账户余额不足冲抵的基础养老金（R12）",
            detail=f"{exit.application.number if exit.application else ''} 冲抵 {exit.offset} 元，余 {exit.to_recover} 元待追回",
        )
