"""Payroll lines as tuples and their one INSERT ... ON CONFLICT DO NOTHING (every kind of line goes
through here: pensions, 补发, 重发, the heirs' settlement, delegated payments)."""

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils import timezone

from linggao_pension.db import insert_ignore_conflicts
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
    now = timezone.now()
    rows = (
        (run.pk, ln.pension_id, ln.person_id, ln.town_id, ln.month, ln.kind, ln.basic or ZERO, ln.account or ZERO,
         ln.net, ln.bank_name, ln.bank_account, L.PENDING, "", ZERO, False, ln.reissue_of_id, now, ln.other or ZERO,
         ln.offset or ZERO, ln.offset_case_id, ln.payee_name, ln.payee_id_number, ln.settlement_id,
         ln.delegated_payee_id)
        for ln in lines
    )  # fmt: skip
    return len(insert_ignore_conflicts(PayrollLine, LINE_COLUMNS, rows, batch_size=500, copy=True))
