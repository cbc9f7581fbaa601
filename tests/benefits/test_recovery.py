"""Overpayment recovery (R17) with exact amounts: instalments and offsets bring the outstanding to
zero and stop; a write-off needs a manager; the outstanding never goes below zero."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from benefits.models import PayrollLine, RecoveryCase, RecoveryPosting
from benefits.services import recovery as svc
from tests.factories import PensionFactory

from .conftest import at, pay_month

pytestmark = pytest.mark.django_db
D = Decimal
JAN, FEB, MAR, APR = (date(2026, m, 1) for m in range(1, 5))


@pytest.fixture
def case(town, auditor):
    pension = PensionFactory(person__town=town)
    with at(2026, 1, 10):
        case = svc.recovery_case_open(person=pension.person, pension=pension, source="supervision",
                                      amount=D("250.00"), by=auditor, reason="稽核发现重复领取", months=[JAN])
        case = svc.recovery_verify(case=case, by=auditor)
        case = svc.recovery_notify(case=case, by=auditor, repay_by=date(2026, 2, 28))
    return case


def test_instalments_bring_the_outstanding_to_zero_and_stop(case, clerk):
    with at(2026, 1, 12):
        svc.recovery_instalments_set(case=case, count=3, first_due=date(2026, 2, 10), by=clerk)
    assert list(case.instalments.values_list("due_date", "amount")) == [
        (date(2026, 2, 10), D("83.33")), (date(2026, 3, 10), D("83.33")), (date(2026, 4, 10), D("83.34"))]
    with at(2026, 3, 1):
        svc.recovery_repay(case=case, amount=D("83.33"), on=date(2026, 2, 9), by=clerk)
        svc.recovery_repay(case=case, amount=D("166.67"), on=date(2026, 3, 1), by=clerk)
        case.refresh_from_db()
        assert (case.outstanding, case.repaid, case.status) == (D("0.00"), D("250.00"), RecoveryCase.Status.REPAID)
        assert [i.remaining for i in case.instalments.all()] == [D("0.00")] * 3
        with pytest.raises(ValidationError, match="不能登记追回"):
            svc.recovery_repay(case=case, amount=D("0.01"), on=date(2026, 3, 1), by=clerk)
        svc.recovery_close(case=case, by=clerk)
    assert RecoveryPosting.objects.filter(case=case).count() == 2


def test_more_than_outstanding_is_refused(case, clerk):
    with at(2026, 1, 12), pytest.raises(ValidationError, match="超过未追回余额"):
        svc.recovery_repay(case=case, amount=D("250.01"), on=date(2026, 1, 12), by=clerk)
    case.refresh_from_db()
    assert case.outstanding == D("250.00") and not case.postings.exists()


def test_offsets_are_net_on_the_bank_file_and_stop_at_zero(case, clerk, finance, finance2, town):
    """301.00 a month, offset at most 100.00 a month: 100 + 100 + 50 and then nothing."""
    PensionFactory(person__town=town)
    with at(2026, 1, 12):
        svc.recovery_offset_set(case=case, by=clerk, monthly=D("100.00"))
    nets = []
    for month in (JAN, FEB, MAR, APR):
        with at(month.year, month.month, 25):
            run = pay_month(month, finance=finance, finance2=finance2)
        line = run.lines.get(pension=case.pension, kind=PayrollLine.Kind.NORMAL)
        nets.append((line.offset_amount, line.amount))
        if month == JAN:
            wb = load_workbook(run.bank_files.get().file.path)
            amounts = [r[4] for r in wb.active.iter_rows(min_row=6, values_only=True) if r[0] == line.pk]
            assert amounts == [201]
    assert nets == [(D("100.00"), D("201.00")), (D("100.00"), D("201.00")), (D("50.00"), D("251.00")),
                    (D("0.00"), D("301.00"))]
    case.refresh_from_db()
    assert (case.offset, case.outstanding, case.status) == (D("250.00"), D("0.00"), RecoveryCase.Status.REPAID)


def test_write_off_needs_a_manager_and_a_reason(case, clerk, auditor, manager):
    with at(2026, 2, 1):
        with pytest.raises(ValidationError, match="原因"):
            svc.recovery_write_off_request(case=case, by=clerk, reason=" ")
        svc.recovery_write_off_request(case=case, by=clerk, reason="无继承人、无遗产")
        with pytest.raises(PermissionDenied, match="局领导"):
            svc.recovery_write_off_approve(case=case, by=auditor)
        case.refresh_from_db()
        assert (case.status, case.written_off) == (RecoveryCase.Status.WRITE_OFF_PENDING, D("0.00"))
        svc.recovery_write_off_approve(case=case, by=manager)
    case.refresh_from_db()
    assert (case.status, case.written_off, case.outstanding) == (RecoveryCase.Status.WRITTEN_OFF, D("250.00"),
                                                                 D("0.00"))
    assert case.write_off_approved_by == manager
    assert list(case.status_changes.values_list("to_status", flat=True)) == [
        "detected", "verified", "notified", "wo_pending", "written_off"]


def test_fraud_flag_records_the_referral(case, auditor):
    with at(2026, 2, 1):
        with pytest.raises(ValidationError, match="2 至 5 倍"):
            svc.recovery_fraud_flag(case=case, by=auditor, fine_multiple=D("6"), police_referred=True, note="冒领")
        svc.recovery_fraud_flag(case=case, by=auditor, fine_multiple=D("2.5"), police_referred=True,
                                note="亲属持卡冒领，移送公安")
    case.refresh_from_db()
    assert (case.fraud, case.fine_multiple, case.police_referred) == (True, D("2.5"), True)


def test_open_refuses_bad_input(town, auditor, agent):
    pension = PensionFactory(person__town=town)
    with pytest.raises(ValidationError, match="大于零"):
        svc.recovery_case_open(person=pension.person, source="report", amount=D("0"), by=auditor, reason="举报")
    with pytest.raises(PermissionDenied):
        svc.recovery_case_open(person=pension.person, source="report", amount=D("10"), by=agent, reason="举报")
    assert not RecoveryCase.objects.exists()


def test_a_step_is_refused_403_to_who_only_views_cases_and_nothing_changes(client, case, agent, finance, clerk, manager):
    """Viewing a case (town agent, finance, manager) is not handling it: the step's own permission
    is asked before anything (403, never a redirect with the case untouched)."""
    url = reverse("benefits:recovery_step", args=[case.pk, "repay"])
    for user in (agent, finance, manager):
        client.force_login(user)
        assert client.post(url, {"amount": "100.00", "on": "2026-02-01"}).status_code == 403
    client.force_login(clerk)  # 核销 is a manager's (局领导)
    assert client.post(reverse("benefits:recovery_step", args=[case.pk, "approve_write_off"])).status_code == 403
    case.refresh_from_db()
    assert (case.status, case.repaid) == (RecoveryCase.Status.NOTIFIED, D("0.00"))
    assert not RecoveryPosting.objects.exists()
    with at(2026, 2, 1):
        assert client.post(url, {"amount": "100.00", "on": "2026-02-01"}).status_code == 302
    case.refresh_from_db()
    assert case.repaid == D("100.00")


def test_an_unknown_step_is_404(client, case, clerk):
    client.force_login(clerk)
    assert client.post(reverse("benefits:recovery_step", args=[case.pk, "pay_twice"])).status_code == 404
