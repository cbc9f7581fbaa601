"""Writes to the personal account. The ledger is append-only: a mistake gets a reversing entry.

Other apps post to the ledger only through account_post / account_post_bulk / account_entry_reverse.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from linggao_pension.money import quantize

from .models import AccountEntry, EntryKind, Source


def _check_entry(entry: AccountEntry) -> None:
    if entry.source not in Source.values:
        raise ValidationError(f"未知的资金来源：{entry.source}")
    if entry.kind not in EntryKind.values:
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


def account_post_bulk(*, entries: list[AccountEntry], by, batch_size: int = 2000) -> int:
    """Post many entries at once (batch jobs). The caller holds the transaction that makes the batch
    atomic together with its own bookkeeping; every entry is checked as account_post checks one."""
    for entry in entries:
        entry.created_by = by
        _check_entry(entry)
    AccountEntry.objects.bulk_create(entries, batch_size=batch_size)
    return len(entries)


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
