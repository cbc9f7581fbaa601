"""Every overpaid month is recovered once, to the fen (R17, R9 the other way round, R7):

- a suspension that starts in the past recovers the months paid since, less what a decrease case
  (标准调整多发) already holds for them; a later decrease of those suspended months opens nothing;
- ending an R7 record gives back to the person the months after the other pension's last month: the
  1299 suspension's case goes down by exactly what it counted for them; what was already repaid
  beyond the new amount is to be refunded (outstanding never below zero); a case that falls away
  entirely goes to a manager as a write-off.

Amounts: the 2026 standard is 163 + 128 = 291.00 basic, the account pension 10.00 (301.00 a month)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benefits.models import (
    BasicPensionStandard,
    PayrollLine,
    RecoveryCase,
    Suspension,
    SuspensionRequest,
)
from benefits.services import recovery
from benefits.services.other_pension import other_pension_end, other_pension_record
from tests.factories import PensionFactory

from .conftest import at, pay_month

pytestmark = pytest.mark.django_db
D = Decimal
JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))
S = RecoveryCase.Status
K = PayrollLine.Kind
SCHEME = "城镇职工基本养老保险"


def lower_2026_standard(central: str) -> None:
    standard = BasicPensionStandard.objects.get(effective_from=JAN)
    standard.central_part = D(central)
    standard.save()


def suspension_case(pension) -> RecoveryCase:
    return RecoveryCase.objects.get(pension=pension, source=RecoveryCase.Source.SUSPENSION)


@pytest.fixture
def decreased(town, finance, finance2):
    """January and February paid at 291 + 10 = 301.00; on 2026-02-25 the 2026 standard is lowered
    163 → 153 (basic 281): the March run pays March at 281 + 10 = 291.00 and opens a decrease case of
    10.00 (January) + 10.00 (February) = 20.00."""
    pension = PensionFactory(person__town=town, start_month=JAN)
    PensionFactory(person__town=town, start_month=JAN)  # someone else paid every month
    for month in (JAN, FEB):
        with at(2026, month.month, 20):
            pay_month(month, finance=finance, finance2=finance2)
    with at(2026, 2, 25):
        lower_2026_standard("153")
    with at(2026, 3, 20):
        pay_month(MAR, finance=finance, finance2=finance2)
    decrease = RecoveryCase.objects.get(pension=pension, source=RecoveryCase.Source.STANDARD_CHANGE)
    assert (decrease.amount, decrease.months) == (D("20.00"), ["2026-01", "2026-02"])
    return pension


# --- 1. a suspension from a past month after a decrease ----------------------------------------------------


def suspend_data(**overrides):
    return {
        "reason_code": "1299",
        "start_month": "2026-01",
        "evidence": "村委会证明：本人长期在外，无法联系",
        "note": "下落不明",
        "evidence_file": SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n%\n"),
    } | overrides


def test_a_suspension_after_a_decrease_recovers_each_month_once(
    decreased, client, agent, clerk, finance, finance2
):
    """Suspended (1299, not back-paid) from January on 2026-04-02. Paid: January 301.00, February
    301.00, March 291.00; the decrease case already holds 10.00 of January and 10.00 of February. So
    the suspension's case is (301.00 − 10.00) + (301.00 − 10.00) + 291.00 = 873.00, not 893.00:
    with the decrease case's 20.00 the person repays 893.00, exactly what was paid. A second approval
    changes nothing; lowering the standard again (153 → 148) opens no case for the suspended months
    and the April run pays the person nothing."""
    pension = decreased
    create = reverse("benefits:suspension_request_create", args=[pension.pk])
    with at(2026, 4, 2):
        client.force_login(agent)
        bad = client.post(create, suspend_data(evidence="", note=""))
        assert bad.status_code == 200 and bad.context["form"].errors["evidence"] == [
            "请填写依据或证明材料（如判决书文号）"
        ]
        assert not SuspensionRequest.objects.exists() and not Suspension.objects.exists()
        client.post(create, suspend_data())
        request = SuspensionRequest.objects.get()
        client.force_login(clerk)
        approve = reverse("benefits:suspension_request_approve", args=[request.pk])
        page = client.post(approve, {"opinion": "核实无误"}, follow=True).content.decode()
        assert "复核通过：已暂停领取" in page
        again = client.post(approve, {"opinion": "再次复核"}, follow=True)
        assert again.status_code == 200
    case = suspension_case(pension)
    assert (case.amount, case.outstanding, case.months) == (
        D("873.00"),
        D("873.00"),
        ["2026-01", "2026-02", "2026-03"],
    )
    assert case.detail.splitlines() == [
        "2026年01月：291.00 元",
        "2026年02月：291.00 元",
        "2026年03月：291.00 元",
    ]
    assert RecoveryCase.objects.filter(pension=pension).count() == 2
    assert Suspension.objects.get(pension=pension).start_month == JAN
    with at(2026, 4, 5):
        lower_2026_standard("148")
    with at(2026, 4, 20):
        run = pay_month(APR, finance=finance, finance2=finance2)
    assert not run.lines.filter(pension=pension).exists()  # no 补发, no April line: suspended
    assert RecoveryCase.objects.filter(pension=pension).count() == 2  # no decrease case for suspended months
    total = sum(RecoveryCase.objects.filter(pension=pension).values_list("amount", flat=True), D("0"))
    paid = sum(
        PayrollLine.objects.filter(pension=pension, status="paid").values_list("amount", flat=True), D("0")
    )
    assert total == paid == D("893.00")


def test_the_death_settlement_and_the_suspension_share_the_helper(decreased):
    """The helper both use: (pension, month) → what decrease cases hold (10.00 for January and February)."""
    held = recovery.decreases_recovered([decreased.pk], since=JAN)
    assert held == {(decreased.pk, JAN): D("10.00"), (decreased.pk, FEB): D("10.00")}


# --- 2. ending an R7 record gives the months after its last month back ---------------------------------------


def end_data(**overrides):
    return {"to_month": "2026-01", "reason": "职保待遇2026年2月起停发（停发通知）"} | overrides


def test_ending_the_record_reduces_the_case_by_the_months_after_its_last_month(
    decreased, client, clerk, finance, finance2
):
    """Recorded on 2026-04-05 from January: suspended from January, a case of 291.00 + 291.00 + 291.00
    = 873.00 (each month's payment less the decrease case's part, as above). Ended on 2026-04-10 with
    its last month January: February and March were due after all, so the case goes down by exactly
    291.00 + 291.00 = 582.00 to 291.00 for January (January: 10.00 + 291.00 = 301.00 recovered, all
    that was paid; February: the person keeps 291.00 = 281.00 + 10.00 due; March the same). The April
    run pays April only (281 + 10 = 291.00): February and March are paid already. Bad input changes
    nothing; a second end is refused and changes nothing."""
    pension = decreased
    with at(2026, 4, 5):
        record = other_pension_record(
            person=pension.person, origin="employee_list", scheme=SCHEME, from_month=JAN, by=clerk
        )
    case = suspension_case(pension)
    assert (case.amount, case.months) == (D("873.00"), ["2026-01", "2026-02", "2026-03"])
    url = reverse("benefits:other_pension_end", args=[record.pk])
    client.force_login(clerk)
    with at(2026, 4, 10):
        bad = client.post(url, end_data(to_month="2026-05"))
        assert "末次领取年月不能晚于本月" in bad.context["end_form"].errors["to_month"][0]
        case.refresh_from_db()
        assert (case.amount, case.months, case.status_changes.count()) == (
            D("873.00"),
            ["2026-01", "2026-02", "2026-03"],
            1,
        )
        page = client.post(url, end_data(), follow=True).content.decode()
    assert "已登记城镇职工基本养老保险终止领取" in page and "应退还本人" not in page
    case.refresh_from_db()
    assert (case.amount, case.outstanding, case.months, case.status) == (
        D("291.00"),
        D("291.00"),
        ["2026-01"],
        S.DETECTED,
    )
    change = case.status_changes.order_by("pk").last()
    assert (
        change.by == clerk
        and "减少应追回 582.00 元，应追回 291.00 元（不再涉及 2026-02、2026-03）" in change.note
    )
    assert case.history.first().history_user == clerk
    assert case.history.first().history_change_reason.startswith(
        "减少应追回金额：城镇职工基本养老保险末次领取2026年01月"
    )
    with at(2026, 4, 11):
        again = client.post(url, end_data())
    assert "该记录已于2026年01月终止领取" in again.content.decode()
    case.refresh_from_db()
    assert (case.amount, case.status_changes.count()) == (D("291.00"), 2)
    with at(2026, 4, 20):
        run = pay_month(APR, finance=finance, finance2=finance2)
    assert list(run.lines.filter(pension=pension).values_list("month", "kind", "amount")) == [
        (APR, K.NORMAL, D("291.00"))
    ]
    total = sum(RecoveryCase.objects.filter(pension=pension).values_list("amount", flat=True), D("0"))
    assert total == D("311.00")  # 291.00 (January) + the decrease case's 20.00


@pytest.fixture
def recorded_from_february(town, clerk, finance, finance2):
    """January, February and March paid (301.00 each); on 2026-04-02 recorded from February: a case
    of 301.00 + 301.00 = 602.00 for February and March, verified and notified the same day."""
    pension = PensionFactory(person__town=town, start_month=JAN)
    PensionFactory(person__town=town, start_month=JAN)
    for month in (JAN, FEB, MAR):
        with at(2026, month.month, 20):
            pay_month(month, finance=finance, finance2=finance2)
    with at(2026, 4, 2):
        record = other_pension_record(
            person=pension.person, origin="declaration", scheme=SCHEME, from_month=FEB, by=clerk
        )
        case = suspension_case(pension)
        assert (case.amount, case.months) == (D("602.00"), ["2026-02", "2026-03"])
        recovery.recovery_verify(case=case, by=clerk)
        recovery.recovery_notify(case=case, by=clerk, repay_by=date(2026, 5, 31))
    return pension, record, case


@pytest.mark.parametrize(
    ("repaid", "amount", "outstanding", "status", "refund"),
    [
        # 602.00 − 301.00 (March) = 301.00 still due; 200.00 repaid: 101.00 outstanding, nothing to give back.
        ("200.00", "301.00", "101.00", S.NOTIFIED, "0"),
        # 400.00 repaid, more than the 301.00 now due: the amount cannot go below what was recovered
        # (R17, as at 核实), so it stays 400.00 with 0.00 outstanding (已全部追回), and 400.00 − 301.00 =
        # 99.00 was not owed: to be refunded to the person.
        ("400.00", "400.00", "0.00", S.REPAID, "99.00"),
    ],
)
def test_a_partly_repaid_case_never_goes_below_what_was_recovered(
    recorded_from_february, client, clerk, repaid, amount, outstanding, status, refund
):
    pension, record, case = recorded_from_february
    with at(2026, 4, 5):
        recovery.recovery_repay(case=case, amount=D(repaid), on=date(2026, 4, 5), by=clerk)
    client.force_login(clerk)
    with at(2026, 4, 10):
        page = client.post(
            reverse("benefits:other_pension_end", args=[record.pk]), end_data(to_month="2026-02"), follow=True
        ).content.decode()
    case.refresh_from_db()
    assert (case.amount, case.repaid, case.outstanding, case.status, case.months) == (
        D(amount),
        D(repaid),
        D(outstanding),
        status,
        ["2026-02"],
    )
    assert (
        case.outstanding >= 0
        and case.outstanding == case.amount - case.repaid - case.offset - case.written_off
    )
    if D(refund):
        assert f"追回案件已追回金额多于应追回 {refund} 元，应退还本人" in page
        assert (
            "应退还本人"
            in case.status_changes.filter(from_status=S.NOTIFIED, to_status=S.NOTIFIED).get().note
        )
    else:
        assert "应退还本人" not in page


def test_a_case_that_falls_away_entirely_goes_to_a_manager_as_a_write_off(
    town, clerk, manager, finance, finance2
):
    """The pension starts in February; the other pension is recorded on 2026-03-05 from January: suspended
    from February, a case of 301.00 (February). Its last month turns out to be January: every month of
    the case was due, and a case is never of 0.00, so it goes to 核销待批 (requested by the clerk who
    ended the record, who may not approve it); the manager's approval writes off 301.00."""
    pension = PensionFactory(person__town=town, start_month=FEB)
    PensionFactory(person__town=town, start_month=FEB)
    with at(2026, 2, 20):
        pay_month(FEB, finance=finance, finance2=finance2)
    with at(2026, 3, 5):
        record = other_pension_record(
            person=pension.person, origin="declaration", scheme=SCHEME, from_month=JAN, by=clerk
        )
        case = suspension_case(pension)
        assert (case.amount, case.months) == (D("301.00"), ["2026-02"])
        ended = other_pension_end(record=record, to_month=JAN, reason="本人申报有误", by=clerk)
    assert ended.refund == 0
    case.refresh_from_db()
    assert (case.status, case.amount, case.outstanding, case.write_off_requested_by) == (
        S.WRITE_OFF_PENDING,
        D("301.00"),
        D("301.00"),
        clerk,
    )
    assert "全部月份应发" in case.write_off_reason
    with pytest.raises(PermissionDenied):
        recovery.recovery_write_off_approve(case=case, by=clerk)
    with at(2026, 3, 6):
        recovery.recovery_write_off_approve(case=case, by=manager)
    case.refresh_from_db()
    assert (case.status, case.written_off, case.outstanding) == (S.WRITTEN_OFF, D("301.00"), D("0.00"))


def test_the_reduction_refuses_nothing_twice_and_a_bad_amount_changes_nothing(recorded_from_february, clerk):
    """The service itself: 0 reduces nothing; a second R7 end is refused before anything changes."""
    _, record, case = recorded_from_february
    assert recovery.recovery_case_reduce(case=case, amount=D("0"), months=[MAR], by=clerk, reason="测试") == 0
    with at(2026, 4, 10):
        other_pension_end(record=record, to_month=FEB, reason="职保停发", by=clerk)
        with pytest.raises(ValidationError, match="该记录已于2026年02月终止领取"):
            other_pension_end(record=record, to_month=FEB, reason="职保停发", by=clerk)
    case.refresh_from_db()
    assert (case.amount, case.outstanding, case.months) == (D("301.00"), D("301.00"), ["2026-02"])


# --- 3. the other paths that recover paid months subtract decrease cases too --------------------------------


def test_a_duplicate_receipt_recovers_the_overlap_less_what_the_decrease_case_holds(decreased):
    """R12: the employee pension from January; on 2026-04-10 the overlap January-March paid basic
    291.00 + 291.00 + 281.00 = 863.00, of which the decrease case already recovers 10.00 + 10.00 =
    20.00 ("already recovered"): 843.00 is owed (no account balance to offset it here)."""
    from benefits.services.settlement import settlement_estimate

    with at(2026, 4, 10):
        figures = settlement_estimate(person=decreased.person, reason="duplicate_receipt", on=JAN)
    assert figures.overpaid_months == [JAN, FEB, MAR]
    assert (figures.overpaid_basic, figures.to_recover) == (D("843.00"), D("843.00"))


def test_a_decrease_while_suspended_is_recovered_once_when_the_months_are_due_again(
    town, clerk, finance, finance2
):
    """January-March paid 301.00 each; recorded on 2026-04-02 from February: a case of 602.00 (February,
    March). On 2026-04-05 the 2026 standard is lowered 163 → 153 (basic 281): the April run compares
    nobody suspended, so nothing more. Ended on 2026-04-25 with its last month February: March leaves
    the case (602.00 − 301.00 = 301.00, February), and March, now due at 281.00 basic but paid 291.00,
    gets a decrease case of 10.00. Lowered again on 2026-04-26 (153 → 148, basic 276): the May run
    opens 15.00 for January (291.00 paid vs 276.00: both decreases at once, the April run did not
    compare the suspended pension) and 5.00 for March (291.00 − 10.00 held = 281.00 vs 276.00),
    nothing for February (wholly in the suspension's case), and pays April and May at 276.00 + 10.00
    = 286.00. Each month is recovered once: January 15.00 = 291.00 − 276.00; February 301.00, all of
    it; March 10.00 + 5.00 = 15.00."""
    pension = PensionFactory(person__town=town, start_month=JAN)
    PensionFactory(person__town=town, start_month=JAN)
    for month in (JAN, FEB, MAR):
        with at(2026, month.month, 20):
            pay_month(month, finance=finance, finance2=finance2)
    with at(2026, 4, 2):
        record = other_pension_record(
            person=pension.person, origin="declaration", scheme=SCHEME, from_month=FEB, by=clerk
        )
    with at(2026, 4, 5):
        lower_2026_standard("153")
    with at(2026, 4, 20):
        pay_month(APR, finance=finance, finance2=finance2)
    assert RecoveryCase.objects.filter(pension=pension).count() == 1
    with at(2026, 4, 25):
        other_pension_end(record=record, to_month=FEB, reason="职保停发", by=clerk)
    case = suspension_case(pension)
    assert (case.amount, case.outstanding, case.months) == (D("301.00"), D("301.00"), ["2026-02"])
    march = RecoveryCase.objects.get(pension=pension, source=RecoveryCase.Source.STANDARD_CHANGE)
    assert (march.amount, march.opened_by) == (D("10.00"), clerk)
    assert list(march.month_amounts.values_list("month", "paid", "due", "amount")) == [
        (MAR, D("291.00"), D("281.00"), D("10.00"))
    ]
    with at(2026, 4, 26):
        lower_2026_standard("148")
    with at(2026, 5, 20):
        run = pay_month(date(2026, 5, 1), finance=finance, finance2=finance2)
    later = (
        RecoveryCase.objects.filter(pension=pension, source=RecoveryCase.Source.STANDARD_CHANGE)
        .exclude(pk=march.pk)
        .get()
    )
    assert list(later.month_amounts.values_list("month", "paid", "due", "amount")) == [
        (JAN, D("291.00"), D("276.00"), D("15.00")),
        (MAR, D("281.00"), D("276.00"), D("5.00")),
    ]
    assert list(
        run.lines.filter(pension=pension).order_by("month").values_list("month", "kind", "amount")
    ) == [
        (APR, K.NORMAL, D("286.00")),
        (date(2026, 5, 1), K.NORMAL, D("286.00")),
    ]


def test_a_death_during_a_suspension_takes_its_months_from_the_suspensions_case(
    town, agent, clerk, finance, finance2
):
    """January-March paid 301.00 each; recorded on 2026-04-02 from January: suspended from January, a
    case of 3 × 301.00 = 903.00. A death on 2026-01-20 (approved 2026-04-06) makes February and March
    the death's overpayment: basic 2 × 291.00 = 582.00 → the death's case, account 2 × 10.00 = 20.00
    → deducted from the heirs. So the suspension's case gives them up: 903.00 − 602.00 = 301.00
    (January, the other pension's month). Each month once: 301.00 + 582.00 + 20.00 = 903.00 paid."""
    from benefits.services.death import death_approve, death_record

    pension = PensionFactory(person__town=town, start_month=JAN)
    PensionFactory(person__town=town, start_month=JAN)
    for month in (JAN, FEB, MAR):
        with at(2026, month.month, 20):
            pay_month(month, finance=finance, finance2=finance2)
    with at(2026, 4, 2):
        other_pension_record(
            person=pension.person, origin="declaration", scheme=SCHEME, from_month=JAN, by=clerk
        )
    assert suspension_case(pension).amount == D("903.00")
    with at(2026, 4, 6):
        report = death_record(person=pension.person, death_date=date(2026, 1, 20), source="civil", by=agent)
        settlement = death_approve(report=report, by=clerk)
        with pytest.raises(ValidationError):
            death_approve(report=report, by=clerk)
    case = suspension_case(pension)
    assert (case.amount, case.outstanding, case.months) == (D("301.00"), D("301.00"), ["2026-01"])
    death = RecoveryCase.objects.get(pension=pension, source=RecoveryCase.Source.DEATH)
    assert (death.amount, death.months) == (D("582.00"), ["2026-02", "2026-03"])
    assert (settlement.overpaid_account, settlement.to_recover) == (D("20.00"), D("582.00"))
