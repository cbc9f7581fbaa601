"""信息变更: same town-review -> county-review path; approval applies the change with history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from enrollment import services
from enrollment.models import ChangeRequest, IdentityCode, Person, ReviewStatus
from linggao_pension.workflow import review_move
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
RS = ReviewStatus


@pytest.fixture
def person(town, village):
    return PersonFactory(town=town, village=village, phone="13800000001", bank_account="6217000000000001")


def change_data(person, **overrides) -> dict:
    data = {
        "phone": person.phone, "residential_address": person.residential_address,
        "hukou_address": person.hukou_address, "bank_name": person.bank_name, "bank_account": person.bank_account,
        "town": person.town, "village": person.village, "identity": person.identity, "reason": "本人申请",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_only_the_changed_items_are_recorded(agent, person):
    change = services.change_request_create(person=person, data=change_data(person, phone="13900000002"), by=agent)
    assert change.status == RS.DRAFT
    assert change.changed_fields == ["phone"]
    assert change.new_phone == "13900000002"
    assert change.town == person.town
    assert change.status_changes.get().to_status == RS.DRAFT


def test_nothing_changed_is_refused(agent, person):
    with pytest.raises(ValidationError, match="没有任何变更"):
        services.change_request_create(person=person, data=change_data(person), by=agent)
    assert not ChangeRequest.objects.exists()


def test_reason_and_formats_are_checked(agent, person):
    with pytest.raises(ValidationError) as exc:
        services.change_request_create(
            person=person, data=change_data(person, reason="", phone="999", bank_account="abc"), by=agent
        )
    assert exc.value.message_dict["reason"] == ["请填写变更原因"]
    assert "联系电话“999”格式不正确" in exc.value.message_dict["phone"][0]
    assert exc.value.message_dict["bank_account"] == ["银行/社保卡账号“abc”应为8至32位数字"]
    assert not ChangeRequest.objects.exists()


def test_only_an_agent_of_the_persons_current_town_enters_it(agent_elsewhere, clerk, person):
    # another town's agent: the person does not exist for them (404); the county clerk: no permission (403)
    for user, refusal in ((agent_elsewhere, Http404), (clerk, PermissionDenied)):
        with pytest.raises(refusal):
            services.change_request_create(person=person, data=change_data(person, phone="13900000002"), by=user)
    assert not ChangeRequest.objects.exists()


def test_one_open_change_per_person(agent, person):
    services.change_request_create(person=person, data=change_data(person, phone="13900000002"), by=agent)
    with pytest.raises(ValidationError, match="该参保人已有未办结的信息变更申请"):
        services.change_request_create(person=person, data=change_data(person, phone="13900000003"), by=agent)
    assert ChangeRequest.objects.count() == 1


def test_approval_applies_the_change_with_history(agent, clerk, person):
    change = services.change_request_create(
        person=person, data=change_data(person, phone="13900000002", bank_account="6217999999999999"), by=agent
    )
    review_move(to=RS.TOWN_APPROVED, record=change, by=agent)
    review_move(to=RS.COUNTY_APPROVED, record=change, opinion="同意", by=clerk)
    person.refresh_from_db()
    change.refresh_from_db()
    assert person.phone == "13900000002" and person.bank_account == "6217999999999999"
    assert change.status == RS.COUNTY_APPROVED and change.reviewed_by == clerk
    assert change.before == {"phone": "13800000001", "bank_account": "6217000000000001"}
    latest = person.history.first()
    assert latest.history_user == clerk
    assert latest.history_change_reason == f"信息变更（{change.number}）：联系电话、银行/社保卡账号"
    assert person.history.order_by("history_id").first().phone == "13800000001"
    assert [c.to_status for c in change.status_changes.order_by("pk")] == [RS.DRAFT, RS.TOWN_APPROVED,
                                                                           RS.COUNTY_APPROVED]  # fmt: skip


def test_nothing_changes_before_the_county_approves(agent, person):
    change = services.change_request_create(person=person, data=change_data(person, phone="13900000002"), by=agent)
    review_move(to=RS.TOWN_APPROVED, record=change, by=agent)
    person.refresh_from_db()
    assert person.phone == "13800000001"


def test_move_between_towns_is_a_change(agent, agent_elsewhere, clerk, person, other_town, other_village):
    change = services.change_request_create(
        person=person, data=change_data(person, town=other_town, village=other_village, reason="户籍迁至波莲镇"),
        by=agent,
    )  # fmt: skip
    assert change.changed_fields == ["town", "village"]
    review_move(to=RS.TOWN_APPROVED, record=change, by=agent)
    review_move(to=RS.COUNTY_APPROVED, record=change, by=clerk)
    person.refresh_from_db()
    assert person.town == other_town and person.village == other_village
    assert person.status == Person.Status.CONTRIBUTING  # a move, not a transfer
    assert not Person.objects.in_scope(agent).filter(pk=person.pk).exists()
    assert Person.objects.in_scope(agent_elsewhere).filter(pk=person.pk).exists()
    # Both towns keep seeing the request: where it was entered and where the person now lives.
    assert ChangeRequest.objects.in_scope(agent).filter(pk=change.pk).exists()
    assert ChangeRequest.objects.in_scope(agent_elsewhere).filter(pk=change.pk).exists()
    # From now on only the new town's agents handle the person.
    with pytest.raises(Http404):
        services.change_request_create(person=person, data=change_data(person, phone="13900000009"), by=agent)
    later = services.change_request_create(person=person, data=change_data(person, phone="13900000009"),
                                           by=agent_elsewhere)  # fmt: skip
    assert later.town == other_town


def test_village_must_belong_to_the_new_town(agent, person, other_town, village):
    with pytest.raises(ValidationError) as exc:
        services.change_request_create(person=person, data=change_data(person, town=other_town, village=village),
                                       by=agent)  # fmt: skip
    assert exc.value.message_dict["village"] == ["“美鳌村”不属于波莲镇"]


def test_identity_code_change(agent, clerk, person):
    code = IdentityCode.objects.get(code="021")
    change = services.change_request_create(person=person, data=change_data(person, identity=code), by=agent)
    review_move(to=RS.TOWN_APPROVED, record=change, by=agent)
    review_move(to=RS.COUNTY_APPROVED, record=change, by=clerk)
    person.refresh_from_db()
    assert person.identity_id == "021"
    assert change.changed_fields == ["identity"]


def test_town_agent_cannot_approve_and_submitter_never_approves(agent, admin_user, clerk2, person):
    change = services.change_request_create(person=person, data=change_data(person, phone="13900000002"), by=agent)
    review_move(to=RS.TOWN_APPROVED, record=change, by=admin_user)
    with pytest.raises(PermissionDenied):
        review_move(to=RS.COUNTY_APPROVED, record=change, by=agent)
    with pytest.raises(ValidationError, match="提交人不能复核本人提交的申请"):
        review_move(to=RS.COUNTY_APPROVED, record=change, by=admin_user)
    person.refresh_from_db()
    assert person.phone == "13800000001"
    review_move(to=RS.COUNTY_APPROVED, record=change, by=clerk2)
    person.refresh_from_db()
    assert person.phone == "13900000002"


def test_county_return_then_resubmission(agent, clerk, person):
    change = services.change_request_create(person=person, data=change_data(person, phone="13900000002"), by=agent)
    review_move(to=RS.TOWN_APPROVED, record=change, by=agent)
    with pytest.raises(ValidationError):
        review_move(to=RS.COUNTY_RETURNED, record=change, opinion="", by=clerk)
    review_move(to=RS.COUNTY_RETURNED, record=change, opinion="请提供身份证复印件", by=clerk)
    change.refresh_from_db()
    assert change.status == RS.COUNTY_RETURNED
    services.change_request_update(change_request=change, data=change_data(person, phone="13900000003"), by=agent)
    review_move(to=RS.TOWN_APPROVED, record=change, by=agent)
    review_move(to=RS.COUNTY_APPROVED, record=change, by=clerk)
    person.refresh_from_db()
    assert person.phone == "13900000003"


def test_town_return_and_cancel(agent, person):
    change = services.change_request_create(person=person, data=change_data(person, phone="13900000002"), by=agent)
    review_move(to=RS.TOWN_RETURNED, record=change, opinion="材料不全", by=agent)
    review_move(to=RS.CANCELLED, record=change, opinion="本人撤回", by=agent)
    change.refresh_from_db()
    assert change.status == RS.CANCELLED
    # the person may now have a new change request
    services.change_request_create(person=person, data=change_data(person, phone="13900000004"), by=agent)


def test_agent_of_another_town_cannot_act_on_it(agent, agent_elsewhere, person):
    change = services.change_request_create(person=person, data=change_data(person, phone="13900000002"), by=agent)
    for to in (RS.TOWN_APPROVED, RS.TOWN_RETURNED, RS.CANCELLED):
        with pytest.raises(Http404):
            review_move(to=to, record=change, opinion="x", by=agent_elsewhere)
    change.refresh_from_db()
    assert change.status == RS.DRAFT


def test_terminated_person_cannot_change(agent, person):
    Person.objects.filter(pk=person.pk).update(status=Person.Status.TERMINATED)
    person.refresh_from_db()
    with pytest.raises(ValidationError, match="已终止参保"):
        services.change_request_create(person=person, data=change_data(person, phone="13900000002"), by=agent)


def test_approval_refused_after_the_person_moved_elsewhere(agent, clerk, person, other_town):
    change = services.change_request_create(person=person, data=change_data(person, phone="13900000002"), by=agent)
    review_move(to=RS.TOWN_APPROVED, record=change, by=agent)
    Person.objects.filter(pk=person.pk).update(town=other_town, village=None)  # e.g. by another app
    with pytest.raises(ValidationError, match="参保人所属镇/农场已变化"):
        review_move(to=RS.COUNTY_APPROVED, record=change, by=clerk)
    person.refresh_from_db()
    assert person.phone == "13800000001"
