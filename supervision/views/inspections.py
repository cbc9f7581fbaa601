"""现场监督: the list (scoped), the page with every step's form, the steps, the printed documents."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from linggao_pension.exports import XLSX_TYPE, file_response, pdf_response, render_pdf
from linggao_pension.org import services as org_services
from linggao_pension.pagination import paginate
from linggao_pension.types import AuthedRequest

from .. import forms as F
from .. import reports, selectors
from ..filters import InspectionFilter
from ..models import Rectification, StopOrder, WorkRecord
from ..services import onsite, plans
from .common import MANAGE, RESPOND, post_action
from .penalties import PROPOSE, penalty_draft

VIEW_INSPECTION = "supervision.view_inspection"
# each action's form on the page, by its prefix
FORMS = {
    "programme": F.ProgrammeForm, "notice": F.NoticeForm, "start": F.StartForm, "work": F.WorkRecordForm,
    "finding": F.FindingForm, "stop": F.StopOrderForm, "report": F.ReportForm, "opinion": F.OpinionForm,
    "rectify": F.RectificationForm, "follow": F.FollowUpForm, "close": F.CloseForm, "cancel": F.ReasonForm,
    "referral": F.ReferralForm, "penalty": F.PenaltyForm,
}  # fmt: skip


@permission_required(VIEW_INSPECTION, raise_exception=True)
@require_GET
def inspection_list(request: AuthedRequest) -> HttpResponse:
    filterset = InspectionFilter(request.GET, queryset=selectors.inspections_for(request.user), request=request)
    page = paginate(request, filterset.qs.order_by("-planned_start", "-pk"))
    return render(request, "supervision/inspection_list.html", {"filter": filterset, "page": page})


@permission_required(VIEW_INSPECTION, raise_exception=True)
@require_GET
def inspection_export(request: AuthedRequest) -> HttpResponse:
    """The filtered list as Excel (现场监督台账 and its findings); every download is logged."""
    filterset = InspectionFilter(request.GET, queryset=selectors.inspections_for(request.user), request=request)
    inspections = filterset.qs
    count = inspections.count()
    org_services.access_log_download(user=request.user, object_type="supervision.inspection_list",
                                     object_id=timezone.localdate().isoformat(),
                                     label=f"现场监督台账（{count} 项）", request=request)  # fmt: skip
    return file_response(reports.inspections_xlsx(inspections), f"现场监督台账_{timezone.localdate():%Y%m%d}.xlsx",
                         XLSX_TYPE)


def _get(request, pk):
    return get_object_or_404(selectors.inspections_for(request.user), pk=pk)


def _page(request, inspection, bound=None) -> HttpResponse:
    initial = {"programme": {"programme": inspection.programme, "start": inspection.planned_start,
                             "end": inspection.planned_end}}  # fmt: skip
    forms = {name: cls(prefix=name, initial=initial.get(name)) for name, cls in FORMS.items()}
    forms.update(bound or {})
    context = {"inspection": inspection, "actions": plans.inspection_actions(inspection=inspection, user=request.user),
               "forms": forms, "scope_choices": inspection.scope, **selectors.inspection_page(inspection=inspection)}
    return render(request, "supervision/inspection_detail.html", context)


@permission_required(VIEW_INSPECTION, raise_exception=True)
@require_GET
def inspection_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _page(request, _get(request, pk))


def _step(request, pk, name: str, call, done: str) -> HttpResponse:
    inspection = _get(request, pk)
    form = FORMS[name](request.POST, request.FILES or None, prefix=name)
    return post_action(request, form, lambda d: call(inspection, d), done, "supervision:inspection_detail",
                       lambda bound: _page(request, inspection, bound), pk=pk)




@permission_required(MANAGE, raise_exception=True)
@require_POST
def inspection_programme(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "programme", lambda i, d: plans.inspection_programme_save(
        inspection=i, **d, by=request.user), "已保存监督方案")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def inspection_notify(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "notice", lambda i, d: plans.inspection_notify(inspection=i, **d, by=request.user),
                 "已通知被监督单位（可打印监督通知书）")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def inspection_start(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "start", lambda i, d: plans.inspection_start(inspection=i, **d, by=request.user),
                 "现场监督开始实施")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def work_record_add(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "work", lambda i, d: onsite.work_record_add(inspection=i, **d, by=request.user),
                 "已记录现场工作")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def finding_add(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "finding", lambda i, d: onsite.finding_add(inspection=i, **d, by=request.user),
                 "已记录发现的问题")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def stop_order_issue(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "stop", lambda i, d: onsite.stop_order_issue(inspection=i, **d, by=request.user),
                 "已责令停止并改正（可打印责令改正通知书）")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def report_send(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "report", lambda i, d: plans.inspection_send_report(inspection=i, **d, by=request.user),
                 "监督报告已送达被监督单位，10日内提出书面意见")


@permission_required(RESPOND, raise_exception=True)
@require_POST
def opinion_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "opinion", lambda i, d: plans.inspection_opinion_submit(
        inspection=i, **d, by=request.user), "已提交书面意见")


@permission_required(RESPOND, raise_exception=True)
@require_POST
def notice_acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    inspection = _get(request, pk)
    return post_action(request, F.forms.Form(request.POST), lambda d: plans.inspection_acknowledge(
        inspection=inspection, by=request.user), "已签收监督通知", "supervision:inspection_detail",
        lambda bound: _page(request, inspection), pk=pk)  # fmt: skip


@permission_required(MANAGE, raise_exception=True)
@require_POST
def rectification_issue(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "rectify", lambda i, d: onsite.rectification_issue(inspection=i, **d, by=request.user),
                 "已下达整改通知")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def follow_up_add(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "follow", lambda i, d: onsite.follow_up_add(inspection=i, **d, by=request.user),
                 "已记录")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def inspection_close(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "close", lambda i, d: plans.inspection_close(inspection=i, **d, by=request.user),
                 "已结案")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def inspection_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "cancel", lambda i, d: plans.inspection_cancel(inspection=i, **d, by=request.user),
                 "已撤销")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def referral_create(request: AuthedRequest, pk: int) -> HttpResponse:
    def call(i, d):
        d["recipient"] = d["recipient"] or onsite.DEFAULT_RECIPIENTS[d["kind"]]
        return onsite.referral_create(inspection=i, town=i.town, **d, by=request.user)

    return _step(request, pk, "referral", call, "已登记移送（可打印移送函）")


@permission_required(PROPOSE, raise_exception=True)
@require_POST
def penalty_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """六(2): an auditor drafts the 行政处理处罚意见 of this inspection (approved before it is sent)."""
    inspection = _get(request, pk)
    return penalty_draft(request, lambda bound: _page(request, inspection, bound), inspection=inspection)


# --- the records under an inspection ---------------------------------------------------------------


def _child(request, model, pk):
    return get_object_or_404(model.objects.select_related("inspection", "inspection__town")
                             .filter(inspection__in=selectors.inspections_for(request.user)), pk=pk)


def _child_action(request, obj, form, call, done) -> HttpResponse:
    inspection = obj.inspection
    return post_action(request, form, call, done, "supervision:inspection_detail",
                       lambda bound: _page(request, inspection), pk=inspection.pk)


@permission_required(MANAGE, raise_exception=True)
@require_POST
def seal_release(request: AuthedRequest, pk: int) -> HttpResponse:
    record = _child(request, WorkRecord, pk)
    return _child_action(request, record, F.ReleaseForm(request.POST), lambda d: onsite.seal_release(
        record=record, **d, by=request.user), "已解除封存")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def stop_order_corrected(request: AuthedRequest, pk: int) -> HttpResponse:
    order = _child(request, StopOrder, pk)
    return _child_action(request, order, F.CorrectedForm(request.POST), lambda d: onsite.stop_order_corrected(
        order=order, **d, by=request.user), "已确认改正")


@permission_required(RESPOND, raise_exception=True)
@require_POST
def rectification_report(request: AuthedRequest, pk: int) -> HttpResponse:
    order = _child(request, Rectification, pk)
    return _child_action(request, order, F.RectificationReportForm(request.POST, request.FILES),
                         lambda d: onsite.rectification_report(order=order, **d, by=request.user), "已报送整改报告")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def rectification_verify(request: AuthedRequest, pk: int) -> HttpResponse:
    order = _child(request, Rectification, pk)
    return _child_action(request, order, F.VerifyRectificationForm(request.POST),
                         lambda d: onsite.rectification_verify(order=order, **d, by=request.user), "已记录核实结果")


# --- printed documents -----------------------------------------------------------------------------

DOCUMENTS = {
    "notice": ("supervision/pdf/notice.html", "监督检查通知书"),
    "programme": ("supervision/pdf/programme.html", "监督方案"),
    "report": ("supervision/pdf/report.html", "监督报告"),
}


@permission_required(VIEW_INSPECTION, raise_exception=True)
@require_GET
def inspection_pdf(request: AuthedRequest, pk: int, doc: str) -> HttpResponse:
    inspection = _get(request, pk)
    template, title = DOCUMENTS.get(doc) or (None, None)
    if template is None:
        from django.http import Http404

        raise Http404("没有该文书")
    org_services.access_log_record(user=request.user, obj=inspection, label=f"{title} {inspection.number}",
                                   action="打印", request=request)  # fmt: skip
    context = {"inspection": inspection, "title": title, **selectors.inspection_page(inspection=inspection)}
    return pdf_response(render_pdf(template, context), f"{title}_{inspection.number}.pdf")


CHILD_DOCUMENTS = {
    "interview": (WorkRecord, "supervision/pdf/interview.html", "询问笔录"),
    "rectification": (Rectification, "supervision/pdf/rectification.html", "整改通知书"),
    "stop_order": (StopOrder, "supervision/pdf/stop_order.html", "责令改正通知书"),
}


@permission_required(VIEW_INSPECTION, raise_exception=True)
@require_GET
def child_pdf(request: AuthedRequest, doc: str, pk: int) -> HttpResponse:
    from django.http import Http404

    if doc not in CHILD_DOCUMENTS:
        raise Http404("没有该文书")
    model, template, title = CHILD_DOCUMENTS[doc]
    obj = _child(request, model, pk)
    if doc == "interview" and obj.kind != WorkRecord.Kind.INTERVIEW:
        raise Http404("该记录不是询问笔录")
    org_services.access_log_record(user=request.user, obj=obj, label=f"{title} {obj.inspection.number}",
                                   action="打印", request=request)  # fmt: skip
    content = render_pdf(template, {"obj": obj, "inspection": obj.inspection, "title": title})
    return pdf_response(content, f"{title}_{obj.inspection.number}_{obj.pk}.pdf")


@permission_required(VIEW_INSPECTION, raise_exception=True)
@require_GET
def rectification_file(request: AuthedRequest, pk: int) -> HttpResponse:
    from .files import serve_stored

    order = _child(request, Rectification, pk)
    return serve_stored(request, order, order.report_file, order.report_file.name.rsplit("/", 1)[-1],
                        town_id=order.inspection.town_id, perm=VIEW_INSPECTION)
