"""A payroll run's kept counts and totals (PayrollRun.summary_groups): recounted, in the caller's
transaction, by every service that adds lines to a run or changes their status or amounts —
generation (payroll_generation), the bank's return file (return_files) and a death's cancelled
months (death). The run page and the benefits dashboard read them instead of adding up the run's
60,000 lines on every view (issue 10)."""

from django.utils import timezone

from .. import selectors
from ..models import PayrollRun


def run_summary_keep(run: PayrollRun) -> None:
    """Recount the run's lines by (status, kind, bank) and keep the groups on the run."""
    groups = selectors.run_groups_live(run)
    run.summary_groups = [{**g, **{k: str(g[k]) for k in selectors.SUMMARY_MONEY}} for g in groups]
    run.summary_at = timezone.now()
    PayrollRun.objects.filter(pk=run.pk).update(summary_groups=run.summary_groups, summary_at=run.summary_at)


def runs_summary_keep(run_ids) -> None:
    for run in PayrollRun.objects.filter(pk__in=set(run_ids)):
        run_summary_keep(run)
