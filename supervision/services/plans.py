"""The yearly plan and the on-site inspection procedure (现场监督, 五(1)).

计划（监督方案）→ 已通知: the notice goes to the unit at least 5 days before the start (an earlier
start is refused) → 实施中 → 报告已送达 (the unit answers within 10 days) → 意见反馈 (its written
opinion, or 逾期视同无异议 recorded once by the daily job) → 整改中 → 已结案.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from linggao_pension.org.models import Town, Village

from ..models import (
    SCOPE_CODES,
    Inspection,
    InspectionStep,
    PlanItem,
    Rectification,
    SupervisionPlan,
)
from .common import MANAGE, RESPOND, check_move, next_number, require_perm, require_town, required_text

I = Inspection.Status  # noqa: E741
SPECIAL_PER_YEAR = (3, 5)  # 每年定期组织3-5次全县范围内的参保人员信息专项检查


def _move(inspection: Inspection, to_status: str, *, by, note: str = "") -> None:
    """The one way an inspection changes state: checked against TRANSITIONS and recorded."""
    check_move(inspection, to_status, f"现场监督 {inspection.number} ")
    InspectionStep.objects.create(inspection=inspection, from_status=inspection.status, to_status=to_status,
                                  by=by, note=note)  # fmt: skip
    inspection.status = to_status


def _lock(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().get(pk=inspection.pk)


def _clean_scope(scope) -> list[str]:
    codes = sorted({str(c) for c in (scope or [])})
    if not codes:
        raise ValidationError({"scope": "请至少选择一项监督内容"})
    if any(c not in SCOPE_CODES for c in codes):
        raise ValidationError({"scope": "监督内容只能是二（1）-（4）"})
    return codes


def _check_dates(start: date, end: date, year: int | None = None) -> None:
    if end < start:
        raise ValidationError({"end": "结束日期不能早于开始日期"})
    if year is not None and start.year != year:
        raise ValidationError({"start": f"开始日期应在计划年度 {year} 年内"})


# --- the plan ------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, year: int, title: str, goals: str = "", by) -> SupervisionPlan:
    require_perm(by, MANAGE, "只有稽核股可以编制年度监督计划")
    if SupervisionPlan.objects.filter(year=year).exists():
        raise ValidationError({"year": f"{year} 年度监督计划已存在"})
    title = required_text(title, "title", "请填写计划名称")
    return SupervisionPlan.objects.create(year=year, title=title, goals=goals, created_by=by)


def plan_warnings(*, plan: SupervisionPlan) -> list[str]:
    """The seed asks for 3 to 5 county-wide special inspections a year: say so outside that range."""
    low, high = SPECIAL_PER_YEAR
    count = plan.items.filter(kind=PlanItem.Kind.SPECIAL).count()
    if count < low:
        return [f"{plan.year} 年度计划只有 {count} 次全县专项检查，制度要求每年定期组织 {low}-{high} 次"]
    if count > high:
        return [f"{plan.year} 年度计划有 {count} 次全县专项检查，超过制度规定的每年 {low}-{high} 次"]
    return []


@transaction.atomic
def plan_item_add(*, plan: SupervisionPlan, kind: str, title: str, objects_text: str, scope, team_leader: str,
                  team_members: str = "", start: date, end: date, towns, village: Village | None = None,
                  by) -> PlanItem:
    """A special inspection (one inspection per town or farm covered) or a spot check of the units
    chosen; each inspection starts in 计划 with the item's scope, team and dates."""
    require_perm(by, MANAGE, "只有稽核股可以编制年度监督计划")
    if kind not in PlanItem.Kind.values:
        raise ValidationError({"kind": "请选择检查类型"})
    scope = _clean_scope(scope)
    _check_dates(start, end, plan.year)
    towns = list(towns)
    if village is not None:
        towns = [village.town]
    if not towns:
        raise ValidationError({"towns": "请选择被检查的镇/农场"})
    item = PlanItem.objects.create(
        plan=plan, kind=kind, title=required_text(title, "title", "请填写检查项目"),
        objects_text=required_text(objects_text, "objects_text", "请填写检查对象"), scope=scope,
        team_leader=required_text(team_leader, "team_leader", "请填写检查组组长"), team_members=team_members,
        start=start, end=end, created_by=by,
    )  # fmt: skip
    for town in towns:
        _inspection_new(
            kind=kind, title=title, town=town, village=village, scope=scope, team_leader=team_leader,
            team_members=team_members, start=start, end=end, by=by, plan_item=item,
        )  # fmt: skip
    return item


def _inspection_new(*, kind, title, town: Town, village, scope, team_leader, team_members, start, end, by,
                    plan_item=None, programme: str = "", **sources) -> Inspection:
    inspection = Inspection.objects.create(
        number=next_number("监", start.year), plan_item=plan_item, year=start.year, kind=kind, title=title,
        town=town, village=village, scope=scope, team_leader=team_leader, team_members=team_members,
        planned_start=start, planned_end=end, programme=programme, created_by=by, **sources,
    )  # fmt: skip
    InspectionStep.objects.create(inspection=inspection, from_status="", to_status=I.PLANNED, by=by, note="列入计划")
    return inspection


@transaction.atomic
def inspection_create(*, kind: str, title: str, town: Town, scope, team_leader: str, start: date, end: date, by,
                      village: Village | None = None, team_members: str = "", programme: str = "",
                      source_request=None, source_report=None) -> Inspection:
    """An inspection outside the plan's items: from a 举报 or an off-site escalation (三(2)③)."""
    require_perm(by, MANAGE, "只有稽核股可以安排现场监督")
    if village is not None and village.town_id != town.pk:
        raise ValidationError({"village": "村（居）委会不属于所选镇/农场"})
    _check_dates(start, end)
    return _inspection_new(
        kind=kind, title=required_text(title, "title", "请填写监督项目"), town=town, village=village,
        scope=_clean_scope(scope), team_leader=required_text(team_leader, "team_leader", "请填写检查组组长"),
        team_members=team_members, start=start, end=end, by=by, programme=programme,
        source_request=source_request, source_report=source_report,
    )  # fmt: skip


@transaction.atomic
def inspection_programme_save(*, inspection: Inspection, programme: str, start: date, end: date, by) -> Inspection:
    """监督方案 and dates, while the inspection is still being planned (before the notice)."""
    require_perm(by, MANAGE, "只有稽核股可以制定监督方案")
    inspection = _lock(inspection)
    if inspection.status != I.PLANNED:
        raise ValidationError("已通知被监督单位后不能再修改监督方案和日期")
    _check_dates(start, end)
    inspection.programme = required_text(programme, "programme", "请填写监督方案")
    inspection.planned_start, inspection.planned_end = start, end
    inspection.save(update_fields=["programme", "planned_start", "planned_end"])
    return inspection


# --- the procedure -------------------------------------------------------------------------------


@transaction.atomic
def inspection_notify(*, inspection: Inspection, on: date, text: str, by) -> Inspection:
    """五(1)①: the notice to the unit, at least 5 days before the inspection starts."""
    require_perm(by, MANAGE, "只有稽核股可以发出监督通知")
    inspection = _lock(inspection)
    check_move(inspection, I.NOTIFIED, f"现场监督 {inspection.number} ")
    if not inspection.programme.strip():
        raise ValidationError("请先制定监督方案，再通知被监督单位")
    days = (inspection.planned_start - on).days
    if days < Inspection.NOTICE_DAYS:
        raise ValidationError({"on": (
            f"通知日期 {on:%Y-%m-%d} 距实施开始日期 {inspection.planned_start:%Y-%m-%d} 只有 {days} 日："
            f"应在实施监督{Inspection.NOTICE_DAYS}日前通知被监督单位，请推迟开始日期或提前通知"
        )})  # fmt: skip
    inspection.notified_on = on
    inspection.notice_text = required_text(text, "text", "请填写通知内容")
    _move(inspection, I.NOTIFIED, by=by, note=f"{on:%Y-%m-%d} 通知被监督单位")
    inspection.save(update_fields=["notified_on", "notice_text", "status"])
    return inspection


@transaction.atomic
def inspection_acknowledge(*, inspection: Inspection, by) -> Inspection:
    """The unit signs for the notice (签收)."""
    require_perm(by, RESPOND, "只有被监督单位的经办人可以签收通知")
    require_town(by, inspection.town_id)
    inspection = _lock(inspection)
    if inspection.status not in (I.NOTIFIED, I.IN_PROGRESS) or inspection.notice_acknowledged_at:
        raise ValidationError("该通知不需要签收或已签收")
    inspection.notice_acknowledged_by, inspection.notice_acknowledged_at = by, timezone.now()
    inspection.save(update_fields=["notice_acknowledged_by", "notice_acknowledged_at"])
    return inspection


@transaction.atomic
def inspection_start(*, inspection: Inspection, on: date, by) -> Inspection:
    """实施: not before the date announced in the notice (which is at least 5 days after it)."""
    require_perm(by, MANAGE, "只有稽核股可以实施现场监督")
    inspection = _lock(inspection)
    check_move(inspection, I.IN_PROGRESS, f"现场监督 {inspection.number} ")
    earliest = max(inspection.planned_start, inspection.notified_on + timedelta(days=Inspection.NOTICE_DAYS))
    if on < earliest:
        raise ValidationError({"on": (
            f"实施日期 {on:%Y-%m-%d} 早于通知的开始日期 {earliest:%Y-%m-%d}："
            f"须在通知被监督单位{Inspection.NOTICE_DAYS}日后方可实施"
        )})  # fmt: skip
    inspection.started_on = on
    _move(inspection, I.IN_PROGRESS, by=by, note=f"{on:%Y-%m-%d} 开始实施")
    inspection.save(update_fields=["started_on", "status"])
    return inspection


@transaction.atomic
def inspection_send_report(*, inspection: Inspection, text: str, on: date, by) -> Inspection:
    """五(1)③: the report goes to the unit for its opinion, due within 10 days."""
    require_perm(by, MANAGE, "只有稽核股可以出具监督报告")
    inspection = _lock(inspection)
    check_move(inspection, I.REPORT_SENT, f"现场监督 {inspection.number} ")
    if inspection.started_on and on < inspection.started_on:
        raise ValidationError({"on": "报告送达日期不能早于实施日期"})
    inspection.report_text = required_text(text, "text", "请填写监督报告")
    inspection.report_sent_on = on
    inspection.opinion_due = on + timedelta(days=Inspection.OPINION_DAYS)
    _move(inspection, I.REPORT_SENT, by=by, note=f"{on:%Y-%m-%d} 送达，书面意见截止 {inspection.opinion_due:%Y-%m-%d}")
    inspection.save(update_fields=["report_text", "report_sent_on", "opinion_due", "status"])
    return inspection


@transaction.atomic
def inspection_opinion_submit(*, inspection: Inspection, text: str, by, today: date | None = None) -> Inspection:
    """The unit's written opinion, within 10 days of receiving the report."""
    require_perm(by, RESPOND, "只有被监督单位的经办人可以提交书面意见")
    require_town(by, inspection.town_id)
    today = today or timezone.localdate()
    inspection = _lock(inspection)
    check_move(inspection, I.OPINION, f"现场监督 {inspection.number} ")
    if today > inspection.opinion_due:
        raise ValidationError(f"已超过书面意见期限（{inspection.opinion_due:%Y-%m-%d}），逾期未提出书面意见的视同无异议")
    inspection.opinion_text = required_text(text, "text", "请填写书面意见")
    inspection.opinion_kind = Inspection.OpinionKind.WRITTEN
    inspection.opinion_by, inspection.opinion_at = by, timezone.now()
    _move(inspection, I.OPINION, by=by, note="被监督单位提出书面意见")
    inspection.save(update_fields=["opinion_text", "opinion_kind", "opinion_by", "opinion_at", "status"])
    return inspection


def inspection_deem_agreed(*, inspection_id: int, today: date, by=None) -> bool:
    """逾期视同无异议, once: only an inspection still waiting past its due date moves (a conditional
    update under a row lock), so two runs of the daily job record it once."""
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().filter(
            pk=inspection_id, status=I.REPORT_SENT, opinion_due__lt=today
        ).first()
        if inspection is None:
            return False
        inspection.opinion_kind = Inspection.OpinionKind.DEEMED
        inspection.opinion_text = "逾期视同无异议"
        inspection.opinion_by, inspection.opinion_at = by, timezone.now()
        _move(inspection, I.OPINION, by=by,
              note=f"逾期视同无异议（书面意见截止 {inspection.opinion_due:%Y-%m-%d}，未收到书面意见）")
        inspection.save(update_fields=["opinion_text", "opinion_kind", "opinion_by", "opinion_at", "status"])
        return True


def to_rectifying(inspection: Inspection, *, by) -> None:
    """Issuing the first rectification order moves an inspection in 意见反馈 to 整改中."""
    if inspection.status == I.OPINION:
        _move(inspection, I.RECTIFYING, by=by, note="下达整改通知")
        inspection.save(update_fields=["status"])


@transaction.atomic
def inspection_close(*, inspection: Inspection, conclusion: str, on: date, by) -> Inspection:
    """已结案: every rectification verified and every 责令改正 corrected."""
    require_perm(by, MANAGE, "只有稽核股可以结案")
    inspection = _lock(inspection)
    check_move(inspection, I.CLOSED, f"现场监督 {inspection.number} ")
    if inspection.rectifications.exclude(status=Rectification.Status.VERIFIED).exists():
        raise ValidationError("还有整改通知未整改到位，不能结案")
    if inspection.stop_orders.filter(corrected_on__isnull=True).exists():
        raise ValidationError("还有责令改正事项未改正，不能结案")
    inspection.conclusion = required_text(conclusion, "conclusion", "请填写结案意见")
    inspection.closed_on = on
    _move(inspection, I.CLOSED, by=by, note="结案")
    inspection.save(update_fields=["conclusion", "closed_on", "status"])
    return inspection


@transaction.atomic
def inspection_cancel(*, inspection: Inspection, reason: str, by) -> Inspection:
    require_perm(by, MANAGE, "只有稽核股可以撤销现场监督")
    inspection = _lock(inspection)
    reason = required_text(reason, "reason", "请填写撤销原因")
    _move(inspection, I.CANCELLED, by=by, note=reason)
    inspection.save(update_fields=["status"])
    return inspection


def inspection_actions(*, inspection: Inspection, user) -> dict[str, bool]:
    """What the page offers this user (the services check again)."""
    manage = user.has_perm(MANAGE)
    respond = user.has_perm(RESPOND) and user.town_id == inspection.town_id
    allowed = Inspection.TRANSITIONS[inspection.status]
    working = inspection.status == I.IN_PROGRESS
    return {
        "programme": manage and inspection.status == I.PLANNED,
        "notify": manage and I.NOTIFIED in allowed,
        "acknowledge": respond and inspection.status in (I.NOTIFIED, I.IN_PROGRESS)
        and not inspection.notice_acknowledged_at,
        "start": manage and I.IN_PROGRESS in allowed,
        "work": manage and working,
        "finding": manage and inspection.status in (I.IN_PROGRESS, I.REPORT_SENT),
        "stop_order": manage and inspection.status in (I.IN_PROGRESS, I.REPORT_SENT, I.OPINION, I.RECTIFYING),
        "report": manage and working,
        "opinion": respond and inspection.status == I.REPORT_SENT,
        "rectify": manage and inspection.status in (I.OPINION, I.RECTIFYING),
        "follow_up": manage and inspection.status in (I.OPINION, I.RECTIFYING),
        "referral": manage and inspection.status != I.CANCELLED,
        "penalty": user.has_perm("supervision.propose_penalty") and inspection.status != I.CANCELLED,
        "close": manage and I.CLOSED in allowed,
        "cancel": manage and I.CANCELLED in allowed,
        "respond": respond,
    }
