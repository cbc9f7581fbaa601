"""Transfers and terminations, the money side (§5, §6, R12-R16): the account settled at an exit, a
balance transferred in, and the refund payment.

The county's approval of an enrollment RelationshipApplication calls `relationship_application_settle`
(registered with enrollment by ContributionsConfig.ready, so enrollment never imports contributions):
it settles the interim interest, moves the balance out of every sub-ledger, records the AccountExit
(one per application: never settled twice) and the Refund, and then ends the relationship through
enrollment's service. The pensioner side (the basic pension paid in a duplicate receipt's overlap, the
funeral subsidy, stopping the pension, a recovery case) belongs to benefits, which contributions may
not import: benefits registers a provider here (`exit_provider_register`).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from enrollment.models import ApplicationKind, Person
from enrollment.relationships import relationship_end, relationship_open
from linggao_pension import periods
from linggao_pension.money import ZERO, quantize

from .. import rules, selectors
from ..models import (
    GOVERNMENT_SOURCES,
    AccountExit,
    AccountTransferIn,
    EntryKind,
    ExitKind,
    InterestSettlement,
    Refund,
    Source,
)
from .interest import interest_settle
from .ledger import account_post

AK = ApplicationKind
PS = Person.Status
RECEIVING = (PS.RECEIVING, PS.BENEFIT_SUSPENDED)

# Reason codes (R3, §6): (contributor, pensioner).
REASON_CODES = {
    ExitKind.TRANSFER_OUT: ("6499", None),
    ExitKind.TO_EMPLOYEE: ("6407", None),
    ExitKind.DEATH: ("6401", None),
    ExitKind.ABROAD: ("6406", "1406"),
    ExitKind.DUPLICATE_ENROLLMENT: ("6499", "1499"),
    ExitKind.DUPLICATE_RECEIPT: (None, "1407"),
}
ENTRY_KIND = {
    ExitKind.TRANSFER_OUT: EntryKind.TRANSFER_OUT,
    ExitKind.TO_EMPLOYEE: EntryKind.TRANSFER_OUT,
    ExitKind.DEATH: EntryKind.INHERIT,
}
PAY_TYPE = {ExitKind.DUPLICATE_CONTRIBUTION: "F10004"}


# --- the pensioner side, provided by benefits ---------------------------------------------------------


@dataclass
class PensionerSide:
    """What benefits says about an exit: the basic pension paid in a duplicate receipt's overlap and
    its months, the funeral subsidy of a death, and the months paid (for settlement_estimate)."""

    overlap_basic: Decimal = ZERO
    overlap_months: list[str] = field(default_factory=list)
    funeral_subsidy: Decimal = ZERO
    last_payable_month: str | None = None


_providers: dict[str, object] = {}


def exit_provider_register(*, figures, settled) -> None:
    """benefits registers `figures(person=, kind=, on=, employee_start=) -> PensionerSide` and
    `settled(exit=, by=)` (stops the pension, opens a recovery case for `to_recover`)."""
    _providers["figures"], _providers["settled"] = figures, settled


def _pensioner_side(*, person, kind, on, employee_start) -> PensionerSide:
    provider = _providers.get("figures")
    if provider is None:
        return PensionerSide()
    return provider(person=person, kind=kind, on=on, employee_start=employee_start)


# --- figures -----------------------------------------------------------------------------------------


def _settlement_month(*, kind: str, event_on: date, today: date) -> date:
    """The month the account is settled at: the event's month; for a duplicate receipt the month the
    residents' relationship is ended (now), the overlap running from the employee pension's start."""
    return periods.month_start(today if kind == ExitKind.DUPLICATE_RECEIPT else event_on)


def _interim(*, person, on: date) -> tuple[Decimal, bool]:
    """(interim interest, whether it is still to be settled): nothing when the year's interest is
    already settled (a benefit start that year, an earlier exit) or posted at the year end."""
    if InterestSettlement.objects.filter(person=person, year=on.year).exists():
        return ZERO, False
    if selectors.interest_year_end_posted(person=person, year=on.year):
        return ZERO, False
    return selectors.account_at(person=person, on=on).interim_interest, True


def exit_figures(
    *, person, kind: str, event_on: date, employee_start: date | None = None, overlap_year: int | None = None,
    overlap_months: int | None = None, today: date | None = None,
) -> dict:
    """What an exit pays, from the records as they stand, saving nothing (the application page, the
    approval, `settlement_estimate`). Amounts are Decimals; by_source maps Source values."""
    today = today or timezone.localdate()
    if kind == ExitKind.DUPLICATE_CONTRIBUTION:
        return _duplicate_contribution_figures(person=person, year=overlap_year, months=overlap_months, today=today)
    on = _settlement_month(kind=kind, event_on=event_on, today=today)
    interim, to_settle = _interim(person=person, on=on)
    by_source = selectors.balance_by_source(person=person)
    if interim:
        by_source[Source.INTEREST] = by_source.get(Source.INTEREST, ZERO) + interim
    side = _pensioner_side(person=person, kind=kind, on=on, employee_start=employee_start)
    split = rules.exit_split(
        kind=kind, by_source=by_source, government=GOVERNMENT_SOURCES, overlap_basic=side.overlap_basic,
        funeral_subsidy=side.funeral_subsidy,
    )
    return {
        "kind": kind, "on": on, "by_source": by_source, "balance": sum(by_source.values(), ZERO),
        "interim_interest": interim, "settle_interest": to_settle, "side": side,
        "funeral_subsidy": side.funeral_subsidy if kind == ExitKind.DEATH else ZERO,
        "years": selectors.counted_years(person=person, before=date.max), **split,
    }


def _duplicate_contribution_figures(*, person, year, months, today) -> dict:
    if not year or not months or not 1 <= months <= 12:
        raise ValidationError({"overlap_months": "请填写重复缴费年度和月数（1-12）"})
    year_sources = selectors.year_amounts_by_source(person=person, year=year)
    refund = rules.duplicate_contribution_refund(
        personal=year_sources.get(Source.PERSONAL, ZERO), collective=year_sources.get(Source.COLLECTIVE, ZERO),
        months=months,
    )
    if not refund:
        raise ValidationError({"overlap_year": f"{year} 年度没有个人缴费或集体补助，无可退费用"})
    by_source = selectors.balance_by_source(person=person)
    return {
        "kind": ExitKind.DUPLICATE_CONTRIBUTION, "on": periods.month_start(today), "by_source": by_source,
        "balance": sum(by_source.values(), ZERO), "interim_interest": ZERO, "settle_interest": False,
        "side": PensionerSide(), "funeral_subsidy": ZERO, "years": [year], "paid": refund, "reclaimed": {},
        "offset": {}, "payable": sum(refund.values(), ZERO), "to_recover": ZERO,
    }


# --- settling an approved application ------------------------------------------------------------------


def _post(person, source, kind, amount, *, by, today, memo, year=None):
    return account_post(
        person=person, source=source, kind=kind, amount=-amount, entry_date=today, by=by, year=year, memo=memo[:120]
    )


def _reason_code(kind: str, person: Person) -> str:
    contributor, pensioner = REASON_CODES[kind]
    code = pensioner if person.status in RECEIVING else contributor
    if code is None:
        raise ValidationError("该参保人的当前状态不能办理此业务" if person.status in RECEIVING else "该业务只适用于待遇领取人员")
    return code


@transaction.atomic
def relationship_application_settle(*, application, by) -> AccountExit | AccountTransferIn:
    """Settle the money of an application the county approves (called inside the approval's
    transaction): an incoming transfer is credited; anything else moves the balance out, records the
    refund and ends the relationship. A second settlement of the same application is refused."""
    if by is None:
        raise PermissionDenied("结算必须记录经办人")
    if application.kind in (AK.TRANSFER_IN, AK.FROM_EMPLOYEE):
        return _transfer_in(application=application, by=by)
    if AccountExit.objects.filter(application=application).exists():
        raise ValidationError("该申请已结算，不能重复结算")
    person = Person.objects.select_for_update().get(pk=application.person_id)
    if person.status == PS.TERMINATED:
        raise ValidationError(f"{person.name}的参保关系已终止，不能再次终止或转出")
    kind = application.kind
    today = timezone.localdate()
    f = exit_figures(
        person=person, kind=kind, event_on=application.event_on, employee_start=application.employee_start,
        overlap_year=application.overlap_year, overlap_months=application.overlap_months, today=today,
    )
    label = ExitKind(kind).label
    if f["settle_interest"]:
        interest_settle(person=person, year=f["on"].year, amount=f["interim_interest"], settled_on=f["on"], by=by, reason=label)
    paid_kind = ENTRY_KIND.get(kind, EntryKind.REFUND)
    year = application.overlap_year if kind == ExitKind.DUPLICATE_CONTRIBUTION else None
    for source, amount in f["paid"].items():
        _post(person, source, paid_kind, amount, by=by, today=today, memo=f"{label} {application.number}", year=year)
    for source, amount in f["reclaimed"].items():
        _post(person, source, EntryKind.RECLAIM, amount, by=by, today=today, memo=f"{label}：政府补贴收回基金")
    for source, amount in f["offset"].items():
        _post(person, source, EntryKind.RECLAIM, amount, by=by, today=today, memo=f"{label}：冲抵重复领取的基础养老金")
    exit_ = AccountExit.objects.create(
        person=person, application=application, kind=kind, on=f["on"], balance=f["balance"],
        interim_interest=f["interim_interest"], by_source={s: str(a) for s, a in f["by_source"].items()},
        payable=f["payable"], reclaimed=sum(f["reclaimed"].values(), ZERO), offset=sum(f["offset"].values(), ZERO),
        funeral_subsidy=f["funeral_subsidy"], to_recover=f["to_recover"], years=f["years"], created_by=by,
    )
    if kind in ExitKind.values and kind not in (ExitKind.TRANSFER_OUT, ExitKind.TO_EMPLOYEE) and exit_.payable > 0:
        _refund_create(exit_=exit_, application=application)
    settled = _providers.get("settled")
    if settled is not None and person.status in RECEIVING:
        settled(exit=exit_, by=by)
    if kind in REASON_CODES:
        relationship_end(
            person=person, end_kind=kind, reason_code=_reason_code(kind, person), on_date=application.event_on
            if kind != ExitKind.DUPLICATE_RECEIPT else today, by=by, note=f"{label}（{application.number}）",
        )
    return exit_


def _refund_create(*, exit_: AccountExit, application) -> Refund:
    missing = [
        label for value, label in (
            (application.payee_name, "收款人"), (application.payee_id_number, "收款人身份证号"),
            (application.bank_name, "开户银行"), (application.bank_account, "银行账号"),
        ) if not (value or "").strip()
    ]  # fmt: skip
    if missing:
        raise ValidationError(f"退款须填写{'、'.join(missing)}")
    return Refund.objects.create(
        exit=exit_, person_id=exit_.person_id, amount=exit_.payable, pay_type=PAY_TYPE.get(exit_.kind, "F10006"),
        payee_name=application.payee_name, payee_id_number=application.payee_id_number,
        payee_relation=application.payee_relation, bank_name=application.bank_name,
        bank_account=application.bank_account,
    )


def _transfer_in(*, application, by) -> AccountTransferIn:
    if AccountTransferIn.objects.filter(application=application).exists():
        raise ValidationError("该申请已结算，不能重复转入")
    amount = quantize(application.amount_in or ZERO)
    if amount <= 0:
        raise ValidationError({"amount_in": "转入金额必须大于零"})
    person = Person.objects.select_for_update().get(pk=application.person_id)
    from_employee = application.kind == AK.FROM_EMPLOYEE
    if person.status == PS.TERMINATED:  # transfers back in: a new relationship on the same person
        relationship_open(
            person=person, start_kind="from_employee" if from_employee else "transfer_in",
            on_date=application.event_on, by=by, note=f"{application.get_kind_display()}（{application.number}）",
        )
    today = timezone.localdate()
    where = application.other_area or ("职工养老保险" if from_employee else "外地")
    entry = account_post(
        person=person, source=Source.TRANSFER_IN, kind=EntryKind.TRANSFER_IN, amount=amount, entry_date=today,
        by=by, memo=f"{where}转入 凭证{application.certificate_no} {application.number}"[:120],
    )
    return AccountTransferIn.objects.create(
        person=person, application=application, from_employee=from_employee, received_on=today, amount=amount,
        years=sorted({int(y) for y in application.years_in or []}), certificate_no=application.certificate_no,
        from_area=where, entry=entry, created_by=by,
    )

