"""Demo data for contributions: receipts and ledger entries 2014-2025 for the existing residents,
代缴 for the special identity codes, interest posted for every year 2014-2025 in order, 2026
receipts (confirmed, and some collected but not yet confirmed) and the month-end remittances of 2026.

Receipts, credits, 代缴 (this year's too, as daijiao_post credits it) and interest are computed in
memory per chunk of people and loaded with COPY on PostgreSQL (multi-row INSERTs on SQLite): history
migrated from the legacy system, legacy receipts never remitted again. Interest uses the same rule
as post_interest (rules.annual_interest on the balance at 31 Dec of the year before). The
remittances go through the real services. Skipped when receipts exist, so seed_demo can be run again.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from enrollment.models import Person
from linggao_pension import periods
from linggao_pension.demo_bulk import copy_rows, fast_session, text
from linggao_pension.money import ZERO
from linggao_pension.org.models import Town, User

from . import demo_transfers, rules, selectors, services
from .models import (
    AccountEntry,
    EntryKind,
    InterestPosting,
    InterestRate,
    Receipt,
    ReceiptSequence,
    Remittance,
    Source,
)
from .services import NewEntry, ledger_totals_rebuild

FIRST_YEAR = 2014
LAST_HISTORY_YEAR = 2025
CHUNK = 25000
# Most people pay the lowest grades (§2.1); a few pay more.
GRADE_WEIGHTS = {100: 46, 200: 20, 300: 10, 400: 4, 500: 10, 1000: 6, 1500: 2, 2000: 2}
GRADES, GRADE_W = list(GRADE_WEIGHTS), list(GRADE_WEIGHTS.values())


def _random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


@dataclass(slots=True)
class _Receipt:
    """A receipt to insert: a plain row, no model instance (hundreds of thousands of them)."""

    receipt_no: str
    person_id: int
    town_id: int
    year: int
    grade: Decimal
    paid_on: date
    method: str
    status: str
    legacy: bool = False
    collective: Decimal = ZERO
    collected_by_id: int | None = None
    confirmed_by_id: int | None = None


RECEIPT_COLUMNS = (
    "receipt_no", "person", "town", "year", "grade", "personal_amount", "collective_amount", "sponsor_amount",
    "paid_on", "method", "status", "legacy", "collected_by", "created_at", "confirmed_by", "confirmed_at",
    "void_reason",
)


ENTRY_COLUMNS = ("person", "source", "kind", "amount", "entry_date", "year", "memo", "receipt", "created_by", "created_at")


def _insert_receipts(receipts: list[_Receipt], now) -> dict[str, int]:
    """COPY the receipts in (multi-row INSERTs on SQLite); returns receipt number -> id."""
    if not receipts:
        return {}
    confirmed = Receipt.Status.CONFIRMED
    rows = (
        (
            r.receipt_no, r.person_id, r.town_id, r.year, r.grade, r.grade, r.collective, ZERO, r.paid_on, r.method,
            r.status, r.legacy, r.collected_by_id, now, r.confirmed_by_id, now if r.status == confirmed else None, "",
        )
        for r in receipts
    )  # fmt: skip
    at, null = text(now), "\\N"
    lines = (
        f"{r.receipt_no}\t{r.person_id}\t{r.town_id}\t{r.year}\t{r.grade}\t{r.grade}\t{r.collective}\t0.00\t"
        f"{r.paid_on}\t{r.method}\t{r.status}\t{'t' if r.legacy else 'f'}\t{r.collected_by_id or null}\t{at}\t"
        f"{r.confirmed_by_id or null}\t{at if r.status == confirmed else null}\t\n"
        for r in receipts
    )  # fmt: skip
    copy_rows(Receipt, RECEIPT_COLUMNS, rows, lines=lines)
    person_ids = [r.person_id for r in receipts]
    return dict(
        Receipt.objects.filter(person_id__gte=min(person_ids), person_id__lte=max(person_ids)).values_list(
            "receipt_no", "pk"
        )
    )


def _insert_entries(credits: list[tuple[str | None, NewEntry]], ids: dict[str, int], now) -> None:
    """COPY the ledger entries in: what account_post_fast posts, the receipt's id filled in. The
    amounts come from the rules, already rounded to the fen; the memos hold no tab or newline."""
    rows = (
        (e.person_id, e.source, e.kind, e.amount, e.entry_date, e.year, e.memo[:120], None if no is None else ids[no],
         None, now)
        for no, e in credits
    )  # fmt: skip
    at, null = text(now), "\\N"
    lines = (
        f"{e.person_id}\t{e.source}\t{e.kind}\t{e.amount}\t{e.entry_date}\t{e.year}\t{e.memo[:120]}\t"
        f"{null if no is None else ids[no]}\t{null}\t{at}\n"
        for no, e in credits
    )
    copy_rows(AccountEntry, ENTRY_COLUMNS, rows, lines=lines)


def seed(*, rng: random.Random, residents: int, stdout) -> dict:
    summary = _seed_collections(rng=rng, residents=residents, stdout=stdout)
    # A transfer out waiting for the county and a refund waiting for finance (issue 12).
    return {**summary, **demo_transfers.seed(stdout=stdout)}


def _seed_collections(*, rng: random.Random, residents: int, stdout) -> dict:
    if Receipt.objects.exists():
        stdout.write("缴费记录已存在，跳过保费征缴演示数据。\n")
        return {"receipts": Receipt.objects.count(), "skipped": True}
    today = timezone.localdate()
    now = timezone.now()
    tables = selectors.collection_tables()
    rates = dict(InterestRate.objects.values_list("year", "rate"))
    # This year's 代缴 too: credited today, as daijiao_post credits it (the demo's identities never change).
    daijiao = {year: selectors.daijiao_amounts(year) for year in range(FIRST_YEAR, today.year + 1)}
    agents = {u.town_id: u.pk for u in User.objects.filter(groups__name="镇/农场经办员", town__isnull=False)}
    finance = User.objects.filter(username="finance").first()
    finance2 = User.objects.filter(username="finance2").first()
    towns = dict(Town.objects.values_list("pk", "code"))
    history_years = [y for y in range(FIRST_YEAR, LAST_HISTORY_YEAR + 1) if y in rates]
    interest_totals: dict[int, list] = {y: [0, ZERO] for y in history_years}
    sequences: dict[int, int] = defaultdict(int)
    counts = {"receipts": 0, "entries": 0, "daijiao_this_year": 0}
    context = {
        "rng": rng, "today": today, "tables": tables, "daijiao": daijiao, "agents": agents,
        "finance_id": finance.pk if finance else None, "towns": towns, "sequences": sequences, "counts": counts,
    }

    people = list(
        Person.objects.contributing().order_by("pk").values_list("pk", "town_id", "identity_id", "birth_date", "enrolled_on")
    )
    for start in range(0, len(people), CHUNK):
        receipts: list[_Receipt] = []
        credits: list[tuple[str | None, NewEntry]] = []  # (receipt number or None, entry)
        for person in people[start : start + CHUNK]:
            _person_history(person=person, receipts=receipts, credits=credits, **context)
        credits.extend((None, e) for e in _interest_entries([e for _, e in credits], history_years, rates,
                                                            interest_totals))  # fmt: skip
        with transaction.atomic():
            fast_session()
            ids = _insert_receipts(receipts, now)
            _insert_entries(credits, ids, now)
        counts["receipts"] += len(receipts)
        counts["entries"] += len(credits)

    ledger_totals_rebuild()  # the entries went in by COPY, past the posting services that keep the totals
    for town_id, last in sequences.items():
        ReceiptSequence.objects.update_or_create(town_id=town_id, year=today.year, defaults={"last_number": last})
    InterestPosting.objects.bulk_create(
        [
            InterestPosting(
                year=y, status=InterestPosting.Status.DONE, rate=rates[y], accounts=n, total=total, finished_at=now
            )
            for y, (n, total) in interest_totals.items()
        ]
    )
    remittances = _remittances(today=today, finance=finance, finance2=finance2)
    return {**counts, "remittances": remittances}


def _person_history(*, rng, today, tables, daijiao, agents, finance_id, towns, sequences, counts, person, receipts,
                    credits):  # fmt: skip
    pid, town_id, identity, birth, enrolled = person
    amount = daijiao.get(today.year, {}).get(identity)
    if amount:  # this year's 代缴 batch (daijiao_post): every contributing person of a hardship group
        year = today.year
        credits.append((None, NewEntry(pid, Source.DAIJIAO, EntryKind.CREDIT, amount,
                                       rules.daijiao_entry_date(year, today), year, f"{year}年度政府代缴")))
        counts["daijiao_this_year"] += 1
    first = max(FIRST_YEAR, enrolled.year, birth.year + 16)
    last = min(LAST_HISTORY_YEAR, birth.year + 59)  # contributions stop at the benefit age
    habit = rng.random()
    pay_probability = 0.93 if habit < 0.8 else (0.5 if habit < 0.95 else 0.0)
    grade = Decimal(rng.choices(GRADES, GRADE_W)[0])
    for year in range(first, last + 1):
        amount = daijiao.get(year, {}).get(identity)
        if amount:
            # 代缴 credited by the yearly batch, run for the past year: dated 31 Dec (binding defaults).
            credits.append(
                (None, NewEntry(pid, Source.DAIJIAO, EntryKind.CREDIT, amount, date(year, 12, 31), year, f"{year}年度政府代缴"))
            )
            if amount >= min(tables.grades[year]) and rng.random() < 0.7:
                continue  # fully paid on their behalf: most pay nothing themselves
        if rng.random() >= pay_probability:
            continue
        if rng.random() < 0.2:
            grade = Decimal(rng.choices(GRADES, GRADE_W)[0])
        if rng.random() < 0.05:  # paid late, in the next year: 补缴, no subsidy
            paid_on = _random_day(rng, date(year + 1, 1, 5), min(date(year + 1, 3, 31), today - timedelta(days=1)))
        else:
            paid_on = _random_day(rng, date(year, 3, 1), date(year, 12, 20))
        receipt = _Receipt(
            f"L{year}{pid:010d}", pid, town_id, year, grade, paid_on,
            Receipt.Method.BANK if rng.random() < 0.7 else Receipt.Method.AGENCY, Receipt.Status.CONFIRMED,
            legacy=True, collective=Decimal("50.00") if rng.random() < 0.03 else ZERO,
        )  # fmt: skip
        receipts.append(receipt)
        credits.extend((receipt.receipt_no, e) for e in _receipt_credits(receipt, tables))

    # This year: most regular payers have paid; recent town collections await finance's confirmation.
    if birth.year + 59 < today.year or pay_probability < 0.9 or rng.random() < 0.4:
        return
    year = today.year
    paid_on = _random_day(rng, date(year, 1, 10), today - timedelta(days=1))
    agent_id = agents.get(town_id)
    if agent_id is not None:
        sequences[town_id] += 1
        pending = paid_on > today - timedelta(days=21)
        receipt = _Receipt(
            rules.receipt_number(towns[town_id], year, sequences[town_id]), pid, town_id, year, grade, paid_on,
            Receipt.Method.AGENCY, Receipt.Status.COLLECTED if pending else Receipt.Status.CONFIRMED,
            collected_by_id=agent_id, confirmed_by_id=None if pending else finance_id,
        )  # fmt: skip
    else:
        pending = False
        receipt = _Receipt(
            f"B{year}{pid:010d}", pid, town_id, year, grade, paid_on, Receipt.Method.BANK, Receipt.Status.CONFIRMED
        )
    receipts.append(receipt)
    if not pending:
        credits.extend((receipt.receipt_no, e) for e in _receipt_credits(receipt, tables))


def _receipt_credits(receipt: _Receipt, tables) -> list[NewEntry]:
    """What confirming the receipt credits (R4, the same rule as services.receipt_confirm_batch)."""
    backpay = rules.is_backpay(receipt.year, receipt.paid_on)
    province, county = tables.subsidy(receipt.year, receipt.grade)
    credits = rules.receipt_credits(
        personal=receipt.grade, collective=receipt.collective, sponsor=ZERO, subsidy_province=province,
        subsidy_county=county, backpay=backpay, backpay_earns_subsidy=tables.backpay_earns_subsidy(receipt.year),
    )
    memo = f"{receipt.year}年度{'补缴' if backpay else '缴费'} 票据{receipt.receipt_no}"
    return [
        NewEntry(receipt.person_id, source, EntryKind.CREDIT, amount, receipt.paid_on, receipt.year, memo)
        for source, amount in credits
    ]


def _interest_entries(entries, years, rates, totals) -> list[NewEntry]:
    """Interest 2014-2025 per person, computed as post_interest does (R6), year after year."""
    credits_by_year: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for e in entries:
        credits_by_year[e.person_id][e.entry_date.year] += e.amount
    out = []
    for pid, by_year in credits_by_year.items():
        balance = sum((a for y, a in by_year.items() if y < years[0]), ZERO)
        for year in years:
            interest = rules.annual_interest(balance, rates[year]) if balance > 0 else ZERO
            if interest > 0:
                memo = f"{year}年度利息（记账利率 {rates[year] * 100:.2f}%）"
                out.append(NewEntry(pid, Source.INTEREST, EntryKind.INTEREST, interest, date(year, 12, 31), year, memo))
                totals[year][0] += 1
                totals[year][1] += interest
            balance += interest + by_year.get(year, ZERO)
    return out


def _remittances(*, today, finance, finance2) -> int:
    """The month-end remittances of this year's past months, all but the latest marked remitted."""
    made = []
    month = date(today.year, 1, 1)
    while month < periods.month_start(today):
        # Vouchers are written on first download: the demo stays fast at 100,000 residents.
        if services.remittance_generate(month=month, by=finance, vouchers=False)["created"]:
            made.append(month)
        month = periods.add_months(month, 1)
    if finance2 is not None:
        for remittance in Remittance.objects.filter(month__in=made[:-1]).order_by("month"):
            services.remittance_mark_remitted(
                remittance=remittance, voucher_no=f"HNNX{remittance.month:%Y%m}{remittance.pk:04d}", by=finance2
            )
    return len(made)
