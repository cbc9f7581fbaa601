"""The ledger's month totals (LedgerMonthTotal) that the monthly reports sum instead of the entries.

Every posting service of ledger.py adds what it inserted, in its own transaction (a posting that
rolls back takes its totals with it); a person's move to another town moves their totals in the
transaction of the move; `ledger_totals_rebuild` recomputes the whole table from the entries (after a
bulk load that bypassed the services, and as the backfill of migration 0011).

A total is keyed by (month of the entry date, the person's town, source, kind, reversed kind), so
a report month's figures, the months before it (the opening balance) and the year to date are sums
of whole months. Adding is one INSERT ... ON CONFLICT DO UPDATE (PostgreSQL and SQLite) with the
rows in key order, so two postings at once wait for each other on a shared total, never deadlock.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from enrollment.models import Person

from ..models import AccountEntry, LedgerMonthTotal

_KEY = ("month", "town_id", "source", "kind", "reversed_kind")
_CHUNK = 5000


def _grouped(entries):
    """Entries (a queryset) summed by the totals' key."""
    return (
        entries.order_by()
        .annotate(t_month=TruncMonth("entry_date"), t_reversed=Coalesce(F("reverses__kind"), Value("")))
        .values("t_month", "person__town_id", "source", "kind", "t_reversed")
        .annotate(t_amount=Sum("amount"), t_entries=Count("pk"))
    )


def _rows(grouped, sign: int = 1, town_id: int | None = None) -> list[tuple]:
    return [
        (
            r["t_month"],
            town_id or r["person__town_id"],
            r["source"],
            r["kind"],
            r["t_reversed"],
            sign * r["t_amount"],
            sign * r["t_entries"],
        )
        for r in grouped
    ]


def _upsert(rows: Iterable[tuple]) -> None:
    """Add (month, town, source, kind, reversed kind, amount, entries) rows to the totals."""
    merged: dict[tuple, list] = {}
    for *key, amount, entries in rows:
        total = merged.setdefault(tuple(key), [Decimal("0.00"), 0])
        total[0] += amount
        total[1] += entries
    if not merged:
        return
    qn = connection.ops.quote_name
    table = qn(LedgerMonthTotal._meta.db_table)
    columns = [LedgerMonthTotal._meta.get_field(name).column for name in (*_KEY, "amount", "entries")]
    conflict = ", ".join(qn(c) for c in columns[:5])
    amount, entries = qn("amount"), qn("entries")
    items = sorted(merged.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            sql = (
                f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
                + f" ON CONFLICT ({conflict}) DO UPDATE SET {amount} = {table}.{amount} + excluded.{amount},"
                f" {entries} = {table}.{entries} + excluded.{entries}"
            )
            params = [v for key, (a, n) in chunk for v in (*key, a, n)]
            cursor.execute(sql, params)


def ledger_totals_add(entry_ids: Iterable[int]) -> None:
    """Add entries just inserted (by primary key) to the totals; the caller holds the transaction."""
    ids = list(entry_ids)
    for start in range(0, len(ids), _CHUNK):
        _upsert(_rows(_grouped(AccountEntry.objects.filter(pk__in=ids[start : start + _CHUNK]))))


def ledger_totals_add_rows(rows: Iterable[tuple]) -> None:
    """Add entries just inserted, given as (person_id, source, kind, amount, entry_date) and none of
    them a reversal (account_post_fast's rows): no reading back, one query for the persons' towns."""
    rows = list(rows)
    person_ids = sorted({r[0] for r in rows})
    towns: dict[int, int] = {}
    persons = Person.objects.order_by().values_list("pk", "town_id")
    if person_ids and person_ids[-1] - person_ids[0] < 4 * len(person_ids):
        # A batch job's chunk of persons (interest, 代缴) is a range of keys: one index range scan.
        towns.update(persons.filter(pk__gte=person_ids[0], pk__lte=person_ids[-1]))
    else:
        for start in range(0, len(person_ids), _CHUNK):
            towns.update(persons.filter(pk__in=person_ids[start : start + _CHUNK]))
    _upsert(
        (entry_date.replace(day=1), towns[person_id], source, kind, "", amount, 1)
        for person_id, source, kind, amount, entry_date in rows
    )


@transaction.atomic
def ledger_totals_person_moved(*, person, from_town_id: int) -> None:
    """Declared in apps.py (`person_moved`): enrollment moved the person to another town or village."""
    ledger_totals_move(person_id=person.pk, from_town_id=from_town_id, to_town_id=person.town_id)


def ledger_totals_move(*, person_id: int, from_town_id: int, to_town_id: int) -> None:
    """A person moved town: their entries' totals leave the old town for the new one."""
    if from_town_id == to_town_id:
        return
    grouped = list(_grouped(AccountEntry.objects.filter(person_id=person_id)))
    _upsert(_rows(grouped, -1, from_town_id) + _rows(grouped, 1, to_town_id))


@transaction.atomic
def ledger_totals_rebuild() -> int:
    """Recompute every total from the entries; returns the number of totals."""
    LedgerMonthTotal.objects.all().delete()
    totals = [
        LedgerMonthTotal(
            month=month,
            town_id=town_id,
            source=source,
            kind=kind,
            reversed_kind=reversed_kind,
            amount=amount,
            entries=entries,
        )
        for month, town_id, source, kind, reversed_kind, amount, entries in _rows(
            _grouped(AccountEntry.objects.all())
        )
    ]
    LedgerMonthTotal.objects.bulk_create(totals, batch_size=2000)
    return len(totals)
