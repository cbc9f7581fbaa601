"""Reads of the personal account: balances are sums of entries, never a stored total."""

from datetime import date
from decimal import Decimal

from django.db.models import Sum

from linggao_pension.money import ZERO

from .models import AccountEntry, Source


def balance_by_source(*, person, before: date | None = None) -> dict[str, Decimal]:
    """Balance of each sub-ledger (Source value -> Decimal), counting entries dated before `before`."""
    qs = AccountEntry.objects.filter(person=person)
    if before is not None:
        qs = qs.before(before)
    sums = {row["source"]: row["total"] for row in qs.values("source").annotate(total=Sum("amount")).order_by()}
    return {source: sums.get(source) or ZERO for source in Source.values if sums.get(source)}


def balance(*, person, before: date | None = None) -> Decimal:
    qs = AccountEntry.objects.filter(person=person)
    if before is not None:
        qs = qs.before(before)
    return qs.aggregate(total=Sum("amount"))["total"] or ZERO
