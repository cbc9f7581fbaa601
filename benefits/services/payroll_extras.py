"""The payroll's lines that are not a pensioner's month: the heirs' one-off settlement (R11) and the
delegated programmes' monthly amounts (代发, R22). Both are idempotent through their unique indexes."""

from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef

from contributions.models import AccountEntry, EntryKind
from contributions.selectors import balance_by_source
from contributions.services import account_post_bulk
from enrollment.models import Person
from linggao_pension import periods
from linggao_pension.money import ZERO

from ..models import DelegatedPayee, HeirSettlement, PayrollLine, Pension, Suspension
from .payroll_lines import Line, insert_lines, lock_generated

K = PayrollLine.Kind
L = PayrollLine.Status


def settlement_lines(*, run_id: int, month: date) -> int:
    """继承支付: every settlement whose heirs are registered and not yet paid (or whose payment
    failed), once, to the heir's account."""
    with transaction.atomic():
        run = lock_generated(run_id)
        live = PayrollLine.objects.filter(settlement=OuterRef("pk"), kind=K.SETTLEMENT).exclude(
            status__in=PayrollLine.DEAD_STATUSES)
        ready = list(HeirSettlement.objects.filter(status__in=[HeirSettlement.Status.READY,
                                                                HeirSettlement.Status.IN_PAYROLL], payable__gt=0)
                     .exclude(Exists(live)).select_related("person"))
        lines = [
            Line(s.pension_id, s.person_id, s.person.town_id, month, K.SETTLEMENT, ZERO, ZERO, s.heir_bank_name,
                 s.heir_bank_account, other=s.payable, payee_name=s.heir_name, payee_id_number=s.heir_id_number,
                 settlement_id=s.pk)
            for s in ready
        ]
        added = insert_lines(run, lines)
        HeirSettlement.objects.filter(pk__in=[s.pk for s in ready]).update(status=HeirSettlement.Status.IN_PAYROLL)
        return added


def delegated_lines(*, run_id: int, month: date) -> int:
    """代发: each payee in 正常发放 is paid every month from the start month not yet paid, up to this
    one (or the last month), while the person is alive and, for a pensioner, not suspended."""
    with transaction.atomic():
        run = lock_generated(run_id)
        suspended = Suspension.objects.filter(person=OuterRef("person"), end_month__isnull=True)
        stopped = Pension.objects.filter(person=OuterRef("person"), status=Pension.Status.STOPPED)
        payees = list(
            DelegatedPayee.objects.filter(status=DelegatedPayee.Status.NORMAL, start_month__lte=month,
                                          programme__active=True)
            .exclude(person__status=Person.Status.TERMINATED).exclude(Exists(suspended)).exclude(Exists(stopped))
            .select_related("person")
        )
        paid = set(PayrollLine.objects.filter(delegated_payee__in=payees, kind=K.DELEGATED).live()
                   .values_list("delegated_payee_id", "month"))
        lines = []
        for payee in payees:
            end = min(month, payee.last_month) if payee.last_month else month
            for m in periods.iter_months(payee.start_month, end):
                if (payee.pk, m) not in paid:
                    person = payee.person
                    lines.append(Line(None, person.pk, person.town_id, m, K.DELEGATED, ZERO, ZERO, person.bank_name,
                                      person.bank_account, other=payee.monthly_amount, delegated_payee_id=payee.pk))
        return insert_lines(run, lines)


def settlements_paid(*, run, by, paid_on: date) -> None:
    """At the bank's return: a paid settlement closes the account (the balance paid out to the heirs,
    one 继承支付 entry per sub-ledger); a failed one waits for the next payroll with the heir's details."""
    for line in run.lines.filter(kind=K.SETTLEMENT).select_related("settlement"):
        settlement = HeirSettlement.objects.select_for_update().get(pk=line.settlement_id)
        if line.status == L.FAILED:
            settlement.status = HeirSettlement.Status.READY
            settlement._history_user, settlement._change_reason = by, f"继承支付失败：{line.failure_reason}"
            settlement.save(update_fields=["status"])
            continue
        if line.status != L.PAID or settlement.status == HeirSettlement.Status.PAID:
            continue
        entries = [
            AccountEntry(person_id=settlement.person_id, source=source, kind=EntryKind.INHERIT, amount=-amount,
                         entry_date=paid_on, year=paid_on.year, memo="继承支付：个人账户余额支付给继承人")
            for source, amount in balance_by_source(person=settlement.person).items() if amount
        ]
        if entries:
            account_post_bulk(entries=entries, by=by)
        settlement.status, settlement.paid_on = HeirSettlement.Status.PAID, paid_on
        settlement._history_user, settlement._change_reason = by, "继承支付已到账"
        settlement.save(update_fields=["status", "paid_on"])
