"""Writes for org: job runs and the access log."""

import traceback

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import AccessLog, JobRun


def jobrun_create(*, kind: str, by=None, params: dict | None = None) -> JobRun:
    if kind not in settings.JOB_HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    return JobRun.objects.create(kind=kind, started_by=by, params=params or {})


def jobrun_start(*, job: JobRun, total: int = 0) -> None:
    JobRun.objects.filter(pk=job.pk).update(
        status=JobRun.Status.RUNNING, started_at=timezone.now(), progress_total=total
    )
    job.refresh_from_db()


def jobrun_progress(*, job: JobRun, done: int, total: int | None = None) -> None:
    """Record progress outside any open transaction so the browser sees it while the job works."""
    fields = {"progress_done": done}
    if total is not None:
        fields["progress_total"] = total
    JobRun.objects.filter(pk=job.pk).update(**fields)
    job.progress_done = done
    if total is not None:
        job.progress_total = total


def jobrun_succeed(*, job: JobRun, result: dict, counts: dict | None = None) -> None:
    JobRun.objects.filter(pk=job.pk).update(
        status=JobRun.Status.SUCCEEDED, finished_at=timezone.now(), result=result, counts=counts or {},
        progress_done=max(job.progress_done, job.progress_total),
    )
    job.refresh_from_db()


def jobrun_fail(*, job: JobRun, error: str) -> None:
    JobRun.objects.filter(pk=job.pk).update(status=JobRun.Status.FAILED, finished_at=timezone.now(), error=error)
    job.refresh_from_db()


def jobrun_execute(*, job: JobRun) -> JobRun:
    """Run a queued job with the handler registered for its kind in settings.JOB_HANDLERS.

    The job is claimed with a conditional update, so a task delivered twice (or a command and a
    task at once) runs it only once. The handler is called as handler(job=job, by=user, **params),
    reports progress with jobrun_progress and returns the result dict. A failure is recorded on
    the job and re-raised for the caller (a command exits non-zero; a task logs it).
    """
    claimed = JobRun.objects.filter(pk=job.pk, status=JobRun.Status.QUEUED).update(
        status=JobRun.Status.RUNNING, started_at=timezone.now()
    )
    job.refresh_from_db()
    if claimed != 1:
        return job
    handler = import_string(settings.JOB_HANDLERS[job.kind])
    try:
        result = handler(job=job, by=job.started_by, **job.params)
    except ValidationError as exc:
        jobrun_fail(job=job, error="；".join(exc.messages))
        raise
    except Exception as exc:
        jobrun_fail(job=job, error=f"{exc}\n{traceback.format_exc(limit=8)}")
        raise
    jobrun_succeed(job=job, result=result or {}, counts=job.counts)
    return job


def access_log_record(*, user, obj, label: str = "", action: str = "查看", request=None) -> AccessLog:
    return _access_log(
        user=user, object_type=obj._meta.label_lower, object_id=str(obj.pk), label=label, action=action, request=request
    )


def access_log_download(*, user, object_type: str, object_id: str, label: str, request=None) -> AccessLog:
    """A download of a file that lists people's full personal data (bank files, name lists)."""
    return _access_log(
        user=user, object_type=object_type, object_id=object_id, label=label, action="下载", request=request
    )


def _access_log(*, user, object_type: str, object_id: str, label: str, action: str, request) -> AccessLog:
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    return AccessLog.objects.create(
        user=user, object_type=object_type, object_id=object_id[:40], label=label[:100], action=action,
        ip_address=ip or None,
    )
