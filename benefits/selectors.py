"""Reads for benefits: the configuration tables, the pension calculation shared by determination,
the estimate and the person page, the 到龄名单, the dashboard and the payroll summaries."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from contributions.models import Source
from contributions.selectors import AccountSnapshot, account_at, counted_years, counted_years_by_person
from enrollment.models import Person
from linggao_pension import periods
from linggao_pension.money import ZERO, quantize
from linggao_pension.org.figures import for_user, kept
from linggao_pension.org.models import JobRun

from . import rules
from .models import (
    AgeExtra,
    BasicPensionStandard,
    BenefitClaim,
    FuneralSubsidy,
    LongContributionExtra,
    PayrollLine,
    PayrollRun,
    Pension,
    SchemeParameters,
)

SOURCE_LABELS = dict(Source.choices)
CLAIMABLE_STATUSES = (Person.Status.CONTRIBUTING, Person.Status.CONTRIB_SUSPENDED)


def scheme_parameters() -> SchemeParameters:
    params = SchemeParameters.objects.filter(pk=1).first()
    if params is None:  # the data migration always makes it; a blank database falls back to the defaults
        params = SchemeParameters(pk=1, scheme_start_date=rules.Params().scheme_start_date)
    return params


@dataclass
class PensionTables:
    """The parameters and standards, loaded once and then asked for any month (a payroll asks
    60,000 times; the tables are a few rows)."""

    params: rules.Params
    cycle_months: int
    standards: list[rules.Standard]
    long_extras: list[rules.LongExtra]
    age_extras: list[rules.AgeExtraRow]
    _standard_cache: dict = field(default_factory=dict, repr=False)
    _birth_cache: dict = field(default_factory=dict, repr=False)

    def basic(self, *, month: date, years: int, age: int) -> rules.BasicParts:
        return rules.basic_pension(
            month=month, years=years, age=age, standards=self.standards, long_extras=self.long_extras,
            age_extras=self.age_extras, minimum_years=self.params.minimum_years,
        )

    def basic_total(self, *, month: date, years: int, age: int) -> Decimal:
        """basic(...).total, memoised per (month, long years, age bracket) for the payroll."""
        long_years = max(0, years - self.params.minimum_years)
        key = (month, long_years, age if self.age_extras else 0)
        total = self._standard_cache.get(key)
        if total is None:
            total = self.basic(month=month, years=years, age=age).total
            self._standard_cache[key] = total
        return total

    def basic_for_birth(self, *, month: date, years: int, birth: date) -> Decimal:
        """basic_total at the age reached by someone born on `birth` (rules.age_at_month), memoised
        per (month, years, birth date): the payroll's question for every line."""
        key = (month, years, birth)
        total = self._birth_cache.get(key)
        if total is None:
            total = self._birth_cache[key] = self.basic_total(month=month, years=years,
                                                              age=rules.age_at_month(birth, month))
        return total


def pension_tables() -> PensionTables:
    row = scheme_parameters()
    return PensionTables(
        params=rules.Params(
            benefit_age=row.benefit_age, minimum_years=row.minimum_years, scheme_start_date=row.scheme_start_date,
            account_divisor=row.account_divisor,
        ),
        cycle_months=row.certification_cycle_months,
        standards=[
            rules.Standard(r.effective_from, r.central_part, r.provincial_part, r.county_part)
            for r in BasicPensionStandard.objects.all()
        ],
        long_extras=[rules.LongExtra(r.effective_from, r.amount_per_year) for r in LongContributionExtra.objects.all()],
        age_extras=[rules.AgeExtraRow(r.min_age, r.effective_from, r.amount) for r in AgeExtra.objects.all()],
    )


def funeral_subsidy(on: date) -> Decimal:
    """丧葬补助金 in force on a date (§4.7), 0 when none."""
    row = FuneralSubsidy.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    return row.amount if row else ZERO


# --- the pension calculation (determination, estimate, person page) ---------------------------------


@dataclass(frozen=True)
class PensionCalculation:
    person: Person
    start: date
    earliest_start: date
    age_at_start: int
    age_at_scheme_start: int
    required_years: int
    years: list[int]
    backpay_open: list[int]
    snapshot: AccountSnapshot
    account_pension: Decimal
    basic: rules.BasicParts
    divisor: int
    reasons: list[str]

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def contribution_years(self) -> int:
        return len(self.years)

    @property
    def first_contribution_year(self) -> int | None:
        return self.years[0] if self.years else None

    @property
    def shortfall(self) -> int:
        return max(0, self.required_years - self.contribution_years)

    @property
    def may_backpay(self) -> bool:
        return 0 < self.shortfall <= len(self.backpay_open)

    @property
    def account_balance(self) -> Decimal:
        return self.snapshot.total

    @property
    def basic_pension(self) -> Decimal:
        return self.basic.total

    @property
    def monthly_pension(self) -> Decimal:
        return self.basic.total + self.account_pension

    @property
    def interim_months(self) -> int:
        return self.start.month - 1

    @property
    def rate_percent(self) -> Decimal | None:
        rate = self.snapshot.rate
        return (rate * 100).quantize(Decimal("0.01")) if rate is not None else None

    @property
    def by_source(self) -> list[dict]:
        """The balance by sub-ledger with the interim interest, labelled, for pages and the PDF."""
        return [
            {"source": s, "label": SOURCE_LABELS[s], "amount": a}
            for s, a in self.snapshot.by_source_with_interim.items()
        ]

    def as_json(self) -> dict:
        """The figures `pension_estimate --json` prints."""
        return {
            "eligible": self.eligible,
            "reasons": self.reasons,
            "contribution_years": self.contribution_years,
            "account_balance": str(self.account_balance),
            "account_pension": str(self.account_pension),
            "basic_pension": str(self.basic_pension),
            "monthly_pension": str(self.monthly_pension),
        }


def eligibility_reasons(*, person: Person, start: date, params: rules.Params, years: list[int], required: int,
                        backpay: list[int]) -> list[str]:
    """Why `person` may not receive from `start` (R7), in words; [] when they may."""
    reasons = []
    earliest = rules.benefit_start_month(person.birth_date, params)
    if start < earliest:
        reasons.append(
            f"未到待遇开始年月：{periods.format_month(rules.birthday_month(person.birth_date, params.benefit_age))}"
            f"年满{params.benefit_age}周岁，最早自{periods.format_month(earliest)}起领取"
        )
    if person.status not in CLAIMABLE_STATUSES:
        reasons.append(f"参保状态为“{person.get_status_display()}”，不能申领待遇")
    if len(years) < required:
        shortfall = required - len(years)
        tail = "，可补缴后申领" if 0 < shortfall <= len(backpay) else "，可补缴年度不足"
        reasons.append(f"累计缴费{len(years)}年，不足应缴年限{required}年，还差{shortfall}年{tail}")
    return reasons


def pension_calculation(*, person: Person, start: date, tables: PensionTables | None = None) -> PensionCalculation:
    """The pension of `person` if it started in month `start`, from the ledger as it stands.

    Determination freezes exactly this (R7, R8): the account snapshot at the 1st of the start
    month (entries dated before it plus the interim interest), the contribution years judged from
    entries dated before it, round(total / 139, 2), and the basic pension of the standards in force
    for the start month. The estimate and the person page show the same object."""
    tables = tables or pension_tables()
    params = tables.params
    start = periods.month_start(start)
    earliest = rules.benefit_start_month(person.birth_date, params)
    age_then = rules.age_at_month(person.birth_date, start)
    age_scheme = rules.age_at_scheme_start(person.birth_date, params)
    required = rules.required_years(age_scheme, params)
    years = counted_years(person=person, before=start)
    snapshot = account_at(person=person, on=start)
    basic = tables.basic(month=start, years=len(years), age=age_then)
    backpay = rules.backpay_years_open(person.birth_date, years, start, params)

    reasons = eligibility_reasons(person=person, start=start, params=params, years=years, required=required,
                                  backpay=backpay)
    return PensionCalculation(
        person=person, start=start, earliest_start=earliest, age_at_start=age_then, age_at_scheme_start=age_scheme,
        required_years=required, years=years, backpay_open=backpay, snapshot=snapshot,
        account_pension=rules.account_pension(snapshot.total, params.account_divisor), basic=basic,
        divisor=params.account_divisor, reasons=reasons,
    )


def claim_start_month(*, person: Person, today: date, tables: PensionTables | None = None) -> date:
    """The start month a claim gets: the month after the 60th birthday (R7). Someone who reached 60
    short of years and back-paid afterwards starts the month after the claim instead, because the
    years are judged only from entries dated before the start month (binding defaults)."""
    tables = tables or pension_tables()
    earliest = rules.benefit_start_month(person.birth_date, tables.params)
    next_month = periods.add_months(today, 1)
    if earliest >= next_month:
        return earliest
    at_earliest = pension_calculation(person=person, start=earliest, tables=tables)
    if at_earliest.eligible:
        return earliest
    return next_month


# --- the one rule for accepting a claim (claim_submit, the 到龄名单, the estimate page) --------------------


@dataclass(frozen=True)
class ClaimFacts:
    """What claim_submit's acceptance depends on, gathered for one person or in bulk for a list."""

    name: str
    birthday_month: date
    benefit_age: int
    has_pension: bool
    open_claim: bool
    has_bank_account: bool
    eligibility: tuple[str, ...]  # eligibility_reasons at the start month the claim would get


def claim_refusals(facts: ClaimFacts, *, today: date) -> list[str]:
    """Why a claim would be refused today ([] = claim_submit accepts it). The service raises these;
    the pages offer 申报 only when there are none."""
    if facts.has_pension:
        return ["该参保人已有养老金待遇记录，不能重复申领"]
    if facts.open_claim:
        return ["该参保人已有办理中的待遇申领，不能重复申报"]
    if not facts.has_bank_account:
        return ["参保人未登记银行/社保卡账号，请先办理信息变更后再申报"]
    if periods.month_start(today) < facts.birthday_month:
        return [f"{facts.name}于{periods.format_month(facts.birthday_month)}年满{facts.benefit_age}周岁，届时方可申报"]
    return list(facts.eligibility)


def claim_facts(*, person: Person, today: date, tables: PensionTables | None = None,
                calc: "PensionCalculation | None" = None) -> tuple[ClaimFacts, PensionCalculation]:
    """The facts for one person, with the calculation at the start month a claim would get."""
    tables = tables or pension_tables()
    if calc is None:
        calc = pension_calculation(person=person, start=claim_start_month(person=person, today=today, tables=tables),
                                   tables=tables)
    facts = ClaimFacts(
        name=person.name, birthday_month=rules.birthday_month(person.birth_date, tables.params.benefit_age),
        benefit_age=tables.params.benefit_age, has_pension=Pension.objects.filter(person=person).exists(),
        open_claim=BenefitClaim.objects.filter(person=person).exclude(status=BenefitClaim.Status.RETURNED).exists(),
        has_bank_account=bool(person.bank_account), eligibility=tuple(calc.reasons),
    )
    return facts, calc


def claim_not_yet_determinable(claim: BenefitClaim, today: date) -> str:
    """Why the claim cannot be determined today ("" when it can, as far as the date goes): the
    balance is taken at the 1st of the start month (binding defaults), so not before that day."""
    if today < claim.start_month:
        return (f"待遇开始年月为{periods.format_month(claim.start_month)}，核定须在该月1日及以后进行"
                "（个人账户余额截至该月1日）")
    return ""


# --- 到龄名单 -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    person: Person
    birthday_month: date
    start_month: date
    required_years: int
    contribution_years: int
    shortfall: int
    may_backpay: bool
    claim_status: str
    refusals: tuple[str, ...] = ()

    @property
    def result(self) -> str:
        if self.shortfall == 0:
            return "eligible"
        return "backpay" if self.may_backpay else "short"

    @property
    def result_label(self) -> str:
        return DUE_RESULTS[self.result]

    @property
    def can_claim(self) -> bool:
        """Offer 申报 only where claim_submit would accept it (claim_refusals)."""
        return not self.refusals


DUE_RESULTS = {"eligible": "符合领取条件", "backpay": "年限不足，可补缴", "short": "年限不足，补缴后仍不足"}


def due_month_q(month: date, age: int) -> Q:
    q = Q(pk__in=[])
    for low, high in rules.birth_ranges_reaching(month, age):
        q |= Q(birth_date__range=(low, high))
    return q


def due_result_ids(*, user, month: date, result: str) -> list[int] | None:
    """Who of this month's 到龄名单 had `result` when the figures job last assessed it (at most
    KEPT_FIGURES_MAX_AGE old), in the towns `user` may see: the list's result filter pages these in
    the database and assesses only the page. None for another month."""
    from linggao_pension.org import access
    from linggao_pension.org.models import Town

    if month != periods.month_start(timezone.localdate()):
        return None
    figures = kept("benefits.due_this_month")
    ids: list[int] = []
    for town_id in access.in_scope(Town.objects.all(), user, "pk").values_list("pk", flat=True):
        counts = figures.data.get(str(town_id))
        if counts is None:
            continue
        if counts.get("month") != f"{month:%Y-%m}":
            return None  # kept before the month turned
        ids.extend(counts.get("ids", {}).get(result, []))
    return ids


def due_rows(persons, *, month: date, tables: PensionTables | None = None, today: date | None = None) -> list[DueRow]:
    """到龄名单 rows for people reaching the benefit age in `month`: eligible, short of years (and by
    how many) and whether back-payment can close the gap (§2.8). Four queries for any number."""
    tables = tables or pension_tables()
    params = tables.params
    persons = list(persons)
    today = today or timezone.localdate()
    start = periods.add_months(month, 1)
    ids = [p.pk for p in persons]
    years = counted_years_by_person(person_ids=ids, before=start)
    # claim_start_month: who reached the start month short of years claims from next month instead.
    next_month = periods.add_months(today, 1)
    years_next = counted_years_by_person(person_ids=ids, before=next_month) if start < next_month else years
    claims = dict(
        BenefitClaim.objects.filter(person__in=persons).exclude(status=BenefitClaim.Status.RETURNED)
        .values_list("person_id", "status")
    )
    with_pension = set(Pension.objects.filter(person__in=persons).values_list("person_id", flat=True))
    labels = dict(BenefitClaim.Status.choices)
    rows = []
    for person in persons:
        counted = years.get(person.pk, [])
        required = rules.required_years(rules.age_at_scheme_start(person.birth_date, params), params)
        shortfall = max(0, required - len(counted))
        backpay = rules.backpay_years_open(person.birth_date, counted, start, params)
        reasons = eligibility_reasons(person=person, start=start, params=params, years=counted, required=required,
                                      backpay=backpay)
        if reasons and start < next_month:
            at_next = years_next.get(person.pk, [])
            reasons = eligibility_reasons(
                person=person, start=next_month, params=params, years=at_next, required=required,
                backpay=rules.backpay_years_open(person.birth_date, at_next, next_month, params),
            )
        facts = ClaimFacts(
            name=person.name, birthday_month=rules.birthday_month(person.birth_date, params.benefit_age),
            benefit_age=params.benefit_age, has_pension=person.pk in with_pension, open_claim=person.pk in claims,
            has_bank_account=bool(person.bank_account), eligibility=tuple(reasons),
        )
        rows.append(
            DueRow(
                person=person,
                birthday_month=rules.birthday_month(person.birth_date, params.benefit_age),
                start_month=rules.benefit_start_month(person.birth_date, params),
                required_years=required, contribution_years=len(counted), shortfall=shortfall,
                may_backpay=0 < shortfall <= len(backpay), claim_status=labels.get(claims.get(person.pk), ""),
                refusals=tuple(claim_refusals(facts, today=today)),
            )
        )
    return rows


# --- dashboard, payroll summaries, person page ---------------------------------------------------------


def dashboard(*, user, today: date) -> dict:
    month = periods.month_start(today)
    due = for_user(kept("benefits.due_this_month"), user)  # this month's 到龄名单, kept by a job
    run = PayrollRun.objects.filter(month=month).first()
    claims = BenefitClaim.objects.in_scope(user).aggregate(
        to_determine=Count("pk", filter=Q(status=BenefitClaim.Status.TOWN_REVIEWED)),
        determined=Count("pk", filter=Q(status=BenefitClaim.Status.DETERMINED)),
    )
    pensioners = kept("benefits.pensioners")  # kept by a job: no count of 60,000 pensions per view
    previous_open = PayrollRun.objects.filter(month__lt=month).exclude(status=PayrollRun.Status.CLOSED).count()
    return {
        "month": month,
        "due_total": due["total"],
        "due_eligible": due["eligible"],
        "due_backpay": due["backpay"],
        "due_short": due["short"],
        "claims_to_determine": claims["to_determine"],
        "claims_determined": claims["determined"],
        "pensioners": for_user(pensioners, user)["pensioners"],
        "figures_at": pensioners.computed_at,
        "run": run,
        "run_summary": run_summary(run) if run else None,
        "previous_open": previous_open,
    }


def payroll_refusal(*, month: date, today: date) -> str:
    """Why the payroll of `month` cannot be generated (or completed) now; "" when it can. The page
    asks before it records a job; generation asks again (under the run lock for the status)."""
    if month > periods.month_start(today):
        return f"不能生成未来月份（{periods.format_month(month)}）的发放"
    open_before = PayrollRun.objects.filter(month__lt=month).exclude(status=PayrollRun.Status.CLOSED).order_by("month").first()
    if open_before is not None:
        return (f"{open_before}尚未回盘结束（{open_before.get_status_display()}），"
                f"不能生成{periods.format_month(month)}的发放")
    later = PayrollRun.objects.filter(month__gt=month).order_by("month").first()
    if later is not None:
        return f"已生成{later}，不能再生成更早月份的发放"
    run = PayrollRun.objects.filter(month=month).exclude(status=PayrollRun.Status.GENERATED).first()
    if run is not None:
        return f"{run}{run.get_status_display()}，不能再生成"
    return ""


SUMMARY_MONEY = ("total", "basic", "account")


def run_groups_live(run: PayrollRun) -> list[dict]:
    """The run's lines grouped by (status, kind, bank): one grouped query (a few dozen groups for
    60,000 lines). What services/run_summary.py keeps on the run."""
    return list(
        PayrollLine.objects.filter(run=run).order_by("status", "kind", "bank_name").values("status", "kind", "bank_name")
        .annotate(count=Count("pk"), total=Coalesce(Sum("amount"), ZERO), basic=Coalesce(Sum("basic_amount"), ZERO),
                  account=Coalesce(Sum("account_amount"), ZERO))
    )


def run_groups(run: PayrollRun) -> list[dict]:
    """The kept groups (money back to Decimal) when the run has them, else the live ones (a run
    made before they were kept)."""
    if run.summary_at is None:
        return run_groups_live(run)
    return [{**g, **{k: Decimal(g[k]) for k in SUMMARY_MONEY}} for g in run.summary_groups]


def run_summary(run: PayrollRun) -> dict:
    """Counts and totals of a run: overall, by status, by kind and by bank, added up here from the
    run's kept groups (no query)."""
    groups = run_groups(run)

    def add(rows, key=None):
        out: dict = {}
        for r in rows:
            slot = out.setdefault(r[key] if key else None, {"count": 0, "total": ZERO})
            slot["count"] += r["count"]
            slot["total"] += r["total"]
        return out

    by_status, by_kind = add(groups, "status"), add(groups, "kind")
    dead = set(PayrollLine.DEAD_STATUSES)
    by_bank = add((r for r in groups if r["status"] not in dead), "bank_name")
    return {
        "count": sum(r["count"] for r in groups),
        "total": sum((r["total"] for r in groups), ZERO),
        "basic": sum((r["basic"] for r in groups), ZERO),
        "account": sum((r["account"] for r in groups), ZERO),
        "by_status": [
            {"label": label, "count": by_status.get(value, {}).get("count", 0),
             "total": by_status.get(value, {}).get("total", ZERO)}
            for value, label in PayrollLine.Status.choices
        ],
        "by_kind": [
            {"label": label, "count": by_kind.get(value, {}).get("count", 0),
             "total": by_kind.get(value, {}).get("total", ZERO)}
            for value, label in PayrollLine.Kind.choices
        ],
        "by_bank": [{"bank_name": name, **v} for name, v in sorted(by_bank.items())],
    }


@dataclass(frozen=True)
class PayrollJob:
    job: JobRun
    month: str
    run_pk: int | None


def payroll_jobs(*, kinds: list[str], limit: int) -> list[PayrollJob]:
    """The latest payroll jobs (generate, export, close), each with the month and the run it
    concerns, so the list can link to the run. Two queries."""
    jobs = list(JobRun.objects.filter(kind__in=kinds).select_related("started_by")[:limit])
    run_ids, months = set(), set()
    for job in jobs:
        if isinstance(job.params.get("run"), int):
            run_ids.add(job.params["run"])
        try:
            months.add(periods.parse_month(str(job.params.get("month", ""))))
        except ValueError:
            pass
    runs = list(PayrollRun.objects.filter(Q(pk__in=run_ids) | Q(month__in=months))) if jobs else []
    by_pk = {r.pk: r for r in runs}
    by_month = {f"{r.month:%Y-%m}": r for r in runs}
    rows = []
    for job in jobs:
        run = by_pk.get(job.params.get("run")) or by_month.get(job.params.get("month"))
        rows.append(PayrollJob(job=job, month=f"{run.month:%Y-%m}" if run else str(job.params.get("month", "")),
                               run_pk=run.pk if run else None))
    return rows


def run_generators(run: PayrollRun, changes: list | None = None) -> set[int]:
    """Who generated (or completed) the run: none of them may review it (maker-checker).
    `changes`: the run's status changes when the caller has them already."""
    if changes is None:
        changes = run.status_changes.filter(to_status=PayrollRun.Status.GENERATED).only("to_status", "by_id")
    return {ch.by_id for ch in changes if ch.to_status == PayrollRun.Status.GENERATED and ch.by_id is not None}


@dataclass(frozen=True)
class RunActions:
    """What the payroll page may offer this user for this run (the services check the same)."""

    review: bool
    review_by_other: bool  # a reviewer who generated it: someone else must review
    export: bool
    export_running: bool
    close: bool


def run_actions(run: PayrollRun, user, *, changes: list, jobs: list, export_kind: str) -> RunActions:
    """The run's next moves (PayrollRun.MOVES) that `user` holds the permission for."""
    moves = PayrollRun.MOVES[run.status]
    may_review = PayrollRun.Status.REVIEWED in moves and user.has_perm("benefits.review_payroll")
    mine = user.pk in run_generators(run, changes)
    may_export = PayrollRun.Status.EXPORTED in moves
    running = may_export and any(j.kind == export_kind and not j.is_finished for j in jobs)
    return RunActions(
        review=may_review and not mine, review_by_other=may_review and mine,
        export=may_export and not running and user.has_perm("benefits.export_payroll"), export_running=running,
        close=PayrollRun.Status.CLOSED in moves and user.has_perm("benefits.close_payroll"),
    )


def run_jobs(run: PayrollRun, *, kinds: list[str]):
    """The recorded jobs (export, closing) of one run, newest first."""
    return JobRun.objects.filter(kind__in=kinds, params__run=run.pk).select_related("started_by")


def run_jobs_running(run: PayrollRun, *, kinds: list[str]) -> bool:
    return run_jobs(run, kinds=kinds).filter(status__in=[JobRun.Status.QUEUED, JobRun.Status.RUNNING]).exists()


def run_totals(run: PayrollRun) -> tuple[int, Decimal]:
    """Lines and their total, counted live (the generation's closing note and the review command)."""
    agg = PayrollLine.objects.filter(run=run).aggregate(count=Count("pk"), total=Coalesce(Sum("amount"), ZERO))
    return agg["count"], quantize(agg["total"])


HISTORY_SHOWN = 12  # the person page and the pension page show a year; the full list is paginated


def pension_lines(pension: Pension):
    """Every payroll line of a pension, newest month first."""
    return PayrollLine.objects.filter(pension=pension).select_related("run").order_by("-month", "-pk")


def pension_history(pension: Pension, limit: int = HISTORY_SHOWN) -> list[PayrollLine]:
    return list(pension_lines(pension)[:limit])


def pension_by_source(pension: Pension) -> list[dict]:
    return [
        {"source": s, "label": SOURCE_LABELS.get(s, s), "amount": Decimal(a)}
        for s, a in pension.balance_by_source.items()
    ]


def next_certification_due(pension: Pension, cycle_months: int) -> date:
    return rules.shift_months(pension.last_certified_on, cycle_months) if cycle_months else pension.last_certified_on


def person_benefits(*, person: Person, today: date, start: date | None = None) -> dict:
    """What the person page's 待遇 section shows: for a pensioner the pension and its payments; for
    anyone else the estimate at their benefit start month (or `start`)."""
    pension = Pension.objects.filter(person=person).select_related("claim").first()
    tables = pension_tables()
    if pension is not None:
        lines = pension_history(pension)
        paid = PayrollLine.objects.filter(pension=pension).aggregate(
            count=Count("pk"), drawn=Coalesce(Sum("drawn_amount", filter=Q(status=PayrollLine.Status.PAID)), ZERO)
        )
        return {
            "pension": pension,
            "by_source": pension_by_source(pension),
            "drawn": paid["drawn"],
            "lines": lines,
            "lines_total": paid["count"],
            "more_lines": paid["count"] > len(lines),
            "next_certification": next_certification_due(pension, tables.cycle_months),
            "basic_now": tables.basic(
                month=periods.month_start(today), years=pension.contribution_years,
                age=rules.age_at_month(person.birth_date, periods.month_start(today)),
            ).total,
        }
    chosen = start is not None
    if start is None:
        start = claim_start_month(person=person, today=today, tables=tables)
    claims = list(
        BenefitClaim.objects.filter(person=person).select_related("submitted_by", "decided_by").order_by("-pk")[:5]
    )
    calc = pension_calculation(person=person, start=start, tables=tables)
    # What claim_submit would accept, at the start month it would give (claim_refusals).
    can_claim = not chosen and not claim_refusals(claim_facts(person=person, today=today, tables=tables, calc=calc)[0],
                                                  today=today)
    return {"calc": calc, "claims": claims, "can_claim": can_claim}



# --- the bank files (read as tuples) ---------------------------------------------------------------


class BankRow(NamedTuple):
    """One exported line, read as a tuple (60,000 model instances cost more than the files)."""

    pk: int
    name: str
    id_number: str
    bank_name: str
    bank_account: str
    amount: Decimal
    month: date
    kind: str


def bank_rows(run: PayrollRun) -> list[BankRow]:
    """The lines the bank pays: pending, with an account and something to pay (a line fully taken by a
    recovery offset is not sent), by bank and line number; the payee (an heir) where there is one."""
    return [
        BankRow(pk, payee or name, payee_id or id_number, bank_name, account, amount, month, kind)
        for pk, name, id_number, payee, payee_id, bank_name, account, amount, month, kind in (
            PayrollLine.objects.filter(run=run, status=PayrollLine.Status.PENDING, amount__gt=0)
            .exclude(bank_account="").order_by("bank_name", "pk")
            .values_list("pk", "person__name", "person__id_number", "payee_name", "payee_id_number", "bank_name",
                         "bank_account", "amount", "month", "kind")
        )
    ]
