"""Refund payments of terminations (F10006) and duplicate contributions (F10004): paid once, in one
refund bank file that finance generates, then confirmed paid by another finance user."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from linggao_pension import exports
from linggao_pension.money import quantize
from linggao_pension.org.access import require_perm

from .. import reports
from ..models import Refund, RefundBatch


@transaction.atomic
def refund_batch_generate(*, by) -> RefundBatch | None:
    """Put every pending refund into one new refund bank file (退款银行文件). Refunds are claimed with
    one conditional UPDATE (status pending, no batch), so two runs at once never take a refund twice.
    Nothing pending: no batch (None)."""
    require_perm(by, "contributions.pay_refund", "无权生成退款银行文件")
    batch = RefundBatch.objects.create(created_by=by)
    claimed = Refund.objects.filter(status=Refund.Status.PENDING, batch__isnull=True).update(
        batch=batch, status=Refund.Status.IN_FILE
    )
    if not claimed:
        batch.delete()
        return None
    agg = Refund.objects.filter(batch=batch).aggregate(count=Count("pk"), total=Sum("amount"))
    batch.count, batch.total = agg["count"], quantize(agg["total"])
    content = exports.workbook_bytes(reports.refund_bank_workbook(batch))
    batch.bank_file.save(f"refunds_{batch.pk:06d}.xlsx", ContentFile(content), save=False)
    batch.save(update_fields=["count", "total", "bank_file"])
    return batch


@transaction.atomic
def refund_batch_mark_paid(*, batch: RefundBatch, paid_on: date, by) -> RefundBatch:
    """Finance confirms the bank paid the file: every refund in it is 已支付, once. Maker-checker:
    not the user who generated the file."""
    require_perm(by, "contributions.pay_refund", "无权确认退款已支付")
    batch = RefundBatch.objects.select_for_update().get(pk=batch.pk)
    if not batch.may_move(RefundBatch.Status.PAID):
        raise ValidationError("该退款批次已确认支付，不能重复支付")
    if batch.created_by_id == by.pk:
        raise ValidationError("退款银行文件由您生成，须由另一名财务人员确认已支付（经办与复核分离）")
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": "支付日期不能晚于今天"})
    batch.status, batch.paid_by, batch.paid_on = RefundBatch.Status.PAID, by, paid_on
    batch.save(update_fields=["status", "paid_by", "paid_on"])
    Refund.objects.filter(batch=batch, status=Refund.Status.IN_FILE).update(status=Refund.Status.PAID)
    return batch
