"""Death (R11) with exact amounts: a death recorded three months late, the binding defaults' worked
example, an unpaid line cancelled, a second approval paying nothing twice, the command's JSON."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from benefits import selectors, services
from benefits.models import DeathReport, FuneralSubsidy, HeirSettlement, PayrollLine, PayrollRun, RecoveryCase
from benefits.services.death import death_approve, death_record, settlement_heirs_set
from contributions.models import AccountEntry, EntryKind
from contributions.selectors import balance
from enrollment.models import Person
from tests.factories import PensionFactory, make_id_number

from .conftest import at, credit, pay_month

pytestmark = pytest.mark.django_db
D = Decimal
JAN, FEB, MAR, APR, MAY, JUN = (date(2026, m, 1) for m in range(1, 7))
K, L = PayrollLine.Kind, PayrollLine.Status
HEIR_ID = make_id_number(date(1990, 3, 4))


def _pensioner(town, poster, **kw):
    pension = PensionFactory(person__town=town, **kw)
    credit(pension.person, "1000.00", date(2026, 1, 1), by=poster)
    credit(pension.person, "390.00", date(2026, 1, 1), by=poster, source="province")
    return pension


def _heirs(settlement, by):
    return settlement_heirs_set(settlement=settlement, by=by, heir_name="王小明", heir_id_number=HEIR_ID,
                                heir_relation="子女", heir_bank_name="海南农信", heir_bank_account="6217000099990001")


@pytest.fixture
def paid_to_april(town, poster, finance, finance2):
    """Two pensioners (291 basic + 10 account a month) paid January to April 2026."""
    pension = _pensioner(town, poster)
    other = _pensioner(town, poster)
    for month in (JAN, FEB, MAR, APR):
        with at(month.year, month.month, 25):
            pay_month(month, finance=finance, finance2=finance2)
    return pension, other


def test_death_recorded_three_months_late(paid_to_april, agent, clerk, finance, finance2):
    """Died 20 January, recorded in May: February-April were paid after the death month. The
    recovery case is exactly three basic parts, the heirs' amount is short exactly three account
    parts, and May's line, generated but not yet at the bank, is cancelled."""
    pension, other = paid_to_april
    person = pension.person
    with at(2026, 5, 21):
        services.payroll_generate(month=MAY, by=finance)
        may_line = PayrollLine.objects.get(run__month=MAY, pension=pension)
        report = death_record(person=person, death_date=date(2026, 1, 20), source="family", by=agent, note="家属报告")
        settlement = death_approve(report=report, by=clerk)
    assert settlement.overpaid_months == ["2026-02", "2026-03", "2026-04"]
    assert (settlement.overpaid_basic, settlement.overpaid_account) == (D("873.00"), D("30.00"))
    # The ledger holds 1390 − 4 × 10 = 1350.00; with the three months after death reversed: 1380.00.
    assert settlement.balance == D("1380.00")
    assert settlement.payable == D("1350.00")  # 1380.00 − 30.00 + funeral 0
    case = RecoveryCase.objects.get(person=person)
    assert (case.amount, case.outstanding, case.source, case.months) == (
        D("873.00"), D("873.00"), "death", ["2026-02", "2026-03", "2026-04"])
    may_line.refresh_from_db()
    assert may_line.status == L.CANCELLED
    may = selectors.run_summary(may_line.run)  # the run page's kept figures follow the cancellation
    by_status = {r["label"]: (r["count"], r["total"]) for r in may["by_status"]}
    assert by_status["已取消"] == (1, may_line.amount) and by_status["待支付"][0] == 1
    person.refresh_from_db()
    pension.refresh_from_db()
    assert (person.status, person.status_reason) == (Person.Status.TERMINATED, "1401")
    assert (pension.status, pension.last_month) == ("stopped", JAN)
    # The other pensioner's May line is untouched.
    assert PayrollLine.objects.get(run__month=MAY, pension=other).status == L.PENDING


def test_worked_example_of_the_binding_defaults(town, poster, agent, clerk, finance, finance2):
    """Balance 4,000.00 at go-live, account pension 35.12, the death month's next month paid →
    account at death 4,000.00, heirs 3,964.88, the basic part of that month is a recovery case."""
    pension = PensionFactory(person__town=town, start_month=FEB, account_pension=D("35.12"),
                             balance_by_source={"personal": "4000.00"}, account_balance=D("4000.00"))
    PensionFactory(person__town=town, start_month=FEB)
    credit(pension.person, "4000.00", date(2026, 1, 31), by=poster)
    with at(2026, 2, 25):
        pay_month(FEB, finance=finance, finance2=finance2)
    assert balance(person=pension.person) == D("3964.88")
    with at(2026, 3, 2):
        report = death_record(person=pension.person, death_date=date(2026, 1, 28), source="civil", by=agent)
        settlement = death_approve(report=report, by=clerk)
    assert (settlement.balance, settlement.payable, settlement.to_recover) == (D("4000.00"), D("3964.88"), D("291.00"))
    assert settlement.overpaid_account == D("35.12")


def test_heirs_paid_once_in_the_next_payroll_and_a_second_approval_pays_nothing(
        paid_to_april, agent, clerk, clerk2, finance, finance2):
    pension, _ = paid_to_april
    FuneralSubsidy.objects.update_or_create(effective_from=JAN, defaults={"amount": D("1000.00")})
    with at(2026, 5, 3):
        report = death_record(person=pension.person, death_date=date(2026, 4, 9), source="hospital", by=clerk2)
        with pytest.raises(ValidationError, match="录入人不能复核"):
            death_approve(report=report, by=clerk2)
        settlement = death_approve(report=report, by=clerk)
        assert settlement.overpaid_months == [] and settlement.payable == D("2350.00")  # 1350 + funeral 1000
        with pytest.raises(ValidationError, match="不能县复核通过"):
            death_approve(report=report, by=clerk)
        with pytest.raises(ValidationError, match="已终止参保"):
            death_record(person=pension.person, death_date=date(2026, 4, 9), source="family", by=agent)
        _heirs(settlement, agent)
    with at(2026, 5, 25):
        run = pay_month(MAY, finance=finance, finance2=finance2)
    line = run.lines.get(kind=K.SETTLEMENT)
    assert (line.amount, line.payee_name, line.payee_id_number, line.status) == (D("2350.00"), "王小明", HEIR_ID, L.PAID)
    settlement.refresh_from_db()
    assert settlement.status == HeirSettlement.Status.PAID
    assert balance(person=pension.person) == D("0.00")
    assert AccountEntry.objects.filter(person=pension.person, kind=EntryKind.INHERIT).count() == 2
    with at(2026, 6, 25):
        pay_month(JUN, finance=finance, finance2=finance2)
    assert PayrollLine.objects.filter(settlement=settlement).count() == 1
    assert not PayrollLine.objects.filter(pension=pension, month__gt=APR).exclude(kind=K.SETTLEMENT).exists()
    assert DeathReport.objects.get(pk=report.pk).status == "county_approved"


def test_bad_input_is_refused_and_nothing_saved(paid_to_april, agent, agent_elsewhere):
    pension, _ = paid_to_april
    with at(2026, 5, 3):
        with pytest.raises(ValidationError, match="不能晚于今天"):
            death_record(person=pension.person, death_date=date(2026, 6, 1), source="family", by=agent)
        with pytest.raises(Exception, match="未找到该记录"):
            death_record(person=pension.person, death_date=date(2026, 4, 1), source="family", by=agent_elsewhere)
    assert not DeathReport.objects.exists()


def test_settlement_estimate_command_saves_nothing(paid_to_april):
    pension, _ = paid_to_april
    out = StringIO()
    with at(2026, 5, 3):
        call_command("settlement_estimate", "--id-number", pension.person.id_number, "--reason", "death",
                     "--date", "2026-01-20", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data == {
        "reason": "death", "last_payable_month": "2026-01", "overpaid_months": ["2026-02", "2026-03", "2026-04"],
        "overpaid_basic": "873.00", "overpaid_account": "30.00", "balance": "1380.00",
        "by_source": {"个人缴费": "992.81", "省级财政补贴": "387.19"}, "interim_interest": "0.00",
        "funeral_subsidy": "0.00", "payable": "1350.00", "to_recover": "873.00",
    }
    assert not HeirSettlement.objects.exists() and not RecoveryCase.objects.exists()
    assert PayrollRun.objects.count() == 4
