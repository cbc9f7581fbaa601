"""Pure benefit rules (no database): eligibility (R7), the pension formula (R8), standards by month
(R9) and the monthly drawdown split (binding defaults). Tested exhaustively in tests/benefits/test_rules.py.
"""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from linggao_pension import periods
from linggao_pension.money import ZERO, quantize


@dataclass(frozen=True)
class Params:
    """The scheme parameters a calculation needs (benefits.SchemeParameters, as plain values)."""

    benefit_age: int = 60
    minimum_years: int = 15
    scheme_start_date: date = date(2011, 7, 1)
    account_divisor: int = 139


@dataclass(frozen=True)
class Standard:
    effective_from: date
    central: Decimal
    provincial: Decimal
    county: Decimal


@dataclass(frozen=True)
class LongExtra:
    effective_from: date
    per_year: Decimal


@dataclass(frozen=True)
class AgeExtraRow:
    min_age: int
    effective_from: date
    amount: Decimal


@dataclass(frozen=True)
class BasicParts:
    central: Decimal = ZERO
    provincial: Decimal = ZERO
    county: Decimal = ZERO
    long_extra_per_year: Decimal = ZERO
    long_years: int = 0
    long_extra: Decimal = ZERO
    age_extra: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.central + self.provincial + self.county + self.long_extra + self.age_extra


# --- ages and months (R7) ----------------------------------------------------------------------------


def age_at_month(birth: date, month: date) -> int:
    """Full years reached by the end of the month before `month`.

    An age-related right starts the month after the month of the birthday (R7: benefit start
    "the month after the month of the 60th birthday"), so in month m a person counts with the age
    reached on the last day of m − 1. Someone born on 29 Feb turns a year older on 1 Mar in common
    years (periods.full_years)."""
    return periods.full_years(birth, periods.month_start(month) - timedelta(days=1))


def birthday_month(birth: date, age: int) -> date:
    """The month in which a person reaches `age` full years (29 Feb → 1 Mar in a common year)."""
    return periods.month_start(periods.add_years(birth, age))


def benefit_start_month(birth: date, params: Params = Params()) -> date:
    """R7: the month after the month of the benefit-age birthday; people already past the benefit
    age when the scheme started receive from the month the scheme took effect (§2.8)."""
    scheme_month = periods.month_start(params.scheme_start_date)
    if age_at_scheme_start(birth, params) >= params.benefit_age:
        return scheme_month
    return max(periods.add_months(birthday_month(birth, params.benefit_age), 1), scheme_month)


def age_at_scheme_start(birth: date, params: Params = Params()) -> int:
    return periods.full_years(birth, params.scheme_start_date)


def required_years(age_at_start: int, params: Params = Params()) -> int:
    """R7 transitional rule, a = full years of age on the scheme start date:
    a ≥ 60 → 0 (basic pension only); 45 < a < 60 → 60 − a; otherwise 15."""
    if age_at_start >= params.benefit_age:
        return 0
    if params.benefit_age - params.minimum_years < age_at_start < params.benefit_age:
        return params.benefit_age - age_at_start
    return params.minimum_years


def birth_ranges_reaching(month: date, age: int) -> list[tuple[date, date]]:
    """The birth dates of the people who reach `age` full years in `month` (到龄名单), as inclusive
    ranges: the same month `age` years earlier, where 29 Feb belongs to March in a common year."""
    year = month.year - age
    first = date(year, month.month, 1)
    last = date(year, month.month, calendar.monthrange(year, month.month)[1])
    common_target = not calendar.isleap(month.year)
    if month.month == 2 and common_target and calendar.isleap(year):
        last = date(year, 2, 28)  # born 29 Feb: birthday on 1 Mar this year
    ranges = [(first, last)]
    if month.month == 3 and common_target and calendar.isleap(year):
        ranges.append((date(year, 2, 29), date(year, 2, 29)))
    return ranges


def backpay_years_open(birth: date, counted: Sequence[int], before: date, params: Params = Params()) -> list[int]:
    """Years a person may still back-pay (补缴, §2.8): the missed years from the later of the scheme
    start and the 16th birthday up to the year before `before`."""
    first_year = max(params.scheme_start_date.year, periods.add_years(birth, 16).year)
    counted_set = set(counted)
    return [y for y in range(first_year, before.year) if y not in counted_set]


# --- the pension (R8, R9) ----------------------------------------------------------------------------


def account_pension(balance: Decimal, divisor: int) -> Decimal:
    """R8: round(account balance at benefit start / 139, 2), paid for life."""
    if balance <= 0:
        return ZERO
    return quantize(balance / Decimal(divisor))


def in_force(rows: Sequence, month: date):
    """The row with the latest effective_from ≤ month, or None (rows in any order)."""
    best = None
    for row in rows:
        if row.effective_from <= month and (best is None or row.effective_from > best.effective_from):
            best = row
    return best


def age_extra_amount(rows: Sequence[AgeExtraRow], month: date, age: int) -> Decimal:
    """The highest age bracket reached, each bracket at the amount in force for the month."""
    brackets: dict[int, AgeExtraRow] = {}
    for row in rows:
        if row.min_age <= age and row.effective_from <= month:
            current = brackets.get(row.min_age)
            if current is None or row.effective_from > current.effective_from:
                brackets[row.min_age] = row
    if not brackets:
        return ZERO
    return brackets[max(brackets)].amount


def basic_pension(
    *,
    month: date,
    years: int,
    age: int,
    standards: Sequence[Standard],
    long_extras: Sequence[LongExtra] = (),
    age_extras: Sequence[AgeExtraRow] = (),
    minimum_years: int = 15,
) -> BasicParts:
    """R8: the standard in force for the month (central + provincial + county)
    + long-contribution extra × max(0, years − 15) + the age extra."""
    standard = in_force(standards, month)
    if standard is None:
        return BasicParts()
    long_row = in_force(long_extras, month)
    per_year = long_row.per_year if long_row else ZERO
    long_years = max(0, years - minimum_years)
    return BasicParts(
        central=standard.central,
        provincial=standard.provincial,
        county=standard.county,
        long_extra_per_year=per_year,
        long_years=long_years,
        long_extra=quantize(per_year * long_years),
        age_extra=age_extra_amount(age_extras, month, age),
    )


# --- the monthly drawdown (binding defaults "monthly drawdown") --------------------------------------


def drawdown_split(
    *,
    start_by_source: dict[str, Decimal],
    drawn_before: Decimal,
    draw: Decimal,
    residue_source: str,
) -> dict[str, Decimal]:
    """How much of this month's draw comes from each sub-ledger (positive amounts).

    Each source keeps its share at benefit start times the remaining fraction:
    kept_s(d) = round(B0_s × (B0 − d) / B0, 2) after d drawn in total; a source gives up
    kept_s(before) − kept_s(after). The rounding residue goes to 个人缴费 so the parts add up to
    the draw exactly."""
    total = sum(start_by_source.values(), ZERO)
    if draw <= 0 or total <= 0:
        return {}
    after = drawn_before + draw

    def kept(source_total: Decimal, drawn: Decimal) -> Decimal:
        return quantize(source_total * (total - drawn) / total)

    parts: dict[str, Decimal] = {}
    for source, amount in start_by_source.items():
        if source == residue_source or amount == 0:
            continue
        part = kept(amount, drawn_before) - kept(amount, after)
        if part:
            parts[source] = part
    residue = draw - sum(parts.values(), ZERO)
    if residue:
        parts[residue_source] = residue
    return parts


def draw_for_month(*, account_pension: Decimal, start_balance: Decimal, drawn_before: Decimal) -> Decimal:
    """What a paid month draws from the account: the account pension while the account lasts, then
    what is left, then nothing (the pension itself keeps being paid for life, R8)."""
    remaining = start_balance - drawn_before
    if remaining <= 0:
        return ZERO
    return min(account_pension, remaining)


def shift_months(d: date, months: int) -> date:
    """The same day `months` later (or earlier), clipped to the month's last day: a certification of
    5 January 2025 with a 12-month cycle is next due on 5 January 2026; an instalment of 31 January is
    due on 28/29 February next."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
