"""The go-live import of people the legacy system already pays (系统迁移, all or nothing)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from contributions.models import AccountEntry, EntryKind, Source
from contributions.selectors import counted_years_by_person
from contributions.services import account_post_bulk
from enrollment.models import Person
from enrollment.services import ReceivingStart, persons_start_receiving
from linggao_pension import periods
from linggao_pension.imports import (
    FileFormatError,
    ImportResult,
    RowError,
    cell_date,
    import_job,
    read_rows,
    text,
)
from linggao_pension.money import ZERO, quantize
from linggao_pension.money import parse as parse_money
from linggao_pension.org.models import JobRun
from linggao_pension.org.services import job_start, jobrun_progress

from .. import rules, selectors
from ..models import (
    Pension,
)
from .common import (
    IMPORT_JOB,
    PAYROLL_CHUNK,
    require,
)

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
        require(by, "benefits.import_pensioners", "只有县局经办员可以导入待遇领取人员")
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
    entries, pensions, starts = [], [], []
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
        starts.append(ReceivingStart(person_id=person.pk, on=row.start, bank_name=row.bank_name,
                                     bank_account=row.bank_account))
    if entries:
        account_post_bulk(entries=entries, by=by)
    bulk_create_with_history(pensions, Pension, batch_size=PAYROLL_CHUNK, default_user=by,
                             default_change_reason="原系统待遇领取人员迁移导入")
    # R3 and the account, written by the registry's own service (tens of thousands of people).
    persons_start_receiving(starts=starts, by=by, reason="原系统待遇领取人员迁移导入：转为待遇领取，更新发放账号")


def pensioners_import_start(*, upload, by) -> JobRun:
    """The upload page: the file is stored with its job, which runs after commit."""
    require(by, "benefits.import_pensioners", "只有县局经办员可以导入待遇领取人员")
    return job_start(kind=IMPORT_JOB, by=by, upload=upload)


def pensioners_import_job(*, job: JobRun, by, path: str = "", stored: str = "", filename: str = "") -> dict:
    """Job handler (the app's job_handlers["benefits.import_pensioners"]): linggao_pension.imports.import_job
    with this import's write service (a refused file fails the job with every bad row)."""
    return import_job(job=job, path=path, stored=stored, count_warnings=True,
                      run=lambda file: pensioners_import(file=file, by=by, job=job))  # fmt: skip

