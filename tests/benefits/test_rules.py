"""The pure benefit rules (benefits/rules.py), exhaustively, with figures worked out by hand."""

from datetime import date
from decimal import Decimal

import pytest

from benefits import rules

D = Decimal
P = rules.Params()

STANDARDS = [
    rules.Standard(date(2009, 10, 1), D("55"), D("0"), D("0")),
    rules.Standard(date(2014, 7, 1), D("70"), D("0"), D("0")),
    rules.Standard(date(2025, 1, 1), D("143"), D("128"), D("0")),
    rules.Standard(date(2026, 1, 1), D("163"), D("128"), D("5")),
]


# --- required years (R7, transitional rule) ------------------------------------------------------


@pytest.mark.parametrize(
    "age, required",
    [
        (80, 0), (61, 0), (60, 0),  # already 60 at the scheme start: basic pension only
        (59, 1), (55, 5), (50, 10), (46, 14),  # 45 < a < 60: 60 − a
        (45, 15), (40, 15), (16, 15), (0, 15),  # otherwise 15
    ],
)
def test_required_years_follow_the_transitional_rule(age, required):
    assert rules.required_years(age) == required


def test_required_years_use_the_parameters():
    params = rules.Params(benefit_age=65, minimum_years=20)
    assert rules.required_years(65, params) == 0
    assert rules.required_years(50, params) == 15
    assert rules.required_years(45, params) == 20


def test_age_at_scheme_start_is_full_years_on_2011_07_01():
    assert rules.age_at_scheme_start(date(1956, 3, 20)) == 55
    assert rules.age_at_scheme_start(date(1951, 7, 1)) == 60  # 60th birthday on the start date
    assert rules.age_at_scheme_start(date(1951, 7, 2)) == 59
    assert rules.age_at_scheme_start(date(1966, 7, 1)) == 45
    assert rules.age_at_scheme_start(date(1966, 6, 30)) == 45


# --- benefit start month (R7) --------------------------------------------------------------------


@pytest.mark.parametrize(
    "birth, start",
    [
        (date(1966, 4, 10), date(2026, 5, 1)),
        (date(1966, 4, 1), date(2026, 5, 1)),
        (date(1966, 4, 30), date(2026, 5, 1)),
        (date(1966, 12, 15), date(2027, 1, 1)),  # December birthday: January of the next year
        (date(1964, 2, 29), date(2024, 3, 1)),  # 29 Feb, 60th birthday in a leap year: 29 Feb 2024
        (date(1968, 2, 29), date(2028, 3, 1)),
        (date(2040, 2, 29), date(2100, 4, 1)),  # 2100 is not a leap year: birthday on 1 Mar → April
        (date(1951, 7, 1), date(2011, 7, 1)),  # 60 on the scheme start: from the start month
        (date(1940, 5, 5), date(2011, 7, 1)),  # long past 60 at the start: from the start month (§2.8)
        (date(1951, 7, 2), date(2011, 8, 1)),
    ],
)
def test_benefit_start_is_the_month_after_the_60th_birthday(birth, start):
    assert rules.benefit_start_month(birth) == start


def test_29_february_with_a_benefit_age_ending_in_a_common_year():
    params = rules.Params(benefit_age=61)
    assert rules.benefit_start_month(date(2000, 2, 29), params) == date(2061, 4, 1)
    assert rules.birthday_month(date(2000, 2, 29), 61) == date(2061, 3, 1)


@pytest.mark.parametrize(
    "birth, month, age",
    [
        (date(1966, 4, 10), date(2026, 4, 1), 59),
        (date(1966, 4, 10), date(2026, 5, 1), 60),
        (date(1966, 4, 1), date(2026, 4, 1), 59),  # born on the 1st: still the next month
        (date(1964, 2, 29), date(2024, 3, 1), 60),
        (date(1964, 2, 29), date(2024, 2, 1), 59),
        (date(1963, 2, 28), date(2023, 3, 1), 60),
    ],
)
def test_age_in_a_month_is_the_age_reached_by_the_end_of_the_month_before(birth, month, age):
    assert rules.age_at_month(birth, month) == age


def test_age_at_month_agrees_with_the_benefit_start_for_every_day_of_a_leap_year():
    day = date(1964, 1, 1)
    while day.year == 1964:
        start = rules.benefit_start_month(day)
        before = date(start.year - 1, 12, 1) if start.month == 1 else date(start.year, start.month - 1, 1)
        assert rules.age_at_month(day, start) == 60
        assert rules.age_at_month(day, before) == 59
        day = date.fromordinal(day.toordinal() + 1)


# --- 到龄名单 birth ranges ----------------------------------------------------------------------------


def test_birth_ranges_for_an_ordinary_month():
    assert rules.birth_ranges_reaching(date(2026, 4, 1), 60) == [(date(1966, 4, 1), date(1966, 4, 30))]


def test_birth_ranges_february_of_a_leap_target_includes_29_february():
    assert rules.birth_ranges_reaching(date(2024, 2, 1), 60) == [(date(1964, 2, 1), date(1964, 2, 29))]


def test_birth_ranges_29_february_moves_to_march_in_a_common_target_year():
    assert rules.birth_ranges_reaching(date(2100, 2, 1), 60) == [(date(2040, 2, 1), date(2040, 2, 28))]
    assert rules.birth_ranges_reaching(date(2100, 3, 1), 60) == [
        (date(2040, 3, 1), date(2040, 3, 31)), (date(2040, 2, 29), date(2040, 2, 29)),
    ]


def test_birth_ranges_agree_with_the_birthday_month_for_every_day():
    day = date(2036, 1, 1)
    while day.year <= 2041:
        month = rules.birthday_month(day, 61)
        ranges = rules.birth_ranges_reaching(month, 61)
        assert any(low <= day <= high for low, high in ranges), day
        day = date.fromordinal(day.toordinal() + 1)


# --- back-payment (§2.8) ----------------------------------------------------------------------------


def test_backpay_years_are_the_missed_years_since_the_scheme_start():
    # born 1956: 16th birthday long before 2011; counted 2013-2015; start 2016-04
    assert rules.backpay_years_open(date(1956, 3, 20), [2013, 2014, 2015], date(2016, 4, 1)) == [2011, 2012]


def test_backpay_years_start_at_the_16th_birthday_when_later():
    assert rules.backpay_years_open(date(2000, 5, 1), [2017, 2018], date(2020, 1, 1)) == [2016, 2019]


# --- the pension (R8) -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "balance, pension",
    [
        (D("4807.98"), D("34.59")),  # 34.5898...
        (D("510.39"), D("3.67")),  # 3.6719...
        (D("139.00"), D("1.00")),
        (D("0.69"), D("0.00")),  # 0.00496 rounds down
        (D("0.70"), D("0.01")),  # 0.005036 rounds up
        (D("6950.00"), D("50.00")),
        (D("0"), D("0.00")),
        (D("-5"), D("0.00")),
    ],
)
def test_account_pension_is_balance_over_139_rounded_half_up(balance, pension):
    assert rules.account_pension(balance, 139) == pension


def test_account_pension_rounds_exactly_half_up():
    # 0.695 / 139 * 139 ... use a divisor that gives an exact half cent: 1.25 / 10 = 0.125 → 0.13
    assert rules.account_pension(D("1.25"), 10) == D("0.13")


def test_in_force_picks_the_latest_effective_row_not_after_the_month():
    assert rules.in_force(STANDARDS, date(2014, 6, 1)).central == D("55")
    assert rules.in_force(STANDARDS, date(2014, 7, 1)).central == D("70")
    assert rules.in_force(STANDARDS, date(2025, 12, 1)).central == D("143")
    assert rules.in_force(list(reversed(STANDARDS)), date(2026, 3, 1)).central == D("163")
    assert rules.in_force(STANDARDS, date(2009, 9, 1)) is None


def test_basic_pension_adds_the_parts_in_force():
    parts = rules.basic_pension(month=date(2026, 3, 1), years=15, age=61, standards=STANDARDS)
    assert (parts.central, parts.provincial, parts.county) == (D("163"), D("128"), D("5"))
    assert parts.total == D("296")


def test_basic_pension_before_any_standard_is_zero():
    assert rules.basic_pension(month=date(2000, 1, 1), years=15, age=61, standards=STANDARDS).total == 0


def test_long_contribution_extra_per_year_beyond_15():
    extras = [rules.LongExtra(date(2009, 10, 1), D("0")), rules.LongExtra(date(2025, 1, 1), D("2.50"))]
    at = rules.basic_pension(month=date(2025, 6, 1), years=18, age=62, standards=STANDARDS, long_extras=extras)
    assert (at.long_years, at.long_extra_per_year, at.long_extra) == (3, D("2.50"), D("7.50"))
    assert at.total == D("143") + D("128") + D("7.50")
    before = rules.basic_pension(month=date(2024, 12, 1), years=18, age=62, standards=STANDARDS, long_extras=extras)
    assert before.long_extra == 0
    short = rules.basic_pension(month=date(2025, 6, 1), years=12, age=62, standards=STANDARDS, long_extras=extras)
    assert short.long_extra == 0


def test_age_extra_takes_the_highest_bracket_reached_in_force():
    rows = [
        rules.AgeExtraRow(65, date(2020, 1, 1), D("5")),
        rules.AgeExtraRow(75, date(2020, 1, 1), D("10")),
        rules.AgeExtraRow(75, date(2026, 1, 1), D("12")),
        rules.AgeExtraRow(80, date(2027, 1, 1), D("20")),
    ]
    assert rules.age_extra_amount(rows, date(2025, 1, 1), 64) == 0
    assert rules.age_extra_amount(rows, date(2025, 1, 1), 65) == D("5")
    assert rules.age_extra_amount(rows, date(2025, 1, 1), 77) == D("10")
    assert rules.age_extra_amount(rows, date(2026, 1, 1), 77) == D("12")
    assert rules.age_extra_amount(rows, date(2026, 6, 1), 85) == D("12")  # the 80 bracket not yet in force
    assert rules.age_extra_amount(rows, date(2027, 1, 1), 85) == D("20")
    assert rules.age_extra_amount(rows, date(2019, 1, 1), 85) == 0
    assert rules.age_extra_amount([], date(2027, 1, 1), 85) == 0


# --- the monthly drawdown -----------------------------------------------------------------------------


def test_drawdown_split_is_pro_rata_with_the_residue_to_personal():
    start = {"personal": D("1000.00"), "province": D("390.00")}
    # province keeps round(390 × 1380/1390) = 387.19 → gives 2.81; personal the rest 7.19
    assert rules.drawdown_split(start_by_source=start, drawn_before=D("0"), draw=D("10.00"),
                                residue_source="personal") == {"province": D("2.81"), "personal": D("7.19")}
    # second month: province 387.19 → round(390 × 1370/1390) = 384.39 → 2.80
    assert rules.drawdown_split(start_by_source=start, drawn_before=D("10.00"), draw=D("10.00"),
                                residue_source="personal") == {"province": D("2.80"), "personal": D("7.20")}


def test_drawdown_split_over_the_whole_life_of_the_account_empties_every_source_exactly():
    start = {"personal": D("733.33"), "province": D("211.07"), "interest": D("57.61"), "daijiao": D("100.00")}
    total = sum(start.values())
    pension = rules.account_pension(total, 139)
    drawn, given = D("0"), {s: D("0") for s in start}
    while True:
        draw = rules.draw_for_month(account_pension=pension, start_balance=total, drawn_before=drawn)
        if not draw:
            break
        parts = rules.drawdown_split(start_by_source=start, drawn_before=drawn, draw=draw, residue_source="personal")
        assert sum(parts.values()) == draw
        for source, part in parts.items():
            given[source] += part
        drawn += draw
        for source in ("province", "interest", "daijiao"):  # each keeps its share × remaining fraction
            assert start[source] - given[source] == (start[source] * (total - drawn) / total).quantize(D("0.01"))
    assert drawn == total
    assert given == start


def test_draw_for_month_stops_when_the_start_balance_is_used_up():
    assert rules.draw_for_month(account_pension=D("10"), start_balance=D("15"), drawn_before=D("0")) == D("10")
    assert rules.draw_for_month(account_pension=D("10"), start_balance=D("15"), drawn_before=D("10")) == D("5")
    assert rules.draw_for_month(account_pension=D("10"), start_balance=D("15"), drawn_before=D("15")) == 0


def test_drawdown_split_of_nothing_is_empty():
    assert rules.drawdown_split(start_by_source={"personal": D("5")}, drawn_before=D("5"), draw=D("0"),
                                residue_source="personal") == {}
    assert rules.drawdown_split(start_by_source={}, drawn_before=D("0"), draw=D("3"), residue_source="personal") == {}
