"""The daily job: a report unanswered 10 days after it reached the unit is 逾期视同无异议, once."""

from datetime import date

from linggao_pension.org.models import JobRun
from linggao_pension.org.services import jobrun_create, jobrun_execute, jobrun_progress, system_user

from ..models import Inspection
from .plans import inspection_deem_agreed

DAILY_JOB = "supervision.daily"


def daily_job(*, job: JobRun, by, today: str) -> dict:
    """Job handler: every inspection past its opinion due date moves once (each in its own
    transaction, so a killed run loses nothing and a rerun skips what is done)."""
    day = date.fromisoformat(today)
    due = list(Inspection.objects.filter(status=Inspection.Status.REPORT_SENT, opinion_due__lt=day)
               .order_by("pk").values_list("pk", flat=True))  # fmt: skip
    jobrun_progress(job=job, done=0, total=len(due))
    deemed = []
    for done, pk in enumerate(due, start=1):
        if inspection_deem_agreed(inspection_id=pk, today=day, by=by):
            deemed.append(pk)
        jobrun_progress(job=job, done=done)
    job.counts = {"deemed": len(deemed)}
    return {"deemed": len(deemed), "inspections": deemed}


def daily_run(*, today: date, by=None) -> JobRun:
    """The beat task and the command: record a job run, as the system user, and execute it now."""
    job = jobrun_create(kind=DAILY_JOB, by=by or system_user(), params={"today": today.isoformat()})
    jobrun_execute(job=job)
    job.refresh_from_db()
    return job
