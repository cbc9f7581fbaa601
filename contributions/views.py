"""Thin views: scope the object, validate the input, call a service or a selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrollment.models import Person
from linggao_pension import exports, imports
from linggao_pension.files import serve_stored_file
from linggao_pension.forms_layout import apply_refusal
from linggao_pension.org.models import JobRun
from linggao_pension.org.services import access_log_record
from linggao_pension.pagination import paginate, paginate_keyset
from linggao_pension.types import AuthedRequest

from . import reports, selectors, services
from .filters import ReceiptFilter, RemittanceFilter, SpecialCreditFilter
from .forms import (
    BackpayForm,
    ImportForm,
    MonthForm,
    PayerSearchForm,
    ReasonForm,
    ReceiptForm,
    ReviewForm,
    SpecialCreditForm,
    VoucherForm,
    YearForm,
)
from .models import AccountEntry, Receipt, Remittance, SpecialCredit


def _error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# --- Landing page -----------------------------------------------------------------------------------


@permission_required("contributions.view_accountentry", raise_exception=True)
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    return render(request, "contributions/index.html", selectors.dashboard(user=request.user))


@permission_required("contributions.view_accountentry", raise_exception=True)
@require_POST
def account_search(request: AuthedRequest) -> HttpResponse:
    """By POST: the 身份证号 never appears in a URL (server and proxy logs keep URLs)."""
    id_number = request.POST.get("id_number", "").strip().upper()[:18]
    person = Person.objects.in_scope(request.user).filter(id_number=id_number).only("pk").first()
    if person is None:
        messages.error(request, "未找到该身份证号的参保人（或不属于您所在的镇/农场）")
        return redirect("contributions:index")
    return redirect("contributions:account_detail", person_pk=person.pk)


# --- Receipts -----------------------------------------------------------------------------------------


@permission_required("contributions.view_receipt", raise_exception=True)
@require_GET
def receipt_list(request: AuthedRequest) -> HttpResponse:
    qs = Receipt.objects.in_scope(request.user).select_related("person", "town", "collected_by")
    filterset = ReceiptFilter(request.GET, queryset=qs, request=request)
    page = paginate_keyset(request, filterset.qs, "paid_on")
    only_person, only_remittance = (filterset.form.cleaned_data.get(k) for k in ("person", "remittance"))
    return render(
        request,
        "contributions/receipt_list.html",
        {
            "filter": filterset,
            "page": page,
            "can_confirm": request.user.has_perm("contributions.confirm_receipt"),
            "only_person": Person.objects.in_scope(request.user).filter(pk=only_person).first() if only_person else None,
            "only_remittance": Remittance.objects.filter(pk=only_remittance).first() if only_remittance else None,
        },
    )


@permission_required("contributions.add_receipt", raise_exception=True)
@require_http_methods(["GET", "POST"])
def receipt_create(request: AuthedRequest) -> HttpResponse:
    """登记缴费 in two steps on one page: find the payer (身份证号 or name; only 正常参保 persons of the
    user's town can be chosen), then the year, grade and date of the payment."""
    persons = Person.objects.in_scope(request.user).select_related("town", "village")
    # The payer search is a POST too (field q), so a 身份证号 never appears in a URL; a choice is ?person=<pk>.
    searching = request.method == "POST" and "q" in request.POST
    paying = request.method == "POST" and not searching
    form = ReceiptForm(request.POST if paying else None, persons=persons,
                       initial={"person": request.GET.get("person", "")})
    if paying and form.is_valid():
        try:
            receipt = services.receipt_record(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已登记缴费，票据号 {receipt.receipt_no}，请打印票据交缴费人。")
            return redirect("contributions:receipt_detail", pk=receipt.pk)
    search_form, results = PayerSearchForm(request.POST if searching else None), None
    if search_form.is_valid():
        results = selectors.payer_search(persons=persons, q=search_form.cleaned_data["q"])
        if (exact := selectors.payer_exact(results, search_form.cleaned_data["q"])) is not None:
            return redirect(reverse("contributions:receipt_create") + f"?person={exact.pk}")
    payer, payer_errors = form.payer()
    return render(request, "contributions/receipt_form.html", {
        "form": form, "search_form": search_form, "results": results, "payer_errors": payer_errors,
        "payer": selectors.payer_summary(person=payer) if payer else None,
    })


@permission_required("contributions.view_receipt", raise_exception=True)
@require_GET
def receipt_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    receipt = get_object_or_404(
        Receipt.objects.in_scope(request.user).select_related(
            "person", "town", "collected_by", "confirmed_by", "voided_by", "remittance"
        ),
        pk=pk,
    )
    access_log_record(user=request.user, obj=receipt.person, label=receipt.person.name, action="查看缴费票据", request=request)
    return render(
        request,
        "contributions/receipt_detail.html",
        {
            "receipt": receipt,
            "entries": receipt.entries.order_by("pk"),
            "void_form": ReasonForm(),
            **selectors.receipt_actions(receipt=receipt, user=request.user),
        },
    )


@permission_required("contributions.view_receipt", raise_exception=True)
@require_GET
def receipt_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    receipt = get_object_or_404(
        Receipt.objects.in_scope(request.user).select_related("person", "town", "collected_by", "confirmed_by"),
        pk=pk,
    )
    access_log_record(user=request.user, obj=receipt.person, label=receipt.person.name, action="打印缴费票据", request=request)
    return exports.pdf_response(reports.receipt_pdf(receipt, viewer=request.user), f"缴费票据_{receipt.receipt_no}.pdf")


@permission_required("contributions.void_receipt", raise_exception=True)
@require_POST
def receipt_void(request: AuthedRequest, pk: int) -> HttpResponse:
    receipt = get_object_or_404(Receipt.objects.in_scope(request.user), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "作废必须填写原因")
    else:
        try:
            services.receipt_void(receipt=receipt, reason=form.cleaned_data["reason"], by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, f"票据 {receipt.receipt_no} 已作废。")
    return redirect("contributions:receipt_detail", pk=receipt.pk)


@permission_required("contributions.confirm_receipt", raise_exception=True)
@require_POST
def receipt_confirm(request: AuthedRequest) -> HttpResponse:
    try:
        ids = [int(v) for v in request.POST.getlist("receipt")]
    except ValueError:
        raise Http404 from None
    try:
        confirmed = services.receipt_confirm_batch(receipt_ids=ids, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"已确认 {len(confirmed)} 张票据，保费已记入个人账户。")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("contributions:receipt_list") + "?status=collected"  # never off-site
    return redirect(next_url)


@permission_required("contributions.add_receipt", raise_exception=True)
@require_http_methods(["GET", "POST"])
def backpay_create(request: AuthedRequest, person_pk: int) -> HttpResponse:
    """补缴 of several missed years for one person in one visit (linked from the 到龄名单's
    年限不足可补缴 and the person's account): one receipt per year, all or nothing."""
    person = get_object_or_404(Person.objects.in_scope(request.user).select_related("town", "village"), pk=person_pk)
    years = selectors.backpay_years(person=person, today=timezone.localdate())
    form = BackpayForm(request.POST or None, years=years)
    if form.is_valid():
        try:
            receipts = services.receipts_record_backpay(person=person, grades=form.grades(),
                                                        paid_on=form.cleaned_data["paid_on"], by=request.user)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            numbers = "、".join(r.receipt_no for r in receipts)
            messages.success(request, f"已登记 {len(receipts)} 个年度的补缴，票据号 {numbers}，请逐张打印票据交缴费人。")
            return redirect(reverse("contributions:receipt_list") + f"?person={person.pk}")
    problem = selectors.payer_problem(person.status)
    return render(request, "contributions/backpay_form.html", {
        "form": form, "person": person, "problem": problem,
        "paid_years": selectors.payer_summary(person=person)["paid_years"],
    }, status=400 if request.method == "POST" else 200)


@permission_required("contributions.import_receipts", raise_exception=True)
@require_http_methods(["GET", "POST"])
def receipt_import(request: AuthedRequest) -> HttpResponse:
    """Upload the bank collection file: stored with its job, checked and imported after commit; the
    page lands on the one import result page (progress, then the number imported or every bad row)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        job = services.receipts_import_start(upload=form.cleaned_data["file"], by=request.user,
                                             legacy=form.cleaned_data["legacy"])
        messages.info(request, "文件已上传，正在校验和导入；完成后可查看结果")
        return redirect("org:import_result", pk=job.pk)
    jobs = (JobRun.objects.visible_to(request.user).filter(kind=services.IMPORT_JOB).select_related("started_by")
            .order_by("-created_at", "-pk"))
    return render(
        request, "contributions/receipt_import.html",
        {"form": form, "headers": services.IMPORT_HEADERS, "jobs": jobs[:10]},
    )


@permission_required("contributions.import_receipts", raise_exception=True)
@require_GET
def receipt_import_template(request: AuthedRequest) -> HttpResponse:
    content = imports.template_bytes(services.IMPORT_HEADERS, services.IMPORT_EXAMPLE)
    return exports.file_response(content, "银行代收缴费导入模板.xlsx", exports.XLSX_TYPE)


# --- The personal account -----------------------------------------------------------------------------


def person_account_section(request, person) -> dict | None:
    """The person page's 个人账户 section (the app's person_page_sections)."""
    if not request.user.has_perm("contributions.view_accountentry"):
        return None
    context = selectors.account_overview(person=person)
    context.update(
        person=person,
        can_reverse=request.user.has_perm("contributions.reverse_accountentry"),
        can_pay=request.user.has_perm("contributions.add_receipt") and not selectors.payer_problem(person.status),
        can_view_receipts=request.user.has_perm("contributions.view_receipt"),
    )
    return {"title": "个人账户", "template": "contributions/_person_account.html", "context": context}


@permission_required("contributions.view_accountentry", raise_exception=True)
@require_GET
def account_detail(request: AuthedRequest, person_pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.in_scope(request.user).select_related("town"), pk=person_pk)
    access_log_record(user=request.user, obj=person, label=person.name, action="查看个人账户", request=request)
    section = person_account_section(request, person)
    return render(request, "contributions/account_detail.html", {"person": person, **section["context"]})


@permission_required("contributions.view_accountentry", raise_exception=True)
@require_GET
def account_statement_pdf(request: AuthedRequest, person_pk: int, year: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.in_scope(request.user).select_related("town"), pk=person_pk)
    if not 1990 <= year <= timezone.localdate().year:
        raise Http404
    access_log_record(user=request.user, obj=person, label=person.name, action="打印对账单", request=request)
    return exports.pdf_response(reports.statement_pdf(person, year, viewer=request.user), f"个人账户对账单_{person.name}_{year}.pdf")


@permission_required("contributions.reverse_accountentry", raise_exception=True)
@require_http_methods(["GET", "POST"])
def entry_reverse(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(AccountEntry.objects.in_scope(request.user).select_related("person", "receipt"), pk=pk)
    form = ReasonForm(request.POST or None)
    if form.is_valid():
        try:
            services.account_entry_correct(entry=entry, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已冲正该分录。")
            return redirect("contributions:account_detail", person_pk=entry.person_id)
    return render(request, "contributions/entry_reverse.html", {"entry": entry, "form": form})


# --- Year-end batches: interest and 代缴 ------------------------------------------------------------------


@permission_required("contributions.view_interestposting", raise_exception=True)
@require_GET
def year_end(request: AuthedRequest) -> HttpResponse:
    last_year = timezone.localdate().year - 1
    return render(
        request,
        "contributions/year_end.html",
        {
            "postings": selectors.interest_postings(),
            "interest_form": YearForm(initial={"year": last_year}, prefix="interest"),
            "daijiao_form": YearForm(initial={"year": timezone.localdate().year}, prefix="daijiao"),
            "can_post_interest": request.user.has_perm("contributions.post_interest"),
            "can_post_daijiao": request.user.has_perm("contributions.post_daijiao"),
        },
    )


def _start_job(request: AuthedRequest, start, form, field: str) -> HttpResponse | None:
    """Start a batch job through its `<thing>_start` service; a refusal is shown on the page."""
    if form.is_valid():
        try:
            job = start(**{field: form.cleaned_data[field]}, by=request.user)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            return redirect("org:jobrun_detail", pk=job.pk)
    messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return None


@permission_required("contributions.post_interest", raise_exception=True)
@require_POST
def interest_start(request: AuthedRequest) -> HttpResponse:
    form = YearForm(request.POST, prefix="interest")
    return _start_job(request, services.interest_start, form, "year") or redirect("contributions:year_end")


@permission_required("contributions.post_daijiao", raise_exception=True)
@require_POST
def daijiao_start(request: AuthedRequest) -> HttpResponse:
    form = YearForm(request.POST, prefix="daijiao")
    return _start_job(request, services.daijiao_start, form, "year") or redirect("contributions:year_end")


# --- Month-end remittance ----------------------------------------------------------------------------------


@permission_required("contributions.view_remittance", raise_exception=True)
@require_GET
def remittance_list(request: AuthedRequest) -> HttpResponse:
    qs = Remittance.objects.select_related("created_by", "remitted_by")
    filterset = RemittanceFilter(request.GET, queryset=qs, request=request)
    today = timezone.localdate()
    return render(
        request,
        "contributions/remittance_list.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs.order_by("-month")),
            "form": MonthForm(initial={"month": f"{today:%Y-%m}"}),
            "can_generate": request.user.has_perm("contributions.add_remittance"),
            "pending": selectors.receipt_totals(Receipt.objects.remittable(up_to=today)),
        },
    )


@permission_required("contributions.add_remittance", raise_exception=True)
@require_POST
def remittance_start(request: AuthedRequest) -> HttpResponse:
    form = MonthForm(request.POST)
    return _start_job(request, services.remittance_start, form, "month") or redirect("contributions:remittance_list")


@permission_required("contributions.view_remittance", raise_exception=True)
@require_GET
def remittance_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    remittance = get_object_or_404(Remittance.objects.select_related("created_by", "remitted_by"), pk=pk)
    return render(
        request,
        "contributions/remittance_detail.html",
        {
            "remittance": remittance,
            "town_rows": selectors.remittance_by_town(remittance=remittance),
            "form": VoucherForm(),
            "can_remit": request.user.has_perm("contributions.remit_remittance")
            and remittance.status == Remittance.Status.GENERATED,
        },
    )


def _voucher_response(request: AuthedRequest, remittance: Remittance, part: str) -> HttpResponse:
    """Serve the stored voucher file; one the job did not write (an older remittance, or a job that
    stopped after the claim) is written now, once, and stored for the next download."""
    field = remittance.voucher_xlsx if part == "xlsx" else remittance.voucher_pdf
    if not field:
        remittance = services.remittance_voucher_store(remittance=remittance, parts=(part,))
        field = remittance.voucher_xlsx if part == "xlsx" else remittance.voucher_pdf
    filename = f"保费上缴凭证_{remittance.month:%Y-%m}.{part}"
    return serve_stored_file(request, record=remittance, field_file=field, filename=filename,
                             label=f"保费上缴凭证 {remittance.month:%Y-%m}", inline=part == "pdf")


@permission_required("contributions.view_remittance", raise_exception=True)
@require_GET
def remittance_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    return _voucher_response(request, get_object_or_404(Remittance.objects.all(), pk=pk), "xlsx")


@permission_required("contributions.view_remittance", raise_exception=True)
@require_GET
def remittance_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    return _voucher_response(request, get_object_or_404(Remittance.objects.all(), pk=pk), "pdf")


@permission_required("contributions.remit_remittance", raise_exception=True)
@require_POST
def remittance_remit(request: AuthedRequest, pk: int) -> HttpResponse:
    remittance = get_object_or_404(Remittance.objects.all(), pk=pk)
    form = VoucherForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写银行凭证号")
        services.remittance_mark_remitted(remittance=remittance, voucher_no=form.cleaned_data["voucher_no"], by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "已确认上缴财政专户。")
    return redirect("contributions:remittance_detail", pk=remittance.pk)


# --- 老农保 merge and 被征地 subsidies ------------------------------------------------------------------------


@permission_required("contributions.view_specialcredit", raise_exception=True)
@require_GET
def special_list(request: AuthedRequest) -> HttpResponse:
    qs = SpecialCredit.objects.in_scope(request.user).select_related("person", "town", "prepared_by", "reviewed_by")
    filterset = SpecialCreditFilter(request.GET, queryset=qs, request=request)
    return render(
        request, "contributions/special_list.html",
        {"filter": filterset, "page": paginate(request, filterset.qs.order_by("-prepared_at", "-pk"))},
    )


@permission_required("contributions.add_specialcredit", raise_exception=True)
@require_http_methods(["GET", "POST"])
def special_create(request: AuthedRequest) -> HttpResponse:
    form = SpecialCreditForm(request.POST or None, persons=Person.objects.in_scope(request.user))
    if form.is_valid():
        try:
            credit = services.special_credit_record(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已登记，待另一名经办人复核后入账。")
            return redirect("contributions:special_detail", pk=credit.pk)
    return render(request, "contributions/special_form.html", {"form": form})


@permission_required("contributions.view_specialcredit", raise_exception=True)
@require_GET
def special_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    credit = get_object_or_404(
        SpecialCredit.objects.in_scope(request.user).select_related("person", "town", "prepared_by", "reviewed_by", "entry"),
        pk=pk,
    )
    return render(
        request,
        "contributions/special_detail.html",
        {
            "credit": credit,
            "form": ReviewForm(),
            "can_review": request.user.has_perm("contributions.review_specialcredit")
            and credit.status == SpecialCredit.Status.PENDING
            and credit.prepared_by_id != request.user.pk,
        },
    )


@permission_required("contributions.review_specialcredit", raise_exception=True)
@require_POST
def special_review(request: AuthedRequest, pk: int) -> HttpResponse:
    credit = get_object_or_404(SpecialCredit.objects.in_scope(request.user), pk=pk)
    form = ReviewForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请选择复核结论")
        services.special_credit_review(
            credit=credit, approve=form.cleaned_data["decision"] == "approve",
            opinion=form.cleaned_data["opinion"], by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "复核完成。")
    return redirect("contributions:special_detail", pk=credit.pk)
