"""A small county with every figure of the monthly report known by hand (report month 2026-03).

临城镇: A (contributing since 2015; 2026 grade 500 paid 10 Feb), B (enrolled 10 Mar; grade 200 paid
12 Mar; 代缴 100 on 20 Mar; the receipt remitted in the March remittance), C (pensioner from March,
paid 291 + 10), D (died 5 Mar, reason 6401; a voided 2026 receipt).
波莲镇: E (contributing; 2026 paid only in April), F (suspended pensioner; March line failed),
H (transferred out 15 Mar, reason 6499, 150 leaves in one 转出 entry).
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from benefits.models import PayrollLine, PayrollRun
from contributions.models import Receipt, Remittance
from enrollment.models import Person
from tests.factories import AccountEntryFactory, PensionFactory, PersonFactory, ReceiptFactory

MARCH = date(2026, 3, 1)


def entry(person, amount, on, *, source="personal", kind="credit", year=None):
    return AccountEntryFactory(person=person, amount=Decimal(amount), entry_date=on, source=source, kind=kind,
                               year=on.year if year is None else year)


NOON = datetime(2026, 3, 20, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
CONFIRMED = {"status": Receipt.Status.CONFIRMED, "confirmed_at": NOON}


@pytest.fixture
def county(db, town, other_town, finance, finance2):
    c = {}
    a = c["A"] = PersonFactory(town=town, enrolled_on=date(2015, 1, 1))
    ReceiptFactory(person=a, grade=Decimal("500.00"), paid_on=date(2026, 2, 10), **CONFIRMED)
    entry(a, "300.00", date(2025, 5, 1))
    entry(a, "10.00", date(2025, 12, 31), source="interest", kind="interest", year=2025)
    entry(a, "500.00", date(2026, 2, 10))
    entry(a, "60.00", date(2026, 2, 10), source="province")
    b = c["B"] = PersonFactory(town=town, enrolled_on=date(2026, 3, 10))
    remittance = Remittance.objects.create(month=MARCH, status=Remittance.Status.REMITTED, created_by=finance,
                                           remitted_by=finance2, remitted_at=NOON, voucher_no="PZ202603",
                                           total_amount=Decimal("200.00"), personal_total=Decimal("200.00"))
    ReceiptFactory(person=b, grade=Decimal("200.00"), paid_on=date(2026, 3, 12), remittance=remittance, **CONFIRMED)
    entry(b, "200.00", date(2026, 3, 12))
    entry(b, "30.00", date(2026, 3, 12), source="province")
    entry(b, "100.00", date(2026, 3, 20), source="daijiao")
    c["C"] = PensionFactory(person__town=town, first_payroll_month=MARCH, start_month=MARCH)
    d = c["D"] = PersonFactory(town=town, status=Person.Status.TERMINATED, status_reason="6401",
                               status_changed_on=date(2026, 3, 5))
    ReceiptFactory(person=d, grade=Decimal("100.00"), paid_on=date(2026, 1, 5), status=Receipt.Status.VOIDED,
                   voided_at=NOON, void_reason="录错")
    e = c["E"] = PersonFactory(town=other_town)
    ReceiptFactory(person=e, grade=Decimal("200.00"), paid_on=date(2026, 4, 2))
    entry(e, "200.00", date(2025, 6, 1))
    entry(e, "200.00", date(2026, 4, 2))
    c["F"] = PensionFactory(person__town=other_town, person__status=Person.Status.BENEFIT_SUSPENDED,
                            start_month=date(2025, 1, 1))
    h = c["H"] = PersonFactory(town=other_town, status=Person.Status.TERMINATED, status_reason="6499",
                               status_changed_on=date(2026, 3, 15))
    entry(h, "150.00", date(2024, 5, 1), year=2024)
    entry(h, "-150.00", date(2026, 3, 15), kind="transfer_out")
    run = PayrollRun.objects.create(month=MARCH, status=PayrollRun.Status.CLOSED, generated_by=finance)
    for pension, status in ((c["C"], PayrollLine.Status.PAID), (c["F"], PayrollLine.Status.FAILED)):
        PayrollLine.objects.create(
            run=run, pension=pension, person=pension.person, town=pension.person.town, month=MARCH,
            basic_amount=Decimal("291.00"), account_amount=Decimal("10.00"), amount=Decimal("301.00"), status=status,
            paid_on=date(2026, 3, 15) if status == PayrollLine.Status.PAID else None,
        )
    return c


@pytest.fixture
def system_user(db):
    from linggao_pension.org.models import User

    return User.objects.get(username="system")
