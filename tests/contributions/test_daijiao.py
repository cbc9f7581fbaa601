"""政府代缴 by the yearly batch (§2.5): full and half, dated as the binding default says, idempotent."""

import json
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from contributions import selectors, services
from contributions.models import AccountEntry, Source
from enrollment.models import Person
from linggao_pension.org.models import JobRun
from tests.factories import AccountEntryFactory, PersonFactory

from .conftest import at, ledger, nth_person

pytestmark = pytest.mark.django_db


def test_full_and_half_daijiao_dated_the_run_day(june_2026, town, clerk):
    full = PersonFactory(town=town, identity_id="021")
    half = PersonFactory(town=town, identity_id="062")
    ordinary = PersonFactory(town=town, identity_id="011")
    receiving = PersonFactory(town=town, identity_id="031", status=Person.Status.RECEIVING)
    suspended = PersonFactory(town=town, identity_id="051", status=Person.Status.CONTRIB_SUSPENDED)
    assert services.daijiao_post(year=2026, by=clerk) == {"year": 2026, "credited": 3, "total": "250.00"}
    assert ledger(full) == [("daijiao", "100.00", "2026-06-15", 2026)]
    assert ledger(half) == [("daijiao", "50.00", "2026-06-15", 2026)]
    assert ledger(suspended) == [("daijiao", "100.00", "2026-06-15", 2026)]
    assert ledger(ordinary) == ledger(receiving) == []


def test_past_year_is_dated_31_december_and_skips_people_enrolled_later(june_2026, town):
    early = PersonFactory(town=town, identity_id="022", enrolled_on=date(2015, 3, 1))
    late = PersonFactory(town=town, identity_id="022", enrolled_on=date(2025, 3, 1))
    assert services.daijiao_post(year=2024, by=None)["credited"] == 1
    assert ledger(early) == [("daijiao", "50.00", "2024-12-31", 2024)]
    assert ledger(late) == []


def test_a_year_funded_only_by_full_daijiao_counts_and_half_needs_personal(june_2026, town, agent, finance):
    full = PersonFactory(town=town, identity_id="021")
    half = PersonFactory(town=town, identity_id="022")
    services.daijiao_post(year=2025, by=None)
    assert selectors.counted_years(person=full, before=date(2026, 7, 1)) == [2025]
    assert selectors.counted_years(person=half, before=date(2026, 7, 1)) == []
    # half 代缴 (50) + a 100 back-payment for 2025 reaches the lowest grade
    receipt = services.receipt_record(person=half, year=2025, grade=Decimal("100"), paid_on=date(2026, 3, 1), by=agent)
    services.receipt_confirm_batch(receipt_ids=[receipt.pk], by=finance)
    assert selectors.counted_years(person=half, before=date(2026, 7, 1)) == [2025]


def test_second_run_credits_nothing_twice(june_2026, town):
    person = PersonFactory(town=town, identity_id="061")
    services.daijiao_post(year=2026, by=None)
    assert services.daijiao_post(year=2026, by=None) == {"year": 2026, "credited": 0, "total": "0.00"}
    assert ledger(person) == [("daijiao", "100.00", "2026-06-15", 2026)]


def test_refusals(june_2026, agent):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError) as exc:
        services.daijiao_post(year=2027, by=None)
    assert exc.value.messages == ["不能为以后年度（2027）执行代缴入账"]
    with pytest.raises(ValidationError) as exc:
        services.daijiao_post(year=2010, by=None)
    assert exc.value.messages == ["2010 年度未设置政府代缴标准，不能入账"]
    with pytest.raises(PermissionDenied):
        services.daijiao_post(year=2026, by=agent)
    assert not AccountEntry.objects.exists()


def test_command_prints_json_and_records_a_job(june_2026, town, capsys):
    PersonFactory(town=town, identity_id="031")
    PersonFactory(town=town, identity_id="022")
    call_command("post_daijiao", "--year", "2026", "--json")
    assert json.loads(capsys.readouterr().out) == {"year": 2026, "credited": 2, "total": "150.00"}
    job = JobRun.objects.get(kind="contributions.post_daijiao")
    assert job.status == JobRun.Status.SUCCEEDED and job.params == {"year": 2026}
    with pytest.raises(CommandError, match="不能为以后年度"):
        call_command("post_daijiao", "--year", "2030", "--json")


def test_chunks_cover_everyone(june_2026, town):
    people = [nth_person(i, town=town, identity_id="021") for i in range(7)]
    AccountEntryFactory(person=people[3], source=Source.DAIJIAO, amount=Decimal("100.00"), year=2026,
                        entry_date=date(2026, 2, 1))  # fmt: skip
    assert services.daijiao_post(year=2026, by=None, chunk_size=2)["credited"] == 6
    assert AccountEntry.objects.filter(source=Source.DAIJIAO, year=2026).count() == 7


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_credit_each_person_once(town):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    for i in range(40):
        nth_person(i, town=town, identity_id="021")
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(services.daijiao_post(year=2026, by=None, chunk_size=7))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    with at(2026, 6, 15):  # frozen once for both threads
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    assert sum(r["credited"] for r in results) == 40
    assert AccountEntry.objects.filter(source=Source.DAIJIAO, year=2026).count() == 40


def _identity_changed(person, code, when):
    """The person's identity code changes on `when` (a reviewed 信息变更 writes the history row)."""
    with at(when.year, when.month, when.day):
        person.identity_id = code
        person.save()


def test_past_year_daijiao_uses_the_identity_code_held_that_year(town):
    with at(2023, 3, 1):
        left = PersonFactory(town=town, identity_id="021", enrolled_on=date(2023, 3, 1))
        joined = PersonFactory(town=town, identity_id="011", enrolled_on=date(2023, 3, 1))
    _identity_changed(left, "011", date(2025, 2, 10))  # no longer 特困 from 2025
    _identity_changed(joined, "062", date(2025, 2, 10))  # 低保 (half) from 2025
    with at(2026, 6, 15):
        assert services.daijiao_post(year=2024, by=None) == {"year": 2024, "credited": 1, "total": "100.00"}
        assert services.daijiao_post(year=2025, by=None) == {"year": 2025, "credited": 1, "total": "50.00"}
    assert ledger(left) == [("daijiao", "100.00", "2024-12-31", 2024)]
    assert ledger(joined) == [("daijiao", "50.00", "2025-12-31", 2025)]


def test_a_change_late_in_the_year_counts_for_that_year_and_a_person_recorded_later_keeps_the_first_code(town):
    with at(2024, 3, 1):
        person = PersonFactory(town=town, identity_id="011", enrolled_on=date(2024, 3, 1))
    _identity_changed(person, "022", date(2024, 12, 30))
    with at(2026, 6, 1):
        imported = PersonFactory(town=town, identity_id="051", enrolled_on=date(2020, 1, 1))  # go-live import
        services.daijiao_post(year=2024, by=None)
    assert ledger(person) == [("daijiao", "50.00", "2024-12-31", 2024)]
    assert ledger(imported) == [("daijiao", "100.00", "2024-12-31", 2024)]
