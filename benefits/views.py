"""Thin views: scope, validate, call a service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrollment.models import Person
from linggao_pension import exports, periods
from linggao_pension.files import serve_stored_file
from linggao_pension.imports import template_bytes
from linggao_pension.org.models import JobRun
from linggao_pension.org.services import access_log_download, access_log_record
from linggao_pension.pagination import paginate
from linggao_pension.types import AuthedRequest

from . import lifecycle_selectors, reports, selectors, services
from .filters import ClaimFilter, DueFilter, PayrollLineFilter, PensionFilter
from .forms import (
    ClaimForm,
    DetermineForm,
    EstimateForm,
    PayrollStartForm,
    ReturnForm,
    ReturnUploadForm,
    ReviewForm,
    XlsxUploadForm,
)
from .lifecycle_forms import CertificationForm
from .models import BenefitClaim, PayrollBankFile, PayrollLine, PayrollRun, Pension


def _error_text(exc: ValidationError | PermissionDenied) -> str:
    return "；".join(getattr(exc, "messages", None) or [str(exc)])


PERMISSION_FLAGS = {
    "can_view_claims": "benefits.view_benefitclaim",
    "can_submit": "benefits.submit_claim",
    "can_determine": "benefits.determine_claim",
    "can_view_pensions": "benefits.view_pension",
    "can_import": "benefits.import_pensioners",
    "can_view_payroll": "benefits.view_payrollrun",
    "can_generate": "benefits.generate_payroll",
    "can_review": "benefits.review_payroll",
    "can_export": "benefits.export_payroll",
    "can_close": "benefits.close_payroll",
    "can_backpay": "contributions.add_receipt",  # the 到龄名单 links 年限不足可补缴 to contributions' 补缴
}


def _flags(user) -> dict:
    """What the page may offer (the views check the same permissions; hiding a button is not the check)."""
    return {flag: user.has_perm(perm) for flag, perm in PERMISSION_FLAGS.items()}


def _render(request: AuthedRequest, template: str, context: dict) -> HttpResponse:
    return render(request, template, {**context, **_flags(request.user)})


@permission_required("benefits.view_benefits", raise_exception=True)
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    context = selectors.dashboard(user=request.user, today=timezone.localdate())
    return _render(request, "benefits/index.html", context)


# --- 到龄名单 -------------------------------------------------------------------------------------------


def _due_persons(request: AuthedRequest):
    """The 到龄名单's people (a queryset) for the month asked, and the result asked for (or None)."""
    data = request.GET.copy()
    data.setdefault("month", f"{timezone.localdate():%Y-%m}")
    try:
        month = periods.parse_month(data["month"])
    except ValueError:
        month = periods.month_start(timezone.localdate())
        data["month"] = f"{month:%Y-%m}"
    tables = selectors.pension_tables()
    persons = (
        Person.objects.in_scope(request.user).filter(status__in=selectors.CLAIMABLE_STATUSES)
        .filter(selectors.due_month_q(month, tables.params.benefit_age)).select_related("town", "village")
        .order_by("town__sort_order", "birth_date", "pk")
    )
    filterset = DueFilter(data, queryset=persons, request=request)
    result = filterset.form.cleaned_data.get("result") if filterset.is_valid() else None
    return filterset, month, tables, result


def _due(request: AuthedRequest):
    """Every row of the 到龄名单 asked for (the export)."""
    filterset, month, tables, result = _due_persons(request)
    rows = selectors.due_rows(filterset.qs, month=month, tables=tables)
    if result:
        rows = [r for r in rows if r.result == result]
    return filterset, month, rows


@permission_required("benefits.view_benefitclaim", raise_exception=True)
@require_GET
def due_list(request: AuthedRequest) -> HttpResponse:
    """One page of the 到龄名单. The page's people are paged in the database and only they are
    assessed (the county's month is hundreds of people); filtered by result, this month's list
    takes who had that result from the kept figures, another month's assesses everyone first."""
    filterset, month, tables, result = _due_persons(request)
    kept_ids = selectors.due_result_ids(user=request.user, month=month, result=result) if result else None
    if kept_ids is not None:
        # This month's result as kept by the figures job (at most a minute old): paged in the
        # database; the page's people are assessed again and shown as they are now.
        page = paginate(request, filterset.qs.filter(pk__in=kept_ids))
        page.object_list = selectors.due_rows(page.object_list, month=month, tables=tables)
        total = page.paginator.count
    elif result:
        rows = [r for r in selectors.due_rows(filterset.qs, month=month, tables=tables) if r.result == result]
        page, total = paginate(request, rows), len(rows)
    else:
        page = paginate(request, filterset.qs)
        page.object_list = selectors.due_rows(page.object_list, month=month, tables=tables)
        total = page.paginator.count
    return _render(request, "benefits/due_list.html",
                  {"filter": filterset, "month": month, "page": page, "total": total})


@permission_required("benefits.view_benefitclaim", raise_exception=True)
@require_GET
def due_export(request: AuthedRequest) -> HttpResponse:
    _, month, rows = _due(request)
    access_log_download(user=request.user, object_type="benefits.due_list", object_id=f"{month:%Y-%m}",
                        label=f"到龄名单 {month:%Y-%m}（{len(rows)} 人）", request=request)
    return exports.xlsx_response(reports.due_workbook(rows, month, viewer=request.user), f"到龄名单_{month:%Y-%m}.xlsx")


# --- claims ------------------------------------------------------------------------------------------------


@permission_required("benefits.view_benefitclaim", raise_exception=True)
@require_GET
def claim_list(request: AuthedRequest) -> HttpResponse:
    qs = BenefitClaim.objects.in_scope(request.user).select_related("person__town", "submitted_by", "decided_by")
    filterset = ClaimFilter(request.GET, queryset=qs, request=request)
    return _render(request, "benefits/claim_list.html", {"filter": filterset, "page": paginate(request, filterset.qs)})


@permission_required("benefits.submit_claim", raise_exception=True)
@require_http_methods(["GET", "POST"])
def claim_create(request: AuthedRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("person", "").isdigit():
        person = Person.objects.in_scope(request.user).filter(pk=request.GET["person"]).first()
        initial = {"id_number": person.id_number} if person else {}
    form = ClaimForm(request.POST or None, initial=initial)
    if form.is_valid():
        person = Person.objects.in_scope(request.user).filter(id_number=form.cleaned_data["id_number"]).first()
        if person is None:
            form.add_error("id_number", "本镇/农场没有该身份证号的参保人")
        else:
            try:
                claim = services.claim_submit(person=person, by=request.user, opinion=form.cleaned_data["opinion"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"已提交{person.name}的待遇申领（镇初审通过），待县局核定")
                return redirect("benefits:claim_detail", pk=claim.pk)
    return _render(request, "benefits/claim_form.html", {"form": form})


def _claim(request: AuthedRequest, pk: int) -> BenefitClaim:
    qs = BenefitClaim.objects.in_scope(request.user).select_related("person__town", "person__village")
    return get_object_or_404(qs, pk=pk)


@permission_required("benefits.view_benefitclaim", raise_exception=True)
@require_GET
def claim_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)
    access_log_record(user=request.user, obj=claim.person, label=claim.person.name, action="查看待遇申领",
                      request=request)
    pension = Pension.objects.filter(claim=claim).first()
    calc = None if pension else selectors.pension_calculation(person=claim.person, start=claim.start_month)
    return _render(request, "benefits/claim_detail.html", {
        "claim": claim, "calc": calc, "pension": pension,
        "changes": claim.status_changes.select_related("by"),
        "determine_form": DetermineForm(), "return_form": ReturnForm(),
        "can_decide": request.user.has_perm("benefits.determine_claim") and claim.status == claim.Status.TOWN_REVIEWED,
        "not_yet": selectors.claim_not_yet_determinable(claim, timezone.localdate()),
    })


@permission_required("benefits.determine_claim", raise_exception=True)
@require_POST
def claim_determine(request: AuthedRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)
    form = DetermineForm(request.POST)
    if form.is_valid():
        try:
            pension = services.claim_determine(claim=claim, by=request.user, opinion=form.cleaned_data["opinion"])
        except ValidationError as exc:
            messages.error(request, "不能核定：" + _error_text(exc))
        else:
            messages.success(request, f"已核定：月养老金 {pension.monthly_pension} 元，可打印养老金计算表")
    return redirect("benefits:claim_detail", pk=claim.pk)


@permission_required("benefits.determine_claim", raise_exception=True)
@require_POST
def claim_return(request: AuthedRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写退回原因")
        return redirect("benefits:claim_detail", pk=claim.pk)
    try:
        services.claim_return(claim=claim, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, "不能退回：" + _error_text(exc))
    else:
        messages.success(request, "已退回镇/农场")
    return redirect("benefits:claim_detail", pk=claim.pk)


# --- pensions and the estimate -------------------------------------------------------------------------


@permission_required("benefits.view_pension", raise_exception=True)
@require_GET
def pension_list(request: AuthedRequest) -> HttpResponse:
    qs = Pension.objects.in_scope(request.user).select_related("person__town").order_by("-start_month", "pk")
    filterset = PensionFilter(request.GET, queryset=qs, request=request)
    return _render(request, "benefits/pension_list.html", {"filter": filterset, "page": paginate(request, filterset.qs)})


def _pension(request: AuthedRequest, pk: int) -> Pension:
    qs = Pension.objects.in_scope(request.user).select_related("person__town", "person__village", "claim",
                                                                 "decided_by")
    return get_object_or_404(qs, pk=pk)


@permission_required("benefits.view_pension", raise_exception=True)
@require_GET
def pension_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    pension = _pension(request, pk)
    access_log_record(user=request.user, obj=pension.person, label=pension.person.name, action="查看养老金待遇",
                      request=request)
    context = selectors.person_benefits(person=pension.person, today=timezone.localdate())
    return _render(request, "benefits/pension_detail.html", {
        **context, "person": pension.person, "lifecycle": lifecycle_selectors.person_lifecycle(pension.person),
        "pension_history": pension.history.select_related("history_user")[:20], "cert_form": CertificationForm(),
    })


@permission_required("benefits.view_pension", raise_exception=True)
@require_GET
def pension_payments(request: AuthedRequest, pk: int) -> HttpResponse:
    pension = _pension(request, pk)
    access_log_record(user=request.user, obj=pension.person, label=pension.person.name, action="查看发放记录",
                      request=request)
    return _render(request, "benefits/pension_payments.html", {
        "pension": pension, "person": pension.person, "page": paginate(request, selectors.pension_lines(pension)),
    })


@permission_required("benefits.view_pension", raise_exception=True)
@require_GET
def pension_sheet(request: AuthedRequest, pk: int) -> HttpResponse:
    pension = _pension(request, pk)
    access_log_record(user=request.user, obj=pension.person, label=pension.person.name, action="打印养老金计算表",
                      request=request)
    return exports.pdf_response(reports.pension_sheet_pdf(pension, viewer=request.user), f"养老金计算表_{pension.person.name}.pdf")


@permission_required("benefits.view_benefitclaim", raise_exception=True)
@require_GET
def person_estimate(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.in_scope(request.user).select_related("town"), pk=pk)
    access_log_record(user=request.user, obj=person, label=person.name, action="待遇测算", request=request)
    form = EstimateForm(request.GET or None)
    start = form.cleaned_data["start"] if form.is_valid() else None
    context = selectors.person_benefits(person=person, today=timezone.localdate(), start=start)
    return _render(request, "benefits/person_estimate.html", {**context, "person": person, "form": form})


# --- go-live import of pensioners ---------------------------------------------------------------------------


def _import_jobs(request: AuthedRequest):
    return JobRun.objects.filter(kind=services.IMPORT_JOB).select_related("started_by")


@permission_required("benefits.import_pensioners", raise_exception=True)
@require_http_methods(["GET", "POST"])
def pensioner_import(request: AuthedRequest) -> HttpResponse:
    form = XlsxUploadForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        job = services.pensioners_import_start(upload=form.cleaned_data["file"], by=request.user)
        messages.info(request, "文件已上传，正在校验和导入；完成后可查看结果")
        return redirect("org:import_result", pk=job.pk)
    return _render(request, "benefits/pensioner_import.html", {"form": form, "jobs": _import_jobs(request)[:10]})


@permission_required("benefits.import_pensioners", raise_exception=True)
@require_GET
def pensioner_import_template(request: AuthedRequest) -> HttpResponse:
    content = template_bytes(services.PENSIONER_HEADERS, services.PENSIONER_EXAMPLE)
    return exports.file_response(content, "待遇领取人员导入模板.xlsx", exports.XLSX_TYPE)


# --- the monthly payroll ----------------------------------------------------------------------------------


def _payroll_list(request: AuthedRequest, form: PayrollStartForm) -> HttpResponse:
    runs = PayrollRun.objects.select_related("generated_by", "reviewed_by", "closed_by")
    return _render(request, "benefits/payroll_list.html", {
        "page": paginate(request, runs), "jobs": selectors.payroll_jobs(kinds=services.PAYROLL_JOB_KINDS, limit=8),
        "form": form,
    })


@permission_required("benefits.view_payrollrun", raise_exception=True)
@require_GET
def payroll_list(request: AuthedRequest) -> HttpResponse:
    return _payroll_list(request, PayrollStartForm(initial={"month": periods.month_start(timezone.localdate())}))


@permission_required("benefits.generate_payroll", raise_exception=True)
@require_POST
def payroll_start(request: AuthedRequest) -> HttpResponse:
    form = PayrollStartForm(request.POST)
    if form.is_valid():
        try:
            job = services.payroll_start(month=form.cleaned_data["month"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.info(request, f"已开始生成{periods.format_month(form.cleaned_data['month'])}的发放明细")
            return redirect("org:jobrun_detail", pk=job.pk)
    return _payroll_list(request, form)


def _run(pk: int) -> PayrollRun:
    return get_object_or_404(PayrollRun.objects.select_related("generated_by", "reviewed_by", "exported_by",
                                                               "closed_by"), pk=pk)


@permission_required("benefits.view_payrollrun", raise_exception=True)
@require_GET
def payroll_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    lines = PayrollLine.objects.in_scope(request.user).filter(run=run).select_related("person", "town")
    jobs = list(selectors.run_jobs(run, kinds=[services.EXPORT_JOB, services.CLOSE_JOB])[:5])
    changes = list(run.status_changes.select_related("by"))
    filterset = PayrollLineFilter(request.GET, queryset=lines.order_by("town__sort_order", "town_id", "pk"),
                                  request=request)
    return _render(request, "benefits/payroll_detail.html", {
        "run": run, "summary": selectors.run_summary(run), "filter": filterset,
        "page": paginate(request, filterset.qs), "files": run.bank_files.all(),
        "changes": changes, "review_form": ReviewForm(),
        "run_jobs": jobs,
        "actions": selectors.run_actions(run, request.user, changes=changes, jobs=jobs, export_kind=services.EXPORT_JOB),
        "no_account": lines.filter(status=PayrollLine.Status.PENDING, bank_account="").count(),
    })


@permission_required("benefits.review_payroll", raise_exception=True)
@require_POST
def payroll_review(request: AuthedRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    form = ReviewForm(request.POST)
    try:
        services.payroll_review(run=run, by=request.user, note=form.data.get("note", "")[:200])
    except ValidationError as exc:
        messages.error(request, "不能复核：" + _error_text(exc))
    else:
        messages.success(request, f"{run}已复核，可导出银行文件")
    return redirect("benefits:payroll_detail", pk=run.pk)


@permission_required("benefits.export_payroll", raise_exception=True)
@require_POST
def payroll_export(request: AuthedRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    try:
        job = services.payroll_export_start(run=run, by=request.user)
    except ValidationError as exc:
        messages.error(request, "不能导出：" + _error_text(exc))
        return redirect("benefits:payroll_detail", pk=run.pk)
    messages.info(request, f"正在导出{run}的银行文件；完成后可在发放页面下载")
    return redirect("org:jobrun_detail", pk=job.pk)


@permission_required("benefits.view_payrollrun", raise_exception=True)
@require_GET
def bankfile_download(request: AuthedRequest, pk: int) -> HttpResponse:
    """A bank file lists full 身份证号 and accounts: the bank needs them (masking does not apply); logged."""
    bank_file = get_object_or_404(PayrollBankFile.objects.select_related("run"), pk=pk)
    return serve_stored_file(request, record=bank_file, field_file=bank_file.file,
                             filename=f"{bank_file.run.month:%Y-%m}_{bank_file.bank_name}_代发.xlsx",
                             label=f"{bank_file.run.month:%Y-%m} {bank_file.bank_name} 代发文件（含完整身份证号、账号）")


@permission_required("benefits.close_payroll", raise_exception=True)
@require_GET
def payroll_return_template(request: AuthedRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    services.return_template_bytes(run)  # stores it for a run exported before templates were stored
    return serve_stored_file(request, record=run, field_file=run.return_template,
                             filename=f"{run.month:%Y-%m}_银行回盘模板.xlsx",
                             label=f"{run.month:%Y-%m} 银行回盘模板（含完整身份证号、账号）")


@permission_required("benefits.close_payroll", raise_exception=True)
@require_http_methods(["GET", "POST"])
def payroll_close(request: AuthedRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    form = ReturnUploadForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        try:
            job = services.payroll_close_start(run=run, upload=form.cleaned_data["file"], by=request.user,
                                               paid_on=form.cleaned_data["paid_on"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.info(request, "回盘文件已上传，正在核对和入账")
            return redirect("org:jobrun_detail", pk=job.pk)
    return _render(request, "benefits/payroll_close.html", {"run": run, "form": form,
                                                           "headers": reports.RETURN_HEADERS})
