"""Services of the insurance relationship (参保关系): end it (a transfer out or a termination, called by
the contributions service that settled the money) and open a new one (re-enrolment, transfer back in).

An ended relationship is final. Only a relationship that ended other than by death may be followed
by a new one on the same person; the earlier ones and their history stay.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .models import InsuranceRelationship, Person, RelationshipEnd, RelationshipStart

S = Person.Status

# The service that settles the money of an approved application: contributions registers it at
# start-up (ContributionsConfig.ready), so enrollment never imports contributions.
_settler = []


def settler_register(settle) -> None:
    _settler[:] = [settle]


def application_settle(*, application, by):
    """Settle an approved application's money (contributions), which then ends the relationship."""
    if not _settler:
        raise RuntimeError("contributions has not registered the settlement of transfers and terminations")
    return _settler[0](application=application, by=by)


def relationship_current(person: Person) -> InsuranceRelationship | None:
    """The person's latest relationship (open or ended); None for a person created after the
    relationships were introduced whose first relationship has not been written yet."""
    return person.relationships.order_by("-number").first()


def _first_relationship(person: Person) -> InsuranceRelationship:
    """A person enrolled (or imported) after the relationships were introduced has their first
    relationship written the first time one is needed, open since their enrolment."""
    ended = person.status == S.TERMINATED
    return InsuranceRelationship.objects.create(
        person=person, number=1, started_on=person.enrolled_on, start_kind=RelationshipStart.ENROLLED,
        ended_on=(person.status_changed_on or person.enrolled_on) if ended else None,
        end_kind=END_BY_REASON.get(person.status_reason, RelationshipEnd.OTHER) if ended else "",
        end_reason=person.status_reason if ended else "",
    )


def relationship_for_update(person: Person) -> InsuranceRelationship:
    """The person's latest relationship, locked (written first if missing). Call in a transaction."""
    current = person.relationships.select_for_update().order_by("-number").first()
    return current or _first_relationship(person)


# How a relationship ended, from the termination reason code (R3) when the caller does not say.
END_BY_REASON = {
    "6401": RelationshipEnd.DEATH, "1401": RelationshipEnd.DEATH, "6406": RelationshipEnd.ABROAD,
    "1406": RelationshipEnd.ABROAD, "6407": RelationshipEnd.TO_EMPLOYEE, "1407": RelationshipEnd.DUPLICATE_RECEIPT,
}


def relationship_mark_ended(*, person: Person, reason: str, on: date, by) -> InsuranceRelationship:
    """The person was terminated (person_status_set): their open relationship ends with them. Runs in
    the caller's transaction."""
    relationship = relationship_for_update(person)
    if relationship.is_open:
        relationship.ended_on, relationship.end_reason = on, reason
        relationship.end_kind = END_BY_REASON.get(reason, RelationshipEnd.OTHER)
        relationship._history_user, relationship._change_reason = by, f"终止（{reason}）"
        relationship.save(update_fields=["ended_on", "end_kind", "end_reason"])
    return relationship


@transaction.atomic
def relationship_end(
    *, person: Person, end_kind: str, reason_code: str, on_date: date, by, note: str = ""
) -> InsuranceRelationship:
    """End the person's open relationship (终止参保, reason code R3) after its money was settled.
    Refused for a relationship already ended: a terminated relationship is final."""
    from .services.persons import person_status_set  # the services package imports this module

    if by is None:
        raise PermissionDenied("终止参保关系必须记录经办人")
    if end_kind not in RelationshipEnd.values or end_kind == RelationshipEnd.OTHER:
        raise ValidationError("未知的终止方式")
    person = Person.objects.select_for_update().get(pk=person.pk)
    relationship = relationship_for_update(person)
    if not relationship.is_open or person.status == S.TERMINATED:
        raise ValidationError(f"{person.name}的参保关系已于 {relationship.ended_on} 终止，不能再次终止或转出")
    person_status_set(
        person=person, status=S.TERMINATED, on=on_date, by=by, reason=reason_code,
        note=note or f"参保关系终止：{RelationshipEnd(end_kind).label}（{reason_code}）",
    )
    relationship.refresh_from_db()
    if relationship.end_kind != end_kind:
        relationship.end_kind = end_kind
        relationship._history_user, relationship._change_reason = by, f"终止：{RelationshipEnd(end_kind).label}"
        relationship.save(update_fields=["end_kind"])
    return relationship


def reopen_problem(person: Person) -> str | None:
    """Why no new relationship may be opened for `person`, or None."""
    if person.status != S.TERMINATED:
        return "该参保人的参保关系未终止，不能重新参保"
    last = relationship_current(person)
    if (last is not None and last.end_kind == RelationshipEnd.DEATH) or person.status_reason in ("6401", "1401"):
        return "该参保人已死亡，不能重新参保"
    return None


@transaction.atomic
def relationship_open(*, person: Person, start_kind: str, on_date: date, by, note: str = "") -> InsuranceRelationship:
    """A new relationship for a person whose last one ended other than by death (enrols again or
    transfers back in): the person is 正常参保 again from `on_date`; the earlier relationships stay."""
    if by is None:
        raise PermissionDenied("新建参保关系必须记录经办人")
    if start_kind not in (RelationshipStart.ENROLLED, RelationshipStart.TRANSFER_IN, RelationshipStart.FROM_EMPLOYEE):
        raise ValidationError("未知的参保方式")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if problem := reopen_problem(person):
        raise ValidationError(problem)
    last = relationship_for_update(person)
    if last.ended_on and on_date < last.ended_on:
        raise ValidationError(f"重新参保日期不能早于上次参保关系终止日期 {last.ended_on}")
    relationship = InsuranceRelationship(person=person, number=last.number + 1, started_on=on_date, start_kind=start_kind)
    relationship._history_user = by
    relationship._change_reason = f"重新参保：{RelationshipStart(start_kind).label}"
    relationship.save()
    # The terminated status belonged to the ended relationship; the person's status is the new one's.
    person.status, person.status_reason, person.status_changed_on = S.CONTRIBUTING, "", on_date
    person.enrolled_on = on_date
    person._history_user = by
    person._change_reason = note or f"第{relationship.number}次参保关系：{RelationshipStart(start_kind).label}"
    person.save(update_fields=["status", "status_reason", "status_changed_on", "enrolled_on", "updated_at"])
    return relationship
