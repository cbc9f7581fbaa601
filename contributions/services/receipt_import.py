"""The bank collection file import (银行代收): all or nothing."""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from enrollment.models import Person
from linggao_pension.imports import (
    FileFormatError,
    ImportResult,
    RowError,
    cell_date,
    import_job,
    read_rows,
    text,
)
from linggao_pension.money import parse

from .. import selectors
from ..models import (
    Receipt,
)
from ._checks import _system_or_perm
from .ledger import account_post_fast
from .receipts import _receipt_entries, payment_problems

# --- Bank collection file import ------------------------------------------------------------------

IMPORT_JOB = "contributions.import_receipts"

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
    visible = Person.objects.all() if by is None else Person.objects.in_scope(by)
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


def receipts_import_start(*, upload, by, legacy: bool = False):
    """The upload page: the file is stored with its job (org.services.job_start), which checks and
    imports it after commit; the page lands on the one import result page (org:import_result)."""
    from linggao_pension.org.services import job_start

    _system_or_perm(by, "contributions.import_receipts", "无权导入缴费文件")
    return job_start(kind=IMPORT_JOB, by=by, upload=upload, params={"legacy": bool(legacy)})


def receipts_import_job(*, job, by, path: str = "", stored: str = "", filename: str = "", legacy: bool = False) -> dict:
    """Job handler (the app's job_handlers["contributions.import_receipts"]): an unreadable file or
    wrong headers is one error row; a refused file fails the job with every bad row listed."""

    def run(file) -> ImportResult:
        try:
            return receipts_import(file=file, by=by, legacy=legacy)
        except FileFormatError as exc:
            return ImportResult(errors=[RowError(1, "", str(exc))])

    return import_job(job=job, path=path, stored=stored, run=run)
