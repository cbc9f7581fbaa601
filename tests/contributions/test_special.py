"""老农保 merge (R21) and 被征地 subsidy (§8.2): one clerk records, another reviews, then it is credited."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contributions import services
from contributions.models import AccountEntry, SpecialCredit
from enrollment.models import Person
from tests.factories import PersonFactory

from .conftest import ledger

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def old_member(town):
    return PersonFactory(town=town, old_rural_pension=True)


def test_old_scheme_balance_is_credited_after_review(june_2026, old_member, clerk, clerk2):
    credit = services.special_credit_record(
        person=old_member, kind="old_rural", amount=D("3456.78"), document_no="临社保〔2026〕12号", by=clerk
    )
    assert credit.status == SpecialCredit.Status.PENDING and ledger(old_member) == []
    services.special_credit_review(credit=credit, approve=True, opinion="", by=clerk2)
    credit.refresh_from_db()
    assert credit.status == SpecialCredit.Status.APPROVED and credit.reviewed_by == clerk2
    assert ledger(old_member) == [("old_rural", "3456.78", "2026-06-15", 2026)]
    assert credit.entry.created_by == clerk2
    assert credit.history.first().history_user == clerk2


def test_land_subsidy_credited_to_its_own_ledger(june_2026, town, clerk, clerk2):
    person = PersonFactory(town=town, land_expropriated=True)
    credit = services.special_credit_record(person=person, kind="land", amount=D("8000"), document_no="琼府〔2025〕8号", by=clerk)
    services.special_credit_review(credit=credit, approve=True, opinion="同意", by=clerk2)
    assert ledger(person) == [("land", "8000.00", "2026-06-15", 2026)]


def test_preparer_never_reviews(june_2026, old_member, clerk):
    credit = services.special_credit_record(person=old_member, kind="old_rural", amount=D("100"), document_no="X1", by=clerk)
    with pytest.raises(ValidationError) as exc:
        services.special_credit_review(credit=credit, approve=True, opinion="", by=clerk)
    assert exc.value.messages == ["经办人不能复核自己登记的业务（经办与复核分离）"]
    assert not AccountEntry.objects.exists()


def test_return_needs_an_opinion_and_credits_nothing(june_2026, old_member, clerk, clerk2):
    credit = services.special_credit_record(person=old_member, kind="old_rural", amount=D("100"), document_no="X1", by=clerk)
    with pytest.raises(ValidationError) as exc:
        services.special_credit_review(credit=credit, approve=False, opinion="", by=clerk2)
    assert exc.value.message_dict == {"opinion": ["退回必须填写复核意见"]}
    services.special_credit_review(credit=credit, approve=False, opinion="金额与证明不符", by=clerk2)
    credit.refresh_from_db()
    assert credit.status == SpecialCredit.Status.REJECTED and not AccountEntry.objects.exists()
    # a returned record frees the person for a corrected one
    services.special_credit_record(person=old_member, kind="old_rural", amount=D("90"), document_no="X1", by=clerk)


@pytest.mark.parametrize(
    "attrs, kind, field, message",
    [
        ({"old_rural_pension": False}, "old_rural", "person", "该参保人未标记为老农保人员，请先在参保信息中标记"),
        ({"land_expropriated": False}, "land", "person", "该参保人未标记为被征地农民，请先在参保信息中标记"),
        ({"old_rural_pension": True, "status": Person.Status.RECEIVING}, "old_rural", "person",
         "该参保人当前状态为“待遇领取”，只能为正常参保或暂停缴费人员入账"),
    ],
)  # fmt: skip
def test_refusals_name_the_field(june_2026, town, clerk, attrs, kind, field, message):
    person = PersonFactory(town=town, **attrs)
    with pytest.raises(ValidationError) as exc:
        services.special_credit_record(person=person, kind=kind, amount=D("100"), document_no="D1", by=clerk)
    assert exc.value.message_dict[field] == [message]
    assert not SpecialCredit.objects.exists()


def test_old_scheme_merged_once_and_amount_positive(june_2026, old_member, clerk):
    services.special_credit_record(person=old_member, kind="old_rural", amount=D("100"), document_no="A", by=clerk)
    with pytest.raises(ValidationError) as exc:
        services.special_credit_record(person=old_member, kind="old_rural", amount=D("0"), document_no="B", by=clerk)
    assert exc.value.message_dict == {"person": ["该参保人的老农保个账已登记并入，不能重复登记"], "amount": ["金额必须大于零"]}
    assert SpecialCredit.objects.count() == 1


def test_agents_cannot_record(june_2026, old_member, agent):
    with pytest.raises(PermissionDenied):
        services.special_credit_record(person=old_member, kind="old_rural", amount=D("1"), document_no="A", by=agent)
