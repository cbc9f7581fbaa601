"""Re-enrolment: a person whose relationship ended other than by death enrols again (a new
relationship on the same person, the earlier one kept); after a death, never."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from contributions.services.exits import relationship_application_settle
from enrollment import services
from enrollment.models import EnrollmentApplication, InsuranceRelationship, Person
from linggao_pension.workflow import RS, review_move
from tests.enrollment.conftest import application_data
from tests.factories import PersonFactory

from ..contributions.conftest import at
from .test_settlement import application, funded

pytestmark = pytest.mark.django_db


def _ended(person, kind, clerk, event_on=date(2026, 3, 1)):
    with at(2026, 3, 10):
        relationship_application_settle(application=application(person, kind, by=clerk, event_on=event_on), by=clerk)


def test_a_person_who_settled_abroad_enrols_again_as_a_new_relationship(town, agent, clerk, clerk2):
    person = PersonFactory(town=town, age=46, insured_no="469024100000077")
    funded(person)
    _ended(person, "abroad", clerk)
    with at(2026, 9, 1):
        data = application_data(town, id_number=person.id_number, name=person.name, applied_on=date(2026, 9, 1))
        app = services.application_create(data=data, by=agent)
        review_move(record=app, to=RS.TOWN_APPROVED, by=agent)
        review_move(record=app, to=RS.COUNTY_APPROVED, by=clerk2)
    person.refresh_from_db()
    app.refresh_from_db()
    assert app.person_id == person.pk and Person.objects.count() == 1
    assert (person.status, person.insured_no, person.enrolled_on) == (Person.Status.CONTRIBUTING, "469024100000077", date(2026, 9, 1))
    rels = list(InsuranceRelationship.objects.filter(person=person).order_by("number").values_list("number", "end_kind", "start_kind"))
    assert rels == [(1, "abroad", "enrolled"), (2, "", "enrolled")]
    assert person.history.filter(status=Person.Status.TERMINATED).exists()  # the earlier history is kept


def test_after_a_death_no_new_enrolment(town, agent, clerk):
    person = PersonFactory(town=town, age=46)
    funded(person)
    _ended(person, "death", clerk, event_on=date(2026, 2, 10))
    with at(2026, 9, 1), pytest.raises(ValidationError) as exc:
        services.application_create(
            data=application_data(town, id_number=person.id_number, name=person.name, applied_on=date(2026, 9, 1)), by=agent,
        )
    assert "已登记参保" in str(exc.value) or "已死亡" in str(exc.value)
    assert not EnrollmentApplication.objects.exists()


def test_a_termination_elsewhere_ends_the_relationship_too(town, clerk):
    from enrollment.services import person_status_set

    person = PersonFactory(town=town, age=70, status=Person.Status.RECEIVING)
    person_status_set(person=person, status=Person.Status.TERMINATED, reason="1401", on=date(2026, 5, 3), by=clerk)
    relationship = InsuranceRelationship.objects.get(person=person)
    assert (relationship.ended_on, relationship.end_kind, relationship.end_reason) == (date(2026, 5, 3), "death", "1401")
    with pytest.raises(ValidationError, match="已死亡"):
        from enrollment.relationships import relationship_open

        relationship_open(person=person, start_kind="transfer_in", on_date=date(2026, 9, 1), by=clerk)
