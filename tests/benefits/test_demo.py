"""The demo seeder: the people aged 60+ become pensioners, past payrolls are paid, reruns add nothing."""

import random
from datetime import date
from io import StringIO

import pytest

from benefits import demo
from benefits.models import PayrollLine, PayrollRun, Pension
from contributions.models import AccountEntry, EntryKind
from enrollment.models import Person
from linggao_pension.org import roles
from tests.conftest import make_user
from tests.factories import PersonFactory

from .conftest import at, yearly

pytestmark = pytest.mark.django_db


def test_demo_makes_pensioners_and_past_payrolls_and_is_idempotent(town, poster):
    make_user("finance", roles.FINANCE)
    make_user("finance2", roles.FINANCE)
    old = [PersonFactory(birth_date=date(1950 + i, 3, 3), town=town) for i in range(4)]
    for person in old:
        yearly(person, range(2014, 2020), "100.00", by=poster)
    young = [PersonFactory(birth_date=date(1980, 1, 1), town=town) for _ in range(12)]
    with at(2026, 5, 10):
        summary = demo.seed(rng=random.Random(7), residents=16, stdout=StringIO())
    assert summary["pensioners"] == 4
    assert Pension.objects.count() == 4
    assert set(Person.objects.filter(pk__in=[p.pk for p in old]).values_list("status", flat=True)) == {
        Person.Status.RECEIVING}
    assert set(Person.objects.filter(pk__in=[p.pk for p in young]).values_list("status", flat=True)) == {
        Person.Status.CONTRIBUTING}
    pension = Pension.objects.get(person=old[0])
    assert pension.account_balance == sum(AccountEntry.objects.filter(person=old[0], kind=EntryKind.CREDIT)
                                          .values_list("amount", flat=True))
    assert list(PayrollRun.objects.order_by("month").values_list("month", "status")) == [
        (date(2026, 2, 1), "closed"), (date(2026, 3, 1), "closed"), (date(2026, 4, 1), "closed"),
    ]
    assert PayrollLine.objects.count() == 12  # 4 pensioners × 3 months
    assert AccountEntry.objects.filter(kind=EntryKind.PENSION).exists()
    with at(2026, 5, 11):
        again = demo.seed(rng=random.Random(7), residents=16, stdout=StringIO())
    assert again == {"pensioners": 0, "claims": 0, "payrolls": 0}
    assert PayrollLine.objects.count() == 12
