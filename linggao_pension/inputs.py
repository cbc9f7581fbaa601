"""Parsing of what people type and what spreadsheets hold: ids, months, amounts (issue 9).

The one place for the shapes that used to reach the database or the calendar unchecked (a
20-digit id, a superscript digit, year 99999, 1e30 元). Each raises ValueError with a Chinese
message; forms and import parsers turn it into a field or row error.

- `ascii_digits(text)`: only 0-9 ("¹", "٣" and full-width digits are not digits here);
- `parse_id(value)`: a database id, 1 .. 2^63-1 (a bigint), else ValueError;
- months: `linggao_pension.periods.parse_month` (1950-01 .. 2100-12);
- amounts: `linggao_pension.money.parse` (finite, at most 2 places, below 1,000,000,000,000 元).
"""

MAX_ID = 2**63 - 1


def ascii_digits(text) -> bool:
    text = str(text)
    return text.isascii() and text.isdigit()


def parse_id(value) -> int:
    text = str(value if value is not None else "").strip()
    if not ascii_digits(text) or len(text) > 19 or not 0 < int(text) <= MAX_ID:
        raise ValueError(f"“{text[:30]}”不是有效的编号")
    return int(text)
