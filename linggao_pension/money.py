"""Money in 元: Decimal end to end, rounded half-up to 0.01 at the steps the rules name."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Every money column is max_digits=14, decimal_places=2; a larger amount is an input error, not a 500.
MONEY_LIMIT = Decimal(10) ** 12


def quantize(amount: Decimal | int | str) -> Decimal:
    """Round to 0.01 元, half-up (domain.md: "rounding 0.01 元, half-up, at each step named")."""
    if isinstance(amount, float):
        raise TypeError("money must not be a float")
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def parse(value: object) -> Decimal:
    """A money value typed by a person or read from a spreadsheet cell, as Decimal with 2 places.

    Raises ValueError with a Chinese message when the value is not a number of 元.
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        # openpyxl gives floats for numeric cells; go through repr to keep what the person typed.
        result = Decimal(repr(value))
    else:
        text = str(value or "").strip().replace(",", "").replace("，", "").removesuffix("元")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}”不是有效的金额") from None
    if not result.is_finite():
        raise ValueError(f"“{value}”不是有效的金额")
    if abs(result) >= MONEY_LIMIT:
        raise ValueError(f"金额“{str(value)[:20]}”过大（应小于 1,000,000,000,000 元）")
    if result != result.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValueError(f"金额“{value}”最多保留两位小数")
    return quantize(result)


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿", "万亿"]


def _four_digits(n: int) -> str:
    """0 < n < 10000, in capitals, with zeros collapsed (e.g. 1005 -> 壹仟零伍)."""
    out = []
    zero_pending = False
    for pos in range(3, -1, -1):
        d = (n // 10**pos) % 10
        if d == 0:
            if out:
                zero_pending = True
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_DIGITS[d] + _SMALL_UNITS[pos])
    return "".join(out)


def chinese_capital(amount: Decimal) -> str:
    """Amount in Chinese financial capitals, as written on receipts: 500 -> 伍佰元整, 1.05 -> 壹元零伍分."""
    amount = quantize(amount)
    if amount < 0:
        return "负" + chinese_capital(-amount)
    cents = int((amount * 100).to_integral_value())
    yuan, jiao, fen = cents // 100, (cents // 10) % 10, cents % 10
    parts = []
    if yuan:
        groups = []
        n = yuan
        while n:
            groups.append(n % 10000)
            n //= 10000
        text = ""
        zero_needed = False
        for idx in range(len(groups) - 1, -1, -1):
            g = groups[idx]
            if g == 0:
                zero_needed = bool(text)
                continue
            if text and (zero_needed or g < 1000):
                text += "零"
            text += _four_digits(g) + _BIG_UNITS[idx]
            zero_needed = False
        parts.append(text + "元")
    if not jiao and not fen:
        return ("".join(parts) or "零元") + "整"
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    elif yuan:
        parts.append("零")
    if fen:
        parts.append(_DIGITS[fen] + "分")
    return "".join(parts)
