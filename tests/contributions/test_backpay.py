"""补缴 of several missed years in one visit: one receipt per year, all or nothing, errors at the
year's field; only for the agent's own town."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contributions import selectors
from contributions.models import Receipt
from tests.factories import PersonFactory, ReceiptFactory

from .conftest import at

pytestmark = pytest.mark.django_db


def grade(year: int) -> Decimal:
    return selectors.grade_table(up_to=year)[year][0]


@pytest.fixture
def payer(town):
    person = PersonFactory(town=town, birth_date=date(1980, 5, 1))
    ReceiptFactory(person=person, year=2021)
    return person


def test_the_page_offers_the_open_years_and_records_one_receipt_each(client, agent, payer):
    url = reverse("contributions:backpay_create", args=[payer.pk])
    client.force_login(agent)
    with at(2026, 6, 15):
        html = client.get(url).content.decode()
        assert 'name="grade_2020"' in html and 'name="grade_2025"' in html
        assert 'name="grade_2021"' not in html  # paid already
        assert 'name="grade_2026"' not in html  # this year is a payment, not a 补缴
        response = client.post(url, {"paid_on": "2026-06-15", "grade_2019": str(grade(2019)),
                                     "grade_2020": str(grade(2020)), "grade_2022": ""})
    assert response.status_code == 302
    assert response["Location"] == reverse("contributions:receipt_list") + f"?person={payer.pk}"
    made = Receipt.objects.filter(person=payer, year__in=[2019, 2020]).order_by("year")
    assert [(r.year, r.grade, r.status, r.paid_on) for r in made] == [
        (2019, grade(2019), Receipt.Status.COLLECTED, date(2026, 6, 15)),
        (2020, grade(2020), Receipt.Status.COLLECTED, date(2026, 6, 15))]
    assert all(r.is_backpay for r in made)  # paid after the year's end: no entry subsidy when confirmed
    with at(2026, 6, 15):
        listed = client.get(response["Location"]).content.decode()
    assert "已登记 2 个年度的补缴" in listed and made[0].receipt_no in listed


def test_one_refused_year_records_none_and_says_why_at_that_year(client, agent, payer):
    url = reverse("contributions:backpay_create", args=[payer.pk])
    client.force_login(agent)
    with at(2026, 6, 15):
        response = client.post(url, {"paid_on": "2026-06-15", "grade_2019": str(grade(2019)), "grade_2020": "123"})
        assert response.status_code == 400
        html = response.content.decode()
        assert "2020 年度没有 123 元档次，请重新选择" in html
        future = client.post(url, {"paid_on": "2026-07-01", "grade_2019": str(grade(2019))})
        assert "缴费日期不能晚于今天" in future.content.decode() and future.status_code == 400
        nothing = client.post(url, {"paid_on": "2026-06-15"})
        assert "请至少为一个年度选择补缴档次" in nothing.content.decode()
    assert not Receipt.objects.filter(person=payer).exclude(year=2021).exists()


def test_the_service_is_all_or_nothing(agent, payer):
    from django.core.exceptions import ValidationError

    from contributions import services

    with at(2026, 6, 15), pytest.raises(ValidationError) as exc:
        services.receipts_record_backpay(person=payer, grades={2019: grade(2019), 2021: grade(2021), 2026: grade(2026)},
                                         paid_on=date(2026, 6, 15), by=agent)
    assert "2021 年度已有缴费记录" in exc.value.message_dict["grade_2021"][0]
    assert exc.value.message_dict["grade_2026"] == ["2026 年度不是补缴：补缴年度须早于缴费日期所在年度"]
    assert Receipt.objects.filter(person=payer).count() == 1  # 2019 was undone with the rest


def test_another_towns_person_is_404_and_a_clerk_403(client, agent_elsewhere, clerk, payer):
    url = reverse("contributions:backpay_create", args=[payer.pk])
    client.force_login(agent_elsewhere)
    assert client.get(url).status_code == 404
    assert client.post(url, {"paid_on": "2026-06-15", "grade_2019": "100"}).status_code == 404
    client.force_login(clerk)
    assert client.get(url).status_code == 403
    assert Receipt.objects.filter(person=payer).count() == 1
