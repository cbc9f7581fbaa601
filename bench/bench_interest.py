"""Benchmark: year-end interest posting (contributions' post_interest) for 250,000 accounts.

    .venv/bin/python bench/bench_interest.py [--accounts 250000] [--chunk 5000]

Migrates a fresh database (a throwaway SQLite file by default; DATABASE_URL is honoured, e.g.
postgres://postgres@127.0.0.1:5432/bench_contributions, which is dropped and recreated), bulk-inserts
the accounts (persons with a 2024 personal contribution, its subsidy, and 代缴 for some) and runs the
real service interest_post(year=2025) that the command, the page and Celery beat run. Prints the
time and accounts per second, and checks the total against the hand-computed figure. On PostgreSQL
also its floor: the same entries and month totals from one INSERT ... SELECT (measure_floor).
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from jobtable import report  # bench/ is on sys.path: the script's own folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(prefix: str) -> str:
    tmpdir = tempfile.mkdtemp(prefix=prefix)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tmpdir}/bench.sqlite3"
    else:
        recreate_postgres(os.environ["DATABASE_URL"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linggao_pension.settings")
    os.environ.setdefault("MEDIA_ROOT", tmpdir)
    # Measure as production runs: DEBUG off (no per-query logging).
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-key")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return tmpdir


def recreate_postgres(url: str) -> None:
    import dj_database_url
    import psycopg2

    cfg = dj_database_url.parse(url)
    name = cfg["NAME"]
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit("DATABASE_URL must name a throwaway database, e.g. .../bench_contributions")
    conn = psycopg2.connect(dbname="postgres", user=cfg["USER"], password=cfg["PASSWORD"] or None,
                            host=cfg["HOST"], port=cfg["PORT"] or 5432)  # fmt: skip
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def make_persons(count: int, *, identity_every: int = 0) -> list[int]:
    """`count` contributing persons spread over the 12 towns; returns their ids. Every column takes
    the model's default once (prepared for the database once); only number, ID, town and identity
    vary, so one multi-row INSERT per 1,000 persons does it."""
    from django.db import connection, transaction

    from enrollment.models import Person
    from linggao_pension.org.models import Town

    towns = list(Town.objects.values_list("pk", flat=True))
    template = Person(name="测试", sex="1", birth_date=date(1980, 1, 1), town_id=towns[0], enrolled_on=date(2015, 1, 1))
    fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
    base = [f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields]
    index = {f.attname: i for i, f in enumerate(fields)}
    ops = connection.ops
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch = 1000
    for start in range(0, count, batch):
        rows = []
        for n in range(start, min(count, start + batch)):
            row = list(base)
            row[index["insured_no"]] = f"B{n:014d}"
            row[index["id_number"]] = f"469024{n:012d}"
            row[index["town_id"]] = towns[n % len(towns)]
            row[index["identity_id"]] = "021" if identity_every and n % identity_every == 0 else "011"
            rows.append(row)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {ops.quote_name(Person._meta.db_table)} ({columns}) VALUES "
                + ", ".join([row_sql] * len(rows)),
                [v for row in rows for v in row],
            )
    return list(Person.objects.order_by("pk").values_list("pk", flat=True))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=250_000)
    parser.add_argument("--chunk", type=int, default=5000)
    args = parser.parse_args()
    setup_django("bench_interest_")

    from django.db import connection, transaction

    from contributions import services
    from contributions.models import AccountEntry, InterestPosting
    from contributions.services import NewEntry, account_post_fast

    started = time.perf_counter()
    ids = make_persons(args.accounts, identity_every=10)
    # The ledger, through the same fast insert the batches use: a 2024 contribution with its subsidy,
    # 代缴 for every tenth person, and a 2025 contribution (which earns nothing in 2025).
    entries = []
    for n, pid in enumerate(ids):
        entries.append(NewEntry(pid, "personal", "credit", Decimal("200.00"), date(2024, 4, 1), 2024, ""))
        entries.append(NewEntry(pid, "province", "credit", Decimal("30.00"), date(2024, 4, 1), 2024, ""))
        if n % 10 == 0:
            entries.append(NewEntry(pid, "daijiao", "credit", Decimal("100.00"), date(2024, 12, 31), 2024, ""))
        entries.append(NewEntry(pid, "personal", "credit", Decimal("300.00"), date(2025, 5, 1), 2025, ""))
    for start in range(0, len(entries), 50_000):
        with transaction.atomic():
            account_post_fast(entries=entries[start : start + 50_000], by=None)
    built = time.perf_counter() - started
    existing = AccountEntry.objects.count()
    del entries

    started = time.perf_counter()
    result = services.interest_post(year=2025, by=None, chunk_size=args.chunk)
    elapsed = time.perf_counter() - started

    # 230.00 × 1.50% = 3.45; 330.00 × 1.50% = 4.95 for every tenth (代缴 100)
    expected = Decimal("3.45") * (args.accounts - len(range(0, args.accounts, 10))) + Decimal("4.95") * len(
        range(0, args.accounts, 10)
    )
    assert result["accounts"] == args.accounts, result
    assert Decimal(result["total"]) == expected, (result, expected)
    assert InterestPosting.objects.get(year=2025).status == "done"
    floor_time, floor_what = measure_floor(year=2025, accounts=args.accounts)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"data: {args.accounts} accounts, {existing} ledger entries (built in {built:.1f} s)")
    print(f"post_interest 2025 (chunks of {args.chunk}): {elapsed:.2f} s, "
          f"{args.accounts / elapsed:,.0f} accounts/s, total {result['total']} 元")  # fmt: skip
    if floor_time is not None:
        print(f"  interest floor ({floor_what})  {floor_time:.2f} s  same rows, same total, same month totals")
        print(f"  interest / floor  {elapsed / floor_time:.1f} ×")
    report(f"interest posting, {args.accounts:,} accounts", elapsed, floor=floor_time, floor_what=floor_what or "")


# The floor: the same interest entries (and the same month totals the ledger services keep) from ONE
# set-based statement on the same data. ROUND(numeric, 2) rounds half away from zero, which is
# ROUND_HALF_UP for the positive openings that earn interest; the product is exact numeric.
FLOOR_SQL = """
WITH opening AS (
    SELECT e.person_id, SUM(e.amount) AS balance
    FROM contributions_accountentry e WHERE e.entry_date < %(jan1)s GROUP BY e.person_id
), ins AS (
    INSERT INTO contributions_accountentry
        (person_id, source, kind, amount, entry_date, year, memo, receipt_id, created_by_id, created_at)
    SELECT o.person_id, 'interest', 'interest', ROUND(o.balance * %(rate)s, 2), %(dec31)s, %(year)s, %(memo)s,
           NULL, NULL, now()
    FROM opening o
    WHERE o.balance > 0 AND ROUND(o.balance * %(rate)s, 2) > 0
      AND NOT EXISTS (SELECT 1 FROM contributions_interestsettlement s
                      WHERE s.person_id = o.person_id AND s.year = %(year)s)
    ON CONFLICT DO NOTHING
    RETURNING person_id, amount
)
INSERT INTO contributions_ledgermonthtotal AS t (month, town_id, source, kind, reversed_kind, amount, entries)
SELECT %(month)s, p.town_id, 'interest', 'interest', '', SUM(ins.amount), COUNT(*)
FROM ins JOIN enrollment_person p ON p.id = ins.person_id GROUP BY p.town_id
ON CONFLICT (month, town_id, source, kind, reversed_kind)
DO UPDATE SET amount = t.amount + excluded.amount, entries = t.entries + excluded.entries
"""


def measure_floor(*, year: int, accounts: int):
    """Delete the service's entries of the year (and their month totals), insert them again with
    FLOOR_SQL, and check the floor wrote the same rows and totals. PostgreSQL only."""
    from django.db import connection, transaction

    from contributions.models import AccountEntry, InterestPosting, LedgerMonthTotal

    if connection.vendor != "postgresql":
        return None, None
    rate = InterestPosting.objects.get(year=year).rate
    memo = f"{year}年度利息（记账利率 {rate * 100:.2f}%）"
    month = date(year, 12, 1)
    ours = AccountEntry.objects.filter(kind="interest", source="interest", year=year)
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE svc_entries AS SELECT person_id, amount, entry_date, year, memo "
                    "FROM contributions_accountentry WHERE kind = 'interest' AND source = 'interest' AND year = %s",
                    [year])  # fmt: skip
        cur.execute("CREATE TEMP TABLE svc_totals AS SELECT * FROM contributions_ledgermonthtotal")
    with transaction.atomic():
        ours.delete()
        LedgerMonthTotal.objects.filter(month=month, source="interest", kind="interest", reversed_kind="").delete()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE contributions_accountentry")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(FLOOR_SQL, {"jan1": date(year, 1, 1), "dec31": date(year, 12, 31), "year": year,
                                "rate": rate, "memo": memo, "month": month})  # fmt: skip
    elapsed = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("""SELECT (SELECT count(*) FROM (SELECT person_id, amount, entry_date, year, memo FROM svc_entries
                               EXCEPT SELECT person_id, amount, entry_date, year, memo FROM contributions_accountentry
                               WHERE kind = 'interest' AND source = 'interest' AND year = %s) a),
                              (SELECT count(*) FROM contributions_accountentry
                               WHERE kind = 'interest' AND source = 'interest' AND year = %s),
                              (SELECT count(*) FROM svc_entries)""", [year, year])  # fmt: skip
        missing, floor_rows, service_rows = cur.fetchone()
        cols = "month, town_id, source, kind, reversed_kind, amount, entries"
        cur.execute(f"SELECT count(*) FROM ((SELECT {cols} FROM svc_totals EXCEPT SELECT {cols} FROM "
                    f"contributions_ledgermonthtotal) UNION ALL (SELECT {cols} FROM contributions_ledgermonthtotal "
                    f"EXCEPT SELECT {cols} FROM svc_totals)) d")  # fmt: skip
        totals_differ = cur.fetchone()[0]
    assert missing == 0 and floor_rows == service_rows == accounts, (missing, floor_rows, service_rows)
    assert totals_differ == 0, totals_differ
    return elapsed, "one INSERT ... SELECT with its month totals"


if __name__ == "__main__":
    main()
