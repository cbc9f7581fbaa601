"""Every state change of the registry. One transaction each; the actor is checked and recorded."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .models import Person

S = Person.Status

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
