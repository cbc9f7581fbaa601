"""Database helpers every app shares: money columns, fast idempotent multi-row inserts, bulk updates
with history, bulk creation with history. Plain Django on PostgreSQL and SQLite alike."""

import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from io import StringIO

from django.db import connection, models, transaction
from django.utils import timezone

MONEY_DIGITS = 14
MONEY_PLACES = 2


def money_field(verbose_name: str | None = None, **kwargs) -> models.DecimalField:
    """An amount in 元: DecimalField(max_digits=14, decimal_places=2) (architecture.md "Money")."""
    return models.DecimalField(verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs)


def commit_without_flush() -> None:
    """For the current transaction on PostgreSQL: its COMMIT does not wait for the WAL flush
    (synchronous_commit off). Only for a batch job's chunk that its rerun or resume writes again
    without doubling anything (ON CONFLICT DO NOTHING on a unique index): a server crash may lose the
    last chunks committed this way, never half of one; the job's closing commit, an ordinary one,
    flushes every chunk before it. Call inside transaction.atomic()."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO off")


def _adapter(field):
    ops = connection.ops
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda v: None if v is None else ops.adapt_decimalfield_value(Decimal(v), digits, places)
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if isinstance(field, models.JSONField):
        return lambda v: field.get_db_prep_value(v, connection)
    return None


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_date(value) -> str:
    # A datetime is a date too: a DateField given one would write the time as well.
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


def _copy_datetime(value) -> str:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}")
    return value.isoformat(" ")


def _copy_bool(value) -> str:
    return "t" if value else "f"


def _copy_text(value) -> str:
    return str(value).translate(_COPY_ESCAPES)


def _copy_int(value) -> str:
    return str(int(value))


def _copy_decimal(value) -> str:
    return str(value if isinstance(value, Decimal) else Decimal(value))


# How COPY's text format writes a value of each field type (NULL is \\N; a string's backslash, tab
# and line breaks are escaped); a model with any other field type is inserted with VALUES.
_COPY_FORMATS = {
    "CharField": _copy_text, "TextField": _copy_text, "DateField": _copy_date,
    "DateTimeField": _copy_datetime, "BooleanField": _copy_bool, "DecimalField": _copy_decimal,
} | dict.fromkeys(
    ("AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
     "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField"),
    _copy_int,
)


def _copy_format(field):
    internal = field.target_field.get_internal_type() if field.is_relation else field.get_internal_type()
    return _COPY_FORMATS.get(internal)


class _CopyMemo(dict):
    """A column's values already written (None is \\N), so that a value repeated across rows (the
    run, the status, a bank's name, the month, an amount) is formatted once."""

    def __init__(self, fmt):
        super().__init__({None: "\\N"})
        self.fmt = fmt

    def __missing__(self, value) -> str:
        text = self.fmt(value)
        if len(self) < 5_000:
            self[value] = text
        return text


def _copy_lines(formats, rows: Iterable[Sequence]):
    """Each row as one line of COPY's text format."""
    memos = [_CopyMemo(fmt) for fmt in formats]
    for row in rows:
        yield "\t".join([memo[value] for memo, value in zip(memos, row, strict=True)]) + "\n"


def _insert_via_copy(model, cols, rows: Iterable[Sequence], ret_column: str | None) -> list:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT ... SELECT ... ON CONFLICT
    DO NOTHING. Nothing to parse per row and one round trip, which makes a 60,000-line payroll
    insert nearly as fast as an INSERT ... SELECT computed in the database (bench/bench_payroll.py).
    A column with the same value in every row (the run, the status, the creation time) is not
    copied: the SELECT gives it as one parameter."""
    rows = list(rows)
    if not rows:
        return []
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    values_by_column = list(zip(*rows, strict=True))
    copied = [
        i for i, values in enumerate(values_by_column) if i == 0 or values.count(values[0]) != len(values)
    ]
    copied_columns = ", ".join(ops.quote_name(cols[i].column) for i in copied)
    select, params = [], []
    for i, field in enumerate(cols):
        if i in copied:
            select.append(ops.quote_name(field.column))
        else:
            # The type without its length or precision: an explicit cast to varchar(n) would cut a
            # long value where the INSERT refuses it (as a copied one is).
            select.append(f"CAST(%s AS {field.db_type(connection).split('(')[0]})")
            params.append(values_by_column[i][0])
    buffer = StringIO()
    buffer.writelines(_copy_lines([_copy_format(cols[i]) for i in copied], (
        [row[i] for i in copied] for row in rows
    )))
    buffer.seek(0)
    temp = ops.quote_name(f"_insert_{model._meta.db_table}")
    ret_sql = f" RETURNING {ops.quote_name(ret_column)}" if ret_column else ""
    # In one transaction (a savepoint inside the caller's): the temporary table is dropped at the
    # end, or with everything else if anything fails.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {copied_columns} FROM {table} "
                       "WITH NO DATA")
        with connection.wrap_database_errors:  # psycopg2's errors as Django's (DataError...), as execute does
            cursor.cursor.copy_expert(f"COPY {temp} ({copied_columns}) FROM STDIN", buffer)
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(ops.quote_name(f.column) for f in cols)}) "
            f"SELECT {', '.join(select)} FROM {temp} ON CONFLICT DO NOTHING{ret_sql}",
            params,
        )
        out = [r[0] for r in cursor.fetchall()] if ret_sql else []
        cursor.execute(f"DROP TABLE {temp}")
    return out


def insert_ignore_conflicts(
    model, fields: Sequence[str], rows: Iterable[Sequence], *, returning: str | None = "pk", batch_size: int = 1000,
    copy: bool = False,
) -> list:
    """INSERT many rows with multi-row statements and ON CONFLICT DO NOTHING; returns the
    `returning` column (default the primary key) of each row actually inserted, in no set order.

    `fields` are the model's field names (attnames: "person_id"), `rows` tuples of plain values in
    that order (Decimal, date, datetime adapted here once per value). A row a unique constraint or
    index refuses is skipped, which makes batch jobs safe to rerun or run twice at once. Unlike
    Django's bulk_create(ignore_conflicts=True) (INSERT OR IGNORE on SQLite) a failed CHECK
    constraint still raises. No model instances, signals or history: at 250,000 rows the ORM's
    per-object work costs more than the database's. `returning=None` returns [] (rowcount only
    counts), for callers that need nothing back.

    `copy=True` on PostgreSQL: all the rows go in with COPY into a temporary table and one
    INSERT ... SELECT ... ON CONFLICT DO NOTHING (same conflicts skipped, same checks), several
    times faster than VALUES for thousands of rows; `batch_size` is then ignored. Ignored on SQLite
    and for a model with a field COPY's text format is not written for here (JSON, binary...).
    """
    ops = connection.ops
    meta = model._meta
    concrete = {f.attname: f for f in meta.concrete_fields} | {f.name: f for f in meta.concrete_fields}
    cols = [concrete[name] for name in fields]
    adapters = [(i, a) for i, a in ((i, _adapter(f)) for i, f in enumerate(cols)) if a is not None]
    columns = ", ".join(ops.quote_name(f.column) for f in cols)
    row_sql = "(" + ", ".join(["%s"] * len(cols)) + ")"
    if copy and connection.vendor == "postgresql" and all(_copy_format(f) for f in cols):
        ret_column = None
        if returning is not None:
            ret_column = (meta.pk if returning == "pk" else concrete[returning]).column
        return _insert_via_copy(model, cols, rows, ret_column)
    per_statement = max(1, min(batch_size, (connection.features.max_query_params or 100_000) // len(cols)))
    ret_sql = ""
    if returning is not None:
        ret_field = meta.pk if returning == "pk" else concrete[returning]
        ret_sql = f" RETURNING {ops.quote_name(ret_field.column)}"
    table = ops.quote_name(meta.db_table)
    out: list = []
    batch: list = []

    def flush(cursor) -> None:
        if not batch:
            return
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(batch))} ON CONFLICT DO NOTHING{ret_sql}",
            [value for row in batch for value in row],
        )
        if ret_sql:
            out.extend(r[0] for r in cursor.fetchall())
        batch.clear()

    with connection.cursor() as cursor:
        for row in rows:
            batch.append(_adapted(row, adapters))
            if len(batch) >= per_statement:
                flush(cursor)
        flush(cursor)
    return out


def _adapted(row: Sequence, adapters) -> list:
    row = list(row)
    for i, adapt in adapters:
        row[i] = adapt(row[i])
    return row


def save_with_history(model, objs: list, fields: list[str], *, by, reason: str, chunk: int = 1000) -> None:
    """Write `fields` of many rows with one UPDATE per distinct set of values (bulk_update's CASE
    expressions are slow for thousands of rows) and one history row each (simple-history)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for obj in objs:
        groups[tuple(getattr(obj, f) for f in fields)].append(obj.pk)
    extra = {"updated_at": timezone.now()} if any(f.name == "updated_at" for f in model._meta.fields) else {}
    for values, pks in groups.items():
        for i in range(0, len(pks), chunk):
            model.objects.filter(pk__in=pks[i : i + chunk]).update(**dict(zip(fields, values, strict=True)), **extra)
    model.history.bulk_history_create(objs, batch_size=chunk, update=True, default_user=by,
                                      default_change_reason=reason)


def create_with_history(model, objs: Sequence, *, key: str, by, reason: str, batch_size: int = 2000) -> None:
    """Insert unsaved instances of `model` and one "created" (+) simple-history row each, inside the
    caller's transaction; `key` names a unique field that tells the new rows apart (the history rows
    are copied from the rows as stored, selected by their `key` values). No primary keys are given
    back on PostgreSQL.

    On PostgreSQL the rows go in with one COPY ... FROM STDIN (copy_objects) and the history rows with
    one INSERT ... SELECT (history_insert_select): bulk_create_with_history adapts every field of every
    object twice in Python, which costs more than the database's own work at 10,000 rows (the resident
    import). Unique, CHECK and foreign-key constraints are enforced as for any INSERT; a violation
    raises Django's IntegrityError. Elsewhere (SQLite) bulk_create_with_history."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        from simple_history.utils import bulk_create_with_history

        bulk_create_with_history(list(objs), model, batch_size=batch_size, default_user=by,
                                 default_change_reason=reason)  # fmt: skip
        return
    copy_objects(model, objs)
    key_field = model._meta.get_field(key)
    history_insert_select(
        model, where=f"{connection.ops.quote_name(key_field.column)} = ANY(%s)",
        params=[[getattr(o, key_field.attname) for o in objs]], reason=reason, user_id=by.pk if by is not None else None,
    )


# --- COPY ... FROM STDIN on PostgreSQL (the resident import, the demo seeders) -----------------------

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
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)
    return str(value)  # int, Decimal, date, aware datetime: PostgreSQL reads str() of each


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
                with connection.wrap_database_errors:  # psycopg2's errors as Django's (IntegrityError...)
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
