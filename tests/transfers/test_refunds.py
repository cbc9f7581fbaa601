"""A refund is paid once: one bank file, then confirmed paid by another finance user."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from contributions.models import Refund, RefundBatch
from contributions.services.exits import relationship_application_settle
from contributions.services.refunds import refund_batch_generate, refund_batch_mark_paid
from tests.factories import PersonFactory

from ..contributions.conftest import at
from .test_settlement import application, funded

pytestmark = pytest.mark.django_db


@pytest.fixture
def refund(town, clerk):
    person = PersonFactory(town=town, age=40)
    funded(person)
    with at(2026, 7, 20):
        relationship_application_settle(application=application(person, "abroad", by=clerk), by=clerk)
    return Refund.objects.get()


def test_a_refund_goes_into_one_bank_file_and_is_paid_once(refund, finance, finance2):
    with at(2026, 7, 21):
        batch = refund_batch_generate(by=finance)
        assert refund_batch_generate(by=finance) is None  # nothing left pending: no second file
        rows = list(load_workbook(batch.bank_file.open("rb")).active.iter_rows(values_only=True))
        assert [r for r in rows if r and r[0] == 1][0][1:6] == (refund.payee_name, refund.payee_id_number, "农商银行", "6228480000000000001", 1210.2)
        with pytest.raises(ValidationError, match="另一名财务人员"):
            refund_batch_mark_paid(batch=batch, paid_on=date(2026, 7, 21), by=finance)
        refund_batch_mark_paid(batch=batch, paid_on=date(2026, 7, 21), by=finance2)
        with pytest.raises(ValidationError, match="不能重复支付"):
            refund_batch_mark_paid(batch=batch, paid_on=date(2026, 7, 21), by=finance2)
    refund.refresh_from_db()
    assert (refund.status, refund.batch_id, batch.total, batch.count) == ("paid", batch.pk, D("1210.20"), 1)
    assert RefundBatch.objects.count() == 1


def test_only_finance_generates_refund_files(refund, clerk, agent):
    for user in (clerk, agent):
        with pytest.raises(PermissionDenied):
            refund_batch_generate(by=user)
    assert Refund.objects.get().status == "pending" and not RefundBatch.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_refund_files_at_once_take_each_refund_once(town, clerk, finance, finance2):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    with at(2026, 7, 20):
        for _ in range(6):
            person = PersonFactory(town=town, age=40)
            funded(person)
            relationship_application_settle(application=application(person, "abroad", by=clerk), by=clerk)
    batches, errors = [], []
    barrier = threading.Barrier(2)

    def run(user):
        try:
            barrier.wait()
            batches.append(refund_batch_generate(by=user))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in (finance, finance2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    made = [b for b in batches if b is not None]
    assert sum(b.count for b in made) == 6 and Refund.objects.filter(status="in_file").count() == 6
