"""Certification (R10) with exact months: an overdue certification suspends from the payroll's month,
the certification back-pays exactly the withheld months once (恢复补发, one line per month);
1202 through the review is not back-paid; the import is all or nothing; the month-end commands."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from benefits import services
from benefits.models import Certification, PayrollLine, PayrollRun, Suspension
from benefits.services.certification import CERT_HEADERS, certification_record
from benefits.services.suspension import resumption_request, suspension_request, suspension_request_approve
from enrollment.models import Person
from tests.factories import PensionFactory

from .conftest import at, pay_month, return_file, xlsx

pytestmark = pytest.mark.django_db
D = Decimal
K, L = PayrollLine.Kind, PayrollLine.Status
JAN, FEB, MAR, APR, MAY, JUN = (date(2026, m, 1) for m in range(1, 7))


def lines(pension):
    return list(PayrollLine.objects.filter(pension=pension).order_by("run__month", "month")
                .values_list("run__month", "month", "kind", "amount"))


def test_overdue_suspends_from_the_month_and_certification_back_pays_each_month_once(town, agent, finance, finance2):
    """Last certified 2025-01-05, cycle 12 months: due 2026-01-05. January's payroll (on the 20th)
    suspends from January; certified 2 March (after February's and before March's payroll), March pays
    January and February as 恢复补发 and March as usual; April pays April only."""
    pension = PensionFactory(person__town=town, start_month=JAN, last_certified_on=date(2025, 1, 5))
    PensionFactory(person__town=town, start_month=JAN)
    with at(2026, 1, 20):
        run = pay_month(JAN, finance=finance, finance2=finance2)
    assert not run.lines.filter(pension=pension).exists()
    suspension = Suspension.objects.get(pension=pension)
    assert (suspension.reason_code, suspension.start_month, suspension.end_month) == ("1201", JAN, None)
    pension.person.refresh_from_db()
    assert (pension.person.status, pension.person.status_reason) == (Person.Status.BENEFIT_SUSPENDED, "1201")
    with at(2026, 2, 20):
        assert services.payroll_generate(month=FEB, by=finance)["suspended"] == 0
        run = PayrollRun.objects.get(month=FEB)
        services.payroll_review(run=run, by=finance2)
        services.payroll_export(run=run, by=finance)
        services.payroll_close(run=run, file=return_file(run), by=finance, paid_on=date(2026, 2, 21))
    with at(2026, 3, 2):
        certification_record(pension=pension, certified_on=date(2026, 3, 2), method="face", by=agent)
    suspension.refresh_from_db()
    assert suspension.end_month == MAR
    with at(2026, 3, 20):
        result = services.payroll_generate(month=MAR, by=finance)
        assert result["backpay_lines"] == 2
        assert services.payroll_generate(month=MAR, by=finance)["created"] == 0  # rerun pays nothing twice
        run = PayrollRun.objects.get(month=MAR)
        services.payroll_review(run=run, by=finance2)
        services.payroll_export(run=run, by=finance)
        services.payroll_close(run=run, file=return_file(run), by=finance, paid_on=date(2026, 3, 21))
    with at(2026, 4, 20):
        pay_month(APR, finance=finance, finance2=finance2)
    assert lines(pension) == [
        (MAR, JAN, K.BACKPAY, D("301.00")), (MAR, FEB, K.BACKPAY, D("301.00")), (MAR, MAR, K.NORMAL, D("301.00")),
        (APR, APR, K.NORMAL, D("301.00")),
    ]


def test_1202_through_the_review_is_not_back_paid_and_paid_months_become_a_recovery(
        town, agent, clerk, finance, finance2):
    pension = PensionFactory(person__town=town, start_month=JAN)
    PensionFactory(person__town=town, start_month=JAN)
    for month in (JAN, FEB):
        with at(2026, month.month, 20):
            pay_month(month, finance=finance, finance2=finance2)
    with at(2026, 3, 1):
        with pytest.raises(ValidationError, match="1202"):
            suspension_request(pension=pension, reason_code="1201", by=agent, start_month=FEB, evidence="判决书")
        request = suspension_request(pension=pension, reason_code="1202", by=agent, start_month=FEB,
                                     evidence="（2026）琼9028刑初12号判决书")
        with pytest.raises(PermissionDenied):
            suspension_request_approve(request=request, by=agent)
        suspension_request_approve(request=request, by=clerk)
    case = pension.recovery_cases.get()
    assert (case.amount, case.months, case.source) == (D("301.00"), ["2026-02"], "suspension")
    with at(2026, 3, 20):
        pay_month(MAR, finance=finance, finance2=finance2)
    with at(2026, 4, 2):
        suspension = Suspension.objects.get(pension=pension)
        request = resumption_request(suspension=suspension, by=agent, resume_month=APR, backpay=True,
                                     evidence="刑满释放证明")
        suspension_request_approve(request=request, by=clerk)
    with at(2026, 4, 20):
        pay_month(APR, finance=finance, finance2=finance2)
    assert [(r[1], r[2]) for r in lines(pension)] == [(JAN, K.NORMAL), (FEB, K.NORMAL), (APR, K.NORMAL)]


def test_import_is_all_or_nothing_and_resumes(town, clerk, tmp_path, finance, finance2):
    pension = PensionFactory(person__town=town, last_certified_on=date(2025, 1, 5))
    other = PensionFactory(person__town=town)
    with at(2026, 1, 20):
        services.payroll_generate(month=JAN, by=finance)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(CERT_HEADERS, [[pension.person.id_number, "2026-01-21", "人脸识别自助"],
                                        [other.person.id_number, "2026-01-21", "飞鸽传书"]]).getvalue())
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(CERT_HEADERS, [[pension.person.id_number, "2026-01-21", "人脸识别自助"],
                                         [other.person.id_number, "2026-01-21", "电话"]]).getvalue())
    out = StringIO()
    with at(2026, 1, 22):
        with pytest.raises(CommandError):
            call_command("import_certifications", str(bad), "--json", "--by", "clerk", stdout=out)
        assert json.loads(out.getvalue())["errors"][0]["column"] == "认证方式"
        assert not Certification.objects.exists()
        out = StringIO()
        call_command("import_certifications", str(good), "--json", "--by", "clerk", stdout=out)
    assert json.loads(out.getvalue()) == {"imported": 2, "errors": []}
    suspension = Suspension.objects.get(pension=pension)
    assert suspension.end_month == FEB  # January's payroll exists: January was withheld


def test_month_end_commands(town, finance, finance2, tmp_path):
    PensionFactory(person__town=town)
    out = StringIO()
    with at(2026, 1, 20):
        call_command("run_payroll", "--month", "2026-01", "--json", "--by", "finance", stdout=out)
        assert json.loads(out.getvalue()) == {"lines": 1, "total": "301.00", "created": 1, "suspended": 0,
                                              "backpay_lines": 0}
        with pytest.raises(CommandError, match="生成发放明细的人员不能复核"):
            call_command("payroll_review", "--month", "2026-01", "--by", "finance", "--json", stdout=StringIO())
        out = StringIO()
        call_command("payroll_review", "--month", "2026-01", "--by", "finance2", "--json", stdout=out)
        assert json.loads(out.getvalue())["status"] == "reviewed"
        out = StringIO()
        call_command("payroll_export", "--month", "2026-01", "--out", str(tmp_path), "--by", "finance", "--json",
                     stdout=out)
        exported = json.loads(out.getvalue())
        assert [(f["lines"], f["total"]) for f in exported["files"]] == [(1, "301.00")]
        run = PayrollRun.objects.get(month=JAN)
        path = tmp_path / "return.xlsx"
        path.write_bytes(return_file(run).getvalue())
        out = StringIO()
        call_command("payroll_close", "--month", "2026-01", "--return", str(path), "--paid-on", "2026-01-21",
                     "--by", "finance", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"month": "2026-01", "imported": 1, "paid": 1, "failed": 0, "errors": []}
