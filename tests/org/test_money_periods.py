from datetime import date
from decimal import Decimal

import pytest

from linggao_pension import money, periods
from linggao_pension.templatetags import formatting


@pytest.mark.parametrize(
    "amount, words",
    [
        ("500", "伍佰元整"),
        ("100", "壹佰元整"),
        ("1500", "壹仟伍佰元整"),
        ("2000.00", "贰仟元整"),
        ("1005", "壹仟零伍元整"),
        ("30.5", "叁拾元伍角"),
        ("0.05", "伍分"),
        ("1.05", "壹元零伍分"),
        ("100010", "壹拾万零壹拾元整"),
        ("120000", "壹拾贰万元整"),
        ("10000001", "壹仟万零壹元整"),
        ("0", "零元整"),
    ],
)
def test_chinese_capitals(amount, words):
    assert money.chinese_capital(Decimal(amount)) == words


@pytest.mark.parametrize("raw, expected", [("1,500", "1500.00"), ("100元", "100.00"), (300, "300.00"), (12.5, "12.50")])
def test_parse_money(raw, expected):
    assert money.parse(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["abc", "1.234", ""])
def test_parse_money_rejects_bad_values_in_chinese(raw):
    with pytest.raises(ValueError, match="金额"):
        money.parse(raw)


def test_month_arithmetic():
    assert periods.add_months(date(2025, 12, 15), 1) == date(2026, 1, 1)
    assert periods.add_months(date(2025, 1, 31), -1) == date(2024, 12, 1)
    assert periods.months_between(date(2025, 11, 1), date(2026, 2, 1)) == 3
    assert list(periods.iter_months(date(2025, 11, 20), date(2026, 1, 1))) == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)
    ]
    assert periods.month_end(date(2024, 2, 3)) == date(2024, 2, 29)
    assert periods.parse_month("2026-03") == date(2026, 3, 1)
    with pytest.raises(ValueError, match="YYYY-MM"):
        periods.parse_month("2026/3")


def test_full_years_and_leap_birthdays():
    born = date(1964, 2, 29)
    assert periods.full_years(born, date(2024, 2, 28)) == 59
    assert periods.full_years(born, date(2024, 2, 29)) == 60
    assert periods.full_years(born, date(2023, 3, 1)) == 59
    assert periods.add_years(born, 61) == date(2025, 3, 1)


def test_masking_filters():
    assert formatting.id_masked("460028199001011234") == "460028********1234"
    assert formatting.phone_masked("13876543210") == "138****3210"
    assert formatting.account_masked("6217001234567890") == "************7890"
    assert formatting.money(Decimal("1234.5")) == "1,234.50"
