"""Benchmark: the monthly payroll for 60,000 pensioners.

Builds 60,000 receiving pensioners in a throwaway database, runs benefits.services.payroll_generate
for the current month (the same service the page, the beat job and `run_payroll` call), and prints
its time and lines per second beside the floor: one INSERT ... SELECT producing the same rows on the
same database. Then times the second run (nothing to add) that a rerun or a retry costs, and the
export of the reviewed run: one Excel per bank plus the bank's return-file template, all stored
(benefits.services.payroll_export, which the page runs as a job), beside its floor: the same rows
read with one raw query and written as plain values by openpyxl's write-only workbook (lxml) to
the same number of files.

On PostgreSQL the built tables are vacuumed and analysed before the service runs (as autovacuum
keeps a county's database: the service does not pay for setting the new rows' hint bits, nor plan
without statistics), and the line table again after the service's lines are deleted, before the
floor (which then does not step over 60,000 dead index entries): both insert into a clean table.

    .venv/bin/python bench/bench_payroll.py                      # SQLite file /tmp/bench_payroll.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_payroll .venv/bin/python bench/bench_payroll.py

A PostgreSQL database is dropped and created again, so its name must contain "bench".
"""

import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

from jobtable import report  # bench/ is on sys.path: the script's own folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PENSIONERS = int(os.environ.get("BENCH_PENSIONERS", "60000"))
SQLITE_FILE = Path("/tmp/bench_payroll.sqlite3")


def prepare_database() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        SQLITE_FILE.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
        return f"SQLite {SQLITE_FILE}"
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        name = parsed.path.lstrip("/")
        if "bench" not in name:
            sys.exit(f"refusing to drop database {name!r}: use a name containing 'bench'")
        import psycopg2

        admin = psycopg2.connect(host=parsed.hostname, port=parsed.port or 5432, user=parsed.username,
                                 password=parsed.password, dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cur.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        return f"PostgreSQL {name}"
    if parsed.scheme == "sqlite":
        Path(parsed.path).unlink(missing_ok=True)
    return url


def main() -> None:
    where = prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linggao_pension.settings")
    # As in production: DEBUG off, so Django does not record every query it runs.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from benefits import selectors, services
    from benefits.models import PayrollLine, PayrollRun, Pension
    from enrollment.models import Person
    from enrollment.rules import id_check_char
    from linggao_pension import periods
    from linggao_pension.org.models import Town

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    month = periods.month_start(timezone.localdate())
    towns = list(Town.objects.values_list("pk", flat=True))
    banks = ["海南农信", "中国农业银行", "中国邮政储蓄银行", "中国工商银行"]
    persons = []
    for i in range(PENSIONERS):
        birth = date(1940, 1, 1) + timedelta(days=i % 7000)
        first17 = f"469024{birth:%Y%m%d}{i // 7000:03d}"  # (birth, sequence) unique for every i
        persons.append(Person(
            insured_no=f"4690249{i:08d}", id_number=first17 + id_check_char(first17),
            name=f"测试{i}", sex="1" if i % 2 else "2", birth_date=birth, town_id=towns[i % len(towns)],
            identity_id="011", enrolled_on=date(2011, 7, 1), status=Person.Status.RECEIVING,
            bank_name=banks[i % len(banks)], bank_account=f"6217{i:012d}",
        ))
    with transaction.atomic():
        Person.objects.bulk_create(persons, batch_size=5000)
        person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
        Pension.objects.bulk_create(
            [
                Pension(
                    person_id=pid, source=Pension.Source.IMPORTED, start_month=month, first_payroll_month=month,
                    contribution_years=15, balance_on=month, balance_by_source={"personal": "1390.00"},
                    account_balance=Decimal("1390.00"), account_pension=Decimal(f"{5 + i % 90}.{i % 100:02d}"),
                    basic_pension=Decimal("291.00"), last_certified_on=month,
                )
                for i, pid in enumerate(person_ids)
            ],
            batch_size=5000,
        )
    vacuum("benefits_pension", "enrollment_person", "benefits_payrollline")
    setup = time.perf_counter() - started

    t0 = time.perf_counter()
    result = services.payroll_generate(month=month, by=None)
    service_time = time.perf_counter() - t0
    t0 = time.perf_counter()
    rerun = services.payroll_generate(month=month, by=None)
    rerun_time = time.perf_counter() - t0
    assert result["lines"] == result["created"] == PENSIONERS, result
    assert rerun["created"] == 0, rerun

    # The floor: the same rows from one INSERT ... SELECT (the standard of the month is one constant
    # here: every pensioner has 15 years and there is no age extra).
    run = PayrollRun.objects.get(month=month)
    basic = selectors.pension_tables().basic_total(month=month, years=15, age=70)
    PayrollLine.objects.filter(run=run).delete()
    vacuum("benefits_payrollline")
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO benefits_payrollline
                (run_id, pension_id, person_id, town_id, month, kind, basic_amount, account_amount, amount,
                 bank_name, bank_account, status, failure_reason, drawn_amount, account_exhausted, created_at,
                 other_amount, offset_amount, payee_name, payee_id_number)
            SELECT %s, p.id, p.person_id, pe.town_id, %s, 'normal', %s, p.account_pension, %s + p.account_pension,
                   pe.bank_name, pe.bank_account, 'pending', '', 0, %s, %s, 0, 0, '', ''
            FROM benefits_pension p JOIN enrollment_person pe ON pe.id = p.person_id
            WHERE p.status = 'active' AND pe.status = 'receiving' AND p.first_payroll_month <= %s
            """,
            [run.pk, month, basic, basic, False, timezone.now(), month],
        )
        floor_rows = cur.rowcount
    floor_time = time.perf_counter() - t0
    count, total = selectors.run_totals(run)
    assert floor_rows == count == PENSIONERS
    assert str(total) == result["total"], (total, result["total"])

    print(f"bench_payroll on {where}: {PENSIONERS:,} pensioners (setup {setup:.1f} s)")
    print(f"  payroll_generate          {service_time:7.2f} s   {PENSIONERS / service_time:10,.0f} lines/s   "
          f"total {result['total']} 元")
    print(f"  INSERT ... SELECT (floor) {floor_time:7.2f} s   {PENSIONERS / floor_time:10,.0f} lines/s   "
          f"same {count:,} rows, same total")
    print(f"  service / floor           {service_time / floor_time:7.1f} ×")
    print(f"  second run (adds nothing) {rerun_time:7.2f} s")

    from linggao_pension.org.models import User

    bench_user = User.objects.create_superuser("bench", password=None)
    services.payroll_review(run=run, by=bench_user)
    t0 = time.perf_counter()
    files = services.payroll_export(run=run, by=bench_user)
    export_time = time.perf_counter() - t0
    assert sum(f.line_count for f in files) == PENSIONERS
    t0 = time.perf_counter()
    floor_files = export_floor(run.pk)
    export_floor_time = time.perf_counter() - t0
    assert floor_files == len(files) + 1, (floor_files, len(files))
    print(f"  export (bank files + return template) {export_time:7.2f} s   {PENSIONERS / export_time:10,.0f} lines/s   "
          f"{len(files)} bank files")
    print(f"  export floor (raw query + write-only Excel) {export_floor_time:7.2f} s   "
          f"{PENSIONERS / export_floor_time:10,.0f} lines/s   {floor_files} files")
    print(f"  export / floor            {export_time / export_floor_time:7.1f} ×")
    report(f"payroll generation, {PENSIONERS:,} pensioners", service_time, floor=floor_time,
           floor_what="one INSERT ... SELECT of the same lines")
    report("payroll generation, second run (adds nothing)", rerun_time)
    report(f"bank-file export, {PENSIONERS:,} lines", export_time, floor=export_floor_time,
           floor_what="one raw query, openpyxl write-only, same files")


def vacuum(*tables: str) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in tables:
                cur.execute(f"VACUUM ANALYZE {table}")


def export_floor(run_id: int) -> int:
    """The export's floor: the exported lines (pending, with an account, something to pay) read with
    one raw query, one write-only workbook of plain values per bank and one for the return template,
    each written to a file. Returns the number of files."""
    import tempfile
    from itertools import groupby

    from django.db import connection
    from openpyxl import Workbook

    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT l.bank_name, l.id, COALESCE(NULLIF(l.payee_name, ''), pe.name),
                   COALESCE(NULLIF(l.payee_id_number, ''), pe.id_number), l.bank_account, l.amount,
                   to_char(l.month, 'YYYY-MM'), l.kind
            FROM benefits_payrollline l JOIN enrollment_person pe ON pe.id = l.person_id
            WHERE l.run_id = %s AND l.status = 'pending' AND l.amount > 0 AND l.bank_account <> ''
            ORDER BY l.bank_name, l.id
            """
            if connection.vendor == "postgresql" else
            """
            SELECT l.bank_name, l.id, COALESCE(NULLIF(l.payee_name, ''), pe.name),
                   COALESCE(NULLIF(l.payee_id_number, ''), pe.id_number), l.bank_account, l.amount,
                   strftime('%%Y-%%m', l.month), l.kind
            FROM benefits_payrollline l JOIN enrollment_person pe ON pe.id = l.person_id
            WHERE l.run_id = %s AND l.status = 'pending' AND l.amount > 0 AND l.bank_account <> ''
            ORDER BY l.bank_name, l.id
            """,
            [run_id],
        )
        rows = cur.fetchall()
    files = 0
    with tempfile.TemporaryDirectory() as tmp:
        for bank, lines in groupby(rows, key=lambda r: r[0]):
            wb = Workbook(write_only=True)
            ws = wb.create_sheet("代发明细")
            for r in lines:
                ws.append(r[1:])
            wb.save(Path(tmp) / f"{bank or files}.xlsx")
            files += 1
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("回盘")
        for r in rows:
            ws.append((r[1], r[3], r[4], r[5], "", ""))
        wb.save(Path(tmp) / "template.xlsx")
        files += 1
    return files


if __name__ == "__main__":
    main()
