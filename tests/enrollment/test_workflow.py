"""The one review workflow (linggao_pension.workflow) used by both enrollment record types, and the
one scope check (linggao_pension.org.access) through every enrollment service that takes a record."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from enrollment import services
from enrollment.models import Person
from linggao_pension.org.access import can_act_for_town, require_perm
from linggao_pension.org.models import StatusChange
from linggao_pension.workflow import RS, review_actions, review_makers, review_move
from tests.factories import PersonFactory

from .conftest import application_data
from .test_change_requests import change_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(town):
    return PersonFactory(town=town, phone="13800000001", bank_account="6217000000000001")


def _application(town, agent):
    return services.application_create(data=application_data(town), by=agent)


def _change(person, agent):
    return services.change_request_create(person=person, data=change_data(person, phone="13900000002"), by=agent)


def _edit(record, town, by):
    if record._meta.model_name == "enrollmentapplication":
        return services.application_update(application=record, data=application_data(town, name="符海"), by=by)
    return services.change_request_update(
        change_request=record, data=change_data(record.person, phone="13900000003"), by=by
    )


@pytest.fixture(params=["application", "change_request"])
def record(request, town, agent, person):
    return _application(town, agent) if request.param == "application" else _change(person, agent)


def test_both_record_types_take_the_same_path_and_steps_land_in_one_table(record, agent, clerk):
    review_move(record=record, to=RS.TOWN_APPROVED, by=agent)
    review_move(record=record, to=RS.COUNTY_RETURNED, by=clerk, opinion="请补充材料")
    review_move(record=record, to=RS.TOWN_APPROVED, by=agent, opinion="已补充")
    review_move(record=record, to=RS.COUNTY_APPROVED, by=clerk)
    record.refresh_from_db()
    assert record.status == RS.COUNTY_APPROVED and record.reviewed_by == clerk
    steps = StatusChange.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
    assert [(s.from_status, s.to_status, s.by.username) for s in steps.order_by("pk")] == [
        ("", RS.DRAFT, "agent"),
        (RS.DRAFT, RS.TOWN_APPROVED, "agent"),
        (RS.TOWN_APPROVED, RS.COUNTY_RETURNED, "clerk"),
        (RS.COUNTY_RETURNED, RS.TOWN_APPROVED, "agent"),
        (RS.TOWN_APPROVED, RS.COUNTY_APPROVED, "clerk"),
    ]
    assert steps.get(to_status=RS.COUNTY_RETURNED).opinion == "请补充材料"
    assert review_actions(record, clerk) == dict.fromkeys(["edit", "submit", "town_return", "cancel", "review"], False)


def test_an_editor_of_a_record_cannot_approve_it(record, town, agent, admin_user, clerk):
    # admin_user holds every permission (town side and county side): it edits, then tries to approve.
    _edit(record, town, admin_user)
    review_move(record=record, to=RS.TOWN_APPROVED, by=agent)
    assert admin_user.pk in review_makers(record)
    assert review_actions(record, admin_user)["review"] is False
    for to in (RS.COUNTY_APPROVED, RS.COUNTY_RETURNED):
        with pytest.raises(ValidationError, match="修改过该.*的人不能复核"):
            review_move(record=record, to=to, by=admin_user, opinion="意见")
    record.refresh_from_db()
    assert record.status == RS.TOWN_APPROVED
    assert review_actions(record, clerk)["review"] is True
    review_move(record=record, to=RS.COUNTY_APPROVED, by=clerk)


def test_creator_and_submitter_never_approve(record, agent, admin_user, clerk2):
    review_move(record=record, to=RS.TOWN_APPROVED, by=admin_user)
    with pytest.raises(ValidationError, match="提交人不能复核本人提交的申请"):
        review_move(record=record, to=RS.COUNTY_APPROVED, by=admin_user)
    assert review_makers(record) == {agent.pk, admin_user.pk}
    review_move(record=record, to=RS.COUNTY_APPROVED, by=clerk2)


def test_opinion_is_required_to_return_or_withdraw_and_nothing_is_saved(record, agent):
    for to in (RS.TOWN_RETURNED, RS.CANCELLED):
        with pytest.raises(ValidationError) as exc:
            review_move(record=record, to=to, by=agent, opinion="  ")
        assert exc.value.message_dict["opinion"][0].endswith("时必须填写意见")
    record.refresh_from_db()
    assert record.status == RS.DRAFT and record.status_changes.count() == 1


def test_a_town_agent_of_another_town_gets_404_through_every_service(record, town, agent, agent_elsewhere, person):
    for to in (RS.TOWN_APPROVED, RS.TOWN_RETURNED, RS.CANCELLED):
        with pytest.raises(Http404):
            review_move(record=record, to=to, by=agent_elsewhere, opinion="越权")
    for to in (RS.COUNTY_APPROVED, RS.COUNTY_RETURNED):  # not their role at all: 403 before the record
        with pytest.raises(PermissionDenied):
            review_move(record=record, to=to, by=agent_elsewhere, opinion="越权")
    with pytest.raises(Http404):
        _edit(record, town, agent_elsewhere)
    with pytest.raises(Http404):
        _change(person, agent_elsewhere)
    with pytest.raises(Http404):
        services.application_create(data=application_data(town), by=agent_elsewhere)
    record.refresh_from_db()
    assert record.status == RS.DRAFT
    assert review_actions(record, agent_elsewhere) == dict.fromkeys(
        ["edit", "submit", "town_return", "cancel", "review"], False
    )


def test_access_refuses_anonymous_and_none_alike(town):
    from django.contrib.auth.models import AnonymousUser

    for nobody in (None, AnonymousUser()):
        assert not can_act_for_town(nobody, town.pk)
        with pytest.raises(PermissionDenied) as exc:
            require_perm(nobody, "enrollment.view_person")
        assert "您没有此项操作的权限" in str(exc.value)


def test_person_status_moves_follow_the_enum_and_are_recorded(person, clerk):
    with pytest.raises(ValidationError, match="不能变更为“暂停领取”"):
        services.person_status_set(person=person, status=Person.Status.BENEFIT_SUSPENDED, reason="1200", by=clerk)
    services.person_status_set(person=person, status=Person.Status.CONTRIB_SUSPENDED, reason="6399", by=clerk)
    person.refresh_from_db()
    assert (person.status, person.status_reason) == (Person.Status.CONTRIB_SUSPENDED, "6399")
    step = StatusChange.objects.get(object_id=person.pk, content_type=ContentType.objects.get_for_model(Person))
    assert (step.from_status, step.to_status, step.by) == (Person.Status.CONTRIBUTING, Person.Status.CONTRIB_SUSPENDED,
                                                          clerk)  # fmt: skip
    assert person.history.first().history_user == clerk
