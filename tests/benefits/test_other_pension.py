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
