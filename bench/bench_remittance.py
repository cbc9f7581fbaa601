"""Benchmark: the month-end remittance (contributions' remit_premiums) of a month with 50,000 receipts.

    .venv/bin/python bench/bench_remittance.py [--receipts 50000]

Migrates a fresh database (a throwaway SQLite file by default; DATABASE_URL is honoured, e.g.
postgres://postgres@127.0.0.1:5432/bench_contributions, which is dropped and recreated), bulk-inserts
the month's confirmed receipts plus as many already remitted in an earlier month and as many legacy
ones (which the claim must skip), then runs the real service remittance_generate (what the command,
the page and Celery beat run) and a second run (must add nothing). The job writes the vouchers
(Excel with every receipt, PDF summary) into MEDIA_ROOT; the claim and the voucher writing are
timed apart, and so is a download of the stored Excel through the page. On PostgreSQL also the
floors of the claim (one UPDATE ... RETURNING with the totals) and of the voucher Excel (one raw
query written with openpyxl write-only), each checked to give the same result.
"""

import argparse
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_interest import make_persons, setup_django  # noqa: E402
from jobtable import report  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--receipts", type=int, default=50_000)
    args = parser.parse_args()
    setup_django("bench_remittance_")

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from contributions import services
    from contributions.models import Receipt, Remittance
    from enrollment.models import Person

    started = time.perf_counter()
    n = args.receipts
    ids = make_persons(n)
    towns = dict(Person.objects.values_list("pk", "town_id"))
    now = timezone.now()
    grades = [Decimal("100.00"), Decimal("200.00"), Decimal("300.00"), Decimal("500.00"), Decimal("1000.00")]

    def receipt(i, pid, year, paid_on, **kw):
        return Receipt(
            receipt_no=f"R{year}{i:010d}", person_id=pid, town_id=towns[pid], year=year, grade=grades[i % 5],
            personal_amount=grades[i % 5], collective_amount=Decimal("50.00") if i % 20 == 0 else Decimal("0.00"),
            paid_on=paid_on, method="2", status="confirmed", confirmed_at=now, **kw,
        )

    earlier = Remittance.objects.create(month=date(2025, 4, 1), status="generated")
    rows = []
    for i, pid in enumerate(ids):
        rows.append(receipt(i, pid, 2025, date(2025, 5, 1 + i % 31)))  # the month to remit
        rows.append(receipt(i, pid, 2024, date(2025, 4, 1 + i % 30), remittance=earlier))  # remitted before
        rows.append(receipt(i, pid, 2023, date(2023, 6, 1 + i % 30), legacy=True))  # legacy: never remitted
    for start in range(0, len(rows), 30_000):
        with transaction.atomic():
            Receipt.objects.bulk_create(rows[start : start + 30_000], batch_size=5000)
    built = time.perf_counter() - started
    expected = sum((r.personal_amount + r.collective_amount for r in rows[0::3]), Decimal("0.00"))
    del rows

    started = time.perf_counter()
    result = services.remittance_generate(month=date(2025, 5, 1), by=None, vouchers=False)
    elapsed = time.perf_counter() - started
    assert result == {"created": 1, "receipts": n, "total": f"{expected:.2f}"}, (result, expected)

    remittance = Remittance.objects.get(month=date(2025, 5, 1))
    started = time.perf_counter()
    services.remittance_voucher_store(remittance=remittance, parts=("xlsx",))
    xlsx_time = time.perf_counter() - started
    started = time.perf_counter()
    remittance = services.remittance_voucher_store(remittance=remittance, parts=("pdf",))
    pdf_time = time.perf_counter() - started
    size = remittance.voucher_xlsx.size

    started = time.perf_counter()
    again = services.remittance_generate(month=date(2025, 5, 1), by=None)
    rerun = time.perf_counter() - started
    assert again == {"created": 0, "receipts": 0, "total": "0.00"}

    user = get_user_model().objects.create_superuser("bench", password="x")
    client = Client()
    client.force_login(user)
    client.get(f"/contributions/remittances/{remittance.pk}/pdf/", HTTP_HOST="localhost")  # warm the URLconf and middleware
    started = time.perf_counter()
    response = client.get(f"/contributions/remittances/{remittance.pk}/xlsx/", HTTP_HOST="localhost")
    download = time.perf_counter() - started
    assert response.status_code == 200 and len(b"".join(response.streaming_content)) == size, response.status_code

    claim_floor = measure_claim_floor(remittance, date(2025, 5, 31)) if connection.vendor == "postgresql" else None
    excel_floor = measure_excel_floor(remittance) if connection.vendor == "postgresql" else None

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"data: {n} receipts in 2025-05, {n} remitted earlier, {n} legacy (built in {built:.1f} s)")
    print(f"remit_premiums 2025-05, claim: {elapsed:.2f} s, {n / elapsed:,.0f} receipts/s, total {result['total']} 元")
    print(f"  voucher Excel written to MEDIA_ROOT ({size / 1024:.0f} KiB): {xlsx_time:.2f} s, {n / xlsx_time:,.0f} rows/s")
    print(f"  voucher PDF written to MEDIA_ROOT: {pdf_time:.2f} s")
    print(f"  whole job (claim + vouchers): {elapsed + xlsx_time + pdf_time:.2f} s")
    if claim_floor is not None:
        print(f"  remittance floor (one UPDATE ... RETURNING with the totals)  {claim_floor:.2f} s  same receipts, same totals")
        print(f"  remittance / floor  {elapsed / claim_floor:.1f} ×")
        print(f"  voucher Excel floor (one raw query, openpyxl write-only with lxml)  {excel_floor:.2f} s  same rows")
        print(f"  voucher Excel / floor  {xlsx_time / excel_floor:.1f} ×")
    print(f"second run (adds nothing): {rerun:.3f} s")
    report(f"remittance claim, {n:,} receipts", elapsed, floor=claim_floor,
           floor_what="one UPDATE ... RETURNING with the totals")
    report(f"voucher Excel, {n:,} rows", xlsx_time, floor=excel_floor,
           floor_what="one raw query, openpyxl write-only with lxml")
    report("voucher PDF", pdf_time)
    print(f"download of the stored Excel through the page: {download:.3f} s")


def measure_claim_floor(remittance, up_to: date) -> float:
    """The claim's floor on the same data: undo the service's claim, then claim the same receipts and
    total them onto the remittance with ONE statement. Checks it took the same receipts (count and
    each total equal to the service's). PostgreSQL."""
    from django.db import connection, transaction

    from contributions.models import Receipt, Remittance

    claimed = set(Receipt.objects.filter(remittance=remittance).values_list("pk", flat=True))
    want = Remittance.objects.filter(pk=remittance.pk).values_list(
        "receipts_count", "personal_total", "collective_total", "sponsor_total", "total_amount"
    ).get()
    with transaction.atomic():
        Receipt.objects.filter(remittance=remittance).update(remittance=None)
        Remittance.objects.filter(pk=remittance.pk).update(
            receipts_count=0, personal_total=0, collective_total=0, sponsor_total=0, total_amount=0
        )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE contributions_receipt")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            WITH claimed AS (
                UPDATE contributions_receipt SET remittance_id = %(rem)s
                WHERE status = 'confirmed' AND NOT legacy AND remittance_id IS NULL AND paid_on <= %(up_to)s
                RETURNING personal_amount, collective_amount, sponsor_amount
            )
            UPDATE contributions_remittance r
            SET receipts_count = c.n, personal_total = c.p, collective_total = c.c, sponsor_total = c.s,
                total_amount = c.p + c.c + c.s
            FROM (SELECT count(*) AS n, COALESCE(SUM(personal_amount), 0) AS p,
                         COALESCE(SUM(collective_amount), 0) AS c, COALESCE(SUM(sponsor_amount), 0) AS s
                  FROM claimed) c
            WHERE r.id = %(rem)s
            """,
            {"rem": remittance.pk, "up_to": up_to},
        )
    elapsed = time.perf_counter() - started
    got = Remittance.objects.filter(pk=remittance.pk).values_list(
        "receipts_count", "personal_total", "collective_total", "sponsor_total", "total_amount"
    ).get()
    assert got == want, (got, want)
    assert set(Receipt.objects.filter(remittance=remittance).values_list("pk", flat=True)) == claimed
    return elapsed


def measure_excel_floor(remittance) -> float:
    """The voucher Excel's floor: the receipt rows of the stored voucher (masked ID, method label,
    row total, in its order) from ONE raw query, appended as plain values to an openpyxl write-only
    workbook (lxml) and saved to memory. Checks the rows equal the stored voucher's. PostgreSQL."""
    import io

    from django.db import connection
    from openpyxl import Workbook, load_workbook

    from contributions.models import Receipt

    methods = " ".join(f"WHEN '{code}' THEN '{label}'" for code, label in Receipt.Method.choices)
    sql = f"""
        SELECT r.receipt_no, t.name, p.name,
               left(p.id_number, 6) || repeat('*', length(p.id_number) - 10) || right(p.id_number, 4),
               r.year, r.paid_on, CASE r.method {methods} END, r.personal_amount, r.collective_amount,
               r.sponsor_amount, r.personal_amount + r.collective_amount + r.sponsor_amount
        FROM contributions_receipt r JOIN org_town t ON t.id = r.town_id JOIN enrollment_person p ON p.id = r.person_id
        WHERE r.remittance_id = %s ORDER BY t.sort_order, r.paid_on, r.id
    """
    started = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("票据明细")
    with connection.cursor() as cur:
        cur.execute(sql, [remittance.pk])
        for row in cur:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    elapsed = time.perf_counter() - started

    def rows(data: bytes, skip: int, drop_last: int) -> list:
        sheet = load_workbook(io.BytesIO(data), read_only=True)["票据明细"]
        out = list(sheet.iter_rows(min_row=skip + 1, values_only=True))
        return out[: len(out) - drop_last]

    with remittance.voucher_xlsx.open("rb") as f:
        stored = f.read()
    assert rows(buffer.getvalue(), 0, 0) == rows(stored, 3, 1)  # heading lines, header; the totals row
    return elapsed


if __name__ == "__main__":
    main()
