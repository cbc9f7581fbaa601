"""Thin views: scope, validate, call a service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linggao_pension.exports import file_response
from linggao_pension.files import serve_stored_file
from linggao_pension.forms_layout import apply_refusal
from linggao_pension.org.models import Town
from linggao_pension.org.services import access_log_record
from linggao_pension.pagination import paginate
from linggao_pension.types import AuthedRequest

from . import charts, dashboard, documents, forms, selectors
from .models import BuiltReport, SummaryProgress, WorkPlan, WorkSummary
from .services import statistical, workplans


@permission_required("reports.view_reports", raise_exception=True)
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    filt = forms.ReportFilterForm(request.GET or None)
    qs = BuiltReport.objects.select_related("built_by").defer("data", "groups")
    if filt.is_valid() and filt.cleaned_data["kind"]:
        qs = qs.filter(kind=filt.cleaned_data["kind"])
    build = forms.BuildForm(initial={"kind": BuiltReport.Kind.MONTHLY, "month": forms.last_month()})
    return render(request, "reports/index.html", {"page": paginate(request, qs), "filter_form": filt, "form": build})


@permission_required("reports.build_report", raise_exception=True)
@require_POST
def build(request: AuthedRequest) -> HttpResponse:
    form = forms.BuildForm(request.POST)
    if form.is_valid():
        try:
            job = statistical.report_build_start(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, "已开始生成报表，完成后从本页进入报表下载 Excel、PDF。")
            return redirect("org:jobrun_detail", pk=job.pk)
    page = paginate(request, BuiltReport.objects.select_related("built_by").defer("data", "groups"))
    return render(request, "reports/index.html", {"page": page, "filter_form": forms.ReportFilterForm(), "form": form},
                  status=400)


@permission_required("reports.view_reports", raise_exception=True)
@require_GET
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(BuiltReport.objects.select_related("built_by"), pk=pk)
    groups, towns, total = statistical.report_rows(report)
    tables = [{"title": g.title, "figures": g.figures,
               "rows": [(r["town"], [(f, r[f.name]) for f in g.figures]) for r in [*towns, {**total, "town": "全县合计"}]]}
              for g in groups]
    versions = BuiltReport.objects.filter(kind=report.kind, month=report.month).only("pk", "version", "built_at")
    return render(request, "reports/report_detail.html", {"report": report, "tables": tables, "versions": versions})


@permission_required("reports.view_reports", raise_exception=True)
@require_GET
def report_download(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    report = get_object_or_404(BuiltReport, pk=pk)
    filename = statistical.report_filename(report, fmt)
    if fmt == "json":
        access_log_record(user=request.user, obj=report, label=report.label, action="下载", request=request)
        return file_response(statistical.report_file(report, fmt), filename, "application/json")
    if fmt not in statistical.FORMATS:
        raise Http404("没有这种格式")
    report = statistical.report_files_ensure(report)
    return serve_stored_file(request, record=report, field_file=getattr(report, f"{fmt}_file"), filename=filename,
                             label=report.label, perm="reports.view_reports")


@permission_required("reports.view_disclosure", raise_exception=True)
@require_http_methods(["GET", "POST"])
def disclosure(request: AuthedRequest) -> HttpResponse:
    towns = Town.choices_for(request.user).order_by("sort_order")
    form = forms.DisclosureForm(request.POST if request.method == "POST" else None, towns=towns,
                                initial={"as_of": timezone.localdate(), "town": towns.first()})
    if request.method == "POST" and form.is_valid():
        town, as_of = form.cleaned_data["town"], form.cleaned_data["as_of"]
        villages = selectors.disclosure_villages(town=town, as_of=as_of)
        pdf = documents.disclosure_pdf(town=town, villages=villages, as_of=as_of, year=as_of.year)
        access_log_record(user=request.user, obj=town, label=f"{town.name}公示表", action="打印", request=request)
        return file_response(pdf, f"{town.name}公示表{as_of:%Y%m%d}.pdf", "application/pdf")
    return render(request, "reports/disclosure.html", {"form": form}, status=400 if form.errors else 200)


@permission_required("reports.view_dashboard", raise_exception=True)
@require_GET
def manager_dashboard(request: AuthedRequest) -> HttpResponse:
    data = dashboard.dashboard(today=timezone.localdate())
    trend_charts = [charts.column_chart([(f"{m.month}月", v) for m, v in points], title=f"{label}（近12个月）")
                    for label, points in data["trend"].items()]
    coverage = charts.bar_chart(data["coverage"], title="各镇/农场参保与领取人数", legend=("参保人数", "领取人数"))
    return render(request, "reports/dashboard.html", {**data, "trend_charts": trend_charts, "coverage_chart": coverage})


@permission_required("reports.view_reports", raise_exception=True)
@require_GET
def workplan_list(request: AuthedRequest) -> HttpResponse:
    plans = WorkPlan.objects.select_related("created_by")
    return render(request, "reports/workplan_list.html", {"page": paginate(request, plans), "form": forms.WorkPlanForm()})


@permission_required("reports.manage_workplan", raise_exception=True)
@require_POST
def workplan_create(request: AuthedRequest) -> HttpResponse:
    form = forms.WorkPlanForm(request.POST)
    if form.is_valid():
        try:
            plan = workplans.workplan_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            return redirect("reports:workplan_detail", pk=plan.pk)
    page = paginate(request, WorkPlan.objects.select_related("created_by"))
    return render(request, "reports/workplan_list.html", {"page": page, "form": form}, status=400)


def _plan_page(request, plan, *, target_form=None, summary_form=None, status=200):
    return render(request, "reports/workplan_detail.html", {
        "plan": plan, "targets": plan.targets.all(),
        "summaries": plan.summaries.select_related("created_by", "report"),
        "target_form": target_form or forms.TargetForm(),
        "summary_form": summary_form or forms.SummaryForm(initial={"month": forms.last_month()}),
    }, status=status)


@permission_required("reports.view_reports", raise_exception=True)
@require_GET
def workplan_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _plan_page(request, get_object_or_404(WorkPlan, pk=pk))


@permission_required("reports.manage_workplan", raise_exception=True)
@require_POST
def target_add(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(WorkPlan, pk=pk)
    form = forms.TargetForm(request.POST)
    if form.is_valid():
        try:
            workplans.plan_target_add(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, "已增加目标。")
            return redirect("reports:workplan_detail", pk=plan.pk)
    return _plan_page(request, plan, target_form=form, status=400)


@permission_required("reports.manage_workplan", raise_exception=True)
@require_POST
def summary_create(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(WorkPlan, pk=pk)
    form = forms.SummaryForm(request.POST)
    if form.is_valid():
        try:
            summary = workplans.work_summary_create(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            return redirect("reports:summary_detail", pk=summary.pk)
    return _plan_page(request, plan, summary_form=form, status=400)


@permission_required("reports.view_reports", raise_exception=True)
@require_GET
def summary_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    summary = get_object_or_404(WorkSummary.objects.select_related("plan", "report", "created_by"), pk=pk)
    progress = SummaryProgress.objects.filter(summary=summary).select_related("target")
    return render(request, "reports/summary_detail.html", {"summary": summary, "progress": progress})


@permission_required("reports.manage_workplan", raise_exception=True)
@require_POST
def progress_note(request: AuthedRequest, pk: int) -> HttpResponse:
    progress = get_object_or_404(SummaryProgress, pk=pk)
    workplans.summary_progress_note(progress=progress, note=request.POST.get("note", ""), by=request.user)
    messages.success(request, "已记录完成情况。")
    return redirect("reports:summary_detail", pk=progress.summary_id)
