"""Pure account rules (no database): interest (R6) and when a contribution year counts (R4, R5)."""

from datetime import date
from decimal import Decimal

from linggao_pension.money import ZERO, quantize


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


def is_backpay(year: int, paid_on: date) -> bool:
    """补缴 (contribution type 31): a payment dated after 31 December of its contribution year (binding defaults)."""
    return paid_on > date(year, 12, 31)


def receipt_credits(
    *,
    personal: Decimal,
    collective: Decimal,
    sponsor: Decimal,
    subsidy_province: Decimal,
    subsidy_county: Decimal,
    backpay: bool,
    backpay_earns_subsidy: bool,
) -> list[tuple[str, Decimal]]:
    """R4: what a confirmed payment credits, as (Source value, amount) pairs, zero amounts left out.

    The personal contribution to 个人缴费; the entry subsidy of the grade to 省级/县级财政补贴, except
    for a back-payment unless the policy grants it (§2.8: 补缴 earns no subsidy); collective subsidy
    and sponsorship to their own sub-ledgers.
    """
    subsidised = not backpay or backpay_earns_subsidy
    pairs = [
        ("personal", personal),
        ("province", subsidy_province if subsidised else ZERO),
        ("county", subsidy_county if subsidised else ZERO),
        ("collective", collective),
        ("sponsor", sponsor),
    ]
    return [(source, quantize(amount)) for source, amount in pairs if amount]


def daijiao_entry_date(year: int, today: date) -> date:
    """代缴 is credited on the day the yearly batch runs, or on 31 Dec of the year when the batch is
    run for a past year (binding defaults)."""
    return today if year >= today.year else date(year, 12, 31)


def receipt_number(town_code: str, year: int, number: int) -> str:
    """票据号 of a town collection: the town's division code, the year and a 6-digit sequence."""
    return f"{town_code}{year}{number:06d}"


def yuan(amount: Decimal) -> str:
    """An amount of 元 for a message or a choice label, without trailing zeros: 250.00 -> '250'."""
    return f"{amount.normalize():f}"


# --- Exits: transfers and terminations (§5, §6, R12-R16) ----------------------------------------------

# How each kind of exit moves the account: "all" the whole balance leaves (transfer, inheritance);
# "personal" only the sub-ledgers that are not government money are paid, the rest returns to the fund.
EXIT_SCOPE = {
    "transfer_out": "all",
    "to_employee": "all",
    "death": "all",
    "abroad": "personal",
    "duplicate_enrollment": "personal",
    "duplicate_receipt": "personal",
}


def exit_split(
    *, kind: str, by_source: dict[str, Decimal], government: frozenset, overlap_basic: Decimal = ZERO,
    funeral_subsidy: Decimal = ZERO,
) -> dict:
    """How an exit's balance (by sub-ledger, interim interest included) is split (R12, R14-R16):

    - paid: source -> amount paid out of that sub-ledger (to the receiving scheme, heirs or person);
    - reclaimed: source -> government money returned to the fund (settling abroad, duplicates);
    - offset: source -> money kept to repay the basic pension received twice (R12), taken from the
      non-government sub-ledgers in their order;
    - payable = Σ paid (+ the funeral subsidy on a death); to_recover = the overlap's basic pension
      the balance could not cover (a recovery case), floor 0.
    """
    scope = EXIT_SCOPE[kind]
    paid, reclaimed, offset = {}, {}, {}
    still_owed = quantize(overlap_basic) if kind == "duplicate_receipt" else ZERO
    for source, amount in by_source.items():
        if not amount:
            continue
        if scope == "personal" and source in government:
            reclaimed[source] = amount
            continue
        take = min(still_owed, amount) if amount > 0 else ZERO
        if take:
            offset[source] = take
            still_owed -= take
        if amount - take:
            paid[source] = amount - take
    payable = sum(paid.values(), ZERO) + (quantize(funeral_subsidy) if kind == "death" else ZERO)
    return {
        "paid": paid, "reclaimed": reclaimed, "offset": offset, "payable": quantize(payable),
        "to_recover": quantize(still_owed),
    }


def duplicate_contribution_refund(*, personal: Decimal, collective: Decimal, months: int) -> dict[str, Decimal]:
    """R13: for `months` of a year paid in both schemes, the personal contribution and the collective
    subsidy of that year pro rata (round 0.01 each), never the government subsidy."""
    if not 1 <= months <= 12:
        raise ValueError("months must be 1..12")
    out = {"personal": quantize(personal * months / 12), "collective": quantize(collective * months / 12)}
    return {source: amount for source, amount in out.items() if amount > 0}
