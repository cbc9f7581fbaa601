"""Delegated payments (代发, R22) through the pages: a clerk creates a programme and adds a payee, another
clerk confirms it (maker-checker) and only then the payroll pays it; stop/start with a reason; town
agents see their town's payees only; the person page shows the delegated lines."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from benefits.models import DelegatedPayee, DelegatedProgramme, PayrollLine
from benefits.services import payroll_generate
from tests.factories import PensionFactory

from .conftest import at, pay_month

pytestmark = pytest.mark.django_db
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


def programme_data(**overrides):
    return {"code": "DF0009", "name": "原辞退民办教师生活补助", "rule": "per_year", "amount": "10.00",
            "note": "每满一年教龄每月10元", "active": "on"} | overrides


def delegated_lines(person):
    return list(PayrollLine.objects.filter(person=person, kind=PayrollLine.Kind.DELEGATED)
                .values_list("month", "amount"))


def test_clerk_adds_a_payee_another_confirms_and_the_payroll_pays_it(client, town, clerk, clerk2, finance,
                                                                    finance2):
    person = PensionFactory(person__town=town).person
    with at(2026, 1, 10):
        client.force_login(clerk)
        response = client.post(reverse("benefits:programme_create"), programme_data())
        programme = DelegatedProgramme.objects.get()
        assert response["Location"] == reverse("benefits:programme_detail", args=[programme.pk])
        assert (programme.rule, programme.amount) == ("per_year", Decimal("10.00"))
        response = client.post(reverse("benefits:payee_add", args=[programme.pk]),
                               {"id_number": person.id_number, "service_years": "12", "start_month": "2026-01"})
        payee = DelegatedPayee.objects.get()
        assert (payee.status, payee.monthly_amount, payee.created_by) == ("0", Decimal("120.00"), clerk)
        page = client.get(reverse("benefits:programme_detail", args=[programme.pk])).content.decode()
        assert person.name in page and "待其他县局经办员复核" in page
        # Whoever added it never confirms it.
        response = client.post(reverse("benefits:payee_confirm", args=[payee.pk]), follow=True)
        assert "录入代发对象的人员不能复核" in response.content.decode()
        payee.refresh_from_db()
        assert payee.status == "0"
    with at(2026, 1, 20):
        pay_month(JAN, finance=finance, finance2=finance2)
    assert delegated_lines(person) == []  # not paid while waiting for the check
    with at(2026, 2, 5):
        client.force_login(clerk2)
        assert "待复核的代发对象" in client.get(reverse("home")).content.decode()
        client.post(reverse("benefits:payee_confirm", args=[payee.pk]))
        payee.refresh_from_db()
        assert (payee.status, payee.confirmed_by) == ("1", clerk2)
        page = client.get(reverse("enrollment:person_detail", args=[person.pk])).content.decode()
        assert "原辞退民办教师生活补助" in page and "120.00" in page
    with at(2026, 2, 20):
        payroll_generate(month=FEB, by=finance)
    # January (confirmed late) and February, once each.
    assert sorted(delegated_lines(person)) == [(JAN, Decimal("120.00")), (FEB, Decimal("120.00"))]


def test_programme_bad_input_and_edit(client, clerk):
    client.force_login(clerk)
    for data, message in ((programme_data(amount="0"), "金额应大于 0"), (programme_data(amount="abc"), "请输入金额"),
                          (programme_data(name=""), "请填写项目名称"), (programme_data(rule="x"), "选择一个有效的选项")):
        response = client.post(reverse("benefits:programme_create"), data)
        assert response.status_code == 200 and message in response.content.decode(), message
    assert not DelegatedProgramme.objects.exists()
    client.post(reverse("benefits:programme_create"), programme_data())
    programme = DelegatedProgramme.objects.get()
    duplicate = client.post(reverse("benefits:programme_create"), programme_data(name="另一个"))
    assert "该代发类型代码已存在" in duplicate.content.decode() and DelegatedProgramme.objects.count() == 1
    edit = client.get(reverse("benefits:programme_edit", args=[programme.pk])).content.decode()
    assert "原辞退民办教师生活补助" in edit
    client.post(reverse("benefits:programme_edit", args=[programme.pk]), programme_data(rule="flat", amount="150"))
    programme.refresh_from_db()
    assert (programme.rule, programme.amount) == ("flat", Decimal("150.00"))


def test_payee_bad_input_saves_nothing(client, town, clerk):
    person = PensionFactory(person__town=town).person
    client.force_login(clerk)
    client.post(reverse("benefits:programme_create"), programme_data())
    programme = DelegatedProgramme.objects.get()
    url = reverse("benefits:payee_add", args=[programme.pk])
    for data, message in (
        ({"id_number": "469024195001019999", "service_years": "5", "start_month": "2026-01"}, "没有该身份证号的参保人"),
        ({"id_number": person.id_number, "service_years": "0", "start_month": "2026-01"}, "服务年限应大于 0"),
        ({"id_number": person.id_number, "service_years": "-1", "start_month": "2026-01"}, "服务年限不能为负数"),
        ({"id_number": person.id_number, "service_years": "5", "start_month": ""}, "请填写起发年月"),
    ):
        response = client.post(url, data)
        assert response.status_code == 200 and message in response.content.decode(), message
    assert not DelegatedPayee.objects.exists()
    client.post(url, {"id_number": person.id_number, "service_years": "5", "start_month": "2026-01"})
    again = client.post(url, {"id_number": person.id_number, "service_years": "6", "start_month": "2026-01"})
    assert "已是该项目的代发对象" in again.content.decode() and DelegatedPayee.objects.count() == 1


def test_stop_and_start_with_a_reason(client, town, clerk, clerk2, finance):
    person = PensionFactory(person__town=town).person
    with at(2026, 1, 10):
        client.force_login(clerk)
        client.post(reverse("benefits:programme_create"), programme_data(rule="flat", amount="200"))
        programme = DelegatedProgramme.objects.get()
        client.post(reverse("benefits:payee_add", args=[programme.pk]),
                    {"id_number": person.id_number, "service_years": "0", "start_month": "2026-01"})
        payee = DelegatedPayee.objects.get()
        assert payee.monthly_amount == Decimal("200.00")
        client.force_login(clerk2)
        client.post(reverse("benefits:payee_confirm", args=[payee.pk]))
        response = client.post(reverse("benefits:payee_status", args=[payee.pk]), {"status": "2"}, follow=True)
        assert "请填写变更原因" in response.content.decode()
        payee.refresh_from_db()
        assert payee.status == "1"
        client.post(reverse("benefits:payee_status", args=[payee.pk]), {"status": "2", "note": "外出未认证"})
        payee.refresh_from_db()
        assert (payee.status, payee.status_note) == ("2", "外出未认证")
    with at(2026, 1, 20):
        payroll_generate(month=JAN, by=finance)
    assert delegated_lines(person) == []
    with at(2026, 2, 5):
        client.force_login(clerk2)
        client.post(reverse("benefits:payee_status", args=[payee.pk]), {"status": "1", "note": "已认证"})
        client.post(reverse("benefits:payee_status", args=[payee.pk]), {"status": "3", "note": "本人申请终止"})
        payee.refresh_from_db()
        assert payee.status == "3"
        response = client.post(reverse("benefits:payee_status", args=[payee.pk]), {"status": "1", "note": "x"},
                               follow=True)
        assert "不能变更为" in response.content.decode()
    payee.refresh_from_db()
    assert payee.status == "3"


def test_town_agents_see_their_towns_payees_and_edit_nothing(client, town, other_town, clerk, agent,
                                                           agent_elsewhere):
    here, there = PensionFactory(person__town=town).person, PensionFactory(person__town=other_town).person
    client.force_login(clerk)
    client.post(reverse("benefits:programme_create"), programme_data())
    programme = DelegatedProgramme.objects.get()
    for person in (here, there):
        client.post(reverse("benefits:payee_add", args=[programme.pk]),
                    {"id_number": person.id_number, "service_years": "3", "start_month": "2026-01"})
    payee_there = DelegatedPayee.objects.get(person=there)
    client.force_login(agent)
    assert "原辞退民办教师生活补助" in client.get(reverse("benefits:programme_list")).content.decode()
    page = client.get(reverse("benefits:programme_detail", args=[programme.pk])).content.decode()
    assert here.name in page and there.name not in page and "新增代发对象" not in page
    assert client.get(reverse("benefits:payee_add", args=[programme.pk])).status_code == 403
    assert client.post(reverse("benefits:programme_create"), programme_data(code="X1")).status_code == 403
    assert client.post(reverse("benefits:payee_status", args=[payee_there.pk]),
                       {"status": "3", "note": "x"}).status_code == 403
    payee_there.refresh_from_db()
    assert payee_there.status == "0" and DelegatedProgramme.objects.count() == 1
