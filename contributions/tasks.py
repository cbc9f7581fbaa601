"""Celery beat entry points: each records a JobRun and runs the same service as its command."""

from datetime import timedelta

from celery import shared_task
from django.core.exceptions import ValidationError
from django.utils import timezone

from linggao_pension.org.services import jobrun_create, jobrun_execute, system_user


def _run(kind: str, params: dict) -> str:
    job = jobrun_create(kind=kind, by=system_user(), params=params)  # the scheduled jobs' actor
    try:
        job = jobrun_execute(job=job)
    except ValidationError:
        job.refresh_from_db()  # a refusal (e.g. already posted) is recorded on the job
    return job.status


@shared_task(acks_late=True)
def post_interest_for_last_year() -> str:
    """1 January: post the interest of the year that has just ended (R6)."""
    return _run("contributions.post_interest", {"year": timezone.localdate().year - 1})


@shared_task(acks_late=True)
def remit_premiums_month_end() -> str:
    """Scheduled on days 28-31; acts only on the last day of the month (R18, the seed's 每月底上缴)."""
    today = timezone.localdate()
    if (today + timedelta(days=1)).day != 1:
        return "not month end"
    return _run("contributions.remit_premiums", {"month": f"{today:%Y-%m}"})
