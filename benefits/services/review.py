"""The town → county review of benefits records (death, suspension and resumption requests):
草稿/镇初审通过 by the town, 县复核通过 or 县复核退回 by a county clerk who neither created nor
submitted it (maker-checker), every step a ReviewStep row (who, when, from → to, opinion).

Laid out like the shared review workflow (linggao_pension.workflow) so that these records can move
onto it; until then this is the one place benefits performs a review step."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from ..models import ReviewFields, ReviewStep
from .common import require, require_town

RS = ReviewFields.Status


def record_type(record) -> str:
    return type(record)._meta.model_name


def review_step(record, to: str, *, by, opinion: str = "") -> None:
    """Move `record` to `to` (record.MOVES) and write the step; the caller saves the record."""
    if to not in type(record).MOVES.get(record.status or "", set()):
        current = RS(record.status).label if record.status else "新建"
        raise ValidationError(f"{type(record)._meta.verbose_name}当前状态为“{current}”，不能变更为“{RS(to).label}”")
    now = timezone.now()
    if to == RS.TOWN_APPROVED:
        record.submitted_by, record.submitted_at, record.town_opinion = by, now, opinion[:500]
    elif to in (RS.COUNTY_APPROVED, RS.COUNTY_RETURNED):
        record.reviewed_by, record.reviewed_at, record.county_opinion = by, now, opinion[:500]
    if record.pk:
        ReviewStep.objects.create(record_type=record_type(record), record_id=record.pk, from_status=record.status,
                                  to_status=to, by=by, opinion=opinion[:200])
    record.status = to


def review_first_steps(record, *, by, opinion: str) -> None:
    """After the record is created: the creation step and the town's submission (镇初审通过)."""
    ReviewStep.objects.create(record_type=record_type(record), record_id=record.pk, from_status="",
                              to_status=RS.TOWN_APPROVED, by=by, opinion=(opinion or "录入并提交")[:200])


def county_check(record, *, by, perm: str, noun: str) -> None:
    """The county's step: the permission, the town (404 outside it), maker-checker."""
    require(by, perm, f"只有县局经办员可以复核{noun}")
    require_town(by, record.town_id)
    if by.pk in (record.created_by_id, record.submitted_by_id):
        raise ValidationError(f"录入或提交{noun}的人员不能复核，请由其他县局经办员复核")
    if record.status != RS.TOWN_APPROVED:
        raise ValidationError(f"{noun}当前状态为“{record.get_status_display()}”，不能复核")


def review_steps(record):
    return ReviewStep.objects.filter(record_type=record_type(record), record_id=record.pk).select_related("by")
