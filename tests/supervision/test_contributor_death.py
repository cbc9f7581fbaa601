"""A verified contributor death (no pension): the town is told to enter the termination (参保人死亡,
6401) — a home-page 待办 and the 死亡缴费人员待注销 page, scoped to the town — and the page follows the
application entered through enrollment's service until the relationship has ended."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from enrollment.models import Person
from enrollment.services import person_status_set
from enrollment.services.relationships import relationship_application_create
from supervision import todos
from supervision.models import SuspectItem
from supervision.services import suspects

from ..factories import PensionFactory, PersonFactory
from .conftest import xlsx

pytestmark = pytest.mark.django_db
DEATHS = ["身份证号", "姓名", "死亡日期"]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 6, 15), tick=False):
        yield


def _item(person, auditor):
    _, outcome = suspects.suspect_list_import(kind="deaths", file=xlsx(DEATHS, [[person.id_number, person.name,
                                              "2026-04-01"]]), filename="deaths.xlsx", by=auditor)  # fmt: skip
    (item,) = outcome.items
    return item


def _count(user) -> int:
    return sum(t.count for t in todos.todos(user))


def test_a_verified_contributor_death_is_the_towns_todo_until_it_enters_the_termination(
        client, auditor, agent, agent_elsewhere, town):
    person = PersonFactory(town=town, name="符大海")
    item = _item(person, auditor)
    assert item.kind == SuspectItem.Kind.CONTRIBUTOR_DIED
    assert _count(agent) == 0  # an open item is not yet the town's work
    item = suspects.suspect_verify(item=item, reason="民政死亡名单核实", by=auditor)
    assert "办理参保人死亡注销（6401）" in item.action and town.name in item.action
    person.refresh_from_db()
    assert person.status == Person.Status.CONTRIBUTING  # supervision changed nothing of enrollment's

    assert _count(agent) == 1 and _count(agent_elsewhere) == 0
    client.force_login(agent)
    assert "稽核核实死亡、待办理注销的缴费人员" in client.get(reverse("home")).content.decode()
    page = client.get(reverse("supervision:death_followups")).content.decode()
    assert "符大海" in page and "待镇/农场录入注销申请" in page
    assert f"{reverse('enrollment:relationship_create', args=[person.pk])}?kind=death" in page
    client.force_login(agent_elsewhere)
    assert "符大海" not in client.get(reverse("supervision:death_followups")).content.decode()

    # the town enters the termination (enrollment's service): off the 待办, the page follows it
    application = relationship_application_create(person=person, data={
        "kind": "death", "event_on": date(2026, 4, 1), "payee_name": "符小海", "payee_id_number": "11010519491231002X",
        "payee_relation": "子", "bank_name": "农商银行", "bank_account": "6228480000000000001"}, by=agent)
    assert _count(agent) == 0
    client.force_login(agent)
    page = client.get(reverse("supervision:death_followups")).content.decode()
    assert "注销申请草稿" in page and application.number in page and "录入注销申请" not in page

    person_status_set(person=person, status=Person.Status.TERMINATED, by=auditor, reason="6401",
                      on=date(2026, 4, 1))
    page = client.get(reverse("supervision:death_followups")).content.decode()
    assert "已终止参保，个人账户已结算" in page


def test_a_contributor_death_item_for_someone_now_receiving_a_pension_is_refused(auditor, town):
    pension = PensionFactory(person__town=town)
    source = SuspectItem.objects.model._meta.get_field("source_list").related_model.objects.create(
        kind="deaths", filename="deaths.xlsx")
    item = SuspectItem.objects.create(kind="contributor_died", person=pension.person, id_number=pension.person.id_number,
                                      name=pension.person.name, key="2026-04-01", source_list=source)
    with pytest.raises(ValidationError) as exc:
        suspects.suspect_verify(item=item, reason="核实", by=auditor)
    assert "已领取待遇，不属于缴费人员死亡" in str(exc.value)
    item.refresh_from_db()
    assert item.status == SuspectItem.Status.OPEN and item.action == ""
