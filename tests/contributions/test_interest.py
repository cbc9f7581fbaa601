"""Year-end interest (R6): round(balance at 31 Dec of Y-1 × rate_Y, 2), one entry to 利息 on 31 Dec Y."""

import json
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.urls import reverse

from contributions import services
from contributions.models import AccountEntry, InterestPosting, InterestRate, InterestSettlement, Source
from linggao_pension.org.models import JobRun
from tests.factories import AccountEntryFactory, PersonFactory

from .conftest import at, nth_person

pytestmark = pytest.mark.django_db
D = Decimal


def credit(person, amount, on, source=Source.PERSONAL):
    return AccountEntryFactory(person=person, source=source, amount=D(amount), entry_date=on, year=on.year)


def interest_of(person):
    return [
        (e.year, str(e.amount), e.entry_date.isoformat())
        for e in AccountEntry.objects.filter(person=person, source=Source.INTEREST).order_by("year")
    ]


def snapshot():
    return (
        list(AccountEntry.objects.order_by("pk").values_list("pk", "amount")),
        list(InterestPosting.objects.order_by("year").values_list("year", "status", "accounts", "total")),
    )


def test_interest_compounds_over_several_years_and_mid_year_credits_earn_nothing(june_2026, town):
    a = PersonFactory(town=town)
    credit(a, "1000.00", date(2020, 5, 1))
    credit(a, "30.00", date(2020, 5, 1), source=Source.PROVINCE)
    credit(a, "500.00", date(2021, 3, 1))  # earns nothing in 2021
    b = PersonFactory(town=town)
    credit(b, "333.00", date(2020, 12, 31))  # the last day of 2020 still counts for 2021
    nothing = PersonFactory(town=town)
    credit(nothing, "100.00", date(2021, 1, 1))  # the first day of 2021 earns nothing in 2021

    assert services.interest_post(year=2020, by=None) == {"year": 2020, "rate": "0.0604", "accounts": 0, "total": "0.00", "skipped": 0}
    # 2021 at 6.69%: a 1030.00 -> 68.907 -> 68.91; b 333.00 -> 22.2777 -> 22.28
    assert services.interest_post(year=2021, by=None) == {"year": 2021, "rate": "0.0669", "accounts": 2, "total": "91.19", "skipped": 0}
    # 2022 at 6.12%: a (1030 + 500 + 68.91) = 1598.91 -> 97.853292 -> 97.85; b 355.28 -> 21.743136 -> 21.74;
    # nothing 100.00 -> 6.12
    services.interest_post(year=2022, by=None)
    # 2023 at 3.97%: a 1696.76 -> 67.361372 -> 67.36
    services.interest_post(year=2023, by=None)
    assert interest_of(a) == [(2021, "68.91", "2021-12-31"), (2022, "97.85", "2022-12-31"), (2023, "67.36", "2023-12-31")]
    assert interest_of(b) == [(2021, "22.28", "2021-12-31"), (2022, "21.74", "2022-12-31"), (2023, "14.97", "2023-12-31")]
    assert interest_of(nothing) == [(2022, "6.12", "2022-12-31"), (2023, "4.21", "2023-12-31")]
    posting = InterestPosting.objects.get(year=2022)
    assert (posting.status, posting.accounts, posting.total, posting.rate) == ("done", 3, D("125.71"), D("0.0612"))
    assert AccountEntry.objects.filter(source=Source.INTEREST).values("kind").distinct().get()["kind"] == "interest"


def test_processes_in_chunks_with_progress(june_2026, town, clerk):
    people = [nth_person(i, town=town) for i in range(5)]
    for p in people:
        credit(p, "200.00", date(2024, 6, 1))
    job = JobRun.objects.create(kind="contributions.post_interest", params={"year": 2025}, started_by=clerk)
    result = services.interest_post(year=2025, by=clerk, job=job, chunk_size=2)
    assert result["accounts"] == 5 and result["total"] == "15.00"  # 5 × 200 × 1.50%
    job.refresh_from_db()
    assert job.progress_done == job.progress_total == 5


@pytest.mark.parametrize(
    "setup, year, message",
    [
        (None, 2010, "2010 年度未设置记账利率，不能结息"),
        ("rate_2026", 2026, "2026 年度尚未结束，2026-12-31 起才能结息"),
        ("posted_2024", 2024, "2024 年度已结息，不能重复结息"),
        (None, 2025, "2024 年度尚未结息：须按年度顺序结息，请先结 2024 年度"),
    ],
)
def test_refusals_change_nothing(june_2026, town, setup, year, message, capsys):
    person = PersonFactory(town=town)
    credit(person, "1000.00", date(2022, 6, 1))
    if setup == "rate_2026":
        InterestRate.objects.create(year=2026, rate=D("0.0200"))
    if setup == "posted_2024":
        services.interest_post(year=2022, by=None)
        services.interest_post(year=2023, by=None)
        services.interest_post(year=2024, by=None)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.interest_post(year=year, by=None)
    assert exc.value.messages == [message]
    with pytest.raises(CommandError) as cmd:
        call_command("post_interest", "--year", str(year), "--json")
    assert str(cmd.value) == message
    assert snapshot() == before
    assert JobRun.objects.get(kind="contributions.post_interest").error == message


def test_first_year_with_money_needs_no_earlier_posting(june_2026, town):
    person = PersonFactory(town=town)
    credit(person, "1000.00", date(2023, 6, 1))
    # 2024 may be posted without 2023: nobody had money at the start of 2023, so 2023 has no interest.
    assert services.interest_post(year=2024, by=None)["total"] == "26.20"


def test_rerun_after_a_crash_posts_only_the_missing_accounts(june_2026, town):
    done, missing = PersonFactory(town=town), PersonFactory(town=town)
    credit(done, "1000.00", date(2024, 6, 1))
    credit(missing, "2000.00", date(2024, 6, 1))
    # A crash left the posting running with one account done.
    InterestPosting.objects.create(year=2025, rate=D("0.0150"))
    AccountEntryFactory(person=done, source=Source.INTEREST, kind="interest", amount=D("15.00"),
                        entry_date=date(2025, 12, 31), year=2025)  # fmt: skip
    result = services.interest_post(year=2025, by=None)
    assert result == {"year": 2025, "rate": "0.0150", "accounts": 2, "total": "45.00", "skipped": 0}
    assert interest_of(done) == [(2025, "15.00", "2025-12-31")]
    assert interest_of(missing) == [(2025, "30.00", "2025-12-31")]
    assert InterestPosting.objects.get(year=2025).status == "done"


def test_database_refuses_a_second_interest_entry_for_the_same_year(person):
    from django.db import IntegrityError

    AccountEntryFactory(person=person, source=Source.INTEREST, kind="interest", amount=D("1.00"), year=2025)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountEntryFactory(person=person, source=Source.INTEREST, kind="interest", amount=D("2.00"), year=2025)


def test_command_prints_json(june_2026, town, capsys):
    person = PersonFactory(town=town)
    credit(person, "1000.00", date(2024, 6, 1))
    call_command("post_interest", "--year", "2025", "--json")
    assert json.loads(capsys.readouterr().out) == {"year": 2025, "rate": "0.0150", "accounts": 1, "total": "15.00", "skipped": 0}


def test_page_starts_a_job_and_the_job_page_shows_it(client, clerk, town, django_capture_on_commit_callbacks):
    with at(2026, 6, 15):
        person = PersonFactory(town=town)
        credit(person, "1000.00", date(2024, 6, 1))
        client.force_login(clerk)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("contributions:interest_start"), {"interest-year": "2025"})
        job_page = client.get(response["Location"]).content.decode()  # the session expires on real time
    job = JobRun.objects.get(kind="contributions.post_interest")
    assert response.status_code == 302 and response["Location"] == reverse("org:jobrun_detail", args=[job.pk])
    assert job.status == JobRun.Status.SUCCEEDED and job.result["total"] == "15.00"
    assert "年度结息" in job_page and "已完成" in job_page


def test_page_refuses_with_the_message_and_starts_nothing(client, clerk):
    client.force_login(clerk)
    with at(2026, 6, 15):
        response = client.post(reverse("contributions:interest_start"), {"interest-year": "2010"}, follow=True)
    assert "2010 年度未设置记账利率，不能结息" in response.content.decode()
    assert not JobRun.objects.exists()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_interest_posting_runs_on_the_real_worker(client, clerk, town):
    person = PersonFactory(town=town)
    credit(person, "1000.00", date(2024, 6, 1))
    client.force_login(clerk)
    response = client.post(reverse("contributions:interest_start"), {"interest-year": "2025"})
    assert response.status_code == 302
    job = JobRun.objects.get(kind="contributions.post_interest")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.5)
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    assert job.result == {"year": 2025, "rate": "0.0150", "accounts": 1, "total": "15.00", "skipped": 0}
    assert interest_of(person) == [(2025, "15.00", "2025-12-31")]


def test_an_account_whose_benefit_started_in_the_year_is_counted_as_skipped(town, agent, clerk):
    """The benefit determination books the interim interest of the start year as the person's 利息
    entry of that year (R6, R8, binding default "interim interest"); the year-end posting then credits
    nothing more for that year, says so in "skipped", and from the next year on posts as usual.

    Pensioner p, born 1956-03-20 (55 at the scheme start: 5 years required), pays 100 in Sept 2011-2015.
    Year-end interest posted on 2 Jan 2016: 2011: nothing (no money on 1 Jan 2011); 2012: 100 × 3.00%
    = 3.00; 2013: 203.00 × 3.00% = 6.09; 2014: 309.09 × 2.75% = 8.499975 → 8.50; 2015: 417.59 × 1.50%
    = 6.26385 → 6.26. Opening 2016 = 523.85. Benefit start 2016-04: interim = round(523.85 × 8.31% ×
    3/12, 2) = round(10.88298375) = 10.88, booked 2016-04-01.
    Another person q: 1000 on 2015-06-01; 2016: 1000 × 8.31% = 83.10; 2017: 1083.10 × 7.12% = 77.11672
    → 77.12. p in 2017: (523.85 + 10.88) = 534.73 × 7.12% = 38.072776 → 38.07."""
    from benefits import services as benefit_services

    p = PersonFactory(town=town, birth_date=date(1956, 3, 20))
    for year in range(2011, 2016):
        AccountEntryFactory(person=p, source=Source.PERSONAL, amount=D("100.00"), entry_date=date(year, 9, 1), year=year)
    q = PersonFactory(town=town)
    credit(q, "1000.00", date(2015, 6, 1))
    with at(2016, 1, 2):
        for year in range(2011, 2016):
            services.interest_post(year=year, by=None)
    assert interest_of(p) == [(2012, "3.00", "2012-12-31"), (2013, "6.09", "2013-12-31"),
                              (2014, "8.50", "2014-12-31"), (2015, "6.26", "2015-12-31")]  # fmt: skip
    with at(2016, 4, 10):
        claim = benefit_services.claim_submit(person=p, by=agent)
        pension = benefit_services.claim_determine(claim=claim, by=clerk)
    assert (pension.opening_balance, pension.interim_interest) == (D("523.85"), D("10.88"))

    with at(2026, 6, 15):
        assert services.interest_post(year=2016, by=None) == {
            "year": 2016, "rate": "0.0831", "accounts": 1, "total": "83.10", "skipped": 1,
        }
        assert services.interest_post(year=2017, by=None) == {
            "year": 2017, "rate": "0.0712", "accounts": 2, "total": "115.19", "skipped": 0,
        }
    assert interest_of(p)[-2:] == [(2016, "10.88", "2016-04-01"), (2017, "38.07", "2017-12-31")]
    assert interest_of(q) == [(2016, "83.10", "2016-12-31"), (2017, "77.12", "2017-12-31")]
    posting = InterestPosting.objects.get(year=2016)
    assert (posting.accounts, posting.total, posting.skipped) == (1, D("83.10"), 1)


def test_a_rerun_after_a_crash_counts_its_own_entries_as_posted_not_skipped(june_2026, town):
    resumed, started = PersonFactory(town=town), PersonFactory(town=town)
    credit(resumed, "1000.00", date(2024, 6, 1))
    credit(started, "2000.00", date(2024, 6, 1))
    InterestPosting.objects.create(year=2025, rate=D("0.0150"))  # a crash left it running
    AccountEntryFactory(person=resumed, source=Source.INTEREST, kind="interest", amount=D("15.00"),
                        entry_date=date(2025, 12, 31), year=2025)  # fmt: skip
    # a benefit start in March 2025: interim = round(2000 × 1.50% × 2/12, 2) = 5.00
    AccountEntryFactory(person=started, source=Source.INTEREST, kind="interest", amount=D("5.00"),
                        entry_date=date(2025, 3, 1), year=2025)  # fmt: skip
    assert services.interest_post(year=2025, by=None) == {
        "year": 2025, "rate": "0.0150", "accounts": 1, "total": "15.00", "skipped": 1,
    }


def test_year_end_page_shows_the_skipped_accounts_and_links_each_posting_to_its_job(client, clerk, town):
    with at(2026, 6, 15):
        person = PersonFactory(town=town)
        credit(person, "1000.00", date(2024, 6, 1))
        job = JobRun.objects.create(kind="contributions.post_interest", params={"year": 2025}, started_by=clerk)
        services.interest_post(year=2025, by=clerk, job=job)
        client.force_login(clerk)
        html = client.get(reverse("contributions:year_end")).content.decode()
    assert "待遇核定时已结息" in html
    assert reverse("org:jobrun_detail", args=[job.pk]) in html


# --- Interest settled at a benefit start (interest_settle) --------------------------------------------


def settlements():
    return list(InterestSettlement.objects.order_by("person_id", "year").values_list(
        "person_id", "year", "amount", "settled_on", "reason", "entry__amount"))  # fmt: skip


def test_a_settled_year_gets_no_year_end_interest_also_when_it_was_zero(june_2026, town, clerk):
    """2025 at 1.50%, every account 1,000-3,000 on 2024-06-01 (opening 2025).
    jan: benefit start 2025-01: interim round(1000 × 1.50% × 0/12) = 0.00, settled, no entry;
    feb: benefit start 2025-02: interim round(2000 × 1.50% × 1/12) = round(2.50) = 2.50;
    plain: year-end 3000 × 1.50% = 45.00. Chunks of one person: the settlements are read per chunk."""
    jan, feb, plain = (nth_person(i, town=town) for i in range(3))
    credit(jan, "1000.00", date(2024, 6, 1))
    credit(feb, "2000.00", date(2024, 6, 1))
    credit(plain, "3000.00", date(2024, 6, 1))
    zero = services.interest_settle(person=jan, year=2025, amount=D("0.00"), settled_on=date(2025, 1, 1), by=clerk,
                                    reason="待遇开始")
    assert (zero.amount, zero.entry) == (D("0.00"), None)
    services.interest_settle(person=feb, year=2025, amount=D("2.50"), settled_on=date(2025, 2, 1), by=clerk,
                             reason="待遇开始")
    assert settlements() == [
        (jan.pk, 2025, D("0.00"), date(2025, 1, 1), "待遇开始", None),
        (feb.pk, 2025, D("2.50"), date(2025, 2, 1), "待遇开始", D("2.50")),
    ]
    assert AccountEntry.objects.get(person=feb, source=Source.INTEREST).memo == "待遇开始结息：2025年1月过渡期利息"

    result = services.interest_post(year=2025, by=None, chunk_size=1)
    assert result == {"year": 2025, "rate": "0.0150", "accounts": 1, "total": "45.00", "skipped": 2}
    assert interest_of(jan) == []
    assert interest_of(feb) == [(2025, "2.50", "2025-02-01")]
    assert interest_of(plain) == [(2025, "45.00", "2025-12-31")]
    assert InterestPosting.objects.get(year=2025).skipped == 2


def test_rounds_half_up_to_the_fen_and_keeps_the_month_totals(june_2026, town, clerk):
    """2025 at 1.50% (the set-based chunk on PostgreSQL, the per-row one on SQLite: the same rows).
    half: 3.00 -> 0.045 -> 0.05 (half-up, not half-even 0.04); tiny: 0.30 -> 0.0045 -> 0.00, no entry;
    owing: -100.00 earns nothing; settled: interim settlement, skipped; done: an entry of a crashed
    run, kept and not counted twice; odd: 1234.57 -> 18.51855 -> 18.52. The month totals the posting
    adds equal those rebuilt from the entries (the credits, made by the factory, have none)."""
    from contributions.models import LedgerMonthTotal
    from contributions.services.ledger_totals import ledger_totals_rebuild

    half, tiny, owing, settled, done, odd = (nth_person(i, town=town) for i in range(6))
    for p, amount in [(half, "3.00"), (tiny, "0.30"), (owing, "-100.00"), (settled, "2000.00"), (done, "1000.00"),
                      (odd, "1234.57")]:  # fmt: skip
        credit(p, amount, date(2024, 6, 1))
    services.interest_settle(person=settled, year=2025, amount=D("2.50"), settled_on=date(2025, 2, 1), by=clerk,
                             reason="待遇开始")  # fmt: skip
    InterestPosting.objects.create(year=2025, rate=D("0.0150"))
    services.account_post(person=done, source=Source.INTEREST, kind="interest", amount=D("15.00"),
                          entry_date=date(2025, 12, 31), by=clerk, year=2025)  # fmt: skip

    result = services.interest_post(year=2025, by=clerk, chunk_size=4)
    assert result == {"year": 2025, "rate": "0.0150", "accounts": 3, "total": "33.57", "skipped": 1}
    assert interest_of(half) == [(2025, "0.05", "2025-12-31")]
    assert interest_of(tiny) == interest_of(owing) == []
    assert interest_of(settled) == [(2025, "2.50", "2025-02-01")]
    assert interest_of(done) == [(2025, "15.00", "2025-12-31")]
    assert interest_of(odd) == [(2025, "18.52", "2025-12-31")]
    entry = AccountEntry.objects.get(person=odd, source=Source.INTEREST)
    assert (entry.memo, entry.created_by) == ("2025年度利息（记账利率 1.50%）", clerk)
    totals = lambda: sorted(LedgerMonthTotal.objects.filter(source="interest").values_list(  # noqa: E731
        "month", "town_id", "kind", "reversed_kind", "amount", "entries"))  # fmt: skip
    kept = totals()
    assert kept == [(date(2025, 2, 1), town.pk, "interest", "", D("2.50"), 1),
                    (date(2025, 12, 1), town.pk, "interest", "", D("33.57"), 3)]  # fmt: skip
    ledger_totals_rebuild()
    assert totals() == kept


def test_a_second_settlement_of_the_same_year_is_refused_and_changes_nothing(june_2026, person, clerk):
    credit(person, "1000.00", date(2024, 6, 1))
    services.interest_settle(person=person, year=2025, amount=D("0.00"), settled_on=date(2025, 1, 1), by=clerk,
                             reason="待遇开始")
    before = (snapshot(), settlements())
    with pytest.raises(ValidationError) as exc:
        services.interest_settle(person=person, year=2025, amount=D("2.50"), settled_on=date(2025, 3, 1), by=clerk,
                                 reason="待遇开始")
    assert exc.value.messages == [f"{person.name}的 2025 年度利息已于 2025-01-01（待遇开始）结算，不能重复结息"]
    assert (snapshot(), settlements()) == before


def test_the_database_refuses_a_second_settlement_of_the_same_year(person, clerk):
    from django.db import IntegrityError

    InterestSettlement.objects.create(person=person, year=2025, settled_on=date(2025, 1, 1), amount=D("0.00"),
                                      reason="待遇开始", created_by=clerk)  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        InterestSettlement.objects.create(person=person, year=2025, settled_on=date(2025, 2, 1), amount=D("0.00"),
                                          reason="待遇开始", created_by=clerk)  # fmt: skip


@pytest.mark.parametrize("posting_status", ["done", "running"])
def test_settling_a_year_whose_year_end_interest_is_posted_is_refused(june_2026, person, clerk, posting_status):
    """done: the 2025 posting finished (15.00 = 1000 × 1.50%); running: a crash left it running after
    it had credited this person's 31 December entry."""
    credit(person, "1000.00", date(2024, 6, 1))
    if posting_status == "done":
        services.interest_post(year=2025, by=None)
    else:
        InterestPosting.objects.create(year=2025, rate=D("0.0150"))
        AccountEntryFactory(person=person, source=Source.INTEREST, kind="interest", amount=D("15.00"),
                            entry_date=date(2025, 12, 31), year=2025)  # fmt: skip
    before = (snapshot(), settlements())
    with pytest.raises(ValidationError) as exc:
        services.interest_settle(person=person, year=2025, amount=D("0.00"), settled_on=date(2025, 1, 1), by=clerk,
                                 reason="待遇开始")
    assert exc.value.messages == [f"{person.name}的 2025 年度利息已在年度结息中计入，不能再结息"]
    assert (snapshot(), settlements()) == before


@pytest.mark.parametrize(
    "amount, settled_on, by, reason, message",
    [
        ("-1.00", date(2025, 3, 1), "clerk", "待遇开始", "利息不能为负数"),
        ("1.00", date(2026, 3, 1), "clerk", "待遇开始", "结息日期 2026-03-01 不在 2025 年度内"),
        ("1.00", date(2025, 3, 1), "clerk", "  ", "结息必须填写原因"),
        ("1.00", date(2025, 3, 1), None, "待遇开始", "结息必须记录经办人"),
    ],
)
def test_bad_settlements_are_refused_and_save_nothing(person, clerk, amount, settled_on, by, reason, message):
    from django.core.exceptions import PermissionDenied

    with pytest.raises((ValidationError, PermissionDenied)) as exc:
        services.interest_settle(person=person, year=2025, amount=D(amount), settled_on=settled_on,
                                 by=clerk if by else None, reason=reason)  # fmt: skip
    assert message in str(exc.value)
    assert not InterestSettlement.objects.exists() and not AccountEntry.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_settlement_and_the_year_end_posting_at_once_credit_the_year_once(town, clerk):
    """A determination settles jan's 2025 at 0.00 and, holding its transaction open, the year-end
    posting starts: its chunk waits for jan's row lock and then sees the settlement. plain: 3000 ×
    1.50% = 45.00; jan gets nothing for 2025 and is skipped."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    jan, plain = nth_person(0, town=town), nth_person(1, town=town)
    credit(jan, "1000.00", date(2024, 6, 1))
    credit(plain, "3000.00", date(2024, 6, 1))
    settled, results, errors = threading.Event(), [], []

    def settle():
        try:
            with transaction.atomic():
                services.interest_settle(person=jan, year=2025, amount=D("0.00"), settled_on=date(2025, 1, 1),
                                         by=clerk, reason="待遇开始")  # fmt: skip
                settled.set()
                time.sleep(1.5)  # the rest of the determination, still uncommitted
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            settled.set()
            connection.close()

    def post():
        try:
            settled.wait()
            results.append(services.interest_post(year=2025, by=None))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    with at(2026, 6, 15):
        threads = [threading.Thread(target=settle), threading.Thread(target=post)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    assert results == [{"year": 2025, "rate": "0.0150", "accounts": 1, "total": "45.00", "skipped": 1}]
    assert interest_of(jan) == []
    assert interest_of(plain) == [(2025, "45.00", "2025-12-31")]
