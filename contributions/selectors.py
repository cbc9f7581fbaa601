"""Reads of the personal account: balances are sums of entries, never a stored total."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import CharField, Count, F, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from enrollment import selectors as enrollment_selectors
from enrollment.models import InsuranceRelationship, Person
from linggao_pension.money import ZERO, quantize

from . import rules
from .models import (
    AccountEntry,
    AccountTransferIn,
    CollectionPolicy,
    ContributionGrade,
    DaijiaoAmount,
    EntryKind,
    GradeSubsidy,
    InterestPosting,
    InterestRate,
    Receipt,
    Remittance,
    Source,
    SpecialCredit,
)

# The sub-ledgers whose yearly sum decides whether a year counts (R4: personal + 代缴).
COUNTING_SOURCES = (Source.PERSONAL, Source.DAIJIAO)


def balance_by_source(*, person, before: date | None = None) -> dict[str, Decimal]:
    """Balance of each non-empty sub-ledger (Source value -> Decimal), entries dated before `before`."""
    qs = AccountEntry.objects.filter(person=person)
    if before is not None:
        qs = qs.before(before)
    # SQLite sums decimals without their scale: quantize so every balance has exactly 2 places.
    sums = {row["source"]: row["total"] for row in qs.values("source").annotate(total=Sum("amount")).order_by()}
    return {source: quantize(sums[source]) for source in Source.values if sums.get(source)}


def balance(*, person, before: date | None = None) -> Decimal:
    qs = AccountEntry.objects.filter(person=person)
    if before is not None:
        qs = qs.before(before)
    return quantize(qs.aggregate(total=Sum("amount"))["total"] or ZERO)


def interest_rate(year: int) -> Decimal | None:
    return InterestRate.objects.filter(year=year).values_list("rate", flat=True).first()


def interest_year_end_posted(*, person, year: int) -> bool:
    """Whether the year-end interest of `year` is posted for `person`: the year's posting is done, or a
    running one (resumed after a crash) already credited the person's 31 December entry. Then the
    interest of that year can no longer be settled at a benefit start (services.interest_settle)."""
    if InterestPosting.objects.filter(year=year, status=InterestPosting.Status.DONE).exists():
        return True
    return AccountEntry.objects.filter(
        person=person, kind=EntryKind.INTEREST, source=Source.INTEREST, year=year, entry_date=date(year, 12, 31)
    ).exists()


def interim_rate(year: int) -> Decimal | None:
    """rate_y, or rate_(y-1) when rate_y is not yet set (binding defaults, interim interest)."""
    rates = dict(InterestRate.objects.filter(year__in=[year, year - 1]).values_list("year", "rate"))
    return rates.get(year, rates.get(year - 1))


def lowest_grades() -> dict[int, Decimal]:
    """year -> the lowest grade amount of that year."""
    return {
        row["year"]: row["lowest"]
        for row in ContributionGrade.objects.values("year").annotate(lowest=Min("amount")).order_by()
    }


def counted_years_by_person(*, person_ids, before: date) -> dict[int, list[int]]:
    """person id -> the sorted contribution years that count, judged only from entries dated before
    `before` (binding defaults: contribution years at a benefit start)."""
    grades = lowest_grades()
    totals = (
        AccountEntry.objects.filter(person_id__in=person_ids, source__in=COUNTING_SOURCES, year__isnull=False)
        .before(before)
        .values("person_id", "year")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    # A person on a later relationship (enrolled again, transferred back in) counts only what was paid
    # or carried over since it started: the earlier years left with the balance (R5, R14).
    since = dict(
        InsuranceRelationship.objects.filter(person_id__in=person_ids, ended_on__isnull=True, number__gt=1)
        .values_list("person_id", "started_on")
    )
    if since:
        totals = totals.filter(
            Q(person_id__in=[p for p in person_ids if p not in since])
            | Q(*[Q(person_id=p, entry_date__gte=d) for p, d in since.items()], _connector=Q.OR)
        )
    years: dict[int, set[int]] = defaultdict(set)
    for row in totals:
        if rules.year_counts(row["total"], grades.get(row["year"])):
            years[row["person_id"]].add(row["year"])
    # Years carried over by a transfer in (from another area, or the employee scheme, R15b) count too.
    carried = AccountTransferIn.objects.filter(person_id__in=person_ids, received_on__lt=before)
    for pid, carried_years, received_on in carried.values_list("person_id", "years", "received_on"):
        if pid not in since or received_on >= since[pid]:
            years[pid].update(int(y) for y in carried_years)
    return {pid: sorted(ys) for pid, ys in years.items() if ys}


def year_amounts_by_source(*, person, year: int) -> dict[str, Decimal]:
    """What was credited for contribution year `year`, by sub-ledger (R13's refund of an overlap)."""
    rows = (
        AccountEntry.objects.filter(person=person, year=year, kind__in=[EntryKind.CREDIT, EntryKind.REVERSAL, EntryKind.REFUND])
        .values("source").annotate(total=Sum("amount")).order_by()
    )
    return {row["source"]: quantize(row["total"]) for row in rows if row["total"]}


def counted_years(*, person, before: date) -> list[int]:
    return counted_years_by_person(person_ids=[person.pk], before=before).get(person.pk, [])


@dataclass(frozen=True)
class AccountSnapshot:
    """The account at the 1st of a month (benefit start, transfer, termination)."""

    on: date
    by_source: dict[str, Decimal]  # entries dated before `on`, by sub-ledger
    opening_balance: Decimal  # balance at 31 Dec of the previous year
    rate: Decimal | None  # the rate used for the interim interest
    interim_interest: Decimal
    total: Decimal  # sum of by_source + interim interest

    @property
    def by_source_with_interim(self) -> dict[str, Decimal]:
        out = dict(self.by_source)
        if self.interim_interest:
            out[Source.INTEREST] = out.get(Source.INTEREST, ZERO) + self.interim_interest
        return out


def account_at(*, person, on: date) -> AccountSnapshot:
    """Balance at the start of month `on` (its 1st day): every entry dated before it, plus the interim
    interest round(opening balance of the year × rate × (m − 1) / 12, 2) (binding defaults, R6, R8)."""
    on = on.replace(day=1)
    by_source = balance_by_source(person=person, before=on)
    opening = balance(person=person, before=date(on.year, 1, 1))
    rate = interim_rate(on.year)
    interim = rules.interim_interest(opening, rate, on.month) if rate is not None and opening else ZERO
    return AccountSnapshot(
        on=on, by_source=by_source, opening_balance=opening, rate=rate, interim_interest=interim,
        total=sum(by_source.values(), ZERO) + interim,
    )


def payer_problem(person_status: str) -> str | None:
    """Why a person in this 参保状态 cannot pay a premium, or None: only 正常参保 persons pay (R3, R4);
    a suspended, receiving or terminated person does not."""
    if person_status == Person.Status.CONTRIBUTING:
        return None
    return f"该参保人当前状态为“{Person.Status(person_status).label}”，不是正常参保缴费人员，不能缴费"


# --- Collection tables (configuration as data) ----------------------------------------------------


@dataclass
class CollectionTables:
    """The yearly collection configuration, loaded once for a form, an import or a confirmation batch."""

    grades: dict[int, set[Decimal]]  # year -> the grade amounts offered
    subsidies: dict[tuple[int, Decimal], tuple[Decimal, Decimal]]  # (year, grade) -> (province, county)
    policies: list[tuple[int, bool]]  # (from_year, backpay_earns_subsidy), ascending
    min_age: int  # the minimum enrolment age (enrollment's parameter table), for back-payments

    def offers(self, year: int, grade: Decimal) -> bool:
        return grade in self.grades.get(year, ())

    def collective_cap(self, year: int) -> Decimal | None:
        """§2.4: collective subsidy + sponsorship may not exceed the year's highest grade (derived)."""
        offered = self.grades.get(year)
        return max(offered) if offered else None

    def subsidy(self, year: int, grade: Decimal) -> tuple[Decimal, Decimal]:
        """(province, county) entry subsidy of a grade; a grade without a subsidy row gets none."""
        return self.subsidies.get((year, grade), (ZERO, ZERO))

    def backpay_earns_subsidy(self, year: int) -> bool:
        earns = False  # no policy row at all: the binding default (补缴 earns no subsidy)
        for from_year, value in self.policies:
            if from_year <= year:
                earns = value
        return earns


def collection_tables() -> CollectionTables:
    grades: dict[int, set[Decimal]] = defaultdict(set)
    for year, amount in ContributionGrade.objects.values_list("year", "amount"):
        grades[year].add(amount)
    subsidies = {
        (year, amount): (province, county)
        for year, amount, province, county in GradeSubsidy.objects.values_list(
            "grade__year", "grade__amount", "province_amount", "county_amount"
        )
    }
    policies = list(CollectionPolicy.objects.order_by("from_year").values_list("from_year", "backpay_earns_subsidy"))
    return CollectionTables(
        grades=dict(grades), subsidies=subsidies, policies=policies,
        min_age=enrollment_selectors.min_enrolment_age(timezone.localdate()),
    )


def grade_choices(year: int | None = None) -> list[Decimal]:
    """The grade amounts of a year (every year's when None), ascending, for forms."""
    qs = ContributionGrade.objects.all()
    if year is not None:
        qs = qs.filter(year=year)
    return sorted(set(qs.values_list("amount", flat=True)))


def grade_table(*, up_to: int) -> dict[int, list[Decimal]]:
    """year -> its grade amounts, ascending, for the years up to `up_to` that offer grades (the payment form)."""
    table: dict[int, list[Decimal]] = defaultdict(list)
    for year, amount in ContributionGrade.objects.filter(year__lte=up_to).order_by("year", "amount").values_list(
        "year", "amount"
    ):
        table[year].append(amount)
    return dict(table)


PAYER_SEARCH_LIMIT = 20


def payer_search(*, persons, q: str) -> list[dict]:
    """The payer search of the payment form: persons (already scoped to the user) whose 身份证号 is `q`
    or whose name starts with `q`, each marked whether they may pay (only 正常参保) and why not."""
    q = q.strip()
    if not q:
        return []
    lookup = Q(id_number=q.upper()) if len(q) in (15, 18) and q[:-1].isascii() and q[:-1].isdigit() else Q(name__startswith=q)
    found = (
        persons.filter(lookup)
        .select_related("village")
        .order_by("name", "birth_date", "pk")[:PAYER_SEARCH_LIMIT]
    )
    return [{"person": p, "problem": payer_problem(p.status)} for p in found]


def payer_exact(results: list[dict], q: str):
    """A 身份证号 typed in full that finds one person who may pay: that person is chosen at once."""
    q = q.strip().upper()
    if len(results) == 1 and not results[0]["problem"] and results[0]["person"].id_number == q:
        return results[0]["person"]
    return None


def payer_summary(*, person) -> dict:
    """What the payment form shows about the chosen person: the years already paid (not voided)."""
    paid = Receipt.objects.not_voided().filter(person=person).order_by("year").values_list("year", flat=True)
    return {"person": person, "paid_years": list(paid)}


def collective_cap(year: int) -> Decimal | None:
    return ContributionGrade.objects.filter(year=year).aggregate(cap=Max("amount"))["cap"]


def with_identity_in_force(persons, *, year: int):
    """`persons` annotated with `identity_in_force`: the identity code (参保身份) the person held in
    `year`, from the person's history: the code as it stood at the end of the year (the last history
    record before 1 January of the next year). A person first recorded after the year (the go-live
    import of a person enrolled earlier) has the code they were first recorded with; a person with
    no history at all, their current code. 代缴 of a year is due for the code held that year (§2.5)."""
    history = Person.history.model.objects.filter(id=OuterRef("pk"))
    cutoff = datetime(year + 1, 1, 1, tzinfo=timezone.get_current_timezone())
    return persons.annotate(
        identity_in_force=Coalesce(
            Subquery(history.filter(history_date__lt=cutoff).order_by("-history_date", "-history_id").values("identity_id")[:1]),
            Subquery(history.order_by("history_date", "history_id").values("identity_id")[:1]),
            F("identity_id"),
            output_field=CharField(),
        )
    )


def daijiao_amounts(year: int) -> dict[str, Decimal]:
    """identity code -> the 代缴 amount of the year (codes without a row get none)."""
    return dict(DaijiaoAmount.objects.filter(year=year).values_list("identity_id", "amount"))


# --- The personal account page and statements ---------------------------------------------------

SOURCE_LABELS = dict(Source.choices)


def labelled(by_source: dict[str, Decimal]) -> list[dict]:
    return [{"source": s, "label": SOURCE_LABELS[s], "amount": a} for s, a in by_source.items()]


def account_overview(*, person) -> dict:
    """Everything the person page's account section shows: balance by source, counted years, entries."""
    by_source = balance_by_source(person=person)
    years = counted_years(person=person, before=date.max)
    entries = list(
        AccountEntry.objects.filter(person=person)
        .select_related("receipt", "created_by")
        .only(
            "entry_date", "source", "kind", "amount", "year", "memo", "reverses_id", "receipt__receipt_no",
            "created_by__username", "created_by__full_name",
        )
        .order_by("entry_date", "pk")
    )
    # Wholly reversed only: a partial adjustment (interest re-settled at a benefit start) keeps its entry.
    amounts = {e.pk: e.amount for e in entries}
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id and e.amount == -amounts.get(e.reverses_id, 0)}
    rows = [
        {"entry": e, "reversed": e.pk in reversed_ids, "reversible": e.kind == EntryKind.CREDIT and e.pk not in reversed_ids}
        for e in entries
    ]
    entry_years = sorted({e.entry_date.year for e in entries})
    return {
        "by_source": labelled(by_source),
        "balance": sum(by_source.values(), ZERO),
        "contribution_years": years,
        "entries": rows,
        "statement_years": entry_years,
    }


def account_summary(*, person) -> dict:
    """The figures of `account_statement --json`: balance, balance by source (Chinese labels), years."""
    by_source = balance_by_source(person=person)
    return {
        "balance": str(sum(by_source.values(), ZERO)),
        "by_source": {SOURCE_LABELS[s]: str(a) for s, a in by_source.items()},
        "contribution_years": len(counted_years(person=person, before=date.max)),
    }


def yearly_statement(*, person, year: int) -> dict:
    """对账单 of one year: opening balance by source on 1 Jan, the year's entries, closing balance by
    source on 31 Dec, and the contribution years counted up to the end of the year."""
    start, after = date(year, 1, 1), date(year + 1, 1, 1)
    opening = balance_by_source(person=person, before=start)
    closing = balance_by_source(person=person, before=after)
    entries = list(
        AccountEntry.objects.filter(person=person, entry_date__gte=start, entry_date__lt=after)
        .select_related("receipt")
        .order_by("entry_date", "pk")
    )
    movements = defaultdict(lambda: ZERO)
    for e in entries:
        movements[e.source] += e.amount
    sources = [s for s in Source.values if s in opening or s in closing or s in movements]
    rows = [
        {
            "label": SOURCE_LABELS[s], "opening": opening.get(s, ZERO), "movement": movements.get(s, ZERO),
            "closing": closing.get(s, ZERO),
        }
        for s in sources
    ]
    years = counted_years(person=person, before=after)
    return {
        "year": year,
        "rows": rows,
        "opening_total": sum(opening.values(), ZERO),
        "movement_total": sum(movements.values(), ZERO),
        "closing_total": sum(closing.values(), ZERO),
        "entries": entries,
        "contribution_years": years,
        "contribution_years_count": len(years),
    }


# --- Remittance -------------------------------------------------------------------------------


def remittance_by_town(*, remittance: Remittance) -> list[dict]:
    """Per-town breakdown of a remittance, recomputed from its receipts."""
    rows = (
        Receipt.objects.filter(remittance=remittance)
        .values("town_id", "town__name", "town__sort_order")
        .annotate(
            receipts=Count("pk"), personal=Sum("personal_amount"), collective=Sum("collective_amount"),
            sponsor=Sum("sponsor_amount"),
        )
        .order_by("town__sort_order")
    )
    out = []
    for r in rows:
        personal, collective, sponsor = quantize(r["personal"]), quantize(r["collective"]), quantize(r["sponsor"])
        out.append({
            "town": r["town__name"], "receipts": r["receipts"], "personal": personal, "collective": collective,
            "sponsor": sponsor, "total": personal + collective + sponsor,
        })  # fmt: skip
    return out


def receipt_totals(queryset) -> dict:
    agg = queryset.aggregate(
        count=Count("pk"), personal=Sum("personal_amount"), collective=Sum("collective_amount"),
        sponsor=Sum("sponsor_amount"),
    )
    total = (agg["personal"] or ZERO) + (agg["collective"] or ZERO) + (agg["sponsor"] or ZERO)
    return {"count": agg["count"], "total": quantize(total)}


def receipt_actions(*, receipt: Receipt, user) -> dict[str, bool]:
    """The buttons the receipt page offers: only what the services would let this user do
    (receipt_void, receipt_confirm_batch), so nobody is offered an action that is then refused."""
    S = Receipt.Status
    finance = user.has_perm("contributions.confirm_receipt")
    voidable = receipt.may_move(S.VOIDED) and (
        receipt.status == S.COLLECTED or (finance and not receipt.remittance_id)
    )
    return {
        "can_void": user.has_perm("contributions.void_receipt") and voidable,
        "can_confirm": finance and receipt.may_move(S.CONFIRMED) and receipt.collected_by_id != user.pk,
    }


def interest_postings() -> list[InterestPosting]:
    return list(InterestPosting.objects.select_related("posted_by").order_by("-year"))


def dashboard(*, user) -> dict:
    """The landing page, by role: what a town agent, finance, a clerk and a manager each need first.
    Each card says what its user can do and offers only those actions."""
    today = timezone.localdate()
    receipts = Receipt.objects.in_scope(user)
    out: dict = {"today": today}
    if user.has_perm("contributions.add_receipt"):
        out["agent"] = {
            "today": receipt_totals(receipts.not_voided().filter(paid_on=today)),
            "unconfirmed": receipt_totals(receipts.awaiting_confirmation()),
            "recent": list(
                receipts.filter(collected_by=user).select_related("person").order_by("-created_at", "-pk")[:8]
            ),
        }
    if user.has_perm("contributions.confirm_receipt"):
        by_town = (
            receipts.awaiting_confirmation()
            .values("town__name", "town__sort_order")
            .annotate(count=Count("pk"), personal=Sum("personal_amount"), collective=Sum("collective_amount"),
                      sponsor=Sum("sponsor_amount"))
            .order_by("town__sort_order")
        )
        out["finance"] = {
            "awaiting": [
                {"town": r["town__name"], "count": r["count"], "total": quantize(r["personal"] + r["collective"] + r["sponsor"])}
                for r in by_town
            ],
        }
    if user.has_perm("contributions.view_remittance"):
        out["remittance"] = {
            "remittable": receipt_totals(Receipt.objects.remittable(up_to=today)),
            "remittances": list(Remittance.objects.order_by("-month")[:6]),
            "can_generate": user.has_perm("contributions.add_remittance"),
        }
    if user.has_perm("contributions.view_interestposting"):
        out["interest"] = {
            "postings": list(InterestPosting.objects.order_by("-year")[:6]),
            "can_post": user.has_perm("contributions.post_interest") or user.has_perm("contributions.post_daijiao"),
        }
    if user.has_perm("contributions.view_specialcredit"):
        out["special"] = {
            "pending": SpecialCredit.objects.in_scope(user).filter(status=SpecialCredit.Status.PENDING).count(),
            "can_import": user.has_perm("contributions.import_receipts"),
            "can_reverse": user.has_perm("contributions.reverse_accountentry"),
        }
    return out


def backpay_years(*, person, today: date) -> dict[int, list[Decimal]]:
    """The years `person` may still back-pay (补缴, §2.8) → that year's grades: the years before this
    one that offer grades, from the year the person reached the minimum enrolment age, with no
    receipt (voided ones aside) and not already counted from other credits (代缴, 老农保 ...)."""
    first = person.birth_date.year + enrollment_selectors.min_enrolment_age(today)
    table = {y: g for y, g in grade_table(up_to=today.year - 1).items() if y >= first}
    paid = set(Receipt.objects.not_voided().filter(person=person, year__in=list(table)).values_list("year", flat=True))
    counted = set(counted_years(person=person, before=date(today.year, 1, 1)))
    return {y: g for y, g in table.items() if y not in paid and y not in counted}
