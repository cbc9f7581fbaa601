"""Helpers for the supervision tests: paid payroll lines, list files, an inspection in a state."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import Workbook

from benefits.models import PayrollLine, PayrollRun
from supervision.services import plans


def pay(pension, months, *, basic="291.00", account="10.00", status=PayrollLine.Status.PAID,
        kind=PayrollLine.Kind.NORMAL):
    """One paid line per month (費款所属期), in that month's run (made here as fixtures)."""
    for month in months:
        run, _ = PayrollRun.objects.get_or_create(month=month, defaults={"status": PayrollRun.Status.CLOSED})
        b, a = Decimal(basic), Decimal(account)
        PayrollLine.objects.create(
            run=run, pension=pension, person=pension.person, town=pension.person.town, month=month, kind=kind,
            basic_amount=b, account_amount=a, amount=b + a, status=status,
            bank_account=pension.person.bank_account,
        )


def xlsx(headers, rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "list.xlsx"
    return buffer


def months(year: int, first: int, last: int) -> list[date]:
    return [date(year, m, 1) for m in range(first, last + 1)]


@pytest.fixture
def inspection(auditor, town):
    """A spot check of 临城镇 planned to start on 2026-03-10."""
    return plans.inspection_create(kind="spot", title="临城镇抽查", town=town, scope=["2", "4"], team_leader="周明",
                                   start=date(2026, 3, 10), end=date(2026, 3, 20), by=auditor,
                                   programme="查阅参保登记原始资料")


@pytest.fixture
def reported(inspection, auditor):
    """The same inspection, notified, carried out and its report sent on 2026-03-25 (due 04-04)."""
    plans.inspection_notify(inspection=inspection, on=date(2026, 3, 5), text="定于3月10日现场监督", by=auditor)
    plans.inspection_start(inspection=inspection, on=date(2026, 3, 10), by=auditor)
    plans.inspection_send_report(inspection=inspection, text="监督报告", on=date(2026, 3, 25), by=auditor)
    inspection.refresh_from_db()
    return inspection


__all__ = ["pay", "xlsx", "months", "timedelta"]
