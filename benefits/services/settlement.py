"""The settlement of an account when the relationship ends, computed from the records as they stand
(`settlement_estimate`, the `settlement_estimate` command, and death approval which freezes it).

The reason dispatch is a small registry: each reason registers one function
`(*, person, on: date) -> Settlement`. Death is here (R11); the transfers app registers
`abroad`, `transfer_out`, `to_employee` and `duplicate_receipt` with `@settlement_reason("abroad")`
(import this module and decorate; the command lists every registered reason).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from contributions.models import AccountEntry, EntryKind, InterestSettlement, Source
from contributions.selectors import balance, balance_by_source, interest_year_end_posted, interim_rate
from linggao_pension import periods
from linggao_pension.money import ZERO, quantize

from .. import rules, selectors
from ..models import PayrollLine, Pension
from .recovery import decreases_recovered

L = PayrollLine.Status
K = PayrollLine.Kind


@dataclass
class Settlement:
    """The figures of a settlement; `as_json` gives exactly the command's keys."""

    reason: str
    last_payable_month: date | None
    overpaid_months: list[date] = field(default_factory=list)
    overpaid_basic: Decimal = ZERO
    overpaid_account: Decimal = ZERO
    balance: Decimal = ZERO  # the account at death (or at the exit for the other reasons)
    by_source: dict[str, Decimal] = field(default_factory=dict)
    interim_interest: Decimal = ZERO
    funeral_subsidy: Decimal = ZERO
    payable: Decimal = ZERO
    to_recover: Decimal = ZERO
    interest_year: int | None = None  # the year whose interim interest is included (not yet settled)
    interest_settled_on: date | None = None

    def as_json(self) -> dict:
        return {
            "reason": self.reason,
            "last_payable_month": f"{self.last_payable_month:%Y-%m}" if self.last_payable_month else None,
            "overpaid_months": [f"{m:%Y-%m}" for m in self.overpaid_months],
            "overpaid_basic": str(self.overpaid_basic),
            "overpaid_account": str(self.overpaid_account),
            "balance": str(self.balance),
            "by_source": {selectors.SOURCE_LABELS.get(s, s): str(a) for s, a in self.by_source.items()},
            "interim_interest": str(self.interim_interest),
            "funeral_subsidy": str(self.funeral_subsidy),
            "payable": str(self.payable),
            "to_recover": str(self.to_recover),
        }


SETTLEMENT_REASONS: dict[str, Callable[..., Settlement]] = {}


def settlement_reason(name: str):
    """Register the computation of one reason (a decorator)."""

    def register(func):
        SETTLEMENT_REASONS[name] = func
        return func

    return register


def settlement_estimate(*, person, reason: str, on: date) -> Settlement:
    """The settlement of `person` for `reason` at date `on`, saving nothing."""
    compute = SETTLEMENT_REASONS.get(reason)
    if compute is None:
        raise ValidationError({"reason": f"不支持的结算原因“{reason}”，可选：{'、'.join(sorted(SETTLEMENT_REASONS))}"})
    return compute(person=person, on=on)


def exit_interest(*, person, last_month: date) -> tuple[Decimal, int | None, date | None]:
    """The interim interest of the year of `last_month` (the account's last month), when that year's
    interest is neither posted nor settled: round(opening balance × rate × months / 12, 2) with the
    months 1..last_month (binding defaults, R6). Returns (amount, year, the settlement date)."""
    year = last_month.year
    if interest_year_end_posted(person=person, year=year):
        return ZERO, None, None
    if InterestSettlement.objects.filter(person=person, year=year).exists():
        return ZERO, None, None
    if AccountEntry.objects.filter(person=person, kind=EntryKind.INTEREST, source=Source.INTEREST, year=year).exists():
        return ZERO, None, None
    opening = balance(person=person, before=date(year, 1, 1))
    rate = interim_rate(year)
    settled_on = periods.add_months(last_month, 1) if last_month.month < 12 else date(year, 12, 31)
    if rate is None or not opening:
        return ZERO, year, settled_on
    return quantize(opening * rate * last_month.month / 12), year, settled_on


def _drawn_by_month(pension: Pension, months_after: date) -> tuple[list[PayrollLine], dict[str, Decimal]]:
    """The paid lines of months after `months_after` and the part of the account each drew, split by
    sub-ledger as the monthly drawdown split it (rules.drawdown_split, in the order they were paid)."""
    start = {s: Decimal(a) for s, a in pension.balance_by_source.items()}
    drawn_before, reversed_by_source, overpaid = ZERO, {}, []
    lines = (PayrollLine.objects.filter(pension=pension, status=L.PAID).exclude(kind__in=[K.SETTLEMENT, K.DELEGATED])
             .order_by("run__month", "month", "pk"))
    for line in lines:
        if line.month > months_after:
            overpaid.append(line)
            parts = rules.drawdown_split(start_by_source=start, drawn_before=drawn_before, draw=line.drawn_amount,
                                         residue_source=Source.PERSONAL)
            for source, part in parts.items():
                reversed_by_source[source] = reversed_by_source.get(source, ZERO) + part
        drawn_before += line.drawn_amount
    return overpaid, reversed_by_source


@settlement_reason("death")
def death_settlement(*, person, on: date) -> Settlement:
    """R11 with the binding defaults: paid up to and including the death month; the months paid after
    it are overpaid (basic part → a recovery case, account part → deducted from the heirs). The
    account at death is the account as it stands with those months' drawdowns reversed, plus the
    death year's interim interest when that year's interest is not yet posted; the heirs receive it
    (subsidies included) minus the account part overpaid, plus the funeral subsidy."""
    last = periods.month_start(on)
    pension = Pension.objects.filter(person=person).first()
    by_source = dict(balance_by_source(person=person))
    overpaid: list[PayrollLine] = []
    if pension is not None:
        overpaid, reversed_by_source = _drawn_by_month(pension, last)
        for source, part in reversed_by_source.items():
            by_source[source] = by_source.get(source, ZERO) + part
    interim, year, settled_on = exit_interest(person=person, last_month=last)
    if interim:
        by_source[Source.INTEREST] = by_source.get(Source.INTEREST, ZERO) + interim
    by_source = {s: a for s, a in by_source.items() if a}
    account = sum(by_source.values(), ZERO)
    # A decrease case (标准调整多发) already recovers part of those months' basic pension: not twice.
    held = ZERO
    if overpaid:
        months = {ln.month for ln in overpaid}
        recovered = decreases_recovered([pension.pk], since=min(months))
        held = sum((recovered.get((pension.pk, m), ZERO) for m in months), ZERO)
    basic = sum((ln.basic_amount for ln in overpaid), ZERO)
    account_paid = sum((ln.account_amount for ln in overpaid), ZERO)
    funeral = selectors.funeral_subsidy(last)
    return Settlement(
        reason="death", last_payable_month=last, overpaid_months=sorted({ln.month for ln in overpaid}),
        overpaid_basic=basic, overpaid_account=account_paid, balance=account, by_source=by_source,
        interim_interest=interim, funeral_subsidy=funeral, payable=max(ZERO, account - account_paid) + funeral,
        to_recover=max(ZERO, basic - held), interest_year=year, interest_settled_on=settled_on,
    )
