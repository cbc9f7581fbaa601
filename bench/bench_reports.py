"""Benchmark: the monthly statistical report and the fund report at county scale.

Runs on a database already seeded with the county (it changes nothing but filing the built
reports): computes the figures of last month from the records, then writes the Excel and the PDF,
and prints each time. The issue's targets: the Excel under 10 s, the PDF under 5 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_county .venv/bin/python manage.py seed_demo --residents 250000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_county .venv/bin/python bench/bench_reports.py
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linggao_pension.settings")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from django.utils import timezone

    from enrollment.models import Person
    from linggao_pension import periods
    from reports import documents
    from reports.services import statistical

    month = periods.add_months(periods.month_start(timezone.localdate()), -1)
    print(f"county: {Person.objects.count():,} insured; report month {month:%Y-%m}")
    print(f"{'report':<10}{'figures (s)':>14}{'Excel (s)':>12}{'PDF (s)':>10}{'total (s)':>12}")
    for kind in ("monthly", "fund"):
        t0 = time.perf_counter()
        groups, towns, total = statistical.report_compute(kind=kind, month=month)
        t1 = time.perf_counter()
        args = dict(kind=kind, month=month, groups=groups, towns=towns, total=total, version=1,
                    issued_on=timezone.localdate())
        documents.report_xlsx(**args)
        t2 = time.perf_counter()
        documents.report_pdf(**args)
        t3 = time.perf_counter()
        excel, pdf = (t1 - t0) + (t2 - t1), (t1 - t0) + (t3 - t2)
        print(f"{kind:<10}{t1 - t0:>14.2f}{t2 - t1:>12.2f}{t3 - t2:>10.2f}{t3 - t0:>12.2f}")
        print(f"  built as Excel {excel:.2f} s (target < 10 s), as PDF {pdf:.2f} s (target < 5 s)")


if __name__ == "__main__":
    main()
