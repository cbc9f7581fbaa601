"""Benchmark: the month-end remittance (contributions' remit_premiums) of a month with 50,000 receipts.

    .venv/bin/python bench/bench_remittance.py [--receipts 50000]

Migrates a fresh database (a throwaway SQLite file by default; DATABASE_URL is honoured, e.g.
postgres://postgres@127.0.0.1:5432/bench_contributions, which is dropped and recreated), bulk-inserts
the month's confirmed receipts plus as many already remitted in an earlier month and as many legacy
ones (which the claim must skip), then runs the real service remittance_generate (what the command,
the page and Celery beat run) and a second run (must add nothing). The job writes the vouchers
(Excel with every receipt, PDF summary) into MEDIA_ROOT; the claim and the voucher writing are
timed apart, and so is a download of the stored Excel through the page.
"""

import argparse
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_interest import make_persons, setup_django  # noqa: E402


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

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"data: {n} receipts in 2025-05, {n} remitted earlier, {n} legacy (built in {built:.1f} s)")
    print(f"remit_premiums 2025-05, claim: {elapsed:.2f} s, {n / elapsed:,.0f} receipts/s, total {result['total']} 元")
    print(f"  voucher Excel written to MEDIA_ROOT ({size / 1024:.0f} KiB): {xlsx_time:.2f} s, {n / xlsx_time:,.0f} rows/s")
    print(f"  voucher PDF written to MEDIA_ROOT: {pdf_time:.2f} s")
    print(f"  whole job (claim + vouchers): {elapsed + xlsx_time + pdf_time:.2f} s")
    print(f"second run (adds nothing): {rerun:.3f} s")
    print(f"download of the stored Excel through the page: {download:.3f} s")


if __name__ == "__main__":
    main()
