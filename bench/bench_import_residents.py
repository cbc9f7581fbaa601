"""Benchmark: import a 10,000-row legacy registry file (enrollment's import_residents).

    .venv/bin/python bench/bench_import_residents.py [--rows 10000]

Builds the xlsx, migrates a fresh database (a throwaway SQLite file by default; DATABASE_URL is
honoured, e.g. postgres://postgres@127.0.0.1:5432/bench_enrollment — that database is dropped and
recreated), then imports it with the same service the command and the upload page use, and prints
rows per second for reading+validating and for the whole import.
"""

import argparse
import atexit
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    tmpdir = tempfile.mkdtemp(prefix="bench_import_")
    atexit.register(shutil.rmtree, tmpdir, ignore_errors=True)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tmpdir}/bench.sqlite3"
    else:
        _recreate_postgres(os.environ["DATABASE_URL"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linggao_pension.settings")
    os.environ.setdefault("MEDIA_ROOT", tmpdir)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)

    from enrollment import resident_import, services
    from enrollment.models import Person
    from linggao_pension.imports import read_rows
    from tests.enrollment.xlsx import valid_rows, workbook_bytes

    started = time.perf_counter()
    data = workbook_bytes(valid_rows(args.rows))
    built = time.perf_counter() - started

    started = time.perf_counter()
    rows = read_rows(io.BytesIO(data), resident_import.HEADERS)
    read = time.perf_counter() - started
    started = time.perf_counter()
    _, errors = resident_import.validate(rows, resident_import.ImportContext.load())
    validated = time.perf_counter() - started
    assert not errors, errors[:3]

    started = time.perf_counter()
    result = services.residents_import(file=io.BytesIO(data), by=None)
    total = time.perf_counter() - started
    assert result.ok and result.imported == args.rows, result.errors[:3]
    assert Person.objects.count() == args.rows and Person.history.count() == args.rows

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"rows: {args.rows}, file: {len(data) / 1024:.0f} KiB (built in {built:.2f} s)")
    print(f"read xlsx:         {read:6.2f} s  {args.rows / read:9.0f} rows/s")
    print(f"validate:          {validated:6.2f} s  {args.rows / validated:9.0f} rows/s")
    print(f"full import:       {total:6.2f} s  {args.rows / total:9.0f} rows/s  (read + validate + insert with history)")


def _recreate_postgres(url: str) -> None:
    import dj_database_url
    import psycopg2

    cfg = dj_database_url.parse(url)
    name = cfg["NAME"]
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit("DATABASE_URL must name a throwaway database, e.g. .../bench_enrollment")
    conn = psycopg2.connect(dbname="postgres", user=cfg["USER"], password=cfg["PASSWORD"] or None,
                            host=cfg["HOST"], port=cfg["PORT"] or 5432)  # fmt: skip
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


if __name__ == "__main__":
    main()
