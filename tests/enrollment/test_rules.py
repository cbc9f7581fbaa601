"""R1 (ID numbers, GB 11643-1999) and R2 (eligibility): pure functions, no database."""

from datetime import date

import pytest

from enrollment import rules

TODAY = date(2026, 3, 10)


def with_check(first17: str) -> str:
    return first17 + rules.id_check_char(first17)


# --- R1 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "id_number",
    [
        "11010519491231002X",  # the example printed in GB 11643-1999
        "440524188001010014",  # the standard's second example
        "460028198001011237",  # Lingao's older address code
        "469024200002290023",  # born on 29 Feb of a leap year (2000 is divisible by 400)
    ],
)
def test_real_id_numbers_are_valid(id_number):
    assert rules.validate_id_number(id_number, today=TODAY) == id_number


def test_check_character_follows_mod_11_2():
    # Σ digit × weight for 11010519491231002: 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10
    # +1*5+0*8+0*4+2*2 = 167; 167 mod 11 = 2 -> "10X98765432"[2] = "X"
    assert rules.id_check_char("11010519491231002") == "X"
    # 4*7+4*9+0+5*5+2*8+4*4+1*2+8*1+8*6+0+0+1*9+0+1*5+0+0+1*2 = 195; 195 mod 11 = 8 -> "4"
    assert rules.id_check_char("44052418800101001") == "4"


def test_lower_case_x_is_accepted_as_upper_case():
    assert rules.validate_id_number("11010519491231002x", today=TODAY) == "11010519491231002X"


def test_surrounding_spaces_are_ignored():
    assert rules.validate_id_number("  440524188001010014 ", today=TODAY) == "440524188001010014"


@pytest.mark.parametrize(
    "id_number",
    ["440524188001010015", "440524188001010010", "44052418800101001X", "110105194912310020", "110105194912310029"],
)
def test_wrong_check_character_is_refused(id_number):
    with pytest.raises(ValueError, match="^身份证号校验位错误$"):
        rules.validate_id_number(id_number, today=TODAY)


@pytest.mark.parametrize(
    "first17, leap",
    [
        ("46902420000229002", True),  # 2000: divisible by 400
        ("46902420040229002", True),  # 2004: divisible by 4
        ("46902419000229002", False),  # 1900: divisible by 100, not by 400
        ("46902420010229002", False),  # 2001: common year
        ("46902420230229002", False),
    ],
)
def test_29_february_only_in_leap_years(first17, leap):
    number = with_check(first17)
    if leap:
        assert rules.validate_id_number(number, today=TODAY) == number
        assert rules.id_birth_date(number) == date(int(first17[6:10]), 2, 29)
    else:
        with pytest.raises(ValueError, match=f"出生日期“{first17[6:14]}”不是有效日期"):
            rules.validate_id_number(number, today=TODAY)


@pytest.mark.parametrize("birth", ["20260230", "19801301", "19800001", "19800132", "19800431", "00000101"])
def test_impossible_dates_are_refused(birth):
    with pytest.raises(ValueError, match="不是有效日期"):
        rules.validate_id_number(with_check(f"469024{birth}001"), today=TODAY)


def test_birth_date_in_the_future_is_refused():
    tomorrow = with_check("46902420260311001")
    with pytest.raises(ValueError, match="晚于今天"):
        rules.validate_id_number(tomorrow, today=TODAY)


def test_birth_date_today_is_not_in_the_future():
    born_today = with_check("46902420260310001")
    assert rules.validate_id_number(born_today, today=TODAY) == born_today


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "身份证号不能为空"),
        ("46902419800101123", "身份证号应为18位（当前17位）"),
        ("4690241980010112370", "身份证号应为18位（当前19位）"),
        ("469024198001011", "身份证号应为18位（当前15位）"),  # legacy 15-digit numbers are not accepted
        ("46902419800101A237", "身份证号前17位应为数字"),
        ("４６９０２４19800101123７", "身份证号前17位应为数字"),  # full-width digits
        ("46902419800101123Y", "身份证号第18位应为数字或X"),
    ],
)
def test_malformed_numbers_name_the_problem(value, message):
    with pytest.raises(ValueError) as exc:
        rules.validate_id_number(value, today=TODAY)
    assert str(exc.value) == message


def test_sex_and_birth_date_come_from_the_number():
    assert rules.id_sex("440524188001010014") == "1"  # digit 17 = 1, odd
    assert rules.id_sex("11010519491231002X") == "2"  # digit 17 = 2, even
    assert rules.id_birth_date("11010519491231002X") == date(1949, 12, 31)


# --- R2 ----------------------------------------------------------------------------------------


def refusals(birth, on=TODAY, **flags):
    return rules.enrolment_refusals(birth_date=birth, on=on, min_age=16, **flags)


def test_sixteen_full_years_on_the_application_date():
    assert refusals(date(2010, 3, 10)) == []  # 16th birthday today
    assert refusals(date(2010, 3, 11)) == ["未满16周岁（2026-03-10时15周岁）"]  # tomorrow


def test_born_29_february_turns_sixteen_on_1_march_in_a_common_year():
    born = date(2008, 2, 29)
    assert refusals(born, on=date(2024, 2, 28)) == ["未满16周岁（2024-02-28时15周岁）"]
    assert refusals(born, on=date(2024, 2, 29)) == []  # 2024 is a leap year
    assert refusals(date(2009, 2, 28), on=date(2025, 2, 28)) == []
    assert rules.age_on(date(2004, 2, 29), date(2020, 2, 28)) == 15
    assert rules.age_on(date(2004, 2, 29), date(2021, 3, 1)) == 17


def test_minimum_age_is_a_parameter():
    born = date(2008, 1, 1)
    assert rules.enrolment_refusals(birth_date=born, on=TODAY, min_age=19) == ["未满19周岁（2026-03-10时18周岁）"]
    assert rules.enrolment_refusals(birth_date=born, on=TODAY, min_age=18) == []


def test_students_employee_scheme_members_and_public_servants_may_not_enrol():
    adult = date(1980, 5, 1)
    assert refusals(adult, is_student=True) == ["在校学生不能参加城乡居民养老保险"]
    assert refusals(adult, in_employee_scheme=True) == ["已参加职工基本养老保险，不能参加城乡居民养老保险"]
    assert refusals(adult, is_public_servant=True) == ["机关事业单位工作人员不能参加城乡居民养老保险"]
    assert refusals(adult, receives_state_pension=True) == ["已领取国家规定的基本养老保障待遇，不能参加城乡居民养老保险"]
    assert not rules.can_enrol(birth_date=adult, on=TODAY, min_age=16, is_student=True)
    assert rules.can_enrol(birth_date=adult, on=TODAY, min_age=16)


def test_every_reason_is_given_at_once():
    assert len(refusals(date(2015, 1, 1), is_student=True, in_employee_scheme=True)) == 3


def test_min_age_in_force_on_a_date():
    table = [(date(2009, 1, 1), 16), (date(2030, 1, 1), 18)]
    assert rules.min_age_on(table, date(2008, 6, 1)) == 16  # before the first row: the first row
    assert rules.min_age_on(table, date(2029, 12, 31)) == 16
    assert rules.min_age_on(table, date(2030, 1, 1)) == 18


# --- phone and bank account --------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [("13800138000", "13800138000"), (" 138 0013 8000 ", "13800138000"), ("0898-28278663", "0898-28278663"),
     ("28278663", "28278663"), ("", "")],
)  # fmt: skip
def test_phone_numbers(value, expected):
    assert rules.validate_phone(value) == expected


@pytest.mark.parametrize("value", ["1380013800", "138001380001", "电话138", "12345"])
def test_bad_phone_numbers(value):
    with pytest.raises(ValueError, match="联系电话|手机号"):
        rules.validate_phone(value)


def test_bank_accounts():
    assert rules.validate_bank_account("6217 0000 1234 5678") == "6217000012345678"
    assert rules.validate_bank_account("") == ""
    for bad in ["1234567", "6217-0000-1234", "6" * 33]:
        with pytest.raises(ValueError, match="应为8至32位数字"):
            rules.validate_bank_account(bad)
