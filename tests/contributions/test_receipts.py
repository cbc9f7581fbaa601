"""Collecting premiums (R4): an agent records, finance confirms, only then the account is credited."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from contributions import selectors, services
from contributions.models import AccountEntry, Receipt
from enrollment.models import Person
from tests.factories import PersonFactory, ReceiptFactory

from .conftest import ledger

pytestmark = pytest.mark.django_db
D = Decimal


def record(person, agent, **kwargs):
    values = {"year": 2026, "grade": D("200"), "paid_on": date(2026, 6, 1)}
    values.update(kwargs)
    return services.receipt_record(person=person, by=agent, **values)


def test_agent_records_payment_and_nothing_is_credited_before_confirmation(june_2026, person, agent, town):
    receipt = record(person, agent)
    assert receipt.status == Receipt.Status.COLLECTED
    assert receipt.receipt_no == "4690241002026000001"
    assert receipt.town == town and receipt.collected_by == agent
    assert receipt.personal_amount == D("200.00") and receipt.total_amount == D("200.00")
    assert ledger(person) == []
    assert record(PersonFactory(town=town), agent).receipt_no == "4690241002026000002"


@pytest.mark.parametrize("grade, subsidy", [("100", "30.00"), ("400", "30.00"), ("500", "60.00"), ("2000", "60.00")])
def test_confirmation_credits_personal_and_grade_subsidy_on_the_payment_date(june_2026, person, agent, finance, grade, subsidy):
    receipt = record(person, agent, grade=D(grade), paid_on=date(2026, 5, 20))
    services.receipt_confirm_batch(receipt_ids=[receipt.pk], by=finance)
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.CONFIRMED and receipt.confirmed_by == finance
    assert ledger(person) == [
        ("personal", f"{D(grade):.2f}", "2026-05-20", 2026),
        ("province", subsidy, "2026-05-20", 2026),
    ]
    assert set(AccountEntry.objects.filter(person=person).values_list("receipt_id", flat=True)) == {receipt.pk}


def test_backpayment_earns_no_subsidy_but_counts_as_a_contribution_year(june_2026, person, agent, finance):
    receipt = record(person, agent, year=2025, grade=D("500"), paid_on=date(2026, 2, 3))
    assert receipt.is_backpay
    services.receipt_confirm_batch(receipt_ids=[receipt.pk], by=finance)
    assert ledger(person) == [("personal", "500.00", "2026-02-03", 2025)]
    assert selectors.counted_years(person=person, before=date(2026, 7, 1)) == [2025]
    assert "补缴" in AccountEntry.objects.get(person=person).memo


def test_collective_and_sponsorship_credited_to_their_own_ledgers(june_2026, person, agent, finance):
    receipt = record(person, agent, grade=D("300"), collective_amount=D("1500"), sponsor_amount=D("500"))
    services.receipt_confirm_batch(receipt_ids=[receipt.pk], by=finance)
    assert ledger(person) == [
        ("personal", "300.00", "2026-06-01", 2026),
        ("province", "30.00", "2026-06-01", 2026),
        ("collective", "1500.00", "2026-06-01", 2026),
        ("sponsor", "500.00", "2026-06-01", 2026),
    ]
    assert receipt.total_amount == D("2300.00")


def test_collective_plus_sponsorship_is_capped_at_the_highest_grade(june_2026, person, agent):
    with pytest.raises(ValidationError) as exc:
        record(person, agent, collective_amount=D("1500"), sponsor_amount=D("500.01"))
    assert exc.value.message_dict["collective_amount"] == ["集体补助与其他资助合计不能超过当年最高档次 2000 元"]
    assert not Receipt.objects.exists()


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        ({"grade": D("250")}, "grade", "2026 年度没有 250 元档次"),
        ({"paid_on": date(2026, 6, 16)}, "paid_on", "缴费日期不能晚于今天"),
        ({"year": 2030}, "year", "2030 年度未设置缴费档次，不能缴费"),
        ({"year": 2026, "paid_on": date(2025, 12, 1)}, "year", "不能预缴以后年度的保费"),
    ],
)
def test_bad_payment_is_refused_with_a_chinese_message_and_nothing_saved(june_2026, person, agent, kwargs, field, message):
    with pytest.raises(ValidationError) as exc:
        record(person, agent, **kwargs)
    assert any(m.startswith(message) for m in exc.value.message_dict[field])
    assert not Receipt.objects.exists()


def test_only_a_contributing_person_may_pay(june_2026, agent, town):
    person = PersonFactory(town=town, status=Person.Status.RECEIVING)
    with pytest.raises(ValidationError) as exc:
        record(person, agent)
    assert "不是正常参保缴费人员" in exc.value.message_dict["person"][0]
    assert not Receipt.objects.exists()


def test_one_payment_per_person_and_year(june_2026, person, agent):
    first = record(person, agent)
    with pytest.raises(ValidationError) as exc:
        record(person, agent, grade=D("300"))
    assert exc.value.message_dict["year"] == [f"2026 年度已有缴费记录（票据号 {first.receipt_no}），同一年度只能缴费一次"]
    assert Receipt.objects.count() == 1
    services.receipt_void(receipt=first, reason="档次登记错误", by=agent)
    assert record(person, agent, grade=D("300")).grade == D("300.00")


def test_agent_cannot_record_for_another_town(june_2026, agent_elsewhere, person):
    with pytest.raises(Http404):  # another town's person does not exist for them
        record(person, agent_elsewhere)
    assert not Receipt.objects.exists()


def test_finance_cannot_record_payments(june_2026, finance, person):
    with pytest.raises(PermissionDenied):
        record(person, finance)


def test_collector_never_confirms_own_collection(june_2026, person, finance, finance2):
    receipt = ReceiptFactory(person=person, collected_by=finance)
    with pytest.raises(ValidationError) as exc:
        services.receipt_confirm_batch(receipt_ids=[receipt.pk], by=finance)
    assert "由您本人收款，须由其他财务人员确认" in exc.value.messages[0]
    assert ledger(person) == []
    services.receipt_confirm_batch(receipt_ids=[receipt.pk], by=finance2)
    assert len(ledger(person)) == 2


def test_batch_confirmation_is_all_or_nothing(june_2026, agent, finance, town):
    good = ReceiptFactory(person=PersonFactory(town=town), collected_by=agent)
    done = ReceiptFactory(person=PersonFactory(town=town), collected_by=agent)
    services.receipt_confirm_batch(receipt_ids=[done.pk], by=finance)
    with pytest.raises(ValidationError) as exc:
        services.receipt_confirm_batch(receipt_ids=[good.pk, done.pk], by=finance)
    assert "状态为“已确认”，不能确认" in exc.value.messages[0]
    good.refresh_from_db()
    assert good.status == Receipt.Status.COLLECTED
    assert not AccountEntry.objects.filter(person=good.person).exists()


def test_town_agent_cannot_confirm(june_2026, agent, agent2, person):
    receipt = ReceiptFactory(person=person, collected_by=agent2)
    with pytest.raises(PermissionDenied):
        services.receipt_confirm_batch(receipt_ids=[receipt.pk], by=agent)


def test_voiding_a_confirmed_receipt_reverses_its_credits(june_2026, person, agent, finance):
    receipt = record(person, agent, grade=D("500"))
    services.receipt_confirm_batch(receipt_ids=[receipt.pk], by=finance)
    with pytest.raises(PermissionDenied):
        services.receipt_void(receipt=receipt, reason="重复收费", by=agent)
    services.receipt_void(receipt=receipt, reason="重复收费", by=finance)
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.VOIDED and receipt.void_reason == "重复收费"
    assert selectors.balance(person=person) == D("0.00")
    assert [row[:2] for row in ledger(person)] == [
        ("personal", "500.00"), ("province", "60.00"), ("personal", "-500.00"), ("province", "-60.00"),
    ]
    assert selectors.counted_years(person=person, before=date(2027, 1, 1)) == []


def test_remitted_receipt_cannot_be_voided(june_2026, person, agent, finance):
    receipt = record(person, agent, paid_on=date(2026, 5, 2))
    services.receipt_confirm_batch(receipt_ids=[receipt.pk], by=finance)
    services.remittance_generate(month=date(2026, 5, 1), by=finance)
    with pytest.raises(ValidationError) as exc:
        services.receipt_void(receipt=receipt, reason="错误", by=finance)
    assert exc.value.messages == ["该票据的保费已上缴财政专户，不能作废"]
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.CONFIRMED


def test_void_needs_a_reason(june_2026, person, agent):
    receipt = record(person, agent)
    with pytest.raises(ValidationError) as exc:
        services.receipt_void(receipt=receipt, reason="  ", by=agent)
    assert exc.value.message_dict["reason"] == ["作废必须填写原因"]
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.COLLECTED


def test_database_refuses_a_second_open_receipt_for_the_same_year(person):
    from django.db import IntegrityError, transaction

    ReceiptFactory(person=person, year=2024)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReceiptFactory(person=person, year=2024)
    ReceiptFactory(person=person, year=2024, status=Receipt.Status.VOIDED, void_reason="x", voided_at="2026-01-01T00:00Z")


def test_no_back_payment_for_years_before_the_minimum_enrolment_age(june_2026, agent, town):
    young = PersonFactory(town=town, birth_date=date(2005, 8, 1))
    with pytest.raises(ValidationError) as exc:
        record(young, agent, year=2020, paid_on=date(2026, 6, 1))
    assert exc.value.message_dict["year"] == ["缴费年度早于该参保人年满16周岁的年度（2021 年）"]
    assert record(young, agent, year=2021, paid_on=date(2026, 6, 1)).is_backpay
