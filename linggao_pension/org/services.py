"""Writes for org: job runs (start, claim, heartbeat, resume) and the access log."""

import logging
import os
import threading

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string

from linggao_pension import registry

from .models import AccessLog, JobRun, stall_cutoff

logger = logging.getLogger("linggao_pension.jobs")

SYSTEM_USERNAME = "system"
FAILURE_REASON = (
    "任务运行中出现系统错误，未能完成。已完成的部分已保存，恢复或重新运行时不会重复处理；"
    "错误详情已记入系统日志（任务 #{pk}），请联系系统管理员。"
)
TIMEOUT_REASON = "任务运行超过时限（{minutes} 分钟），已停止。已完成的部分已保存，恢复或重新运行时不会重复处理。"


class JobSuperseded(Exception):
    """This runner's claim was taken over (the job was seen as stalled and resumed elsewhere)."""


def system_user():
    """The actor of scheduled jobs: the user `system` (created by a migration, kept by every
    migrate with the 系统任务 role's permissions, see roles.sync_roles). It has no usable password,
    so nobody signs in as it."""
    from .models import User

    user, _ = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"full_name": "系统（定时任务）", "password": make_password(None)}
    )
    return user


def jobrun_create(*, kind: str, by=None, params: dict | None = None) -> JobRun:
    if kind not in registry.job_handlers():
        raise ValueError(f"unknown job kind {kind!r}")
    return JobRun.objects.create(kind=kind, started_by=by, params=params or {})


def job_start(*, kind: str, by, params: dict | None = None, upload=None) -> JobRun:
    """The one way a page, a command or the scheduler starts a batch job; each job's own
    `<thing>_start(*, by, ...)` service checks the actor's permission and the job's refusals, then
    calls this. It stores an uploaded file with the job (params "stored" and "filename", read by
    the handler and served by the job's file view), records the JobRun and enqueues it once the
    caller's transaction commits. Scheduled jobs pass by=system_user()."""
    if kind not in registry.job_handlers():
        raise ValueError(f"unknown job kind {kind!r}")
    if by is None or not by.is_active:
        raise PermissionDenied("批处理任务必须记录发起人")
    params = dict(params or {})
    stored = ""
    if upload is not None:
        name = os.path.basename(upload.name or "upload")[-80:]
        stored = default_storage.save(f"jobs/{kind}/{timezone.now():%Y%m%d%H%M%S}_{name}", upload)
        params |= {"stored": stored, "filename": upload.name}
    try:
        with transaction.atomic():
            job = JobRun.objects.create(kind=kind, started_by=by, params=params)
            from .tasks import enqueue

            enqueue(job)
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise
    return job


def jobrun_start(*, job: JobRun, total: int = 0) -> None:
    JobRun.objects.filter(pk=job.pk).update(
        status=JobRun.Status.RUNNING, started_at=timezone.now(), progress_total=total, heartbeat_at=timezone.now()
    )
    job.refresh_from_db()


def jobrun_heartbeat(*, job: JobRun, **fields) -> None:
    """Write the heartbeat (and `fields`) of this runner's claim, as its own committed write when
    called outside a transaction, as handlers do between chunks. Raises JobSuperseded when the job
    was claimed again meanwhile (it was seen as stalled and resumed), so the old runner stops."""
    updated = JobRun.objects.filter(pk=job.pk, attempt=job.attempt).update(heartbeat_at=timezone.now(), **fields)
    if not updated and JobRun.objects.filter(pk=job.pk).exists():
        raise JobSuperseded(f"job {job.pk} attempt {job.attempt} was taken over")


def jobrun_progress(*, job: JobRun, done: int, total: int | None = None) -> None:
    """Record progress and the heartbeat, outside any open transaction so the browser sees it while
    the job works and a stopped job is recognised (JOB_STALL_SECONDS)."""
    fields = {"progress_done": done}
    if total is not None:
        fields["progress_total"] = total
    jobrun_heartbeat(job=job, **fields)
    job.progress_done = done
    if total is not None:
        job.progress_total = total


def jobrun_succeed(*, job: JobRun, result: dict, counts: dict | None = None) -> None:
    JobRun.objects.filter(pk=job.pk, attempt=job.attempt).update(
        status=JobRun.Status.SUCCEEDED, finished_at=timezone.now(), result=result, counts=counts or {},
        progress_done=max(job.progress_done, job.progress_total), error="",
    )
    job.refresh_from_db()


def jobrun_fail(*, job: JobRun, error: str) -> None:
    JobRun.objects.filter(pk=job.pk, attempt=job.attempt).update(
        status=JobRun.Status.FAILED, finished_at=timezone.now(), error=error
    )
    job.refresh_from_db()


def _claim(job: JobRun) -> bool:
    """Take the job: queued, or running with a stopped heartbeat (a redelivered task of a killed
    worker). One conditional UPDATE, so of two deliveries (or resumes) at once exactly one wins."""
    now = timezone.now()
    claimable = Q(status=JobRun.Status.QUEUED) | Q(
        Q(heartbeat_at__lt=stall_cutoff(now)) | Q(heartbeat_at__isnull=True), status=JobRun.Status.RUNNING
    )
    claimed = JobRun.objects.filter(claimable, pk=job.pk).update(
        status=JobRun.Status.RUNNING, heartbeat_at=now, attempt=F("attempt") + 1,
        started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())),
    )
    job.refresh_from_db()
    return claimed == 1


class _Ticker(threading.Thread):
    """Writes the heartbeat every JOB_HEARTBEAT_SECONDS while a handler works, so a long step
    (a 100,000-row import written in one transaction) is not taken for a stopped job. It dies with
    the process, so a killed worker's job stops beating."""

    def __init__(self, job: JobRun, every: int):
        super().__init__(name=f"job-{job.pk}-heartbeat", daemon=True)
        self.job, self.every, self.stop = job, every, threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.wait(self.every):
                try:
                    jobrun_heartbeat(job=self.job)
                except JobSuperseded:
                    return
                except DatabaseError:
                    logger.warning("heartbeat of job %s not written", self.job.pk, exc_info=True)
        finally:
            connection.close()


def jobrun_execute(*, job: JobRun) -> JobRun:
    """Run a queued (or stalled) job with the handler registered for its kind (an app's
    `job_handlers`, linggao_pension.registry).

    The job is claimed with a conditional update, so a task delivered twice (or a command and a
    task at once, or two resumes) runs it only once at a time. The handler is called as
    handler(job=job, by=user, **params), reports progress with jobrun_progress (the heartbeat) and
    returns the result dict; it must be safe to run again after a crash: a resumed job calls it
    again and it continues where the last run stopped, doing nothing twice. A refusal
    (ValidationError) is recorded with its message and re-raised; any other failure is recorded as
    a plain reason (FAILURE_REASON), its traceback goes to the log, and it is re-raised for the
    caller (a command exits non-zero; a task logs it).
    """
    if not _claim(job):
        return job
    handler = import_string(registry.job_handlers()[job.kind])
    ticker = None
    if settings.JOB_HEARTBEAT_SECONDS > 0:
        ticker = _Ticker(job, settings.JOB_HEARTBEAT_SECONDS)
        ticker.start()
    try:
        result = handler(job=job, by=job.started_by, **job.params)
    except JobSuperseded:
        logger.warning("job %s (attempt %s) was resumed elsewhere; this run stops", job.pk, job.attempt)
        job.refresh_from_db()
        return job
    except ValidationError as exc:
        jobrun_fail(job=job, error="；".join(exc.messages))
        _discard_refused_upload(job)
        raise
    except SoftTimeLimitExceeded:
        logger.error("job %s %s stopped at the time limit", job.pk, job.kind)
        jobrun_fail(job=job, error=TIMEOUT_REASON.format(minutes=settings.CELERY_TASK_SOFT_TIME_LIMIT // 60))
        raise
    except Exception:
        logger.exception("job %s %s failed (params %s)", job.pk, job.kind, job.params)
        jobrun_fail(job=job, error=FAILURE_REASON.format(pk=job.pk))
        raise
    finally:
        if ticker is not None:
            ticker.stop.set()
            ticker.join()
    jobrun_succeed(job=job, result=result or {}, counts=job.counts)
    return job


def jobrun_resume(*, job: JobRun, by) -> JobRun:
    """Resume a stalled job (its heartbeat stopped): the manager's button and the scheduler. The job
    is queued again by a conditional UPDATE (two resumes at once: one wins, the other is refused)
    and enqueued; its handler continues where it stopped (see jobrun_execute)."""
    if by is None or not by.has_perm("org.resume_jobrun"):
        raise PermissionDenied("只有局领导可以恢复已停滞的任务")
    now = timezone.now()
    with transaction.atomic():
        resumed = JobRun.objects.stalled(now).filter(pk=job.pk).update(
            status=JobRun.Status.QUEUED, heartbeat_at=now, resumed_by=by, resumed_at=now
        )
        job.refresh_from_db()
        if resumed != 1:
            if job.is_finished:
                raise ValidationError(f"任务 #{job.pk} 已{job.get_status_display()}，不需要恢复")
            raise ValidationError(f"任务 #{job.pk} 仍在运行（最近心跳 {timezone.localtime(job.heartbeat_at):%H:%M:%S}），不能恢复")
        from .tasks import enqueue

        enqueue(job)
    logger.warning("job %s %s resumed by %s (attempt %s so far)", job.pk, job.kind, by, job.attempt)
    return job


def jobs_resume_stalled(*, by) -> list[int]:
    """The scheduler's sweep: resume every stalled job that has not yet used up JOB_MAX_ATTEMPTS
    runs (those wait for a manager, who can read the log first). Returns the ids resumed."""
    resumed = []
    for job in JobRun.objects.stalled().order_by("pk"):
        if job.attempt >= settings.JOB_MAX_ATTEMPTS:
            logger.error("job %s %s stalled after %s runs: not resumed automatically", job.pk, job.kind, job.attempt)
            continue
        try:
            jobrun_resume(job=job, by=by)
        except ValidationError:
            continue  # resumed by someone else meanwhile
        resumed.append(job.pk)
    return resumed


def _discard_refused_upload(job: JobRun) -> None:
    """A refused file (the handler raised ValidationError) is deleted; an accepted one stays with its job
    (params["stored"], served by org:jobrun_file)."""
    from linggao_pension.files import stored_file_delete

    if job.params.get("stored"):
        stored_file_delete(job.params["stored"])
        JobRun.objects.filter(pk=job.pk).update(params={**job.params, "stored": "", "discarded": True})


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
