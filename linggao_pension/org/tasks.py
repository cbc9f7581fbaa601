import logging

from celery import shared_task
from django.core.exceptions import ValidationError

from . import services
from .models import JobRun

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def run_job(job_id: int) -> str:
    """Run one recorded batch job. Idempotent: a job already claimed or finished is left alone."""
    job = JobRun.objects.get(pk=job_id)
    try:
        job = services.jobrun_execute(job=job)
    except ValidationError:
        # A refusal (e.g. interest already posted) is recorded on the job; nothing to retry.
        job.refresh_from_db()
    except Exception:
        logger.exception("job %s failed", job_id)
        job.refresh_from_db()
    return job.status


def enqueue(job: JobRun) -> None:
    """Start a job after the current transaction commits (eagerly when no broker is configured)."""
    run_job.delay_on_commit(job.pk)
