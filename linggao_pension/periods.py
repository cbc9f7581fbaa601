"""Month arithmetic. A pay month (payroll, remittance) is the first day of that month, as a date."""

import calendar
from datetime import date


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, months: int) -> date:
    """The first of the month `months` after the month of d (negative goes back)."""
    index = d.year * 12 + (d.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> int:
    """Whole months from the month of `start` to the month of `end` (end month excluded)."""
    return (end.year - start.year) * 12 + (end.month - start.month)


def iter_months(start: date, end: date):
    """Each month start from the month of `start` up to and including the month of `end`."""
    current = month_start(start)
    while current <= end:
        yield current
        current = add_months(current, 1)


MONTH_MIN, MONTH_MAX = date(1950, 1, 1), date(2100, 12, 1)


def parse_month(text: str) -> date:
    """'2026-03' -> date(2026, 3, 1), between 1950-01 and 2100-12 (month arithmetic on either side
    stays inside the calendar). Raises ValueError with a Chinese message."""
    shown = str(text)[:20]
    try:
        year, month = str(text).strip().split("-")
        if not (year.isascii() and year.isdigit() and month.isascii() and month.isdigit()) or len(year) != 4:
            raise ValueError
        value = date(int(year), int(month), 1)
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"“{shown}”不是有效的年月，应为 YYYY-MM 格式，如 2026-03") from None
    if not MONTH_MIN <= value <= MONTH_MAX:
        raise ValueError(f"年月“{shown}”超出范围（{MONTH_MIN:%Y-%m} 至 {MONTH_MAX:%Y-%m}）")
    return value


def format_month(d: date) -> str:
    return f"{d.year}年{d.month:02d}月"


def full_years(born: date, on: date) -> int:
    """Full years of age on a date (年满N周岁). Someone born on 29 Feb turns a year older on 1 Mar
    in common years."""
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def add_years(d: date, years: int) -> date:
    """The same day `years` later; 29 Feb becomes 1 Mar in a common year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return date(d.year + years, 3, 1)
