"""复核 of a generated payroll by a second finance user (maker-checker)."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import selectors
from ..models import (
    PayrollRun,
)
from ..payroll_guard import payroll_generation_refusal
from .common import (
    require,
    run_move,
)

R = PayrollRun.Status


@transaction.atomic
def payroll_review(*, run: PayrollRun, by, note: str = "") -> PayrollRun:
    """复核 by a second finance user: whoever generated the run never reviews it."""
    require(by, "benefits.review_payroll", "只有财务人员可以复核月度发放")
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    if run.status != R.GENERATED:
        raise ValidationError(f"{run}当前状态为“{run.get_status_display()}”，不能复核")
    if by.pk in selectors.run_generators(run):
        raise ValidationError("生成发放明细的人员不能复核同一批发放")
    if not run.lines.exists():
        raise ValidationError(f"{run}没有发放明细，不能复核")
    if refusal := payroll_generation_refusal(run):
        raise ValidationError(refusal)
    run_move(run, R.REVIEWED, by=by, note=note or "复核通过")
    run.reviewed_by, run.reviewed_at = by, timezone.now()
    run.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return run

