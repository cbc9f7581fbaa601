"""领取资格认证名单 at county scale: sorted by the pension's copy of its person's town and village
(then due date), read a page's keys first; the copy is made with the pension and follows the
person when an approved 信息变更 moves them."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benefits.models import Pension
from contributions.models import LedgerMonthTotal
from enrollment import services as enrollment_services
from enrollment.models import Person, ReviewStatus
from linggao_pension.org.models import Village
from linggao_pension.workflow import review_move
from tests.factories import PensionFactory, PersonFactory

from .conftest import credit

pytestmark = pytest.mark.django_db
URL = reverse("benefits:certification_list")


def shown(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/benefits/pensions/(\d+)/"', html)]


@pytest.fixture
def pensions(town, other_town):
    town.sort_order, other_town.sort_order = 1, 2
    town.save(), other_town.save()
    villages = [
        Village.objects.create(town=t, code=f"4690241{t.pk:02d}{i:03d}", name=name)
        for t in (other_town, town)
        for i, name in enumerate(["B村", "A村"])
    ]
    made = []
    for i, (village, certified) in enumerate(
        [(v, date(2025, m, 1)) for v in villages for m in (5, 2)] + [(villages[3], date(2024, 9, 1))]
    ):
        person = PersonFactory(town=village.town, village=village, age=66 + i, status=Person.Status.RECEIVING)
        made.append(PensionFactory(person=person, last_certified_on=certified))
    return made


def expected(pensions) -> list[int]:
    def key(p):
        return (p.person.town.sort_order, p.person.village.name, p.last_certified_on, p.pk)

    return [p.pk for p in sorted(pensions, key=key)]


def test_the_pages_follow_town_village_and_due_date_in_constant_queries(client, clerk, pensions, settings):
    settings.PAGE_SIZE = 3
    client.force_login(clerk)
    client.get(URL)
    seen, counts = [], []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {"page": number})
        assert response.status_code == 200
        seen += shown(response.content.decode())
        counts.append(len(ctx))
    assert seen == expected(pensions)
    assert len(set(counts)) == 1


def test_the_town_and_village_filters(client, clerk, pensions, town):
    client.force_login(clerk)
    in_town = [p for p in pensions if p.person.town_id == town.pk]
    assert shown(client.get(URL, {"town": town.pk}).content.decode()) == expected(in_town)
    in_a = [p for p in in_town if p.person.village.name == "A村"]
    assert shown(client.get(URL, {"town": town.pk, "village": "A"}).content.decode()) == expected(in_a)


def test_the_copy_is_made_with_the_pension_and_by_bulk_create(town):
    village = Village.objects.create(town=town, code="469024100901", name="美鳌村")
    person = PersonFactory(town=town, village=village, age=66)
    pension = PensionFactory(person=person)
    assert (pension.town_id, pension.village_id) == (town.pk, village.pk)
    other = PersonFactory(town=town, village=None, age=67)
    built = PensionFactory.build(person=Person.objects.get(pk=other.pk))
    built.person_id = other.pk
    Pension.person.field.delete_cached_value(built)  # only the person's id, as a bulk loader has
    Pension.objects.bulk_create([built])
    assert Pension.objects.filter(person=other).values_list("town_id", "village_id").get() == (town.pk, None)


def test_a_move_by_change_request_moves_the_pension_in_the_list(
    client, agent, clerk, town, other_town, pensions
):
    pension = next(p for p in pensions if p.person.town_id == town.pk)
    person = Person.objects.get(pk=pension.person_id)
    target = Village.objects.filter(town=other_town, name="A村").get()
    data = {
        "phone": person.phone, "residential_address": person.residential_address,
        "hukou_address": person.hukou_address, "bank_name": person.bank_name, "bank_account": person.bank_account,
        "town": other_town, "village": target, "identity": person.identity, "reason": "户籍迁至波莲镇",
    }  # fmt: skip
    credit(person, "300.00", date(2025, 6, 1), by=clerk)
    change = enrollment_services.change_request_create(person=person, data=data, by=agent)
    review_move(to=ReviewStatus.TOWN_APPROVED, record=change, by=agent)
    review_move(to=ReviewStatus.COUNTY_APPROVED, record=change, by=clerk)
    pension.refresh_from_db()
    assert (pension.town_id, pension.village_id) == (other_town.pk, target.pk)
    # The ledger's month totals by town went with the person too (both follow through the apps'
    # `person_moved` declarations; enrollment imports neither app).
    june = LedgerMonthTotal.objects.filter(month=date(2025, 6, 1))
    assert june.filter(town=other_town).aggregate(t=Sum("amount"))["t"] == Decimal("300.00")
    assert (june.filter(town=town).aggregate(t=Sum("amount"))["t"] or 0) == 0
    client.force_login(clerk)
    moved = [Pension.objects.select_related("person__town", "person__village").get(pk=p.pk) for p in pensions]
    assert shown(client.get(URL).content.decode()) == expected(moved)
    assert pension.pk in shown(client.get(URL, {"town": other_town.pk, "village": "A"}).content.decode())
