"""The money of transfers and terminations, with exact amounts (§5, §6, R12-R16)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from benefits.models import FuneralSubsidy, PayrollLine, PayrollRun
from contributions import selectors
from contributions.models import AccountEntry, AccountExit, EntryKind, InterestSettlement, Refund, Source
from contributions.services.exits import exit_figures, relationship_application_settle
from enrollment.models import InsuranceRelationship, Person, RelationshipApplication
from tests.factories import AccountEntryFactory, PensionFactory, PersonFactory

from ..contributions.conftest import at

pytestmark = pytest.mark.django_db


def funded(person, *, by=None):
    """Opening balance of 2026 = 1,360.00: personal 1,000, province 60, collective 200, 代缴 100 (all 2025)."""
    for source, amount in (("personal", "1000"), ("province", "60"), ("collective", "200"), ("daijiao", "100")):
        AccountEntryFactory(person=person, source=source, kind="credit", amount=D(amount), entry_date=date(2025, 3, 1), year=2025)


def application(person, kind, *, by, event_on=date(2026, 7, 15), **kw):
    payee = {}
    if kind not in ("transfer_out", "to_employee", "transfer_in", "from_employee"):
        payee = dict(payee_name=person.name, payee_id_number=person.id_number, bank_name="农商银行", bank_account="6228480000000000001")
    return RelationshipApplication.objects.create(
        person=person, town=person.town, kind=kind, event_on=event_on, created_by=by, status="county_approved",
        **{**payee, **kw},
    )


def ledger_by_kind(person):
    return sorted(
        (e.kind, e.source, str(e.amount)) for e in AccountEntry.objects.filter(person=person, entry_date__gte=date(2026, 1, 1))
    )


def test_transfer_out_moves_the_whole_balance_with_interim_interest_to_the_transfer_month(town, clerk):
    person = PersonFactory(town=town, age=40)
    funded(person)
    with at(2026, 7, 20):
        f = exit_figures(person=person, kind="transfer_out", event_on=date(2026, 7, 15))
        # 2026 has no rate yet: 2025's 1.50%; interim = round(1,360.00 × 1.5% × 6/12, 2) = 10.20
        assert f["interim_interest"] == D("10.20") and f["payable"] == D("1370.20")
        done = relationship_application_settle(application=application(person, "transfer_out", by=clerk), by=clerk)
    assert (done.payable, done.balance, done.interim_interest) == (D("1370.20"), D("1370.20"), D("10.20"))
    assert done.years == [2025]
    assert ledger_by_kind(person) == sorted([
        ("interest", "interest", "10.20"), ("transfer_out", "personal", "-1000.00"), ("transfer_out", "province", "-60.00"),
        ("transfer_out", "collective", "-200.00"), ("transfer_out", "daijiao", "-100.00"),
        ("transfer_out", "interest", "-10.20"),
    ])
    assert selectors.balance(person=person) == D("0.00")
    assert InterestSettlement.objects.get(person=person, year=2026).amount == D("10.20")
    person.refresh_from_db()
    assert (person.status, person.status_reason) == (Person.Status.TERMINATED, "6499")
    assert InsuranceRelationship.objects.get(person=person).end_kind == "transfer_out"
    assert not Refund.objects.exists()


def test_abroad_refunds_without_the_government_subsidies(town, clerk):
    person = PersonFactory(town=town, age=40)
    funded(person)
    with at(2026, 7, 20):
        done = relationship_application_settle(application=application(person, "abroad", by=clerk), by=clerk)
    # personal 1,000 + collective 200 + interim interest 10.20; province 60 and 代缴 100 return to the fund
    assert (done.payable, done.reclaimed) == (D("1210.20"), D("160.00"))
    assert ledger_by_kind(person) == sorted([
        ("interest", "interest", "10.20"), ("refund", "personal", "-1000.00"), ("refund", "collective", "-200.00"),
        ("refund", "interest", "-10.20"), ("reclaim", "province", "-60.00"), ("reclaim", "daijiao", "-100.00"),
    ])
    refund = Refund.objects.get()
    assert (refund.amount, refund.pay_type, refund.status) == (D("1210.20"), "F10006", "pending")
    person.refresh_from_db()
    assert person.status_reason == "6406"


def test_death_of_a_contributor_pays_the_heirs_the_whole_balance_plus_the_funeral_subsidy(town, clerk):
    person = PersonFactory(town=town, age=40)
    funded(person)
    FuneralSubsidy.objects.create(effective_from=date(2026, 1, 1), amount=D("500.00"))
    with at(2026, 7, 20):
        app = application(person, "death", by=clerk, event_on=date(2026, 5, 3), payee_relation="配偶")
        done = relationship_application_settle(application=app, by=clerk)
    # death in May: interim = round(1,360 × 1.5% × 4/12, 2) = 6.80; heirs 1,366.80 + 500.00
    assert (done.interim_interest, done.funeral_subsidy, done.payable) == (D("6.80"), D("500.00"), D("1866.80"))
    assert {e.kind for e in AccountEntry.objects.filter(person=person, amount__lt=0)} == {EntryKind.INHERIT}
    assert Refund.objects.get().amount == D("1866.80")
    person.refresh_from_db()
    assert person.status_reason == "6401"


def test_a_pensioner_with_a_duplicate_employee_pension_gets_the_balance_without_subsidies_minus_the_overlap(town, clerk):
    pension = PensionFactory(person__town=town, start_month=date(2026, 1, 1), basic_pension=D("291.00"))
    person = pension.person
    funded(person)
    for month in (1, 2, 3, 4, 5, 6):
        run = PayrollRun.objects.create(month=date(2026, month, 1))
        PayrollLine.objects.create(
            run=run, pension=pension, person=person, town=town, month=date(2026, month, 1), basic_amount=D("291.00"),
            account_amount=D("10.00"), amount=D("301.00"), status=PayrollLine.Status.PAID, bank_account="1",
        )
    # the benefit start settled 2026's interest already (claim_determine): no interim interest here
    InterestSettlement.objects.create(person=person, year=2026, settled_on=date(2026, 1, 1), amount=D("0"), reason="待遇开始", created_by=clerk)
    with at(2026, 7, 20):
        app = application(person, "duplicate_receipt", by=clerk, employee_start=date(2026, 4, 1))
        f = exit_figures(person=person, kind="duplicate_receipt", event_on=app.event_on, employee_start=app.employee_start)
        assert f["side"].overlap_months == ["2026-04", "2026-05", "2026-06"]
        done = relationship_application_settle(application=app, by=clerk)
    # non-government 1,200.00 − basic pension of April-June 873.00 = 327.00; subsidies 160.00 reclaimed
    assert (done.payable, done.offset, done.reclaimed, done.to_recover) == (D("327.00"), D("873.00"), D("160.00"), D("0.00"))
    assert ledger_by_kind(person) == sorted([
        ("reclaim", "personal", "-873.00"), ("refund", "personal", "-127.00"), ("refund", "collective", "-200.00"),
        ("reclaim", "province", "-60.00"), ("reclaim", "daijiao", "-100.00"),
    ])
    person.refresh_from_db()
    pension.refresh_from_db()
    assert (person.status_reason, pension.status, pension.last_month) == ("1407", "stopped", date(2026, 6, 1))


def test_a_duplicate_receipt_larger_than_the_balance_leaves_a_remainder_to_recover(town, clerk):
    pension = PensionFactory(person__town=town, start_month=date(2025, 1, 1))
    person = pension.person
    AccountEntryFactory(person=person, source="personal", kind="credit", amount=D("500"), entry_date=date(2024, 3, 1), year=2024)
    InterestSettlement.objects.create(person=person, year=2026, settled_on=date(2026, 1, 1), amount=D("0"), reason="x", created_by=clerk)
    for month in (1, 2, 3):
        run = PayrollRun.objects.create(month=date(2026, month, 1))
        PayrollLine.objects.create(
            run=run, pension=pension, person=person, town=town, month=date(2026, month, 1), basic_amount=D("291.00"),
            account_amount=D("10.00"), amount=D("301.00"), status=PayrollLine.Status.PAID, bank_account="1",
        )
    with at(2026, 4, 10):
        done = relationship_application_settle(
            application=application(person, "duplicate_receipt", by=clerk, employee_start=date(2025, 12, 1)), by=clerk
        )
    assert (done.payable, done.offset, done.to_recover) == (D("0.00"), D("500.00"), D("373.00"))
    assert not Refund.objects.exists()


def test_duplicate_contribution_refunds_personal_and_collective_for_the_overlap_never_the_subsidy(town, clerk):
    person = PersonFactory(town=town, age=40)
    funded(person)
    with at(2026, 7, 20):
        app = application(person, "duplicate_contribution", by=clerk, overlap_year=2025, overlap_months=4)
        done = relationship_application_settle(application=app, by=clerk)
    # (1,000 + 200) × 4/12 = 333.33 + 66.67 = 400.00; province and 代缴 untouched; relationship continues
    assert done.payable == D("400.00")
    assert ledger_by_kind(person) == [("refund", "collective", "-66.67"), ("refund", "personal", "-333.33")]
    assert Refund.objects.get().pay_type == "F10004"
    person.refresh_from_db()
    assert person.status == Person.Status.CONTRIBUTING


def test_a_second_settlement_or_termination_is_refused(town, clerk):
    person = PersonFactory(town=town, age=40)
    funded(person)
    with at(2026, 7, 20):
        app = application(person, "abroad", by=clerk)
        relationship_application_settle(application=app, by=clerk)
        with pytest.raises(ValidationError, match="已结算"):
            relationship_application_settle(application=app, by=clerk)
        with pytest.raises(ValidationError, match="已终止"):
            relationship_application_settle(application=application(person, "duplicate_enrollment", by=clerk), by=clerk)
    assert AccountExit.objects.count() == 1 and Refund.objects.count() == 1


def test_transfer_in_credits_the_balance_and_the_carried_years_count(town, clerk):
    person = PersonFactory(town=town, age=50, enrolled_on=date(2026, 3, 1))
    AccountEntryFactory(person=person, source="personal", kind="credit", amount=D("200"), entry_date=date(2026, 3, 1), year=2026)
    with at(2026, 7, 20):
        app = application(
            person, "transfer_in", by=clerk, amount_in=D("3456.78"), years_in=[2016, 2017, 2018, 2019, 2020],
            certificate_no="琼儋凭2026-001", other_area="儋州市",
        )
        relationship_application_settle(application=app, by=clerk)
        assert selectors.counted_years(person=person, before=date(2026, 8, 1)) == [2016, 2017, 2018, 2019, 2020, 2026]
    assert AccountEntry.objects.get(person=person, kind="transfer_in").amount == D("3456.78")
    assert selectors.balance_by_source(person=person) == {Source.PERSONAL: D("200.00"), Source.TRANSFER_IN: D("3456.78")}


def test_transfer_back_in_opens_a_new_relationship_and_counts_only_its_own_years(town, clerk):
    person = PersonFactory(town=town, age=45)
    funded(person)
    with at(2026, 3, 10):
        relationship_application_settle(application=application(person, "transfer_out", by=clerk, event_on=date(2026, 3, 1)), by=clerk)
    with at(2026, 9, 10):
        app = application(person, "transfer_in", by=clerk, event_on=date(2026, 9, 1), amount_in=D("1500.00"),
                          years_in=[2025, 2026], certificate_no="C-2", other_area="海口市")
        relationship_application_settle(application=app, by=clerk)
        assert selectors.counted_years(person=person, before=date(2026, 10, 1)) == [2025, 2026]
    person.refresh_from_db()
    assert person.status == Person.Status.CONTRIBUTING and person.enrolled_on == date(2026, 9, 1)
    rels = list(InsuranceRelationship.objects.filter(person=person).order_by("number").values_list("number", "end_kind", "start_kind"))
    assert rels == [(1, "transfer_out", "enrolled"), (2, "", "transfer_in")]
    assert selectors.balance(person=person) == D("1500.00")
