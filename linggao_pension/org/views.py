from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_POST

from linggao_pension import imports, registry
from linggao_pension.exports import xlsx_response
from linggao_pension.files import serve_stored_file
from linggao_pension.org.access import require_perm
from linggao_pension.pagination import paginate, paginate_rows
from linggao_pension.types import AuthedRequest

from . import jobpage, roles, services
from .filters import AccessLogFilter
from .models import AccessLog, JobRun
from .todos import todos_for

login = login_not_required(
    auth_views.LoginView.as_view(template_name="org/login.html", redirect_authenticated_user=True)
)



class _PasswordChange(auth_views.PasswordChangeView):
    template_name = "org/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "密码已修改；您在其他电脑或浏览器上的登录已全部退出。")
        return response


password_change = _PasswordChange.as_view()


@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    my_roles = [{"name": g, "description": roles.ROLE_DESCRIPTIONS.get(g, "")} for g in user.role_names]
    recent_jobs = JobRun.objects.filter(started_by=user).select_related("started_by")[:5]
    return render(request, "org/home.html",
                  {"my_roles": my_roles, "recent_jobs": recent_jobs, "todos": todos_for(user)})  # fmt: skip


def _jobs_for(user):
    return JobRun.objects.visible_to(user).select_related("started_by")


@permission_required("org.view_jobrun", raise_exception=True)
@require_GET
def jobrun_list(request: AuthedRequest) -> HttpResponse:
    qs = _jobs_for(request.user)
    kind = request.GET.get("kind")
    if kind:
        qs = qs.filter(kind=kind)
    return render(request, "org/jobrun_list.html", {"page": paginate(request, qs), "kind": kind or ""})


@permission_required("org.view_jobrun", raise_exception=True)
@require_GET
def jobrun_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    result_rows, result_messages = jobpage.result_rows(job.result)
    return render(request, "org/jobrun_detail.html", {
        "job": job, "result_rows": result_rows, "result_messages": result_messages,
        "param_rows": jobpage.param_rows(job), "record_link": jobpage.record_link(job),
        # "已开始…" said when the job was started; once it has finished the page says what happened.
        "hide_info_messages": job.is_finished,
        "can_resume": job.is_stalled and request.user.has_perm("org.resume_jobrun"),
    })


@permission_required("org.resume_jobrun", raise_exception=True)
@require_POST
def jobrun_resume(request: AuthedRequest, pk: int) -> HttpResponse:
    """The manager's button on a stalled job's page: it continues where it stopped."""
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    try:
        services.jobrun_resume(job=job, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"任务 #{job.pk} 已恢复，将从停止处继续，已完成的部分不会重复处理")
    return redirect("org:jobrun_detail", pk=job.pk)


@permission_required("org.view_jobrun", raise_exception=True)
@require_GET
def jobrun_progress(request: AuthedRequest, pk: int) -> JsonResponse:
    """Polled by the job page while the job runs."""
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": job.status_label,
            "stalled": job.is_stalled,
            "done": job.progress_done,
            "total": job.progress_total,
            "percent": job.percent,
            "finished": job.is_finished,
            "result": job.result,
            "error": job.error,
        }
    )


@permission_required("org.view_jobrun", raise_exception=True)
@require_GET
def jobrun_file(request: AuthedRequest, pk: int) -> HttpResponse:
    """The file uploaded for an accepted import job (kept with its job; refused ones are deleted).
    Only a user with the permission of the job's kind (its app's `job_file_permissions`, linggao_pension.registry) gets it."""
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    perm = registry.job_file_permissions().get(job.kind)
    if not perm or not job.params.get("stored"):
        raise Http404("该任务没有保存的文件")
    filename = job.params.get("filename") or job.params["stored"].rsplit("/", 1)[-1]
    return serve_stored_file(request, record=job, field_file=job.params["stored"], perm=perm,
                             filename=filename, label=f"{job.kind_label} 上传文件 #{job.pk}")


@permission_required("org.view_accesslog", raise_exception=True)
@require_GET
def accesslog_list(request: AuthedRequest) -> HttpResponse:
    filterset = AccessLogFilter(request.GET, queryset=AccessLog.objects.select_related("user"), request=request)
    return render(request, "org/accesslog_list.html", {"page": paginate(request, filterset.qs), "filter": filterset})


# --- the one import result page (linggao_pension.imports) -------------------------------------------


def _import_job(request: AuthedRequest, pk: int):
    """An import job of a kind the apps declare: 403 without that import's permission, 404 for a
    job the user may not see (another user's, for a town agent)."""
    specs = registry.imports()
    kind = JobRun.objects.filter(kind__in=list(specs), pk=pk).values_list("kind", flat=True).first()
    if kind is None:
        raise Http404("没有找到该导入")
    require_perm(request.user, specs[kind].perm)
    return get_object_or_404(_jobs_for(request.user), pk=pk), specs[kind]


@require_GET
def import_result(request: AuthedRequest, pk: int) -> HttpResponse:
    """Where every upload page lands: progress while the job runs (the page reloads itself when it
    ends), then the number imported or every bad row of a refused file."""
    job, spec = _import_job(request, pk)
    outcome = imports.import_outcome(job)
    success = spec.success.format(imported=outcome["imported"])
    errors = outcome.get("errors") or []
    outcome["errors"], page = paginate_rows(request, errors)  # a page of rows, never a 13 MB page
    return render(request, "imports/result.html", {
        **outcome, "error_total": len(errors), "page": page, "spec": spec, "success": success})


@require_GET
def import_errors(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every bad row of a refused file as a workbook, to correct the file row by row."""
    job, _ = _import_job(request, pk)
    errors = imports.import_outcome(job)["errors"]
    if not errors:
        raise Http404("该导入没有错误")
    return xlsx_response(imports.errors_workbook(errors), f"导入错误清单_{job.pk}.xlsx")
