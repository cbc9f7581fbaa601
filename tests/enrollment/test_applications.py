"""参保登记申请: every transition of 草稿 → 镇初审通过/退回 → 县复核通过/退回, and the forbidden ones."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from contributions.models import AccountEntry
from enrollment import services
from enrollment.models import (
    EnrollmentApplication,
    EnrollmentParameter,
    IdentityCode,
    Person,
    ReviewStatus,
)
from linggao_pension.org.models import StatusChange
from linggao_pension.workflow import review_move
from tests.factories import PersonFactory, make_id_number

from .conftest import TODAY, application_data

pytestmark = pytest.mark.django_db
RS = ReviewStatus


def steps(application) -> list[tuple[str, str, str]]:
    return [
        (c.from_status, c.to_status, c.by.username)
        for c in application.status_changes.exclude(action="edit").select_related("by").order_by("pk")
    ]


# --- entry ---------------------------------------------------------------------------------------


def test_agent_enters_a_draft_with_sex_and_birth_date_from_the_id(agent, town, village):
    id_number = make_id_number(date(1975, 8, 9), "2")
    application = services.application_create(
        data=application_data(town, id_number=id_number.lower(), village=village), by=agent
    )
    application.refresh_from_db()
    assert application.status == RS.DRAFT
    assert application.id_number == id_number.upper()
    assert application.sex == "2"
    assert application.birth_date == date(1975, 8, 9)
    assert application.created_by == agent
    assert application.village == village
    assert steps(application) == [("", RS.DRAFT, "agent")]
    assert application.history.get().history_user == agent


def test_agent_cannot_enter_for_another_town(agent, other_town):
    with pytest.raises(Http404):
        services.application_create(data=application_data(other_town), by=agent)
    assert not EnrollmentApplication.objects.exists()


def test_county_clerk_does_not_enter_applications(clerk, town):
    with pytest.raises(PermissionDenied):
        services.application_create(data=application_data(town), by=clerk)
    assert not EnrollmentApplication.objects.exists()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"id_number": "440524188001010015"}, "id_number", "身份证号校验位错误"),
        ({"id_number": "4405241880010100"}, "id_number", "身份证号应为18位（当前16位）"),
        ({"id_number": make_id_number(date(2010, 3, 11), "1")}, "__all__", "未满16周岁（2026-03-10时15周岁）"),
        ({"is_student": True}, "__all__", "在校学生不能参加城乡居民养老保险"),
        ({"in_employee_scheme": True}, "__all__", "已参加职工基本养老保险，不能参加城乡居民养老保险"),
        ({"applied_on": date(2026, 3, 11)}, "applied_on", "申请日期不能晚于今天"),
        ({"name": "  "}, "name", "姓名不能为空"),
        ({"phone": "12345"}, "phone", "联系电话“12345”格式不正确，应为手机号或固定电话（如 0898-28278663）"),
        ({"bank_account": "62-17"}, "bank_account", "银行/社保卡账号“62-17”应为8至32位数字"),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(agent, town, overrides, field, message):
    with pytest.raises(ValidationError) as exc:
        services.application_create(data=application_data(town, **overrides), by=agent)
    assert message in exc.value.message_dict[field]
    assert not EnrollmentApplication.objects.exists()
    assert not StatusChange.objects.exists()


def test_sixteenth_birthday_on_the_application_date_is_enough(agent, town):
    data = application_data(town, id_number=make_id_number(date(2010, 3, 10), "1"))
    assert services.application_create(data=data, by=agent).status == RS.DRAFT


def test_village_must_belong_to_the_town(agent, town, other_village):
    with pytest.raises(ValidationError) as exc:
        services.application_create(data=application_data(town, village=other_village), by=agent)
    assert exc.value.message_dict["village"] == ["“波浪村”不属于临城镇"]


def test_inactive_identity_code_is_refused(agent, town):
    code = IdentityCode.objects.get(code="090")
    code.is_active = False
    code.save()
    with pytest.raises(ValidationError) as exc:
        services.application_create(data=application_data(town, identity=code), by=agent)
    assert exc.value.message_dict["identity"] == ["请选择有效的参保身份"]


def test_id_number_already_in_the_registry_is_refused(agent, town):
    person = PersonFactory(town=town)
    with pytest.raises(ValidationError) as exc:
        services.application_create(data=application_data(town, id_number=person.id_number), by=agent)
    assert exc.value.message_dict["id_number"] == [f"该身份证号已登记参保（参保编号 {person.insured_no}）"]
    assert not EnrollmentApplication.objects.exists()


def test_id_number_of_an_open_application_is_refused_even_in_another_town(agent, agent_elsewhere, draft, other_town):
    with pytest.raises(ValidationError) as exc:
        services.application_create(data=application_data(other_town, id_number=draft.id_number), by=agent_elsewhere)
    assert exc.value.message_dict["id_number"] == [f"该身份证号已有未办结的参保登记申请（{draft.number}）"]
    assert EnrollmentApplication.objects.count() == 1


def test_a_cancelled_application_frees_the_id_number(agent, town, draft):
    review_move(to=RS.CANCELLED, record=draft, opinion="重复录入", by=agent)
    again = services.application_create(data=application_data(town, id_number=draft.id_number), by=agent)
    assert again.status == RS.DRAFT


def test_database_refuses_two_open_applications_for_one_id(agent, draft):
    from django.db import IntegrityError, transaction

    copy = EnrollmentApplication.objects.get(pk=draft.pk)
    copy.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_draft_can_be_corrected(agent, town, draft):
    services.application_update(application=draft, data=application_data(town, name="符海燕", id_number=draft.id_number),
                                by=agent)  # fmt: skip
    draft.refresh_from_db()
    assert draft.name == "符海燕"
    assert draft.history.count() == 2


def test_submitted_application_cannot_be_edited(agent, town, submitted):
    with pytest.raises(ValidationError, match="当前状态为“镇初审通过”，不能修改"):
        services.application_update(application=submitted, data=application_data(town, name="改名"), by=agent)
    submitted.refresh_from_db()
    assert submitted.name == "符海生"


# --- town step -----------------------------------------------------------------------------------


def test_agent_submits_with_preliminary_review(agent, submitted):
    submitted.refresh_from_db()
    assert submitted.status == RS.TOWN_APPROVED
    assert submitted.submitted_by == agent
    assert submitted.town_opinion == "材料齐全"
    assert steps(submitted) == [("", RS.DRAFT, "agent"), (RS.DRAFT, RS.TOWN_APPROVED, "agent")]


def test_another_agent_of_the_same_town_may_submit(agent2, draft):
    assert review_move(to=RS.TOWN_APPROVED, record=draft, by=agent2).submitted_by == agent2


def test_agent_of_another_town_cannot_touch_the_application(agent_elsewhere, town, draft):
    # Another town's record does not exist for them: 404 through every service, never 403.
    for to in (RS.TOWN_APPROVED, RS.TOWN_RETURNED, RS.CANCELLED):
        with pytest.raises(Http404):
            review_move(to=to, record=draft, opinion="越权", by=agent_elsewhere)
    with pytest.raises(Http404):
        services.application_update(application=draft, data=application_data(town, id_number=draft.id_number),
                                    by=agent_elsewhere)  # fmt: skip
    draft.refresh_from_db()
    assert draft.status == RS.DRAFT
    assert len(steps(draft)) == 1


def test_town_return_needs_an_opinion(agent, draft):
    with pytest.raises(ValidationError) as exc:
        review_move(to=RS.TOWN_RETURNED, record=draft, opinion=" ", by=agent)
    assert exc.value.message_dict == {"opinion": ["镇初审退回时必须填写意见"]}
    draft.refresh_from_db()
    assert draft.status == RS.DRAFT


def test_town_return_then_correction_and_resubmission(agent, town, draft):
    review_move(to=RS.TOWN_RETURNED, record=draft, opinion="缺户口簿复印件", by=agent)
    draft.refresh_from_db()
    assert draft.status == RS.TOWN_RETURNED and draft.town_opinion == "缺户口簿复印件"
    services.application_update(application=draft, data=application_data(town, id_number=draft.id_number,
                                                                          hukou_address="临城镇美鳌村13号"), by=agent)  # fmt: skip
    review_move(to=RS.TOWN_APPROVED, record=draft, by=agent)
    draft.refresh_from_db()
    assert draft.status == RS.TOWN_APPROVED
    assert draft.hukou_address == "临城镇美鳌村13号"
    assert [s[1] for s in steps(draft)] == [RS.DRAFT, RS.TOWN_RETURNED, RS.TOWN_APPROVED]


def test_submission_rechecks_eligibility(agent, draft):
    draft.is_student = True  # e.g. corrected in the admin after entry
    draft.save()
    with pytest.raises(ValidationError, match="在校学生"):
        review_move(to=RS.TOWN_APPROVED, record=draft, by=agent)


# --- county step ---------------------------------------------------------------------------------


def test_county_approval_creates_the_insured_person(clerk, submitted, village):
    application = review_move(to=RS.COUNTY_APPROVED, record=submitted, opinion="同意参保", by=clerk)
    application.refresh_from_db()
    person = application.person
    assert application.status == RS.COUNTY_APPROVED
    assert application.reviewed_by == clerk and application.county_opinion == "同意参保"
    assert person.insured_no == "469024100000001"
    assert person.status == Person.Status.CONTRIBUTING
    assert person.enrolled_on == TODAY
    for name in ("id_number", "name", "sex", "birth_date", "town_id", "identity_id", "phone", "bank_account"):
        assert getattr(person, name) == getattr(application, name)
    record = person.history.get()
    assert record.history_user == clerk
    assert record.history_change_reason == f"参保登记（{application.number} 县复核通过）"
    assert not AccountEntry.objects.filter(person=person).exists()  # an empty personal account
    assert steps(application)[-1] == (RS.TOWN_APPROVED, RS.COUNTY_APPROVED, "clerk")


def test_insured_numbers_are_consecutive(agent, clerk, town):
    numbers = []
    for year in (1970, 1971, 1972):
        app = services.application_create(data=application_data(town, id_number=make_id_number(date(year, 1, 2))),
                                          by=agent)  # fmt: skip
        review_move(to=RS.TOWN_APPROVED, record=app, by=agent)
        numbers.append(review_move(to=RS.COUNTY_APPROVED, record=app, by=clerk).person.insured_no)
    assert numbers == ["469024100000001", "469024100000002", "469024100000003"]


def test_town_agent_cannot_approve(agent, submitted):
    with pytest.raises(PermissionDenied):
        review_move(to=RS.COUNTY_APPROVED, record=submitted, by=agent)
    with pytest.raises(PermissionDenied):
        review_move(to=RS.COUNTY_RETURNED, record=submitted, opinion="不行", by=agent)
    submitted.refresh_from_db()
    assert submitted.status == RS.TOWN_APPROVED
    assert not Person.objects.exists()


def test_the_submitter_never_approves(admin_user, agent, draft):
    # The admin holds every permission; having submitted it, they still may not review it.
    review_move(to=RS.TOWN_APPROVED, record=draft, by=admin_user)
    with pytest.raises(ValidationError, match="提交人不能复核本人提交的申请"):
        review_move(to=RS.COUNTY_APPROVED, record=draft, by=admin_user)
    with pytest.raises(ValidationError, match="提交人不能复核本人提交的申请"):
        review_move(to=RS.COUNTY_RETURNED, record=draft, opinion="退回", by=admin_user)
    draft.refresh_from_db()
    assert draft.status == RS.TOWN_APPROVED
    assert not Person.objects.exists()


def test_whoever_entered_it_never_approves(admin_user, agent, town):
    application = services.application_create(data=application_data(town), by=admin_user)
    review_move(to=RS.TOWN_APPROVED, record=application, by=agent)
    with pytest.raises(ValidationError, match="录入人不能复核本人录入的申请"):
        review_move(to=RS.COUNTY_APPROVED, record=application, by=admin_user)
    assert not Person.objects.exists()


def test_a_second_clerk_approves_what_the_first_submitted(admin_user, clerk2, draft):
    review_move(to=RS.TOWN_APPROVED, record=draft, by=admin_user)
    assert review_move(to=RS.COUNTY_APPROVED, record=draft, by=clerk2).status == RS.COUNTY_APPROVED


def test_county_return_needs_an_opinion_then_town_resubmits(agent, clerk, clerk2, submitted):
    with pytest.raises(ValidationError) as exc:
        review_move(to=RS.COUNTY_RETURNED, record=submitted, opinion="", by=clerk)
    assert exc.value.message_dict == {"opinion": ["县复核退回时必须填写意见"]}
    review_move(to=RS.COUNTY_RETURNED, record=submitted, opinion="户籍地址与户口簿不一致", by=clerk)
    submitted.refresh_from_db()
    assert submitted.status == RS.COUNTY_RETURNED
    assert submitted.county_opinion == "户籍地址与户口簿不一致" and submitted.reviewed_by == clerk
    review_move(to=RS.TOWN_APPROVED, record=submitted, opinion="已核实更正", by=agent)
    submitted.refresh_from_db()
    assert submitted.status == RS.TOWN_APPROVED and submitted.county_opinion == "" and submitted.reviewed_by is None
    review_move(to=RS.COUNTY_APPROVED, record=submitted, by=clerk2)
    assert [s[1] for s in steps(submitted)] == [
        RS.DRAFT, RS.TOWN_APPROVED, RS.COUNTY_RETURNED, RS.TOWN_APPROVED, RS.COUNTY_APPROVED,
    ]  # fmt: skip


def test_approval_rechecks_the_minimum_age_parameter(clerk, agent, town):
    application = services.application_create(
        data=application_data(town, id_number=make_id_number(date(1990, 1, 1))), by=agent
    )
    review_move(to=RS.TOWN_APPROVED, record=application, by=agent)
    # The bureau raises the minimum age (data, with history) before the county review.
    EnrollmentParameter.objects.create(effective_from=date(2026, 1, 1), min_enrolment_age=40)
    with pytest.raises(ValidationError, match="未满40周岁"):
        review_move(to=RS.COUNTY_APPROVED, record=application, by=clerk)
    assert not Person.objects.exists()


def test_approval_refused_when_registered_meanwhile(clerk, submitted, town):
    PersonFactory(id_number=submitted.id_number, town=town)
    with pytest.raises(ValidationError, match="该身份证号已登记参保"):
        review_move(to=RS.COUNTY_APPROVED, record=submitted, by=clerk)
    submitted.refresh_from_db()
    assert submitted.status == RS.TOWN_APPROVED


@pytest.mark.parametrize(
    "action, persona, message",
    [
        (RS.COUNTY_APPROVED, "clerk", "当前状态为“草稿”，不能县复核通过"),
        (RS.COUNTY_RETURNED, "clerk", "当前状态为“草稿”，不能县复核退回"),
    ],
)
def test_county_cannot_review_a_draft(request, draft, action, persona, message):
    with pytest.raises(ValidationError, match=message):
        review_move(to=action, record=draft, opinion="x", by=request.getfixturevalue(persona))
    draft.refresh_from_db()
    assert draft.status == RS.DRAFT


def test_approved_application_is_final(agent, clerk2, approved, town):
    for to in (RS.TOWN_APPROVED, RS.TOWN_RETURNED, RS.CANCELLED):
        with pytest.raises(ValidationError, match="当前状态为“县复核通过”"):
            review_move(to=to, record=approved, opinion="x", by=agent)
    with pytest.raises(ValidationError, match="当前状态为“县复核通过”"):
        review_move(to=RS.COUNTY_APPROVED, record=approved, by=clerk2)
    with pytest.raises(ValidationError, match="不能修改"):
        services.application_update(application=approved, data=application_data(town), by=agent)
    assert Person.objects.count() == 1


def test_cancel_needs_a_reason_and_is_final(agent, draft):
    with pytest.raises(ValidationError):
        review_move(to=RS.CANCELLED, record=draft, opinion="", by=agent)
    review_move(to=RS.CANCELLED, record=draft, opinion="申请人放弃", by=agent)
    with pytest.raises(ValidationError, match="当前状态为“已撤销”，不能提交"):
        review_move(to=RS.TOWN_APPROVED, record=draft, by=agent)


def test_submitted_application_cannot_be_cancelled_by_the_town(agent, submitted):
    with pytest.raises(ValidationError, match="当前状态为“镇初审通过”，不能撤销"):
        review_move(to=RS.CANCELLED, record=submitted, opinion="撤回", by=agent)


def test_in_scope_scopes_by_town_and_follows_a_moved_person(agent, agent_elsewhere, clerk, approved, other_town):
    assert list(EnrollmentApplication.objects.in_scope(agent)) == [approved]
    assert not EnrollmentApplication.objects.in_scope(agent_elsewhere).exists()
    assert EnrollmentApplication.objects.in_scope(clerk).count() == 1
    Person.objects.filter(pk=approved.person_id).update(town=other_town)
    assert list(EnrollmentApplication.objects.in_scope(agent_elsewhere)) == [approved]
