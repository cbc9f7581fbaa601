"""A claim determined after its start year's interest was posted (R6, binding defaults "balance at a
benefit start" and "interim interest"): the frozen balance holds the interim interest of the months
before the start, so the account's interest of that year is brought down to it, and any later year
already posted is recomputed from the corrected opening balance. Whichever order the determination
and the year-end posting happen in, the account and the frozen balance agree.

The person in every test: born 1956-06-05 (55 at the scheme start: 5 years required), 100 a year in
September 2011-2015; start 2016-07 (the month after the 60th birthday). Year-end interest 2012-2015:
3.00, 6.09, 8.50, 6.26 → opening 2016 = 523.85 (see test_determination). 2016's rate 8.31%, 2017's 7.12%.
  whole year 2016:   round(523.85 × 8.31%, 2)          = round(43.531935)  = 43.53
  interim at 2016-07: round(523.85 × 8.31% × 6 / 12, 2) = round(21.7659675) = 21.77
  frozen balance = 523.85 + 21.77 = 545.62; account pension round(545.62 / 139, 2) = 3.93
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from benefits import services
from contributions import services as contribution_services
from contributions.models import AccountEntry, EntryKind, InterestSettlement, Source
from contributions.selectors import balance
from tests.factories import PersonFactory

from .conftest import at, yearly

pytestmark = pytest.mark.django_db
D = Decimal
JUL = date(2016, 7, 1)


@pytest.fixture
def person(town, poster):
    person = PersonFactory(town=town, birth_date=date(1956, 6, 5))
    yearly(person, range(2011, 2016), "100.00", by=poster, month=9)
    return person


def interest_rows(person):
    return list(
        AccountEntry.objects.filter(person=person, source=Source.INTEREST, year__gte=2016)
        .order_by("year", "pk")
        .values_list("year", "kind", "amount", "entry_date")
    )


def determine(person, *, agent, clerk, on):
    with at(*on):
        claim = services.claim_submit(person=person, by=agent)
        assert claim.start_month == JUL
        return claim, services.claim_determine(claim=claim, by=clerk)


def test_determined_after_two_year_ends_both_years_come_out_right(person, agent, clerk):
    """Posted 2016 (43.53) and 2017 before the determination in February 2018. 2017 was posted on
    opening 523.85 + 43.53 = 567.38: round(567.38 × 7.12%) = round(40.397456) = 40.40. The
    determination brings 2016 to 21.77 (−21.76 dated 2016-12-31), so opening 2017 = 545.62 and
    2017's interest is round(545.62 × 7.12%) = round(38.848144) = 38.85 (−1.55 dated 2017-12-31).
    Account: 545.62 + 38.85 = 584.47, of which the frozen balance 545.62 at the start."""
    with at(2018, 1, 2):
        for year in range(2011, 2018):
            contribution_services.interest_post(year=year, by=None)
    assert balance(person=person) == D("607.78")  # 523.85 + 43.53 + 40.40 before the determination
    _, pension = determine(person, agent=agent, clerk=clerk, on=(2018, 2, 10))
    assert (pension.interim_interest, pension.account_balance, pension.account_pension) == (
        D("21.77"),
        D("545.62"),
        D("3.93"),
    )
    assert interest_rows(person) == [
        (2016, EntryKind.INTEREST, D("43.53"), date(2016, 12, 31)),
        (2016, EntryKind.REVERSAL, D("-21.76"), date(2016, 12, 31)),
        (2017, EntryKind.INTEREST, D("40.40"), date(2017, 12, 31)),
        (2017, EntryKind.REVERSAL, D("-1.55"), date(2017, 12, 31)),
    ]
    assert balance(person=person, before=date(2017, 1, 1)) == pension.account_balance
    assert balance(person=person) == D("584.47")
    # the account section shows the adjusted entries as they are, not as 已冲正 (only adjusted)
    from contributions.selectors import account_overview

    rows = [r for r in account_overview(person=person)["entries"] if r["entry"].kind == EntryKind.INTEREST]
    assert not any(r["reversed"] for r in rows)
    settlement = InterestSettlement.objects.get(person=person)
    assert (settlement.year, settlement.amount, settlement.settled_on, settlement.reason) == (
        2016,
        D("21.77"),
        JUL,
        "待遇开始",
    )
    assert settlement.created_by == clerk


def test_the_other_order_gives_the_same_account(person, town, agent, clerk):
    """2011-2015 posted, determined in July 2016, before the 2016 year end: 21.77 booked dated 2016-07-01 and the year-end
    postings of 2016 (skipped) and 2017 (round(545.62 × 7.12%) = 38.85) follow: 584.47 as above."""
    with at(2016, 1, 2):
        for year in range(2011, 2016):
            contribution_services.interest_post(year=year, by=None)
    determine(person, agent=agent, clerk=clerk, on=(2016, 7, 10))
    with at(2018, 1, 2):
        for year in (2016, 2017):
            contribution_services.interest_post(year=year, by=None)
    assert balance(person=person) == D("584.47")
    assert sum(amount for *_, amount, _ in interest_rows(person)) == D("21.77") + D("38.85")


def test_a_second_settlement_is_refused_and_nothing_more_is_booked(person, agent, clerk):
    with at(2017, 1, 2):
        for year in range(2011, 2017):
            contribution_services.interest_post(year=year, by=None)
    determine(person, agent=agent, clerk=clerk, on=(2017, 2, 10))
    before = interest_rows(person)
    with at(2017, 2, 11), pytest.raises(ValidationError) as refused:
        contribution_services.interest_settle_after_year_end(
            person=person, year=2016, amount=D("21.77"), settled_on=JUL, by=clerk, reason="待遇开始"
        )
    assert "2016 年度利息已结算，不能重复结息" in refused.value.messages[0]
    assert interest_rows(person) == before and InterestSettlement.objects.count() == 1


def test_bad_figures_are_refused_and_nothing_is_saved(person, clerk):
    with at(2017, 1, 2):
        for year in range(2011, 2017):
            contribution_services.interest_post(year=year, by=None)
    for kwargs, message in (
        ({"amount": D("-1.00"), "settled_on": JUL}, "利息不能为负数"),
        ({"amount": D("21.77"), "settled_on": date(2017, 7, 1)}, "结息日期 2017-07-01 不在 2016 年度内"),
    ):
        with pytest.raises(ValidationError) as refused:
            contribution_services.interest_settle_after_year_end(
                person=person, year=2016, by=clerk, reason="待遇开始", **kwargs
            )
        assert refused.value.messages == [message]
    with pytest.raises(ValidationError) as not_posted:
        contribution_services.interest_settle_after_year_end(
            person=person,
            year=2017,
            amount=D("1.00"),
            settled_on=date(2017, 3, 1),
            by=clerk,
            reason="待遇开始",
        )
    assert not_posted.value.messages == ["2017 年度尚未年度结息，应按过渡期利息结息"]
    assert interest_rows(person) == [(2016, EntryKind.INTEREST, D("43.53"), date(2016, 12, 31))]
    assert not InterestSettlement.objects.exists()


def test_another_towns_agent_gets_404_for_the_claim_and_the_pension(
    person, client, agent, clerk, agent_elsewhere
):
    with at(2017, 1, 2):
        for year in range(2011, 2017):
            contribution_services.interest_post(year=year, by=None)
    claim, pension = determine(person, agent=agent, clerk=clerk, on=(2017, 2, 10))
    client.force_login(agent_elsewhere)
    assert client.get(reverse("benefits:claim_detail", args=[claim.pk])).status_code == 404
    assert client.get(reverse("benefits:pension_detail", args=[pension.pk])).status_code == 404
    client.force_login(agent)
    assert client.get(reverse("benefits:pension_detail", args=[pension.pk])).status_code == 200
