"""What happens on site and after (四 measures, 五(1)②, 六): work records and seals, findings,
责令改正 of 隐匿、侵占、挪用 (四(3)), rectification orders, follow-ups and 约谈 (六(1)), and
referrals (六(2)-(4)), each its own record."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Finding, FollowUp, Inspection, Rectification, Referral, StopOrder, WorkRecord
from .common import MANAGE, RESPOND, check_move, next_number, require_perm, require_town, required_text
from .plans import to_rectifying

I = Inspection.Status  # noqa: E741
W = WorkRecord.Kind


def _lock(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().get(pk=inspection.pk)


def _in_status(inspection: Inspection, statuses, message: str) -> None:
    if inspection.status not in statuses:
        raise ValidationError(f"{message}（当前状态：{inspection.get_status_display()}）")


@transaction.atomic
def work_record_add(*, inspection: Inspection, kind: str, on_date: date, by, documents: str = "",
                    content: str = "", seal_place: str = "", seal_keeper: str = "", interviewee: str = "",
                    interviewee_role: str = "", place: str = "", recorder: str = "") -> WorkRecord:
    require_perm(by, MANAGE, "只有检查组可以记录现场工作")
    inspection = _lock(inspection)
    _in_status(inspection, (I.IN_PROGRESS,), "现场监督实施中才能记录现场工作")
    if kind not in W.values:
        raise ValidationError({"kind": "请选择记录类型"})
    if inspection.started_on and on_date < inspection.started_on:
        raise ValidationError({"on_date": "日期不能早于实施开始日期"})
    if kind in (W.CONSULTED, W.COPIED, W.SEALED) and not documents.strip():
        raise ValidationError({"documents": "请填写资料清单"})
    if kind == W.SEALED:
        required_text(seal_place, "seal_place", "封存资料须填写封存地点")
        required_text(seal_keeper, "seal_keeper", "封存资料须填写保管人")
    if kind == W.INTERVIEW:
        required_text(interviewee, "interviewee", "询问笔录须填写被询问人")
        required_text(content, "content", "请填写询问内容（问答记录）")
    return WorkRecord.objects.create(
        inspection=inspection, kind=kind, on_date=on_date, documents=documents, content=content,
        seal_place=seal_place, seal_keeper=seal_keeper, interviewee=interviewee, interviewee_role=interviewee_role,
        place=place, recorder=recorder, created_by=by,
    )  # fmt: skip


@transaction.atomic
def seal_release(*, record: WorkRecord, on_date: date, note: str, by) -> WorkRecord:
    """解除封存 of sealed materials, once."""
    require_perm(by, MANAGE, "只有检查组可以解除封存")
    record = WorkRecord.objects.select_for_update().get(pk=record.pk)
    if record.kind != W.SEALED:
        raise ValidationError("只有封存记录可以解除封存")
    if record.released_on:
        raise ValidationError(f"该批资料已于 {record.released_on:%Y-%m-%d} 解除封存")
    if on_date < record.on_date:
        raise ValidationError({"on_date": "解除封存日期不能早于封存日期"})
    record.released_on, record.released_by = on_date, by
    record.release_note = required_text(note, "note", "请填写解除封存说明")
    record.save(update_fields=["released_on", "released_by", "release_note"])
    return record


@transaction.atomic
def finding_add(*, inspection: Inspection, scope: str, description: str, by, persons_involved: int = 0,
                amount_involved: Decimal = Decimal("0.00")) -> Finding:
    require_perm(by, MANAGE, "只有检查组可以记录检查发现")
    inspection = _lock(inspection)
    _in_status(inspection, (I.IN_PROGRESS, I.REPORT_SENT), "实施中或报告送达前后才能记录检查发现")
    if scope not in inspection.scope:
        raise ValidationError({"scope": "发现的问题应属于本次监督内容"})
    if amount_involved < 0:
        raise ValidationError({"amount_involved": "金额不能为负数"})
    return Finding.objects.create(
        inspection=inspection, scope=scope, description=required_text(description, "description", "请填写发现的问题"),
        persons_involved=persons_involved, amount_involved=amount_involved, created_by=by,
    )  # fmt: skip


@transaction.atomic
def stop_order_issue(*, inspection: Inspection, conduct: str, facts: str, ordered_on: date, correct_by: date, by,
                     amount: Decimal = Decimal("0.00")) -> StopOrder:
    """四(3): 对隐匿、侵占、挪用发放参保人养老金待遇的行为予以制止并责令改正."""
    require_perm(by, MANAGE, "只有稽核股可以责令改正")
    inspection = _lock(inspection)
    _in_status(inspection, (I.IN_PROGRESS, I.REPORT_SENT, I.OPINION, I.RECTIFYING), "该现场监督不能再责令改正")
    if conduct not in StopOrder.Conduct.values:
        raise ValidationError({"conduct": "请选择隐匿、侵占或挪用"})
    if correct_by < ordered_on:
        raise ValidationError({"correct_by": "改正期限不能早于责令日期"})
    if amount < 0:
        raise ValidationError({"amount": "金额不能为负数"})
    return StopOrder.objects.create(
        inspection=inspection, conduct=conduct, facts=required_text(facts, "facts", "请填写违法事实"), amount=amount,
        ordered_on=ordered_on, correct_by=correct_by, created_by=by,
    )  # fmt: skip


@transaction.atomic
def stop_order_corrected(*, order: StopOrder, on_date: date, note: str, by) -> StopOrder:
    require_perm(by, MANAGE, "只有稽核股可以确认改正")
    order = StopOrder.objects.select_for_update().get(pk=order.pk)
    if order.corrected_on:
        raise ValidationError("该事项已确认改正")
    if on_date < order.ordered_on:
        raise ValidationError({"on_date": "改正日期不能早于责令日期"})
    order.corrected_on = on_date
    order.correction_note = required_text(note, "note", "请填写改正情况")
    order.save(update_fields=["corrected_on", "correction_note"])
    return order


# --- rectification (六(1)) -------------------------------------------------------------------------


@transaction.atomic
def rectification_issue(*, inspection: Inspection, requirements: str, issued_on: date, deadline: date,
                        by) -> Rectification:
    require_perm(by, MANAGE, "只有稽核股可以下达整改通知")
    inspection = _lock(inspection)
    _in_status(inspection, (I.OPINION, I.RECTIFYING), "被监督单位反馈意见（或逾期视同无异议）后才能下达整改通知")
    if deadline <= issued_on:
        raise ValidationError({"deadline": "整改期限应晚于下达日期"})
    order = Rectification.objects.create(
        inspection=inspection, requirements=required_text(requirements, "requirements", "请填写整改意见"),
        issued_on=issued_on, deadline=deadline, created_by=by,
    )  # fmt: skip
    to_rectifying(inspection, by=by)
    return order


@transaction.atomic
def rectification_report(*, order: Rectification, text: str, by, file=None) -> Rectification:
    """The unit's rectification report (text, optionally a file)."""
    require_perm(by, RESPOND, "只有被监督单位的经办人可以报送整改报告")
    require_town(by, order.inspection.town_id)
    order = Rectification.objects.select_for_update().get(pk=order.pk)
    check_move(order, Rectification.Status.REPORTED, "整改通知")
    order.report_text = required_text(text, "text", "请填写整改情况")
    if file is not None:
        order.report_file.save(f"{order.pk}_{timezone.now():%Y%m%d%H%M%S}_{file.name}"[-100:], file, save=False)
    order.status = Rectification.Status.REPORTED
    order.reported_by, order.reported_at = by, timezone.now()
    order.save(update_fields=["report_text", "report_file", "status", "reported_by", "reported_at"])
    return order


@transaction.atomic
def rectification_verify(*, order: Rectification, done: bool, note: str, on_date: date, by) -> Rectification:
    """The team checks the report: 整改到位, or back to the unit (with a follow-up note either way)."""
    require_perm(by, MANAGE, "只有稽核股可以核实整改")
    order = Rectification.objects.select_for_update().get(pk=order.pk)
    to_status = Rectification.Status.VERIFIED if done else Rectification.Status.ISSUED
    check_move(order, to_status, "整改通知")
    note = required_text(note, "note", "请填写核实情况")
    order.status = to_status
    if done:
        order.verified_by, order.verified_at = by, timezone.now()
    order.save(update_fields=["status", "verified_by", "verified_at"])
    FollowUp.objects.create(inspection=order.inspection, rectification=order, kind=FollowUp.Kind.FOLLOW_UP,
                            on_date=on_date, notes=("整改到位：" if done else "整改未到位，退回：") + note,
                            created_by=by)  # fmt: skip
    return order


@transaction.atomic
def follow_up_add(*, inspection: Inspection, kind: str, on_date: date, notes: str, by, person_talked: str = "",
                  rectification: Rectification | None = None) -> FollowUp:
    """跟踪检查, or 约谈 of the unit's leader (必要时可约谈单位主要领导)."""
    require_perm(by, MANAGE, "只有稽核股可以记录跟踪检查或约谈")
    _in_status(inspection, (I.OPINION, I.RECTIFYING), "下达整改意见后才能跟踪检查或约谈")
    if kind not in FollowUp.Kind.values:
        raise ValidationError({"kind": "请选择类型"})
    if kind == FollowUp.Kind.TALK:
        required_text(person_talked, "person_talked", "约谈须填写约谈对象")
    return FollowUp.objects.create(
        inspection=inspection, rectification=rectification, kind=kind, on_date=on_date,
        notes=required_text(notes, "notes", "请填写情况记录"), person_talked=person_talked, created_by=by,
    )  # fmt: skip


# --- referrals (六(2)-(4)) -------------------------------------------------------------------------

DEFAULT_RECIPIENTS = {
    Referral.Kind.POLICE: "临高县公安局",
    Referral.Kind.DISCIPLINE: "临高县纪委监委",
    Referral.Kind.PROCURATORATE: "临高县人民检察院",
}


@transaction.atomic
def referral_create(*, kind: str, town, subject: str, facts: str, recipient: str, sent_on: date, by,
                    proposal: str = "", inspection: Inspection | None = None, report=None) -> Referral:
    require_perm(by, MANAGE, "只有稽核股可以移送或报批处理处罚意见")
    if kind not in Referral.Kind.values:
        raise ValidationError({"kind": "请选择移送类型"})
    if kind == Referral.Kind.PENALTY:  # 六(2): approved by a bureau leader before it is sent (penalties.py)
        raise ValidationError({"kind": "行政处理处罚意见须报局领导审批后送达：请用“拟定行政处理处罚意见（报批）”"})
    if inspection is not None:
        town = inspection.town
    return Referral.objects.create(
        number=next_number("移", sent_on.year), kind=kind, inspection=inspection, report=report, town=town,
        subject=required_text(subject, "subject", "请填写涉及单位或个人"), facts=required_text(facts, "facts", "请填写事实与依据"),
        proposal=proposal, recipient=required_text(recipient, "recipient", "请填写接收机关"), sent_on=sent_on,
        created_by=by,
    )  # fmt: skip


@transaction.atomic
def referral_answer(*, referral: Referral, answer: str, on_date: date, by) -> Referral:
    require_perm(by, MANAGE, "只有稽核股可以登记反馈结果")
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status == Referral.Status.ANSWERED:
        raise ValidationError("该移送已登记反馈结果")
    if on_date < referral.sent_on:
        raise ValidationError({"on_date": "反馈日期不能早于移送日期"})
    referral.answer = required_text(answer, "answer", "请填写反馈结果")
    referral.answered_on, referral.status = on_date, Referral.Status.ANSWERED
    referral.save(update_fields=["answer", "answered_on", "status"])
    return referral
