"""信息变更: a change of a person's contact, bank, town/village (a move inside Lingao) or identity
code, entered by an agent of the person's town and reviewed by the shared workflow
(linggao_pension.workflow); county approval applies it to the person, with history.

change_request_create / change_request_update here; every step is
`review_move(record=change_request, to=ReviewStatus.X, by=..., opinion=...)` with CHANGE_REQUEST_FLOW.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from linggao_pension.org.access import require_perm, require_town
from linggao_pension.workflow import (
    RS,
    ReviewFlow,
    review_check_editable,
    review_mark_created,
    review_mark_edited,
)

from .. import rules
from ..models import CHANGEABLE_FIELDS, OPEN_REVIEW_STATUSES, ChangeRequest, Person
from .persons import person_moved

S = Person.Status
SUBMIT_PERM = "enrollment.submit_changerequest"
TEXT_CHANGES = ["phone", "residential_address", "hukou_address", "bank_name", "bank_account"]
OPEN_MESSAGE = "该参保人已有未办结的信息变更申请，请先办结或撤销"


def _clean_values(person: Person, data: dict, errors: dict) -> dict:
    values = {name: (data.get(name) or "").strip() for name in TEXT_CHANGES}
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
    values.update(town=town, village=village, identity=identity)
    return values


def _clean_change_data(person: Person, data: dict) -> tuple[list[str], dict, str]:
    """Compare the requested values with the person's: (changed field names, new values, reason)."""
    errors: dict[str, list[str]] = {}
    values = _clean_values(person, data, errors)
    reason = (data.get("reason") or "").strip()
    if not reason:
        errors["reason"] = ["请填写变更原因"]
    if errors:
        raise ValidationError(errors)
    changed = [name for name in TEXT_CHANGES if values[name] != getattr(person, name)]
    village = values["village"]
    if values["town"].pk != person.town_id or (village.pk if village else None) != person.village_id:
        changed += ["town", "village"]
    if values["identity"].pk != person.identity_id:
        changed.append("identity")
    if not changed:
        raise ValidationError("没有任何变更：请至少修改一项")
    return changed, values, reason


def _apply_change_values(change_request: ChangeRequest, changed: list[str], values: dict) -> None:
    change_request.changed_fields = changed
    for name in TEXT_CHANGES:
        setattr(change_request, f"new_{name}", values[name] if name in changed else "")
    moved = "town" in changed
    change_request.new_town = values["town"] if moved else None
    change_request.new_village = values["village"] if moved else None
    change_request.new_identity = values["identity"] if "identity" in changed else None


def _check_person_changeable(person: Person) -> None:
    if person.status == S.TERMINATED:
        raise ValidationError("该参保人已终止参保，不能办理信息变更")


@transaction.atomic
def change_request_create(*, person: Person, data: dict, by) -> ChangeRequest:
    """An agent of the person's CURRENT town enters a change (草稿). A move between Lingao towns is
    such a change (town and village), not a transfer."""
    require_perm(by, SUBMIT_PERM, "您没有录入信息变更的权限")
    person = Person.objects.get(pk=person.pk)
    require_town(by, person.town_id)
    _check_person_changeable(person)
    changed, values, reason = _clean_change_data(person, data)
    if ChangeRequest.objects.filter(person=person, status__in=OPEN_REVIEW_STATUSES).exists():
        raise ValidationError(OPEN_MESSAGE)
    change_request = ChangeRequest(person=person, town_id=person.town_id, reason=reason, created_by=by)
    _apply_change_values(change_request, changed, values)
    try:
        with transaction.atomic():
            change_request.save()
    except IntegrityError:
        raise ValidationError(OPEN_MESSAGE) from None
    review_mark_created(change_request, by=by)
    return change_request


@transaction.atomic
def change_request_update(*, change_request: ChangeRequest, data: dict, by) -> ChangeRequest:
    """Correct a draft or a returned change; whoever edits it never reviews it."""
    require_perm(by, SUBMIT_PERM, "您没有修改信息变更的权限")
    change_request = (
        ChangeRequest.objects.select_for_update(of=("self",)).select_related("person").get(pk=change_request.pk)
    )
    review_check_editable(change_request, by=by, flow=CHANGE_REQUEST_FLOW)
    changed, values, reason = _clean_change_data(change_request.person, data)
    change_request.reason = reason
    _apply_change_values(change_request, changed, values)
    change_request.save()
    review_mark_edited(change_request, by=by)
    return change_request


def _before_move(change_request: ChangeRequest, to: str) -> None:
    if to == RS.TOWN_APPROVED:
        _check_person_changeable(change_request.person)


def _approved(change_request: ChangeRequest, by) -> None:
    """县复核通过: the change is applied to the person, with history (who, when, which request)."""
    person = Person.objects.select_for_update(of=("self",)).select_related("town", "village", "identity").get(
        pk=change_request.person_id
    )
    _check_person_changeable(person)
    if person.town_id != change_request.town_id:
        raise ValidationError("参保人所属镇/农场已变化，请退回后由现所属镇/农场重新办理")
    new_town, new_village = change_request.new_town, change_request.new_village
    if "town" in change_request.changed_fields and new_village is not None and new_village.town_id != new_town.pk:
        raise ValidationError(f"“{new_village.name}”不属于{new_town.name}")
    before = {}
    from_town_id = person.town_id
    for name in change_request.changed_fields:
        current = getattr(person, name)
        before[name] = str(current) if current is not None else ""
        setattr(person, name, getattr(change_request, f"new_{name}"))
    labels = "、".join(CHANGEABLE_FIELDS[name] for name in change_request.changed_fields)
    person._history_user = by
    person._change_reason = f"信息变更（{change_request.number}）：{labels}"[:100]
    person.save()
    if {"town", "village"} & set(change_request.changed_fields):
        # The ledger's month totals by town, the pension's copy of the town and village follow.
        person_moved(person=person, from_town_id=from_town_id)
    change_request.before = before


CHANGE_REQUEST_FLOW = ReviewFlow(
    noun="信息变更",
    submit_perm=SUBMIT_PERM,
    review_perm="enrollment.review_changerequest",
    on_approve=_approved,
    before_move=_before_move,
    default_opinions={RS.TOWN_APPROVED: "情况属实，同意变更", RS.COUNTY_APPROVED: "经复核，同意变更"},
    done={RS.COUNTY_APPROVED: "县复核通过，变更已生效", RS.CANCELLED: "信息变更已撤销"},
    select_related=("person",),
)
