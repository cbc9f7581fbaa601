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
