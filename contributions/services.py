"""Every write of the contributions app: the personal account ledger (append-only: a mistake gets a
reversing entry), payments and receipts, the bank-file import, 代缴, year-end interest, the month-end
remittance and the old-scheme/land credits.

Other apps post to the ledger only through account_post / account_post_bulk / account_post_fast /
account_entry_reverse.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from enrollment.models import Person
from linggao_pension import exports, periods
from linggao_pension.imports import ImportResult, RowError, cell_date, read_rows, text
from linggao_pension.money import ZERO, parse, quantize
from linggao_pension.org.models import town_scope_q
from linggao_pension.org.services import jobrun_progress

from . import reports, rules, selectors
from .models import (
    AccountEntry,
    EntryKind,
    InterestPosting,
    InterestSettlement,
    Receipt,
    ReceiptSequence,
    Remittance,
    Source,
    SpecialCredit,
)
from .rules import yuan

# Enum .values rebuilds its list on every call: too slow for 250,000 entries in a batch.
_SOURCE_VALUES = frozenset(Source.values)
_KIND_VALUES = frozenset(EntryKind.values)


def _check_entry(entry: AccountEntry) -> None:
    if entry.source not in _SOURCE_VALUES:
        raise ValidationError(f"未知的资金来源：{entry.source}")
    if entry.kind not in _KIND_VALUES:
        raise ValidationError(f"未知的分录类型：{entry.kind}")
    if not isinstance(entry.amount, Decimal):
        raise TypeError("amount must be a Decimal")
    entry.amount = quantize(entry.amount)
    if entry.amount == 0:
        raise ValidationError("记账金额不能为零")


@transaction.atomic
def account_post(
    *, person, source: str, kind: str, amount: Decimal, entry_date: date, by, year: int | None = None, memo: str = ""
) -> AccountEntry:
    """Post one entry (credit positive, debit negative) dated the day the money was credited."""
    if by is None:
        raise PermissionDenied("记账必须记录经办人")
    entry = AccountEntry(
        person=person, source=source, kind=kind, amount=amount, entry_date=entry_date, year=year, memo=memo,
        created_by=by,
    )
    _check_entry(entry)
    entry.save()
    return entry


def account_post_bulk(
    *, entries: list[AccountEntry], by, batch_size: int = 2000, ignore_conflicts: bool = False
) -> int:
    """Post many entries at once (batch jobs). The caller holds the transaction that makes the batch
    atomic together with its own bookkeeping; every entry is checked as account_post checks one.

    ignore_conflicts: a row that a unique constraint refuses (interest or 代缴 of a year already
    credited by a concurrent run) is skipped instead of failing the batch."""
    for entry in entries:
        entry.created_by = by
        _check_entry(entry)
    AccountEntry.objects.bulk_create(entries, batch_size=batch_size, ignore_conflicts=ignore_conflicts)
    return len(entries)


_FAST_COLUMNS = (
    "person", "source", "kind", "amount", "entry_date", "year", "memo", "receipt", "created_by", "created_at",
)


@dataclass(frozen=True)
class NewEntry:
    """An entry for account_post_fast: a plain row, no model instance (batches insert 250,000)."""

    person_id: int
    source: str
    kind: str
    amount: Decimal
    entry_date: date
    year: int | None
    memo: str
    receipt_id: int | None = None


def account_post_fast(*, entries: list[NewEntry], by, batch_size: int = 1000) -> None:
    """Post many entries with multi-row INSERT ... ON CONFLICT DO NOTHING (PostgreSQL and SQLite), each
    value adapted once: several times faster than bulk_create at 250,000 rows (interest, 代缴,
    receipt credits, imports). Rows a unique constraint refuses (interest or 代缴 of a year already
    credited by a concurrent run) are skipped; entries get no primary keys. Each entry is checked as
    account_post checks one; the caller holds the transaction."""
    if not entries:
        return
    ops = connection.ops
    meta = AccountEntry._meta
    columns = ", ".join(ops.quote_name(meta.get_field(name).column) for name in _FAST_COLUMNS)
    created_at = ops.adapt_datetimefield_value(timezone.now())
    by_id = by.pk if by is not None else None
    rows = []
    for e in entries:
        if e.source not in _SOURCE_VALUES or e.kind not in _KIND_VALUES:
            raise ValidationError(f"未知的资金来源或分录类型：{e.source} {e.kind}")
        amount = quantize(e.amount)
        if amount == 0:
            raise ValidationError("记账金额不能为零")
        rows.append((
            e.person_id, e.source, e.kind, ops.adapt_decimalfield_value(amount, 14, 2),
            ops.adapt_datefield_value(e.entry_date), e.year, e.memo[:120], e.receipt_id, by_id, created_at,
        ))  # fmt: skip
    row_sql = "(" + ", ".join(["%s"] * len(_FAST_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            cursor.execute(
                f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) VALUES "
                + ", ".join([row_sql] * len(batch)) + " ON CONFLICT DO NOTHING",
                [value for row in batch for value in row],
            )


@transaction.atomic
def account_entry_reverse(*, entry: AccountEntry, reason: str, by, entry_date: date | None = None) -> AccountEntry:
    """Correct a mistake: a reversing entry of the opposite amount, same sub-ledger and year."""
    if not reason.strip():
        raise ValidationError({"reason": "冲正必须填写原因"})
    entry = AccountEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.kind == EntryKind.REVERSAL:
        raise ValidationError("冲正分录不能再冲正")
    if AccountEntry.objects.filter(reverses=entry).exists():
        raise ValidationError("该分录已冲正，不能重复冲正")
    return account_post_reversal(entry=entry, reason=reason, by=by, entry_date=entry_date)


def account_post_reversal(*, entry: AccountEntry, reason: str, by, entry_date: date | None) -> AccountEntry:
    reversal = AccountEntry(
        person_id=entry.person_id, source=entry.source, kind=EntryKind.REVERSAL, amount=-entry.amount,
        entry_date=entry_date or timezone.localdate(), year=entry.year, memo=f"冲正：{reason}"[:120],
        reverses=entry, created_by=by,
    )
    _check_entry(reversal)
    reversal.save()
    return reversal


# --- Actor checks -----------------------------------------------------------------------------------


def _require_perm(user, perm: str, message: str) -> None:
    if user is None or not user.has_perm(perm):
        raise PermissionDenied(message)


def _require_town(user, town_id: int) -> None:
    """A town agent acts only on their own town's records; county staff on every town's."""
    q = town_scope_q(user)
    if q is not None and user.town_id != town_id:
        raise PermissionDenied("只能办理本镇/农场参保人的业务")


def _system_or_perm(user, perm: str, message: str) -> None:
    """Batch jobs started by Celery beat or a management command run as the system (user None)."""
    if user is not None:
        _require_perm(user, perm, message)


def account_entry_correct(*, entry: AccountEntry, reason: str, by) -> AccountEntry:
    """A clerk corrects a wrong credit with a reversing entry (who and why are recorded on it).
    Only 入账 entries are corrected here; interest, pension drawn, transfers belong to their own jobs."""
    _require_perm(by, "contributions.reverse_accountentry", "无权冲正个人账户分录")
    person = Person.objects.only("town_id").get(pk=entry.person_id)
    _require_town(by, person.town_id)
    if entry.kind != EntryKind.CREDIT:
        raise ValidationError(f"只能冲正入账类分录，“{entry.get_kind_display()}”分录由对应业务处理")
    return account_entry_reverse(entry=entry, reason=reason, by=by)


# --- Payments and receipts (R4) -------------------------------------------------------------------

def payment_problems(
    *,
    tables: selectors.CollectionTables,
    person_status: str,
    birth_date: date,
    year: int,
    grade: Decimal,
    paid_on: date,
    today: date,
    collective: Decimal = ZERO,
    sponsor: Decimal = ZERO,
) -> list[tuple[str, str]]:
    """Why a payment cannot be recorded, as (field, Chinese message) pairs; empty when it can.
    Shared by the agent's form and the bank-file import so both apply the same rules."""
    problems = []
    if problem := rules.payer_problem(person_status):
        problems.append(("person", problem))
    if year not in tables.grades:
        problems.append(("year", f"{year} 年度未设置缴费档次，不能缴费"))
    elif not tables.offers(year, grade):
        offered = "、".join(yuan(g) for g in sorted(tables.grades[year]))
        problems.append(("grade", f"{year} 年度没有 {yuan(grade)} 元档次（可选：{offered}）"))
    if paid_on > today:
        problems.append(("paid_on", "缴费日期不能晚于今天"))
    elif year > paid_on.year:
        problems.append(("year", "不能预缴以后年度的保费"))
    if year < birth_date.year + tables.min_age:
        # §2.8: back-payment only for the years since the person reached the minimum enrolment age.
        first = birth_date.year + tables.min_age
        problems.append(("year", f"缴费年度早于该参保人年满{tables.min_age}周岁的年度（{first} 年）"))
    if collective < 0 or sponsor < 0:
        problems.append(("collective_amount", "金额不能为负数"))
    cap = tables.collective_cap(year)
    if cap is not None and collective + sponsor > cap:
        problems.append(("collective_amount", f"集体补助与其他资助合计不能超过当年最高档次 {yuan(cap)} 元"))
    return problems


def _next_receipt_no(*, town, year: int) -> str:
    seq, _ = ReceiptSequence.objects.select_for_update().get_or_create(town=town, year=year)
    seq.last_number += 1
    seq.save(update_fields=["last_number"])
    return rules.receipt_number(town.code, year, seq.last_number)


@transaction.atomic
def receipt_record(
    *,
    person: Person,
    year: int,
    grade: Decimal,
    paid_on: date,
    by,
    collective_amount: Decimal = ZERO,
    sponsor_amount: Decimal = ZERO,
) -> Receipt:
    """A town agent records the cash a resident paid for a year at a grade (经办机构自收). The
    account is credited only when county finance confirms it (receipt_confirm_batch)."""
    _require_perm(by, "contributions.add_receipt", "无权登记缴费")
    # The person's row lock serialises two payments for the same person (the unique constraint is the backstop).
    person = Person.objects.select_for_update(of=("self",)).select_related("town").get(pk=person.pk)
    _require_town(by, person.town_id)
    grade, collective_amount, sponsor_amount = quantize(grade), quantize(collective_amount), quantize(sponsor_amount)
    problems = payment_problems(
        tables=selectors.collection_tables(), person_status=person.status, birth_date=person.birth_date,
        year=year, grade=grade, paid_on=paid_on, today=timezone.localdate(), collective=collective_amount,
        sponsor=sponsor_amount,
    )
    existing = Receipt.objects.not_voided().filter(person=person, year=year).values_list("receipt_no", flat=True).first()
    if existing:
        problems.append(("year", f"{year} 年度已有缴费记录（票据号 {existing}），同一年度只能缴费一次"))
    if problems:
        errors: dict[str, list[str]] = {}
        for field, message in problems:
            errors.setdefault(field, []).append(message)
        raise ValidationError(errors)
    return Receipt.objects.create(
        receipt_no=_next_receipt_no(town=person.town, year=paid_on.year), person=person, town_id=person.town_id,
        year=year, grade=grade, personal_amount=grade, collective_amount=collective_amount,
        sponsor_amount=sponsor_amount, paid_on=paid_on, method=Receipt.Method.AGENCY,
        status=Receipt.Status.COLLECTED, collected_by=by,
    )


def _receipt_entries(receipt: Receipt, tables: selectors.CollectionTables) -> list[NewEntry]:
    """The ledger entries of a confirmed receipt (R4). Every entry is dated paid_on: entries are dated
    by the day the money was credited, and the binding defaults credit the entry subsidy "on the
    payment's date"; the personal, collective and sponsorship money arrived that same day."""
    province, county = tables.subsidy(receipt.year, receipt.grade)
    backpay = rules.is_backpay(receipt.year, receipt.paid_on)
    credits = rules.receipt_credits(
        personal=receipt.personal_amount, collective=receipt.collective_amount, sponsor=receipt.sponsor_amount,
        subsidy_province=province, subsidy_county=county, backpay=backpay,
        backpay_earns_subsidy=tables.backpay_earns_subsidy(receipt.year),
    )
    memo = f"{receipt.year}年度{'补缴' if backpay else '缴费'} 票据{receipt.receipt_no}"
    return [
        NewEntry(receipt.person_id, source, EntryKind.CREDIT, amount, receipt.paid_on, receipt.year, memo, receipt.pk)
        for source, amount in credits
    ]


@transaction.atomic
def receipt_confirm_batch(*, receipt_ids: list[int], by) -> list[Receipt]:
    """County finance confirms town collections (划拨确认), all or none; only now is each account
    credited (R4). Maker-checker: the user who collected a receipt never confirms it."""
    _require_perm(by, "contributions.confirm_receipt", "无权确认保费划拨")
    ids = sorted(set(receipt_ids))
    if not ids:
        raise ValidationError("请选择要确认的票据")
    receipts = list(Receipt.objects.visible_to(by).select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(receipts) != len(ids):
        raise ValidationError("部分票据不存在或不在您的权限范围内")
    for receipt in receipts:
        if receipt.status != Receipt.Status.COLLECTED:
            raise ValidationError(f"票据 {receipt.receipt_no} 状态为“{receipt.get_status_display()}”，不能确认")
        if receipt.collected_by_id == by.pk:
            raise ValidationError(f"票据 {receipt.receipt_no} 由您本人收款，须由其他财务人员确认（经办与复核分离）")
    now = timezone.now()
    tables = selectors.collection_tables()
    entries = []
    for receipt in receipts:
        receipt.status, receipt.confirmed_by, receipt.confirmed_at = Receipt.Status.CONFIRMED, by, now
        entries.extend(_receipt_entries(receipt, tables))
    Receipt.objects.bulk_update(receipts, ["status", "confirmed_by", "confirmed_at"])
    account_post_fast(entries=entries, by=by)
    return receipts


@transaction.atomic
def receipt_void(*, receipt: Receipt, reason: str, by) -> Receipt:
    """Void a receipt with a reason. A collected one: its town's agent or finance. A confirmed one:
    finance only, and its credits are reversed; money already remitted cannot be voided here."""
    _require_perm(by, "contributions.void_receipt", "无权作废票据")
    if not reason.strip():
        raise ValidationError({"reason": "作废必须填写原因"})
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    _require_town(by, receipt.town_id)
    if receipt.status == Receipt.Status.VOIDED:
        raise ValidationError("该票据已作废")
    if receipt.status == Receipt.Status.CONFIRMED:
        _require_perm(by, "contributions.confirm_receipt", "已确认的票据只能由财务人员作废")
        if receipt.remittance_id:
            raise ValidationError("该票据的保费已上缴财政专户，不能作废")
        today = timezone.localdate()
        for entry in receipt.entries.select_for_update(of=("self",)).filter(kind=EntryKind.CREDIT, reversed_by__isnull=True):
            account_post_reversal(entry=entry, reason=f"作废票据{receipt.receipt_no}：{reason}", by=by, entry_date=today)
    receipt.status, receipt.voided_by, receipt.voided_at = Receipt.Status.VOIDED, by, timezone.now()
    receipt.void_reason = reason.strip()[:200]
    receipt.save(update_fields=["status", "voided_by", "voided_at", "void_reason"])
    return receipt


# --- Bank collection file import ------------------------------------------------------------------

IMPORT_HEADERS = ("身份证号", "缴费年度", "缴费档次", "缴费日期", "缴费方式", "票据号")
IMPORT_EXAMPLE = ("469024198503150012", 2026, 200, "2026-03-15", "2", "B2026000001")
METHOD_BY_TEXT = {
    **{value: value for value in Receipt.Method.values},
    **{label: value for value, label in Receipt.Method.choices},
}
_FIELD_COLUMN = {"person": "身份证号", "year": "缴费年度", "grade": "缴费档次", "paid_on": "缴费日期",
                 "collective_amount": "缴费档次"}
_LOOKUP_CHUNK = 5000


@dataclass
class _ImportRow:
    number: int
    id_number: str
    year: int
    grade: Decimal
    paid_on: date
    method: str
    receipt_no: str


def _parse_import_row(row, errors: list[RowError]) -> _ImportRow | None:
    v = row.values
    bad = len(errors)

    def fail(column: str, message: str) -> None:
        errors.append(RowError(row.number, column, message))

    id_number = text(v["身份证号"]).upper()
    if not id_number:
        fail("身份证号", "不能为空")
    year = None
    try:
        year = int(text(v["缴费年度"]))
        if not 1990 <= year <= 2100:
            raise ValueError
    except ValueError:
        fail("缴费年度", f"“{text(v['缴费年度'])}”不是有效的年度" if text(v["缴费年度"]) else "不能为空")
    grade = None
    try:
        grade = parse(v["缴费档次"]) if text(v["缴费档次"]) else None
        if grade is None:
            fail("缴费档次", "不能为空")
    except ValueError as exc:
        fail("缴费档次", str(exc))
    paid_on = None
    try:
        paid_on = cell_date(v["缴费日期"])
    except ValueError as exc:
        fail("缴费日期", str(exc))
    method = METHOD_BY_TEXT.get(text(v["缴费方式"]))
    if method is None:
        fail("缴费方式", "应为 2（银行代收）或 3（经办机构自收）")
    receipt_no = text(v["票据号"])
    if not receipt_no:
        fail("票据号", "不能为空")
    elif len(receipt_no) > 30:
        fail("票据号", "不能超过30个字符")
    if len(errors) > bad:
        return None
    return _ImportRow(row.number, id_number, year, grade, paid_on, method, receipt_no)


def _chunks(items: list, size: int = _LOOKUP_CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def receipts_import(*, file, by, legacy: bool = False) -> ImportResult:
    """Import a bank collection file (银行代收) all-or-nothing: every row is checked first and, when
    any row is bad, nothing is imported and every bad row is reported. Imported rows are confirmed
    receipts, credited at once. legacy: the go-live migration of history, already remitted by the
    legacy system, so these receipts never enter a remittance. Raises FileFormatError for an
    unreadable file or wrong headers."""
    _system_or_perm(by, "contributions.import_receipts", "无权导入缴费文件")
    sheet_rows = read_rows(file, IMPORT_HEADERS)
    result = ImportResult()
    if not sheet_rows:
        result.errors.append(RowError(0, "", "文件中没有数据行"))
        return result
    rows = [r for r in (_parse_import_row(row, result.errors) for row in sheet_rows) if r is not None]

    persons = {}
    visible = Person.objects.all() if by is None else Person.objects.visible_to(by)
    for ids in _chunks(sorted({r.id_number for r in rows})):
        for p in visible.filter(id_number__in=ids).values("pk", "id_number", "status", "birth_date", "town_id"):
            persons[p["id_number"]] = p
    taken_years = {}
    for pids in _chunks(sorted({p["pk"] for p in persons.values()})):
        for pid, year, no in Receipt.objects.not_voided().filter(person_id__in=pids).values_list(
            "person_id", "year", "receipt_no"
        ):
            taken_years[(pid, year)] = no
    taken_numbers = set()
    for nos in _chunks(sorted({r.receipt_no for r in rows})):
        taken_numbers.update(Receipt.objects.filter(receipt_no__in=nos).values_list("receipt_no", flat=True))

    tables = selectors.collection_tables()
    today = timezone.localdate()
    number_count = Counter(r.receipt_no for r in rows)
    seen_years: dict[tuple[int, int], int] = {}
    seen_numbers: dict[str, int] = {}
    valid: list[tuple[_ImportRow, dict]] = []
    for r in rows:
        before = len(result.errors)
        person = persons.get(r.id_number)
        if person is None:
            result.errors.append(RowError(r.number, "身份证号", f"未找到身份证号为 {r.id_number} 的参保人"))
        else:
            for field, message in payment_problems(
                tables=tables, person_status=person["status"], birth_date=person["birth_date"], year=r.year,
                grade=r.grade, paid_on=r.paid_on, today=today,
            ):
                result.errors.append(RowError(r.number, _FIELD_COLUMN.get(field, "缴费年度"), message))
            key = (person["pk"], r.year)
            if key in taken_years:
                result.errors.append(
                    RowError(r.number, "缴费年度", f"{r.year} 年度已有缴费记录（票据号 {taken_years[key]}）")
                )
            elif key in seen_years:
                result.errors.append(
                    RowError(r.number, "缴费年度", f"与第 {seen_years[key]} 行重复：同一人同一年度只能缴费一次")
                )
            else:
                seen_years[key] = r.number
        if r.receipt_no in taken_numbers:
            result.errors.append(RowError(r.number, "票据号", f"票据号 {r.receipt_no} 已存在"))
        elif number_count[r.receipt_no] > 1 and r.receipt_no in seen_numbers:
            result.errors.append(RowError(r.number, "票据号", f"票据号与第 {seen_numbers[r.receipt_no]} 行重复"))
        seen_numbers.setdefault(r.receipt_no, r.number)
        if len(result.errors) == before:
            valid.append((r, person))
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result

    now = timezone.now()
    receipts = [
        Receipt(
            receipt_no=r.receipt_no, person_id=p["pk"], town_id=p["town_id"], year=r.year, grade=r.grade,
            personal_amount=r.grade, paid_on=r.paid_on, method=r.method, status=Receipt.Status.CONFIRMED,
            legacy=legacy, confirmed_by=by, confirmed_at=now,
        )
        for r, p in valid
    ]
    try:
        with transaction.atomic():
            Receipt.objects.bulk_create(receipts, batch_size=2000)
            account_post_fast(entries=[e for receipt in receipts for e in _receipt_entries(receipt, tables)], by=by)
    except IntegrityError:
        # Another import or payment took a year or a receipt number meanwhile: nothing was saved.
        result.errors.append(RowError(0, "", "导入期间数据已被其他操作修改（票据号或缴费年度重复），未导入任何数据，请重新导入"))
        return result
    result.imported = len(receipts)
    return result


# --- 政府代缴 (§2.5) ------------------------------------------------------------------------------------

BATCH_CHUNK = 5000


def daijiao_post(*, year: int, by, job=None, chunk_size: int = BATCH_CHUNK) -> dict:
    """Credit 代缴 of `year` to every contributing (or contribution-suspended) person enrolled by the
    end of that year whose identity code has a 代缴 amount that year and who has none yet.

    Dated today, or 31 Dec of the year when run for a past year (binding defaults). Safe to rerun
    and to run twice at once: each chunk locks its persons' rows and skips those already credited,
    and a unique constraint refuses a second 代缴 credit of a year in any case."""
    _system_or_perm(by, "contributions.post_daijiao", "无权执行政府代缴入账")
    today = timezone.localdate()
    if year > today.year:
        raise ValidationError(f"不能为以后年度（{year}）执行代缴入账")
    amounts = selectors.daijiao_amounts(year)
    if not amounts:
        raise ValidationError(f"{year} 年度未设置政府代缴标准，不能入账")
    entry_date = rules.daijiao_entry_date(year, today)
    eligible = Person.objects.contributing().filter(identity_id__in=amounts, enrolled_on__lte=date(year, 12, 31))
    total_people = eligible.count()
    credited, total, done, last = 0, ZERO, 0, 0
    while True:
        ids = list(eligible.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk_size])
        if not ids:
            break
        with transaction.atomic():
            locked = list(
                Person.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", "identity_id")
            )
            already = set(
                AccountEntry.objects.filter(
                    person_id__in=ids, source=Source.DAIJIAO, kind=EntryKind.CREDIT, year=year
                ).values_list("person_id", flat=True)
            )
            entries = [
                NewEntry(pid, Source.DAIJIAO, EntryKind.CREDIT, amounts[identity], entry_date, year, f"{year}年度政府代缴")
                for pid, identity in locked
                if pid not in already and identity in amounts
            ]
            account_post_fast(entries=entries, by=by)
        credited += len(entries)
        total += sum((e.amount for e in entries), ZERO)
        done += len(ids)
        last = ids[-1]
        if job is not None:
            jobrun_progress(job=job, done=done, total=total_people)
    return {"year": year, "credited": credited, "total": str(quantize(total))}


def daijiao_post_job(*, job, by, year) -> dict:
    return daijiao_post(year=int(year), by=by, job=job)


# --- Year-end interest (R6) -------------------------------------------------------------------------


def interest_refusal(*, year: int, today: date) -> str | None:
    """Why `year` cannot be posted now, or None. Years are posted in order: year Y needs the posting
    of Y-1 whenever some account had money at the start of Y-1 (entries dated before 1 Jan Y-1),
    because only then does Y-1 have interest to post; the first year with money needs nothing."""
    if selectors.interest_rate(year) is None:
        return f"{year} 年度未设置记账利率，不能结息"
    if today < date(year, 12, 31):
        return f"{year} 年度尚未结束，{year}-12-31 起才能结息"
    if InterestPosting.objects.filter(year=year, status=InterestPosting.Status.DONE).exists():
        return f"{year} 年度已结息，不能重复结息"
    previous = year - 1
    if (
        not InterestPosting.objects.filter(year=previous, status=InterestPosting.Status.DONE).exists()
        and AccountEntry.objects.filter(entry_date__lt=date(previous, 1, 1)).exists()
    ):
        return f"{previous} 年度尚未结息：须按年度顺序结息，请先结 {previous} 年度"
    return None


def interest_post(*, year: int, by, job=None, chunk_size: int = BATCH_CHUNK) -> dict:
    """Post the interest of `year` (R6): for every account, round(balance at 31 Dec of year-1 ×
    rate_year, 2) as ONE entry to the 利息 sub-ledger dated 31 Dec of the year; money credited during
    the year earns nothing that year.

    Refused, changing nothing, when the year has no rate, has not ended, is already posted or comes
    out of order (interest_refusal). Accounts are processed in chunks of `chunk_size` persons, one
    transaction and one grouped aggregate each, and progress is recorded after each chunk. A rerun
    after a crash resumes: the unique interest entry per person and year refuses a second credit,
    and the persons already posted are skipped.

    Returns {"year", "rate", "accounts": accounts credited by this year-end posting, "total",
    "skipped": accounts whose interest of the year was already settled before the year end}.

    Settled before the year end (domain R6, R8 and the binding defaults "balance at a benefit start"
    and "interim interest"): a person's interest of a year is settled ONCE, either at a benefit start
    for the months before it (interest_settle, called by benefits.services.claim_determine: an
    InterestSettlement of the year, with its 利息 entry when the interim interest is not 0.00) or here
    for the full year. So this posting credits nothing for that year to a person with an
    InterestSettlement of the year, also when it was 0.00 (a January start, an empty account), and
    counts them as "skipped"; from the next year on the remaining balance earns the year-end interest
    like any other account. An interest entry of the year dated other than 31 December with no
    settlement (booked before settlements were recorded) counts as settled too. Each chunk locks its
    persons' rows (FOR NO KEY UPDATE, as interest_settle does), so a settlement and this posting never
    both credit a person's year.
    """
    _system_or_perm(by, "contributions.post_interest", "无权执行年度结息")
    refusal = interest_refusal(year=year, today=timezone.localdate())
    if refusal:
        raise ValidationError(refusal)
    with transaction.atomic():
        posting, _ = InterestPosting.objects.select_for_update().get_or_create(
            year=year, defaults={"rate": selectors.interest_rate(year), "posted_by": by, "job": job}
        )
        if posting.status == InterestPosting.Status.DONE:
            raise ValidationError(f"{year} 年度已结息，不能重复结息")
    # A resumed posting keeps the rate it started with, so one year never mixes two rates.
    rate = posting.rate
    jan1, dec31 = date(year, 1, 1), date(year, 12, 31)
    memo = f"{year}年度利息（记账利率 {rate * 100:.2f}%）"
    total_people = Person.objects.count()
    done, last = 0, 0
    while True:
        ids = list(Person.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk_size])
        if not ids:
            break
        lo, hi = ids[0], ids[-1]
        with transaction.atomic():
            # Serialises with interest_settle of a person in the chunk (it locks the person's row too).
            list(Person.objects.select_for_update(no_key=True).filter(pk__gte=lo, pk__lte=hi).values_list("pk", flat=True))
            in_chunk = AccountEntry.objects.filter(person_id__gte=lo, person_id__lte=hi)
            posted = set(
                in_chunk.filter(kind=EntryKind.INTEREST, source=Source.INTEREST, year=year).values_list(
                    "person_id", flat=True
                )
            )
            posted.update(
                InterestSettlement.objects.filter(year=year, person_id__gte=lo, person_id__lte=hi).values_list(
                    "person_id", flat=True
                )
            )
            openings = (
                in_chunk.filter(entry_date__lt=jan1).values("person_id").annotate(opening=Sum("amount")).order_by()
            )
            entries = []
            for row in openings:
                if row["person_id"] in posted or row["opening"] <= 0:
                    continue
                interest = rules.annual_interest(row["opening"], rate)
                if interest > 0:
                    entries.append(NewEntry(row["person_id"], Source.INTEREST, EntryKind.INTEREST, interest, dec31, year, memo))
            account_post_fast(entries=entries, by=by)
        done += len(ids)
        last = hi
        if job is not None:
            jobrun_progress(job=job, done=done, total=total_people)
    settled = InterestSettlement.objects.filter(year=year)
    this_posting = Q(entry_date=dec31) & ~Exists(settled.filter(person_id=OuterRef("person_id")))
    with transaction.atomic():
        agg = AccountEntry.objects.filter(kind=EntryKind.INTEREST, source=Source.INTEREST, year=year).aggregate(
            accounts=Count("pk", filter=this_posting), total=Sum("amount", filter=this_posting),
            unrecorded=Count("pk", filter=~Q(entry_date=dec31) & ~Exists(settled.filter(person_id=OuterRef("person_id")))),
        )
        skipped = settled.count() + agg["unrecorded"]
        total = quantize(agg["total"] or ZERO)
        InterestPosting.objects.filter(pk=posting.pk).update(
            status=InterestPosting.Status.DONE, finished_at=timezone.now(), accounts=agg["accounts"], total=total,
            skipped=skipped,
        )
    return {"year": year, "rate": str(rate), "accounts": agg["accounts"], "total": str(total), "skipped": skipped}


@transaction.atomic
def interest_settle(
    *, person, year: int, amount: Decimal, settled_on: date, by, reason: str
) -> InterestSettlement:
    """Settle a person's interest of `year` before the year end, for the time before `settled_on` (R6):
    at a benefit start, the interim interest round(opening balance × rate × (m − 1) / 12, 2) that the
    caller computed (contributions.selectors.account_at). Records the InterestSettlement, also for
    0.00, and books a non-zero amount as the person's 利息 entry of the year dated `settled_on`; the
    year-end posting then credits that person nothing for the year (interest_post).

    Refused: a second settlement of the same person and year, and a year whose year-end interest is
    already posted (interest_year_end_posted) or that already holds an interest entry of the person.
    Called from other apps' services inside their own checks (as account_post is), so it asks only
    for the actor who is recorded. Locks the person's row, as each chunk of interest_post does."""
    if by is None:
        raise PermissionDenied("结息必须记录经办人")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("结息必须填写原因")
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    amount = quantize(amount)
    if amount < 0:
        raise ValidationError("利息不能为负数")
    if settled_on.year != year:
        raise ValidationError(f"结息日期 {settled_on} 不在 {year} 年度内")
    person = Person.objects.select_for_update(no_key=True).get(pk=person.pk)
    earlier = InterestSettlement.objects.filter(person=person, year=year).first()
    if earlier is not None:
        raise ValidationError(
            f"{person.name}的 {year} 年度利息已于 {earlier.settled_on}（{earlier.reason}）结算，不能重复结息"
        )
    if selectors.interest_year_end_posted(person=person, year=year):
        raise ValidationError(f"{person.name}的 {year} 年度利息已在年度结息中计入，不能再结息")
    if AccountEntry.objects.filter(person=person, kind=EntryKind.INTEREST, source=Source.INTEREST, year=year).exists():
        raise ValidationError(f"{person.name}的 {year} 年度已有利息分录，不能再结息")
    entry = None
    if amount:
        if settled_on.day != 1:
            months = f"1月1日至{settled_on.month}月{settled_on.day}日前"
        else:
            months = "1月" if settled_on.month == 2 else f"1-{settled_on.month - 1}月"
        entry = account_post(
            person=person, source=Source.INTEREST, kind=EntryKind.INTEREST, amount=amount, entry_date=settled_on,
            by=by, year=year, memo=f"{reason}结息：{year}年{months}过渡期利息",
        )
    return InterestSettlement.objects.create(
        person=person, year=year, settled_on=settled_on, amount=amount, reason=reason[:60], entry=entry,
        created_by=by,
    )


def interest_post_job(*, job, by, year) -> dict:
    return interest_post(year=int(year), by=by, job=job)


# --- Month-end remittance to the fiscal special account (R18) -------------------------------------------


def remittance_generate(*, month: date, by, job=None, vouchers: bool = True) -> dict:
    """Gather every confirmed, non-legacy receipt paid up to the end of `month` and not yet remitted
    into the month's one Remittance: personal, collective and sponsorship money only (subsidies and
    代缴 are fiscal money and never pass through the income account).

    The month is unique and receipts are claimed with one conditional UPDATE ... WHERE remittance IS
    NULL, so a second run, or two at once, creates nothing new and takes no receipt twice. Months
    never run are simply picked up by the next run. Nothing to remit: no remittance is created.

    vouchers: then write the voucher files (remittance_voucher_store) after the claim has committed,
    so the page serves them as stored; a rerun writes any the first run did not get to. The demo
    seeder passes False: its vouchers are written on first download."""
    _system_or_perm(by, "contributions.add_remittance", "无权生成保费上缴单")
    month = periods.month_start(month)
    if month > periods.month_start(timezone.localdate()):
        raise ValidationError(f"不能生成以后月份（{periods.format_month(month)}）的上缴单")
    nothing = {"created": 0, "receipts": 0, "total": "0.00"}
    with transaction.atomic():
        try:
            with transaction.atomic():
                remittance = Remittance.objects.create(month=month, created_by=by)
        except IntegrityError:
            remittance = None
        else:
            claimed = Receipt.objects.remittable(up_to=periods.month_end(month)).update(remittance=remittance)
            if not claimed:
                remittance.delete()
                return nothing
            agg = Receipt.objects.filter(remittance=remittance).aggregate(
                count=Count("pk"), personal=Sum("personal_amount"), collective=Sum("collective_amount"),
                sponsor=Sum("sponsor_amount"),
            )
            remittance.receipts_count = agg["count"]
            remittance.personal_total = quantize(agg["personal"])
            remittance.collective_total = quantize(agg["collective"])
            remittance.sponsor_total = quantize(agg["sponsor"])
            remittance.total_amount = (
                remittance.personal_total + remittance.collective_total + remittance.sponsor_total
            )
            remittance.save(
                update_fields=["receipts_count", "personal_total", "collective_total", "sponsor_total", "total_amount"]
            )
    if remittance is None:  # the month was generated before: nothing new; finish its vouchers if missing
        existing = Remittance.objects.filter(month=month).first()
        if vouchers and existing is not None and not (existing.voucher_xlsx and existing.voucher_pdf):
            remittance_voucher_store(remittance=existing)
        return nothing
    if job is not None:
        jobrun_progress(job=job, done=claimed, total=claimed)
    if vouchers:
        remittance_voucher_store(remittance=remittance)
    return {"created": 1, "receipts": claimed, "total": str(remittance.total_amount)}


VOUCHER_PARTS = ("xlsx", "pdf")


def remittance_voucher_store(*, remittance: Remittance, parts: tuple[str, ...] = VOUCHER_PARTS, force: bool = False) -> Remittance:
    """Write the remittance voucher files into MEDIA_ROOT through the default storage and record them on
    the remittance: the Excel (per-town summary and every receipt) and the PDF (summary for signatures).

    A part already stored is left alone unless `force` (the PDF is rewritten when the remittance is
    marked remitted, to show the bank voucher number). The remittance row is locked while writing, so
    two writers at once (a rerun of the job, a first download) write each file once. The Excel's
    content never changes after generation: a remitted receipt cannot be voided (receipt_void)."""
    with transaction.atomic():
        remittance = Remittance.objects.select_for_update(of=("self",)).select_related("created_by", "remitted_by").get(
            pk=remittance.pk
        )
        stem = f"remittance_{remittance.month:%Y-%m}"
        for part in parts:
            field = remittance.voucher_xlsx if part == "xlsx" else remittance.voucher_pdf
            if field and not force:
                continue
            content = (
                exports.workbook_bytes(reports.remittance_workbook(remittance)) if part == "xlsx"
                else reports.remittance_pdf(remittance)
            )
            if field:
                field.delete(save=False)
            field.save(f"{stem}.{part}", ContentFile(content), save=False)
        remittance.save(update_fields=["voucher_xlsx", "voucher_pdf"])
    return remittance


def remittance_generate_job(*, job, by, month) -> dict:
    return remittance_generate(month=periods.parse_month(month), by=by, job=job)


@transaction.atomic
def remittance_mark_remitted(*, remittance: Remittance, voucher_no: str, by) -> Remittance:
    """Finance records that the money reached the fiscal special account (已上缴), with the bank
    voucher number. Maker-checker: not the user who generated it (a system-generated one: any finance user)."""
    _require_perm(by, "contributions.remit_remittance", "无权确认保费上缴")
    voucher_no = (voucher_no or "").strip()
    if not voucher_no:
        raise ValidationError({"voucher_no": "请填写银行凭证号"})
    remittance = Remittance.objects.select_for_update().get(pk=remittance.pk)
    if remittance.status != Remittance.Status.GENERATED:
        raise ValidationError("该上缴单已确认上缴")
    if remittance.created_by_id is not None and remittance.created_by_id == by.pk:
        raise ValidationError("上缴单由您生成，须由另一名财务人员确认已上缴（经办与复核分离）")
    remittance.status, remittance.voucher_no = Remittance.Status.REMITTED, voucher_no[:40]
    remittance.remitted_by, remittance.remitted_at = by, timezone.now()
    remittance.save(update_fields=["status", "voucher_no", "remitted_by", "remitted_at"])
    if remittance.voucher_pdf:
        # The stored PDF names the status, the bank voucher number and the checker: rewrite it (one
        # page, a fraction of a second). The Excel holds none of these and stays as generated.
        remittance = remittance_voucher_store(remittance=remittance, parts=("pdf",), force=True)
    return remittance


# --- 老农保 merge (R21) and 被征地 subsidies (§8.2) -----------------------------------------------------

PERSON_MAY_RECEIVE_CREDIT = (Person.Status.CONTRIBUTING, Person.Status.CONTRIB_SUSPENDED)


@transaction.atomic
def special_credit_record(
    *, person: Person, kind: str, amount: Decimal, document_no: str, by, note: str = ""
) -> SpecialCredit:
    """A clerk records an old-scheme balance to merge (R21) or an approved land-expropriation amount
    (§8.2); it is credited only after a second clerk's review (special_credit_review)."""
    _require_perm(by, "contributions.add_specialcredit", "无权登记老农保并入或被征地补助")
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require_town(by, person.town_id)
    if kind not in SpecialCredit.Kind.values:
        raise ValidationError({"kind": "请选择类型"})
    errors: dict[str, str] = {}
    if person.status not in PERSON_MAY_RECEIVE_CREDIT:
        errors["person"] = f"该参保人当前状态为“{person.get_status_display()}”，只能为正常参保或暂停缴费人员入账"
    elif kind == SpecialCredit.Kind.OLD_RURAL and not person.old_rural_pension:
        errors["person"] = "该参保人未标记为老农保人员，请先在参保信息中标记"
    elif kind == SpecialCredit.Kind.LAND and not person.land_expropriated:
        errors["person"] = "该参保人未标记为被征地农民，请先在参保信息中标记"
    elif (
        kind == SpecialCredit.Kind.OLD_RURAL
        and SpecialCredit.objects.filter(person=person, kind=kind).exclude(status=SpecialCredit.Status.REJECTED).exists()
    ):
        errors["person"] = "该参保人的老农保个账已登记并入，不能重复登记"
    amount = quantize(amount)
    if amount <= 0:
        errors["amount"] = "金额必须大于零"
    document_no = (document_no or "").strip()
    if not document_no:
        errors["document_no"] = "请填写批准文号"
    elif SpecialCredit.objects.filter(person=person, kind=kind, document_no=document_no).exclude(
        status=SpecialCredit.Status.REJECTED
    ).exists():
        errors["document_no"] = "该参保人已按此批准文号登记过"
    if errors:
        raise ValidationError(errors)
    credit = SpecialCredit(
        person=person, town_id=person.town_id, kind=kind, amount=amount, document_no=document_no,
        note=note.strip()[:200], prepared_by=by,
    )
    credit._history_user = by
    credit._change_reason = "登记"
    credit.save()
    return credit


@transaction.atomic
def special_credit_review(*, credit: SpecialCredit, approve: bool, opinion: str, by) -> SpecialCredit:
    """The second clerk approves (credited at once to 老农保个账 or 被征地补助, dated today) or returns it."""
    _require_perm(by, "contributions.review_specialcredit", "无权复核")
    credit = SpecialCredit.objects.select_for_update(of=("self",)).select_related("person").get(pk=credit.pk)
    _require_town(by, credit.town_id)
    if credit.status != SpecialCredit.Status.PENDING:
        raise ValidationError(f"该记录状态为“{credit.get_status_display()}”，不能复核")
    if credit.prepared_by_id == by.pk:
        raise ValidationError("经办人不能复核自己登记的业务（经办与复核分离）")
    opinion = (opinion or "").strip()
    if not approve and not opinion:
        raise ValidationError({"opinion": "退回必须填写复核意见"})
    if approve:
        today = timezone.localdate()
        credit.entry = account_post(
            person=credit.person, source=credit.source, kind=EntryKind.CREDIT, amount=credit.amount,
            entry_date=today, by=by, year=today.year, memo=f"{credit.get_kind_display()} {credit.document_no}"[:120],
        )
        credit.status = SpecialCredit.Status.APPROVED
    else:
        credit.status = SpecialCredit.Status.REJECTED
    credit.reviewed_by, credit.reviewed_at, credit.review_opinion = by, timezone.now(), opinion[:200]
    credit._history_user = by
    credit._change_reason = "复核通过" if approve else f"复核退回：{opinion}"[:100]
    credit.save()
    return credit
