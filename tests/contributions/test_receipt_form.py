"""The payment form of a town agent (登记缴费): only 正常参保 persons of the agent's town can be chosen
(found by 身份证号 or name), grades offered for the chosen year only, and a Chinese error at the field
for every bad input with nothing saved."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contributions.models import ContributionGrade, Receipt
from enrollment.models import Person
from tests.factories import PersonFactory, ReceiptFactory

from .conftest import at

pytestmark = pytest.mark.django_db
D = Decimal
URL = reverse("contributions:receipt_create")


@pytest.fixture(autouse=True)
def _frozen():
    with at(2026, 6, 15):
        yield


@pytest.fixture
def payer(town):
    return PersonFactory(town=town, name="符海英", birth_date=date(1980, 5, 1))


def test_search_by_name_offers_only_contributing_persons_of_the_agents_town(client, agent, town, other_town, payer):
    receiving = PersonFactory(town=town, name="符海英", birth_date=date(1950, 2, 1), status=Person.Status.RECEIVING)
    elsewhere = PersonFactory(town=other_town, name="符海英", birth_date=date(1970, 3, 1))
    client.force_login(agent)
    response = client.post(URL, {"q": "符海"})
    html = response.content.decode()
    rows = response.context["results"]
    assert [r["person"] for r in rows] == [receiving, payer]  # ordered by name, then birth date
    assert f'href="?person={payer.pk}"' in html
    assert f"?person={receiving.pk}" not in html and "不能缴费" in html
    assert f"?person={elsewhere.pk}" not in html and "1970-03-01" not in html
    assert payer.id_number not in html and "********" in html  # masked in the list


def test_search_by_full_id_number_chooses_the_person_at_once(client, agent, payer):
    client.force_login(agent)
    response = client.post(URL, {"q": payer.id_number.lower()})
    assert response.status_code == 302 and response["Location"] == f"{URL}?person={payer.pk}"
    html = client.get(response["Location"]).content.decode()
    assert "缴费人" in html and payer.name in html and 'name="grade"' in html
    assert payer.id_number not in html  # the agent sees the masked number only


def test_search_finds_nothing_in_another_town(client, agent_elsewhere, payer):
    client.force_login(agent_elsewhere)
    response = client.post(URL, {"q": payer.id_number})
    assert response.status_code == 200 and response.context["results"] == []
    assert "未找到该身份证号或姓名的参保人（或不属于您所在的镇/农场）" in response.content.decode()


@pytest.mark.parametrize(
    "who, message",
    [
        ("receiving", "该参保人当前状态为“待遇领取”，不是正常参保缴费人员，不能缴费"),
        ("suspended", "该参保人当前状态为“暂停缴费”，不是正常参保缴费人员，不能缴费"),
        ("elsewhere", "未找到该参保人（或不属于您所在的镇/农场），请重新查找"),
    ],
)
def test_a_person_who_may_not_pay_cannot_be_chosen(client, agent, town, other_town, who, message):
    person = {
        "receiving": lambda: PersonFactory(town=town, status=Person.Status.RECEIVING),
        "suspended": lambda: PersonFactory(town=town, status=Person.Status.CONTRIB_SUSPENDED),
        "elsewhere": lambda: PersonFactory(town=other_town),
    }[who]()
    client.force_login(agent)
    response = client.get(URL, {"person": person.pk})
    assert response.context["payer"] is None and response.context["payer_errors"] == [message]
    assert message in response.content.decode() and 'name="grade"' not in response.content.decode()
    response = client.post(URL, {"person": person.pk, "year": "2026", "grade": "200", "paid_on": "2026-06-01"})
    assert response.status_code == 200 and message in response.content.decode()
    assert response.context["form"].errors["person"] == [message]
    assert not Receipt.objects.exists()


def test_grades_offered_are_those_of_the_chosen_year(client, agent, payer):
    ContributionGrade.objects.create(year=2026, amount=D("3000.00"))
    client.force_login(agent)
    response = client.get(URL, {"person": payer.pk})
    form = response.context["form"]
    assert [value for value, _ in form.fields["grade"].choices][-1] == "3000"
    table = json.loads(response.content.decode().split('id="grade-table" type="application/json">')[1].split("<")[0])
    assert table["2026"][-1] == "3000" and "3000" not in table["2025"]
    assert "2027" not in table  # no payment for a future year

    response = client.post(URL, {"person": payer.pk, "year": "2025", "grade": "3000", "paid_on": "2026-06-01"})
    form = response.context["form"]
    assert form.errors["grade"] == ["所选缴费年度没有 3000 元档次，请重新选择"]
    assert "3000" not in [value for value, _ in form.fields["grade"].choices]  # redrawn for 2025
    assert not Receipt.objects.exists()
    response = client.post(URL, {"person": payer.pk, "year": "2026", "grade": "3000", "paid_on": "2026-06-01"})
    assert response.status_code == 302 and Receipt.objects.get().grade == D("3000.00")


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"person": ""}, "person", "请先查找并选择缴费的参保人"),
        ({"year": "2027"}, "year", "2027 年度不能缴费：只能选择已设置缴费档次、且不晚于今年的年度"),
        ({"year": ""}, "year", "这个字段是必填项。"),
        ({"grade": "250"}, "grade", "所选缴费年度没有 250 元档次，请重新选择"),
        ({"paid_on": ""}, "paid_on", "这个字段是必填项。"),
        ({"paid_on": "2026-13-01"}, "paid_on", "输入一个有效的日期。"),
        ({"paid_on": "2026-06-16"}, "paid_on", "缴费日期不能晚于今天"),
        ({"paid_on": "2025-12-31"}, "year", "不能预缴以后年度的保费"),
        ({"year": "2011", "paid_on": "2026-06-01"}, "year", "缴费年度早于该参保人年满16周岁的年度（2012 年）"),
        ({"collective_amount": "-1"}, "collective_amount", "金额不能为负数"),
        ({"collective_amount": "abc"}, "collective_amount", "请输入金额（数字，单位元）"),
        ({"collective_amount": "1500", "sponsor_amount": "500.01"}, "collective_amount",
         "集体补助与其他资助合计不能超过当年最高档次 2000 元"),
        ({"sponsor_amount": "1.001"}, "sponsor_amount", "金额最多保留两位小数（精确到分）"),
    ],
)  # fmt: skip
def test_every_bad_input_gets_a_chinese_error_at_its_field_and_nothing_is_saved(client, agent, town, changes, field, message):
    young = PersonFactory(town=town, birth_date=date(1996, 3, 1))
    data = {"person": young.pk, "year": "2026", "grade": "200", "paid_on": "2026-06-01", "collective_amount": "",
            "sponsor_amount": ""}  # fmt: skip
    data.update(changes)
    client.force_login(agent)
    response = client.post(URL, data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert message in response.content.decode()
    assert not Receipt.objects.exists()


def test_a_second_payment_for_the_same_year_is_refused_at_the_year(client, agent, payer):
    first = ReceiptFactory(person=payer, year=2026)
    client.force_login(agent)
    response = client.post(URL, {"person": payer.pk, "year": "2026", "grade": "300", "paid_on": "2026-06-01"})
    assert response.context["form"].errors["year"] == [
        f"2026 年度已有缴费记录（票据号 {first.receipt_no}），同一年度只能缴费一次"
    ]
    assert "已缴年度" in response.content.decode() and Receipt.objects.count() == 1


def test_account_page_links_to_the_form_by_person_not_by_id_number(client, agent, town, payer):
    receiving = PersonFactory(town=town, status=Person.Status.RECEIVING)
    client.force_login(agent)
    html = client.get(reverse("contributions:account_detail", args=[payer.pk])).content.decode()
    assert f"{URL}?person={payer.pk}" in html and payer.id_number not in html
    html = client.get(reverse("contributions:account_detail", args=[receiving.pk])).content.decode()
    assert f"{URL}?person=" not in html  # no 登记缴费 button for a person who may not pay


def test_person_page_section_links_to_payment_receipts_and_account(client, agent, clerk, payer):
    ReceiptFactory(person=payer, year=2025, receipt_no="MINE")
    ReceiptFactory(person=PersonFactory(town=payer.town), year=2025, receipt_no="SOMEONE-ELSE")
    client.force_login(agent)
    html = client.get(reverse("enrollment:person_detail", args=[payer.pk])).content.decode()
    receipts = reverse("contributions:receipt_list") + f"?person={payer.pk}"
    assert f"{URL}?person={payer.pk}" in html and receipts in html
    assert reverse("contributions:account_detail", args=[payer.pk]) in html
    html = client.get(receipts).content.decode()
    assert "MINE" in html and "SOMEONE-ELSE" not in html and f"仅显示 {payer.name}" in html
    client.force_login(clerk)  # county staff see the account and receipts, but do not record payments
    html = client.get(reverse("enrollment:person_detail", args=[payer.pk])).content.decode()
    assert receipts in html and f"{URL}?person=" not in html


def test_receipts_of_a_person_of_another_town_show_nothing(client, agent_elsewhere, payer):
    ReceiptFactory(person=payer, year=2025, receipt_no="MINE")
    client.force_login(agent_elsewhere)
    response = client.get(reverse("contributions:receipt_list"), {"person": payer.pk})
    assert "MINE" not in response.content.decode() and response.context["only_person"] is None


def test_the_date_field_is_filled_in_a_format_the_browser_date_input_reads(client, agent, payer):
    client.force_login(agent)
    html = client.get(URL, {"person": payer.pk}).content.decode()
    assert 'type="date" name="paid_on" value="2026-06-15"' in html
    html = client.post(URL, {"person": payer.pk, "year": "2026", "grade": "250", "paid_on": "2026-06-01"}).content.decode()
    assert 'name="paid_on" value="2026-06-01"' in html  # kept when the form comes back with an error
