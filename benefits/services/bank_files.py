"""已复核 → 已导出: the bank files and the return template, built by benefits.reports and stored."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from linggao_pension.money import ZERO
from linggao_pension.org.models import JobRun
from linggao_pension.org.services import job_start, jobrun_progress

from .. import reports, selectors
from ..models import (
    PayrollBankFile,
    PayrollRun,
)
from ..payroll_guard import payroll_generation_refusal
from .common import (
    EXPORT_JOB,
    require,
    run_move,
)

R = PayrollRun.Status


def payroll_export(*, run: PayrollRun, by, job: JobRun | None = None) -> list[PayrollBankFile]:
    """已复核 → 已导出: one Excel per bank, its header giving the count and total of its lines, and
    the return-file template for the same lines, all stored (PayrollBankFile, PayrollRun.return_template).

    The files are built before the transaction (a county's 60,000 lines take several seconds, which
    is why the page runs this as a job): a reviewed run's lines no longer change, and the status is
    checked again under the row lock before anything is stored, so two exports at once store one set."""
    require(by, "benefits.export_payroll", "只有财务人员可以导出银行发放文件")
    run = PayrollRun.objects.get(pk=run.pk)
    if run.status != R.REVIEWED:
        raise ValidationError(f"{run}当前状态为“{run.get_status_display()}”，复核后才能导出银行文件")
    rows = selectors.bank_rows(run)
    if job is not None:
        jobrun_progress(job=job, done=0, total=len(rows))
    by_bank: dict[str, list[selectors.BankRow]] = defaultdict(list)
    for row in rows:
        by_bank[row.bank_name or reports.UNNAMED_BANK].append(row)
    built, done = [], 0
    for bank_name, bank_rows in sorted(by_bank.items()):
        built.append((bank_name, *reports.bank_file_bytes(run=run, bank_name=bank_name, lines=bank_rows)))
        done += len(bank_rows)
        if job is not None:
            jobrun_progress(job=job, done=done)
    template = reports.return_template(rows)
    with transaction.atomic():
        run = PayrollRun.objects.select_for_update().get(pk=run.pk)
        if run.status != R.REVIEWED:
            raise ValidationError(f"{run}当前状态为“{run.get_status_display()}”，复核后才能导出银行文件")
        files = []
        for bank_name, content, count, total in built:
            bank_file = PayrollBankFile(run=run, bank_name=bank_name, line_count=count, total=total)
            bank_file.file.save(f"{run.month:%Y-%m}_{bank_name}_代发.xlsx", ContentFile(content), save=False)
            bank_file.save()
            files.append(bank_file)
        run.return_template.save(f"{run.month:%Y-%m}_银行回盘模板.xlsx", ContentFile(template), save=False)
        run_move(run, R.EXPORTED, by=by, note=f"导出银行文件 {len(files)} 个，{len(rows)} 笔")
        run.exported_by, run.exported_at = by, timezone.now()
        run.save(update_fields=["status", "exported_by", "exported_at", "return_template"])
    return files


def payroll_export_start(*, run: PayrollRun, by) -> JobRun:
    """The page's button: record the export job, which runs after commit (job_start)."""
    require(by, "benefits.export_payroll", "只有财务人员可以导出银行发放文件")
    run = PayrollRun.objects.get(pk=run.pk)
    if run.status != R.REVIEWED:
        raise ValidationError(f"{run}当前状态为“{run.get_status_display()}”，复核后才能导出银行文件")
    if selectors.run_jobs_running(run, kinds=[EXPORT_JOB]):
        raise ValidationError(f"{run}的银行文件正在导出，请在任务完成后查看")
    if refusal := payroll_generation_refusal(run):
        raise ValidationError(refusal)
    return job_start(kind=EXPORT_JOB, by=by, params={"run": run.pk})


def payroll_export_job(*, job: JobRun, by, run: int) -> dict:
    """Job handler (the app's job_handlers["benefits.payroll_export"])."""
    payroll_run = PayrollRun.objects.get(pk=run)
    files = payroll_export(run=payroll_run, by=by, job=job)
    count = sum(f.line_count for f in files)
    total = sum((f.total for f in files), ZERO)
    job.counts = {"files": len(files), "lines": count}
    return {"month": f"{payroll_run.month:%Y-%m}", "lines": count, "total": str(total)}


def return_template_bytes(run: PayrollRun) -> bytes:
    """The stored template of an exported run; built (and stored) on first use for a run exported
    before templates were stored."""
    run = PayrollRun.objects.get(pk=run.pk)
    if not run.return_template:
        content = reports.return_template(selectors.bank_rows(run))
        if run.status == R.EXPORTED:
            run.return_template.save(f"{run.month:%Y-%m}_银行回盘模板.xlsx", ContentFile(content), save=False)
            PayrollRun.objects.filter(pk=run.pk).update(return_template=run.return_template.name)
        return content
    with run.return_template.open("rb") as f:
        return f.read()

