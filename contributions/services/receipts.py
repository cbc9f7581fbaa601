"""Payments and receipts (R4): a town agent records the cash, county finance confirms it (only then is
the account credited), a receipt may be voided with a reason."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enrollment.models import Person
from linggao_pension.money import ZERO, quantize
from linggao_pension.org.access import require_perm, require_town

from .. import rules, selectors
from ..models import (
    EntryKind,
    Receipt,
    ReceiptSequence,
)
from ..rules import yuan
from .ledger import NewEntry, account_post_fast, account_post_reversal

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
    if problem := selectors.payer_problem(person_status):
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
    require_perm(by, "contributions.add_receipt", "无权登记缴费")
    # The person's row lock serialises two payments for the same person (the unique constraint is the backstop).
    person = Person.objects.select_for_update(of=("self",)).select_related("town").get(pk=person.pk)
    require_town(by, person.town_id)
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


@transaction.atomic
def receipts_record_backpay(*, person: Person, grades: dict[int, Decimal], paid_on: date, by) -> list[Receipt]:
    """补缴 of several missed years in one visit (§2.8): one receipt per year, each checked as
    receipt_record checks a payment. All or nothing: when any year is refused, none is recorded and
    each message stands under its year's field (grade_<year>) or under the date."""
    require_perm(by, "contributions.add_receipt", "无权登记缴费")
    if not grades:
        raise ValidationError({"__all__": ["请至少选择一个补缴年度及其档次"]})
    errors: dict[str, list[str]] = {}
    receipts = []
    for year in sorted(grades):
        if year >= paid_on.year:
            errors.setdefault(f"grade_{year}", []).append(f"{year} 年度不是补缴：补缴年度须早于缴费日期所在年度")
            continue
        try:
            with transaction.atomic():
                receipts.append(receipt_record(person=person, year=year, grade=grades[year], paid_on=paid_on, by=by))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                key = field if field in ("paid_on", "person") else f"grade_{year}"
                for message in messages:
                    if message not in errors.get(key, []):
                        errors.setdefault(key, []).append(message)
    if errors:
        raise ValidationError(errors)  # the atomic block undoes the years already recorded
    return receipts


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
    require_perm(by, "contributions.confirm_receipt", "无权确认保费划拨")
    ids = sorted(set(receipt_ids))
    if not ids:
        raise ValidationError("请选择要确认的票据")
    receipts = list(Receipt.objects.in_scope(by).select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(receipts) != len(ids):
        raise ValidationError("部分票据不存在或不在您的权限范围内")
    for receipt in receipts:
        if not receipt.may_move(Receipt.Status.CONFIRMED):
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
    require_perm(by, "contributions.void_receipt", "无权作废票据")
    if not reason.strip():
        raise ValidationError({"reason": "作废必须填写原因"})
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    require_town(by, receipt.town_id)
    if not receipt.may_move(Receipt.Status.VOIDED):
        raise ValidationError("该票据已作废")
    if receipt.status == Receipt.Status.CONFIRMED:
        require_perm(by, "contributions.confirm_receipt", "已确认的票据只能由财务人员作废")
        if receipt.remittance_id:
            raise ValidationError("该票据的保费已上缴财政专户，不能作废")
        today = timezone.localdate()
        for entry in receipt.entries.select_for_update(of=("self",)).filter(kind=EntryKind.CREDIT, reversed_by__isnull=True):
            account_post_reversal(entry=entry, reason=f"作废票据{receipt.receipt_no}：{reason}", by=by, entry_date=today)
    receipt.status, receipt.voided_by, receipt.voided_at = Receipt.Status.VOIDED, by, timezone.now()
    receipt.void_reason = reason.strip()[:200]
    receipt.save(update_fields=["status", "voided_by", "voided_at", "void_reason"])
    return receipt
