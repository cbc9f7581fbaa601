"""Bulk loading for the demo seeders (manage.py seed_demo): COPY ... FROM STDIN on PostgreSQL, the
shared multi-row INSERTs elsewhere (the small SQLite demo of `make run`), and history rows written
by the database with one INSERT ... SELECT.

At county scale (250,000 residents: a million receipts, three million ledger entries) the
seeding time is the database's per-row cost: COPY is several times cheaper than parameterised
multi-row INSERTs, and while a seeder's transaction loads generated rows the foreign-key triggers
are skipped when the role may do so (session_replication_role = replica, a superuser's right):
the rows are made here from rows just read, so the checks could only pass. Unique and CHECK
constraints are still enforced. Demo data only: never used by a service.
"""

import io
import json
from collections.abc import Iterable, Sequence

from django.db import connection
from django.utils import timezone

from .db import insert_ignore_conflicts

_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_FLUSH_ROWS = 50_000


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPE)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPE)
    return str(value)  # int, Decimal, date, aware datetime: PostgreSQL reads str() of each


def fast_session() -> None:
    """For the current transaction on PostgreSQL: no wait for the WAL flush at each commit, and no
    foreign-key triggers when the role is a superuser. Call inside transaction.atomic()."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO off")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role TO replica")


def copy_rows(model, fields: Sequence[str], rows: Iterable[Sequence], *, lines: Iterable[str] | None = None) -> int:
    """Insert `rows` (tuples of plain values in the order of `fields`, model field names or attnames)
    into the model's table; returns how many. On PostgreSQL a caller with millions of rows may pass
    `lines` instead, each row already in COPY's text format ending in a newline (see `text`),
    `rows` being used only on SQLite. The caller holds the transaction."""
    if not is_postgresql():
        rows = list(rows)
        insert_ignore_conflicts(model, fields, rows, returning=None)
        return len(rows)
    if lines is None:
        lines = ("\t".join([text(v) for v in row]) + "\n" for row in rows)
    meta = model._meta
    concrete = {f.attname: f for f in meta.concrete_fields} | {f.name: f for f in meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(concrete[name].column) for name in fields)
    sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    count = 0
    buffer: list[str] = []
    with connection.cursor() as cursor:
        raw = cursor.cursor

        def flush() -> None:
            if buffer:
                raw.copy_expert(sql, io.StringIO("".join(buffer)))
                buffer.clear()

        for line in lines:
            buffer.append(line)
            count += 1
            if len(buffer) >= _FLUSH_ROWS:
                flush()
        flush()
    return count


def copy_objects(model, objs: Sequence) -> int:
    """Insert unsaved model instances (their auto-now fields filled, no primary keys given back):
    COPY on PostgreSQL, bulk_create elsewhere."""
    if not is_postgresql():
        model.objects.bulk_create(objs, batch_size=1000)
        return len(objs)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return copy_rows(
        model, [f.attname for f in fields], ([f.pre_save(obj, True) for f in fields] for obj in objs)
    )


def history_insert_select(model, *, where: str, params: Sequence, reason: str, history_type: str = "+",
                          user_id: int | None = None) -> None:  # fmt: skip
    """One simple-history row for each row of `model` matching `where` (SQL on the model's table),
    copied by the database with one INSERT ... SELECT: bulk_history_create builds a Python object per
    row and costs more than the rows themselves at county scale."""
    history = model.history.model
    columns_of_model = {f.column for f in model._meta.concrete_fields}
    columns = [f.column for f in history._meta.concrete_fields if f.column in columns_of_model]
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({names}, history_date, history_change_reason, history_type, "
        f"history_user_id) SELECT {names}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} WHERE {where}"
    )
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [at, reason, history_type, user_id, *params])
