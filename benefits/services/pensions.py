"""The pension itself: stopping payment (for death and termination); its copy of the person's town and
village following a move."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from linggao_pension import periods

from ..models import (
    Pension,
)


@transaction.atomic
def pension_stop(*, pension: Pension, last_month: date, by, reason: str) -> Pension:
    """Stop paying after `last_month` (R11: a death is paid up to and including the death month).
    For the services of termination and death; the person's own status moves through R3 there."""
    if by is None:
        raise PermissionDenied("停止发放必须记录经办人")
    if not reason.strip():
        raise ValidationError({"reason": "停止发放必须填写原因"})
    pension = Pension.objects.select_for_update().get(pk=pension.pk)
    if pension.status == Pension.Status.STOPPED:
        raise ValidationError("该养老金已停止发放")
    pension.status = Pension.Status.STOPPED
    pension.last_month = periods.month_start(last_month)
    pension.stop_reason = reason[:120]
    pension._history_user = by
    pension._change_reason = f"停止发放：{reason}"
    pension.save(update_fields=["status", "last_month", "stop_reason"])
    return pension



@transaction.atomic
def pension_places_follow(*, person, from_town_id: int | None = None) -> int:
    """The person's town or village changed (an approved 信息变更, a re-enrolment; declared as
    `person_moved` in apps.py, called by enrollment): the copies kept on their pension (Pension.town/village, the order of the certification list) follow. Returns the
    pensions updated (0 or 1). The copies are derived keys, not a change of the pension: no history."""
    return Pension.objects.filter(person_id=person.pk).update(town_id=person.town_id, village_id=person.village_id)
