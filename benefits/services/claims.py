"""Benefit claims (待遇申领): submission with the town's preliminary review, the county's return or
determination (R7, R8: the pension frozen at the start month), and the person's move to 待遇领取."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contributions.selectors import interest_year_end_posted
from contributions.services import interest_settle, interest_settle_after_year_end
from enrollment.models import Person
from enrollment.services import person_status_set
from linggao_pension import periods
from linggao_pension.org.access import require_town

from .. import selectors
from ..models import BenefitClaim, Pension
from .common import claim_move, require
from .other_pension import other_pension_refusal

C = BenefitClaim.Status


def _require_claim_in_scope(claim: BenefitClaim, by) -> None:
    """The actor's town (linggao_pension.org.access): another town's claim is a 404 for them."""
    require_town(by, Person.objects.values_list("town_id", flat=True).get(pk=claim.person_id))


def _to_receiving(*, person: Person, on_date: date, by, note: str) -> None:
    """R3: only a contributor becomes a beneficiary; a suspended contributor (eligible under R7) is
    first resumed, both steps through the registry's state machine."""
    if person.status == Person.Status.CONTRIB_SUSPENDED:
        person_status_set(person=person, status=Person.Status.CONTRIBUTING, on=on_date, by=by,
                          note=f"{note}：恢复缴费状态以转为待遇领取")
    person_status_set(person=person, status=Person.Status.RECEIVING, on=on_date, by=by, note=note)


@transaction.atomic
def claim_submit(*, person: Person, by, opinion: str = "") -> BenefitClaim:
    """A town agent submits the claim with the preliminary review (申请 → 镇初审通过). Accepted
    exactly when selectors.claim_refusals has nothing to say (the pages ask the same rule)."""
    require(by, "benefits.submit_claim", "只有镇/农场经办员可以提交待遇申领")
    person = Person.objects.select_for_update().get(pk=person.pk)
    require_town(by, person.town_id)
    today = timezone.localdate()
    facts, calc = selectors.claim_facts(person=person, today=today)
    refusals = selectors.claim_refusals(facts, today=today)
    other = other_pension_refusal(person)
    if refusals or other:
        raise ValidationError([*refusals, other] if other else refusals)
    start = calc.start
    claim = BenefitClaim.objects.create(
        person=person, start_month=start, submitted_by=by, town_opinion=opinion[:200], status=C.SUBMITTED
    )
    claim.status = ""
    claim_move(claim, C.SUBMITTED, by=by, opinion="提交待遇申领")
    claim_move(claim, C.TOWN_REVIEWED, by=by, opinion=opinion or "镇初审通过")
    claim.save(update_fields=["status"])
    return claim


@transaction.atomic
def claim_return(*, claim: BenefitClaim, by, reason: str) -> BenefitClaim:
    """县局退回 (with the reason); the town may submit a new claim."""
    require(by, "benefits.determine_claim", "只有县局经办员可以退回待遇申领")
    _require_claim_in_scope(claim, by)
    if not reason.strip():
        raise ValidationError({"reason": "退回必须填写原因"})
    claim = BenefitClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.submitted_by_id == by.pk:
        raise ValidationError("申报人不能审核自己提交的待遇申领")
    claim_move(claim, C.RETURNED, by=by, opinion=reason)
    claim.decided_by, claim.decided_at, claim.county_opinion = by, timezone.now(), reason[:200]
    claim.save(update_fields=["status", "decided_by", "decided_at", "county_opinion"])
    return claim


@transaction.atomic
def claim_determine(*, claim: BenefitClaim, by, opinion: str = "") -> Pension:
    """县核定: compute at the start month S and freeze the pension (R7, R8); the person becomes 待遇领取.

    The interest of the start year is settled here for the months before S (R6, binding default
    "interim interest"): contributions.services.interest_settle records the settlement, also when the
    interim interest is 0.00 (a January start, an empty account), and books a non-zero amount to the
    利息 sub-ledger dated S (so the snapshot at S stays what was frozen); the year-end posting then
    credits nothing more for that year. When the start year's year-end interest is already posted (a
    start in an earlier year determined after its year end), interest_settle_after_year_end brings the
    posted whole year's interest down to the same interim interest (and recomputes any later year
    posted since), so the account and the frozen balance agree whichever order the two happen in."""
    require(by, "benefits.determine_claim", "只有县局经办员可以核定待遇")
    _require_claim_in_scope(claim, by)
    claim = BenefitClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.submitted_by_id == by.pk:
        raise ValidationError("申报人不能核定自己提交的待遇申领")
    if claim.status != C.TOWN_REVIEWED:
        raise ValidationError(f"待遇申领当前状态为“{claim.get_status_display()}”，不能核定")
    start = claim.start_month
    today = timezone.localdate()
    too_early = selectors.claim_not_yet_determinable(claim, today)
    if too_early:
        raise ValidationError(too_early)
    person = Person.objects.select_for_update().get(pk=claim.person_id)
    other = other_pension_refusal(person)
    if other:
        raise ValidationError(other)
    calc = selectors.pension_calculation(person=person, start=start)
    if not calc.eligible:
        raise ValidationError(calc.reasons)
    snapshot = calc.snapshot
    pension = Pension(
        person=person, claim=claim, source=Pension.Source.DETERMINED, start_month=start, first_payroll_month=start,
        required_years=calc.required_years, contribution_years=calc.contribution_years,
        first_contribution_year=calc.first_contribution_year, balance_on=start,
        balance_by_source={s: str(a) for s, a in snapshot.by_source_with_interim.items()},
        opening_balance=snapshot.opening_balance, interest_rate=snapshot.rate,
        interim_interest=snapshot.interim_interest, account_balance=snapshot.total, account_divisor=calc.divisor,
        account_pension=calc.account_pension, basic_central=calc.basic.central,
        basic_provincial=calc.basic.provincial, basic_county=calc.basic.county, long_extra=calc.basic.long_extra,
        age_extra=calc.basic.age_extra, basic_pension=calc.basic_pension, last_certified_on=today, decided_by=by,
    )
    pension._history_user = by
    pension._change_reason = "待遇核定"
    pension.save()
    settle = interest_settle_after_year_end if interest_year_end_posted(person=person, year=start.year) else interest_settle
    settle(person=person, year=start.year, amount=snapshot.interim_interest, settled_on=start, by=by, reason="待遇开始")
    _to_receiving(person=person, on_date=start, by=by,
                  note=f"待遇核定：自{periods.format_month(start)}起领取，月养老金{calc.monthly_pension}元")
    claim_move(claim, C.DETERMINED, by=by, opinion=opinion or "县核定通过")
    claim.decided_by, claim.decided_at, claim.county_opinion = by, timezone.now(), opinion[:200]
    claim.save(update_fields=["status", "decided_by", "decided_at", "county_opinion"])
    return pension

