"""行政处理处罚意见（报批）: the list, the page with the review buttons and steps, the edit form,
the review steps (linggao_pension.workflow_views) and the drafting from an inspection or a 举报."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linggao_pension.pagination import paginate
from linggao_pension.types import AuthedRequest
from linggao_pension.workflow_views import OpinionForm, review_context, review_step

from .. import forms as F
from ..filters import PenaltyFilter
from ..models import PenaltyProposal
from ..services import penalties
from .common import apply_refusal

VIEW_PENALTY = "supervision.view_penaltyproposal"
PROPOSE = penalties.PROPOSE


def _proposals(request):
    return PenaltyProposal.objects.in_scope(request.user).select_related(
        "town", "inspection", "report", "referral", "created_by", "submitted_by", "reviewed_by"
    )


@permission_required(VIEW_PENALTY, raise_exception=True)
@require_GET
def penalty_list(request: AuthedRequest) -> HttpResponse:
    filterset = PenaltyFilter(request.GET, queryset=_proposals(request), request=request)
    page = paginate(request, filterset.qs.order_by("-created_at", "-pk"))
    return render(request, "supervision/penalty_list.html", {"filter": filterset, "page": page})


def _page(request, proposal, opinion_form: OpinionForm | None = None) -> HttpResponse:
    context = review_context(proposal, request.user, "supervision:penalty", opinion_form)
    return render(request, "supervision/penalty_detail.html", {"proposal": proposal, **context})


@permission_required(VIEW_PENALTY, raise_exception=True)
@require_GET
def penalty_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _page(request, get_object_or_404(_proposals(request), pk=pk))


@permission_required(PROPOSE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def penalty_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(_proposals(request), pk=pk)
    initial = {name: getattr(proposal, name) for name in penalties.FIELDS}
    form = F.PenaltyForm(request.POST or None, initial=initial)
    if form.is_valid():
        try:
            penalties.penalty_update(proposal=proposal, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, "已保存修改，请重新提交局领导审批")
            return redirect("supervision:penalty_detail", pk=proposal.pk)
    return render(
        request, "supervision/form.html", {"form": form, "title": f"修改行政处理处罚意见 {proposal.number}"}
    )


@require_POST
def penalty_review(request: AuthedRequest, pk: int, to: str) -> HttpResponse:
    """One step: 提交 (submit), 批准 (approve), 退回 (county_return), 撤销 (cancel)."""
    return review_step(request, queryset=_proposals(request), pk=pk, to=to, page=_page,
                       detail_url="supervision:penalty_detail")  # fmt: skip


def penalty_draft(request, source_page: Callable[[dict], HttpResponse], **source) -> HttpResponse:
    """The drafting form posted on an inspection's or a 举报's page (`source`: inspection= or
    report=): the new draft's page, or the source page again with the errors at their fields."""
    form = F.PenaltyForm(request.POST, prefix="penalty")
    if form.is_valid():
        try:
            proposal = penalties.penalty_create(data=form.cleaned_data, by=request.user, **source)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(
                request, f"已保存行政处理处罚意见 {proposal.number}（草稿），核对后请提交局领导审批"
            )
            return redirect("supervision:penalty_detail", pk=proposal.pk)
    messages.error(request, "未保存：请按提示修改")
    return source_page({"penalty": form})
