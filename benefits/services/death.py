"""Death (R11): a town agent or clerk records and submits it, a county clerk reviews it (the shared
review workflow, DEATH_FLOW; a returned report is corrected with death_update and resubmitted, or
withdrawn). Approval ends the pension and the insurance relationship (enrollment's service), cancels
the lines not yet sent to the bank for months after the death month, opens a recovery case for the
basic part paid after it, settles the death year's interim interest and freezes the heirs'
settlement, paid once as a one-off line of the next payroll when the heirs' details are in."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contributions.services import interest_settle
from enrollment.models import Person
from enrollment.rules import validate_id_number
from enrollment.services import person_status_set
from linggao_pension import periods
from linggao_pension.workflow import (
    RS,
    ReviewFlow,
    review_check_editable,
    review_mark_created,
    review_mark_edited,
    review_move,
)

from ..models import DeathReport, DelegatedPayee, HeirSettlement, PayrollLine, PayrollRun, Pension, Suspension
from .common import require, require_town
from .pensions import pension_stop
from .recovery import recovery_case_open
from .run_summary import runs_summary_keep
from .settlement import death_settlement
from .suspension import suspension_case_release

L = PayrollLine.Status
RECORD_PERM, REVIEW_PERM = "benefits.record_death", "benefits.review_death"
NO_TOWN_RETURN = "死亡登记录入即提交，没有镇初审退回：请修改后重新提交，或撤销"


def _check_fields(person, *, death_date: date, source: str) -> None:
    """The report's own fields, each refusal at its field."""
    errors = {}
    if source not in DeathReport.Source.values:
        errors["source"] = "请选择信息来源"
    if death_date > timezone.localdate():
        errors["death_date"] = "死亡日期不能晚于今天"
    elif death_date < person.birth_date:
        errors["death_date"] = "死亡日期不能早于出生日期"
    if errors:
        raise ValidationError(errors)


def _check_person(person) -> None:
    """A death is recorded for a pensioner still insured."""
    if not Pension.objects.filter(person=person).exists():
        raise ValidationError("该参保人没有养老金待遇；未领取待遇人员的死亡请办理注销登记")
    if person.status == Person.Status.TERMINATED:
        raise ValidationError("该参保人已终止参保")


@transaction.atomic
def death_record(*, person, death_date: date, source: str, by, note: str = "") -> DeathReport:
    """Record a death and submit it at once (录入, then 镇初审通过) for the county's review."""
    require(by, RECORD_PERM, "只有镇/农场经办员或县局经办员可以登记死亡")
    require_town(by, person.town_id)
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_fields(person, death_date=death_date, source=source)
    _check_person(person)
    if DeathReport.objects.filter(person=person).exclude(status=RS.CANCELLED).exists():
        raise ValidationError("该参保人已有死亡登记，不能重复登记")
    report = DeathReport(person=person, town_id=person.town_id, death_date=death_date, source=source,
                         note=note.strip()[:200], created_by=by)
    report._history_user, report._change_reason = by, "登记死亡"
    report.save()
    review_mark_created(report, by=by, opinion=f"登记死亡：{death_date}（{report.get_source_display()}）")
    return review_move(record=report, to=RS.TOWN_APPROVED, by=by, opinion=note.strip()[:200])


@transaction.atomic
def death_update(*, report: DeathReport, by, death_date: date, source: str, note: str = "") -> DeathReport:
    """Correct a returned report (death date, source, note); whoever edits it never approves it.
    The town then resubmits it (review_move to 镇初审通过) or withdraws it."""
    report = DeathReport.objects.select_for_update(of=("self",)).select_related("person").get(pk=report.pk)
    review_check_editable(report, by=by, flow=DEATH_FLOW)
    _check_fields(report.person, death_date=death_date, source=source)
    report.death_date, report.source, report.note = death_date, source, note.strip()[:200]
    report._history_user, report._change_reason = by, "修改死亡登记"
    report.save()
    review_mark_edited(report, by=by, opinion=f"修改：{death_date}（{report.get_source_display()}）")
    return report


def death_approve(*, report: DeathReport, by, opinion: str = "") -> HeirSettlement:
    """县复核通过: apply the death (see the module docstring). Approving twice is refused by the
    report's state and the settlement's one-per-person constraint: nothing is paid twice."""
    review_move(record=report, to=RS.COUNTY_APPROVED, by=by, opinion=opinion)
    return HeirSettlement.objects.get(death_id=report.pk)


def death_return(*, report: DeathReport, by, opinion: str) -> DeathReport:
    """县复核退回 (with the reason); the town corrects and resubmits it, or withdraws it."""
    return review_move(record=report, to=RS.COUNTY_RETURNED, by=by, opinion=opinion)


def death_cancel(*, report: DeathReport, by, opinion: str) -> DeathReport:
    """撤销 a returned report (e.g. recorded wrongly): frees the person for a new report."""
    return review_move(record=report, to=RS.CANCELLED, by=by, opinion=opinion)


def _before_move(report: DeathReport, to: str) -> None:
    """The death's own refusals: a resubmitted report still concerns an insured pensioner; the
    approval waits while a bank file with months after the death is at the bank."""
    if to == RS.TOWN_APPROVED:
        _check_person(report.person)
    if to != RS.COUNTY_APPROVED:
        return
    if HeirSettlement.objects.filter(person_id=report.person_id).exists():
        raise ValidationError("该参保人的继承结算已办理，不能重复办理")
    at_bank = PayrollLine.objects.filter(pension__person_id=report.person_id, status=L.PENDING,
                                         month__gt=periods.month_start(report.death_date),
                                         run__status=PayrollRun.Status.EXPORTED).select_related("run").first()
    if at_bank is not None:
        raise ValidationError(f"{at_bank.run}已导出银行文件、尚未回盘，含死亡次月以后的发放；请在回盘后复核本死亡登记")


def _death_apply(report: DeathReport, by) -> HeirSettlement:
    """县复核通过 (DEATH_FLOW.on_approve), after _before_move's refusals, in the approval's transaction."""
    person = Person.objects.select_for_update().get(pk=report.person_id)
    pension = Pension.objects.select_for_update().get(person=person)
    last = periods.month_start(report.death_date)
    to_cancel = PayrollLine.objects.filter(pension=pension, month__gt=last, status=L.PENDING)
    runs = set(to_cancel.values_list("run_id", flat=True))
    cancelled = to_cancel.update(status=L.CANCELLED, failure_reason=f"死亡（{report.death_date}）后月份，取消发放")
    runs_summary_keep(runs)
    figures = death_settlement(person=person, on=report.death_date)
    if figures.interest_year is not None:
        interest_settle(person=person, year=figures.interest_year, amount=figures.interim_interest,
                        settled_on=figures.interest_settled_on, by=by, reason="死亡")
    note = f"死亡（{report.death_date}），最后应发{periods.format_month(last)}"
    if pension.status == Pension.Status.ACTIVE:
        pension_stop(pension=pension, last_month=last, by=by, reason=note)
    # A suspension not back-paid already recovers the months it withheld: those after the death
    # month are the death's overpayment now (basic → its case, account → from the heirs), not twice.
    for suspension in Suspension.objects.filter(pension=pension, backpay=False):
        suspension_case_release(suspension, from_month=periods.add_months(last, 1), by=by,
                                reason=f"死亡（{report.death_date}）后月份计入死亡多发")
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


DEATH_FLOW = ReviewFlow(
    noun="死亡登记",
    no_town_return=NO_TOWN_RETURN,
    submit_perm=RECORD_PERM,
    review_perm=REVIEW_PERM,
    on_approve=_death_apply,
    before_move=_before_move,
    default_opinions={RS.TOWN_APPROVED: "登记死亡", RS.COUNTY_APPROVED: "县复核通过"},
    done={RS.TOWN_APPROVED: "已重新提交县局复核", RS.COUNTY_APPROVED: "复核通过：已停止发放、终止参保关系，并核算继承额",
          RS.COUNTY_RETURNED: "已退回镇/农场", RS.CANCELLED: "死亡登记已撤销"},
    select_related=("person",),
)
