"""Every write of benefits: claims and determination (R7, R8), the go-live import of pensioners,
and the monthly payroll with its bank files, return files and account drawdown (R8, R9).

Each service checks the actor's permission (and town, through visible_to), runs in one transaction
(batch jobs: one per chunk) and records who did what. The payroll is safe to run twice, or twice at
once: a partial unique index on (pension, month, kind) and INSERT ... ON CONFLICT DO NOTHING, with
the run row locked (select_for_update) while each chunk is written.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from contributions.models import AccountEntry, EntryKind, Source
from contributions.selectors import counted_years_by_person, interest_year_end_posted
from contributions.services import account_post_bulk, interest_settle
from enrollment.models import Person
from enrollment.services import PERSON_TRANSITIONS, person_change_status
from linggao_pension import exports, periods
from linggao_pension.imports import FileFormatError, ImportResult, RowError, cell_date, read_rows, text
from linggao_pension.money import ZERO, quantize
from linggao_pension.money import parse as parse_money
from linggao_pension.org.models import JobRun
from linggao_pension.org.services import jobrun_create, jobrun_execute, jobrun_progress

from . import rules, selectors
from .models import (
    AgeExtra,
    BasicPensionStandard,
    BenefitClaim,
    BenefitClaimStatusChange,
    LongContributionExtra,
    PayrollBankFile,
    PayrollLine,
    PayrollRun,
    PayrollRunStatusChange,
    Pension,
)

C = BenefitClaim.Status
R = PayrollRun.Status
L = PayrollLine.Status
K = PayrollLine.Kind

PAYROLL_JOB = "benefits.payroll"
IMPORT_JOB = "benefits.import_pensioners"
CLOSE_JOB = "benefits.payroll_close"
EXPORT_JOB = "benefits.payroll_export"
PAYROLL_JOB_KINDS = [PAYROLL_JOB, EXPORT_JOB, CLOSE_JOB]
PAYROLL_CHUNK = 2000
NO_ACCOUNT_REASON = "未登记银行账号，未纳入银行文件"

# The claim's state machine (architecture.md): 申请 → 镇初审 → 县核定 → 领取中, or 退回.
CLAIM_TRANSITIONS: dict[str, set[str]] = {
    C.SUBMITTED: {C.TOWN_REVIEWED, C.RETURNED},
    C.TOWN_REVIEWED: {C.DETERMINED, C.RETURNED},
    C.DETERMINED: {C.RECEIVING},
    C.RECEIVING: set(),
    C.RETURNED: set(),
}

# The payroll's: 生成 → 复核 → 已导出 → 已发放.
RUN_TRANSITIONS: dict[str, set[str]] = {
    "": {R.GENERATED},
    R.GENERATED: {R.GENERATED, R.REVIEWED},
    R.REVIEWED: {R.EXPORTED},
    R.EXPORTED: {R.CLOSED},
    R.CLOSED: set(),
}


def save_with_history(model, objs: list, fields: list[str], *, by, reason: str, chunk: int = 1000) -> None:
    """Write `fields` of many rows with one UPDATE per distinct set of values (bulk_update's CASE
    expressions are slow for thousands of rows) and one history row each (simple-history)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for obj in objs:
        groups[tuple(getattr(obj, f) for f in fields)].append(obj.pk)
    extra = {"updated_at": timezone.now()} if any(f.name == "updated_at" for f in model._meta.fields) else {}
    for values, pks in groups.items():
        for i in range(0, len(pks), chunk):
            model.objects.filter(pk__in=pks[i : i + chunk]).update(**dict(zip(fields, values, strict=True)), **extra)
    model.history.bulk_history_create(objs, batch_size=chunk, update=True, default_user=by,
                                      default_change_reason=reason)


def _require(by, perm: str, message: str) -> None:
    if by is None or not by.has_perm(perm):
        raise PermissionDenied(message)


def _require_claim_in_scope(claim: BenefitClaim, by) -> None:
    """The actor's town: a claim of a town the user cannot see is not theirs to decide."""
    if not BenefitClaim.objects.visible_to(by).filter(pk=claim.pk).exists():
        raise PermissionDenied("只能办理本人权限范围内镇/农场的待遇申领")


def _claim_move(claim: BenefitClaim, to_status: str, *, by, opinion: str = "") -> None:
    if to_status not in CLAIM_TRANSITIONS[claim.status]:
        raise ValidationError(
            f"待遇申领当前状态为“{claim.get_status_display()}”，不能变更为“{C(to_status).label}”"
        )
    BenefitClaimStatusChange.objects.create(
        claim=claim, from_status=claim.status, to_status=to_status, by=by, opinion=opinion[:200]
    )
    claim.status = to_status


def _run_move(run: PayrollRun, to_status: str, *, by, note: str = "") -> None:
    if to_status not in RUN_TRANSITIONS[run.status]:
        raise ValidationError(f"{run}当前状态为“{run.get_status_display()}”，不能变更为“{R(to_status).label}”")
    PayrollRunStatusChange.objects.create(run=run, from_status=run.status, to_status=to_status, by=by, note=note[:200])
    run.status = to_status


def _to_receiving(*, person: Person, on_date: date, by, note: str) -> None:
    """R3: only a contributor becomes a beneficiary; a suspended contributor (eligible under R7) is
    first resumed, both steps through the registry's state machine."""
    if person.status == Person.Status.CONTRIB_SUSPENDED:
        person_change_status(person=person, to_status=Person.Status.CONTRIBUTING, on_date=on_date, by=by,
                             note=f"{note}：恢复缴费状态以转为待遇领取")
    person_change_status(person=person, to_status=Person.Status.RECEIVING, on_date=on_date, by=by, note=note)


# --- the benefit claim ---------------------------------------------------------------------------------


@transaction.atomic
def claim_submit(*, person: Person, by, opinion: str = "") -> BenefitClaim:
    """A town agent submits the claim with the preliminary review (申请 → 镇初审通过)."""
    _require(by, "benefits.submit_claim", "只有镇/农场经办员可以提交待遇申领")
    if not Person.objects.visible_to(by).filter(pk=person.pk).exists():
        raise PermissionDenied("只能为本镇/农场的参保人申报待遇")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if Pension.objects.filter(person=person).exists():
        raise ValidationError("该参保人已有养老金待遇记录，不能重复申领")
    if BenefitClaim.objects.filter(person=person).exclude(status=C.RETURNED).exists():
        raise ValidationError("该参保人已有办理中的待遇申领，不能重复申报")
    if not person.bank_account:
        raise ValidationError("参保人未登记银行/社保卡账号，请先办理信息变更后再申报")
    today = timezone.localdate()
    tables = selectors.pension_tables()
    reaching = rules.birthday_month(person.birth_date, tables.params.benefit_age)
    if periods.month_start(today) < reaching:
        raise ValidationError(
            f"{person.name}于{periods.format_month(reaching)}年满{tables.params.benefit_age}周岁，届时方可申报"
        )
    start = selectors.claim_start_month(person=person, today=today, tables=tables)
    calc = selectors.pension_calculation(person=person, start=start, tables=tables)
    if not calc.eligible:
        raise ValidationError(calc.reasons)
    claim = BenefitClaim.objects.create(
        person=person, start_month=start, submitted_by=by, town_opinion=opinion[:200], status=C.SUBMITTED
    )
    BenefitClaimStatusChange.objects.create(claim=claim, from_status="", to_status=C.SUBMITTED, by=by,
                                            opinion="提交待遇申领")
    _claim_move(claim, C.TOWN_REVIEWED, by=by, opinion=opinion or "镇初审通过")
    claim.save(update_fields=["status"])
    return claim


@transaction.atomic
def claim_return(*, claim: BenefitClaim, by, reason: str) -> BenefitClaim:
    """县局退回 (with the reason); the town may submit a new claim."""
    _require(by, "benefits.determine_claim", "只有县局经办员可以退回待遇申领")
    _require_claim_in_scope(claim, by)
    if not reason.strip():
        raise ValidationError({"reason": "退回必须填写原因"})
    claim = BenefitClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.submitted_by_id == by.pk:
        raise ValidationError("申报人不能审核自己提交的待遇申领")
    _claim_move(claim, C.RETURNED, by=by, opinion=reason)
    claim.decided_by, claim.decided_at, claim.county_opinion = by, timezone.now(), reason[:200]
    claim.save(update_fields=["status", "decided_by", "decided_at", "county_opinion"])
    return claim


@transaction.atomic
def claim_determine(*, claim: BenefitClaim, by, opinion: str = "") -> Pension:
    """县核定: compute at the start month S and freeze the pension (R7, R8); the person becomes 待遇领取.

    The interest of the start year is settled here for the months before S (R6, binding default
    "interim interest"): contributions.services.interest_settle records the settlement, also when the
    interim interest is 0.00 (a January start, an empty account), and books a non-zero amount to the
    利息 sub-ledger dated S (so the snapshot at S stays what was frozen); the year-end posting then
    credits nothing more for that year. Not when the start year's year-end interest is already posted
    (a start in an earlier year determined after its year end): that year is settled already."""
    _require(by, "benefits.determine_claim", "只有县局经办员可以核定待遇")
    _require_claim_in_scope(claim, by)
    claim = BenefitClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.submitted_by_id == by.pk:
        raise ValidationError("申报人不能核定自己提交的待遇申领")
    if claim.status != C.TOWN_REVIEWED:
        raise ValidationError(f"待遇申领当前状态为“{claim.get_status_display()}”，不能核定")
    start = claim.start_month
    today = timezone.localdate()
    too_early = selectors.claim_not_yet_determinable(claim, today)
    if too_early:
        raise ValidationError(too_early)
    person = Person.objects.select_for_update().get(pk=claim.person_id)
    calc = selectors.pension_calculation(person=person, start=start)
    if not calc.eligible:
        raise ValidationError(calc.reasons)
    snapshot = calc.snapshot
    pension = Pension(
        person=person, claim=claim, source=Pension.Source.DETERMINED, start_month=start, first_payroll_month=start,
        required_years=calc.required_years, contribution_years=calc.contribution_years,
        first_contribution_year=calc.first_contribution_year, balance_on=start,
        balance_by_source={s: str(a) for s, a in snapshot.by_source_with_interim.items()},
        opening_balance=snapshot.opening_balance, interest_rate=snapshot.rate,
        interim_interest=snapshot.interim_interest, account_balance=snapshot.total, account_divisor=calc.divisor,
        account_pension=calc.account_pension, basic_central=calc.basic.central,
        basic_provincial=calc.basic.provincial, basic_county=calc.basic.county, long_extra=calc.basic.long_extra,
        age_extra=calc.basic.age_extra, basic_pension=calc.basic_pension, last_certified_on=today, decided_by=by,
    )
    pension._history_user = by
    pension._change_reason = "待遇核定"
    pension.save()
    if not interest_year_end_posted(person=person, year=start.year):
        interest_settle(person=person, year=start.year, amount=snapshot.interim_interest, settled_on=start, by=by,
                        reason="待遇开始")
    _to_receiving(person=person, on_date=start, by=by,
                  note=f"待遇核定：自{periods.format_month(start)}起领取，月养老金{calc.monthly_pension}元")
    _claim_move(claim, C.DETERMINED, by=by, opinion=opinion or "县核定通过")
    claim.decided_by, claim.decided_at, claim.county_opinion = by, timezone.now(), opinion[:200]
    claim.save(update_fields=["status", "decided_by", "decided_at", "county_opinion"])
    return pension


@transaction.atomic
def pension_stop(*, pension: Pension, last_month: date, by, reason: str) -> Pension:
    """Stop paying after `last_month` (R11: a death is paid up to and including the death month).
    For the services of termination and death; the person's own status moves through R3 there."""
    if by is None:
        raise PermissionDenied("停止发放必须记录经办人")
    if not reason.strip():
        raise ValidationError({"reason": "停止发放必须填写原因"})
    pension = Pension.objects.select_for_update().get(pk=pension.pk)
    if pension.status == Pension.Status.STOPPED:
        raise ValidationError("该养老金已停止发放")
    pension.status = Pension.Status.STOPPED
    pension.last_month = periods.month_start(last_month)
    pension.stop_reason = reason[:120]
    pension._history_user = by
    pension._change_reason = f"停止发放：{reason}"
    pension.save(update_fields=["status", "last_month", "stop_reason"])
    return pension


# --- go-live import of people already receiving (系统迁移) ------------------------------------------------

PENSIONER_HEADERS = [
    "身份证号", "待遇开始年月", "基础养老金", "个人账户养老金", "个人账户余额", "银行名称", "银行账号", "最近认证日期",
]
PENSIONER_EXAMPLE = ["469024195801011234", "2018-02", "271.00", "85.32", "7521.43", "海南农信", "6217000012345678", "2025-06-10"]


def parse_month_cell(value) -> date:
    """A 年月 cell: a date, or text 2018-02 / 2018/2 / 201802 / 2018年2月."""
    if isinstance(value, date):
        return periods.month_start(value if not hasattr(value, "date") else value.date())
    raw = text(value).replace("/", "-").replace("年", "-").replace("月", "").replace(".", "-").strip("-")
    if raw.isdigit() and len(raw) == 6:
        raw = f"{raw[:4]}-{raw[4:]}"
    if not raw:
        raise ValueError("不能为空")
    return periods.parse_month(raw)


def _amount(value, *, allow_zero: bool = True) -> Decimal:
    if value is None or text(value) == "":
        raise ValueError("不能为空")
    amount = parse_money(value)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValueError("金额不能为负数" if amount < 0 else "金额必须大于零")
    return amount


def pensioners_import(*, file, by=None, job: JobRun | None = None) -> ImportResult:
    """Import people the legacy system already pays (all or nothing, linggao_pension.imports).

    The legacy balance is the truth at go-live: the person's ledger is brought to exactly the
    given 个人账户余额 on the import date. A ledger holding less gets the difference credited to
    个人缴费 (memo 系统迁移补记: the legacy history is not itemised); a ledger holding more (legacy
    drawdowns it never saw) is drawn down by the difference, pro rata across its sub-ledgers like a
    monthly drawdown. That balance, split by sub-ledger, becomes the pension's start balance; the
    account pension is the legacy one, fixed for life. The legacy system paid up to the month before
    the import month; this system pays from the import month on. A 基础养老金 that differs from the
    standards in force for the import month is a warning: the basic part of every month paid here
    follows the standards (R8, R9). `by` is None only from the command line."""
    if by is not None:
        _require(by, "benefits.import_pensioners", "只有县局经办员可以导入待遇领取人员")
    try:
        rows = read_rows(file, PENSIONER_HEADERS)
    except FileFormatError as exc:
        return ImportResult(errors=[RowError(1, "", str(exc))])
    if not rows:
        return ImportResult(errors=[RowError(2, "", "文件中没有数据行")])
    if job is not None:
        jobrun_progress(job=job, done=0, total=len(rows))
    today = timezone.localdate()
    month = periods.month_start(today)
    tables = selectors.pension_tables()
    result = ImportResult()

    def error(row, column, message):
        result.errors.append(RowError(row.number, column, message))

    ids = [text(r.values["身份证号"]).upper() for r in rows]
    persons = {p.id_number: p for p in Person.objects.filter(id_number__in=ids)}
    with_pension = set(Pension.objects.filter(person__id_number__in=ids).values_list("person_id", flat=True))
    years = counted_years_by_person(person_ids=[p.pk for p in persons.values()], before=month)
    seen: dict[str, int] = {}
    parsed = []
    for row, id_number in zip(rows, ids, strict=True):
        before = len(result.errors)
        v = row.values
        person = persons.get(id_number)
        if not id_number:
            error(row, "身份证号", "不能为空")
        elif id_number in seen:
            error(row, "身份证号", f"与第 {seen[id_number]} 行重复")
        elif person is None:
            error(row, "身份证号", "未找到该参保人，请先完成参保登记（或导入历史参保人员）")
        elif person.pk in with_pension or person.status not in selectors.CLAIMABLE_STATUSES:
            error(row, "身份证号", f"参保人当前状态为“{person.get_status_display()}”，不能导入为待遇领取人员")
        if id_number:
            seen.setdefault(id_number, row.number)
        try:
            start = parse_month_cell(v["待遇开始年月"])
            if start > month:
                error(row, "待遇开始年月", "待遇开始年月不能晚于导入当月")
        except ValueError as exc:
            error(row, "待遇开始年月", str(exc))
            start = None
        amounts = {}
        for column in ("基础养老金", "个人账户养老金", "个人账户余额"):
            try:
                amounts[column] = _amount(v[column])
            except ValueError as exc:
                error(row, column, str(exc))
        if amounts.get("基础养老金") == 0 and amounts.get("个人账户养老金") == 0:
            error(row, "基础养老金", "基础养老金与个人账户养老金不能都为零")
        bank_name, bank_account = text(v["银行名称"]), text(v["银行账号"]).replace(" ", "")
        if not bank_name:
            error(row, "银行名称", "不能为空")
        if not bank_account:
            error(row, "银行账号", "不能为空")
        elif not bank_account.isdigit() or not 8 <= len(bank_account) <= 32:
            error(row, "银行账号", "银行账号应为 8 至 32 位数字")
        certified = today
        if text(v["最近认证日期"]):
            try:
                certified = cell_date(v["最近认证日期"])
                if certified > today:
                    error(row, "最近认证日期", "不能晚于今天")
            except ValueError as exc:
                error(row, "最近认证日期", str(exc))
        if len(result.errors) > before or person is None:
            continue
        counted = years.get(person.pk, [])
        expected = tables.basic(month=month, years=len(counted), age=rules.age_at_month(person.birth_date, month))
        if amounts["基础养老金"] != expected.total:
            result.warnings.append(RowError(
                row.number, "基础养老金",
                f"{amounts['基础养老金']} 元与{periods.format_month(month)}标准 {expected.total} 元不一致："
                "已按导入值记录，本系统各月按标准发放",
            ))
        parsed.append(_Pensioner(person, start, amounts, bank_name, bank_account, certified, counted, expected))
    if result.errors:
        result.warnings = []
        return result
    if job is not None:
        jobrun_progress(job=job, done=len(rows) // 2)
    with transaction.atomic():
        _pensioners_write(parsed=parsed, by=by, today=today, month=month, tables=tables)
    result.imported = len(parsed)
    return result


@dataclass
class _Pensioner:
    person: Person
    start: date
    amounts: dict
    bank_name: str
    bank_account: str
    certified: date
    counted: list
    expected: rules.BasicParts


def _pensioners_write(*, parsed: list[_Pensioner], by, today: date, month: date, tables) -> None:
    person_ids = [row.person.pk for row in parsed]
    persons = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=person_ids)}
    if Pension.objects.filter(person_id__in=person_ids).exists():
        raise ValidationError("导入期间有人员已核定待遇，未导入任何数据，请重新导入")
    ledger: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in (
        AccountEntry.objects.filter(person_id__in=person_ids).values("person_id", "source")
        .annotate(total=Sum("amount")).order_by()
    ):
        if row["total"]:
            ledger[row["person_id"]][row["source"]] = quantize(row["total"])
    entries, pensions = [], []
    for row in parsed:
        person = persons[row.person.pk]
        if person.status not in selectors.CLAIMABLE_STATUSES:
            raise ValidationError(f"{person.name}的状态在导入期间已变更，未导入任何数据，请重新导入")
        by_source = dict(ledger.get(person.pk, {}))
        target = row.amounts["个人账户余额"]
        diff = target - sum(by_source.values(), ZERO)
        if diff > 0:
            entries.append(AccountEntry(
                person_id=person.pk, source=Source.PERSONAL, kind=EntryKind.CREDIT, amount=diff, entry_date=today,
                year=today.year, memo="系统迁移补记：按原系统个人账户余额",
            ))
            by_source[Source.PERSONAL] = by_source.get(Source.PERSONAL, ZERO) + diff
        elif diff < 0:
            parts = rules.drawdown_split(start_by_source=by_source, drawn_before=ZERO, draw=-diff,
                                         residue_source=Source.PERSONAL)
            for source, part in parts.items():
                entries.append(AccountEntry(
                    person_id=person.pk, source=source, kind=EntryKind.PENSION, amount=-part, entry_date=today,
                    year=today.year, memo="系统迁移：原系统已支付的个人账户养老金",
                ))
                by_source[source] = by_source.get(source, ZERO) - part
        expected = row.expected
        pensions.append(Pension(
            person=person, source=Pension.Source.IMPORTED, start_month=row.start, first_payroll_month=month,
            required_years=rules.required_years(rules.age_at_scheme_start(person.birth_date, tables.params),
                                                tables.params),
            contribution_years=len(row.counted), first_contribution_year=row.counted[0] if row.counted else None,
            balance_on=today, balance_by_source={s: str(a) for s, a in by_source.items() if a},
            account_balance=target, account_divisor=tables.params.account_divisor,
            account_pension=row.amounts["个人账户养老金"], basic_central=expected.central,
            basic_provincial=expected.provincial, basic_county=expected.county, long_extra=expected.long_extra,
            age_extra=expected.age_extra, basic_pension=row.amounts["基础养老金"], last_certified_on=row.certified,
            decided_by=by,
        ))
        # R3, validated against the registry's own transition table. The go-live import writes the
        # statuses in bulk (tens of thousands of people, possibly from the command line with no
        # user); a suspended contributor is resumed and becomes a beneficiary in the same step.
        via = person.status
        if via == Person.Status.CONTRIB_SUSPENDED:
            via = Person.Status.CONTRIBUTING
        if Person.Status.RECEIVING not in PERSON_TRANSITIONS[via]:
            raise ValidationError(f"{person.name}当前状态不能转为待遇领取")
        person.status = Person.Status.RECEIVING
        person.status_reason = ""
        person.status_changed_on = row.start
        person.bank_name, person.bank_account = row.bank_name, row.bank_account
    if entries:
        account_post_bulk(entries=entries, by=by)
    bulk_create_with_history(pensions, Pension, batch_size=PAYROLL_CHUNK, default_user=by,
                             default_change_reason="原系统待遇领取人员迁移导入")
    save_with_history(
        Person, list(persons.values()), ["status", "status_reason", "status_changed_on", "bank_name", "bank_account"],
        by=by, reason="原系统待遇领取人员迁移导入：转为待遇领取，更新发放账号",
    )


def pensioners_import_start(*, stored: str, filename: str, by) -> JobRun:
    """The upload page: record the import job for the stored file; the caller enqueues it."""
    _require(by, "benefits.import_pensioners", "只有县局经办员可以导入待遇领取人员")
    return jobrun_create(kind=IMPORT_JOB, by=by, params={"stored": stored, "filename": filename})


def pensioners_import_job(*, job: JobRun, by, path: str = "", stored: str = "", filename: str = "") -> dict:
    """Job handler (settings.JOB_HANDLERS["benefits.import_pensioners"]): the file is a path on disk
    (the command) or a name in default storage (the upload page). A refused file fails the job with
    every bad row in its result."""
    if stored:
        with default_storage.open(stored, "rb") as file:
            result = pensioners_import(file=file, by=by, job=job)
    else:
        with open(path, "rb") as file:
            result = pensioners_import(file=file, by=by, job=job)
    data = result.as_dict()
    if not result.ok:
        JobRun.objects.filter(pk=job.pk).update(result=data, counts={"imported": 0, "errors": len(result.errors)})
        raise ValidationError(f"导入失败：发现 {len(result.errors)} 处错误，未导入任何数据")
    job.counts = {"imported": result.imported, "warnings": len(result.warnings)}
    return data


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


def _lock_generated(run_id: int) -> PayrollRun:
    run = PayrollRun.objects.select_for_update().get(pk=run_id)
    if run.status != R.GENERATED:
        raise ValidationError(f"{run}{run.get_status_display()}，生成中止")
    return run


class _Line(NamedTuple):
    """A payroll line to insert (the run and the creation time are added by _insert_lines)."""

    pension_id: int
    person_id: int
    town_id: int
    month: date
    kind: str
    basic: Decimal
    account: Decimal
    bank_name: str
    bank_account: str
    reissue_of_id: int | None = None


LINE_COLUMNS = (
    "run_id", "pension_id", "person_id", "town_id", "month", "kind", "basic_amount", "account_amount", "amount",
    "bank_name", "bank_account", "status", "failure_reason", "drawn_amount", "account_exhausted", "reissue_of_id",
    "created_at",
)


def _insert_lines(run: PayrollRun, lines: list[_Line]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING, many rows per statement; returns how many rows were added.

    The partial unique index payline_once_per_month_kind (and reissue_of's) turns a line that is
    already there into a no-op, on PostgreSQL and SQLite alike. Unlike Django's ignore_conflicts
    (INSERT OR IGNORE on SQLite) this skips only uniqueness conflicts, never a failed check. Rows are
    built as tuples, not model instances: at 60,000 lines the ORM's per-object work costs more than
    the database's (bench/bench_payroll.py)."""
    if not lines:
        return 0
    ops = connection.ops
    table = ops.quote_name(PayrollLine._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in LINE_COLUMNS)
    row_sql = "(" + ", ".join(["%s"] * len(LINE_COLUMNS)) + ")"
    per_statement = min(500, (connection.features.max_query_params or 100_000) // len(LINE_COLUMNS))
    now = ops.adapt_datetimefield_value(timezone.now())
    zero = ops.adapt_decimalfield_value(ZERO, 14, 2)
    months: dict[date, object] = {}
    added = 0
    with connection.cursor() as cursor:
        for i in range(0, len(lines), per_statement):
            batch = lines[i : i + per_statement]
            params: list = []
            for ln in batch:
                month = months.get(ln.month)
                if month is None:
                    month = months[ln.month] = ops.adapt_datefield_value(ln.month)
                params += [
                    run.pk, ln.pension_id, ln.person_id, ln.town_id, month, ln.kind,
                    ops.adapt_decimalfield_value(ln.basic, 14, 2), ops.adapt_decimalfield_value(ln.account, 14, 2),
                    ops.adapt_decimalfield_value(ln.basic + ln.account, 14, 2), ln.bank_name, ln.bank_account,
                    L.PENDING, "", zero, False, ln.reissue_of_id, now,
                ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(batch))} ON CONFLICT DO NOTHING",
                params,
            )
            added += cursor.rowcount
    return added


PENSION_FIELDS = (
    "pk", "person_id", "person__town_id", "person__birth_date", "person__bank_name", "person__bank_account",
    "first_payroll_month", "last_month", "contribution_years", "account_pension",
)


def _payroll_chunk(*, run_id: int, month: date, pension_ids: list[int], tables, arrears_from: date | None) -> int:
    with transaction.atomic():
        run = _lock_generated(run_id)
        pensions = {
            row["pk"]: row
            for row in Pension.objects.filter(
                pk__in=pension_ids, status=Pension.Status.ACTIVE, person__status=Person.Status.RECEIVING
            ).values(*PENSION_FIELDS)
        }
        last_normal = dict(
            PayrollLine.objects.filter(pension_id__in=pension_ids, kind=K.NORMAL).values("pension_id")
            .annotate(last=Max("month")).order_by().values_list("pension_id", "last")
        )
        lines: list[_Line] = []

        def line(p, m, kind, basic, account):
            return _Line(p["pk"], p["person_id"], p["person__town_id"], m, kind, basic, account,
                         p["person__bank_name"], p["person__bank_account"])

        for p in pensions.values():
            # Every month not yet paid, from the first payroll month (or the month after the last
            # paid) to this one: a late determination, or a return from suspension, is caught up.
            first = p["first_payroll_month"]
            if p["pk"] in last_normal:
                first = max(first, periods.add_months(last_normal[p["pk"]], 1))
            end = min(month, p["last_month"]) if p["last_month"] else month
            for m in periods.iter_months(first, end):
                basic = tables.basic_total(month=m, years=p["contribution_years"],
                                           age=rules.age_at_month(p["person__birth_date"], m))
                if basic + p["account_pension"] > 0:
                    lines.append(line(p, m, K.NORMAL, basic, p["account_pension"]))
        if arrears_from is not None:
            paid = (
                PayrollLine.objects.live().filter(pension_id__in=list(pensions), month__gte=arrears_from, month__lt=month)
                .values("pension_id", "month").annotate(basic=Sum("basic_amount")).order_by()
            )
            for row in paid:
                p = pensions[row["pension_id"]]
                if p["last_month"] and row["month"] > p["last_month"]:
                    continue
                expected = tables.basic_total(month=row["month"], years=p["contribution_years"],
                                              age=rules.age_at_month(p["person__birth_date"], row["month"]))
                if expected > row["basic"]:
                    lines.append(line(p, row["month"], K.ARREARS, quantize(expected - row["basic"]), ZERO))
        return _insert_lines(run, lines)


def _payroll_reissues(*, run_id: int, month: date) -> int:
    """重发: every failed line of an earlier run, once, with today's bank details."""
    failed = list(
        PayrollLine.objects.filter(
            status=L.FAILED, run__month__lt=month, reissued_by__isnull=True, pension__status=Pension.Status.ACTIVE,
            person__status=Person.Status.RECEIVING,
        ).values("pk", "pension_id", "person_id", "person__town_id", "person__bank_name", "person__bank_account",
                 "month", "basic_amount", "account_amount", "pension__last_month")
    )
    created = 0
    for i in range(0, len(failed), PAYROLL_CHUNK):
        with transaction.atomic():
            run = _lock_generated(run_id)
            lines = [
                _Line(f["pension_id"], f["person_id"], f["person__town_id"], f["month"], K.REISSUE,
                      f["basic_amount"], f["account_amount"], f["person__bank_name"], f["person__bank_account"],
                      reissue_of_id=f["pk"])
                for f in failed[i : i + PAYROLL_CHUNK]
                if not f["pension__last_month"] or f["month"] <= f["pension__last_month"]
            ]
            created += _insert_lines(run, lines)
    return created


def payroll_generate(*, month: date, by=None, job: JobRun | None = None) -> dict:
    """Generate (or complete) the payroll of `month`: one 正常 line per pensioner and unpaid month,
    补发 lines after a retroactive standard (R9), 重发 lines for earlier failed payments.

    Safe to rerun and to run twice at once: nothing is ever paid twice (see the module docstring).
    Commits per chunk of pensions, so a crash loses nothing done; `job` receives the progress.
    Returns {"lines": lines in the run, "total": "x.xx", "created": lines this call added}."""
    if by is not None:
        _require(by, "benefits.generate_payroll", "只有财务人员或局领导可以生成月度发放")
    month = periods.month_start(month)
    run = _payroll_open(month=month, by=by)
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
                                  tables=tables, arrears_from=arrears_from)
        if job is not None:
            jobrun_progress(job=job, done=min(i + PAYROLL_CHUNK, total))
    created += _payroll_reissues(run_id=run.pk, month=month)
    count, amount = selectors.run_totals(run)
    with transaction.atomic():
        run = _lock_generated(run.pk)
        PayrollRunStatusChange.objects.create(
            run=run, from_status=R.GENERATED, to_status=R.GENERATED, by=by,
            note=f"生成发放明细：本次新增 {created} 条，共 {count} 条，合计 {amount} 元"
            + (f"；含{periods.format_month(arrears_from)}起标准调整补发" if arrears_from else ""),
        )
    if job is not None:
        job.counts = {"lines": count, "created": created}
    return {"lines": count, "total": str(amount), "created": created}


def payroll_job(*, job: JobRun, by, month: str) -> dict:
    """The JobRun handler (settings.JOB_HANDLERS["benefits.payroll"])."""
    try:
        pay_month = periods.parse_month(month)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    return payroll_generate(month=pay_month, by=by, job=job)


def payroll_start(*, month: date, by) -> JobRun:
    """The page's button: record the job; the caller enqueues it (org.tasks.enqueue)."""
    _require(by, "benefits.generate_payroll", "只有财务人员或局领导可以生成月度发放")
    refusal = selectors.payroll_refusal(month=month, today=timezone.localdate())
    if refusal:
        raise ValidationError({"month": refusal})
    return jobrun_create(kind=PAYROLL_JOB, by=by, params={"month": f"{month:%Y-%m}"})


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
    job = jobrun_create(kind=PAYROLL_JOB, by=None, params={"month": f"{month:%Y-%m}"})
    try:
        jobrun_execute(job=job)
    except ValidationError:
        pass  # recorded on the job run
    job.refresh_from_db()
    return job.status


@transaction.atomic
def payroll_review(*, run: PayrollRun, by, note: str = "") -> PayrollRun:
    """复核 by a second finance user: whoever generated the run never reviews it."""
    _require(by, "benefits.review_payroll", "只有财务人员可以复核月度发放")
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    if run.status != R.GENERATED:
        raise ValidationError(f"{run}当前状态为“{run.get_status_display()}”，不能复核")
    if by.pk in selectors.run_generators(run):
        raise ValidationError("生成发放明细的人员不能复核同一批发放")
    if not run.lines.exists():
        raise ValidationError(f"{run}没有发放明细，不能复核")
    _run_move(run, R.REVIEWED, by=by, note=note or "复核通过")
    run.reviewed_by, run.reviewed_at = by, timezone.now()
    run.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return run


BANK_FILE_COLUMNS = [
    exports.Column("流水号", 10), exports.Column("姓名", 10), exports.Column("身份证号", 21),
    exports.Column("银行账号", 22), exports.Column("金额", 12, money=True, total=True),
    exports.Column("费款所属期", 11), exports.Column("类型", 7),
]
UNNAMED_BANK = "未注明银行"
KIND_LABELS = dict(K.choices)


class _BankRow(NamedTuple):
    """One exported line, read as a tuple (60,000 model instances cost more than the files)."""

    pk: int
    name: str
    id_number: str
    bank_name: str
    bank_account: str
    amount: Decimal
    month: date
    kind: str


def _bank_rows(run: PayrollRun) -> list[_BankRow]:
    """The lines the bank pays: pending, with an account, by bank and line number."""
    return [
        _BankRow(*row)
        for row in PayrollLine.objects.filter(run=run, status=L.PENDING).exclude(bank_account="")
        .order_by("bank_name", "pk")
        .values_list("pk", "person__name", "person__id_number", "bank_name", "bank_account", "amount", "month", "kind")
    ]


def bank_file_bytes(*, run: PayrollRun, bank_name: str, lines: list[_BankRow]) -> tuple[bytes, int, Decimal]:
    count, total = len(lines), sum((ln.amount for ln in lines), ZERO)
    wb = exports.new_workbook()
    exports.add_sheet(
        wb, "代发明细", BANK_FILE_COLUMNS,
        (
            [ln.pk, ln.name, ln.id_number, ln.bank_account, ln.amount, f"{ln.month:%Y-%m}", KIND_LABELS[ln.kind]]
            for ln in lines
        ),
        heading_lines=[
            "临高县城乡居民基本养老保险待遇代发",
            f"开户银行：{bank_name}　发放年月：{run.month:%Y-%m}",
            f"笔数：{count}",
            f"金额合计：{total}",
        ],
    )
    return exports.workbook_bytes(wb), count, total




def payroll_export(*, run: PayrollRun, by, job: JobRun | None = None) -> list[PayrollBankFile]:
    """已复核 → 已导出: one Excel per bank, its header giving the count and total of its lines, and
    the return-file template for the same lines, all stored (PayrollBankFile, PayrollRun.return_template).

    The files are built before the transaction (a county's 60,000 lines take several seconds, which
    is why the page runs this as a job): a reviewed run's lines no longer change, and the status is
    checked again under the row lock before anything is stored, so two exports at once store one set."""
    _require(by, "benefits.export_payroll", "只有财务人员可以导出银行发放文件")
    run = PayrollRun.objects.get(pk=run.pk)
    if run.status != R.REVIEWED:
        raise ValidationError(f"{run}当前状态为“{run.get_status_display()}”，复核后才能导出银行文件")
    rows = _bank_rows(run)
    if job is not None:
        jobrun_progress(job=job, done=0, total=len(rows))
    by_bank: dict[str, list[_BankRow]] = defaultdict(list)
    for row in rows:
        by_bank[row.bank_name or UNNAMED_BANK].append(row)
    built, done = [], 0
    for bank_name, bank_rows in sorted(by_bank.items()):
        built.append((bank_name, *bank_file_bytes(run=run, bank_name=bank_name, lines=bank_rows)))
        done += len(bank_rows)
        if job is not None:
            jobrun_progress(job=job, done=done)
    template = _return_template(rows)
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
        _run_move(run, R.EXPORTED, by=by, note=f"导出银行文件 {len(files)} 个，{len(rows)} 笔")
        run.exported_by, run.exported_at = by, timezone.now()
        run.save(update_fields=["status", "exported_by", "exported_at", "return_template"])
    return files


def payroll_export_start(*, run: PayrollRun, by) -> JobRun:
    """The page's button: record the export job; the caller enqueues it (org.tasks.enqueue)."""
    _require(by, "benefits.export_payroll", "只有财务人员可以导出银行发放文件")
    run = PayrollRun.objects.get(pk=run.pk)
    if run.status != R.REVIEWED:
        raise ValidationError(f"{run}当前状态为“{run.get_status_display()}”，复核后才能导出银行文件")
    if selectors.run_jobs_running(run, kinds=[EXPORT_JOB]):
        raise ValidationError(f"{run}的银行文件正在导出，请在任务完成后查看")
    return jobrun_create(kind=EXPORT_JOB, by=by, params={"run": run.pk})


def payroll_export_job(*, job: JobRun, by, run: int) -> dict:
    """Job handler (settings.JOB_HANDLERS["benefits.payroll_export"])."""
    payroll_run = PayrollRun.objects.get(pk=run)
    files = payroll_export(run=payroll_run, by=by, job=job)
    count = sum(f.line_count for f in files)
    total = sum((f.total for f in files), ZERO)
    job.counts = {"files": len(files), "lines": count}
    return {"month": f"{payroll_run.month:%Y-%m}", "lines": count, "total": str(total)}


RETURN_HEADERS = ["流水号", "身份证号", "银行账号", "金额", "结果", "失败原因"]
RESULT_OK, RESULT_FAILED = "成功", "失败"


def _return_template(rows: list[_BankRow]) -> bytes:
    """The return-file template for the bank: every exported line, 结果 and 失败原因 to fill in.
    Write-only workbook; the ID and account cells are text ("@") so Excel keeps every digit."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("回盘")
    for col, width in zip("ABCDEF", (10, 22, 24, 12, 8, 30), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    ws.append(RETURN_HEADERS)

    def as_text(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "@"
        return cell

    for row in rows:
        ws.append([row.pk, as_text(row.id_number), as_text(row.bank_account), row.amount, "", ""])
    return exports.workbook_bytes(wb)


def return_template_bytes(run: PayrollRun) -> bytes:
    """The stored template of an exported run; built (and stored) on first use for a run exported
    before templates were stored."""
    run = PayrollRun.objects.get(pk=run.pk)
    if not run.return_template:
        content = _return_template(_bank_rows(run))
        if run.status == R.EXPORTED:
            run.return_template.save(f"{run.month:%Y-%m}_银行回盘模板.xlsx", ContentFile(content), save=False)
            PayrollRun.objects.filter(pk=run.pk).update(return_template=run.return_template.name)
        return content
    with run.return_template.open("rb") as f:
        return f.read()


def payroll_close(*, run: PayrollRun, file, by, paid_on: date | None = None) -> ImportResult:
    """Close an exported run with the bank's return file (all or nothing): every exported line once,
    with 结果 成功 or 失败 (+ 失败原因). Paid lines are drawn down from the account; failed ones are
    paid again by a 重发 line in the next run."""
    _require(by, "benefits.close_payroll", "只有财务人员可以导入银行回盘文件")
    try:
        rows = read_rows(file, RETURN_HEADERS)
    except FileFormatError as exc:
        return ImportResult(errors=[RowError(1, "", str(exc))])
    run.refresh_from_db()
    if run.status != R.EXPORTED:
        return ImportResult(errors=[RowError(0, "", f"{run}当前状态为“{run.get_status_display()}”，不能回盘")])
    result = ImportResult()
    expected = {
        ln.pk: ln
        for ln in PayrollLine.objects.filter(run=run, status=L.PENDING).exclude(bank_account="").select_related("person")
        .only("pk", "amount", "bank_account", "person", "person__id_number")
    }
    outcomes: dict[int, str | None] = {}
    seen: dict[int, int] = {}
    for row in rows:
        v = row.values

        def error(column, message, row=row):
            result.errors.append(RowError(row.number, column, message))

        raw_id = text(v["流水号"])
        line = expected.get(int(raw_id)) if raw_id.isdigit() else None
        if line is None:
            error("流水号", f"“{raw_id}”不是本批发放的待支付明细")
            continue
        if line.pk in seen:
            error("流水号", f"与第 {seen[line.pk]} 行重复")
            continue
        seen[line.pk] = row.number
        if text(v["身份证号"]).upper() != line.person.id_number:
            error("身份证号", "与发放明细不一致")
        if text(v["银行账号"]).replace(" ", "") != line.bank_account:
            error("银行账号", "与发放明细不一致")
        try:
            if parse_money(v["金额"]) != line.amount:
                error("金额", f"与发放明细金额 {line.amount} 不一致")
        except ValueError as exc:
            error("金额", str(exc))
        outcome, reason = text(v["结果"]), text(v["失败原因"])
        if outcome == RESULT_OK:
            outcomes[line.pk] = None
        elif outcome == RESULT_FAILED:
            if not reason:
                error("失败原因", "结果为“失败”时必须填写失败原因")
            outcomes[line.pk] = reason[:120]
        else:
            error("结果", f"应为“{RESULT_OK}”或“{RESULT_FAILED}”")
    missing = [pk for pk in expected if pk not in seen]
    if missing:
        result.errors.append(RowError(0, "流水号", f"回盘文件缺少 {len(missing)} 条明细（如流水号 {missing[0]}）"))
    if result.errors:
        return result
    payroll_apply_return(run=run, outcomes=outcomes, by=by, paid_on=paid_on or timezone.localdate())
    result.imported = len(outcomes)
    return result


def payroll_close_job(*, job: JobRun, by, run: int, stored: str, paid_on: str = "") -> dict:
    """Job handler (settings.JOB_HANDLERS["benefits.payroll_close"]): the uploaded return file."""
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


def payroll_close_start(*, run: PayrollRun, stored: str, by, paid_on: date | None = None) -> JobRun:
    """The upload page: record the closing job for the stored file; the caller enqueues it."""
    _require(by, "benefits.close_payroll", "只有财务人员可以导入银行回盘文件")
    if run.status != R.EXPORTED:
        raise ValidationError(f"{run}当前状态为“{run.get_status_display()}”，导出银行文件后才能回盘")
    params = {"run": run.pk, "stored": stored, "paid_on": paid_on.isoformat() if paid_on else ""}
    return jobrun_create(kind=CLOSE_JOB, by=by, params=params)


@transaction.atomic
def payroll_apply_return(*, run: PayrollRun, outcomes: dict[int, str | None], by, paid_on: date) -> PayrollRun:
    """已导出 → 已发放. outcomes: line id -> None (paid) or the failure reason. Lines the bank
    never received (no account) fail. Each paid month with an account part draws it down."""
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    if run.status != R.EXPORTED:
        raise ValidationError(f"{run}当前状态为“{run.get_status_display()}”，导出银行文件后才能回盘")
    pending = run.lines.filter(status=L.PENDING)
    pending.filter(bank_account="").update(status=L.FAILED, failure_reason=NO_ACCOUNT_REASON)
    failures: dict[str, list[int]] = defaultdict(list)
    for pk, reason in outcomes.items():
        if reason is not None:
            failures[reason].append(pk)
    for reason, ids in failures.items():
        for i in range(0, len(ids), 1000):
            pending.filter(pk__in=ids[i : i + 1000]).update(status=L.FAILED, failure_reason=reason)
    paid_ids = sorted(pk for pk, reason in outcomes.items() if reason is None)
    _drawdown(run=run, paid_ids=paid_ids, by=by, paid_on=paid_on)
    paid_pensions = set(run.lines.filter(status=L.PAID).values_list("pension_id", flat=True))
    for claim in BenefitClaim.objects.filter(status=C.DETERMINED, pension__in=paid_pensions).select_for_update():
        _claim_move(claim, C.RECEIVING, by=by, opinion=f"{periods.format_month(run.month)}首次发放已到账")
        claim.save(update_fields=["status"])
    _run_move(run, R.CLOSED, by=by, note=f"银行回盘：成功 {len(paid_ids)} 笔，失败 {len(outcomes) - len(paid_ids)} 笔")
    run.closed_by, run.closed_at, run.paid_on = by, timezone.now(), paid_on
    run.save(update_fields=["status", "closed_by", "closed_at", "paid_on"])
    return run


def _drawdown(*, run: PayrollRun, paid_ids: list[int], by, paid_on: date) -> None:
    """Mark lines paid and draw each paid month's account pension from the ledger (R8): one entry
    per paid month and sub-ledger, pro rata to the start balance (binding default "monthly
    drawdown"), until the start balance is used up; then the pension is still paid in full, the
    line records account_exhausted and the pension the month it happened."""
    for i in range(0, len(paid_ids), PAYROLL_CHUNK):
        ids = paid_ids[i : i + PAYROLL_CHUNK]
        lines = list(
            PayrollLine.objects.filter(pk__in=ids, status=L.PENDING)
            .only("pk", "pension", "person", "month", "kind", "account_amount")
            .order_by("pension_id", "month", "pk")
        )
        pension_ids = {ln.pension_id for ln in lines}
        pensions = {
            p.pk: p
            for p in Pension.objects.filter(pk__in=pension_ids)
        }
        drawn = dict(
            PayrollLine.objects.filter(pension_id__in=pension_ids, status=L.PAID).values("pension_id")
            .annotate(t=Sum("drawn_amount")).order_by().values_list("pension_id", "t")
        )
        entries, exhausted, partial = [], [], []
        for ln in lines:
            if not ln.account_amount:
                continue
            pension = pensions[ln.pension_id]
            before = drawn.get(ln.pension_id) or ZERO
            draw = rules.draw_for_month(account_pension=ln.account_amount, start_balance=pension.account_balance,
                                        drawn_before=before)
            drawn[ln.pension_id] = before + draw
            if draw < ln.account_amount:
                partial.append((ln.pk, draw))
                if pension.exhausted_month is None:
                    pension.exhausted_month = ln.month
                    exhausted.append(pension)
            start = {s: Decimal(a) for s, a in pension.balance_by_source.items()}
            parts = rules.drawdown_split(start_by_source=start, drawn_before=before, draw=draw,
                                         residue_source=Source.PERSONAL)
            memo = f"{periods.format_month(ln.month)}个人账户养老金（{ln.get_kind_display()}）"
            for source, part in parts.items():
                entries.append(AccountEntry(
                    person_id=ln.person_id, source=source, kind=EntryKind.PENSION, amount=-part,
                    entry_date=paid_on, year=ln.month.year, memo=memo,
                ))
        # Most months draw the whole account pension: a few UPDATEs, not one per line.
        chunk_lines = PayrollLine.objects.filter(pk__in=[ln.pk for ln in lines])
        chunk_lines.update(status=L.PAID, paid_on=paid_on)
        chunk_lines.filter(account_amount__gt=0).exclude(pk__in=[pk for pk, _ in partial]).update(
            drawn_amount=F("account_amount")
        )
        by_draw: dict[Decimal, list[int]] = defaultdict(list)
        for pk, draw in partial:
            by_draw[draw].append(pk)
        for draw, pks in by_draw.items():
            PayrollLine.objects.filter(pk__in=pks).update(drawn_amount=draw, account_exhausted=True)
        if entries:
            account_post_bulk(entries=entries, by=by)
        if exhausted:
            save_with_history(Pension, exhausted, ["exhausted_month"], by=by,
                              reason="个人账户储存额已支付完毕，此后由基金支付")
