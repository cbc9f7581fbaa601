from datetime import date
from decimal import Decimal

import pytest

from contributions import rules

D = Decimal


def credits(**kwargs):
    base = dict(
        personal=D("0"), collective=D("0"), sponsor=D("0"), subsidy_province=D("0"), subsidy_county=D("0"),
        backpay=False, backpay_earns_subsidy=False,
    )
    base.update(kwargs)
    return rules.receipt_credits(**base)


def test_on_time_payment_credits_personal_and_subsidy():
    assert credits(personal=D("200"), subsidy_province=D("30")) == [("personal", D("200.00")), ("province", D("30.00"))]


def test_backpay_earns_no_subsidy_unless_policy_says_so():
    assert credits(personal=D("500"), subsidy_province=D("60"), backpay=True) == [("personal", D("500.00"))]
    assert credits(personal=D("500"), subsidy_province=D("60"), backpay=True, backpay_earns_subsidy=True) == [
        ("personal", D("500.00")), ("province", D("60.00")),
    ]


def test_split_subsidy_collective_and_sponsor_each_to_own_ledger():
    assert credits(
        personal=D("300"), subsidy_province=D("20"), subsidy_county=D("10"), collective=D("50"), sponsor=D("25.50")
    ) == [
        ("personal", D("300.00")), ("province", D("20.00")), ("county", D("10.00")), ("collective", D("50.00")),
        ("sponsor", D("25.50")),
    ]


@pytest.mark.parametrize(
    "year, paid_on, backpay",
    [(2025, date(2025, 12, 31), False), (2025, date(2026, 1, 1), True), (2026, date(2026, 1, 1), False)],
)
def test_backpay_is_a_payment_after_31_december_of_its_year(year, paid_on, backpay):
    assert rules.is_backpay(year, paid_on) is backpay


def test_daijiao_is_dated_the_run_day_or_31_december_of_a_past_year():
    assert rules.daijiao_entry_date(2026, date(2026, 4, 2)) == date(2026, 4, 2)
    assert rules.daijiao_entry_date(2024, date(2026, 4, 2)) == date(2024, 12, 31)


def test_annual_interest_rounds_half_up_to_the_cent():
    assert rules.annual_interest(D("1230.00"), D("0.0150")) == D("18.45")
    assert rules.annual_interest(D("333.00"), D("0.0275")) == D("9.16")  # 9.1575 -> 9.16


def test_interim_interest_counts_whole_months_before_the_start_month():
    # 1000 × 6.12% × 5 / 12 = 25.50
    assert rules.interim_interest(D("1000.00"), D("0.0612"), 6) == D("25.50")
    assert rules.interim_interest(D("1000.00"), D("0.0612"), 1) == D("0.00")
    with pytest.raises(ValueError):
        rules.interim_interest(D("1"), D("0.01"), 13)


def test_year_counts_when_personal_plus_daijiao_reaches_lowest_grade():
    assert rules.year_counts(D("100.00"), D("100.00"))
    assert not rules.year_counts(D("99.99"), D("100.00"))
    assert not rules.year_counts(D("100.00"), None)


def test_receipt_number_is_town_code_year_and_sequence():
    assert rules.receipt_number("469024100", 2026, 7) == "4690241002026000007"
