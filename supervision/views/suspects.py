"""疑点核查: the items (filters), one item with verify/dismiss, the list upload, its result, the scan."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linggao_pension.exports import XLSX_TYPE, file_response
from linggao_pension.imports import template_bytes
from linggao_pension.org import services as org_services
from linggao_pension.org.models import JobRun
from linggao_pension.pagination import paginate
from linggao_pension.types import AuthedRequest

from .. import forms as F
from .. import reports, selectors, suspect_lists
from ..filters import SuspectFilter
from ..models import SuspectItem, SuspectList
from ..services import suspects
from .common import CHECK, post_action

VIEW_ITEM = "supervision.view_suspectitem"


def _items(request):
    return SuspectItem.objects.in_scope(request.user).select_related("person", "person__town", "decided_by")


@permission_required(VIEW_ITEM, raise_exception=True)
@require_GET
def suspect_list(request: AuthedRequest) -> HttpResponse:
    filterset = SuspectFilter(request.GET, queryset=_items(request), request=request)
    page = paginate(request, filterset.qs.order_by("status", "-created_at", "-pk"))
    lists = SuspectList.objects.select_related("imported_by")[:8]
    return render(request, "supervision/suspect_list.html", {"filter": filterset, "page": page, "lists": lists,
                                                             "can_check": request.user.has_perm(CHECK)})


@permission_required(VIEW_ITEM, raise_exception=True)
@require_GET
def suspect_export(request: AuthedRequest) -> HttpResponse:
    """The filtered items as Excel, ID numbers masked unless the user may see them in full; every
    download is logged (it lists people)."""
    filterset = SuspectFilter(request.GET, queryset=_items(request), request=request)
    items = filterset.qs
    count = items.count()
    org_services.access_log_download(user=request.user, object_type="supervision.suspect_list",
                                     object_id=timezone.localdate().isoformat(),
                                     label=f"疑点核查结果（{count} 条）", request=request)  # fmt: skip
    return file_response(reports.suspects_xlsx(items, request.user), f"疑点核查结果_{timezone.localdate():%Y%m%d}.xlsx",
                         XLSX_TYPE)


def _page(request, item, bound=None) -> HttpResponse:
    forms = {"verify": F.ReasonForm(prefix="verify"), "dismiss": F.ReasonForm(prefix="dismiss"), **(bound or {})}
    can = request.user.has_perm(CHECK) and item.status == SuspectItem.Status.OPEN
    full = request.user.has_perm("enrollment.view_person_full")
    if full:
        org_services.access_log_record(user=request.user, obj=item.person, label=str(item.person),
                                       action="查看疑点", request=request)  # fmt: skip
    return render(request, "supervision/suspect_detail.html", {"item": item, "forms": forms, "can_decide": can,
                                                               "full": full})


@permission_required(VIEW_ITEM, raise_exception=True)
@require_GET
def suspect_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _page(request, get_object_or_404(_items(request), pk=pk))


def _decide(request, pk, name, service, done) -> HttpResponse:
    item = get_object_or_404(_items(request), pk=pk)
    form = F.ReasonForm(request.POST, prefix=name)
    return post_action(request, form, lambda d: service(item=item, **d, by=request.user), done,
                       "supervision:suspect_detail", lambda bound: _page(request, item, bound), pk=pk)


@permission_required(CHECK, raise_exception=True)
@require_POST
def suspect_verify(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "verify", suspects.suspect_verify, "已核实，后续处理已发起")


@permission_required(CHECK, raise_exception=True)
@require_POST
def suspect_dismiss(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "dismiss", suspects.suspect_dismiss, "已排除该疑点")


@permission_required(CHECK, raise_exception=True)
@require_http_methods(["GET", "POST"])
def suspect_import(request: AuthedRequest) -> HttpResponse:
    form = F.SuspectImportForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        upload, kind = form.cleaned_data["file"], form.cleaned_data["kind"]
        job = suspects.suspect_list_start(kind=kind, upload=upload, by=request.user)
        messages.info(request, f"已上传 {upload.name}（比对任务 #{job.pk}），整个文件校验通过才会比对")
        return redirect("supervision:suspect_import_result", pk=job.pk)
    jobs = JobRun.objects.filter(kind=suspects.IMPORT_JOB).select_related("started_by")[:10]
    return render(request, "supervision/suspect_import.html", {"form": form, "jobs": jobs,
                                                               "headers": suspect_lists.HEADERS})


@permission_required(CHECK, raise_exception=True)
@require_GET
def suspect_template(request: AuthedRequest, kind: str) -> HttpResponse:
    if kind not in suspect_lists.HEADERS:
        from django.http import Http404

        raise Http404("没有该名单类型")
    content = template_bytes(suspect_lists.HEADERS[kind], suspect_lists.EXAMPLES[kind])
    return file_response(content, f"比对名单模板_{kind}.xlsx", XLSX_TYPE)


@permission_required(CHECK, raise_exception=True)
@require_GET
def suspect_import_result(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(JobRun.objects.filter(kind=suspects.IMPORT_JOB), pk=pk)
    suspect_list = SuspectList.objects.filter(job=job).first()
    items = suspect_list.items.select_related("person")[:200] if suspect_list else []
    return render(request, "supervision/suspect_import_result.html", {"job": job, "list": suspect_list,
                  "errors": job.result.get("errors", []), "items": items})


@permission_required("supervision.view_supervision", raise_exception=True)
@require_GET
def death_followups(request: AuthedRequest) -> HttpResponse:
    """死亡缴费人员待注销: verified contributor deaths (a town agent: their own town's) and where each
    one's termination stands; the town enters it from here (enrollment's application)."""
    return render(request, "supervision/death_followups.html", {
        "rows": selectors.death_followups(request.user),
        "can_apply": request.user.has_perm("enrollment.submit_relationshipapplication")})


@permission_required(CHECK, raise_exception=True)
@require_POST
def system_scan(request: AuthedRequest) -> HttpResponse:
    job = suspects.system_scan_start(by=request.user)
    messages.info(request, f"已开始比对系统数据（任务 #{job.pk}），完成后新增疑点列在本页")
    return redirect("supervision:suspect_list")
