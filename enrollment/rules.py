"""Pure enrollment rules (no database): ID numbers (R1), eligibility (R2)."""

from datetime import date

from linggao_pension import periods

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def id_check_char(first17: str) -> str:
    """GB 11643-1999, ISO 7064 MOD 11-2: the 18th character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def id_birth_date(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def id_sex(id_number: str) -> str:
    """'1' male (digit 17 odd), '2' female (even): the codes of Person.Sex."""
    return "1" if int(id_number[16]) % 2 else "2"


def age_on(birth: date, on: date) -> int:
    return periods.full_years(birth, on)


def id_number_upgrade(value) -> str | None:
    """A first-generation 15-digit ID (GB 11643: 6-digit address, YYMMDD, 3-digit sequence) as its
    18-digit form: century 19 inserted before the birth year and the check character appended.
    None when `value` is not 15 digits. The caller reports the change (never silently)."""
    text = str(value or "").strip()
    if len(text) != 15 or not text.isdigit() or not text.isascii():
        return None
    first17 = text[:6] + "19" + text[6:]
    return first17 + id_check_char(first17)


def id_upgrade_warning(old: str, new: str) -> str:
    return f"15位旧身份证号 {old} 已转换为18位 {new}（出生年份补“19”，末位为校验码），请核对"


def validate_id_number(value: str, *, today: date) -> str:
    """R1: the normalised 18-character ID number (lower-case x as X), or ValueError in Chinese.

    Checked in this order: length, the first 17 are digits, the birth date (positions 7-14) is a
    real calendar date (29 February only in leap years) not after `today`, the check character.
    The address code is not checked: older IDs carry earlier codes (domain §1.3).
    """
    text = str(value or "").strip().upper()
    if not text:
        raise ValueError("身份证号不能为空")
    if len(text) != 18:
        raise ValueError(f"身份证号应为18位（当前{len(text)}位）")
    if not text[:17].isdigit() or not text[:17].isascii():
        raise ValueError("身份证号前17位应为数字")
    if not (text[17].isdigit() or text[17] == "X") or not text[17].isascii():
        raise ValueError("身份证号第18位应为数字或X")
    try:
        birth = id_birth_date(text)
    except ValueError:
        raise ValueError(f"身份证号中的出生日期“{text[6:14]}”不是有效日期") from None
    if birth > today:
        raise ValueError(f"身份证号中的出生日期“{text[6:14]}”晚于今天")
    if id_check_char(text[:17]) != text[17]:
        raise ValueError("身份证号校验位错误")
    return text


def enrolment_refusals(
    *,
    birth_date: date,
    on: date,
    min_age: int,
    is_student: bool = False,
    in_employee_scheme: bool = False,
    is_public_servant: bool = False,
    receives_state_pension: bool = False,
) -> list[str]:
    """R2: the reasons (Chinese) a person may not enrol on date `on`; empty when they may.

    min_age is the data-driven minimum enrolment age (binding default 16 full years).
    """
    reasons = []
    age = age_on(birth_date, on)
    if age < min_age:
        reasons.append(f"未满{min_age}周岁（{on:%Y-%m-%d}时{max(age, 0)}周岁）")
    if is_student:
        reasons.append("在校学生不能参加城乡居民养老保险")
    if in_employee_scheme:
        reasons.append("已参加职工基本养老保险，不能参加城乡居民养老保险")
    if is_public_servant:
        reasons.append("机关事业单位工作人员不能参加城乡居民养老保险")
    if receives_state_pension:
        reasons.append("已领取国家规定的基本养老保障待遇，不能参加城乡居民养老保险")
    return reasons


def can_enrol(**kwargs) -> bool:
    return not enrolment_refusals(**kwargs)


def min_age_on(table: list[tuple[date, int]], on: date) -> int:
    """The minimum enrolment age in force on `on` from (effective_from, age) rows sorted oldest
    first; a date before the first row uses the first row."""
    age = table[0][1]
    for effective_from, value in table:
        if effective_from <= on:
            age = value
    return age


PHONE_CHARS = set("0123456789-")


def validate_phone(value: str) -> str:
    """联系电话: a mobile (11 digits from 1) or a landline such as 0898-28278663; blank allowed."""
    text = str(value or "").strip().replace(" ", "")
    if not text:
        return ""
    digits = text.replace("-", "")
    if not set(text) <= PHONE_CHARS or not digits.isdigit() or not 7 <= len(digits) <= 12:
        raise ValueError(f"联系电话“{value}”格式不正确，应为手机号或固定电话（如 0898-28278663）")
    if len(digits) == 11 and digits[0] == "1" and "-" not in text:
        return digits
    if digits[0] == "1" and len(digits) != 11:
        raise ValueError(f"手机号“{value}”应为11位")
    return text


def validate_bank_account(value: str) -> str:
    """银行/社保卡账号: 8 to 32 digits (spaces removed); blank allowed."""
    text = str(value or "").strip().replace(" ", "")
    if not text:
        return ""
    if not text.isdigit() or not text.isascii() or not 8 <= len(text) <= 32:
        raise ValueError(f"银行/社保卡账号“{value}”应为8至32位数字")
    return text
