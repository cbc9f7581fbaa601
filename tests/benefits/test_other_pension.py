"""R7 through the page: a clerk records that a person already receives another basic state pension;
a pension being paid is suspended (1299) from that month and the months paid since are a recovery
case; a claim is refused."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from benefits.models import OtherPensionRecord, PayrollLine, RecoveryCase, Suspension
from benefits.services import claim_submit
from enrollment.models import Person
from tests.factories import PensionFactory, PersonFactory

from .conftest import at, pay_month

pytestmark = pytest.mark.django_db
JAN, FEB, MAR = (date(2026, m, 1) for m in (1, 2, 3))


def data(**overrides):
    return {"origin": "employee_list", "scheme": "城镇职工基本养老保险", "from_month": "2026-02",
            "note": "2026年3月职保领取名单比对"} | overrides


def test_recording_another_pension_stops_the_pension_and_recovers_the_months_paid(
        client, town, clerk, finance, finance2):
    pension = PensionFactory(person__town=town)
    PensionFactory(person__town=town)
    for month in (JAN, FEB):
        with at(2026, month.month, 20):
            pay_month(month, finance=finance, finance2=finance2)
    url = reverse("benefits:other_pension_record", args=[pension.person.pk])
    with at(2026, 3, 5):
        client.force_login(clerk)
        bad = client.post(url, data(from_month="2026-04"))
        assert "起始领取年月不能晚于本月" in bad.content.decode() and not OtherPensionRecord.objects.exists()
        response = client.post(url, data(), follow=True)
        assert "已登记" in response.content.decode() and "城镇职工基本养老保险" in response.content.decode()
        again = client.post(url, data())
        assert "已登记" in again.content.decode() and OtherPensionRecord.objects.count() == 1
    suspension = Suspension.objects.get(pension=pension)
    assert (suspension.reason_code, suspension.start_month, suspension.backpay) == ("1299", FEB, False)
    case = RecoveryCase.objects.get(pension=pension)
    assert case.amount == Decimal("301.00")  # February's line: 291.00 basic + 10.00 account
    pension.person.refresh_from_db()
    assert pension.person.status == Person.Status.BENEFIT_SUSPENDED
    with at(2026, 3, 20):
        pay_month(MAR, finance=finance, finance2=finance2)
    assert not PayrollLine.objects.filter(pension=pension, month=MAR).exists()


def test_a_claim_is_refused(town, agent, clerk):
    person = PersonFactory(town=town, age=61)
    from benefits.services.other_pension import other_pension_record

    with at(2026, 3, 5):
        other_pension_record(person=person, origin="declaration", scheme="城镇职工基本养老保险", from_month=JAN,
                             by=clerk)
        with pytest.raises(ValidationError) as refused:
            claim_submit(person=person, by=agent)
    assert any("已领取城镇职工基本养老保险待遇（自2026年01月起）" in m or "已领取城镇职工基本养老保险待遇" in m
               for m in refused.value.messages)


def test_town_agents_see_but_do_not_record(client, town, agent, agent_elsewhere):
    person = PersonFactory(town=town)
    page, url = (reverse(f"benefits:{n}", args=[person.pk]) for n in ("other_pension", "other_pension_record"))
    client.force_login(agent)
    assert client.get(page).status_code == 200 and 'name="scheme"' not in client.get(page).content.decode()
    assert client.post(url, data(from_month="2026-01")).status_code == 403
    client.force_login(agent_elsewhere)
    assert client.get(page).status_code == 404
    assert not OtherPensionRecord.objects.exists()


# --- the other pension ends: the pension is paid again from the next month (R7) ----------------------------

APR = date(2026, 4, 1)


@pytest.fixture
def suspended_from_february(town, clerk, finance, finance2):
    """Paid January and February (291.00 basic + 10.00 account = 301.00 a month); on 2026-03-05 the
    employee-pension list shows 城镇职工基本养老保险 from 2026-02: suspended (1299) from February, which
    is already paid (a recovery case of 301.00); the March run pays nothing."""
    from benefits.services.other_pension import other_pension_record

    pension = PensionFactory(person__town=town)
    PensionFactory(person__town=town)  # someone else paid every month (a run is never empty)
    for month in (JAN, FEB):
        with at(2026, month.month, 20):
            pay_month(month, finance=finance, finance2=finance2)
    with at(2026, 3, 5):
        record = other_pension_record(person=pension.person, origin="employee_list", scheme="城镇职工基本养老保险",
                                      from_month=FEB, by=clerk)
    with at(2026, 3, 20):
        pay_month(MAR, finance=finance, finance2=finance2)
    return pension, record


def end_data(**overrides):
    return {"to_month": "2026-02", "reason": "职保待遇2026年3月起停发（停发通知）"} | overrides


def test_ending_the_other_pension_resumes_payment_from_the_next_month(
        suspended_from_february, client, clerk, finance, finance2):
    """Ended on 2026-04-10 with its last month 2026-02: the suspension ends with March as the first
    month paid again, so the April run pays March and April as 正常 lines, 301.00 each (602.00 in
    all); February stays a recovery case (it was the other pension's month), nothing is 补发."""
    pension, record = suspended_from_february
    assert record.suspension == Suspension.objects.get(pension=pension)
    url = reverse("benefits:other_pension_end", args=[record.pk])
    with at(2026, 4, 10):
        client.force_login(clerk)
        page = client.post(url, end_data(), follow=True).content.decode()
    assert "已登记城镇职工基本养老保险终止领取" in page and "2026年02月" in page
    record.refresh_from_db()
    assert (record.active, record.to_month, record.end_reason, record.ended_by) == (
        False, FEB, "职保待遇2026年3月起停发（停发通知）", clerk)
    assert record.history.first().history_change_reason.startswith("终止领取城镇职工基本养老保险：末次领取2026年02月")
    suspension = Suspension.objects.get(pension=pension)
    assert (suspension.start_month, suspension.end_month, suspension.ended_by) == (FEB, MAR, clerk)
    pension.person.refresh_from_db()
    assert pension.person.status == Person.Status.RECEIVING
    with at(2026, 4, 20):
        run = pay_month(APR, finance=finance, finance2=finance2)
    assert list(run.lines.filter(pension=pension).order_by("month").values_list("month", "kind", "amount")) == [
        (MAR, PayrollLine.Kind.NORMAL, Decimal("301.00")), (APR, PayrollLine.Kind.NORMAL, Decimal("301.00"))]
    assert RecoveryCase.objects.get(pension=pension).amount == Decimal("301.00")
    with at(2026, 4, 21):
        client.force_login(clerk)
        again = client.post(url, end_data())
    assert "该记录已于2026年02月终止领取" in again.content.decode()


def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(suspended_from_february, client, clerk):
    pension, record = suspended_from_february
    url = reverse("benefits:other_pension_end", args=[record.pk])
    client.force_login(clerk)
    with at(2026, 4, 10):
        for bad, message in (
            (end_data(to_month="2026-01"), "末次领取年月不能早于起始领取年月2026年02月"),
            (end_data(to_month="2026-05"), "末次领取年月不能晚于本月"),
            (end_data(to_month=""), "请填写末次领取年月"),
            (end_data(reason=""), "请填写终止原因"),
            (end_data(to_month="2026-13"), "年月"),
        ):
            response = client.post(url, bad)
            assert response.status_code == 200
            errors = response.context["end_form"].errors
            assert any(message in m for field in ("to_month", "reason") for m in errors.get(field, [])), (bad, errors)
            assert message in response.content.decode()
    record.refresh_from_db()
    assert record.active and record.to_month is None and record.history.count() == 2  # recorded, linked
    assert Suspension.objects.get(pension=pension).end_month is None


def test_town_agents_cannot_end_and_another_towns_agent_gets_404(suspended_from_february, client, agent,
                                                                 other_town):
    from tests.contributions.test_views import town_user

    _, record = suspended_from_february
    url = reverse("benefits:other_pension_end", args=[record.pk])
    with at(2026, 4, 10):
        # a user of another town, even one holding the permission, does not find the record
        client.force_login(town_user("clerk_elsewhere", other_town, "benefits.add_otherpensionrecord"))
        assert client.post(url, end_data()).status_code == 404
        client.force_login(agent)
        assert client.post(url, end_data()).status_code == 403
        assert 'name="to_month"' not in client.get(reverse("benefits:other_pension", args=[record.person_id])
                                                   ).content.decode()
    record.refresh_from_db()
    assert record.active


def test_a_claim_is_accepted_once_the_other_pension_ended(town, agent, clerk):
    from benefits.services.other_pension import other_pension_end, other_pension_record

    person = PersonFactory(town=town, age=61)
    with at(2026, 3, 5):
        record = other_pension_record(person=person, origin="declaration", scheme="城镇职工基本养老保险",
                                      from_month=JAN, by=clerk)
        other_pension_end(record=record, to_month=FEB, reason="本人申报有误，未领取职保", by=clerk)
        from benefits.services.other_pension import other_pension_refusal

        assert other_pension_refusal(person) == ""


def test_another_active_record_keeps_the_pension_suspended(suspended_from_february, clerk):
    from benefits.services.other_pension import other_pension_end, other_pension_record

    pension, record = suspended_from_february
    with at(2026, 4, 10):
        other_pension_record(person=pension.person, origin="declaration", scheme="机关事业单位基本养老保险",
                             from_month=MAR, by=clerk)
        other_pension_end(record=record, to_month=FEB, reason="职保停发", by=clerk)
    assert Suspension.objects.get(pension=pension).end_month is None
