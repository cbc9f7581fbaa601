"""Year-end interest (R6) and the interest settled before the year end (interim interest)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from enrollment.models import Person
from linggao_pension.money import ZERO, quantize
from linggao_pension.org.services import jobrun_progress

from .. import rules, selectors
from ..models import (
    AccountEntry,
    EntryKind,
    InterestPosting,
    InterestSettlement,
    LedgerMonthTotal,
    Source,
)
from ._checks import _system_or_perm
from .ledger import BATCH_CHUNK, NewEntry, account_post, account_post_adjustment, account_post_fast

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
    dec31 = date(year, 12, 31)
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
            post_chunk = _post_chunk_set_based if connection.vendor == "postgresql" else _post_chunk
            post_chunk(lo=lo, hi=hi, year=year, rate=rate, memo=memo, by=by)
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


def _post_chunk(*, lo: int, hi: int, year: int, rate: Decimal, memo: str, by) -> None:
    """One chunk of interest_post (persons lo..hi), row by row in Python (SQLite): skips a person
    with an interest entry or a settlement of the year, an opening of 0 or less, an interest of 0.00."""
    jan1, dec31 = date(year, 1, 1), date(year, 12, 31)
    in_chunk = AccountEntry.objects.filter(person_id__gte=lo, person_id__lte=hi)
    posted = set(
        in_chunk.filter(kind=EntryKind.INTEREST, source=Source.INTEREST, year=year).values_list("person_id", flat=True)
    )
    posted.update(
        InterestSettlement.objects.filter(year=year, person_id__gte=lo, person_id__lte=hi).values_list(
            "person_id", flat=True
        )
    )
    openings = in_chunk.filter(entry_date__lt=jan1).values("person_id").annotate(opening=Sum("amount")).order_by()
    entries = []
    for row in openings:
        if row["person_id"] in posted or row["opening"] <= 0:
            continue
        interest = rules.annual_interest(row["opening"], rate)
        if interest > 0:
            entries.append(NewEntry(row["person_id"], Source.INTEREST, EntryKind.INTEREST, interest, dec31, year, memo))
    account_post_fast(entries=entries, by=by)


def _post_chunk_set_based(*, lo: int, hi: int, year: int, rate: Decimal, memo: str, by) -> None:
    """One chunk of interest_post on PostgreSQL as ONE statement: the persons lo..hi's openings,
    their interest entries and the month totals those entries add (ledger_totals: month, town,
    source, kind, no reversed kind), the same rows the per-row path below computes in Python.

    Exact numeric arithmetic; ROUND(x, 2) rounds half away from zero, which is ROUND_HALF_UP
    (money.quantize) for the positive openings that earn interest. Skipped as in Python: an opening
    of 0 or less, an interest of 0.00, a person with an InterestSettlement of the year; an interest
    entry of the year already there (a resumed or concurrent run, an interim settlement) is refused
    by its unique index (ON CONFLICT DO NOTHING) and adds no total. Totals are upserted in key order,
    as ledger_totals._upsert does, so two postings at once never deadlock on a shared total."""
    qn = connection.ops.quote_name
    entry_t, total_t = qn(AccountEntry._meta.db_table), qn(LedgerMonthTotal._meta.db_table)
    person_t, settled_t = qn(Person._meta.db_table), qn(InterestSettlement._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH opening AS (
                SELECT e.person_id, SUM(e.amount) AS balance FROM {entry_t} e
                WHERE e.person_id BETWEEN %(lo)s AND %(hi)s AND e.entry_date < %(jan1)s
                GROUP BY e.person_id
            ), credited AS (
                INSERT INTO {entry_t}
                    (person_id, source, kind, amount, entry_date, year, memo, receipt_id, created_by_id, created_at)
                SELECT o.person_id, %(source)s, %(kind)s, ROUND(o.balance * %(rate)s, 2), %(dec31)s, %(year)s,
                       %(memo)s, NULL, %(by)s, %(now)s
                FROM opening o
                WHERE o.balance > 0 AND ROUND(o.balance * %(rate)s, 2) > 0
                  AND NOT EXISTS (SELECT 1 FROM {settled_t} s WHERE s.person_id = o.person_id AND s.year = %(year)s)
                ORDER BY o.person_id
                ON CONFLICT DO NOTHING
                RETURNING person_id, amount
            )
            INSERT INTO {total_t} AS t (month, town_id, source, kind, reversed_kind, amount, entries)
            SELECT %(month)s, p.town_id, %(source)s, %(kind)s, '', SUM(c.amount), COUNT(*)
            FROM credited c JOIN {person_t} p ON p.id = c.person_id
            GROUP BY p.town_id ORDER BY p.town_id
            ON CONFLICT (month, town_id, source, kind, reversed_kind)
            DO UPDATE SET amount = t.amount + excluded.amount, entries = t.entries + excluded.entries
            """,
            {
                "lo": lo, "hi": hi, "jan1": date(year, 1, 1), "dec31": date(year, 12, 31), "month": date(year, 12, 1),
                "year": year, "rate": rate, "memo": memo[:120], "source": Source.INTEREST.value,
                "kind": EntryKind.INTEREST.value, "by": by.pk if by is not None else None, "now": timezone.now(),
            },
        )


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


def interest_start(*, year: int, by):
    """The year-end page's 结息 button: refused at once (the reason shown on the page) when the year
    cannot be posted now; otherwise the job is recorded and runs interest_post after commit."""
    from linggao_pension.org.services import job_start

    _system_or_perm(by, "contributions.post_interest", "无权执行年度结息")
    refusal = interest_refusal(year=year, today=timezone.localdate())
    if refusal:
        raise ValidationError({"year": refusal})
    return job_start(kind="contributions.post_interest", by=by, params={"year": year})


def _year_end_entry(person, year: int) -> AccountEntry | None:
    return AccountEntry.objects.filter(person=person, kind=EntryKind.INTEREST, source=Source.INTEREST, year=year,
                                       entry_date=date(year, 12, 31)).first()


def _credited(entry: AccountEntry | None) -> Decimal:
    """What a year-end interest entry credits, with its adjustment (or reversal) if any."""
    if entry is None:
        return ZERO
    adjusted = AccountEntry.objects.filter(reverses=entry).aggregate(t=Sum("amount"))["t"] or ZERO
    return quantize(entry.amount + adjusted)


def _bring_to(*, person, year: int, entry: AccountEntry | None, target: Decimal, by, memo: str) -> AccountEntry | None:
    """Make the person's 利息 of `year` credit `target`: adjust the year-end entry (dated 31 Dec, so
    the next year's opening balance is right), or book the entry when the posting credited nothing."""
    credited = _credited(entry)
    if target == credited:
        return entry
    if entry is None:
        return account_post(person=person, source=Source.INTEREST, kind=EntryKind.INTEREST, amount=target,
                            entry_date=date(year, 12, 31), by=by, year=year, memo=memo)
    account_post_adjustment(entry=entry, amount=target - credited, entry_date=date(year, 12, 31), by=by, memo=memo)
    return entry


@transaction.atomic
def interest_settle_after_year_end(
    *, person, year: int, amount: Decimal, settled_on: date, by, reason: str
) -> InterestSettlement:
    """interest_settle for a benefit start whose year's year-end interest was already posted (a claim
    determined after the year end): the interest of `year` is the interim interest `amount` for the
    months before `settled_on` (R6, binding defaults "balance at a benefit start"), not the whole year's.

    So the year-end entry is adjusted down to `amount` (a 冲正 entry linked to it, dated 31 Dec of the
    year), and every later year already posted for the person is recomputed from its opening balance
    as it now stands, at that posting's rate, and adjusted the same way (its opening held the excess):
    the account then holds exactly the frozen balance's interest, none twice, none missed. Records the
    InterestSettlement (`entry`: the year's 利息 entry, whose adjustment brings it to `amount`).
    Refused: a second settlement, and a year not yet posted (interest_settle settles that one)."""
    if by is None:
        raise PermissionDenied("结息必须记录经办人")
    if not (reason or "").strip():
        raise ValidationError("结息必须填写原因")
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    amount = quantize(amount)
    if amount < 0:
        raise ValidationError("利息不能为负数")
    if settled_on.year != year:
        raise ValidationError(f"结息日期 {settled_on} 不在 {year} 年度内")
    person = Person.objects.select_for_update(no_key=True).get(pk=person.pk)
    if InterestSettlement.objects.filter(person=person, year=year).exists():
        raise ValidationError(f"{person.name}的 {year} 年度利息已结算，不能重复结息")
    if not selectors.interest_year_end_posted(person=person, year=year):
        raise ValidationError(f"{year} 年度尚未年度结息，应按过渡期利息结息")
    entry = _year_end_entry(person, year)
    credited = _credited(entry)
    entry = _bring_to(person=person, year=year, entry=entry, target=amount, by=by,
                      memo=f"{reason.strip()}结息：{year}年度利息按过渡期利息 {amount} 元计（年度结息已记 {credited} 元）")
    settlement = InterestSettlement.objects.create(
        person=person, year=year, settled_on=settled_on, amount=amount, reason=reason.strip()[:60],
        entry=entry if amount else None, created_by=by,
    )
    for posting in InterestPosting.objects.filter(year__gt=year).order_by("year"):
        later = posting.year
        if InterestSettlement.objects.filter(person=person, year=later).exists():
            continue
        entry = _year_end_entry(person, later)
        if entry is None and posting.status != InterestPosting.Status.DONE:
            continue  # a running posting has not reached this person yet: it will use the corrected opening
        opening = selectors.balance(person=person, before=date(later, 1, 1))
        target = rules.annual_interest(opening, posting.rate) if opening > 0 else ZERO
        _bring_to(person=person, year=later, entry=entry, target=target, by=by,
                  memo=f"{later}年度利息按调整后的上年末余额 {opening} 元重算为 {target} 元（{reason.strip()}结息）")
    return settlement


def interest_post_job(*, job, by, year) -> dict:
    return interest_post(year=int(year), by=by, job=job)
