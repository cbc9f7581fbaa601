"""The report's ledger figures as the selectors compute them for speed (the fund from contributions'
month totals, the contributions of the year without the reversed-entry join) against the plain
aggregate over the ledger's entries, and the month totals kept by the posting services.

The data set is posted through the ledger services: three towns, every kind of entry, reversals (of
credits, of a pension drawn, of a subsidy reclaim, a reversal in the month of a credit of 2024),
back-dated entries (posted now for a day in the report's month or before it), entries after the
month end, and a person who moved town (信息变更 approved) after their entries were posted: the
report counts a person in their current town.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from contributions.models import AccountEntry, EntryKind, LedgerMonthTotal
from contributions.services import (
    NewEntry,
    account_post,
    account_post_bulk,
    account_post_fast,
    account_post_reversal,
    ledger_totals_rebuild,
)
from enrollment.models import ReviewStatus
from enrollment.services import change_request_create
from linggao_pension.org.models import Town
from linggao_pension.workflow import review_move
from reports import figures as F_
from reports import selectors
from tests.factories import PersonFactory, VillageFactory

ZERO = Decimal("0.00")
MONTH = date(2026, 3, 1)
GRADES = [Decimal("100.00"), Decimal("200.00"), Decimal("500.00")]


def _reference_fund_sums(p: selectors.Period) -> dict:
    """{(town, source, effective kind, window): amount}: one query, the reversed entry LEFT JOINed."""
    windows = selectors._fund_windows(p)
    kinds = [
        EntryKind.CREDIT,
        EntryKind.INTEREST,
        EntryKind.TRANSFER_IN,
        EntryKind.TRANSFER_OUT,
        EntryKind.REFUND,
        EntryKind.INHERIT,
    ]
    rows = (
        AccountEntry.objects.filter(entry_date__lte=p.end)
        .filter(Q(kind__in=kinds) | Q(kind=EntryKind.REVERSAL))
        .annotate(effective_kind=Coalesce(F("reverses__kind"), F("kind")))
        .exclude(effective_kind__in=[EntryKind.PENSION, EntryKind.REVERSAL])
        .order_by()
        .values("person__town_id", "source", "effective_kind")
        .annotate(**selectors._windowed(windows, "entry_date", "amount"))
    )
    out = defaultdict(lambda: ZERO)
    for r in rows:
        for w in windows:
            out[(r["person__town_id"], r["source"], r["effective_kind"], w)] += r[w]
    return {k: v for k, v in out.items() if v}


def _fast_fund_sums(p: selectors.Period) -> dict:
    windows = selectors._fund_windows(p)
    kinds = [
        EntryKind.CREDIT,
        EntryKind.INTEREST,
        EntryKind.TRANSFER_IN,
        EntryKind.TRANSFER_OUT,
        EntryKind.REFUND,
        EntryKind.INHERIT,
    ]
    out = defaultdict(lambda: ZERO)
    for r in selectors._fund_entries(p, windows, kinds):
        for w in windows:
            out[(r["person__town_id"], r["source"], r["effective_kind"], w)] += r[w]
    return {k: v for k, v in out.items() if v}


def _reference_contributions(p: selectors.Period) -> dict:
    """The year's credits by town: one query, credits and the reversals of credits joined."""
    items = {
        label: Coalesce(Sum("amount", filter=Q(source=source)), Value(ZERO))
        for source, label in F_.CONTRIBUTION_ITEMS
    }
    rows = (
        AccountEntry.objects.filter(year=p.month.year, entry_date__lte=p.end)
        .filter(Q(kind=EntryKind.CREDIT) | Q(kind=EntryKind.REVERSAL, reverses__kind=EntryKind.CREDIT))
        .order_by()
        .values("person__town_id")
        .annotate(**items, 代缴人数=Count("person", distinct=True, filter=Q(source="daijiao")))
    )
    return {r.pop("person__town_id"): r for r in rows}


def _entry(person, amount, on, *, source="personal", kind="credit", year=None, by):
    return account_post(
        person=person,
        amount=Decimal(amount),
        entry_date=on,
        source=source,
        kind=kind,
        year=on.year if year is None else year,
        by=by,
    )


def _reverse(entry, on, by):
    return account_post_reversal(entry=entry, reason="录错", by=by, entry_date=on)


@pytest.fixture
def ledger(db, clerk, agent, finance):
    """Posted through the ledger services (one by one, in a batch, in bulk), as the system posts."""
    lc, bl, dy = (Town.objects.get(name=n) for n in ("临城镇", "波莲镇", "东英镇"))
    a, b, c, d = (PersonFactory(town=t) for t in (lc, lc, bl, dy))
    mover = PersonFactory(town=lc, village=VillageFactory(town=lc))
    # Before the month: credits of several sources, interest, a transfer in; one credit reversed.
    old = _entry(a, "300.00", date(2024, 5, 1), year=2024, by=finance)
    _entry(a, "60.00", date(2024, 5, 1), source="province", year=2024, by=finance)
    wrong = _entry(b, "500.00", date(2026, 1, 10), by=finance)
    _reverse(wrong, date(2026, 1, 20), clerk)
    _entry(c, "880.00", date(2025, 8, 1), source="transfer_in", kind="transfer_in", year=2025, by=clerk)
    account_post_fast(
        entries=[  # the year-end interest batch
            NewEntry(
                person_id=a.pk,
                source="interest",
                kind="interest",
                amount=Decimal("12.34"),
                entry_date=date(2025, 12, 31),
                year=2025,
                memo="2025年度利息",
            ),
        ],
        by=clerk,
    )
    # The month: this year's credits (one 代缴), a refund, an inheritance, a pension drawn and its
    # reversal, a subsidy reclaim and its reversal, a transfer out.
    _entry(a, "500.00", date(2026, 3, 2), by=finance)
    _entry(a, "60.00", date(2026, 3, 2), source="province", by=finance)
    _entry(b, "100.00", date(2026, 3, 20), source="daijiao", by=clerk)
    _entry(c, "-200.00", date(2026, 3, 5), kind="refund", year=None, by=finance)
    _entry(c, "-45.67", date(2026, 3, 6), source="interest", kind="inherit", year=None, by=finance)
    account_post_bulk(
        entries=[
            AccountEntry(
                person=d,
                source="personal",
                kind="pension",
                amount=Decimal("-30.00"),
                entry_date=date(2026, 3, 10),
                memo="2026年3月待遇",
            )
        ],
        by=finance,
    )
    _reverse(AccountEntry.objects.get(person=d, kind="pension"), date(2026, 3, 11), clerk)
    reclaim = _entry(d, "-20.00", date(2026, 3, 12), source="province", kind="reclaim", year=None, by=finance)
    _reverse(reclaim, date(2026, 3, 13), clerk)
    _entry(d, "-150.00", date(2026, 3, 15), kind="transfer_out", year=None, by=finance)
    # Back-dated: posted now, dated in the month and before it; a reversal dated in the month of a
    # credit of 2024, and a reversal of a 代缴 of 2027 after the month end.
    _entry(d, "200.00", date(2026, 3, 31), by=finance)
    _entry(d, "33.33", date(2025, 2, 28), source="county", year=2025, by=finance)
    _reverse(old, date(2026, 3, 25), clerk)
    late = _entry(b, "100.00", date(2026, 3, 21), source="daijiao", year=2027, by=clerk)
    _reverse(late, date(2026, 4, 2), clerk)
    # After the month: not in the report.
    _entry(a, "999.00", date(2026, 4, 1), by=finance)
    # The mover's entries were posted in 临城镇; they moved to 波莲镇 since (信息变更, county approval).
    _entry(mover, "200.00", date(2026, 3, 3), by=finance)
    _reverse(_entry(mover, "30.00", date(2026, 3, 3), source="province", by=finance), date(2026, 3, 9), clerk)
    change = change_request_create(person=mover, by=agent, data={
        "phone": mover.phone, "residential_address": mover.residential_address,
        "hukou_address": mover.hukou_address, "bank_name": mover.bank_name, "bank_account": mover.bank_account,
        "town": bl, "village": VillageFactory(town=bl), "identity": mover.identity, "reason": "户籍迁至波莲镇",
    })  # fmt: skip
    review_move(to=ReviewStatus.TOWN_APPROVED, record=change, by=agent)
    review_move(to=ReviewStatus.COUNTY_APPROVED, record=change, by=clerk)
    mover.refresh_from_db()
    assert mover.town == bl
    return {"towns": (lc, bl, dy), "persons": (a, b, c, d, mover)}


@pytest.mark.django_db
def test_fund_sums_equal_the_joined_aggregate(ledger):
    for month in (date(2026, 1, 1), MONTH, date(2026, 4, 1)):
        p = selectors.Period(month)
        reference = _reference_fund_sums(p)
        assert reference, "the data set has fund movements"
        assert _fast_fund_sums(p) == reference


@pytest.mark.django_db
def test_fund_figures_by_hand(ledger):
    lc, bl, dy = ledger["towns"]
    rows = selectors.fund(selectors.Period(MONTH))
    # 临城镇, before March: A 300 + 60 + 12.34 interest, B 500 − 500.
    assert rows[lc.pk]["期初余额"] == Decimal("372.34")
    # March: A 500 + 60, B 代缴 100 (the 2027 one too: the fund counts entries by date), A's 2024 credit reversed.
    assert rows[lc.pk]["个人缴费收入"] == Decimal("500.00") - Decimal("300.00")
    assert rows[lc.pk]["政府代缴收入"] == Decimal("200.00")
    # 波莲镇: C transferred in before March; in March the refund, the inheritance, and the mover's 200.
    assert rows[bl.pk]["期初余额"] == Decimal("880.00")
    assert rows[bl.pk]["退保支出"] == Decimal("245.67")
    assert rows[bl.pk]["个人缴费收入"] == Decimal("200.00")
    # 东英镇: the back-dated county credit of 2025 opens the month; the pension drawn and its
    # reversal are no fund movement; the reversal of the reclaim is counted as other income of its source.
    assert rows[dy.pk]["期初余额"] == Decimal("33.33")
    assert rows[dy.pk]["转移支出"] == Decimal("150.00")
    assert rows[dy.pk]["政府补贴收入"] == Decimal("20.00")
    for row in rows.values():
        assert row["期末余额"] == row["期初余额"] + row["收入合计"] - row["支出合计"]


@pytest.mark.django_db
def test_contributions_of_the_year_equal_the_joined_aggregate(ledger):
    for month in (date(2026, 1, 1), MONTH, date(2026, 4, 1), date(2025, 12, 1)):
        p = selectors.Period(month)
        reference = _reference_contributions(p)
        assert reference, "the data set has credits of the year"
        fast = selectors.contributions(p, GRADES)
        for town_id, expected in reference.items():
            assert {k: fast[town_id][k] for k in expected} == expected
        assert {t for t, r in fast.items() if "个人缴费" in r} == set(reference)


@pytest.mark.django_db
def test_contributions_of_the_year_by_hand(ledger):
    lc, bl, dy = ledger["towns"]
    rows = selectors.contributions(selectors.Period(MONTH), GRADES)
    # 临城镇: A 500 + 60 in March, B 500 − 500 in January, B 代缴 100 (the 2027 代缴 is of another year).
    assert (rows[lc.pk]["个人缴费"], rows[lc.pk]["省级财政补贴"]) == (Decimal("500.00"), Decimal("60.00"))
    assert (rows[lc.pk]["代缴人数"], rows[lc.pk]["代缴金额"]) == (1, Decimal("100.00"))
    # 波莲镇: the mover's 200, and 30 − 30.
    assert (rows[bl.pk]["个人缴费"], rows[bl.pk]["省级财政补贴"]) == (Decimal("200.00"), ZERO)
    assert rows[dy.pk]["本年缴费合计"] == Decimal("200.00")


def _totals_match(months=(date(2026, 1, 1), MONTH, date(2026, 4, 1))) -> bool:
    return all(
        _fast_fund_sums(selectors.Period(m)) == _reference_fund_sums(selectors.Period(m)) for m in months
    )


@pytest.mark.django_db
def test_drift_is_caught_and_the_rebuild_repairs_it(ledger):
    a = ledger["persons"][0]
    assert _totals_match()
    # An entry written past the posting services (as a bulk load does): the totals miss it.
    AccountEntry.objects.create(
        person=a,
        source="personal",
        kind="credit",
        amount=Decimal("1.00"),
        entry_date=date(2026, 3, 5),
        year=2026,
    )
    assert not _totals_match()
    ledger_totals_rebuild()
    assert _totals_match()


@pytest.mark.django_db
def test_rerun_interest_adds_nothing_twice(ledger, clerk):
    a = ledger["persons"][0]
    again = NewEntry(
        person_id=a.pk,
        source="interest",
        kind="interest",
        amount=Decimal("12.34"),
        entry_date=date(2025, 12, 31),
        year=2025,
        memo="2025年度利息",
    )
    b = ledger["persons"][1]
    first = NewEntry(
        person_id=b.pk,
        source="interest",
        kind="interest",
        amount=Decimal("5.55"),
        entry_date=date(2025, 12, 31),
        year=2025,
        memo="2025年度利息",
    )
    # A's is refused by the once-per-year constraint and skipped; B's goes in.
    account_post_fast(entries=[again, first], by=clerk)
    assert AccountEntry.objects.filter(person=a, kind="interest").count() == 1
    assert AccountEntry.objects.filter(person=b, kind="interest").count() == 1
    assert _totals_match()
    lc = ledger["towns"][0]
    assert _total(lc, date(2025, 12, 1), source="interest", kind="interest") == (Decimal("17.89"), 2)


def _total(town, month, **key) -> tuple:
    row = (
        LedgerMonthTotal.objects.filter(town=town, month=month, **key)
        .values_list("amount", "entries")
        .first()
    )
    return row or (ZERO, 0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_posting_and_reversal_update_the_totals_in_their_transaction(town, finance, clerk):
    person = PersonFactory(town=town)
    key = {"source": "personal", "kind": "credit", "reversed_kind": ""}
    with transaction.atomic():
        entry = account_post(
            person=person,
            source="personal",
            kind="credit",
            amount=Decimal("200.00"),
            entry_date=date(2026, 3, 3),
            year=2026,
            by=finance,
        )
        assert _total(town, MONTH, **key) == (Decimal("200.00"), 1)  # seen inside the posting's transaction
    with pytest.raises(RuntimeError), transaction.atomic():
        account_post(
            person=person,
            source="personal",
            kind="credit",
            amount=Decimal("50.00"),
            entry_date=date(2026, 3, 4),
            year=2026,
            by=finance,
        )
        raise RuntimeError("the caller's transaction fails after the posting")
    assert _total(town, MONTH, **key) == (Decimal("200.00"), 1)  # rolled back with the entry
    with pytest.raises(RuntimeError), transaction.atomic():
        account_post_reversal(entry=entry, reason="录错", by=clerk, entry_date=date(2026, 3, 9))
        assert _total(town, MONTH, source="personal", kind="reversal", reversed_kind="credit") == (
            Decimal("-200.00"),
            1,
        )
        raise RuntimeError("rolled back")
    assert _total(town, MONTH, source="personal", kind="reversal", reversed_kind="credit") == (ZERO, 0)
    account_post_reversal(entry=entry, reason="录错", by=clerk, entry_date=date(2026, 3, 9))
    assert _total(town, MONTH, source="personal", kind="reversal", reversed_kind="credit") == (
        Decimal("-200.00"),
        1,
    )
    assert AccountEntry.objects.count() == 2
