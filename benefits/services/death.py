"""Death (R11): a town agent or clerk records it, a county clerk reviews it. Approval ends the pension
and the insurance relationship (enrollment's service), cancels the lines not yet sent to the bank for
months after the death month, opens a recovery case for the basic part paid after it, settles the
death year's interim interest and freezes the heirs' settlement, paid once as a one-off line of the
next payroll when the heirs' details are in."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contributions.services import interest_settle
from enrollment.models import Person
from enrollment.rules import validate_id_number
from enrollment.services import person_status_set
from linggao_pension import periods

from ..models import DeathReport, DelegatedPayee, HeirSettlement, PayrollLine, PayrollRun, Pension, Suspension
from .common import require, require_town
from .pensions import pension_stop
from .recovery import recovery_case_open
from .review import county_check, review_first_steps, review_step
from .settlement import death_settlement

RS = DeathReport.Status
L = PayrollLine.Status
NOUN = "死亡登记"


@transaction.atomic
def death_record(*, person, death_date: date, source: str, by, note: str = "") -> DeathReport:
    """Record a death (镇初审通过: recorded and submitted for the county's review)."""
    require(by, "benefits.record_death", "只有镇/农场经办员或县局经办员可以登记死亡")
    require_town(by, person.town_id)
    person = Person.objects.select_for_update().get(pk=person.pk)
    today = timezone.localdate()
    if source not in DeathReport.Source.values:
        raise ValidationError({"source": "请选择信息来源"})
    if death_date > today:
        raise ValidationError({"death_date": "死亡日期不能晚于今天"})
    if death_date < person.birth_date:
        raise ValidationError({"death_date": "死亡日期不能早于出生日期"})
    if not Pension.objects.filter(person=person).exists():
        raise ValidationError("该参保人没有养老金待遇；未领取待遇人员的死亡请办理注销登记")
    if person.status == Person.Status.TERMINATED:
        raise ValidationError("该参保人已终止参保")
    if DeathReport.objects.filter(person=person).exclude(status=RS.CANCELLED).exists():
        raise ValidationError("该参保人已有死亡登记，不能重复登记")
    report = DeathReport(person=person, town_id=person.town_id, death_date=death_date, source=source,
                         note=note[:200], created_by=by, status="")
    review_step(report, RS.TOWN_APPROVED, by=by, opinion=note or "登记死亡")
    report._history_user, report._change_reason = by, "登记死亡"
    report.save()
    review_first_steps(report, by=by, opinion=f"登记死亡：{death_date}（{report.get_source_display()}）")
    return report


@transaction.atomic
def death_return(*, report: DeathReport, by, opinion: str) -> DeathReport:
    """县复核退回 (with the reason); the town corrects and records it again or withdraws it."""
    report = DeathReport.objects.select_for_update().get(pk=report.pk)
    county_check(report, by=by, perm="benefits.review_death", noun=NOUN)
    if not (opinion or "").strip():
        raise ValidationError({"opinion": "退回必须填写意见"})
    review_step(report, RS.COUNTY_RETURNED, by=by, opinion=opinion)
    report._history_user, report._change_reason = by, "县复核退回"
    report.save()
    return report


@transaction.atomic
def death_cancel(*, report: DeathReport, by, opinion: str) -> DeathReport:
    """撤销 a returned report (e.g. recorded wrongly): frees the person for a new report."""
    require(by, "benefits.record_death", "只有镇/农场经办员或县局经办员可以撤销死亡登记")
    report = DeathReport.objects.select_for_update().get(pk=report.pk)
    require_town(by, report.town_id)
    if not (opinion or "").strip():
        raise ValidationError({"opinion": "撤销必须填写原因"})
    review_step(report, RS.CANCELLED, by=by, opinion=opinion)
    report._history_user, report._change_reason = by, "撤销"
    report.save()
    return report


@transaction.atomic
def death_approve(*, report: DeathReport, by, opinion: str = "") -> HeirSettlement:
    """县复核通过: apply the death (see the module docstring). Approving twice is refused by the
    report's state and the settlement's one-per-person constraint: nothing is paid twice."""
    report = DeathReport.objects.select_for_update().select_related("person").get(pk=report.pk)
    county_check(report, by=by, perm="benefits.review_death", noun=NOUN)
    settlement = _death_apply(report, by=by)
    review_step(report, RS.COUNTY_APPROVED, by=by, opinion=opinion or "县复核通过")
    report._history_user, report._change_reason = by, "县复核通过"
    report.save()
    return settlement


def _death_apply(report: DeathReport, *, by) -> HeirSettlement:
    person = Person.objects.select_for_update().get(pk=report.person_id)
    pension = Pension.objects.select_for_update().get(person=person)
    last = periods.month_start(report.death_date)
    if HeirSettlement.objects.filter(person=person).exists():
        raise ValidationError("该参保人的继承结算已办理，不能重复办理")
    at_bank = PayrollLine.objects.filter(pension=pension, month__gt=last, status=L.PENDING,
                                         run__status=PayrollRun.Status.EXPORTED)
    if at_bank.exists():
        run = at_bank.first().run
        raise ValidationError(f"{run}已导出银行文件、尚未回盘，含死亡次月以后的发放；请在回盘后复核本死亡登记")
    cancelled = PayrollLine.objects.filter(pension=pension, month__gt=last, status=L.PENDING).update(
        status=L.CANCELLED, failure_reason=f"死亡（{report.death_date}）后月份，取消发放"
    )
    figures = death_settlement(person=person, on=report.death_date)
    if figures.interest_year is not None:
        interest_settle(person=person, year=figures.interest_year, amount=figures.interim_interest,
                        settled_on=figures.interest_settled_on, by=by, reason="死亡")
    note = f"死亡（{report.death_date}），最后应发{periods.format_month(last)}"
    if pension.status == Pension.Status.ACTIVE:
        pension_stop(pension=pension, last_month=last, by=by, reason=note)
    Suspension.objects.filter(pension=pension, end_month__isnull=True).update(
        end_month=max(periods.add_months(last, 1), pension.start_month), backpay=False, ended_by=by,
        ended_at=timezone.now(), end_note="死亡，终止发放",
    )
    for payee in DelegatedPayee.objects.filter(person=person).exclude(status=DelegatedPayee.Status.TERMINATED):
        payee.status, payee.last_month, payee.status_note = DelegatedPayee.Status.TERMINATED, last, note
        payee._history_user, payee._change_reason = by, "死亡，终止代发"
        payee.save(update_fields=["status", "last_month", "status_note"])
    person_status_set(person=person, status=Person.Status.TERMINATED, on=report.death_date, by=by,
                         reason="1401", note=f"{note}；取消未发放明细 {cancelled} 条")
    case = None
    if figures.to_recover > 0:
        case = recovery_case_open(
            person=person, source="death", amount=figures.to_recover, by=by, pension=pension,
            months=figures.overpaid_months, reason=f"死亡后多发基础养老金（{len(figures.overpaid_months)} 个月）",
            detail=f"死亡日期 {report.death_date}；多发月份 "
                   + "、".join(f"{m:%Y-%m}" for m in figures.overpaid_months),
        )
    settlement = HeirSettlement(
        death=report, person=person, pension=pension, last_payable_month=last,
        overpaid_months=[f"{m:%Y-%m}" for m in figures.overpaid_months], overpaid_basic=figures.overpaid_basic,
        overpaid_account=figures.overpaid_account, balance=figures.balance,
        by_source={s: str(a) for s, a in figures.by_source.items()}, interim_interest=figures.interim_interest,
        funeral_subsidy=figures.funeral_subsidy, payable=figures.payable, to_recover=figures.to_recover,
        recovery_case=case, created_by=by,
    )
    settlement._history_user, settlement._change_reason = by, "死亡复核通过，核算继承额"
    settlement.save()
    return settlement


@transaction.atomic
def settlement_heirs_set(*, settlement: HeirSettlement, by, heir_name: str, heir_id_number: str, heir_relation: str,
                         heir_bank_name: str, heir_bank_account: str) -> HeirSettlement:
    """继承人信息: name, ID, relation and bank account; the settlement then waits for the next payroll."""
    require(by, "benefits.record_death", "只有镇/农场经办员或县局经办员可以登记继承人")
    settlement = HeirSettlement.objects.select_for_update().select_related("person").get(pk=settlement.pk)
    require_town(by, settlement.person.town_id)
    if settlement.status not in (HeirSettlement.Status.AWAITING_HEIRS, HeirSettlement.Status.READY):
        raise ValidationError(f"继承结算当前状态为“{settlement.get_status_display()}”，不能修改继承人")
    errors = {}
    try:
        heir_id_number = validate_id_number(heir_id_number, today=timezone.localdate())
    except ValueError as exc:
        errors["heir_id_number"] = str(exc)
    account = (heir_bank_account or "").replace(" ", "")
    if not account.isdigit() or not 8 <= len(account) <= 32:
        errors["heir_bank_account"] = "银行账号应为 8 至 32 位数字"
    for field_name, value, label in (("heir_name", heir_name, "继承人姓名"), ("heir_relation", heir_relation, "与死者关系"),
                                     ("heir_bank_name", heir_bank_name, "开户银行")):
        if not (value or "").strip():
            errors[field_name] = f"请填写{label}"
    if heir_id_number == settlement.person.id_number:
        errors["heir_id_number"] = "继承人不能是死者本人"
    if errors:
        raise ValidationError(errors)
    settlement.heir_name, settlement.heir_id_number = heir_name.strip()[:30], heir_id_number
    settlement.heir_relation, settlement.heir_bank_name = heir_relation.strip()[:20], heir_bank_name.strip()[:40]
    settlement.heir_bank_account = account
    settlement.status = HeirSettlement.Status.READY
    settlement._history_user, settlement._change_reason = by, "登记继承人信息"
    settlement.save()
    return settlement
