"""Helpers for the benefits tests: ledger postings, frozen time, a payroll month paid end to end."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import Workbook, load_workbook

from benefits import services
from benefits.models import PayrollLine, PayrollRun
from contributions.models import EntryKind, Source
from contributions.services import account_post

TZ = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10):
    """Freeze time at a local date (time_machine)."""
    return time_machine.travel(datetime(year, month, day, hour, tzinfo=TZ), tick=False)


def credit(person, amount, on: date, *, by, source=Source.PERSONAL, year=None, kind=EntryKind.CREDIT):
    return account_post(person=person, source=source, kind=kind, amount=Decimal(amount), entry_date=on, by=by,
                        year=on.year if year is None else year, memo="测试")


def yearly(person, years, amount, *, by, source=Source.PERSONAL, month: int = 6):
    for y in years:
        credit(person, amount, date(y, month, 1), by=by, source=source, year=y)


def xlsx(headers, rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "upload.xlsx"
    return buffer


def return_file(run: PayrollRun, failures: dict[int, str] | None = None) -> io.BytesIO:
    """The bank's return file, from our own template, every line 成功 unless listed in failures."""
    failures = failures or {}
    wb = load_workbook(io.BytesIO(services.return_template_bytes(run)))
    ws = wb.active
    for row in ws.iter_rows(min_row=2):
        line_id = int(row[0].value)
        if line_id in failures:
            row[4].value, row[5].value = "失败", failures[line_id]
        else:
            row[4].value = "成功"
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def pay_month(month: date, *, finance, finance2, failures: dict[int, str] | None = None) -> PayrollRun:
    """Generate, review, export and close a month (time must be frozen in or after that month)."""
    services.payroll_generate(month=month, by=finance)
    run = PayrollRun.objects.get(month=month)
    services.payroll_review(run=run, by=finance2)
    services.payroll_export(run=run, by=finance)
    outcomes = {
        pk: (failures or {}).get(pk)
        for pk in run.lines.filter(status=PayrollLine.Status.PENDING).exclude(bank_account="").values_list("pk", flat=True)
    }
    services.payroll_apply_return(run=run, outcomes=outcomes, by=finance, paid_on=month.replace(day=15))
    run.refresh_from_db()
    return run


@pytest.fixture
def poster(clerk):
    """Who posts the test ledger entries."""
    return clerk
