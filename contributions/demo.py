"""Demo data for contributions: receipts and ledger entries 2014-2025 for the existing residents,
代缴 for the special identity codes, interest posted for every year 2014-2025 in order, 2026
receipts (confirmed, and some collected but not yet confirmed) and the month-end remittances of 2026.

Everything before 2026 is computed in memory and bulk-inserted in chunks (history migrated from the
legacy system: legacy receipts, never remitted again); interest uses the same rule as post_interest
(rules.annual_interest on the balance at 31 Dec of the year before). The 2026 代缴 and remittances
go through the real services. Skipped when receipts exist, so seed_demo can be run again.
"""

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from enrollment.models import Person
from linggao_pension import periods
from linggao_pension.money import ZERO
from linggao_pension.org.models import Town, User

from . import rules, selectors, services
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

FIRST_YEAR = 2014
LAST_HISTORY_YEAR = 2025
CHUNK = 5000
# Most people pay the lowest grades (§2.1); a few pay more.
GRADE_WEIGHTS = {100: 46, 200: 20, 300: 10, 400: 4, 500: 10, 1000: 6, 1500: 2, 2000: 2}


def _random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def seed(*, rng: random.Random, residents: int, stdout) -> dict:
    if Receipt.objects.exists():
        stdout.write("缴费记录已存在，跳过保费征缴演示数据。\n")
        return {"receipts": Receipt.objects.count(), "skipped": True}
    today = timezone.localdate()
    tables = selectors.collection_tables()
    rates = dict(InterestRate.objects.values_list("year", "rate"))
    daijiao = {year: selectors.daijiao_amounts(year) for year in range(FIRST_YEAR, LAST_HISTORY_YEAR + 1)}
    agents = {u.town_id: u for u in User.objects.filter(groups__name="镇/农场经办员", town__isnull=False)}
    finance = User.objects.filter(username="finance").first()
    finance2 = User.objects.filter(username="finance2").first()
    towns = {t.pk: t for t in Town.objects.all()}
    history_years = [y for y in range(FIRST_YEAR, LAST_HISTORY_YEAR + 1) if y in rates]
    interest_totals: dict[int, list] = {y: [0, ZERO] for y in history_years}
    sequences: dict[int, int] = defaultdict(int)
    counts = {"receipts": 0, "entries": 0}

    people = list(
        Person.objects.contributing().order_by("pk").values_list("pk", "town_id", "identity_id", "birth_date", "enrolled_on")
    )
    for start in range(0, len(people), CHUNK):
        chunk = people[start : start + CHUNK]
        receipts, credits = [], []  # credits: (receipt index or None, AccountEntry)
        for pid, town_id, identity, birth, enrolled in chunk:
            _person_history(
                rng=rng, today=today, tables=tables, daijiao=daijiao, agents=agents, finance=finance,
                towns=towns, sequences=sequences, person=(pid, town_id, identity, birth, enrolled),
                receipts=receipts, credits=credits,
            )
        with transaction.atomic():
            Receipt.objects.bulk_create(receipts, batch_size=2000)
            entries = []
            for index, entry in credits:
                if index is not None:
                    entry.receipt_id = receipts[index].pk
                entries.append(entry)
            entries.extend(_interest_entries(entries, history_years, rates, interest_totals))
            AccountEntry.objects.bulk_create(entries, batch_size=2000)
        counts["receipts"] += len(receipts)
        counts["entries"] += len(entries)

    for town_id, last in sequences.items():
        ReceiptSequence.objects.update_or_create(town_id=town_id, year=today.year, defaults={"last_number": last})
    now = timezone.now()
    InterestPosting.objects.bulk_create(
        [
            InterestPosting(
                year=y, status=InterestPosting.Status.DONE, rate=rates[y], accounts=n, total=total, finished_at=now
            )
            for y, (n, total) in interest_totals.items()
        ]
    )
    daijiao_now = services.daijiao_post(year=today.year, by=None)
    remittances = _remittances(today=today, finance=finance, finance2=finance2)
    return {**counts, "daijiao_this_year": daijiao_now["credited"], "remittances": remittances}


def _person_history(*, rng, today, tables, daijiao, agents, finance, towns, sequences, person, receipts, credits):
    pid, town_id, identity, birth, enrolled = person
    first = max(FIRST_YEAR, enrolled.year, birth.year + 16)
    last = min(LAST_HISTORY_YEAR, birth.year + 59)  # contributions stop at the benefit age
    habit = rng.random()
    pay_probability = 0.93 if habit < 0.8 else (0.5 if habit < 0.95 else 0.0)
    grade = Decimal(rng.choices(list(GRADE_WEIGHTS), list(GRADE_WEIGHTS.values()))[0])
    for year in range(first, last + 1):
        amount = daijiao.get(year, {}).get(identity)
        if amount:
            # 代缴 credited by the yearly batch, run for the past year: dated 31 Dec (binding defaults).
            credits.append((None, AccountEntry(
                person_id=pid, source=Source.DAIJIAO, kind=EntryKind.CREDIT, amount=amount,
                entry_date=date(year, 12, 31), year=year, memo=f"{year}年度政府代缴",
            )))  # fmt: skip
            if amount >= min(tables.grades[year]) and rng.random() < 0.7:
                continue  # fully paid on their behalf: most pay nothing themselves
        if rng.random() >= pay_probability:
            continue
        if rng.random() < 0.2:
            grade = Decimal(rng.choices(list(GRADE_WEIGHTS), list(GRADE_WEIGHTS.values()))[0])
        if rng.random() < 0.05:  # paid late, in the next year: 补缴, no subsidy
            paid_on = _random_day(rng, date(year + 1, 1, 5), min(date(year + 1, 3, 31), today - timedelta(days=1)))
        else:
            paid_on = _random_day(rng, date(year, 3, 1), date(year, 12, 20))
        collective = Decimal("50.00") if rng.random() < 0.03 else ZERO
        receipt = Receipt(
            receipt_no=f"L{year}{pid:010d}", person_id=pid, town_id=town_id, year=year, grade=grade,
            personal_amount=grade, collective_amount=collective, paid_on=paid_on,
            method=Receipt.Method.BANK if rng.random() < 0.7 else Receipt.Method.AGENCY,
            status=Receipt.Status.CONFIRMED, legacy=True, confirmed_at=timezone.now(),
        )
        receipts.append(receipt)
        for entry in services._receipt_entries(receipt, tables, None):
            entry.receipt = None
            credits.append((len(receipts) - 1, entry))

    # This year: most regular payers have paid; recent town collections await finance's confirmation.
    if birth.year + 59 < today.year or pay_probability < 0.9 or rng.random() < 0.4:
        return
    year = today.year
    paid_on = _random_day(rng, date(year, 1, 10), today - timedelta(days=1))
    agent = agents.get(town_id)
    if agent is not None:
        sequences[town_id] += 1
        number = rules.receipt_number(towns[town_id].code, year, sequences[town_id])
        pending = paid_on > today - timedelta(days=21)
        receipt = Receipt(
            receipt_no=number, person_id=pid, town_id=town_id, year=year, grade=grade, personal_amount=grade,
            paid_on=paid_on, method=Receipt.Method.AGENCY, collected_by=agent,
            status=Receipt.Status.COLLECTED if pending else Receipt.Status.CONFIRMED,
            confirmed_by=None if pending else finance, confirmed_at=None if pending else timezone.now(),
        )
    else:
        pending = False
        receipt = Receipt(
            receipt_no=f"B{year}{pid:010d}", person_id=pid, town_id=town_id, year=year, grade=grade,
            personal_amount=grade, paid_on=paid_on, method=Receipt.Method.BANK, status=Receipt.Status.CONFIRMED,
            confirmed_at=timezone.now(),
        )
    receipts.append(receipt)
    if not pending:
        for entry in services._receipt_entries(receipt, tables, finance if agent else None):
            entry.receipt = None
            credits.append((len(receipts) - 1, entry))


def _interest_entries(entries, years, rates, totals) -> list[AccountEntry]:
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
                out.append(AccountEntry(
                    person_id=pid, source=Source.INTEREST, kind=EntryKind.INTEREST, amount=interest,
                    entry_date=date(year, 12, 31), year=year,
                    memo=f"{year}年度利息（记账利率 {rates[year] * 100:.2f}%）",
                ))  # fmt: skip
                totals[year][0] += 1
                totals[year][1] += interest
            balance += interest + by_year.get(year, ZERO)
    return out


def _remittances(*, today, finance, finance2) -> int:
    """The month-end remittances of this year's past months, all but the latest marked remitted."""
    made = []
    month = date(today.year, 1, 1)
    while month < periods.month_start(today):
        if services.remittance_generate(month=month, by=finance)["created"]:
            made.append(month)
        month = periods.add_months(month, 1)
    if finance2 is not None:
        for remittance in Remittance.objects.filter(month__in=made[:-1]).order_by("month"):
            services.remittance_mark_remitted(
                remittance=remittance, voucher_no=f"HNNX{remittance.month:%Y%m}{remittance.pk:04d}", by=finance2
            )
    return len(made)
