"""参保登记申请: a town agent enters it (草稿), the shared review workflow takes it through 镇初审
and 县复核 (linggao_pension.workflow); county approval creates the insured person.

application_create / application_update here; every step is
`review_move(record=application, to=ReviewStatus.X, by=..., opinion=...)` with APPLICATION_FLOW.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from linggao_pension.org.access import require_perm, require_town
from linggao_pension.workflow import (
    RS,
    ReviewFlow,
    review_check_editable,
    review_mark_created,
    review_mark_edited,
)

from .. import rules, selectors
from ..models import OPEN_REVIEW_STATUSES, EnrollmentApplication, Person, RelationshipStart
from ..relationships import relationship_open, reopen_problem
from .persons import insured_numbers_allocate, person_moved

S = Person.Status
SUBMIT_PERM = "enrollment.submit_enrollmentapplication"

APPLICATION_FIELDS = [
    "id_number", "name", "ethnicity", "hukou_type", "hukou_address", "residential_address", "phone",
    "town", "village", "identity", "land_expropriated", "old_rural_pension", "dismissed_teacher",
    "bank_name", "bank_account", "is_student", "in_employee_scheme", "is_public_servant",
    "receives_state_pension", "applied_on",
]  # fmt: skip
FLAGS = ["land_expropriated", "old_rural_pension", "dismissed_teacher", "is_student", "in_employee_scheme",
         "is_public_servant", "receives_state_pension"]  # fmt: skip
PERSON_FROM_APPLICATION = [
    "id_number", "name", "sex", "birth_date", "ethnicity", "hukou_type", "hukou_address",
    "residential_address", "phone", "town", "village", "identity", "land_expropriated",
    "old_rural_pension", "dismissed_teacher", "bank_name", "bank_account",
]  # fmt: skip


def _eligibility_errors(*, birth_date: date, on: date, flags: dict) -> list[str]:
    return rules.enrolment_refusals(
        birth_date=birth_date,
        on=on,
        min_age=selectors.min_enrolment_age(on),
        is_student=flags.get("is_student", False),
        in_employee_scheme=flags.get("in_employee_scheme", False),
        is_public_servant=flags.get("is_public_servant", False),
        receives_state_pension=flags.get("receives_state_pension", False),
    )


def _check_place(clean: dict, errors: dict) -> None:
    town, village, identity = clean["town"], clean["village"], clean["identity"]
    if town is None:
        errors["town"] = ["请选择镇/农场"]
    elif village is not None and village.town_id != town.pk:
        errors["village"] = [f"“{village.name}”不属于{town.name}"]
    if identity is None or not identity.is_active:
        errors["identity"] = ["请选择有效的参保身份"]


def _clean_application_data(data: dict) -> dict:
    """The application's own checks (R1, R2, town and village, identity code); a ValidationError
    names every field that is wrong. Sex and birth date come from the ID number, never typed."""
    today = timezone.localdate()
    clean = {name: data.get(name) for name in APPLICATION_FIELDS}
    for name in FLAGS:
        clean[name] = bool(clean[name])
    for name in ("name", "hukou_address", "residential_address", "bank_name"):
        clean[name] = (clean[name] or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        clean["id_number"] = rules.validate_id_number(clean["id_number"], today=today)
    except ValueError as exc:
        errors["id_number"] = [str(exc)]
    if not clean["name"]:
        errors["name"] = ["姓名不能为空"]
    if not clean["hukou_address"]:
        errors["hukou_address"] = ["户籍地址不能为空"]
    for name, check in (("phone", rules.validate_phone), ("bank_account", rules.validate_bank_account)):
        try:
            clean[name] = check(clean[name])
        except ValueError as exc:
            errors[name] = [str(exc)]
    _check_place(clean, errors)
    applied_on = clean["applied_on"]
    if applied_on is None:
        errors["applied_on"] = ["请填写申请日期"]
    elif applied_on > today:
        errors["applied_on"] = ["申请日期不能晚于今天"]
    if "id_number" not in errors:
        clean["sex"] = rules.id_sex(clean["id_number"])
        clean["birth_date"] = rules.id_birth_date(clean["id_number"])
        if applied_on is not None and "applied_on" not in errors:
            refusals = _eligibility_errors(birth_date=clean["birth_date"], on=applied_on, flags=clean)
            if refusals:
                errors["__all__"] = refusals
    if errors:
        raise ValidationError(errors)
    return clean


def _check_id_free(id_number: str, *, application_pk: int | None = None) -> None:
    """身份证号 is unique across the registry and across open applications."""
    person = Person.objects.filter(id_number=id_number).first()
    # A person whose relationship ended other than by death enrols again (a new relationship).
    if person is not None and reopen_problem(person) is not None:
        if person.status == Person.Status.TERMINATED:
            raise ValidationError({"id_number": f"该身份证号已登记参保（参保编号 {person.insured_no}）：{reopen_problem(person)}"})
        raise ValidationError({"id_number": f"该身份证号已登记参保（参保编号 {person.insured_no}）"})
    other = (
        EnrollmentApplication.objects.filter(id_number=id_number, status__in=OPEN_REVIEW_STATUSES)
        .exclude(pk=application_pk)
        .first()
    )
    if other is not None:
        raise ValidationError({"id_number": f"该身份证号已有未办结的参保登记申请（{other.number}）"})


def _save_application(application: EnrollmentApplication, **kwargs) -> None:
    """Save; the database's unique constraint is the last word when two agents race."""
    try:
        with transaction.atomic():
            application.save(**kwargs)
    except IntegrityError:
        raise ValidationError({"id_number": "该身份证号已有未办结的参保登记申请"}) from None


@transaction.atomic
def application_create(*, data: dict, by) -> EnrollmentApplication:
    """A town agent enters an application (草稿) for a resident of their own town."""
    require_perm(by, SUBMIT_PERM, "您没有录入参保登记申请的权限")
    clean = _clean_application_data(data)
    require_town(by, clean["town"].pk)
    _check_id_free(clean["id_number"])
    application = EnrollmentApplication(**clean, status=RS.DRAFT, created_by=by)
    application._history_user = by
    application._change_reason = "录入"
    _save_application(application)
    review_mark_created(application, by=by)
    return application


@transaction.atomic
def application_update(*, application: EnrollmentApplication, data: dict, by) -> EnrollmentApplication:
    """Correct a draft or a returned application; whoever edits it never reviews it."""
    require_perm(by, SUBMIT_PERM, "您没有修改参保登记申请的权限")
    application = EnrollmentApplication.objects.select_for_update().get(pk=application.pk)
    review_check_editable(application, by=by, flow=APPLICATION_FLOW)
    clean = _clean_application_data(data)
    require_town(by, clean["town"].pk)
    _check_id_free(clean["id_number"], application_pk=application.pk)
    for name, value in clean.items():
        setattr(application, name, value)
    application._history_user = by
    application._change_reason = "修改"
    _save_application(application)
    review_mark_edited(application, by=by)
    return application


def _before_move(application: EnrollmentApplication, to: str) -> None:
    """Data may have changed since entry (parameters, the registry): check R1/R2 and uniqueness
    again before it goes to the county and before the county approves it."""
    if to in (RS.TOWN_APPROVED, RS.COUNTY_APPROVED):
        _clean_application_data({name: getattr(application, name) for name in APPLICATION_FIELDS})
        _check_id_free(application.id_number, application_pk=application.pk)


def _approved(application: EnrollmentApplication, by) -> None:
    """县复核通过: creates the insured person (参保编号, 正常参保, enrolled today) in the same
    transaction. The personal account is the ledger of contributions: empty until the first posting.
    A person whose earlier relationship ended other than by death keeps their record and number and
    gets a new insurance relationship (enrollment.relationships.relationship_open)."""
    earlier = Person.objects.filter(id_number=application.id_number).first()
    if earlier is not None:
        _reenrolled(application, earlier, by)
        return
    person = Person(
        insured_no=insured_numbers_allocate(count=1)[0],
        enrolled_on=timezone.localdate(),
        status=S.CONTRIBUTING,
        **{name: getattr(application, name) for name in PERSON_FROM_APPLICATION},
    )
    person._history_user = by
    person._change_reason = f"参保登记（{application.number} 县复核通过）"
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise ValidationError("该身份证号已登记参保") from None
    application.person = person


def _reenrolled(application: EnrollmentApplication, person: Person, by) -> None:
    if (problem := reopen_problem(person)) is not None:
        raise ValidationError(f"该身份证号已登记参保（参保编号 {person.insured_no}）：{problem}")
    from_town_id, from_village_id = person.town_id, person.village_id
    for name in PERSON_FROM_APPLICATION:
        setattr(person, name, getattr(application, name))
    person._history_user = by
    person._change_reason = f"重新参保登记（{application.number} 县复核通过）"
    person.save()
    if (person.town_id, person.village_id) != (from_town_id, from_village_id):
        person_moved(person=person, from_town_id=from_town_id)  # the ledger's town totals, the pension's copy
    relationship_open(person=person, start_kind=RelationshipStart.ENROLLED, on_date=timezone.localdate(), by=by,
                      note=f"重新参保登记（{application.number}）")  # fmt: skip
    application.person = person


APPLICATION_FLOW = ReviewFlow(
    noun="参保登记申请",
    submit_perm=SUBMIT_PERM,
    review_perm="enrollment.review_enrollmentapplication",
    on_approve=_approved,
    before_move=_before_move,
    default_opinions={
        RS.TOWN_APPROVED: "材料齐全，符合参保条件，同意上报",
        RS.COUNTY_APPROVED: "经复核，符合参保条件，同意参保",
    },
    done={RS.COUNTY_APPROVED: "县复核通过，已登记参保", RS.CANCELLED: "申请已撤销"},
)
