"""Payroll lines as tuples and their one INSERT ... ON CONFLICT DO NOTHING (every kind of line goes
through here: pensions, 补发, 重发, the heirs' settlement, delegated payments)."""

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from linggao_pension.money import ZERO

from ..models import PayrollLine, PayrollRun

R = PayrollRun.Status
L = PayrollLine.Status


def lock_generated(run_id: int) -> PayrollRun:
    run = PayrollRun.objects.select_for_update().get(pk=run_id)
    if run.status != R.GENERATED:
        raise ValidationError(f"{run}{run.get_status_display()}，生成中止")
    return run


class Line(NamedTuple):
    """A payroll line to insert (the run and the creation time are added by insert_lines)."""

    pension_id: int | None
    person_id: int
    town_id: int
    month: date
    kind: str
    basic: Decimal
    account: Decimal
    bank_name: str
    bank_account: str
    reissue_of_id: int | None = None
    other: Decimal = ZERO
    offset: Decimal = ZERO
    offset_case_id: int | None = None
    payee_name: str = ""
    payee_id_number: str = ""
    settlement_id: int | None = None
    delegated_payee_id: int | None = None

    @property
    def net(self) -> Decimal:
        return self.basic + self.account + self.other - self.offset


LINE_COLUMNS = (
    "run_id", "pension_id", "person_id", "town_id", "month", "kind", "basic_amount", "account_amount", "amount",
    "bank_name", "bank_account", "status", "failure_reason", "drawn_amount", "account_exhausted", "reissue_of_id",
    "created_at", "other_amount", "offset_amount", "offset_case_id", "payee_name", "payee_id_number",
    "settlement_id", "delegated_payee_id",
)


def insert_lines(run: PayrollRun, lines: list[Line]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING, many rows per statement; returns how many rows were added.

    The partial unique indexes (payline_once_per_month_kind, payline_base_once_per_month, the
    settlement's and the delegated payee's, reissue_of's) turn a line that is already there into a
    no-op, on PostgreSQL and SQLite alike. Unlike Django's ignore_conflicts (INSERT OR IGNORE on
    SQLite) this skips only uniqueness conflicts, never a failed check. Rows are built as tuples, not
    model instances: at 60,000 lines the ORM's per-object work costs more than the database's
    (bench/bench_payroll.py)."""
    if not lines:
        return 0
    ops = connection.ops
    table = ops.quote_name(PayrollLine._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in LINE_COLUMNS)
    row_sql = "(" + ", ".join(["%s"] * len(LINE_COLUMNS)) + ")"
    per_statement = min(500, (connection.features.max_query_params or 100_000) // len(LINE_COLUMNS))
    now = ops.adapt_datetimefield_value(timezone.now())
    zero = ops.adapt_decimalfield_value(ZERO, 14, 2)
    months: dict[date, object] = {}

    def money(value: Decimal):
        return zero if not value else ops.adapt_decimalfield_value(value, 14, 2)

    added = 0
    with connection.cursor() as cursor:
        for i in range(0, len(lines), per_statement):
            batch = lines[i : i + per_statement]
            params: list = []
            for ln in batch:
                month = months.get(ln.month)
                if month is None:
                    month = months[ln.month] = ops.adapt_datefield_value(ln.month)
                params += [
                    run.pk, ln.pension_id, ln.person_id, ln.town_id, month, ln.kind, money(ln.basic),
                    money(ln.account), money(ln.net), ln.bank_name, ln.bank_account, L.PENDING, "", zero, False,
                    ln.reissue_of_id, now, money(ln.other), money(ln.offset), ln.offset_case_id, ln.payee_name,
                    ln.payee_id_number, ln.settlement_id, ln.delegated_payee_id,
                ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(batch))} ON CONFLICT DO NOTHING",
                params,
            )
            added += cursor.rowcount
    return added
