"""The monthly drawdown of the account pension from the ledger when a line is paid (R8)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import F, Sum

from contributions.models import AccountEntry, EntryKind, Source
from contributions.services import account_post_bulk
from linggao_pension import periods
from linggao_pension.money import ZERO

from .. import rules
from ..models import (
    PayrollLine,
    PayrollRun,
    Pension,
)
from .common import (
    PAYROLL_CHUNK,
    save_with_history,
)

L = PayrollLine.Status


def drawdown(*, run: PayrollRun, paid_ids: list[int], by, paid_on: date) -> None:
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

