"""Database helpers every app shares: money columns, fast idempotent multi-row inserts, bulk updates
with history. Plain Django on PostgreSQL and SQLite alike."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone

MONEY_DIGITS = 14
MONEY_PLACES = 2


def money_field(verbose_name: str | None = None, **kwargs) -> models.DecimalField:
    """An amount in 元: DecimalField(max_digits=14, decimal_places=2) (architecture.md "Money")."""
    return models.DecimalField(verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs)


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


def insert_ignore_conflicts(
    model, fields: Sequence[str], rows: Iterable[Sequence], *, returning: str | None = "pk", batch_size: int = 1000,
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
    """
    ops = connection.ops
    meta = model._meta
    concrete = {f.attname: f for f in meta.concrete_fields} | {f.name: f for f in meta.concrete_fields}
    cols = [concrete[name] for name in fields]
    adapters = [(i, a) for i, a in ((i, _adapter(f)) for i, f in enumerate(cols)) if a is not None]
    columns = ", ".join(ops.quote_name(f.column) for f in cols)
    row_sql = "(" + ", ".join(["%s"] * len(cols)) + ")"
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
            row = list(row)
            for i, adapt in adapters:
                row[i] = adapt(row[i])
            batch.append(row)
            if len(batch) >= per_statement:
                flush(cursor)
        flush(cursor)
    return out


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
