"""Pages of the benefit lifecycle: certification lists, deaths and the heirs' settlement, suspension
requests, recovery cases. Thin: scope, validate, call a service or selector, render."""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrollment.models import Person
from linggao_pension import exports
from linggao_pension.files import serve_stored_file
from linggao_pension.forms_layout import apply_refusal
from linggao_pension.imports import template_bytes
from linggao_pension.org.access import require_perm
from linggao_pension.org.models import JobRun
from linggao_pension.org.services import access_log_download, access_log_record
from linggao_pension.pagination import paginate
from linggao_pension.types import AuthedRequest
from linggao_pension.workflow_views import OpinionForm, review_context, review_step

from . import lifecycle_selectors as sel
from . import reports
from .forms import XlsxUploadForm
from .lifecycle_forms import (
    CertificationForm,
    DeathEditForm,
    DeathForm,
    HeirsForm,
    OtherPensionEndForm,
    OtherPensionForm,
    PayeeForm,
    PayeeStatusForm,
    ProgrammeForm,
    RecoveryActionForm,
    ResumptionForm,
    SuspensionRequestForm,
)
from .models import (
    DeathReport,
    DelegatedPayee,
    DelegatedProgramme,
    HeirSettlement,
    OtherPensionRecord,
    Pension,
    RecoveryCase,
    SuspensionRequest,
)
from .services import certification, death, delegated, other_pension, recovery, suspension


def _error(exc) -> str:
    return "；".join(getattr(exc, "messages", None) or [str(exc)])


def _try(request, action, done: str) -> bool:
    try:
        action()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error(exc))
        return False
    messages.success(request, done)
    return True


# --- certification ---------------------------------------------------------------------------------


@permission_required("benefits.view_certification", raise_exception=True)
@require_GET
def certification_list(request: AuthedRequest) -> HttpResponse:
    filterset, rows = sel.certification_rows(request)
    return render(request, "benefits/lifecycle/certification_list.html",
                  {"filter": filterset, "page": paginate(request, rows), "today": timezone.localdate()})


@permission_required("benefits.view_certification", raise_exception=True)
@require_GET
def certification_export(request: AuthedRequest) -> HttpResponse:
    filterset, rows = sel.certification_rows(request)
    rows = list(rows[:20000])
    access_log_download(user=request.user, object_type="benefits.certification_list", object_id="",
                        label=f"领取资格认证名单（{len(rows)} 人）", request=request)
    content = reports.certification_workbook(rows, today=timezone.localdate())
    return exports.file_response(content, "领取资格认证名单.xlsx", exports.XLSX_TYPE)


@permission_required("benefits.record_certification", raise_exception=True)
@require_POST
def certification_record(request: AuthedRequest, pk: int) -> HttpResponse:
    pension = get_object_or_404(Pension.objects.in_scope(request.user), pk=pk)
    form = CertificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写认证日期和认证方式")
    else:
        _try(request, lambda: certification.certification_record(pension=pension, by=request.user,
                                                                 **form.cleaned_data), "已录入领取资格认证")
    return redirect("benefits:pension_detail", pk=pension.pk)


@permission_required("benefits.import_certifications", raise_exception=True)
@require_http_methods(["GET", "POST"])
def certification_import(request: AuthedRequest) -> HttpResponse:
    """What `import_certifications FILE.xlsx` does, as a job: all or nothing, the result on org:import_result."""
    form = XlsxUploadForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        job = certification.certifications_import_start(upload=form.cleaned_data["file"], by=request.user)
        messages.info(request, "文件已上传，正在校验和导入；完成后可查看结果")
        return redirect("org:import_result", pk=job.pk)
    jobs = JobRun.objects.filter(kind=certification.CERT_IMPORT_JOB).select_related("started_by")[:10]
    return render(request, "benefits/lifecycle/certification_import.html", {"form": form, "jobs": jobs})


@permission_required("benefits.import_certifications", raise_exception=True)
@require_GET
def certification_import_template(request: AuthedRequest) -> HttpResponse:
    content = template_bytes(certification.CERT_HEADERS, certification.CERT_EXAMPLE)
    return exports.file_response(content, "领取资格认证结果导入模板.xlsx", exports.XLSX_TYPE)


# --- death -------------------------------------------------------------------------------------------------


@permission_required("benefits.view_deathreport", raise_exception=True)
@require_GET
def death_list(request: AuthedRequest) -> HttpResponse:
    filterset, qs = sel.death_reports(request)
    return render(request, "benefits/lifecycle/death_list.html", {"filter": filterset, "page": paginate(request, qs)})


@permission_required("benefits.record_death", raise_exception=True)
@require_http_methods(["GET", "POST"])
def death_create(request: AuthedRequest) -> HttpResponse:
    form = DeathForm(request.POST or None)
    if form.is_valid():
        data = form.cleaned_data
        person = Person.objects.in_scope(request.user).filter(id_number=data["id_number"]).first()
        if person is None:
            form.add_error("id_number", "本镇/农场没有该身份证号的参保人")
        else:
            try:
                report = death.death_record(person=person, death_date=data["death_date"], source=data["source"],
                                            by=request.user, note=data["note"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"已登记{person.name}的死亡，待县局复核")
                return redirect("benefits:death_detail", pk=report.pk)
    return render(request, "benefits/lifecycle/death_form.html", {"form": form})


def _deaths(request):
    return DeathReport.objects.in_scope(request.user).select_related("person", "town", "created_by", "reviewed_by")


def _death(request, pk: int) -> DeathReport:
    return get_object_or_404(_deaths(request), pk=pk)


@permission_required("benefits.view_deathreport", raise_exception=True)
@require_GET
def death_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _death(request, pk)
    access_log_record(user=request.user, obj=report.person, label=report.person.name, action="查看死亡登记",
                      request=request)
    return _death_page(request, report)


def _death_page(request: AuthedRequest, report: DeathReport, opinion_form: OpinionForm | None = None, *,
                heirs_form: HeirsForm | None = None, status: int = 200) -> HttpResponse:
    """The death page; a bound form when a step or the heirs' details were refused (errors at their
    fields). A fresh heirs' form repeats the name, relation and bank, never the ID number or the account."""
    context = sel.death_page(report, request.user)
    settlement = context["settlement"]
    if heirs_form is None:
        heirs_form = HeirsForm(initial={f: getattr(settlement, f) for f in ("heir_name", "heir_relation", "heir_bank_name")}
                               if settlement else None)
    return render(request, "benefits/lifecycle/death_detail.html",
                  {**context, **review_context(report, request.user, "benefits:death", opinion_form), "heirs_form": heirs_form},
                  status=status)


@require_POST
def death_review(request: AuthedRequest, pk: int, to: str) -> HttpResponse:
    """One review step (workflow_views.review_paths): resubmit, approve, return, withdraw."""
    return review_step(request, queryset=_deaths(request), pk=pk, to=to, page=_death_page,
                       detail_url="benefits:death_detail")


@permission_required("benefits.record_death", raise_exception=True)
@require_http_methods(["GET", "POST"])
def death_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Correct a returned report (death date, source, note), then resubmit it from its page."""
    report = _death(request, pk)
    form = DeathEditForm(request.POST or None, initial={f: getattr(report, f) for f in DeathEditForm.base_fields})
    if form.is_valid():
        try:
            death.death_update(report=report, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, "已保存修改，核对无误后请重新提交县局复核")
            return redirect("benefits:death_detail", pk=report.pk)
    return render(request, "benefits/lifecycle/death_form.html", {"form": form, "report": report})


@permission_required("benefits.record_death", raise_exception=True)
@require_POST
def settlement_heirs(request: AuthedRequest, pk: int) -> HttpResponse:
    settlement = get_object_or_404(HeirSettlement.objects.in_scope(request.user), pk=pk)
    form = HeirsForm(request.POST)
    if form.is_valid():
        try:
            death.settlement_heirs_set(settlement=settlement, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)  # a refusal by field lands at that field
        else:
            messages.success(request, "已登记继承人，下次月度发放时一次性支付")
            return redirect("benefits:death_detail", pk=settlement.death_id)
    return _death_page(request, _death(request, settlement.death_id), heirs_form=form, status=400)


@permission_required("benefits.view_heirsettlement", raise_exception=True)
@require_GET
def settlement_sheet(request: AuthedRequest, pk: int) -> HttpResponse:
    settlement = get_object_or_404(HeirSettlement.objects.in_scope(request.user).select_related("person", "death"),
                                   pk=pk)
    access_log_record(user=request.user, obj=settlement.person, label=settlement.person.name,
                      action="打印继承结算表", request=request)
    return exports.pdf_response(reports.settlement_sheet_pdf(settlement, viewer=request.user), f"继承结算表_{settlement.person.name}.pdf")


# --- recovery ----------------------------------------------------------------------------------------------


@permission_required("benefits.view_recoverycase", raise_exception=True)
@require_GET
def recovery_list(request: AuthedRequest) -> HttpResponse:
    filterset, qs = sel.recovery_cases(request)
    return render(request, "benefits/lifecycle/recovery_list.html",
                  {"filter": filterset, "page": paginate(request, qs), "overdue": sel.overdue_instalments(request.user)[:50]})


def _case(request, pk: int) -> RecoveryCase:
    return get_object_or_404(RecoveryCase.objects.in_scope(request.user).select_related("person", "pension"), pk=pk)


@permission_required("benefits.view_recoverycase", raise_exception=True)
@require_GET
def recovery_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    access_log_record(user=request.user, obj=case.person, label=case.person.name, action="查看追回案件",
                      request=request)
    return render(request, "benefits/lifecycle/recovery_detail.html", sel.recovery_page(case, request.user))


RECOVERY_STEPS = {
    "verify": lambda case, by, d: recovery.recovery_verify(case=case, by=by, amount=d["amount"], note=d["note"]),
    "notify": lambda case, by, d: recovery.recovery_notify(case=case, by=by, repay_by=d["on"] or date.max, note=d["note"]),
    "repay": lambda case, by, d: recovery.recovery_repay(case=case, by=by, amount=d["amount"] or Decimal(0),
                                                         on=d["on"] or timezone.localdate(), note=d["note"]),
    "instalments": lambda case, by, d: recovery.recovery_instalments_set(case=case, by=by, count=d["count"] or 0,
                                                                         first_due=d["on"] or timezone.localdate()),
    "offset": lambda case, by, d: recovery.recovery_offset_set(case=case, by=by, monthly=d["amount"] or Decimal(0)),
    "write_off": lambda case, by, d: recovery.recovery_write_off_request(case=case, by=by, reason=d["note"]),
    "approve_write_off": lambda case, by, d: recovery.recovery_write_off_approve(case=case, by=by, note=d["note"]),
    "reject_write_off": lambda case, by, d: recovery.recovery_write_off_reject(case=case, by=by, note=d["note"]),
    "fraud": lambda case, by, d: recovery.recovery_fraud_flag(case=case, by=by, fine_multiple=d["amount"],
                                                              police_referred=True, note=d["note"]),
    "close": lambda case, by, d: recovery.recovery_close(case=case, by=by, note=d["note"]),
}


# who may do a step: 核销 is approved or refused by a manager (局领导), every other step by who manages cases
RECOVERY_STEP_PERMS = {"approve_write_off": "benefits.approve_writeoff", "reject_write_off": "benefits.approve_writeoff"}


@permission_required("benefits.view_recoverycase", raise_exception=True)
@require_POST
def recovery_step(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    if step not in RECOVERY_STEPS:
        raise Http404("没有这个办理步骤")
    require_perm(request.user, RECOVERY_STEP_PERMS.get(step, recovery.MANAGE))  # 403 before the lookup
    case = _case(request, pk)
    form = RecoveryActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请检查填写的金额、日期和期数")
    else:
        _try(request, lambda: RECOVERY_STEPS[step](case, request.user, form.cleaned_data), "已办理")
    return redirect("benefits:recovery_detail", pk=case.pk)


@permission_required("benefits.view_recoverycase", raise_exception=True)
@require_GET
def recovery_notice(request: AuthedRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if not case.notice_no:
        messages.error(request, "尚未责令退回，没有通知书")
        return redirect("benefits:recovery_detail", pk=case.pk)
    access_log_record(user=request.user, obj=case.person, label=case.person.name, action="打印责令退回通知书",
                      request=request)
    return exports.pdf_response(reports.recovery_notice_pdf(case), f"责令退回通知书_{case.notice_no}.pdf")


# --- suspension and resumption requests (1202 服刑, 1299 其他; town → county review) ---------------------


@permission_required("benefits.view_suspensionrequest", raise_exception=True)
@require_GET
def suspension_request_list(request: AuthedRequest) -> HttpResponse:
    filterset, qs = sel.suspension_requests(request)
    return render(request, "benefits/lifecycle/suspension_list.html", {"filter": filterset, "page": paginate(request, qs)})


@permission_required("benefits.request_suspension", raise_exception=True)
@require_http_methods(["GET", "POST"])
def suspension_request_create(request: AuthedRequest, pk: int) -> HttpResponse:
    pension = get_object_or_404(Pension.objects.in_scope(request.user).select_related("person"), pk=pk)
    form = SuspensionRequestForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = suspension.suspension_request(
                pension=pension, reason_code=data["reason_code"], by=request.user, start_month=data["start_month"],
                evidence=data["evidence"], note=data["note"], evidence_file=data["evidence_file"])
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, f"已提交{pension.person.name}的暂停领取申请，待县局复核")
            return redirect("benefits:suspension_request_detail", pk=record.pk)
    return render(request, "benefits/lifecycle/suspension_form.html",
                  {"form": form, "pension": pension, "person": pension.person, "action": "suspend",
                   "open": sel.open_suspension(pension)})


@permission_required("benefits.request_suspension", raise_exception=True)
@require_http_methods(["GET", "POST"])
def resumption_request_create(request: AuthedRequest, pk: int) -> HttpResponse:
    pension = get_object_or_404(Pension.objects.in_scope(request.user).select_related("person"), pk=pk)
    current = sel.open_suspension(pension)
    form = ResumptionForm(request.POST or None, request.FILES or None)
    if current is None:
        if request.method == "POST":
            messages.error(request, "该养老金不在暂停领取中，无需申请恢复发放")
    elif form.is_valid():
        data = form.cleaned_data
        try:
            record = suspension.resumption_request(
                suspension=current, by=request.user, resume_month=data["resume_month"], backpay=data["backpay"],
                evidence=data["evidence"], note=data["note"], evidence_file=data["evidence_file"])
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, f"已提交{pension.person.name}的恢复发放申请，待县局复核")
            return redirect("benefits:suspension_request_detail", pk=record.pk)
    return render(request, "benefits/lifecycle/suspension_form.html",
                  {"form": form, "pension": pension, "person": pension.person, "action": "resume", "open": current})


def _suspension_requests(request):
    return SuspensionRequest.objects.in_scope(request.user).select_related("pension__person", "town", "suspension",
                                                                          "created_by", "reviewed_by")


def _suspension_request(request, pk: int) -> SuspensionRequest:
    return get_object_or_404(_suspension_requests(request), pk=pk)


@permission_required("benefits.view_suspensionrequest", raise_exception=True)
@require_GET
def suspension_request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    record = _suspension_request(request, pk)
    person = record.pension.person
    access_log_record(user=request.user, obj=person, label=person.name, action="查看暂停/恢复领取申请",
                      request=request)
    return _suspension_page(request, record)


def _suspension_page(request: AuthedRequest, record: SuspensionRequest, opinion_form: OpinionForm | None = None):
    return render(request, "benefits/lifecycle/suspension_detail.html", {
        **sel.suspension_request_page(record, request.user),
        **review_context(record, request.user, "benefits:suspension_request", opinion_form),
    })


@require_POST
def suspension_request_review(request: AuthedRequest, pk: int, to: str) -> HttpResponse:
    """One review step (workflow_views.review_paths): resubmit, approve, return, withdraw."""
    return review_step(request, queryset=_suspension_requests(request), pk=pk, to=to, page=_suspension_page,
                       detail_url="benefits:suspension_request_detail")


@permission_required("benefits.request_suspension", raise_exception=True)
@require_http_methods(["GET", "POST"])
def suspension_request_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Correct a returned request (the same form as filing it), then resubmit it from its page."""
    record = _suspension_request(request, pk)
    resume = record.action == record.Action.RESUME
    form_class, month = (ResumptionForm, "resume_month") if resume else (SuspensionRequestForm, "start_month")
    initial = {month: record.month, **{f: getattr(record, f) for f in ("reason_code", "backpay", "evidence", "note")}}
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    if form.is_valid():
        data = {**form.cleaned_data, "month": form.cleaned_data[month]}
        del data[month]
        try:
            suspension.suspension_request_update(request=record, by=request.user, **data)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, "已保存修改，核对无误后请重新提交县局复核")
            return redirect("benefits:suspension_request_detail", pk=record.pk)
    return render(request, "benefits/lifecycle/suspension_form.html", {
        "form": form, "record": record, "pension": record.pension, "person": record.pension.person,
        "action": record.action, "open": record.suspension if resume else sel.open_suspension(record.pension)})


@permission_required("benefits.view_suspensionrequest", raise_exception=True)
@require_GET
def suspension_request_evidence(request: AuthedRequest, pk: int) -> HttpResponse:
    record = _suspension_request(request, pk)
    name = record.evidence_file.name or ""
    extension = name.rsplit(".", 1)[-1] if "." in name else "pdf"
    return serve_stored_file(request, record=record.pension.person, field_file=record.evidence_file,
                             filename=f"证明材料_{record.pk}.{extension}", label=f"暂停/恢复领取申请 #{record.pk} 证明材料",
                             perm="benefits.view_suspensionrequest", town_id=record.town_id, inline=True)


# --- delegated payments (代发, R22) -----------------------------------------------------------------------


@permission_required("benefits.view_delegatedprogramme", raise_exception=True)
@require_GET
def programme_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "benefits/lifecycle/programme_list.html",
                  {"programmes": sel.delegated_programmes(request.user)})


def _programme_form(request, programme: DelegatedProgramme | None) -> HttpResponse:
    initial = {} if programme is None else {f: getattr(programme, f) for f in ("code", "name", "rule", "amount", "note",
                                                                               "active")}
    form = ProgrammeForm(request.POST or None, initial=initial)
    if form.is_valid():
        try:
            saved = delegated.programme_save(by=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, f"已保存代发项目“{saved.name}”")
            return redirect("benefits:programme_detail", pk=saved.pk)
    return render(request, "benefits/lifecycle/programme_form.html", {"form": form, "programme": programme})


@permission_required("benefits.manage_delegated", raise_exception=True)
@require_http_methods(["GET", "POST"])
def programme_create(request: AuthedRequest) -> HttpResponse:
    return _programme_form(request, None)


@permission_required("benefits.manage_delegated", raise_exception=True)
@require_http_methods(["GET", "POST"])
def programme_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _programme_form(request, get_object_or_404(DelegatedProgramme, pk=pk))


@permission_required("benefits.view_delegatedpayee", raise_exception=True)
@require_GET
def programme_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(DelegatedProgramme, pk=pk)
    filterset, qs = sel.delegated_payees(request, programme)
    return render(request, "benefits/lifecycle/programme_detail.html", {
        "programme": programme, "filter": filterset, "page": paginate(request, qs), "status_form": PayeeStatusForm(),
    })


@permission_required("benefits.manage_delegated", raise_exception=True)
@require_http_methods(["GET", "POST"])
def payee_add(request: AuthedRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(DelegatedProgramme, pk=pk)
    form = PayeeForm(request.POST or None, initial={"start_month": timezone.localdate().replace(day=1)})
    if form.is_valid():
        data = form.cleaned_data
        person = Person.objects.in_scope(request.user).filter(id_number=data["id_number"]).first()
        if person is None:
            form.add_error("id_number", "没有该身份证号的参保人，请先办理参保登记")
        else:
            try:
                delegated.payee_add(programme=programme, person=person, service_years=data["service_years"],
                                    start_month=data["start_month"], by=request.user, note=data["note"])
            except ValidationError as exc:
                apply_refusal(form, exc)
            else:
                messages.success(request, f"已新增代发对象{person.name}，待其他县局经办员复核后发放")
                return redirect("benefits:programme_detail", pk=programme.pk)
    return render(request, "benefits/lifecycle/payee_form.html", {"form": form, "programme": programme})


def _payee(request, pk: int) -> DelegatedPayee:
    return get_object_or_404(DelegatedPayee.objects.in_scope(request.user).select_related("programme", "person"), pk=pk)


@permission_required("benefits.manage_delegated", raise_exception=True)
@require_POST
def payee_confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    payee = _payee(request, pk)
    _try(request, lambda: delegated.payee_confirm(payee=payee, by=request.user), f"已复核：{payee.person.name}正常发放")
    return redirect("benefits:programme_detail", pk=payee.programme_id)


@permission_required("benefits.manage_delegated", raise_exception=True)
@require_POST
def payee_status(request: AuthedRequest, pk: int) -> HttpResponse:
    payee = _payee(request, pk)
    form = PayeeStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    else:
        _try(request, lambda: delegated.payee_status_set(payee=payee, by=request.user, **form.cleaned_data),
             f"已变更{payee.person.name}的发放状态")
    return redirect("benefits:programme_detail", pk=payee.programme_id)


# --- R7: already receives another basic state pension ------------------------------------------------------


def _other_pension_render(request, person, form, end_form=None, end_pk=None) -> HttpResponse:
    return render(request, "benefits/lifecycle/other_pension.html", {
        "person": person, "form": form, "pension": Pension.objects.filter(person=person).first(),
        "records": OtherPensionRecord.objects.filter(person=person).select_related("recorded_by", "ended_by"),
        "end_form": end_form, "end_pk": end_pk, "blank_end_form": OtherPensionEndForm(),
    })


@permission_required("benefits.view_otherpensionrecord", raise_exception=True)
@require_GET
def other_pension_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The person's records of another basic state pension, and the form a clerk records one with."""
    person = get_object_or_404(Person.objects.in_scope(request.user), pk=pk)
    return _other_pension_render(request, person, OtherPensionForm())


@permission_required("benefits.add_otherpensionrecord", raise_exception=True)
@require_POST
def other_pension_record(request: AuthedRequest, pk: int) -> HttpResponse:
    """A claim is then refused; a pension being paid is suspended (1299) from that month."""
    person = get_object_or_404(Person.objects.in_scope(request.user), pk=pk)
    form = OtherPensionForm(request.POST)
    if form.is_valid():
        try:
            other_pension.other_pension_record(person=person, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, f"已登记{person.name}领取其他基本养老保障待遇；在发的养老金已暂停领取（1299）")
            return redirect("benefits:other_pension", pk=person.pk)
    return _other_pension_render(request, person, form)


@permission_required("benefits.add_otherpensionrecord", raise_exception=True)
@require_POST
def other_pension_end(request: AuthedRequest, pk: int) -> HttpResponse:
    """The other pension ended (its last month and why): the pension is paid again from the next month."""
    record = get_object_or_404(OtherPensionRecord.objects.select_related("person").filter(
        person__in=Person.objects.in_scope(request.user)), pk=pk)  # another town's record: 404
    form = OtherPensionEndForm(request.POST)
    if form.is_valid():
        try:
            ended = other_pension.other_pension_end(record=record, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            refund = f"；追回案件已追回金额多于应追回 {ended.refund} 元，应退还本人" if ended.refund else ""
            messages.success(request, f"已登记{record.scheme}终止领取；自次月起恢复发放（如有因此暂停的养老金）{refund}")
            return redirect("benefits:other_pension", pk=record.person_id)
    return _other_pension_render(request, record.person, OtherPensionForm(), form, record.pk)
