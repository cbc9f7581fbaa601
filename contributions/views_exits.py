"""Pages of refunds (退款) and transfer certificates: scope -> validate -> call a service -> respond."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from linggao_pension import exports
from linggao_pension.files import serve_stored_file
from linggao_pension.org.services import access_log_record
from linggao_pension.pagination import paginate
from linggao_pension.types import AuthedRequest

from . import reports
from .models import AccountExit, Refund, RefundBatch
from .services.refunds import refund_batch_generate, refund_batch_mark_paid

PAY = "contributions.pay_refund"


class PaidOnForm(forms.Form):
    paid_on = forms.DateField(label="支付日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


@permission_required("contributions.view_refund", raise_exception=True)
@require_GET
def refund_list(request: AuthedRequest) -> HttpResponse:
    qs = Refund.objects.in_scope(request.user).select_related("person", "exit", "batch")
    status = request.GET.get("status", "")
    qs = qs.filter(status=status) if status in Refund.Status.values else qs
    return render(request, "contributions/refund_list.html", {
        "page": paginate(request, qs.order_by("-created_at", "-pk")), "status": status,
        "statuses": Refund.Status.choices, "batches": RefundBatch.objects.select_related("created_by")[:10],
        "can_pay": request.user.has_perm(PAY),
    })  # fmt: skip


@permission_required(PAY, raise_exception=True)
@require_POST
def refund_batch_create(request: AuthedRequest) -> HttpResponse:
    batch = refund_batch_generate(by=request.user)
    if batch is None:
        messages.info(request, "没有待支付的退款")
        return redirect("contributions:refund_list")
    messages.success(request, f"已生成退款银行文件：{batch.count} 笔，合计 {batch.total} 元")
    return redirect("contributions:refund_batch_detail", pk=batch.pk)


@permission_required(PAY, raise_exception=True)
@require_GET
def refund_batch_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(RefundBatch.objects.select_related("created_by", "paid_by"), pk=pk)
    return render(request, "contributions/refund_batch_detail.html", {
        "batch": batch, "refunds": batch.refunds.select_related("person")[:500],
        "form": PaidOnForm(initial={"paid_on": timezone.localdate()}),
        "can_mark": batch.may_move(RefundBatch.Status.PAID) and batch.created_by_id != request.user.pk,
    })  # fmt: skip


@permission_required(PAY, raise_exception=True)
@require_POST
def refund_batch_paid(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(RefundBatch.objects.all(), pk=pk)
    form = PaidOnForm(request.POST)
    try:
        paid_on: date = form.cleaned_data["paid_on"] if form.is_valid() else None
        if paid_on is None:
            raise ValidationError("请填写支付日期")
        refund_batch_mark_paid(batch=batch, paid_on=paid_on, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已确认退款支付")
    return redirect("contributions:refund_batch_detail", pk=batch.pk)


@permission_required(PAY, raise_exception=True)
@require_GET
def refund_batch_file(request: AuthedRequest, pk: int) -> HttpResponse:
    """The stored bank file (full ID numbers and accounts): served to finance only, logged."""
    batch = get_object_or_404(RefundBatch.objects.all(), pk=pk)
    return serve_stored_file(request, record=batch, field_file=batch.bank_file, filename=f"退款银行文件_{batch.pk}.xlsx",
                             label=f"退款银行文件 第{batch.pk}批", perm=PAY, town_id=None)  # fmt: skip


@permission_required("enrollment.view_relationshipapplication", raise_exception=True)
@require_GET
def exit_certificate(request: AuthedRequest, pk: int) -> HttpResponse:
    """参保缴费凭证 of a transfer out (years and amount by source)."""
    exit_ = get_object_or_404(AccountExit.objects.in_scope(request.user).select_related("person", "created_by"), pk=pk)
    access_log_record(user=request.user, obj=exit_.person, label=str(exit_.person), action="打印参保缴费凭证", request=request)
    return exports.pdf_response(reports.transfer_certificate_pdf(exit_), f"参保缴费凭证_{exit_.person.name}.pdf")
