"""Demo data for benefits: the residents aged 60 and over (about one in four) become pensioners,
a few recent 60th birthdays go through the real claim services, and the last three months'
payrolls are generated, reviewed, exported and closed through the real payroll services (a few
payments fail and are re-issued in the current month's run).

The pensioners are loaded like the go-live import (系统迁移): bulk inserts with history rows, the
ledger balance as the start balance. Each step skips what is already there, so seed_demo can be
run again. 100,000 residents (about 25,000 pensioners, 75,000 payroll lines) take well under a
minute on SQLite.
"""

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from contributions.models import AccountEntry, EntryKind, Source
from contributions.selectors import counted_years_by_person, lowest_grades
from contributions.services import account_post
from enrollment.models import Person
from linggao_pension import periods
from linggao_pension.demo_bulk import copy_objects, fast_session, history_insert_select, is_postgresql
from linggao_pension.money import ZERO, quantize
from linggao_pension.org.models import User

from . import rules, selectors, services
from .models import BenefitClaim, PayrollLine, PayrollRun, Pension, pension_places_fill

CHUNK = 20000
PAST_PAYROLLS = 3
FAILURE_REASONS = ["账户已销户", "户名与账号不符", "账户冻结"]


def seed(*, rng: random.Random, residents: int, stdout) -> dict:
    today = timezone.localdate()
    month = periods.month_start(today)
    first_pay = periods.add_months(month, -PAST_PAYROLLS)
    clerk = User.objects.filter(username="clerk").first()
    summary = {"pensioners": _pensioners(rng=rng, today=today, first_pay=first_pay, by=clerk)}
    summary["claims"] = _claims(rng=rng, today=today)
    summary["payrolls"] = _payrolls(rng=rng, first_pay=first_pay, month=month)
    lifecycle = _lifecycle(today=today)
    if lifecycle:
        summary["lifecycle"] = lifecycle
    stdout.write(
        f"待遇领取人员 {Pension.objects.count()} 人；待遇申领 {BenefitClaim.objects.count()} 件；"
        f"月度发放 {PayrollRun.objects.count()} 个月，明细 {PayrollLine.objects.count()} 条。\n"
    )
    return summary


def _pensioners(*, rng: random.Random, today, first_pay, by) -> int:
    """People past the benefit start month who still contribute become pensioners (系统迁移)."""
    tables = selectors.pension_tables()
    params = tables.params
    # Started receiving before the demo's first payroll month: born before (first_pay − 60 years − 1 month).
    latest_birth = periods.add_years(periods.add_months(first_pay, -1), -params.benefit_age)
    candidates = list(
        Person.objects.filter(status=Person.Status.CONTRIBUTING, birth_date__lt=latest_birth, pension__isnull=True)
        .order_by("pk")
    )
    created = 0
    for i in range(0, len(candidates), CHUNK):
        chunk = candidates[i : i + CHUNK]
        ids = [p.pk for p in chunk]
        balances: dict[int, dict[str, Decimal]] = defaultdict(dict)
        for row in (
            AccountEntry.objects.filter(person_id__in=ids).values("person_id", "source")
            .annotate(total=Sum("amount")).order_by()
        ):
            if row["total"]:
                balances[row["person_id"]][row["source"]] = quantize(row["total"])
        years = counted_years_by_person(person_ids=ids, before=today)
        pensions = []
        for person in chunk:
            start = rules.benefit_start_month(person.birth_date, params)
            by_source = balances.get(person.pk, {})
            total = sum(by_source.values(), ZERO)
            counted = years.get(person.pk, [])
            basic = tables.basic(month=first_pay, years=len(counted),
                                 age=rules.age_at_month(person.birth_date, first_pay))
            pensions.append(Pension(
                person=person, source=Pension.Source.IMPORTED, start_month=start, first_payroll_month=first_pay,
                required_years=rules.required_years(rules.age_at_scheme_start(person.birth_date, params), params),
                contribution_years=len(counted), first_contribution_year=counted[0] if counted else None,
                balance_on=today, balance_by_source={s: str(a) for s, a in by_source.items()},
                account_balance=total, account_divisor=params.account_divisor,
                account_pension=rules.account_pension(total, params.account_divisor),
                basic_central=basic.central, basic_provincial=basic.provincial, basic_county=basic.county,
                long_extra=basic.long_extra, age_extra=basic.age_extra, basic_pension=basic.total,
                last_certified_on=periods.add_months(today, -rng.randint(1, 11)),
                decided_by=by,
            ))
            person.status = Person.Status.RECEIVING
            person.status_changed_on = start
        pension_places_fill(pensions)  # COPY writes no default: the town and village from the person
        with transaction.atomic():
            if is_postgresql():
                _load_pensioners(pensions, chunk, by=by)
            else:
                bulk_create_with_history(pensions, Pension, batch_size=2000, default_user=by,
                                         default_change_reason="演示数据：原系统待遇领取人员")
                services.save_with_history(Person, chunk, ["status", "status_changed_on"], by=by,
                                           reason="演示数据：转为待遇领取")
        created += len(pensions)
    return created


def _load_pensioners(pensions: list[Pension], persons: list[Person], *, by) -> None:
    """PostgreSQL: COPY the pensions, one UPDATE of the persons' status and the history rows of
    both by INSERT ... SELECT (what bulk_create_with_history and save_with_history write, without a
    Python object per history row)."""
    fast_session()
    copy_objects(Pension, pensions)
    ids = [p.pk for p in persons]
    by_id = by.pk if by is not None else None
    history_insert_select(Pension, where="person_id = ANY(%s)", params=[ids], reason="演示数据：原系统待遇领取人员",
                          user_id=by_id)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Person._meta.db_table} AS p SET status = %s, status_changed_on = v.changed, updated_at = %s "
            "FROM unnest(%s::bigint[], %s::date[]) AS v(id, changed) WHERE p.id = v.id",
            [Person.Status.RECEIVING.value, timezone.now(), ids, [p.status_changed_on for p in persons]],
        )
    history_insert_select(Person, where="id = ANY(%s)", params=[ids], reason="演示数据：转为待遇领取",
                          history_type="~", user_id=by_id)  # fmt: skip


def _claims(*, rng: random.Random, today) -> int:
    """Recent 60th birthdays in the demo agents' towns go through claim_submit / claim_determine.

    The demo ledger starts in 2014, so people reaching 60 now are short of years: they back-pay the
    missing years (補缴, §2.8) in their birthday month, before the start month, then claim."""
    if BenefitClaim.objects.exists():
        return 0
    clerk = User.objects.filter(username="clerk").first()
    agents = {u.town_id: u for u in User.objects.filter(groups__name="镇/农场经办员", town__isnull=False)}
    if clerk is None or not agents:
        return 0
    tables = selectors.pension_tables()
    month = periods.month_start(today)
    lowest = lowest_grades()
    made = 0
    for months_back in (0, 1, 2):
        reaching = periods.add_months(month, -1 - months_back)
        persons = list(
            Person.objects.filter(status=Person.Status.CONTRIBUTING, town_id__in=agents)
            .filter(selectors.due_month_q(reaching, tables.params.benefit_age)).order_by("pk")[:8]
        )
        for person in persons:
            agent = agents[person.town_id]
            start = rules.benefit_start_month(person.birth_date, tables.params)
            calc = selectors.pension_calculation(person=person, start=start, tables=tables)
            if calc.may_backpay and rng.random() < 0.8:
                for year in calc.backpay_open[: calc.shortfall]:
                    account_post(person=person, source=Source.PERSONAL, kind=EntryKind.CREDIT,
                                 amount=lowest.get(year, Decimal("100.00")), entry_date=reaching.replace(day=5),
                                 by=agent, year=year, memo=f"补缴{year}年度（演示数据）")
            try:
                claim = services.claim_submit(person=person, by=agent, opinion="材料齐全，初审通过")
            except ValidationError:
                continue  # still short of years: stays on the 到龄名单
            made += 1
            if months_back and rng.random() < 0.7:
                services.claim_determine(claim=claim, by=clerk, opinion="核定通过")
    return made


def _payrolls(*, rng: random.Random, first_pay, month) -> int:
    """The last months' payrolls, each through generate → review → export → close."""
    finance = User.objects.filter(username="finance").first()
    finance2 = User.objects.filter(username="finance2").first()
    if finance is None or finance2 is None:
        return 0
    done = 0
    for pay_month in periods.iter_months(first_pay, periods.add_months(month, -1)):
        run = PayrollRun.objects.filter(month=pay_month).first()
        if run is not None and run.status == PayrollRun.Status.CLOSED:
            continue
        if run is None or run.status == PayrollRun.Status.GENERATED:
            services.payroll_generate(month=pay_month, by=finance)
            run = PayrollRun.objects.get(month=pay_month)
            services.payroll_review(run=run, by=finance2, note="演示数据：复核通过")
        run.refresh_from_db()
        if run.status == PayrollRun.Status.REVIEWED:
            services.payroll_export(run=run, by=finance)
        outcomes = {
            pk: (rng.choice(FAILURE_REASONS) if rng.random() < 0.003 else None)
            for pk in run.lines.filter(status=PayrollLine.Status.PENDING).exclude(bank_account="")
            .values_list("pk", flat=True)
        }
        services.payroll_apply_return(run=run, outcomes=outcomes, by=finance, paid_on=pay_month.replace(day=15))
        done += 1
    return done


def _lifecycle(*, today) -> dict:
    """In 临城镇: someone overdue for certification, a death waiting for the county's review, a
    recovery case ordered to repay, and a 原辞退民办教师 programme with a payee. Skipped when present."""
    from .models import DeathReport, DelegatedPayee, DelegatedProgramme, RecoveryCase
    from .services.death import death_record
    from .services.recovery import recovery_case_open, recovery_notify, recovery_verify

    agent = User.objects.filter(username="agent_lc").first()
    auditor = User.objects.filter(username="auditor").first()
    clerk = User.objects.filter(username="clerk").first()
    if agent is None or auditor is None or clerk is None or DeathReport.objects.exists():
        return {}
    pensions = list(Pension.objects.filter(person__town_id=agent.town_id, status=Pension.Status.ACTIVE,
                                           person__status=Person.Status.RECEIVING).select_related("person")[:4])
    if len(pensions) < 4:
        return {}
    overdue, died, repay, teacher = pensions
    Pension.objects.filter(pk=overdue.pk).update(last_certified_on=periods.add_years(today, -1) - timedelta(days=20))
    try:
        death_record(person=died.person, death_date=today - timedelta(days=40), source="family", by=agent,
                     note="演示数据：家属报告")
        case = recovery_case_open(person=repay.person, pension=repay, source="report", amount=Decimal("582.00"),
                                  by=auditor, reason="演示数据：举报冒领两个月基础养老金", months=[today])
        case = recovery_verify(case=case, by=auditor)
        recovery_notify(case=case, by=auditor, repay_by=today + timedelta(days=30))
    except ValidationError:
        return {}
    programme, _ = DelegatedProgramme.objects.get_or_create(
        code="DF0009", defaults={"name": "原辞退民办教师生活补助", "rule": DelegatedProgramme.Rule.PER_YEAR,
                                 "amount": Decimal("10.00"), "note": "演示数据：每满一年教龄每月10元"})
    DelegatedPayee.objects.get_or_create(
        programme=programme, person=teacher.person,
        defaults={"service_years": 12, "monthly_amount": Decimal("120.00"), "start_month": periods.month_start(today),
                  "created_by": clerk})
    return {"deaths": 1, "recovery_cases": RecoveryCase.objects.count(), "delegated": 1}
