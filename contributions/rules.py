"""Pure account rules (no database): interest (R6) and when a contribution year counts (R4, R5)."""

from decimal import Decimal

from linggao_pension.money import quantize


def annual_interest(opening_balance: Decimal, rate: Decimal) -> Decimal:
    """R6: interest of year y = round(balance at 31 Dec of y-1 × rate_y, 2); credits during y earn nothing in y."""
    return quantize(opening_balance * rate)


def interim_interest(opening_balance: Decimal, rate: Decimal, month: int) -> Decimal:
    """Interest for the part of year y before month m, at a benefit start, transfer or termination:
    round(opening balance of y × rate × (m − 1) / 12, 2) (binding defaults)."""
    if not 1 <= month <= 12:
        raise ValueError("month must be 1..12")
    return quantize(opening_balance * rate * (month - 1) / 12)


def year_counts(personal_and_daijiao: Decimal, lowest_grade: Decimal | None) -> bool:
    """A contribution year counts when personal + 代缴 reaches the year's lowest grade (R4)."""
    return lowest_grade is not None and personal_and_daijiao >= lowest_grade
