"""Pages of the registry: scope -> validate -> call a service or selector -> respond."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linggao_pension.exports import XLSX_TYPE, file_response, pdf_response, render_pdf
from linggao_pension.masking import sees_full
from linggao_pension.org import services as org_services
from linggao_pension.org.models import JobRun
from linggao_pension.pagination import paginate
from linggao_pension.types import AuthedRequest
from linggao_pension.workflow_views import OpinionForm, review_context, review_step

from . import reports, selectors, services
from .filters import ApplicationFilter, ChangeRequestFilter, PersonFilter
from .forms import ApplicationForm, ChangeRequestForm, ImportForm
from .models import ChangeRequest, EnrollmentApplication, Person

VIEW_APPLICATION = "enrollment.view_enrollmentapplication"
SUBMIT_APPLICATION = "enrollment.submit_enrollmentapplication"
REVIEW_APPLICATION = "enrollment.review_enrollmentapplication"
VIEW_CHANGE = "enrollment.view_changerequest"
SUBMIT_CHANGE = "enrollment.submit_changerequest"
REVIEW_CHANGE = "enrollment.review_changerequest"


# --- dashboard and registry ---------------------------------------------------------------------


@permission_required("enrollment.view_person", raise_exception=True)
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    return render(request, "enrollment/index.html", selectors.dashboard(user=request.user))


@permission_required("enrollment.view_person", raise_exception=True)
@require_GET
def index_redirect(request: AuthedRequest) -> HttpResponse:
    return redirect("enrollment:index")


@permission_required("enrollment.view_person", raise_exception=True)
@require_GET
def person_list(request: AuthedRequest) -> HttpResponse:
    qs = Person.objects.in_scope(request.user).select_related("town", "village", "identity")
    filterset = PersonFilter(request.GET, queryset=qs, request=request)
    page = paginate(request, filterset.qs.order_by("insured_no"))
    return render(request, "enrollment/person_list.html", {"filter": filterset, "page": page})


@permission_required("enrollment.view_person", raise_exception=True)
@require_GET
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(
        Person.objects.in_scope(request.user).select_related("town", "village", "identity"), pk=pk
    )
    org_services.access_log_record(user=request.user, obj=person, label=str(person), request=request)
    context = selectors.person_page(person=person, user=request.user)
    context["sections"] = selectors.person_sections(request=request, person=person)
    return render(request, "enrollment/person_detail.html", context)


# --- 参保登记申请 ------------------------------------------------------------------------------


def _applications(request):
    return EnrollmentApplication.objects.in_scope(request.user).select_related(
        "town", "village", "identity", "created_by", "submitted_by", "reviewed_by", "person", "person__town"
    )


@permission_required(VIEW_APPLICATION, raise_exception=True)
@require_GET
def application_list(request: AuthedRequest) -> HttpResponse:
    filterset = ApplicationFilter(request.GET, queryset=_applications(request), request=request)
    # The rows show the town and who entered it: joining the eight tables the detail page needs made
    # PostgreSQL spend ~30 ms planning each list view (issue 10).
    rows = filterset.qs.select_related(None).select_related("town", "created_by")
    page = paginate(request, rows.order_by("-created_at", "-pk"))
    can_create = request.user.has_perm(SUBMIT_APPLICATION)
    return render(
        request, "enrollment/application_list.html", {"filter": filterset, "page": page, "can_create": can_create}
    )


@permission_required(SUBMIT_APPLICATION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def application_create(request: AuthedRequest) -> HttpResponse:
    form = ApplicationForm(request.POST or None, user=request.user)
    if form.is_valid():
        try:
            application = services.application_create(data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已保存参保登记申请 {application.number}，核对无误后请提交镇初审")
            return redirect("enrollment:application_detail", pk=application.pk)
    min_age = selectors.min_enrolment_age(timezone.localdate())
    return render(request, "enrollment/application_form.html", {"form": form, "min_age": min_age})


@permission_required(VIEW_APPLICATION, raise_exception=True)
@require_GET
def application_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(_applications(request), pk=pk)
    return _application_page(request, application)


def _application_page(request: AuthedRequest, application, opinion_form: OpinionForm | None = None) -> HttpResponse:
    """The application page (a logged view of the full record), with the review form."""
    org_services.access_log_record(user=request.user, obj=application, label=str(application), request=request)
    person = application.person
    return render(request, "enrollment/application_detail.html", {
        "application": application,
        "person_link": person is not None and selectors.person_page_open_for(request.user, person),
        "display": selectors.personal_display(record=application, full=selectors.sees_application_in_full(request.user)),
        **review_context(application, request.user, "enrollment:application", opinion_form),
    })  # fmt: skip


@permission_required(SUBMIT_APPLICATION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def application_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(_applications(request), pk=pk)
    form = ApplicationForm(request.POST or None, instance=application, user=request.user)
    if form.is_valid():
        try:
            services.application_update(application=application, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已保存修改")
            return redirect("enrollment:application_detail", pk=application.pk)
    min_age = selectors.min_enrolment_age(timezone.localdate())
    return render(
        request, "enrollment/application_form.html", {"form": form, "application": application, "min_age": min_age}
    )


@require_POST
def application_review(request: AuthedRequest, pk: int, to: str) -> HttpResponse:
    """One review step (linggao_pension.workflow_views.review_paths: submit, returns, approve, withdraw)."""
    return review_step(request, queryset=_applications(request), pk=pk, to=to, page=_application_page,
                       detail_url="enrollment:application_detail")  # fmt: skip


@permission_required(VIEW_APPLICATION, raise_exception=True)
@require_GET
def application_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """参保登记表 for signature (申请人 / 经办人（镇）/ 复核人（县）)."""
    application = get_object_or_404(_applications(request), pk=pk)
    org_services.access_log_record(
        user=request.user, obj=application, label=str(application), action="打印", request=request
    )
    full = selectors.sees_application_in_full(request.user)
    content = render_pdf("enrollment/application_pdf.html", reports.application_form_context(application, full=full))
    return pdf_response(content, f"参保登记表_{application.number}_{application.name}.pdf")


# --- 信息变更 ---------------------------------------------------------------------------------


def _change_requests(request):
    return ChangeRequest.objects.in_scope(request.user).select_related(
        "person", "person__town", "person__village", "person__identity", "town", "new_town", "new_village",
        "new_identity", "created_by", "submitted_by", "reviewed_by",
    )  # fmt: skip


@permission_required(VIEW_CHANGE, raise_exception=True)
@require_GET
def changerequest_list(request: AuthedRequest) -> HttpResponse:
    filterset = ChangeRequestFilter(request.GET, queryset=_change_requests(request), request=request)
    rows = filterset.qs.select_related(None).select_related("person", "town", "created_by")  # what a row shows
    page = paginate(request, rows.order_by("-created_at", "-pk"))
    return render(request, "enrollment/changerequest_list.html", {"filter": filterset, "page": page})


@permission_required(SUBMIT_CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def changerequest_create(request: AuthedRequest, person_pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.in_scope(request.user).select_related("town"), pk=person_pk)
    form = ChangeRequestForm(request.POST or None, initial=ChangeRequestForm.initial_for(person))
    if form.is_valid():
        try:
            change = services.change_request_create(person=person, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已保存信息变更 {change.number}，核对无误后请提交镇初审")
            return redirect("enrollment:changerequest_detail", pk=change.pk)
    return render(request, "enrollment/changerequest_form.html", {"form": form, "person": person})


@permission_required(SUBMIT_CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def changerequest_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(_change_requests(request), pk=pk)
    initial = {**ChangeRequestForm.initial_for(change.person), "reason": change.reason}
    for name in change.changed_fields:
        initial[name] = getattr(change, f"new_{name}_id" if name in ("town", "village", "identity") else f"new_{name}")
    form = ChangeRequestForm(request.POST or None, initial=initial)
    if form.is_valid():
        try:
            services.change_request_update(change_request=change, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已保存修改")
            return redirect("enrollment:changerequest_detail", pk=change.pk)
    return render(request, "enrollment/changerequest_form.html", {"form": form, "person": change.person,
                                                                   "change": change})  # fmt: skip


@permission_required(VIEW_CHANGE, raise_exception=True)
@require_GET
def changerequest_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(_change_requests(request), pk=pk)
    return _change_page(request, change)


def _change_page(request: AuthedRequest, change, opinion_form: OpinionForm | None = None) -> HttpResponse:
    """The change request page (a logged view of the person's data), with the review form."""
    org_services.access_log_record(user=request.user, obj=change.person, label=str(change.person),
                                   action="查看信息变更", request=request)  # fmt: skip
    full = sees_full(request.user)  # the one masking rule (linggao_pension.masking)
    return render(request, "enrollment/changerequest_detail.html", {
        "change": change,
        "person_link": selectors.person_page_open_for(request.user, change.person),
        "lines": selectors.change_lines(change_request=change, full=full),
        **review_context(change, request.user, "enrollment:changerequest", opinion_form),
    })  # fmt: skip


@require_POST
def changerequest_review(request: AuthedRequest, pk: int, to: str) -> HttpResponse:
    return review_step(request, queryset=_change_requests(request), pk=pk, to=to, page=_change_page,
                       detail_url="enrollment:changerequest_detail")  # fmt: skip


# --- 历史数据导入 ------------------------------------------------------------------------------


def _import_jobs(request):
    return JobRun.objects.visible_to(request.user).filter(kind=services.imports.IMPORT_KIND).select_related("started_by")


@permission_required("enrollment.import_persons", raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthedRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        job = services.residents_import_start(upload=upload, by=request.user)
        messages.info(request, f"已上传 {upload.name}（导入任务 #{job.pk}），整个文件校验通过才会导入，结果见本页")
        return redirect("org:import_result", pk=job.pk)
    jobs = _import_jobs(request)[:10]
    return render(request, "enrollment/import_upload.html", {"form": form, "jobs": jobs})


@permission_required("enrollment.import_persons", raise_exception=True)
@require_GET
def import_template(request: AuthedRequest) -> HttpResponse:
    content = reports.import_template_bytes(min_age=selectors.min_enrolment_age(timezone.localdate()))
    return file_response(content, "历史参保人员导入模板.xlsx", XLSX_TYPE)
