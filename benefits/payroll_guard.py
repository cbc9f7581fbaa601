"""The guard before a payroll run is reviewed or exported: its generation is complete.

A worker killed during generation leaves a run with lines for part of the pensioners; the run
must not be reviewed and paid as it is. payroll_review and the export call this; it reads only.
"""

from django.db.models import Q

from enrollment.models import Person
from linggao_pension import periods
from linggao_pension.org.models import JobRun

from .models import PayrollLine, PayrollRun, Pension

PAYROLL_JOB = "benefits.payroll"


def payroll_generation_refusal(run: PayrollRun) -> str:
    """Why `run` cannot be reviewed or exported yet ("" when it can): a generation job of its month
    is queued, running or stalled, the latest one failed, or a pensioner due that month has no
    正常 line in it (its line count does not equal its pensioners)."""
    month_label = periods.format_month(run.month)
    jobs = JobRun.objects.filter(kind=PAYROLL_JOB, params__month=f"{run.month:%Y-%m}").order_by("-pk")
    unfinished = jobs.filter(status__in=[JobRun.Status.QUEUED, JobRun.Status.RUNNING]).first()
    if unfinished is not None:
        if unfinished.is_stalled:
            return (f"{month_label}发放明细的生成任务 #{unfinished.pk} 已停滞（运行中断，明细不完整），"
                    "须恢复该任务并完成后才能复核或导出")
        return f"{month_label}发放明细正在生成（任务 #{unfinished.pk}），完成后才能复核或导出"
    latest = jobs.first()
    if latest is not None and latest.status == JobRun.Status.FAILED:
        return f"{month_label}发放明细最近一次生成（任务 #{latest.pk}）失败，请重新生成完成后再复核"
    paid = PayrollLine.objects.filter(run=run, month=run.month, kind=PayrollLine.Kind.NORMAL).values("pension_id")
    missing = (
        Pension.objects.filter(
            status=Pension.Status.ACTIVE, person__status=Person.Status.RECEIVING, first_payroll_month__lte=run.month,
        )
        .filter(Q(last_month__isnull=True) | Q(last_month__gte=run.month))
        .exclude(pk__in=paid)
        .count()
    )
    if missing:
        return (f"{month_label}发放明细不完整：{missing} 名应发放人员没有本月明细，"
                "请重新生成（已生成的明细不会重复）后再复核")
    return ""
