"""Generating the monthly payroll (R8, R9): one line per pensioner and unpaid month, 补发 after a
retroactive standard, 重发 of failed payments.

Safe to run twice, or twice at once: a partial unique index on (pension, month, kind) and
INSERT ... ON CONFLICT DO NOTHING, with the run row locked (select_for_update) while each chunk is
written; each chunk commits, so a killed job loses nothing done. On PostgreSQL a chunk's commit does
not wait for the WAL flush (linggao_pension.db.commit_without_flush): a server crash may lose the last
chunks, which the resumed job writes again; the closing note's ordinary commit flushes them all."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from enrollment.models import Person
from linggao_pension import periods
from linggao_pension.db import commit_without_flush
from linggao_pension.money import ZERO, quantize
from linggao_pension.org.models import JobRun
from linggao_pension.org.services import (
    job_start,
    jobrun_create,
    jobrun_execute,
    jobrun_progress,
    system_user,
)

from .. import rules, selectors
from ..models import (
    AgeExtra,
    BasicPensionStandard,
    LongContributionExtra,
    PayrollLine,
    PayrollRun,
    PayrollRunStatusChange,
    Pension,
    Suspension,
)
from .common import (
    PAYROLL_JOB,
    require,
)
from .payroll_extras import delegated_lines, settlement_lines
from .payroll_lines import Line, insert_lines, lock_generated
from .recovery import decreases_recovered, offsets_due, recovery_case_for_decrease
from .run_summary import run_summary_keep
from .suspension import suspend_overdue

R = PayrollRun.Status
L = PayrollLine.Status
K = PayrollLine.Kind
# Pensions per transaction (and per progress report). 5,000 rather than 2,000: each chunk costs a
# lock, five queries, a temporary table and a commit (about 0.3 s of a 60,000-pension run at 2,000).
PAYROLL_CHUNK = 5000


# --- the monthly payroll -----------------------------------------------------------------------------------


def _arrears_from(run: PayrollRun) -> date | None:
    """R9: the earliest effective month of any standard added, changed or deleted since the previous
    month's payroll was generated, if it lies before this run's month: months already paid from
    there on get 补发 lines for the difference. None when nothing changed (or nothing was paid)."""
    previous = PayrollRun.objects.filter(month__lt=run.month).order_by("-month").first()
    if previous is None:
        return None
    months = []
    for model in (BasicPensionStandard, LongContributionExtra, AgeExtra):
        for record in model.history.filter(history_date__gt=previous.created_at):
            months.append(record.effective_from)
            earlier = record.prev_record
            if earlier is not None:
                months.append(earlier.effective_from)
    months = [m for m in months if m < run.month]
    return min(months) if months else None


@transaction.atomic
def _payroll_open(*, month: date, by) -> PayrollRun:
    refusal = selectors.payroll_refusal(month=month, today=timezone.localdate())
    if refusal:
        raise ValidationError(refusal)
    run, created = PayrollRun.objects.get_or_create(month=month, defaults={"generated_by": by})
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    if run.status != R.GENERATED:
        raise ValidationError(f"{run}{run.get_status_display()}，不能再生成")
    if created:
        PayrollRunStatusChange.objects.create(run=run, from_status="", to_status=R.GENERATED, by=by,
                                              note="开始生成发放明细")
    return run


PENSION_FIELDS = ("pk", "person_id", "first_payroll_month", "last_month", "contribution_years", "account_pension")
PERSON_FIELDS = ("person__town_id", "person__birth_date", "person__bank_name", "person__bank_account")


def _chunk_pensions(first_id: int, last_id: int, chunk: set[int]) -> dict[int, dict]:
    """The chunk's pensions still paid (active, the person 领取中), as PENSION_FIELDS + PERSON_FIELDS.
    Two queries, not a join: joined, PostgreSQL reads the whole person table for every chunk (it
    takes a hash join for a chunk of pensions), where looking the chunk's persons up by id reads only them."""
    pensions = [
        row for row in Pension.objects.filter(pk__range=(first_id, last_id), status=Pension.Status.ACTIVE)
        .values(*PENSION_FIELDS)
        if row["pk"] in chunk
    ]
    person_ids = [p["person_id"] for p in pensions]
    persons_q = Person.objects.filter(status=Person.Status.RECEIVING).order_by()
    if connection.vendor == "postgresql":
        # One array parameter: Django prepares an IN list of 5,000 ids one by one, at more cost than the query.
        persons_q = persons_q.extra(where=[f"{Person._meta.db_table}.id = ANY(%s)"], params=[person_ids])
    else:
        persons_q = persons_q.filter(pk__in=person_ids)
    persons = {
        pk: dict(zip(PERSON_FIELDS, rest, strict=True))
        for pk, *rest in persons_q.values_list("pk", "town_id", "birth_date", "bank_name", "bank_account")
    }
    return {p["pk"]: p | persons[p["person_id"]] for p in pensions if p["person_id"] in persons}


def _withheld(first_id: int, last_id: int) -> dict[int, list[tuple[date, date | None, bool]]]:
    """Each pension's suspensions as (first month withheld, first month paid again or None, back-paid?),
    for the pensions with ids from first_id to last_id."""
    spans: dict[int, list] = {}
    for row in Suspension.objects.filter(pension_id__gte=first_id, pension_id__lte=last_id).values_list(
        "pension_id", "start_month", "end_month", "backpay"
    ):
        spans.setdefault(row[0], []).append(row[1:])
    return spans


def _month_kind(m: date, spans) -> str | None:
    """正常, 恢复补发 (a month withheld and back-paid) or None (withheld, not paid)."""
    for start, end, backpay in spans:
        if m >= start and (end is None or m < end):
            return K.BACKPAY if backpay and end is not None else None
    return K.NORMAL


def _recovered_whole(m: date, spans) -> bool:
    """A month withheld by a suspension that is not back-paid: not due at all, so what was paid for it
    is wholly its recovery case's (suspension.paid_during), never compared with a later standard."""
    return any(m >= start and (end is None or m < end) and not backpay for start, end, backpay in spans)


def _payroll_chunk(*, run_id: int, month: date, pension_ids: list[int], tables, arrears_from: date | None,
                   by=None) -> int:
    # `pension_ids` is sorted: the chunk's queries select the id range (an IN list of 5,000 ids costs
    # more to build than the query costs to run) and keep the chunk's pensions only.
    first_id, last_id = pension_ids[0], pension_ids[-1]
    chunk = set(pension_ids)
    with transaction.atomic():
        # A chunk lost in a server crash is written again by the rerun (nothing doubles: see the
        # module docstring); the run's closing note, an ordinary commit, makes every chunk durable.
        commit_without_flush()
        run = lock_generated(run_id)
        pensions = _chunk_pensions(first_id, last_id, chunk)
        last_base = dict(
            PayrollLine.objects.filter(pension_id__gte=first_id, pension_id__lte=last_id,
                                       kind__in=PayrollLine.BASE_KINDS)
            .exclude(status=L.CANCELLED).values("pension_id")
            .annotate(last=Max("month")).order_by().values_list("pension_id", "last")
        )
        withheld = _withheld(first_id, last_id)
        in_range = Pension.objects.filter(pk__range=(first_id, last_id)).values("pk")
        offsets = offsets_due(in_range, run=run)
        lines: list[Line] = []

        def line(p, m, kind, basic, account, offset=ZERO, case_id=None):
            return Line(p["pk"], p["person_id"], p["person__town_id"], m, kind, basic, account,
                        p["person__bank_name"], p["person__bank_account"], offset=offset, offset_case_id=case_id)

        for p in pensions.values():
            # Every month not yet paid, from the first payroll month (or the month after the last
            # paid) to this one: a late determination is caught up, a month withheld by a
            # suspension is back-paid once (恢复补发) or, when it is not to be back-paid, skipped.
            first = p["first_payroll_month"]
            if p["pk"] in last_base:
                first = max(first, periods.add_months(last_base[p["pk"]], 1))
            end = min(month, p["last_month"]) if p["last_month"] else month
            due = offsets.get(p["pk"])
            for m in periods.iter_months(first, end):
                kind = _month_kind(m, withheld.get(p["pk"], ()))
                if kind is None:
                    continue
                basic = tables.basic_for_birth(month=m, years=p["contribution_years"], birth=p["person__birth_date"])
                gross = basic + p["account_pension"]
                if gross <= 0:
                    continue
                offset = ZERO
                if due is not None and due[1] > 0:
                    offset = min(gross, due[1])
                    due = (due[0], due[1] - offset)
                lines.append(line(p, m, kind, basic, p["account_pension"], offset, due[0] if offset else None))
        if arrears_from is not None:
            # A failed line not yet re-issued counts as paid: this run re-issues it (_payroll_reissues).
            to_reissue = Q(status=L.FAILED, reissued_by__isnull=True)
            paid = (
                PayrollLine.objects.filter(pension_id__gte=first_id, pension_id__lte=last_id,
                                           month__gte=arrears_from, month__lt=month)
                .filter(~Q(status__in=PayrollLine.DEAD_STATUSES) | to_reissue)
                .exclude(kind__in=[K.SETTLEMENT, K.DELEGATED])
                .values("pension_id", "month").annotate(basic=Sum("basic_amount")).order_by()
            )
            # What a month's lines paid, less what decrease cases already hold as overpaid for it: an
            # increase pays the difference (补发), a decrease makes it a recovery case, each once.
            recovered = decreases_recovered(in_range, since=arrears_from)
            decreases: dict[int, list] = {}
            for row in paid:
                p = pensions.get(row["pension_id"])
                if p is None:
                    continue  # in the id range, not in the chunk (or no longer paid)
                if p["last_month"] and row["month"] > p["last_month"]:
                    continue
                if _recovered_whole(row["month"], withheld.get(p["pk"], ())):
                    continue  # the suspension's case recovers the whole month: no 补发, no decrease case
                expected = tables.basic_total(month=row["month"], years=p["contribution_years"],
                                              age=rules.age_at_month(p["person__birth_date"], row["month"]))
                net = quantize(row["basic"]) - recovered.get((p["pk"], row["month"]), ZERO)
                if expected > net:
                    lines.append(line(p, row["month"], K.ARREARS, quantize(expected - net), ZERO))
                elif expected < net:
                    decreases.setdefault(p["pk"], []).append((row["month"], net, expected))
            for pension in Pension.objects.filter(pk__in=list(decreases)).select_related("person"):
                recovery_case_for_decrease(pension=pension, months=decreases[pension.pk], by=by,
                                           changed_from=arrears_from)
        return insert_lines(run, lines)


def _payroll_reissues(*, run_id: int, month: date) -> int:
    """重发: every failed line of an earlier run, once, with today's bank details."""
    failed = list(
        PayrollLine.objects.filter(
            status=L.FAILED, run__month__lt=month, reissued_by__isnull=True, pension__status=Pension.Status.ACTIVE,
            person__status=Person.Status.RECEIVING,
        ).exclude(kind__in=[K.SETTLEMENT, K.DELEGATED])
        .values("pk", "pension_id", "person_id", "person__town_id", "person__bank_name", "person__bank_account",
                "month", "basic_amount", "account_amount", "pension__last_month", "offset_amount", "offset_case_id")
    )
    created = 0
    for i in range(0, len(failed), PAYROLL_CHUNK):
        with transaction.atomic():
            run = lock_generated(run_id)
            lines = [
                Line(f["pension_id"], f["person_id"], f["person__town_id"], f["month"], K.REISSUE,
                      f["basic_amount"], f["account_amount"], f["person__bank_name"], f["person__bank_account"],
                      reissue_of_id=f["pk"], offset=f["offset_amount"], offset_case_id=f["offset_case_id"])
                for f in failed[i : i + PAYROLL_CHUNK]
                if not f["pension__last_month"] or f["month"] <= f["pension__last_month"]
            ]
            created += insert_lines(run, lines)
    return created


def payroll_generate(*, month: date, by=None, job: JobRun | None = None) -> dict:
    """Generate (or complete) the payroll of `month`: one 正常 line per pensioner and unpaid month,
    补发 lines after a retroactive standard (R9), 重发 lines for earlier failed payments.

    Safe to rerun and to run twice at once: nothing is ever paid twice (see the module docstring).
    Commits per chunk of pensions, so a crash loses nothing done; `job` receives the progress.
    First, everyone whose certification is overdue is suspended (1201) from this month; a month
    withheld and since resumed is back-paid once (恢复补发); recovery offsets are deducted; the heirs'
    settlements and the delegated programmes get their lines.
    Returns {"lines": lines in the run, "total": "x.xx", "created": lines this call added,
    "suspended": 1201 suspensions from this month, "backpay_lines": 恢复补发 lines in the run}."""
    if by is not None:
        require(by, "benefits.generate_payroll", "只有财务人员或局领导可以生成月度发放")
    month = periods.month_start(month)
    run = _payroll_open(month=month, by=by)
    suspended = suspend_overdue(month=month, today=timezone.localdate(), by=by)
    tables = selectors.pension_tables()
    arrears_from = _arrears_from(run)
    pension_ids = list(
        Pension.objects.filter(
            status=Pension.Status.ACTIVE, person__status=Person.Status.RECEIVING, first_payroll_month__lte=month
        ).order_by("pk").values_list("pk", flat=True)
    )
    total = len(pension_ids)
    if job is not None:
        jobrun_progress(job=job, done=0, total=total)
    created = 0
    for i in range(0, total, PAYROLL_CHUNK):
        created += _payroll_chunk(run_id=run.pk, month=month, pension_ids=pension_ids[i : i + PAYROLL_CHUNK],
                                  tables=tables, arrears_from=arrears_from, by=by)
        if job is not None:
            jobrun_progress(job=job, done=min(i + PAYROLL_CHUNK, total))
    created += _payroll_reissues(run_id=run.pk, month=month)
    created += settlement_lines(run_id=run.pk, month=month)
    created += delegated_lines(run_id=run.pk, month=month)
    with transaction.atomic():
        run = lock_generated(run.pk)
        run_summary_keep(run)
        count, amount = selectors.run_totals(run)
        backpay = PayrollLine.objects.filter(run=run, kind=K.BACKPAY).count()
        PayrollRunStatusChange.objects.create(
            run=run, from_status=R.GENERATED, to_status=R.GENERATED, by=by,
            note=f"生成发放明细：本次新增 {created} 条，共 {count} 条，合计 {amount} 元；认证逾期暂停 {suspended} 人，"
            f"恢复补发 {backpay} 条"
            + (f"；含{periods.format_month(arrears_from)}起标准调整补发" if arrears_from else ""),
        )
    if job is not None:
        job.counts = {"lines": count, "created": created, "suspended": suspended, "backpay_lines": backpay}
    return {"lines": count, "total": str(amount), "created": created, "suspended": suspended,
            "backpay_lines": backpay}


def payroll_job(*, job: JobRun, by, month: str) -> dict:
    """The JobRun handler (the app's job_handlers["benefits.payroll"])."""
    try:
        pay_month = periods.parse_month(month)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    return payroll_generate(month=pay_month, by=by, job=job)


def payroll_start(*, month: date, by) -> JobRun:
    """The page's button: record the job, which runs after commit (job_start)."""
    require(by, "benefits.generate_payroll", "只有财务人员或局领导可以生成月度发放")
    refusal = selectors.payroll_refusal(month=month, today=timezone.localdate())
    if refusal:
        raise ValidationError({"month": refusal})
    return job_start(kind=PAYROLL_JOB, by=by, params={"month": f"{month:%Y-%m}"})


def payroll_scheduled(*, today: date) -> str:
    """The beat job (run a few times a day): on or after the payroll day, generate this month's
    payroll once, as a recorded job run, when last month's is closed."""
    month = periods.month_start(today)
    params = selectors.scheme_parameters()
    if today.day < params.payroll_day:
        return "未到发放生成日"
    if PayrollRun.objects.filter(month=month).exists():
        return "本月发放已生成"
    if PayrollRun.objects.filter(month__lt=month).exclude(status=R.CLOSED).exists():
        return "上月发放尚未回盘结束"
    job = jobrun_create(kind=PAYROLL_JOB, by=system_user(), params={"month": f"{month:%Y-%m}"})
    try:
        jobrun_execute(job=job)
    except ValidationError:
        pass  # recorded on the job run
    job.refresh_from_db()
    return job.status

