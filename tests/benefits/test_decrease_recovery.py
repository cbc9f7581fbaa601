"""A past-dated decrease of the basic pension (R9 the other way round, R17): the months already paid at
the higher amount become one recovery case (标准调整多发) with the exact amount of each month; a rerun
opens nothing twice, and a later increase of the same months pays only the difference (补发)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from benefits import services
from benefits.models import BasicPensionStandard, PayrollLine, PayrollRun, RecoveryCase, RecoveryCaseMonth
from benefits.services.recovery import recovery_verify
from tests.factories import PensionFactory

from .conftest import at, pay_month, return_file

pytestmark = pytest.mark.django_db
D = Decimal
NOV, DEC, JAN, FEB, MAR = (
    date(2025, 11, 1),
    date(2025, 12, 1),
    date(2026, 1, 1),
    date(2026, 2, 1),
    date(2026, 3, 1),
)
K = PayrollLine.Kind


def close(month, *, finance, finance2):
    run = PayrollRun.objects.get(month=month)
    services.payroll_review(run=run, by=finance2)
    services.payroll_export(run=run, by=finance)
    services.payroll_close(run=run, file=return_file(run), by=finance)


def lines_of(month):
    return list(
        PayrollLine.objects.filter(run__month=month)
        .order_by("month", "kind")
        .values_list("month", "kind", "basic_amount", "amount")
    )


@pytest.fixture
def paid_three_months(finance, finance2):
    """Nov and Dec 2025 paid at the 2025 standard 143 + 128 = 271, January 2026 at 163 + 128 = 291
    (account pension 10.00 each month)."""
    pension = PensionFactory(start_month=NOV)
    for month in (NOV, DEC, JAN):
        with at(month.year, month.month, 20):
            pay_month(month, finance=finance, finance2=finance2)
    return pension


def test_a_past_dated_decrease_becomes_one_recovery_case_with_each_months_amount(
    paid_three_months, finance, finance2, clerk
):
    """On 2026-02-05 the county lowers the basic pension back to December: a new standard from 2025-12
    of 138 + 128 = 266 (December paid 271: 5.00 overpaid) and the 2026 one edited 163 → 153 (281;
    January paid 291: 10.00 overpaid). November keeps 271 (nothing). The February run pays February at
    281 + 10 = 291 and opens one case of 5.00 + 10.00 = 15.00 for 2025-12 and 2026-01; generating
    again opens nothing more, and neither does the March run."""
    pension = paid_three_months
    with at(2026, 2, 5):
        BasicPensionStandard.objects.create(
            effective_from=DEC, central_part=D("138"), provincial_part=D("128"), note="追溯下调"
        )
        standard = BasicPensionStandard.objects.get(effective_from=JAN)
        standard.central_part = D("153")
        standard.save()
    with at(2026, 2, 20):
        services.payroll_generate(month=FEB, by=finance)
        again = services.payroll_generate(month=FEB, by=finance)
    assert again["created"] == 0
    assert lines_of(FEB) == [(FEB, K.NORMAL, D("281.00"), D("291.00"))]  # no 补发, no negative line
    case = RecoveryCase.objects.get()
    assert (case.source, case.pension_id, case.person_id, case.status) == (
        RecoveryCase.Source.STANDARD_CHANGE,
        pension.pk,
        pension.person_id,
        RecoveryCase.Status.DETECTED,
    )
    assert (case.amount, case.outstanding, case.months) == (D("15.00"), D("15.00"), ["2025-12", "2026-01"])
    assert case.opened_by == finance and "2025年12月起追溯下调" in case.reason
    assert list(case.month_amounts.values_list("month", "paid", "due", "amount")) == [
        (DEC, D("271.00"), D("266.00"), D("5.00")),
        (JAN, D("291.00"), D("281.00"), D("10.00")),
    ]
    assert case.status_changes.get().to_status == RecoveryCase.Status.DETECTED
    with at(2026, 2, 20):
        close(FEB, finance=finance, finance2=finance2)
    with at(2026, 3, 20):
        pay_month(MAR, finance=finance, finance2=finance2)
    assert RecoveryCase.objects.count() == 1 and RecoveryCaseMonth.objects.count() == 2
    assert lines_of(MAR) == [(MAR, K.NORMAL, D("281.00"), D("291.00"))]


def test_a_later_increase_pays_only_what_the_decrease_took_back(paid_three_months, finance, finance2):
    """January paid 291; the 2026 standard lowered 163 → 153 on 2026-02-05: the February run pays
    February at 281 and the case holds January's 10.00. Raised again 153 → 168 on 2026-03-05 (296 from
    January): March pays 补发 for January of 296 − (291 − 10.00) = 15.00 (not 5.00: the 10.00 is being
    recovered) and for February 296 − 281 = 15.00; no second case."""
    pension = paid_three_months
    standard = BasicPensionStandard.objects.get(effective_from=JAN)
    with at(2026, 2, 5):
        standard.central_part = D("153")
        standard.save()
    with at(2026, 2, 20):
        pay_month(FEB, finance=finance, finance2=finance2)
    assert RecoveryCase.objects.get().amount == D("10.00")
    with at(2026, 3, 5):
        standard.central_part = D("168")
        standard.save()
    with at(2026, 3, 20):
        services.payroll_generate(month=MAR, by=finance)
    assert lines_of(MAR) == [
        (JAN, K.ARREARS, D("15.00"), D("15.00")),
        (FEB, K.ARREARS, D("15.00"), D("15.00")),
        (MAR, K.NORMAL, D("296.00"), D("306.00")),
    ]
    assert RecoveryCase.objects.filter(pension=pension).count() == 1


def test_the_case_page_lists_the_months_and_another_towns_agent_gets_404(
    paid_three_months, client, clerk, agent_elsewhere, finance, finance2
):
    with at(2026, 2, 5):
        standard = BasicPensionStandard.objects.get(effective_from=JAN)
        standard.central_part = D("153")
        standard.save()
    with at(2026, 2, 20):
        services.payroll_generate(month=FEB, by=finance)
    case = RecoveryCase.objects.get()
    url = reverse("benefits:recovery_detail", args=[case.pk])
    client.force_login(clerk)
    page = client.get(url).content.decode()
    assert "多发月份" in page and "2026年01月" in page and "291.00" in page and "281.00" in page
    client.force_login(agent_elsewhere)
    assert client.get(url).status_code == 404
    assert client.post(
        reverse("benefits:recovery_step", args=[case.pk, "verify"]), {"amount": "10.00"}
    ).status_code in (403, 404)
    case.refresh_from_db()
    assert case.status == RecoveryCase.Status.DETECTED


def test_verifying_the_case_with_a_bad_amount_is_refused_at_the_field_and_changes_nothing(
    paid_three_months, clerk, finance
):
    with at(2026, 2, 5):
        standard = BasicPensionStandard.objects.get(effective_from=JAN)
        standard.central_part = D("153")
        standard.save()
    with at(2026, 2, 20):
        services.payroll_generate(month=FEB, by=finance)
    case = RecoveryCase.objects.get()
    with pytest.raises(ValidationError) as refused:
        recovery_verify(case=case, by=clerk, amount=D("0"))
    assert refused.value.message_dict == {"amount": ["金额必须大于零"]}
    case.refresh_from_db()
    assert (case.status, case.amount, case.status_changes.count()) == (
        RecoveryCase.Status.DETECTED,
        D("10.00"),
        1,
    )


def test_a_death_after_a_decrease_recovers_each_month_once(town, poster, finance, finance2):
    """Paid January-April 2026 at 291 basic + 10 account; the 2026 standard lowered 163 → 153 on
    2026-04-26: the May run opens a decrease case of 4 × 10.00 = 40.00. A death on 2026-01-20 makes
    February-April overpaid: their basic parts 3 × 291.00 = 873.00, of which 3 × 10.00 = 30.00 is in the
    decrease case already, so the death's recovery (to_recover) is 843.00: each month's 291.00 once."""
    from benefits.services.settlement import settlement_estimate

    from .conftest import credit

    pension = PensionFactory(person__town=town)
    credit(pension.person, "1000.00", JAN, by=poster)
    credit(pension.person, "390.00", JAN, by=poster, source="province")
    for month in (JAN, FEB, MAR, date(2026, 4, 1)):
        with at(2026, month.month, 25):
            pay_month(month, finance=finance, finance2=finance2)
    with at(2026, 4, 26):
        standard = BasicPensionStandard.objects.get(effective_from=JAN)
        standard.central_part = D("153")
        standard.save()
    with at(2026, 5, 21):
        services.payroll_generate(month=date(2026, 5, 1), by=finance)
        figures = settlement_estimate(person=pension.person, reason="death", on=date(2026, 1, 20))
    assert RecoveryCase.objects.get().amount == D("40.00")
    assert (figures.overpaid_basic, figures.to_recover, figures.overpaid_account) == (
        D("873.00"),
        D("843.00"),
        D("30.00"),
    )


def test_a_second_change_of_a_month_that_already_has_a_back_payment_is_paid_once(finance, finance2):
    """Nov and Dec 2025 paid at 271. On 2026-01-10 a standard of 153 + 128 = 281 from 2025-11: January
    pays 补发 10.00 for Nov and for Dec. On 2026-02-05 that standard is raised again to 158 + 128 = 286:
    February pays 286 − (271 + 10) = 5.00 more for each of them (a second 补发 line of the month, in its
    own run), once: generating February again adds nothing."""
    pension = PensionFactory(start_month=NOV)
    for month in (NOV, DEC):
        with at(month.year, month.month, 20):
            pay_month(month, finance=finance, finance2=finance2)
    with at(2026, 1, 10):
        standard = BasicPensionStandard.objects.create(
            effective_from=NOV, central_part=D("153"), provincial_part=D("128"), note="追溯提高"
        )
    with at(2026, 1, 20):
        pay_month(JAN, finance=finance, finance2=finance2)
    assert [ln[:3] for ln in lines_of(JAN)] == [
        (NOV, K.ARREARS, D("10.00")),
        (DEC, K.ARREARS, D("10.00")),
        (JAN, K.NORMAL, D("291.00")),
    ]
    with at(2026, 2, 5):
        standard.central_part = D("158")
        standard.save()
    with at(2026, 2, 20):
        services.payroll_generate(month=FEB, by=finance)
        assert services.payroll_generate(month=FEB, by=finance)["created"] == 0
    assert [ln[:3] for ln in lines_of(FEB)] == [
        (NOV, K.ARREARS, D("5.00")),
        (DEC, K.ARREARS, D("5.00")),
        (FEB, K.NORMAL, D("291.00")),
    ]
    assert not RecoveryCase.objects.filter(pension=pension).exists()


def test_a_failed_back_payment_is_reissued_not_paid_again_as_a_new_difference(finance, finance2):
    """As above, but January's 补发 of 10.00 for November fails at the bank. February re-issues it (重发
    10.00) and pays only the new difference 5.00 as 补发, never 15.00 (which would pay the 10 twice)."""
    PensionFactory(start_month=NOV)
    for month in (NOV, DEC):
        with at(month.year, month.month, 20):
            pay_month(month, finance=finance, finance2=finance2)
    with at(2026, 1, 10):
        standard = BasicPensionStandard.objects.create(
            effective_from=NOV, central_part=D("153"), provincial_part=D("128"), note="追溯提高"
        )
    with at(2026, 1, 20):
        services.payroll_generate(month=JAN, by=finance)
        failed = PayrollLine.objects.get(run__month=JAN, month=NOV, kind=K.ARREARS)
        pay_month(JAN, finance=finance, finance2=finance2, failures={failed.pk: "账户冻结"})
    with at(2026, 2, 5):
        standard.central_part = D("158")
        standard.save()
    with at(2026, 2, 20):
        services.payroll_generate(month=FEB, by=finance)
    assert [ln[:3] for ln in lines_of(FEB)] == [
        (NOV, K.ARREARS, D("5.00")),
        (NOV, K.REISSUE, D("10.00")),
        (DEC, K.ARREARS, D("5.00")),
        (FEB, K.NORMAL, D("291.00")),
    ]
