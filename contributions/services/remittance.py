"""Month-end remittance to the fiscal special account (R18) and its stored voucher files."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from linggao_pension import exports, periods
from linggao_pension.money import quantize
from linggao_pension.org.access import require_perm
from linggao_pension.org.services import jobrun_progress

from .. import reports
from ..models import (
    Receipt,
    Remittance,
)
from ._checks import _system_or_perm

# --- Month-end remittance to the fiscal special account (R18) -------------------------------------------


def remittance_generate(*, month: date, by, job=None, vouchers: bool = True) -> dict:
    """Gather every confirmed, non-legacy receipt paid up to the end of `month` and not yet remitted
    into the month's one Remittance: personal, collective and sponsorship money only (subsidies and
    代缴 are fiscal money and never pass through the income account).

    The month is unique and receipts are claimed with one conditional UPDATE ... WHERE remittance IS
    NULL, so a second run, or two at once, creates nothing new and takes no receipt twice. Months
    never run are simply picked up by the next run. Nothing to remit: no remittance is created.

    vouchers: then write the voucher files (remittance_voucher_store) after the claim has committed,
    so the page serves them as stored; a rerun writes any the first run did not get to. The demo
    seeder passes False: its vouchers are written on first download."""
    _system_or_perm(by, "contributions.add_remittance", "无权生成保费上缴单")
    month = periods.month_start(month)
    if month > periods.month_start(timezone.localdate()):
        raise ValidationError(f"不能生成以后月份（{periods.format_month(month)}）的上缴单")
    nothing = {"created": 0, "receipts": 0, "total": "0.00"}
    with transaction.atomic():
        try:
            with transaction.atomic():
                remittance = Remittance.objects.create(month=month, created_by=by)
        except IntegrityError:
            remittance = None
        else:
            claimed = Receipt.objects.remittable(up_to=periods.month_end(month)).update(remittance=remittance)
            if not claimed:
                remittance.delete()
                return nothing
            agg = Receipt.objects.filter(remittance=remittance).aggregate(
                count=Count("pk"), personal=Sum("personal_amount"), collective=Sum("collective_amount"),
                sponsor=Sum("sponsor_amount"),
            )
            remittance.receipts_count = agg["count"]
            remittance.personal_total = quantize(agg["personal"])
            remittance.collective_total = quantize(agg["collective"])
            remittance.sponsor_total = quantize(agg["sponsor"])
            remittance.total_amount = (
                remittance.personal_total + remittance.collective_total + remittance.sponsor_total
            )
            remittance.save(
                update_fields=["receipts_count", "personal_total", "collective_total", "sponsor_total", "total_amount"]
            )
    if remittance is None:  # the month was generated before: nothing new; finish its vouchers if missing
        existing = Remittance.objects.filter(month=month).first()
        if vouchers and existing is not None and not (existing.voucher_xlsx and existing.voucher_pdf):
            remittance_voucher_store(remittance=existing)
        return nothing
    if job is not None:
        jobrun_progress(job=job, done=claimed, total=claimed)
    if vouchers:
        remittance_voucher_store(remittance=remittance)
    return {"created": 1, "receipts": claimed, "total": str(remittance.total_amount)}


VOUCHER_PARTS = ("xlsx", "pdf")


def remittance_voucher_store(*, remittance: Remittance, parts: tuple[str, ...] = VOUCHER_PARTS, force: bool = False) -> Remittance:
    """Write the remittance voucher files into MEDIA_ROOT through the default storage and record them on
    the remittance: the Excel (per-town summary and every receipt) and the PDF (summary for signatures).

    A part already stored is left alone unless `force` (the PDF is rewritten when the remittance is
    marked remitted, to show the bank voucher number). The remittance row is locked while writing, so
    two writers at once (a rerun of the job, a first download) write each file once. The Excel's
    content never changes after generation: a remitted receipt cannot be voided (receipt_void)."""
    with transaction.atomic():
        remittance = Remittance.objects.select_for_update(of=("self",)).select_related("created_by", "remitted_by").get(
            pk=remittance.pk
        )
        stem = f"remittance_{remittance.month:%Y-%m}"
        for part in parts:
            field = remittance.voucher_xlsx if part == "xlsx" else remittance.voucher_pdf
            if field and not force:
                continue
            content = (
                exports.workbook_bytes(reports.remittance_workbook(remittance)) if part == "xlsx"
                else reports.remittance_pdf(remittance)
            )
            if field:
                field.delete(save=False)
            field.save(f"{stem}.{part}", ContentFile(content), save=False)
        remittance.save(update_fields=["voucher_xlsx", "voucher_pdf"])
    return remittance


def remittance_start(*, month: date, by):
    """The remittance page's 生成上缴单 button: records the job, which runs remittance_generate after
    commit (a later month is refused here, at the field)."""
    from linggao_pension.org.services import job_start

    _system_or_perm(by, "contributions.add_remittance", "无权生成保费上缴单")
    month = periods.month_start(month)
    if month > periods.month_start(timezone.localdate()):
        raise ValidationError({"month": f"不能生成以后月份（{periods.format_month(month)}）的上缴单"})
    return job_start(kind="contributions.remit_premiums", by=by, params={"month": f"{month:%Y-%m}"})


def remittance_generate_job(*, job, by, month) -> dict:
    return remittance_generate(month=periods.parse_month(month), by=by, job=job)


@transaction.atomic
def remittance_mark_remitted(*, remittance: Remittance, voucher_no: str, by) -> Remittance:
    """Finance records that the money reached the fiscal special account (已上缴), with the bank
    voucher number. Maker-checker: not the user who generated it (a system-generated one: any finance user)."""
    require_perm(by, "contributions.remit_remittance", "无权确认保费上缴")
    voucher_no = (voucher_no or "").strip()
    if not voucher_no:
        raise ValidationError({"voucher_no": "请填写银行凭证号"})
    remittance = Remittance.objects.select_for_update().get(pk=remittance.pk)
    if not remittance.may_move(Remittance.Status.REMITTED):
        raise ValidationError("该上缴单已确认上缴")
    if remittance.created_by_id is not None and remittance.created_by_id == by.pk:
        raise ValidationError("上缴单由您生成，须由另一名财务人员确认已上缴（经办与复核分离）")
    remittance.status, remittance.voucher_no = Remittance.Status.REMITTED, voucher_no[:40]
    remittance.remitted_by, remittance.remitted_at = by, timezone.now()
    remittance.save(update_fields=["status", "voucher_no", "remitted_by", "remitted_at"])
    if remittance.voucher_pdf:
        # The stored PDF names the status, the bank voucher number and the checker: rewrite it (one
        # page, a fraction of a second). The Excel holds none of these and stays as generated.
        remittance = remittance_voucher_store(remittance=remittance, parts=("pdf",), force=True)
    return remittance
