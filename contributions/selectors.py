"""Reads of the personal account: balances are sums of entries, never a stored total."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Min, Sum

from linggao_pension.money import ZERO

from . import rules
from .models import AccountEntry, ContributionGrade, InterestRate, Source

# The sub-ledgers whose yearly sum decides whether a year counts (R4: personal + 代缴).
COUNTING_SOURCES = (Source.PERSONAL, Source.DAIJIAO)


def balance_by_source(*, person, before: date | None = None) -> dict[str, Decimal]:
    """Balance of each non-empty sub-ledger (Source value -> Decimal), entries dated before `before`."""
    qs = AccountEntry.objects.filter(person=person)
    if before is not None:
        qs = qs.before(before)
    sums = {row["source"]: row["total"] for row in qs.values("source").annotate(total=Sum("amount")).order_by()}
    return {source: sums[source] for source in Source.values if sums.get(source)}


def balance(*, person, before: date | None = None) -> Decimal:
    qs = AccountEntry.objects.filter(person=person)
    if before is not None:
        qs = qs.before(before)
    return qs.aggregate(total=Sum("amount"))["total"] or ZERO


def interest_rate(year: int) -> Decimal | None:
    return InterestRate.objects.filter(year=year).values_list("rate", flat=True).first()


def interim_rate(year: int) -> Decimal | None:
    """rate_y, or rate_(y-1) when rate_y is not yet set (binding defaults, interim interest)."""
    rates = dict(InterestRate.objects.filter(year__in=[year, year - 1]).values_list("year", "rate"))
    return rates.get(year, rates.get(year - 1))


def lowest_grades() -> dict[int, Decimal]:
    """year -> the lowest grade amount of that year."""
    return {
        row["year"]: row["lowest"]
        for row in ContributionGrade.objects.values("year").annotate(lowest=Min("amount")).order_by()
    }


def counted_years_by_person(*, person_ids, before: date) -> dict[int, list[int]]:
    """person id -> the sorted contribution years that count, judged only from entries dated before
    `before` (binding defaults: contribution years at a benefit start)."""
    grades = lowest_grades()
    totals = (
        AccountEntry.objects.filter(person_id__in=person_ids, source__in=COUNTING_SOURCES, year__isnull=False)
        .before(before)
        .values("person_id", "year")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    years: dict[int, list[int]] = defaultdict(list)
    for row in totals:
        if rules.year_counts(row["total"], grades.get(row["year"])):
            years[row["person_id"]].append(row["year"])
    return {pid: sorted(ys) for pid, ys in years.items()}


def counted_years(*, person, before: date) -> list[int]:
    return counted_years_by_person(person_ids=[person.pk], before=before).get(person.pk, [])


@dataclass(frozen=True)
class AccountSnapshot:
    """The account at the 1st of a month (benefit start, transfer, termination)."""

    on: date
    by_source: dict[str, Decimal]  # entries dated before `on`, by sub-ledger
    opening_balance: Decimal  # balance at 31 Dec of the previous year
    rate: Decimal | None  # the rate used for the interim interest
    interim_interest: Decimal
    total: Decimal  # sum of by_source + interim interest

    @property
    def by_source_with_interim(self) -> dict[str, Decimal]:
        out = dict(self.by_source)
        if self.interim_interest:
            out[Source.INTEREST] = out.get(Source.INTEREST, ZERO) + self.interim_interest
        return out


def account_at(*, person, on: date) -> AccountSnapshot:
    """Balance at the start of month `on` (its 1st day): every entry dated before it, plus the interim
    interest round(opening balance of the year × rate × (m − 1) / 12, 2) (binding defaults, R6, R8)."""
    on = on.replace(day=1)
    by_source = balance_by_source(person=person, before=on)
    opening = balance(person=person, before=date(on.year, 1, 1))
    rate = interim_rate(on.year)
    interim = rules.interim_interest(opening, rate, on.month) if rate is not None and opening else ZERO
    return AccountSnapshot(
        on=on, by_source=by_source, opening_balance=opening, rate=rate, interim_interest=interim,
        total=sum(by_source.values(), ZERO) + interim,
    )
