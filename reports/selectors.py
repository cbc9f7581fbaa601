"""Reads behind the reports: each function returns {town_id: {figure name: value}} for one month.

Every figure is computed from the records (enrollment's persons, contributions' ledger, receipts
and remittances, benefits' pensions and payroll lines), one grouped query per source table, so
a report costs a fixed number of queries whatever the county's size. The fund's ledger sums come
from contributions' month totals (LedgerMonthTotal), which equal the entries' sums (tests/reports/
test_fast_figures.py); run the report's reads inside `report_reads()`.
"""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from benefits.models import (
    Certification,
    PayrollLine,
    PayrollRun,
    Pension,
    RecoveryCase,
    RecoveryCaseChange,
    RecoveryPosting,
    Suspension,
)
from benefits.rules import shift_months
from benefits.selectors import pension_tables
from contributions.models import (
    AccountEntry,
    ContributionGrade,
    EntryKind,
    LedgerMonthTotal,
    Receipt,
    Remittance,
)
from enrollment.models import Person
from linggao_pension import periods
from linggao_pension.org.models import Town

from . import figures as F_

ZERO = Decimal("0.00")
_MONEY = Value(ZERO)
Rows = dict[int, dict]


@dataclass(frozen=True)
class Period:
    month: date  # first day

    @property
    def end(self) -> date:
        return periods.month_end(self.month)

    @property
    def year_start(self) -> date:
        return date(self.month.year, 1, 1)

    @property
    def label(self) -> str:
        return periods.format_month(self.month)


@contextmanager
def report_reads():
    """One read-only transaction for a report's queries; on PostgreSQL without JIT compilation and
    with room to sort in memory.

    The report's grouped queries run once each over large tables with filters the planner
    misestimates; JIT then spent 0.2 to 0.7 s compiling each of the three largest (more than it
    saved), 1.2 s in all at county scale, and the distinct counts of the year sorted on disk.
    `SET LOCAL` ends with the transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def towns() -> list[Town]:
    return list(Town.objects.filter(is_active=True).order_by("sort_order", "code"))


def grades_of(year: int) -> list[Decimal]:
    return list(ContributionGrade.objects.filter(year=year).order_by("amount").values_list("amount", flat=True))


def _sum(field, **filter_q):
    return Coalesce(Sum(field, filter=Q(**filter_q) if filter_q else None), _MONEY)


def _merge(into: Rows, rows) -> None:
    for town_id, values in rows:
        into.setdefault(town_id, {}).update(values)


def coverage(p: Period) -> Rows:
    terminated = Person.Status.TERMINATED
    counts = {
        "参保人数": Count("pk", filter=Q(enrolled_on__lte=p.end) & ~Q(status=terminated, status_changed_on__lte=p.end)),
        "缴费人员": Count("pk", filter=Q(status__in=[Person.Status.CONTRIBUTING, Person.Status.CONTRIB_SUSPENDED])),
        "领取人数": Count("pk", filter=Q(status=Person.Status.RECEIVING)),
        "暂停领取人数": Count("pk", filter=Q(status=Person.Status.BENEFIT_SUSPENDED)),
        "本月新增参保": Count("pk", filter=Q(enrolled_on__range=(p.month, p.end))),
    }
    for code, label in F_.TERMINATION_REASONS:
        counts[f"本月终止（{label}）"] = Count("pk", filter=Q(
            status=terminated, status_changed_on__range=(p.month, p.end), status_reason__endswith=code
        ))
    rows = Person.objects.order_by().values("town_id").annotate(**counts)
    out: Rows = {}
    _merge(out, ((r.pop("town_id"), r) for r in rows))
    moves = (
        AccountEntry.objects.filter(entry_date__range=(p.month, p.end), kind__in=[EntryKind.TRANSFER_IN, EntryKind.TRANSFER_OUT])
        .order_by().values("person__town_id")
        .annotate(
            i=Count("person", distinct=True, filter=Q(kind=EntryKind.TRANSFER_IN)),
            o=Count("person", distinct=True, filter=Q(kind=EntryKind.TRANSFER_OUT)),
        )
    )
    _merge(out, ((r["person__town_id"], {"本月转入": r["i"], "本月转出": r["o"]}) for r in moves))
    return out


def _year_credits(p: Period):
    """Credits of the report's year (and reversals of them) booked by the month's end.

    The reversals of credits are found first (a few rows, through the index on `reverses`) and named
    by key: joining the reversed entry to every entry of the year cost a hash of the whole ledger."""
    of_year = AccountEntry.objects.filter(year=p.month.year, entry_date__lte=p.end)
    reversals = of_year.filter(reverses__isnull=False, kind=EntryKind.REVERSAL, reverses__kind=EntryKind.CREDIT)
    return of_year.filter(Q(kind=EntryKind.CREDIT) | Q(pk__in=reversals.order_by().values("pk")))


def contributions(p: Period, grades: list[Decimal]) -> Rows:
    out: Rows = {}
    receipts = Receipt.objects.filter(year=p.month.year, paid_on__lte=p.end).exclude(status=Receipt.Status.VOIDED)
    by_grade = {F_.grade_figure_name(g): Count("person", distinct=True, filter=Q(grade=g)) for g in grades}
    rows = receipts.order_by().values("town_id").annotate(本年缴费人数=Count("person", distinct=True), **by_grade)
    _merge(out, ((r.pop("town_id"), r) for r in rows))
    items = {label: _sum("amount", source=source) for source, label in F_.CONTRIBUTION_ITEMS}
    rows = (
        _year_credits(p).order_by().values("person__town_id")
        .annotate(**items, 代缴人数=Count("person", distinct=True, filter=Q(source="daijiao")))
    )
    for r in rows:
        town_id = r.pop("person__town_id")
        r["本年缴费合计"] = sum((r[label] for _, label in F_.CONTRIBUTION_ITEMS), ZERO)
        r["代缴金额"] = r["政府代缴"]
        out.setdefault(town_id, {}).update(r)
    return out


def benefits(p: Period) -> Rows:
    out: Rows = {}
    new = (
        Pension.objects.filter(first_payroll_month=p.month).order_by().values("person__town_id")
        .annotate(n=Count("pk"))
    )
    _merge(out, ((r["person__town_id"], {"本月新增领取": r["n"]}) for r in new))
    paid = PayrollLine.Status.PAID
    rows = (
        PayrollLine.objects.filter(run__month=p.month).order_by().values("town_id")
        .annotate(
            应发人数=Count("person", distinct=True),
            实发人数=Count("person", distinct=True, filter=Q(status=paid)),
            实发基础养老金=_sum("basic_amount", status=paid),
            实发个人账户养老金=_sum("account_amount", status=paid),
            实发金额=_sum("amount", status=paid),
            支付失败笔数=Count("pk", filter=Q(status=PayrollLine.Status.FAILED)),
        )
    )
    _merge(out, ((r.pop("town_id"), r) for r in rows))
    return out


def _fund_windows(p: Period) -> dict[str, tuple[date | None, date]]:
    """(from, to) of each window: before the month (the opening balance), the month, the year to date."""
    return {"before": (None, p.month - timedelta(days=1)), "month": (p.month, p.end), "ytd": (p.year_start, p.end)}


def _in_window(field: str, window: tuple[date | None, date]) -> Q:
    lo, hi = window
    return Q(**{f"{field}__lte": hi}) & (Q(**{f"{field}__gte": lo}) if lo else Q())


def _windowed(windows: dict, field: str, amount, prefix: str = "") -> dict:
    return {f"{prefix}{name}": Coalesce(Sum(amount, filter=_in_window(field, w)), _MONEY) for name, w in windows.items()}


def fund(p: Period) -> Rows:
    """Income and expenditure by category for the month, before it (opening) and the year to date."""
    windows = _fund_windows(p)
    acc: dict[int, dict[str, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: ZERO)))
    income_kinds = [EntryKind.CREDIT, EntryKind.INTEREST, EntryKind.TRANSFER_IN]
    spend_kinds = {EntryKind.TRANSFER_OUT: "转移支出", EntryKind.REFUND: "退保支出", EntryKind.INHERIT: "退保支出"}
    for r in _fund_entries(p, windows, [*income_kinds, *spend_kinds]):
        kind = r["effective_kind"]
        if kind in spend_kinds:
            category, sign, side = spend_kinds[kind], -1, "out"
        else:
            category, sign, side = F_.SOURCE_INCOME.get(r["source"], "其他收入"), 1, "in"
        for w in windows:
            acc[r["person__town_id"]][w][(side, category)] += sign * r[w]
    lines = (
        PayrollLine.objects.filter(status=PayrollLine.Status.PAID, run__month__lte=p.month)
        .order_by().values("town_id")
        .annotate(
            **_windowed(windows, "run__month", "basic_amount", prefix="b_"),
            **_windowed(windows, "run__month", "account_amount", prefix="a_"),
        )
    )
    for r in lines:
        for w in windows:
            town = acc[r["town_id"]][w]
            town[("in", "基础养老金补助收入")] += r[f"b_{w}"]
            town[("out", "基础养老金支出")] += r[f"b_{w}"]
            town[("out", "个人账户养老金支出")] += r[f"a_{w}"]
    remitted = (
        Receipt.objects.filter(remittance__status=Remittance.Status.REMITTED, remittance__month__lte=p.month)
        .order_by().values("town_id")
        .annotate(**_windowed(windows, "remittance__month", F("personal_amount") + F("collective_amount") + F("sponsor_amount")))
    )
    remit = {r["town_id"]: r for r in remitted}
    out: Rows = {}
    for town_id in set(acc) | set(remit):
        w = acc[town_id]
        before_in, before_out = _net(w["before"])
        month_in, month_out = _net(w["month"])
        ytd_in, ytd_out = _net(w["ytd"])
        row = {name: w["month"][("in", name)] for name in F_.INCOME_CATEGORIES}
        row |= {name: w["month"][("out", name)] for name in F_.EXPENDITURE_CATEGORIES}
        opening = before_in - before_out
        row |= {
            "期初余额": opening, "收入合计": month_in, "支出合计": month_out, "期末余额": opening + month_in - month_out,
            "上缴财政专户": remit.get(town_id, {}).get("month", ZERO),
            "本年收入累计": ytd_in, "本年支出累计": ytd_out,
            "本年上缴财政专户累计": remit.get(town_id, {}).get("ytd", ZERO),
        }
        out[town_id] = row
    return out


def _fund_entries(p: Period, windows: dict, kinds: list[str]) -> list[dict]:
    """The ledger's sums by (town, source, effective kind) for each window: entries of `kinds`, and
    reversals counted under the kind of the entry they reverse (a reversal of a pension drawn, of a
    reversal or of nothing is no fund movement).

    Read from contributions' month totals (LedgerMonthTotal, kept by the posting services): the
    windows are whole months, so a few thousand totals give what the three million entries give."""
    month_windows = {"before": (None, p.month - timedelta(days=1)), "month": (p.month, p.month),
                     "ytd": (p.year_start, p.month)}
    sums = _windowed(month_windows, "month", "amount", prefix="w_")
    totals = (
        LedgerMonthTotal.objects.filter(month__lte=p.month)
        .filter(Q(kind__in=kinds) | Q(kind=EntryKind.REVERSAL))
        .order_by().values("town_id", "source", "kind", "reversed_kind").annotate(**sums)
    )
    rows = []
    for r in totals:
        kind = r["reversed_kind"] if r["kind"] == EntryKind.REVERSAL else r["kind"]
        if kind in ("", EntryKind.PENSION, EntryKind.REVERSAL):
            continue
        rows.append({"person__town_id": r["town_id"], "source": r["source"], "effective_kind": kind,
                     **{w: r[f"w_{w}"] for w in windows}})
    return rows


def _net(window: dict) -> tuple[Decimal, Decimal]:
    """(income, expenditure) of one window's {(side, category): amount}."""
    return (sum((v for (side, _), v in window.items() if side == "in"), ZERO),
            sum((v for (side, _), v in window.items() if side == "out"), ZERO))


def payroll_paid_total(month: date) -> Decimal:
    """The payroll's own paid total for the month, which the report's 实发金额 must equal."""
    return PayrollLine.objects.filter(run__month=month, status=PayrollLine.Status.PAID).aggregate(
        t=Coalesce(Sum("amount"), _MONEY)
    )["t"]


def payroll_state(month: date) -> str:
    run = PayrollRun.objects.filter(month=month).only("status").first()
    return run.get_status_display() if run else "未生成"


def previous_month(month: date) -> date:
    return periods.month_start(month - timedelta(days=1))


def lifecycle_parts(p: Period) -> list[Rows]:
    """Certification and recovery figures, from the benefits lifecycle's records."""
    return [certification(p), recovery(p)]


def certification(p: Period) -> Rows:
    """资格认证 (R10), by the pensioner's town:

    - 本月应认证: pensions being paid in the month whose certification falls due in it (the last
      certification before the month plus the cycle);
    - 本月已认证: pensions certified in the month (one each, however many times);
    - 未认证暂停: suspensions for an overdue certification (1201) from the month;
    - 认证后恢复: those suspensions ended by a certification, paid again from the month.
    """
    cycle = pension_tables().cycle_months
    # The last certification before the month: a certification row, else the pension's own date as
    # its history had it (the start's date, or one written by an import), else the date on the row.
    earlier = (Certification.objects.filter(pension=OuterRef("pk"), certified_on__lt=p.month)
               .order_by("-certified_on").values("certified_on")[:1])
    as_was = (Pension.history.filter(id=OuterRef("pk"), last_certified_on__lt=p.month)
              .order_by("-last_certified_on").values("last_certified_on")[:1])
    last_before = Coalesce(Subquery(earlier), Subquery(as_was),
                           Case(When(last_certified_on__lt=p.month, then=F("last_certified_on"))))
    # One comparison in the database (a range would compute the three lookups twice per pension),
    # the other on the few rows that come back.
    lo, hi = shift_months(p.month, -cycle), shift_months(p.end, -cycle)
    due = (
        Pension.objects.filter(first_payroll_month__lte=p.month)
        .filter(Q(status=Pension.Status.ACTIVE) | Q(last_month__gte=p.month))
        .annotate(last_before=last_before)
        .filter(last_before__lte=hi)
        .order_by().values_list("person__town_id", "last_before")
    )
    counts: dict[int, int] = defaultdict(int)
    for town_id, on in due:
        if on >= lo:
            counts[town_id] += 1
    out: Rows = {}
    _merge(out, ((town_id, {"本月应认证": n}) for town_id, n in counts.items()))
    done = (Certification.objects.filter(certified_on__range=(p.month, p.end)).order_by()
            .values("person__town_id").annotate(n=Count("pension", distinct=True)))
    _merge(out, ((r["person__town_id"], {"本月已认证": r["n"]}) for r in done))
    moves = (
        Suspension.objects.filter(reason_code="1201").filter(Q(start_month=p.month) | Q(end_month=p.month))
        .order_by().values("person__town_id")
        .annotate(s=Count("pk", filter=Q(start_month=p.month)), r=Count("pk", filter=Q(end_month=p.month)))
    )
    _merge(out, ((r["person__town_id"], {"未认证暂停": r["s"], "认证后恢复": r["r"]}) for r in moves))
    return out


def recovery(p: Period) -> Rows:
    """待遇追回 (R17), by the person's town: cases opened in the month and their amount, money
    recovered (repaid or offset against pension lines) in the month and up to its end, cases that
    had entered an instalment agreement by the month's end, and the amount written off in the month."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(p.month, time.min, tzinfo=tz)
    stop = datetime.combine(p.end + timedelta(days=1), time.min, tzinfo=tz)
    out: Rows = {}
    opened = (RecoveryCase.objects.filter(opened_at__gte=start, opened_at__lt=stop).order_by()
              .values("person__town_id").annotate(n=Count("pk"), amount=_sum("amount")))
    _merge(out, ((r["person__town_id"], {"本月新立案": r["n"], "本月立案金额": r["amount"]}) for r in opened))
    collected = [RecoveryPosting.Kind.REPAYMENT, RecoveryPosting.Kind.OFFSET]
    postings = (
        RecoveryPosting.objects.filter(on__lte=p.end).order_by().values("case__person__town_id")
        .annotate(
            month=_sum("amount", kind__in=collected, on__gte=p.month),
            total=_sum("amount", kind__in=collected),
            written_off=_sum("amount", kind=RecoveryPosting.Kind.WRITE_OFF, on__gte=p.month),
        )
    )
    _merge(out, ((r["case__person__town_id"], {"本月追回金额": r["month"], "累计追回金额": r["total"],
                                               "核销金额": r["written_off"]}) for r in postings))
    agreements = (RecoveryCaseChange.objects.filter(to_status=RecoveryCase.Status.INSTALMENT, at__lt=stop)
                  .order_by().values("case__person__town_id").annotate(n=Count("case", distinct=True)))
    _merge(out, ((r["case__person__town_id"], {"分期协议数": r["n"]}) for r in agreements))
    return out


def disclosure_villages(*, town: Town, as_of: date) -> list[dict]:
    """Each village's current and new pensioners and the year's contributors (R20), no ID or account.

    Three queries for the whole town: pensions, their latest monthly amounts, the year's receipts.
    """
    from linggao_pension.org.models import Village

    month = periods.month_start(as_of)
    pensions = (
        Pension.objects.filter(person__town=town, status=Pension.Status.ACTIVE, first_payroll_month__lte=month)
        .order_by("person__village_id", "person__name", "pk")
        .values("person_id", "person__village_id", "person__name", "person__sex", "person__birth_date",
                "first_payroll_month", "basic_pension", "account_pension")
    )
    last_run = PayrollRun.objects.filter(month__lte=month).order_by("-month").values_list("month", flat=True).first()
    amounts = dict(
        PayrollLine.objects.filter(run__month=last_run, town=town, kind=PayrollLine.Kind.NORMAL)
        .values_list("person_id", "amount")
    ) if last_run else {}
    receipts = (
        Receipt.objects.filter(town=town, year=as_of.year).exclude(status=Receipt.Status.VOIDED)
        .order_by("person__village_id", "person__name", "pk")
        .values("person__village_id", "person__name", "person__sex", "person__birth_date", "grade", "personal_amount")
    )
    sex = dict(Person.Sex.choices)
    villages = {
        v.pk: {"village": v, "pensioners": [], "contributors": [], "new_count": 0}
        for v in Village.objects.filter(town=town, is_active=True).order_by("code")
    }
    for p in pensions:
        v = villages.get(p["person__village_id"])
        if v is None:
            continue
        new = p["first_payroll_month"] == month
        v["new_count"] += new
        v["pensioners"].append({
            "name": p["person__name"], "sex": sex.get(p["person__sex"], ""), "born": p["person__birth_date"], "new": new,
            "amount": amounts.get(p["person_id"], p["basic_pension"] + p["account_pension"]),
        })
    for r in receipts:
        v = villages.get(r["person__village_id"])
        if v is not None:
            v["contributors"].append({
                "name": r["person__name"], "sex": sex.get(r["person__sex"], ""), "born": r["person__birth_date"],
                "grade": r["grade"], "personal": r["personal_amount"],
            })
    return list(villages.values())
