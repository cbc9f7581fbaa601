"""Benchmark: import a 10,000-row legacy registry file (enrollment's import_residents).

    .venv/bin/python bench/bench_import_residents.py [--rows 10000]

Builds the xlsx, migrates a fresh database (a throwaway SQLite file by default; DATABASE_URL is
honoured, e.g. postgres://postgres@127.0.0.1:5432/bench_enrollment — that database is dropped and
recreated), then imports it with the same service the command and the upload page use, and prints
rows per second for reading+validating and for the whole import, and the import's floor: reading the
file plus inserting the same persons in one go (measure_floor).
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

from jobtable import report  # bench/ is on sys.path: the script's own folder

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
    floor_read, floor_insert = measure_floor(data, args.rows)
    floor = floor_read + floor_insert

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"rows: {args.rows}, file: {len(data) / 1024:.0f} KiB (built in {built:.2f} s)")
    print(f"read xlsx:         {read:6.2f} s  {args.rows / read:9.0f} rows/s")
    print(f"validate:          {validated:6.2f} s  {args.rows / validated:9.0f} rows/s")
    print(f"full import:       {total:6.2f} s  {args.rows / total:9.0f} rows/s  (read + validate + insert with history)")
    how = "one COPY" if connection.vendor == "postgresql" else "multi-row INSERTs"
    print(f"  import floor (read xlsx {floor_read:.2f} s + insert in {how} {floor_insert:.2f} s)  {floor:.2f} s")
    print(f"  import / floor  {total / floor:.1f} ×")
    report(f"resident import, {args.rows:,} rows", total, floor=floor, floor_what=f"read the file + {how}")


def measure_floor(data: bytes, count: int) -> tuple[float, float]:
    """The floor of the import on the same data: read the file (openpyxl read-only, as the import
    does) plus inserting the same persons in one go: COPY on PostgreSQL (cheaper than one multi-row INSERT of
    10,000 rows), multi-row INSERTs on SQLite (the columns the import wrote, taken from
    the database, after deleting them and their history rows). Returns (read, insert) seconds."""
    from django.db import connection, transaction

    from enrollment import resident_import
    from enrollment.models import Person
    from linggao_pension.demo_bulk import copy_rows
    from linggao_pension.imports import read_rows

    fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
    # Plain values as the model holds them (COPY's text format takes str() of each; SQLite's adapted).
    prep = (lambda f, v: v) if connection.vendor == "postgresql" else (lambda f, v: f.get_db_prep_save(v, connection))
    rows = [[prep(f, getattr(p, f.attname)) for f in fields] for p in Person.objects.order_by("pk")]
    with transaction.atomic():
        Person.history.all().delete()
        Person.objects.all().delete()
    started = time.perf_counter()
    read = read_rows(io.BytesIO(data), resident_import.HEADERS)
    read_time = time.perf_counter() - started
    assert len(read) == count
    ops = connection.ops
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":  # COPY: cheaper than one multi-row INSERT of 10,000 rows
            copy_rows(Person, [f.attname for f in fields], rows)
        else:  # SQLite: multi-row INSERTs of at most max_query_params values
            per = connection.features.max_query_params // len(fields)
            with connection.cursor() as cursor:
                for start in range(0, len(rows), per):
                    batch = rows[start : start + per]
                    cursor.execute(
                        f"INSERT INTO {ops.quote_name(Person._meta.db_table)} ({columns}) VALUES "
                        + ", ".join([row_sql] * len(batch)),
                        [v for row in batch for v in row],
                    )
    insert_time = time.perf_counter() - started
    assert Person.objects.count() == count
    return read_time, insert_time


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
