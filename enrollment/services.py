"""Every state change of the registry. One transaction each; the actor is checked and recorded.

- Person status (R3): person_change_status, called by later apps once their own review is done.
- 参保登记申请: application_create / _update / _submit (镇初审通过) / _town_return (镇初审退回) /
  _approve (县复核通过, creates the Person) / _county_return (县复核退回) / _cancel.
- 信息变更: change_request_create / _update / _submit / _town_return / _approve / _county_return / _cancel.
- Go-live import of people already insured: residents_import (all or nothing) and its job handler.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from linggao_pension.imports import FileFormatError, ImportResult, RowError, read_rows
from linggao_pension.org.models import JobRun, town_scope_q
from linggao_pension.org.services import jobrun_progress

from . import resident_import, rules, selectors
from .models import (
    CHANGEABLE_FIELDS,
    EDITABLE_REVIEW_STATUSES,
    OPEN_REVIEW_STATUSES,
    REVIEW_TRANSITIONS,
    ApplicationStatusChange,
    ChangeRequest,
    ChangeRequestStatusChange,
    EnrollmentApplication,
    NumberSequence,
    Person,
    ReviewStatus,
)

S = Person.Status
RS = ReviewStatus

# domain R3: the insurance relationship's allowed transitions, and the reason codes each takes.
PERSON_TRANSITIONS: dict[str, set[str]] = {
    S.CONTRIBUTING: {S.CONTRIB_SUSPENDED, S.RECEIVING, S.TERMINATED},
    S.CONTRIB_SUSPENDED: {S.CONTRIBUTING, S.TERMINATED},
    S.RECEIVING: {S.BENEFIT_SUSPENDED, S.TERMINATED},
    S.BENEFIT_SUSPENDED: {S.RECEIVING, S.TERMINATED},
    S.TERMINATED: set(),
}
SUSPEND_CONTRIBUTION_REASONS = {"6399"}
SUSPEND_BENEFIT_REASONS = {"1200", "1201", "1202", "1299"}
TERMINATE_CONTRIBUTOR_REASONS = {"6401", "6406", "6407", "6499"}
TERMINATE_BENEFICIARY_REASONS = {"1401", "1406", "1407", "1499"}


def _check_reason(current: str, to_status: str, reason: str) -> None:
    if to_status == S.CONTRIB_SUSPENDED and reason not in SUSPEND_CONTRIBUTION_REASONS:
        raise ValidationError({"reason": "暂停缴费的原因代码应为 6399"})
    if to_status == S.BENEFIT_SUSPENDED and reason not in SUSPEND_BENEFIT_REASONS:
        raise ValidationError({"reason": "暂停领取的原因代码应为 1200、1201、1202 或 1299"})
    if to_status == S.TERMINATED:
        allowed = (
            TERMINATE_BENEFICIARY_REASONS
            if current in (S.RECEIVING, S.BENEFIT_SUSPENDED)
            else TERMINATE_CONTRIBUTOR_REASONS
        )
        if reason not in allowed:
            raise ValidationError({"reason": f"终止原因代码应为 {'、'.join(sorted(allowed))} 之一"})


@transaction.atomic
def person_change_status(*, person: Person, to_status: str, on_date: date, by, reason: str = "", note: str = "") -> Person:
    """Move a person along the R3 state machine. Called by the services of later apps (benefit
    determination, suspension, death, transfer) once their own review is complete; they have
    already checked the actor's role, this records who and why in the person's history."""
    if by is None:
        raise PermissionDenied("状态变更必须记录经办人")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if to_status not in PERSON_TRANSITIONS[person.status]:
        raise ValidationError(
            f"参保人当前状态为“{person.get_status_display()}”，不能变更为“{S(to_status).label}”"
        )
    _check_reason(person.status, to_status, reason)
    person.status = to_status
    person.status_reason = reason
    person.status_changed_on = on_date
    person._change_reason = note or f"状态变更为{S(to_status).label}" + (f"（{reason}）" if reason else "")
    person._history_user = by
    person.save(update_fields=["status", "status_reason", "status_changed_on", "updated_at"])
    return person


# --- 参保编号 ---------------------------------------------------------------------------------

INSURED_NO_SEQUENCE = "insured_no"
# 参保编号: the county code 469024, then "1" and an 8-digit running number (4690241 00000001).
INSURED_NO_PREFIX = "4690241"
INSURED_NO_WIDTH = 8


def insured_numbers_allocate(*, count: int) -> list[str]:
    """Reserve `count` consecutive 参保编号. Must run inside the caller's transaction: the counter
    row stays locked until it commits, so concurrent approvals and imports never share a number."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("insured_numbers_allocate must run inside a transaction")
    seq, _ = NumberSequence.objects.select_for_update().get_or_create(name=INSURED_NO_SEQUENCE)
    start = seq.last_value + 1
    seq.last_value += count
    seq.save(update_fields=["last_value"])
    return [f"{INSURED_NO_PREFIX}{n:0{INSURED_NO_WIDTH}d}" for n in range(start, start + count)]


# --- actor checks shared by both review paths --------------------------------------------------


def _require_perm(by, perm: str, action: str) -> None:
    if by is None or not by.is_authenticated or not by.has_perm(perm):
        raise PermissionDenied(f"您没有{action}的权限")


def _require_town(by, town_id: int) -> None:
    """A town agent acts only for their own town; county staff (org.view_all_towns) for any."""
    if town_scope_q(by) is not None and by.town_id != town_id:
        raise PermissionDenied("只能办理本镇/农场参保人员的业务")


ACTION_LABELS = {
    RS.TOWN_APPROVED: "提交（镇初审通过）",
    RS.TOWN_RETURNED: "镇初审退回",
    RS.COUNTY_APPROVED: "县复核通过",
    RS.COUNTY_RETURNED: "县复核退回",
    RS.CANCELLED: "撤销",
}


def _check_transition(record, to_status: str) -> None:
    if to_status not in REVIEW_TRANSITIONS[record.status]:
        raise ValidationError(f"当前状态为“{record.get_status_display()}”，不能{ACTION_LABELS[to_status]}")


def _check_maker_checker(record, by) -> None:
    """The user who entered or submitted a record never reviews it (maker-checker)."""
    if record.created_by_id == by.pk:
        raise ValidationError("录入人不能复核本人录入的申请，请由其他县局经办员复核")
    if record.status_changes.filter(to_status=RS.TOWN_APPROVED, by=by).exists():
        raise ValidationError("提交人不能复核本人提交的申请，请由其他县局经办员复核")


def _require_opinion(opinion: str, what: str) -> str:
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationError({"opinion": f"{what}时必须填写意见"})
    return opinion


# --- 参保登记申请 -----------------------------------------------------------------------------

APPLICATION_FIELDS = [
    "id_number", "name", "ethnicity", "hukou_type", "hukou_address", "residential_address", "phone",
    "town", "village", "identity", "land_expropriated", "old_rural_pension", "dismissed_teacher",
    "bank_name", "bank_account", "is_student", "in_employee_scheme", "is_public_servant",
    "receives_state_pension", "applied_on",
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


def _clean_application_data(data: dict) -> dict:
    """The application's own checks (R1, R2, town and village, identity code); a ValidationError
    names every field that is wrong. Sex and birth date come from the ID number, never typed."""
    today = timezone.localdate()
    clean = {name: data.get(name) for name in APPLICATION_FIELDS}
    for name in ("land_expropriated", "old_rural_pension", "dismissed_teacher", "is_student",
                 "in_employee_scheme", "is_public_servant", "receives_state_pension"):  # fmt: skip
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
    town, village, identity = clean["town"], clean["village"], clean["identity"]
    if town is None:
        errors["town"] = ["请选择镇/农场"]
    elif village is not None and village.town_id != town.pk:
        errors["village"] = [f"“{village.name}”不属于{town.name}"]
    if identity is None or not identity.is_active:
        errors["identity"] = ["请选择有效的参保身份"]
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
    person = Person.objects.filter(id_number=id_number).only("insured_no").first()
    if person is not None:
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


def _log_application(application, *, from_status: str, by, opinion: str = "") -> None:
    ApplicationStatusChange.objects.create(
        application=application, from_status=from_status, to_status=application.status, by=by, opinion=opinion
    )


@transaction.atomic
def application_create(*, data: dict, by) -> EnrollmentApplication:
    """A town agent enters an application (草稿) for a resident of their own town."""
    _require_perm(by, "enrollment.submit_enrollmentapplication", "录入参保登记申请")
    clean = _clean_application_data(data)
    _require_town(by, clean["town"].pk)
    _check_id_free(clean["id_number"])
    application = EnrollmentApplication(**clean, status=RS.DRAFT, created_by=by)
    application._history_user = by
    application._change_reason = "录入"
    _save_application(application)
    _log_application(application, from_status="", by=by, opinion="录入")
    return application


@transaction.atomic
def application_update(*, application: EnrollmentApplication, data: dict, by) -> EnrollmentApplication:
    """Correct a draft or a returned application."""
    _require_perm(by, "enrollment.submit_enrollmentapplication", "修改参保登记申请")
    application = EnrollmentApplication.objects.select_for_update().get(pk=application.pk)
    _require_town(by, application.town_id)
    if application.status not in EDITABLE_REVIEW_STATUSES:
        raise ValidationError(f"当前状态为“{application.get_status_display()}”，不能修改")
    clean = _clean_application_data(data)
    _require_town(by, clean["town"].pk)
    _check_id_free(clean["id_number"], application_pk=application.pk)
    for name, value in clean.items():
        setattr(application, name, value)
    application._history_user = by
    application._change_reason = "修改"
    _save_application(application)
    return application


def _revalidate_for_review(application: EnrollmentApplication) -> None:
    """Data may have changed since entry (parameters, the registry): check R1/R2 and uniqueness again."""
    data = {name: getattr(application, name) for name in APPLICATION_FIELDS}
    _clean_application_data(data)
    _check_id_free(application.id_number, application_pk=application.pk)


@transaction.atomic
def application_submit(*, application: EnrollmentApplication, opinion: str = "", by) -> EnrollmentApplication:
    """镇初审通过: the town agent checked the documents and sends the application to the county."""
    _require_perm(by, "enrollment.submit_enrollmentapplication", "提交参保登记申请")
    application = EnrollmentApplication.objects.select_for_update().get(pk=application.pk)
    _require_town(by, application.town_id)
    _check_transition(application, RS.TOWN_APPROVED)
    _revalidate_for_review(application)
    from_status = application.status
    opinion = (opinion or "").strip() or "材料齐全，符合参保条件，同意上报"
    application.status = RS.TOWN_APPROVED
    application.town_opinion = opinion
    application.submitted_by, application.submitted_at = by, timezone.now()
    application.county_opinion, application.reviewed_by, application.reviewed_at = "", None, None
    application._history_user, application._change_reason = by, "镇初审通过"
    application.save()
    _log_application(application, from_status=from_status, by=by, opinion=opinion)
    return application


@transaction.atomic
def application_town_return(*, application: EnrollmentApplication, opinion: str, by) -> EnrollmentApplication:
    """镇初审退回: the documents are incomplete or wrong; the applicant must correct them."""
    _require_perm(by, "enrollment.submit_enrollmentapplication", "镇初审")
    application = EnrollmentApplication.objects.select_for_update().get(pk=application.pk)
    _require_town(by, application.town_id)
    _check_transition(application, RS.TOWN_RETURNED)
    opinion = _require_opinion(opinion, "镇初审退回")
    from_status = application.status
    application.status = RS.TOWN_RETURNED
    application.town_opinion = opinion
    application._history_user, application._change_reason = by, "镇初审退回"
    application.save()
    _log_application(application, from_status=from_status, by=by, opinion=opinion)
    return application


@transaction.atomic
def application_approve(*, application: EnrollmentApplication, opinion: str = "", by) -> EnrollmentApplication:
    """县复核通过: creates the insured person (参保编号, 正常参保, enrolled today) in the same
    transaction. The personal account is the ledger of contributions: empty until the first posting."""
    _require_perm(by, "enrollment.review_enrollmentapplication", "县复核参保登记申请")
    application = EnrollmentApplication.objects.select_for_update().get(pk=application.pk)
    _require_town(by, application.town_id)
    _check_transition(application, RS.COUNTY_APPROVED)
    _check_maker_checker(application, by)
    _revalidate_for_review(application)
    today = timezone.localdate()
    person = Person(
        insured_no=insured_numbers_allocate(count=1)[0],
        enrolled_on=today,
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
    opinion = (opinion or "").strip() or "经复核，符合参保条件，同意参保"
    application.status = RS.COUNTY_APPROVED
    application.person = person
    application.county_opinion = opinion
    application.reviewed_by, application.reviewed_at = by, timezone.now()
    application._history_user, application._change_reason = by, "县复核通过"
    application.save()
    _log_application(application, from_status=RS.TOWN_APPROVED, by=by, opinion=opinion)
    return application


PERSON_FROM_APPLICATION = [
    "id_number", "name", "sex", "birth_date", "ethnicity", "hukou_type", "hukou_address",
    "residential_address", "phone", "town", "village", "identity", "land_expropriated",
    "old_rural_pension", "dismissed_teacher", "bank_name", "bank_account",
]  # fmt: skip


@transaction.atomic
def application_county_return(*, application: EnrollmentApplication, opinion: str, by) -> EnrollmentApplication:
    """县复核退回 with the clerk's opinion; the town corrects and resubmits (or withdraws)."""
    _require_perm(by, "enrollment.review_enrollmentapplication", "县复核参保登记申请")
    application = EnrollmentApplication.objects.select_for_update().get(pk=application.pk)
    _require_town(by, application.town_id)
    _check_transition(application, RS.COUNTY_RETURNED)
    _check_maker_checker(application, by)
    opinion = _require_opinion(opinion, "县复核退回")
    application.status = RS.COUNTY_RETURNED
    application.county_opinion = opinion
    application.reviewed_by, application.reviewed_at = by, timezone.now()
    application._history_user, application._change_reason = by, "县复核退回"
    application.save()
    _log_application(application, from_status=RS.TOWN_APPROVED, by=by, opinion=opinion)
    return application


@transaction.atomic
def application_cancel(*, application: EnrollmentApplication, opinion: str, by) -> EnrollmentApplication:
    """撤销 an application never approved (the resident withdrew, or it was entered twice)."""
    _require_perm(by, "enrollment.submit_enrollmentapplication", "撤销参保登记申请")
    application = EnrollmentApplication.objects.select_for_update().get(pk=application.pk)
    _require_town(by, application.town_id)
    _check_transition(application, RS.CANCELLED)
    opinion = _require_opinion(opinion, "撤销")
    from_status = application.status
    application.status = RS.CANCELLED
    application._history_user, application._change_reason = by, "撤销"
    application.save()
    _log_application(application, from_status=from_status, by=by, opinion=opinion)
    return application


# --- 信息变更 ---------------------------------------------------------------------------------

TEXT_CHANGES = ["phone", "residential_address", "hukou_address", "bank_name", "bank_account"]


def _clean_change_data(person: Person, data: dict) -> tuple[list[str], dict, str]:
    """Compare the requested values with the person's: (changed field names, new values, reason)."""
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for name in TEXT_CHANGES:
        values[name] = (data.get(name) or "").strip()
    for name, check in (("phone", rules.validate_phone), ("bank_account", rules.validate_bank_account)):
        try:
            values[name] = check(values[name])
        except ValueError as exc:
            errors[name] = [str(exc)]
    town, village, identity = data.get("town"), data.get("village"), data.get("identity")
    if town is None:
        errors["town"] = ["请选择镇/农场"]
    elif village is not None and village.town_id != town.pk:
        errors["village"] = [f"“{village.name}”不属于{town.name}"]
    if identity is None or (not identity.is_active and identity.pk != person.identity_id):
        errors["identity"] = ["请选择有效的参保身份"]
    reason = (data.get("reason") or "").strip()
    if not reason:
        errors["reason"] = ["请填写变更原因"]
    if errors:
        raise ValidationError(errors)
    changed = [name for name in TEXT_CHANGES if values[name] != getattr(person, name)]
    if town.pk != person.town_id or (village.pk if village else None) != person.village_id:
        changed += ["town", "village"]
    if identity.pk != person.identity_id:
        changed.append("identity")
    if not changed:
        raise ValidationError("没有任何变更：请至少修改一项")
    values.update(town=town, village=village, identity=identity)
    return changed, values, reason


def _apply_change_values(change_request: ChangeRequest, changed: list[str], values: dict) -> None:
    change_request.changed_fields = changed
    for name in TEXT_CHANGES:
        setattr(change_request, f"new_{name}", values[name] if name in changed else "")
    moved = "town" in changed
    change_request.new_town = values["town"] if moved else None
    change_request.new_village = values["village"] if moved else None
    change_request.new_identity = values["identity"] if "identity" in changed else None


def _log_change(change_request, *, from_status: str, by, opinion: str = "") -> None:
    ChangeRequestStatusChange.objects.create(
        change_request=change_request, from_status=from_status, to_status=change_request.status, by=by,
        opinion=opinion,
    )


def _check_person_changeable(person: Person) -> None:
    if person.status == S.TERMINATED:
        raise ValidationError("该参保人已终止参保，不能办理信息变更")


@transaction.atomic
def change_request_create(*, person: Person, data: dict, by) -> ChangeRequest:
    """An agent of the person's CURRENT town enters a change (草稿). A move between Lingao towns is
    such a change (town and village), not a transfer."""
    _require_perm(by, "enrollment.submit_changerequest", "录入信息变更")
    person = Person.objects.get(pk=person.pk)
    _require_town(by, person.town_id)
    _check_person_changeable(person)
    changed, values, reason = _clean_change_data(person, data)
    if ChangeRequest.objects.filter(person=person, status__in=OPEN_REVIEW_STATUSES).exists():
        raise ValidationError("该参保人已有未办结的信息变更申请，请先办结或撤销")
    change_request = ChangeRequest(person=person, town_id=person.town_id, reason=reason, created_by=by)
    _apply_change_values(change_request, changed, values)
    try:
        with transaction.atomic():
            change_request.save()
    except IntegrityError:
        raise ValidationError("该参保人已有未办结的信息变更申请，请先办结或撤销") from None
    _log_change(change_request, from_status="", by=by, opinion="录入")
    return change_request


@transaction.atomic
def change_request_update(*, change_request: ChangeRequest, data: dict, by) -> ChangeRequest:
    _require_perm(by, "enrollment.submit_changerequest", "修改信息变更")
    change_request = _lock_change(change_request)
    _require_town(by, change_request.person.town_id)
    if change_request.status not in EDITABLE_REVIEW_STATUSES:
        raise ValidationError(f"当前状态为“{change_request.get_status_display()}”，不能修改")
    changed, values, reason = _clean_change_data(change_request.person, data)
    change_request.reason = reason
    _apply_change_values(change_request, changed, values)
    change_request.save()
    return change_request


def _lock_change(change_request: ChangeRequest) -> ChangeRequest:
    return ChangeRequest.objects.select_for_update(of=("self",)).select_related("person").get(pk=change_request.pk)


@transaction.atomic
def change_request_submit(*, change_request: ChangeRequest, opinion: str = "", by) -> ChangeRequest:
    """镇初审通过 by an agent of the person's current town."""
    _require_perm(by, "enrollment.submit_changerequest", "提交信息变更")
    change_request = _lock_change(change_request)
    _require_town(by, change_request.person.town_id)
    _check_transition(change_request, RS.TOWN_APPROVED)
    _check_person_changeable(change_request.person)
    from_status = change_request.status
    opinion = (opinion or "").strip() or "情况属实，同意变更"
    change_request.status = RS.TOWN_APPROVED
    change_request.town_opinion = opinion
    change_request.submitted_by, change_request.submitted_at = by, timezone.now()
    change_request.county_opinion, change_request.reviewed_by, change_request.reviewed_at = "", None, None
    change_request.save()
    _log_change(change_request, from_status=from_status, by=by, opinion=opinion)
    return change_request


@transaction.atomic
def change_request_town_return(*, change_request: ChangeRequest, opinion: str, by) -> ChangeRequest:
    _require_perm(by, "enrollment.submit_changerequest", "镇初审")
    change_request = _lock_change(change_request)
    _require_town(by, change_request.person.town_id)
    _check_transition(change_request, RS.TOWN_RETURNED)
    opinion = _require_opinion(opinion, "镇初审退回")
    from_status = change_request.status
    change_request.status = RS.TOWN_RETURNED
    change_request.town_opinion = opinion
    change_request.save()
    _log_change(change_request, from_status=from_status, by=by, opinion=opinion)
    return change_request


@transaction.atomic
def change_request_approve(*, change_request: ChangeRequest, opinion: str = "", by) -> ChangeRequest:
    """县复核通过: the change is applied to the person, with history (who, when, which request)."""
    _require_perm(by, "enrollment.review_changerequest", "县复核信息变更")
    change_request = _lock_change(change_request)
    _require_town(by, change_request.town_id)
    _check_transition(change_request, RS.COUNTY_APPROVED)
    _check_maker_checker(change_request, by)
    person = Person.objects.select_for_update(of=("self",)).select_related("town", "village", "identity").get(
        pk=change_request.person_id
    )
    _check_person_changeable(person)
    if person.town_id != change_request.town_id:
        raise ValidationError("参保人所属镇/农场已变化，请退回后由现所属镇/农场重新办理")
    new_town = change_request.new_town
    if "town" in change_request.changed_fields and change_request.new_village is not None:
        if change_request.new_village.town_id != new_town.pk:
            raise ValidationError(f"“{change_request.new_village.name}”不属于{new_town.name}")
    before = {}
    for name in change_request.changed_fields:
        current = getattr(person, name)
        before[name] = str(current) if current is not None else ""
        setattr(person, name, getattr(change_request, f"new_{name}"))
    labels = "、".join(CHANGEABLE_FIELDS[name] for name in change_request.changed_fields)
    person._history_user = by
    person._change_reason = f"信息变更（{change_request.number}）：{labels}"[:100]
    person.save()
    opinion = (opinion or "").strip() or "经复核，同意变更"
    change_request.status = RS.COUNTY_APPROVED
    change_request.before = before
    change_request.county_opinion = opinion
    change_request.reviewed_by, change_request.reviewed_at = by, timezone.now()
    change_request.save()
    _log_change(change_request, from_status=RS.TOWN_APPROVED, by=by, opinion=opinion)
    return change_request


@transaction.atomic
def change_request_county_return(*, change_request: ChangeRequest, opinion: str, by) -> ChangeRequest:
    _require_perm(by, "enrollment.review_changerequest", "县复核信息变更")
    change_request = _lock_change(change_request)
    _require_town(by, change_request.town_id)
    _check_transition(change_request, RS.COUNTY_RETURNED)
    _check_maker_checker(change_request, by)
    opinion = _require_opinion(opinion, "县复核退回")
    change_request.status = RS.COUNTY_RETURNED
    change_request.county_opinion = opinion
    change_request.reviewed_by, change_request.reviewed_at = by, timezone.now()
    change_request.save()
    _log_change(change_request, from_status=RS.TOWN_APPROVED, by=by, opinion=opinion)
    return change_request


@transaction.atomic
def change_request_cancel(*, change_request: ChangeRequest, opinion: str, by) -> ChangeRequest:
    _require_perm(by, "enrollment.submit_changerequest", "撤销信息变更")
    change_request = _lock_change(change_request)
    _require_town(by, change_request.town_id)
    _check_transition(change_request, RS.CANCELLED)
    opinion = _require_opinion(opinion, "撤销")
    from_status = change_request.status
    change_request.status = RS.CANCELLED
    change_request.save()
    _log_change(change_request, from_status=from_status, by=by, opinion=opinion)
    return change_request


# --- go-live import of people already insured in the legacy system ------------------------------

IMPORT_CHUNK = 2000


def residents_import(*, file, by=None, job: JobRun | None = None) -> ImportResult:
    """Import the legacy registry from an xlsx file (resident_import.HEADERS), all or nothing.

    Every row is validated first; if any row is bad nothing is imported and every bad row is
    reported. A good file is inserted in one transaction, with history rows, as 正常参保.
    """
    try:
        rows = read_rows(file, resident_import.HEADERS)
    except FileFormatError as exc:
        return ImportResult(errors=[RowError(1, "", str(exc))])
    if not rows:
        return ImportResult(errors=[RowError(2, "", "文件中没有数据行")])
    if job is not None:
        jobrun_progress(job=job, done=0, total=len(rows))
    context = resident_import.ImportContext.load()
    persons, errors = resident_import.validate(rows, context)
    if errors:
        return ImportResult(errors=resident_import.sort_errors(errors), warnings=context.warnings)
    if job is not None:
        jobrun_progress(job=job, done=len(rows) // 2)
    try:
        with transaction.atomic():
            numbers = insured_numbers_allocate(count=len(persons))
            # Registered meanwhile (an approval or another import while we validated)?
            late = resident_import.registry_conflicts([(row, values["id_number"]) for row, values in persons])
            if late:
                raise _ImportRefused(late)
            objs = [
                Person(insured_no=number, status=S.CONTRIBUTING, **values)
                for (_, values), number in zip(persons, numbers, strict=True)
            ]
            bulk_create_with_history(
                objs, Person, batch_size=IMPORT_CHUNK, default_user=by, default_change_reason="历史数据导入"
            )
    except _ImportRefused as refused:
        return ImportResult(errors=resident_import.sort_errors(refused.errors))
    except IntegrityError:
        return ImportResult(errors=[RowError(2, "身份证号", "导入期间有人员被同时登记，未导入任何数据，请重新导入")])
    return ImportResult(imported=len(objs), warnings=context.warnings)


class _ImportRefused(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("import refused")
        self.errors = errors


def residents_import_job(*, job: JobRun, by, path: str = "", stored: str = "", filename: str = "") -> dict:
    """Job handler (settings.JOB_HANDLERS["import_residents"]): the file is a path on disk (the
    command) or a name in default storage (the upload page). A refused file fails the job with
    every bad row in its result."""
    if stored:
        with default_storage.open(stored, "rb") as file:
            result = residents_import(file=file, by=by, job=job)
    else:
        with open(path, "rb") as file:
            result = residents_import(file=file, by=by, job=job)
    data = result.as_dict()
    if not result.ok:
        JobRun.objects.filter(pk=job.pk).update(result=data, counts={"imported": 0, "errors": len(result.errors)})
        raise ValidationError(f"导入失败：发现 {len(result.errors)} 处错误，未导入任何数据")
    job.counts = {"imported": result.imported}
    return data
