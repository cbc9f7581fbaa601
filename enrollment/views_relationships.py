"""Pages of transfer and termination applications: scope -> validate -> call a service -> respond."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linggao_pension.exports import pdf_response, render_pdf
from linggao_pension.files import serve_stored_file
from linggao_pension.org import services as org_services
from linggao_pension.pagination import paginate
from linggao_pension.types import AuthedRequest
from linggao_pension.workflow_views import OpinionForm, review_context, review_step

from .forms_relationships import DocumentForm, RelationshipApplicationForm
from .models import Person, RelationshipApplication, RelationshipDocument
from .services import relationships as services

VIEW = "enrollment.view_relationshipapplication"
SUBMIT = "enrollment.submit_relationshipapplication"


def _applications(request):
    return RelationshipApplication.objects.in_scope(request.user).select_related("person", "town", "created_by")


@permission_required(VIEW, raise_exception=True)
@require_GET
def relationship_list(request: AuthedRequest) -> HttpResponse:
    qs = _applications(request)
    status, kind = request.GET.get("status", ""), request.GET.get("kind", "")
    qs = qs.filter(status=status) if status else qs
    qs = qs.filter(kind=kind) if kind else qs
    page = paginate(request, qs.order_by("-created_at", "-pk"))
    return render(request, "enrollment/relationship_list.html", {
        "page": page, "status": status, "kind": kind, "statuses": RelationshipApplication.Status.choices,
        "kinds": RelationshipApplication._meta.get_field("kind").choices,
    })  # fmt: skip


@permission_required(SUBMIT, raise_exception=True)
@require_http_methods(["GET", "POST"])
def relationship_create(request: AuthedRequest, person_pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.in_scope(request.user), pk=person_pk)
    form = RelationshipApplicationForm(request.POST or None, initial={"kind": request.GET.get("kind", "")})
    if form.is_valid():
        try:
            application = services.relationship_application_create(person=person, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已保存 {application.number}，请上传证明材料后提交镇初审")
            return redirect("enrollment:relationship_detail", pk=application.pk)
    return render(request, "enrollment/relationship_form.html", {"form": form, "person": person})


@permission_required(SUBMIT, raise_exception=True)
@require_http_methods(["GET", "POST"])
def relationship_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(_applications(request), pk=pk)
    form = RelationshipApplicationForm(request.POST or None, instance=application)
    if form.is_valid():
        try:
            services.relationship_application_update(application=application, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已保存修改")
            return redirect("enrollment:relationship_detail", pk=application.pk)
    return render(request, "enrollment/relationship_form.html", {"form": form, "person": application.person,
                                                                  "application": application})  # fmt: skip


@permission_required(VIEW, raise_exception=True)
@require_GET
def relationship_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _page(request, get_object_or_404(_applications(request), pk=pk))


def _page(request, application, opinion_form: OpinionForm | None = None, document_form=None) -> HttpResponse:
    org_services.access_log_record(user=request.user, obj=application.person, label=str(application.person),
                                   action="查看转移接续/终止申请", request=request)  # fmt: skip
    return render(request, "enrollment/relationship_detail.html", {
        "application": application, "documents": application.documents.select_related("uploaded_by"),
        "document_form": document_form or DocumentForm(), "settlement": application.settlement_summary(),
        **review_context(application, request.user, "enrollment:relationship", opinion_form),
    })  # fmt: skip


@require_POST
def relationship_review(request: AuthedRequest, pk: int, to: str) -> HttpResponse:
    return review_step(request, queryset=_applications(request), pk=pk, to=to, page=_page,
                       detail_url="enrollment:relationship_detail")  # fmt: skip


@permission_required(SUBMIT, raise_exception=True)
@require_POST
def relationship_document_add(request: AuthedRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(_applications(request), pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.relationship_document_add(application=application, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已上传材料")
            return redirect("enrollment:relationship_detail", pk=application.pk)
    return _page(request, application, document_form=form)


@permission_required(VIEW, raise_exception=True)
@require_GET
def relationship_document(request: AuthedRequest, pk: int, doc_pk: int) -> HttpResponse:
    """A stored evidence document, served only to who may open its application, and logged."""
    application = get_object_or_404(_applications(request), pk=pk)
    document = get_object_or_404(RelationshipDocument, pk=doc_pk, application=application)
    return serve_stored_file(request, record=application.person, field_file=document.file,
                             filename=document.file.name.rsplit("/", 1)[-1], label=f"申请材料：{document.title}",
                             perm=VIEW, town_id=application.town_id)  # fmt: skip


@permission_required(VIEW, raise_exception=True)
@require_GET
def relationship_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """审批表: the application, its figures and the review steps, with signature blocks."""
    application = get_object_or_404(_applications(request), pk=pk)
    org_services.access_log_record(user=request.user, obj=application.person, label=str(application.person),
                                   action="打印转移接续/终止审批表", request=request)  # fmt: skip
    content = render_pdf("enrollment/relationship_pdf.html", {
        "application": application, "steps": application.status_changes.select_related("by"),
        "settlement": application.settlement_summary(), "documents": application.documents.all(),
        "printed_at": timezone.localtime(),
    })  # fmt: skip
    return pdf_response(content, f"审批表_{application.number}.pdf")
