"""Two requests at once on real PostgreSQL: row locks and unique constraints keep the registry right."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from enrollment import services
from enrollment.models import ChangeRequest, EnrollmentApplication, NumberSequence, Person, ReviewStatus
from linggao_pension.workflow import RS, review_move
from tests.factories import PersonFactory, make_id_number

from .conftest import application_data
from .xlsx import valid_rows, workbook_bytes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks, concurrent transactions)")


def run_together(*jobs):
    """Run each job in its own thread and connection, started at the same moment; return results
    (or the exception each raised)."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(index, job):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = exc
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_approvals_at_once_get_different_insured_numbers(agent, clerk, clerk2, town):
    apps = []
    for year in (1961, 1962):
        app = services.application_create(data=application_data(town, id_number=make_id_number(date(year, 5, 5))),
                                          by=agent)  # fmt: skip
        apps.append(review_move(to=RS.TOWN_APPROVED, record=app, by=agent))
    results = run_together(
        lambda: review_move(to=RS.COUNTY_APPROVED, record=apps[0], by=clerk),
        lambda: review_move(to=RS.COUNTY_APPROVED, record=apps[1], by=clerk2),
    )
    assert all(isinstance(r, EnrollmentApplication) for r in results), results
    numbers = sorted(Person.objects.values_list("insured_no", flat=True))
    assert numbers == ["469024100000001", "469024100000002"]
    assert NumberSequence.objects.get(name="insured_no").last_value == 2


def test_the_same_application_approved_twice_at_once_creates_one_person(agent, clerk, clerk2, town):
    app = services.application_create(data=application_data(town), by=agent)
    review_move(to=RS.TOWN_APPROVED, record=app, by=agent)
    results = run_together(
        lambda: review_move(to=RS.COUNTY_APPROVED, record=app, by=clerk),
        lambda: review_move(to=RS.COUNTY_APPROVED, record=app, by=clerk2),
    )
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and "当前状态为“县复核通过”" in refused[0].messages[0]
    assert Person.objects.count() == 1


def test_two_agents_entering_the_same_id_at_once(agent, agent2, town):
    data = application_data(town)
    results = run_together(
        lambda: services.application_create(data=dict(data), by=agent),
        lambda: services.application_create(data=dict(data), by=agent2),
    )
    assert sum(isinstance(r, EnrollmentApplication) for r in results) == 1
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and "未办结的参保登记申请" in refused[0].messages[0]
    assert EnrollmentApplication.objects.count() == 1


def test_the_same_file_imported_twice_at_once(clerk, clerk2):
    data = workbook_bytes(valid_rows(300))
    import io

    results = run_together(
        lambda: services.residents_import(file=io.BytesIO(data), by=clerk),
        lambda: services.residents_import(file=io.BytesIO(data), by=clerk2),
    )
    assert sorted(r.imported for r in results) == [0, 300], results
    refused = next(r for r in results if not r.ok)
    assert len(refused.errors) == 300 and refused.errors[0].message.startswith("已登记")
    assert Person.objects.count() == 300
    assert Person.objects.values("insured_no").distinct().count() == 300


def test_a_change_approved_twice_at_once_is_applied_once(agent, clerk, clerk2, town):
    person = PersonFactory(town=town, phone="13800000001")
    data = {"phone": "13900000002", "residential_address": "", "hukou_address": "", "bank_name": person.bank_name,
            "bank_account": person.bank_account, "town": town, "village": None, "identity": person.identity,
            "reason": "换号"}  # fmt: skip
    change = services.change_request_create(person=person, data=data, by=agent)
    review_move(to=RS.TOWN_APPROVED, record=change, by=agent)
    results = run_together(
        lambda: review_move(to=RS.COUNTY_APPROVED, record=change, by=clerk),
        lambda: review_move(to=RS.COUNTY_APPROVED, record=change, by=clerk2),
    )
    assert sum(isinstance(r, ChangeRequest) for r in results) == 1, results
    assert ChangeRequest.objects.get().status == ReviewStatus.COUNTY_APPROVED
    assert person.history.count() == 2  # created, then changed once
