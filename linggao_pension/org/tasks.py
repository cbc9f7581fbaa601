"""Celery entry points of the job machinery: run one recorded job, and the beat sweep that resumes
stalled jobs. The jobs themselves are services (the apps' job_handlers, linggao_pension.registry); beat wrappers live only
in the apps' tasks.py modules."""

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction

from . import services
from .models import JobRun

logger = logging.getLogger("linggao_pension.jobs")


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: int) -> str:
    """Run one recorded batch job. Idempotent: a job already claimed or finished is left alone."""
    job = JobRun.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    try:
        job = services.jobrun_execute(job=job)
    except ValidationError:
        # A refusal (e.g. interest already posted) is recorded on the job; nothing to retry.
        job.refresh_from_db()
    except Exception:
        # Recorded on the job with a plain reason; the traceback was logged by jobrun_execute.
        job.refresh_from_db()
    return job.status


@shared_task
def jobs_resume_stalled() -> list[int]:
    """Beat (every JOB_RESUME_EVERY_SECONDS): resume the jobs whose heartbeat stopped, as the system user."""
    resumed = services.jobs_resume_stalled(by=services.system_user())
    if resumed:
        logger.warning("resumed stalled jobs %s", resumed)
    return resumed


def _run_in_thread(job_id: int) -> None:
    try:
        run_job(job_id)
    finally:
        connections.close_all()  # this thread's connections only


def enqueue(job: JobRun) -> None:
    """Start a job after the current transaction commits.

    With a broker, as a Celery task. Without one (the embedded default) the job runs in-process:
    in a background thread (JOB_EAGER_MODE "thread"), so the page that started it redirects to the
    job page at once, or inside the caller ("sync", the tests)."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        run_job.delay_on_commit(job.pk)
    elif settings.JOB_EAGER_MODE == "thread":
        transaction.on_commit(
            lambda: threading.Thread(target=_run_in_thread, args=(job.pk,), name=f"job-{job.pk}", daemon=True).start()
        )
    else:
        transaction.on_commit(lambda: run_job(job.pk))


@shared_task
def figures_refresh() -> list[str]:
    """Beat (every KEPT_FIGURES_SECONDS): recompute the dashboards' kept figures (org.figures)."""
    from .figures import figures_refresh as refresh

    return refresh()
