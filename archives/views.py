"""Archives pages: thin views that scope, validate, call a service or selector, and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrollment.models import Person
from linggao_pension import exports
from linggao_pension.files import serve_stored_file
from linggao_pension.forms_layout import apply_refusal
from linggao_pension.org.access import require_perm
from linggao_pension.pagination import paginate
from linggao_pension.types import AuthedRequest

from . import filters, forms, leaflets, records, reports, rules, selectors, services
from .files import sha256
from .models import (
    Certificate,
    Consultation,
    ConsultationService,
    Document,
    Loan,
    PolicyDocument,
    Register,
    Volume,
)


@permission_required("archives.view_archives", raise_exception=True)
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    return render(request, "archives/index.html", selectors.index_counts(user=request.user, today=timezone.localdate()))


# --- documents ---------------------------------------------------------------------------------------


@permission_required("archives.view_document", raise_exception=True)
@require_GET
def document_list(request: AuthedRequest) -> HttpResponse:
    qs = Document.objects.in_scope(request.user).select_related("doc_type", "town", "volume", "record_type")
    f = filters.DocumentFilter(request.GET, queryset=qs, request=request)
    return render(request, "archives/document_list.html", {"filter": f, "page": paginate(request, f.qs)})


@permission_required("archives.add_document", raise_exception=True)
@require_http_methods(["GET", "POST"])
def document_upload(request: AuthedRequest) -> HttpResponse:
    label, record_id = request.GET.get("record", ""), request.GET.get("id", "")
    rtype, record = records.fetch_record(label=label, pk=record_id, user=request.user)
    form = forms.DocumentUploadForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        try:
            d = form.cleaned_data
            document = services.document_upload(
                record_label=label, record_id=record.pk, doc_type=d["doc_type"], title=d["title"], upload=d["file"],
                by=request.user, year=d["year"], retention=d["retention"], custody_location=d["custody_location"],
            )
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, f"已归档，档号 {document.archive_no}")
            next_url = request.POST.get("next")
            return redirect(next_url) if url_is_local(next_url) else redirect("archives:document_detail", pk=document.pk)
    status = 400 if form.is_bound else 200
    return render(request, "archives/document_upload.html", {"form": form, "rtype": rtype, "record": record}, status=status)


@permission_required("archives.view_document", raise_exception=True)
@require_GET
def document_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    document = selectors.document_for(user=request.user, pk=pk)
    return render(request, "archives/document_detail.html", selectors.document_page(document=document, user=request.user))


@permission_required("archives.view_document", raise_exception=True)
@require_GET
def document_download(request: AuthedRequest, pk: int) -> HttpResponse:
    document = selectors.document_for(user=request.user, pk=pk)
    try:
        services.document_verify(document=document, by=request.user, request=request)
    except services.DocumentTampered as exc:
        return render(request, "archives/integrity_failed.html", {"document": document, "failure": exc.failure}, status=409)
    # Scope and the record were checked by document_for; the helper logs the download (下载).
    return serve_stored_file(
        request, record=document, field_file=document.file, filename=reports.download_name(document),
        label=f"{document.archive_no} {document.title}", perm="archives.view_document", content_type=document.mime_type,
    )


@permission_required("archives.lend_document", raise_exception=True)
@require_POST
def loan_create(request: AuthedRequest, pk: int) -> HttpResponse:
    document = selectors.document_for(user=request.user, pk=pk)
    form = forms.LoanForm(request.POST)
    if form.is_valid():
        try:
            services.loan_create(document=document, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, "已登记借出")
            return redirect("archives:document_detail", pk=document.pk)
    context = selectors.document_page(document=document, user=request.user) | {"loan_form": form}
    return render(request, "archives/document_detail.html", context, status=400)


@permission_required("archives.lend_document", raise_exception=True)
@require_POST
def loan_return(request: AuthedRequest, pk: int) -> HttpResponse:
    loan = get_object_or_404(Loan.objects.in_scope(request.user), pk=pk)
    try:
        services.loan_return(loan=loan, by=request.user)
        messages.success(request, "已登记归还")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("archives:document_detail", pk=loan.document_id)


@permission_required("archives.view_document", raise_exception=True)
@require_GET
def loan_list(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.overdue_loans(user=request.user, today=today) if overdue else (
        Loan.objects.in_scope(request.user).select_related("document", "lent_by", "returned_to")
    )
    return render(request, "archives/loan_list.html", {"page": paginate(request, qs), "overdue": overdue, "today": today})


# --- volumes -----------------------------------------------------------------------------------------


@permission_required("archives.view_volume", raise_exception=True)
@require_GET
def volume_list(request: AuthedRequest) -> HttpResponse:
    f = filters.VolumeFilter(request.GET, queryset=selectors.volumes())
    return render(request, "archives/volume_list.html", {"filter": f, "page": paginate(request, f.qs)})


@permission_required("archives.add_volume", raise_exception=True)
@require_http_methods(["GET", "POST"])
def volume_create(request: AuthedRequest) -> HttpResponse:
    form = forms.VolumeForm(request.POST or None)
    if form.is_valid():
        try:
            volume = services.volume_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, f"已立卷 {volume.code}")
            return redirect("archives:volume_detail", pk=volume.pk)
    return render(request, "archives/form.html", {"form": form, "title": "立卷（新建案卷）"}, status=400 if form.is_bound else 200)


@permission_required("archives.view_volume", raise_exception=True)
@require_http_methods(["GET", "POST"])
def volume_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    if request.method == "POST":  # filing documents into the volume (组卷)
        require_perm(request.user, "archives.add_volume")
    volume = get_object_or_404(Volume.objects.select_related("created_by"), pk=pk)
    form = forms.VolumeDocumentsForm(request.POST or None)
    if form.is_valid():
        try:
            count = services.volume_add_documents(volume=volume, archive_nos=form.cleaned_data["archive_nos"], by=request.user)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, f"已归入 {count} 件")
            return redirect("archives:volume_detail", pk=volume.pk)
    documents = volume.documents.select_related("doc_type").order_by("item_no")
    return render(request, "archives/volume_detail.html", {"volume": volume, "form": form, "page": paginate(request, documents)})


@permission_required("archives.view_volume", raise_exception=True)
@require_GET
def volume_catalogue(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    volume = get_object_or_404(Volume, pk=pk)
    if fmt == "pdf":
        return exports.file_response(reports.catalogue_pdf(volume), f"卷内目录_{volume.code}.pdf", "application/pdf")
    return exports.file_response(reports.catalogue_xlsx(volume), f"卷内目录_{volume.code}.xlsx", exports.XLSX_TYPE)


# --- certificates ------------------------------------------------------------------------------------


@permission_required("archives.view_certificate", raise_exception=True)
@require_GET
def certificate_list(request: AuthedRequest) -> HttpResponse:
    f = filters.CertificateFilter(request.GET, queryset=Certificate.objects.in_scope(request.user).select_related("issued_by"))
    return render(request, "archives/certificate_list.html", {"filter": f, "page": paginate(request, f.qs)})


@permission_required("archives.issue_certificate", raise_exception=True)
@require_http_methods(["GET", "POST"])
def certificate_issue(request: AuthedRequest) -> HttpResponse:
    form = forms.CertificateForm(request.POST or None, initial={"kind": "contribution", **request.GET.dict()})
    if form.is_valid():
        d = form.cleaned_data
        person = Person.objects.in_scope(request.user).filter(id_number=d["id_number"]).first()
        if person is None:
            form.add_error("id_number", "没有找到该身份证号的参保人")
        else:
            try:
                certificate = services.certificate_issue(person=person, kind=d["kind"], purpose=d["purpose"], by=request.user)
            except ValidationError as exc:
                apply_refusal(form, exc)
            else:
                messages.success(request, f"已签发 {certificate.get_kind_display()} {certificate.serial}")
                return redirect("archives:certificate_detail", pk=certificate.pk)
    return render(request, "archives/certificate_issue.html", {"form": form}, status=400 if form.is_bound else 200)


@permission_required("archives.view_certificate", raise_exception=True)
@require_GET
def certificate_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    c = get_object_or_404(Certificate.objects.in_scope(request.user).select_related("person", "issued_by"), pk=pk)
    valid, _ = selectors.certificate_verify(c.code)
    return render(request, "archives/certificate_detail.html", {"c": c, "valid": valid, "code_display": rules.code_display(c.code),
                                                                 "verify_url": services.verification_url(c.code)})


@permission_required("archives.view_certificate", raise_exception=True)
@require_GET
def certificate_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    c = get_object_or_404(Certificate.objects.in_scope(request.user).select_related("person"), pk=pk)
    return serve_stored_file(
        request, record=c, field_file=c.pdf, filename=f"{c.get_kind_display()}_{c.serial}.pdf",
        label=f"{c.person_name} {c.serial}", perm="archives.view_certificate", content_type="application/pdf",
        action="打印证明",
    )


@login_not_required
@require_GET
def verify(request, code: str = "") -> HttpResponse:
    """Public (no login): whether a code belongs to a certificate we issued, showing only its kind,
    serial, the masked name and the date."""
    form = forms.VerifyForm(request.GET or ({"code": code} if code else None))
    result = None
    if form.is_valid():
        valid, c = selectors.certificate_verify(form.cleaned_data["code"])
        result = {"valid": valid, "kind": c.get_kind_display(), "serial": c.serial, "name": rules.name_masked(c.person_name),
                  "issued_on": c.issued_on} if valid else {"valid": False}
    return render(request, "archives/verify.html", {"form": form, "result": result})


# --- registers (表、单、证、卡、册) ---------------------------------------------------------------------


@permission_required("archives.view_registerentry", raise_exception=True)
@require_GET
def register_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "archives/register_list.html", {"registers": selectors.registers()})


@permission_required("archives.view_registerentry", raise_exception=True)
@require_http_methods(["GET", "POST"])
def register_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    if request.method == "POST":  # recording an entry
        require_perm(request.user, "archives.add_registerentry")
    register = get_object_or_404(Register, pk=pk)
    form = forms.RegisterEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        reviews = register.entries.filter(pk=d.pop("reviews")).first() if d.get("reviews") else None
        d.pop("reviews", None)
        try:
            services.register_entry_record(register=register, reviews=reviews, by=request.user, **d)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, "已登记")
            return redirect("archives:register_detail", pk=register.pk)
    entries = register.entries.select_related("by", "reviews")
    return render(request, "archives/register_detail.html", {"register": register, "form": form, "page": paginate(request, entries)},
                  status=400 if form.is_bound and form.errors else 200)


# --- the consultation desk ---------------------------------------------------------------------------


@permission_required("archives.add_consultation", raise_exception=True)
@require_http_methods(["GET", "POST"])
def desk(request: AuthedRequest) -> HttpResponse:
    form = forms.ConsultationForm(request.POST or None, initial={"service": ConsultationService.objects.first()})
    if form.is_valid():
        d = form.cleaned_data
        person = None
        if d["id_number"]:
            person = Person.objects.in_scope(request.user).filter(id_number=d["id_number"].strip().upper()).first()
            if person is None:
                form.add_error("id_number", "没有找到该身份证号的参保人（不知道可留空）")
        if not form.errors:
            try:
                services.consultation_record(person=person, by=request.user, **{k: v for k, v in d.items() if k != "id_number"})
            except ValidationError as exc:
                apply_refusal(form, exc)
            else:
                messages.success(request, "已登记咨询")
                return redirect("archives:desk")
    context = selectors.desk_page(user=request.user, today=timezone.localdate()) | {"form": form}
    return render(request, "archives/desk.html", context, status=400 if form.is_bound else 200)


@permission_required("archives.view_consultation", raise_exception=True)
@require_GET
def consultation_list(request: AuthedRequest) -> HttpResponse:
    qs = Consultation.objects.in_scope(request.user).select_related("service", "created_by", "person")
    f = filters.ConsultationFilter(request.GET, queryset=qs, request=request)
    return render(request, "archives/consultation_list.html", {"filter": f, "page": paginate(request, f.qs),
                                                               "today": timezone.localdate()})


@permission_required("archives.add_consultation", raise_exception=True)
@require_POST
def consultation_follow_up(request: AuthedRequest, pk: int) -> HttpResponse:
    consultation = get_object_or_404(Consultation.objects.in_scope(request.user), pk=pk)
    form = forms.FollowUpForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写回访情况")
        services.consultation_follow_up(consultation=consultation, note=form.cleaned_data["follow_up_note"], by=request.user)
        messages.success(request, "已登记回访")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(request.POST.get("next") if url_is_local(request.POST.get("next")) else "archives:desk")


def url_is_local(url: str | None) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//")


@permission_required("archives.view_consultation", raise_exception=True)
@require_GET
def consultation_stats(request: AuthedRequest) -> HttpResponse:
    stats = selectors.monthly_counts(user=request.user, today=timezone.localdate())
    return render(request, "archives/consultation_stats.html", {"stats": stats})


# --- policy publicity --------------------------------------------------------------------------------


@permission_required("archives.view_policydocument", raise_exception=True)
@require_GET
def policy_list(request: AuthedRequest) -> HttpResponse:
    f = filters.PolicyFilter(request.GET, queryset=PolicyDocument.objects.filter(is_active=True))
    return render(request, "archives/policy_list.html", {"filter": f, "page": paginate(request, f.qs), "leaflets": leaflets.TOPICS})


@permission_required("archives.add_policydocument", raise_exception=True)
@require_http_methods(["GET", "POST"])
def policy_create(request: AuthedRequest) -> HttpResponse:
    form = forms.PolicyForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.policy_create(by=request.user, upload=d.pop("file"), **d)
        except ValidationError as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, "已发布")
            return redirect("archives:policy_list")
    return render(request, "archives/form.html", {"form": form, "title": "发布政策文件/通知", "multipart": True},
                  status=400 if form.is_bound else 200)


@permission_required("archives.view_policydocument", raise_exception=True)
@require_GET
def policy_file(request: AuthedRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(PolicyDocument, pk=pk)
    if not policy.file:
        raise Http404("该文件没有原文")
    with policy.file.open("rb") as handle:
        if policy.sha256 and sha256(handle.read()) != policy.sha256:
            return render(request, "archives/integrity_failed.html", {"policy": policy}, status=409)
    return serve_stored_file(
        request, record=policy, field_file=policy.file, filename=f"{policy.title}.pdf", label=policy.title,
        perm="archives.view_policydocument", content_type="application/pdf",
    )


@permission_required("archives.view_policydocument", raise_exception=True)
@require_GET
def leaflet(request: AuthedRequest, topic: str) -> HttpResponse:
    context = leaflets.leaflet(topic=topic, today=timezone.localdate())
    if request.GET.get("format") == "pdf":
        return exports.file_response(exports.render_pdf("archives/leaflet_pdf.html", context), f"{context['title']}.pdf", "application/pdf")
    return render(request, "archives/leaflet.html", context)
