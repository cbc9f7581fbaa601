"""举报: register, assign, investigate, answer with the outcome; referrals list."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linggao_pension.pagination import paginate
from linggao_pension.types import AuthedRequest

from .. import forms as F
from ..filters import ReferralFilter, WhistleFilter
from ..models import Inspection, Referral, WhistleReport
from ..services import onsite, plans, whistle
from .common import MANAGE, REPORTS, apply_refusal, post_action
from .penalties import PROPOSE, penalty_draft

VIEW_REPORT = "supervision.view_whistlereport"
FORMS = {"assign": F.AssignForm, "investigate": F.InvestigateForm, "answer": F.AnswerForm,
         "referral": F.ReferralForm, "inspect": F.InspectionForm, "penalty": F.PenaltyForm}  # fmt: skip


def _reports(request):
    return WhistleReport.objects.in_scope(request.user).select_related("town", "person", "assigned_to")


@permission_required(VIEW_REPORT, raise_exception=True)
@require_GET
def report_list(request: AuthedRequest) -> HttpResponse:
    filterset = WhistleFilter(request.GET, queryset=_reports(request), request=request)
    page = paginate(request, filterset.qs.order_by("-received_on", "-pk"))
    return render(request, "supervision/report_list.html", {"filter": filterset, "page": page,
                                                            "can_handle": request.user.has_perm(REPORTS)})


@permission_required(REPORTS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def report_create(request: AuthedRequest) -> HttpResponse:
    form = F.WhistleForm(request.POST or None)
    if form.is_valid():
        try:
            report = whistle.report_register(**form.cleaned_data, by=request.user)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, f"已登记举报 {report.number}")
            return redirect("supervision:report_detail", pk=report.pk)
    return render(request, "supervision/form.html", {"form": form, "title": "登记错发、误发待遇举报"})


def _page(request, report, bound=None) -> HttpResponse:
    forms = {name: cls(prefix=name) for name, cls in FORMS.items()}
    forms.update(bound or {})
    can = request.user.has_perm(REPORTS)
    return render(request, "supervision/report_detail.html", {"report": report, "forms": forms, "can_handle": can,
                  "can_refer": request.user.has_perm(MANAGE), "referrals": report.referrals.all(),
                  "can_propose": request.user.has_perm(PROPOSE), "penalties": report.penalty_proposals.all(),
                  "inspections": report.inspections.all()})


@permission_required(VIEW_REPORT, raise_exception=True)
@require_GET
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _page(request, get_object_or_404(_reports(request), pk=pk))


def _step(request, pk, name, call, done) -> HttpResponse:
    report = get_object_or_404(_reports(request), pk=pk)
    form = FORMS[name](request.POST, prefix=name)
    return post_action(request, form, lambda d: call(report, d), done, "supervision:report_detail",
                       lambda bound: _page(request, report, bound), pk=pk)


@permission_required(REPORTS, raise_exception=True)
@require_POST
def report_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "assign", lambda r, d: whistle.report_assign(report=r, **d, by=request.user), "已分办")


@permission_required(REPORTS, raise_exception=True)
@require_POST
def report_investigate(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "investigate", lambda r, d: whistle.report_investigate(report=r, **d, by=request.user),
                 "已记录调查情况")


@permission_required(REPORTS, raise_exception=True)
@require_POST
def report_answer(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "answer", lambda r, d: whistle.report_answer(report=r, **d, by=request.user),
                 "已答复办结")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def report_referral(request: AuthedRequest, pk: int) -> HttpResponse:
    def call(report, d):
        d["recipient"] = d["recipient"] or onsite.DEFAULT_RECIPIENTS[d["kind"]]
        return onsite.referral_create(report=report, town=report.town, **d, by=request.user)

    return _step(request, pk, "referral", call, "已登记移送")


@permission_required(PROPOSE, raise_exception=True)
@require_POST
def report_penalty(request: AuthedRequest, pk: int) -> HttpResponse:
    """六(2): an auditor drafts the 行政处理处罚意见 of this 举报 (approved before it is sent)."""
    report = get_object_or_404(_reports(request), pk=pk)
    return penalty_draft(request, lambda bound: _page(request, report, bound), report=report)


@permission_required(MANAGE, raise_exception=True)
@require_POST
def report_inspection(request: AuthedRequest, pk: int) -> HttpResponse:
    """三(1)③: a report checked on site: an inspection of the unit, its source the report."""
    def call(report, d):
        return plans.inspection_create(kind=Inspection.Kind.REPORT, **d, by=request.user, source_report=report)

    return _step(request, pk, "inspect", call, "已安排现场监督核查")


@permission_required("supervision.view_referral", raise_exception=True)
@require_GET
def referral_list(request: AuthedRequest) -> HttpResponse:
    qs = Referral.objects.in_scope(request.user).select_related("town", "inspection", "report")
    filterset = ReferralFilter(request.GET, queryset=qs, request=request)
    page = paginate(request, filterset.qs.order_by("-sent_on", "-pk"))
    return render(request, "supervision/referral_list.html", {"filter": filterset, "page": page})


@permission_required("supervision.view_referral", raise_exception=True)
@require_GET
def referral_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(Referral.objects.in_scope(request.user).select_related("town"), pk=pk)
    form = F.ReferralAnswerForm(prefix="answer")
    return render(request, "supervision/referral_detail.html", {"referral": referral, "form": form,
                  "can_answer": request.user.has_perm(MANAGE) and referral.status == Referral.Status.SENT})


@permission_required(MANAGE, raise_exception=True)
@require_POST
def referral_answer(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(Referral.objects.in_scope(request.user), pk=pk)
    form = F.ReferralAnswerForm(request.POST, prefix="answer")
    return post_action(request, form, lambda d: onsite.referral_answer(referral=referral, **d, by=request.user),
                       "已登记反馈结果", "supervision:referral_detail", lambda bound: render(
                           request, "supervision/referral_detail.html", {"referral": referral, "form": form,
                                                                          "can_answer": True}), pk=pk)


@permission_required("supervision.view_referral", raise_exception=True)
@require_GET
def referral_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    from linggao_pension.exports import pdf_response, render_pdf

    referral = get_object_or_404(Referral.objects.in_scope(request.user).select_related("town"), pk=pk)
    content = render_pdf("supervision/pdf/referral.html", {"referral": referral, "title": referral.get_kind_display()})
    return pdf_response(content, f"移送函_{referral.number}.pdf")
