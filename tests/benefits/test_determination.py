"""Determinations and estimates computed by hand (R7, R8), the claim's workflow and maker-checker.

Every figure below is worked out in the comment next to it from the entries the test posts.
"""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import Http404
from django.template.loader import render_to_string

from benefits import reports, selectors, services
from benefits.models import BenefitClaim, BenefitClaimStatusChange, LongContributionExtra, Pension
from contributions.models import AccountEntry, EntryKind, Source
from enrollment.models import Person
from linggao_pension.org import roles
from tests.conftest import make_user
from tests.factories import PensionFactory, PersonFactory

from .conftest import at, credit, yearly

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def person_a(town, poster):
    """Born 1966-04-10: 60 in April 2026, start 2026-05; 45 at the scheme start → 15 years required.

    Ledger: 2011-2025 personal 200 and provincial subsidy 30 a year; interest 1,234.56 booked
    2025-12-31; a collective subsidy of 100 on 2026-03-01; a personal payment of 300 on 2026-05-03
    (after the 1st of the start month: not in the balance, not a counted year).
    """
    person = PersonFactory(birth_date=date(1966, 4, 10), town=town, enrolled_on=date(2011, 7, 1))
    yearly(person, range(2011, 2026), "200.00", by=poster)
    yearly(person, range(2011, 2026), "30.00", by=poster, source=Source.PROVINCE)
    credit(person, "1234.56", date(2025, 12, 31), by=poster, source=Source.INTEREST, kind=EntryKind.INTEREST)
    credit(person, "100.00", date(2026, 3, 1), by=poster, source=Source.COLLECTIVE)
    credit(person, "300.00", date(2026, 5, 3), by=poster)
    return person


# opening balance 2026 = 15 × 200 + 15 × 30 + 1,234.56 = 4,684.56
# interim interest = round(4,684.56 × 1.50% (2025's rate: 2026 has none) × (5 − 1) / 12, 2) = round(23.4228) = 23.42
# balance at 2026-05-01 = 4,684.56 + 100 + 23.42 = 4,807.98; account pension = round(4,807.98 / 139) = 34.59
# basic pension 2026-05 = 163 + 128 = 291; monthly = 325.59
A_JSON = {
    "eligible": True, "reasons": [], "contribution_years": 15, "account_balance": "4807.98",
    "account_pension": "34.59", "basic_pension": "291.00", "monthly_pension": "325.59",
}


def estimate_json(person, start: str) -> dict:
    out = StringIO()
    call_command("pension_estimate", "--id-number", person.id_number, "--start", start, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_estimate_mid_year_start_with_interim_interest_and_several_sources(person_a):
    assert estimate_json(person_a, "2026-05") == A_JSON
    calc = selectors.pension_calculation(person=person_a, start=date(2026, 5, 1))
    assert calc.snapshot.opening_balance == D("4684.56")
    assert calc.snapshot.rate == D("0.0150")
    assert calc.snapshot.interim_interest == D("23.42")
    assert calc.snapshot.by_source_with_interim == {
        Source.PERSONAL: D("3000.00"), Source.PROVINCE: D("450.00"), Source.COLLECTIVE: D("100.00"),
        Source.INTEREST: D("1257.98"),
    }
    assert calc.years == list(range(2011, 2026))


def test_determination_freezes_exactly_the_estimate(person_a, agent, clerk):
    with at(2026, 4, 15):
        claim = services.claim_submit(person=person_a, by=agent, opinion="材料齐全")
    assert claim.status == BenefitClaim.Status.TOWN_REVIEWED
    assert claim.start_month == date(2026, 5, 1)
    estimate = estimate_json(person_a, "2026-05")
    with at(2026, 5, 6):
        pension = services.claim_determine(claim=claim, by=clerk, opinion="核定通过")
    pension.refresh_from_db()
    assert str(pension.account_balance) == estimate["account_balance"] == "4807.98"
    assert str(pension.account_pension) == estimate["account_pension"] == "34.59"
    assert str(pension.basic_pension) == estimate["basic_pension"] == "291.00"
    assert str(pension.monthly_pension) == estimate["monthly_pension"] == "325.59"
    assert pension.contribution_years == 15 and pension.first_contribution_year == 2011
    assert pension.balance_by_source == {"personal": "3000.00", "province": "450.00", "collective": "100.00",
                                         "interest": "1257.98"}
    assert (pension.opening_balance, pension.interim_interest, pension.interest_rate) == (
        D("4684.56"), D("23.42"), D("0.0150"))
    assert (pension.basic_central, pension.basic_provincial, pension.basic_county) == (D("163"), D("128"), D("0"))
    assert pension.start_month == pension.first_payroll_month == date(2026, 5, 1)
    assert pension.last_certified_on == date(2026, 5, 6)
    # the interim interest is settled: booked to 利息 dated the 1st of the start month
    interim = AccountEntry.objects.get(person=person_a, kind=EntryKind.INTEREST, year=2026)
    assert (interim.amount, interim.entry_date, interim.source) == (D("23.42"), date(2026, 5, 1), Source.INTEREST)
    person_a.refresh_from_db()
    assert person_a.status == Person.Status.RECEIVING
    assert person_a.status_changed_on == date(2026, 5, 1)
    assert person_a.history.get(status=Person.Status.RECEIVING).history_user == clerk
    claim.refresh_from_db()
    assert claim.status == BenefitClaim.Status.DETERMINED and claim.decided_by == clerk
    assert list(claim.status_changes.values_list("from_status", "to_status", "by__username")) == [
        ("", "submitted", "agent"), ("submitted", "town_reviewed", "agent"), ("town_reviewed", "determined", "clerk"),
    ]
    # the estimate of the same month is unchanged by the booking (the snapshot reads entries before the 1st)
    assert selectors.pension_calculation(person=person_a, start=date(2026, 5, 1)).account_balance == D("4807.98")


def test_transitional_rule_few_years_required(town, poster, agent, clerk):
    """Born 1956-03-20: 55 at 2011-07-01 → 60 − 55 = 5 years required; start 2016-04.

    2011-2015 personal 100 a year; opening 2016 = 500; interim = round(500 × 8.31% × 3/12) = round(10.3875)
    = 10.39; balance 510.39; account pension round(510.39 / 139) = 3.67; basic 2016-04 = 70 (central
    from 2014-07); monthly 73.67."""
    person = PersonFactory(birth_date=date(1956, 3, 20), town=town)
    yearly(person, range(2011, 2016), "100.00", by=poster, month=9)
    assert estimate_json(person, "2016-04") == {
        "eligible": True, "reasons": [], "contribution_years": 5, "account_balance": "510.39",
        "account_pension": "3.67", "basic_pension": "70.00", "monthly_pension": "73.67",
    }
    with at(2016, 4, 10):
        claim = services.claim_submit(person=person, by=agent)
        pension = services.claim_determine(claim=claim, by=clerk)
    assert (pension.required_years, pension.contribution_years) == (5, 5)
    assert (pension.account_pension, pension.basic_pension, pension.interim_interest) == (
        D("3.67"), D("70.00"), D("10.39"))


def test_already_60_at_the_scheme_start_gets_the_basic_pension_only(town):
    """Born 1950-01-05: 61 on 2011-07-01 → no years required, from the scheme's first month."""
    person = PersonFactory(birth_date=date(1950, 1, 5), town=town)
    assert estimate_json(person, "2011-07") == {
        "eligible": True, "reasons": [], "contribution_years": 0, "account_balance": "0.00",
        "account_pension": "0.00", "basic_pension": "55.00", "monthly_pension": "55.00",
    }


@pytest.fixture
def person_c(town, poster):
    """Born 1956-03-20 (5 years required) with only 2013-2015 paid: short by 2, 2011-2012 open to back-pay."""
    person = PersonFactory(birth_date=date(1956, 3, 20), town=town)
    yearly(person, range(2013, 2016), "100.00", by=poster, month=9)
    return person


def test_short_years_are_refused_with_the_shortfall_and_nothing_is_saved(person_c, agent):
    data = estimate_json(person_c, "2016-04")
    assert data["eligible"] is False
    assert data["reasons"] == ["累计缴费3年，不足应缴年限5年，还差2年，可补缴后申领"]
    assert data["contribution_years"] == 3
    with at(2016, 4, 10), pytest.raises(ValidationError) as exc:
        services.claim_submit(person=person_c, by=agent)
    assert exc.value.messages == ["累计缴费3年，不足应缴年限5年，还差2年，可补缴后申领"]
    assert not BenefitClaim.objects.exists()
    assert not BenefitClaimStatusChange.objects.exists()


def test_back_paid_after_60_starts_the_month_after_the_claim(person_c, poster, agent, clerk):
    """2011 and 2012 back-paid on 2016-06-10: years before 2016-04 are still 3, so the claim made on
    2016-06-20 starts 2016-07. Balance at 2016-07-01: 500; opening 2016 = 300 (2013-2015);
    interim = round(300 × 8.31% × 6/12) = round(12.465) = 12.47 (half-up); total 512.47;
    account pension round(512.47 / 139) = round(3.6868) = 3.69; monthly 70 + 3.69 = 73.69."""
    credit(person_c, "100.00", date(2016, 6, 10), by=poster, year=2011)
    credit(person_c, "100.00", date(2016, 6, 10), by=poster, year=2012)
    with at(2016, 6, 20):
        claim = services.claim_submit(person=person_c, by=agent)
    assert claim.start_month == date(2016, 7, 1)
    with at(2016, 7, 2):
        pension = services.claim_determine(claim=claim, by=clerk)
    assert (pension.contribution_years, pension.interim_interest, pension.account_balance) == (
        5, D("12.47"), D("512.47"))
    assert (pension.account_pension, pension.monthly_pension) == (D("3.69"), D("73.69"))


def test_long_contribution_extra_with_a_non_zero_value(town, poster):
    """2 元/月 per year beyond 15 from 2025-01. Born 1966-12-15, start 2027-01, 2011-2026 paid (16 years):
    balance 1,600 (no rate for 2027 or 2026: no interim interest); account pension round(1600 / 139) = 11.51;
    basic = 163 + 128 + 2 × (16 − 15) = 293; monthly 304.51."""
    LongContributionExtra.objects.create(effective_from=date(2025, 1, 1), amount_per_year=D("2.00"))
    person = PersonFactory(birth_date=date(1966, 12, 15), town=town)
    yearly(person, range(2011, 2027), "100.00", by=poster)
    assert estimate_json(person, "2027-01") == {
        "eligible": True, "reasons": [], "contribution_years": 16, "account_balance": "1600.00",
        "account_pension": "11.51", "basic_pension": "293.00", "monthly_pension": "304.51",
    }
    calc = selectors.pension_calculation(person=person, start=date(2027, 1, 1))
    assert (calc.basic.long_years, calc.basic.long_extra) == (1, D("2.00"))


def test_estimate_before_the_benefit_age_is_not_eligible(person_a):
    data = estimate_json(person_a, "2026-04")
    assert data["eligible"] is False
    assert data["reasons"] == ["未到待遇开始年月：2026年04月年满60周岁，最早自2026年05月起领取"]


def test_estimate_command_rejects_an_unknown_person():
    with pytest.raises(Exception) as exc:
        call_command("pension_estimate", "--id-number", "469024196604100011", "--start", "2026-05", "--json")
    assert "未找到" in str(exc.value)


# --- workflow, roles and maker-checker --------------------------------------------------------------


def test_the_submitter_never_determines(person_a, town):
    both = make_user("agent_clerk", roles.TOWN_AGENT, town)
    both.groups.add(Group.objects.get(name=roles.CLERK))
    with at(2026, 4, 15):
        claim = services.claim_submit(person=person_a, by=both)
    with at(2026, 5, 6), pytest.raises(ValidationError) as exc:
        services.claim_determine(claim=claim, by=both)
    assert exc.value.messages == ["申报人不能核定自己提交的待遇申领"]
    assert not Pension.objects.exists()
    claim.refresh_from_db()
    assert claim.status == BenefitClaim.Status.TOWN_REVIEWED


def test_an_agent_cannot_determine_and_a_clerk_cannot_submit(person_a, agent, clerk):
    with at(2026, 4, 15), pytest.raises(PermissionDenied):
        services.claim_submit(person=person_a, by=clerk)
    with at(2026, 4, 15):
        claim = services.claim_submit(person=person_a, by=agent)
    with at(2026, 5, 6), pytest.raises(PermissionDenied):
        services.claim_determine(claim=claim, by=agent)


def test_an_agent_submits_only_for_their_own_town(person_a, agent_elsewhere):
    with at(2026, 4, 15), pytest.raises(Http404):  # another town's person does not exist for them
        services.claim_submit(person=person_a, by=agent_elsewhere)
    assert not BenefitClaim.objects.exists()


def test_a_decider_limited_to_a_town_cannot_decide_another_towns_claim(person_a, agent, other_town):
    """The service checks the actor's town too (not only the page's scoped fetch)."""
    decider = make_user("town_decider", roles.TOWN_AGENT, other_town)
    decider.user_permissions.add(Permission.objects.get(codename="determine_claim"))
    decider = type(decider).objects.get(pk=decider.pk)  # fresh permission cache
    with at(2026, 4, 15):
        claim = services.claim_submit(person=person_a, by=agent)
    with at(2026, 5, 6):
        for decide in (lambda: services.claim_determine(claim=claim, by=decider),
                       lambda: services.claim_return(claim=claim, by=decider, reason="材料不全")):
            # another town's record does not exist for them (org.access.require_town): 404, nothing saved
            with pytest.raises(Http404) as exc:
                decide()
            assert str(exc.value) == "未找到该记录（只能办理本镇/农场的业务）"
    claim.refresh_from_db()
    assert claim.status == BenefitClaim.Status.TOWN_REVIEWED and not Pension.objects.exists()
    assert claim.status_changes.count() == 2


def test_determination_waits_for_the_start_month(person_a, agent, clerk):
    with at(2026, 4, 15):
        claim = services.claim_submit(person=person_a, by=agent)
        with pytest.raises(ValidationError) as exc:
            services.claim_determine(claim=claim, by=clerk)
    assert "2026年05月" in exc.value.messages[0]
    assert not Pension.objects.exists()


def test_submission_before_the_birthday_month_is_refused(person_a, agent):
    with at(2026, 3, 20), pytest.raises(ValidationError) as exc:
        services.claim_submit(person=person_a, by=agent)
    assert exc.value.messages == [f"{person_a.name}于2026年04月年满60周岁，届时方可申报"]


def test_one_claim_at_a_time_and_a_returned_claim_can_be_submitted_again(person_a, agent, clerk):
    with at(2026, 4, 15):
        claim = services.claim_submit(person=person_a, by=agent)
        with pytest.raises(ValidationError) as exc:
            services.claim_submit(person=person_a, by=agent)
        assert exc.value.messages == ["该参保人已有办理中的待遇申领，不能重复申报"]
        with pytest.raises(ValidationError):
            services.claim_return(claim=claim, by=clerk, reason="  ")
        services.claim_return(claim=claim, by=clerk, reason="银行账号与身份证姓名不符")
        claim.refresh_from_db()
        assert claim.status == BenefitClaim.Status.RETURNED
        assert claim.county_opinion == "银行账号与身份证姓名不符"
        again = services.claim_submit(person=person_a, by=agent)
    assert again.pk != claim.pk
    with at(2026, 5, 6), pytest.raises(ValidationError):
        services.claim_determine(claim=claim, by=clerk)  # the returned one


def test_a_person_without_a_bank_account_cannot_claim(town, poster, agent):
    person = PersonFactory(birth_date=date(1966, 4, 10), town=town, bank_account="")
    yearly(person, range(2011, 2026), "100.00", by=poster)
    with at(2026, 4, 15), pytest.raises(ValidationError) as exc:
        services.claim_submit(person=person, by=agent)
    assert exc.value.messages == ["参保人未登记银行/社保卡账号，请先办理信息变更后再申报"]


def test_a_suspended_contributor_is_resumed_then_becomes_receiving(person_a, agent, clerk):
    person_a.status = Person.Status.CONTRIB_SUSPENDED
    person_a.save()
    with at(2026, 4, 15):
        claim = services.claim_submit(person=person_a, by=agent)
    with at(2026, 5, 6):
        services.claim_determine(claim=claim, by=clerk)
    person_a.refresh_from_db()
    assert person_a.status == Person.Status.RECEIVING
    changes = person_a.history.filter(history_date__year=2026, history_date__month=5).order_by("history_id")
    assert list(changes.values_list("status", "history_user__username")) == [
        (Person.Status.CONTRIBUTING, "clerk"), (Person.Status.RECEIVING, "clerk"),
    ]


def test_pension_stop_records_the_last_month(clerk):
    pension = PensionFactory()
    services.pension_stop(pension=pension, last_month=date(2026, 3, 9), by=clerk, reason="死亡（1401）")
    pension.refresh_from_db()
    assert (pension.status, pension.last_month, pension.stop_reason) == (
        Pension.Status.STOPPED, date(2026, 3, 1), "死亡（1401）")
    with pytest.raises(ValidationError):
        services.pension_stop(pension=pension, last_month=date(2026, 4, 1), by=clerk, reason="重复")


# --- the calculation sheet --------------------------------------------------------------------------------


def test_calculation_sheet_shows_every_part(person_a, agent, clerk, client):
    with at(2026, 4, 15):
        claim = services.claim_submit(person=person_a, by=agent)
    with at(2026, 5, 6):
        pension = services.claim_determine(claim=claim, by=clerk)
    html = render_to_string("benefits/pension_sheet.html", {**reports.pension_sheet_context(pension),
                                                              "pdf_font_url": "", "viewer": clerk})
    for text in ["养老金计算表", person_a.id_number, "2011", "15 年", "个人缴费", "3,000.00", "省级财政补贴", "450.00",
                 "集体补助", "100.00", "利息", "1,257.98", "4,684.56", "1.50%", "4/12", "23.42", "4,807.98", "139",
                 "34.59", "163.00", "128.00", "291.00", "325.59", "叁佰贰拾伍元伍角玖分"]:
        assert text in html, text
    client.force_login(clerk)
    response = client.get(f"/benefits/pensions/{pension.pk}/sheet.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_interest_of_the_start_year_is_settled_once_january_and_february_starts(town, poster, agent, clerk):
    """R6, binding defaults "interim interest": the interest of the start year is settled at the
    determination (for the months before the start) and never again at the year end.

    jan, born 1955-12-10 (start 2016-01), and feb, born 1956-01-15 (start 2016-02): both 55 at the scheme
    start (5 years required), 100 a year in September 2011-2015. Year-end interest posted on 2016-01-02:
    2012: 100 × 3.00% = 3.00; 2013: 203.00 × 3.00% = 6.09; 2014: 309.09 × 2.75% = 8.499975 → 8.50;
    2015: 417.59 × 1.50% = 6.26385 → 6.26. Opening 2016 = 523.85 each.
    jan: interim round(523.85 × 8.31% × 0/12, 2) = 0.00: settled with 0.00, no entry.
    feb: interim round(523.85 × 8.31% × 1/12, 2) = round(3.62766125) = 3.63, dated 2016-02-01.
    other: 1000 on 2015-06-01; 2016: 1000 × 8.31% = 83.10.
    2016 year end: only other (83.10); jan and feb are skipped (a January start used to get a full
    year here: 523.85 × 8.31% = 43.53). 2017 at 7.12%: jan 523.85 → 37.29812 → 37.30; feb
    (523.85 + 3.63) = 527.48 → 37.556576 → 37.56; other 1083.10 → 77.11672 → 77.12; total 151.98."""
    from contributions import services as contribution_services
    from contributions.models import InterestSettlement

    jan = PersonFactory(town=town, birth_date=date(1955, 12, 10))
    feb = PersonFactory(town=town, birth_date=date(1956, 1, 15))
    for person in (jan, feb):
        yearly(person, range(2011, 2016), "100.00", by=poster, month=9)
    other = PersonFactory(town=town)
    credit(other, "1000.00", date(2015, 6, 1), by=poster)
    with at(2016, 1, 2):
        for year in range(2011, 2016):
            contribution_services.interest_post(year=year, by=None)
    pensions = {}
    for person, month in ((jan, 1), (feb, 2)):
        with at(2016, month, 10):
            claim = services.claim_submit(person=person, by=agent)
            assert claim.start_month == date(2016, month, 1)
            pensions[person] = services.claim_determine(claim=claim, by=clerk)
    assert (pensions[jan].opening_balance, pensions[jan].interim_interest) == (D("523.85"), D("0.00"))
    assert (pensions[feb].opening_balance, pensions[feb].interim_interest) == (D("523.85"), D("3.63"))
    assert list(InterestSettlement.objects.order_by("settled_on").values_list(
        "person_id", "year", "amount", "settled_on", "reason", "created_by__username", "entry__amount")) == [
        (jan.pk, 2016, D("0.00"), date(2016, 1, 1), "待遇开始", "clerk", None),
        (feb.pk, 2016, D("3.63"), date(2016, 2, 1), "待遇开始", "clerk", D("3.63")),
    ]  # fmt: skip

    def interest(person):
        return list(AccountEntry.objects.filter(person=person, kind=EntryKind.INTEREST, year__gte=2016)
                    .order_by("year").values_list("year", "amount", "entry_date"))  # fmt: skip

    with at(2026, 6, 15):
        assert contribution_services.interest_post(year=2016, by=None) == {
            "year": 2016, "rate": "0.0831", "accounts": 1, "total": "83.10", "skipped": 2,
        }
        assert interest(jan) == []
        assert interest(feb) == [(2016, D("3.63"), date(2016, 2, 1))]
        assert contribution_services.interest_post(year=2017, by=None) == {
            "year": 2017, "rate": "0.0712", "accounts": 3, "total": "151.98", "skipped": 0,
        }
    assert interest(jan) == [(2017, D("37.30"), date(2017, 12, 31))]
    assert interest(feb) == [(2016, D("3.63"), date(2016, 2, 1)), (2017, D("37.56"), date(2017, 12, 31))]
    assert interest(other) == [(2016, D("83.10"), date(2016, 12, 31)), (2017, D("77.12"), date(2017, 12, 31))]


def test_a_start_in_a_year_already_posted_at_year_end_is_brought_to_the_interim_interest(town, poster, agent, clerk):
    """Born 1956-06-05 (55 at the scheme start: 5 years), 100 a year in September 2011-2015; 60 in
    June 2016, start 2016-07, claimed and determined only in February 2017, after the 2016 year-end
    posting credited 523.85 × 8.31% = 43.531935 → 43.53 (opening 2016 = 523.85, as above). The frozen
    balance holds the interim interest round(523.85 × 8.31% × 6 / 12, 2) = round(21.7659675) = 21.77,
    so the determination brings the posted 43.53 down to 21.77 (an adjustment of −21.76 dated
    2016-12-31) and records the settlement: the account (500 + 23.85 + 21.77 = 545.62) and the frozen
    balance agree. Detailed in tests/benefits/test_interest_after_posting.py."""
    from contributions import services as contribution_services
    from contributions.models import InterestSettlement

    person = PersonFactory(town=town, birth_date=date(1956, 6, 5))
    yearly(person, range(2011, 2016), "100.00", by=poster, month=9)
    with at(2017, 1, 2):
        for year in range(2011, 2017):
            contribution_services.interest_post(year=year, by=None)
    with at(2017, 2, 10):
        claim = services.claim_submit(person=person, by=agent)
        assert claim.start_month == date(2016, 7, 1)
        pension = services.claim_determine(claim=claim, by=clerk)
    assert (pension.interim_interest, pension.account_balance) == (D("21.77"), D("545.62"))
    assert list(AccountEntry.objects.filter(person=person, year=2016, source=Source.INTEREST)
                .order_by("pk").values_list("kind", "amount", "entry_date")) == [
        (EntryKind.INTEREST, D("43.53"), date(2016, 12, 31)), (EntryKind.REVERSAL, D("-21.76"), date(2016, 12, 31))]
    assert list(InterestSettlement.objects.values_list("year", "amount", "settled_on")) == [
        (2016, D("21.77"), date(2016, 7, 1))]
