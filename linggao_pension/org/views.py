from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from linggao_pension.files import serve_stored_file
from linggao_pension.pagination import paginate
from linggao_pension.types import AuthedRequest

from . import jobpage, roles, services
from .filters import AccessLogFilter
from .models import AccessLog, JobRun
from .todos import todos_for

login = login_not_required(
    auth_views.LoginView.as_view(template_name="org/login.html", redirect_authenticated_user=True)
)


@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    my_roles = [{"name": g, "description": roles.ROLE_DESCRIPTIONS.get(g, "")} for g in user.role_names]
    recent_jobs = JobRun.objects.filter(started_by=user).select_related("started_by")[:5]
    return render(request, "org/home.html",
                  {"my_roles": my_roles, "recent_jobs": recent_jobs, "todos": todos_for(user)})  # fmt: skip


def _jobs_visible_to(user):
    qs = JobRun.objects.select_related("started_by")
    if user.has_perm("org.view_all_towns"):
        return qs
    return qs.filter(started_by=user)


@permission_required("org.view_jobrun", raise_exception=True)
@require_GET
def jobrun_list(request: AuthedRequest) -> HttpResponse:
    qs = _jobs_visible_to(request.user)
    kind = request.GET.get("kind")
    if kind:
        qs = qs.filter(kind=kind)
    return render(request, "org/jobrun_list.html", {"page": paginate(request, qs), "kind": kind or ""})


@permission_required("org.view_jobrun", raise_exception=True)
@require_GET
def jobrun_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(_jobs_visible_to(request.user), pk=pk)
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
    job = get_object_or_404(_jobs_visible_to(request.user), pk=pk)
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
    job = get_object_or_404(_jobs_visible_to(request.user), pk=pk)
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
    Only a user with the permission of the job's kind (settings.JOB_FILE_PERMISSIONS) gets it."""
    job = get_object_or_404(_jobs_visible_to(request.user), pk=pk)
    perm = settings.JOB_FILE_PERMISSIONS.get(job.kind)
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
