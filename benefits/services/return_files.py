"""已导出 → 已发放: the return file of the bank (all or nothing) marks lines paid or failed."""

from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from linggao_pension import periods
from linggao_pension.imports import FileFormatError, ImportResult, RowError, read_rows, text
from linggao_pension.inputs import ascii_digits
from linggao_pension.money import parse as parse_money
from linggao_pension.org.models import JobRun
from linggao_pension.org.services import job_start

from .. import reports
from ..models import (
    BenefitClaim,
    PayrollLine,
    PayrollRun,
)
from .common import (
    CLOSE_JOB,
    NO_ACCOUNT_REASON,
    claim_move,
    require,
    run_move,
)
from .drawdown import drawdown
from .payroll_extras import settlements_paid
from .recovery import recovery_offset_post
from .run_summary import run_summary_keep

C = BenefitClaim.Status
R = PayrollRun.Status
L = PayrollLine.Status


def payroll_close(*, run: PayrollRun, file, by, paid_on: date | None = None) -> ImportResult:
    """Close an exported run with the bank's return file (all or nothing): every exported line once,
    with 结果 成功 or 失败 (+ 失败原因). Paid lines are drawn down from the account; failed ones are
    paid again by a 重发 line in the next run."""
    require(by, "benefits.close_payroll", "只有财务人员可以导入银行回盘文件")
    try:
        rows = read_rows(file, reports.RETURN_HEADERS)
    except FileFormatError as exc:
        return ImportResult(errors=[RowError(1, "", str(exc))])
    run.refresh_from_db()
    if run.status != R.EXPORTED:
        return ImportResult(errors=[RowError(0, "", f"{run}当前状态为“{run.get_status_display()}”，不能回盘")])
    result = ImportResult()
    expected = {
        ln.pk: ln
        for ln in PayrollLine.objects.filter(run=run, status=L.PENDING, amount__gt=0).exclude(bank_account="")
        .select_related("person").only("pk", "amount", "bank_account", "payee_id_number", "person", "person__id_number")
    }
    outcomes: dict[int, str | None] = {}
    seen: dict[int, int] = {}
    for row in rows:
        v = row.values

        def error(column, message, row=row):
            result.errors.append(RowError(row.number, column, message))

        raw_id = text(v["流水号"])
        line = expected.get(int(raw_id)) if ascii_digits(raw_id) and len(raw_id) <= 19 else None
        if line is None:
            error("流水号", f"“{raw_id}”不是本批发放的待支付明细")
            continue
        if line.pk in seen:
            error("流水号", f"与第 {seen[line.pk]} 行重复")
            continue
        seen[line.pk] = row.number
        if text(v["身份证号"]).upper() != (line.payee_id_number or line.person.id_number):
            error("身份证号", "与发放明细不一致")
        if text(v["银行账号"]).replace(" ", "") != line.bank_account:
            error("银行账号", "与发放明细不一致")
        try:
            if parse_money(v["金额"]) != line.amount:
                error("金额", f"与发放明细金额 {line.amount} 不一致")
        except ValueError as exc:
            error("金额", str(exc))
        outcome, reason = text(v["结果"]), text(v["失败原因"])
        if outcome == reports.RESULT_OK:
            outcomes[line.pk] = None
        elif outcome == reports.RESULT_FAILED:
            if not reason:
                error("失败原因", "结果为“失败”时必须填写失败原因")
            outcomes[line.pk] = reason[:120]
        else:
            error("结果", f"应为“{reports.RESULT_OK}”或“{reports.RESULT_FAILED}”")
    missing = [pk for pk in expected if pk not in seen]
    if missing:
        result.errors.append(RowError(0, "流水号", f"回盘文件缺少 {len(missing)} 条明细（如流水号 {missing[0]}）"))
    if result.errors:
        return result
    payroll_apply_return(run=run, outcomes=outcomes, by=by, paid_on=paid_on or timezone.localdate())
    result.imported = len(outcomes)
    return result


def payroll_close_job(*, job: JobRun, by, run: int, stored: str, paid_on: str = "", filename: str = "") -> dict:
    """Job handler (the app's job_handlers["benefits.payroll_close"]): the uploaded return file."""
    payroll_run = PayrollRun.objects.get(pk=run)
    day = date.fromisoformat(paid_on) if paid_on else None
    with default_storage.open(stored, "rb") as file:
        result = payroll_close(run=payroll_run, file=file, by=by, paid_on=day)
    data = result.as_dict()
    if not result.ok:
        JobRun.objects.filter(pk=job.pk).update(result=data, counts={"imported": 0, "errors": len(result.errors)})
        raise ValidationError(f"回盘失败：发现 {len(result.errors)} 处错误，未处理任何明细")
    data |= {"paid": payroll_run.lines.filter(status=L.PAID).count(), "failed": payroll_run.lines.filter(status=L.FAILED).count()}
    job.counts = {"paid": data["paid"], "failed": data["failed"]}
    return data


def payroll_close_start(*, run: PayrollRun, upload, by, paid_on: date | None = None) -> JobRun:
    """The upload page: store the return file with its closing job (job_start), which runs after
    commit; a refused upload is not kept."""
    require(by, "benefits.close_payroll", "只有财务人员可以导入银行回盘文件")
    if run.status != R.EXPORTED:
        raise ValidationError(f"{run}当前状态为“{run.get_status_display()}”，导出银行文件后才能回盘")
    params = {"run": run.pk, "paid_on": paid_on.isoformat() if paid_on else ""}
    return job_start(kind=CLOSE_JOB, by=by, params=params, upload=upload)


@transaction.atomic
def payroll_apply_return(*, run: PayrollRun, outcomes: dict[int, str | None], by, paid_on: date) -> PayrollRun:
    """已导出 → 已发放. outcomes: line id -> None (paid) or the failure reason. Lines the bank
    never received (no account) fail. Each paid month with an account part draws it down."""
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    if run.status != R.EXPORTED:
        raise ValidationError(f"{run}当前状态为“{run.get_status_display()}”，导出银行文件后才能回盘")
    pending = run.lines.filter(status=L.PENDING)
    # A line wholly taken by a recovery offset never went to the bank: it is paid by the offset.
    offset_only = [pk for pk in pending.filter(amount=0).values_list("pk", flat=True) if pk not in outcomes]
    outcomes = {**outcomes, **dict.fromkeys(offset_only)}
    pending.filter(bank_account="").exclude(pk__in=offset_only).update(status=L.FAILED, failure_reason=NO_ACCOUNT_REASON)
    failures: dict[str, list[int]] = defaultdict(list)
    for pk, reason in outcomes.items():
        if reason is not None:
            failures[reason].append(pk)
    for reason, ids in failures.items():
        for i in range(0, len(ids), 1000):
            pending.filter(pk__in=ids[i : i + 1000]).update(status=L.FAILED, failure_reason=reason)
    paid_ids = sorted(pk for pk, reason in outcomes.items() if reason is None)
    drawdown(run=run, paid_ids=paid_ids, by=by, paid_on=paid_on)
    for line in run.lines.filter(status=L.PAID, offset_amount__gt=0, recovery_posting__isnull=True):
        recovery_offset_post(line=line, on=paid_on, by=by)
    settlements_paid(run=run, by=by, paid_on=paid_on)
    paid_pensions = set(run.lines.filter(status=L.PAID).values_list("pension_id", flat=True))
    for claim in BenefitClaim.objects.filter(status=C.DETERMINED, pension__in=paid_pensions).select_for_update():
        claim_move(claim, C.RECEIVING, by=by, opinion=f"{periods.format_month(run.month)}首次发放已到账")
        claim.save(update_fields=["status"])
    run_move(run, R.CLOSED, by=by, note=f"银行回盘：成功 {len(paid_ids)} 笔，失败 {len(outcomes) - len(paid_ids)} 笔")
    run.closed_by, run.closed_at, run.paid_on = by, timezone.now(), paid_on
    run.save(update_fields=["status", "closed_by", "closed_at", "paid_on"])
    run_summary_keep(run)
    return run

