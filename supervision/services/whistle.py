"""举报 of wrongful or fraudulent payments (三(1)③): 已登记 → 已分办 → 调查中 → 已答复办结, with the
outcome linked (a recovery case, a correction, or dismissed)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import WhistleReport
from .common import HANDLE_REPORTS, check_move, next_number, require_perm, required_text

S = WhistleReport.Status


def _lock(report: WhistleReport) -> WhistleReport:
    return WhistleReport.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def report_register(*, received_on: date, channel: str, town, content: str, by, reporter: str = "",
                    reporter_contact: str = "", person=None) -> WhistleReport:
    require_perm(by, HANDLE_REPORTS, "只有稽核股可以登记举报")
    if channel not in WhistleReport.Channel.values:
        raise ValidationError({"channel": "请选择举报方式"})
    if person is not None and person.town_id != town.pk:
        raise ValidationError({"person": "被举报人不属于所选镇/农场"})
    return WhistleReport.objects.create(
        number=next_number("举", received_on.year), received_on=received_on, channel=channel, town=town,
        person=person, content=required_text(content, "content", "请填写举报内容"), reporter=reporter,
        reporter_contact=reporter_contact, created_by=by,
    )  # fmt: skip


@transaction.atomic
def report_assign(*, report: WhistleReport, assignee, by) -> WhistleReport:
    require_perm(by, HANDLE_REPORTS, "只有稽核股可以分办举报")
    report = _lock(report)
    check_move(report, S.ASSIGNED, "举报")
    if assignee is None or not assignee.has_perm(HANDLE_REPORTS):
        raise ValidationError({"assignee": "承办人须为稽核股人员"})
    report.assigned_to, report.status = assignee, S.ASSIGNED
    report.save(update_fields=["assigned_to", "status"])
    return report


@transaction.atomic
def report_investigate(*, report: WhistleReport, notes: str, by) -> WhistleReport:
    require_perm(by, HANDLE_REPORTS, "只有稽核股可以调查举报")
    report = _lock(report)
    if report.status == S.ASSIGNED:
        check_move(report, S.INVESTIGATING, "举报")
        report.status = S.INVESTIGATING
    elif report.status != S.INVESTIGATING:
        raise ValidationError(f"举报当前状态为“{report.get_status_display()}”，不能登记调查情况")
    notes = required_text(notes, "notes", "请填写调查情况")
    report.investigation = f"{report.investigation}\n{notes}".strip()
    report.save(update_fields=["investigation", "status"])
    return report


@transaction.atomic
def report_answer(*, report: WhistleReport, answer: str, outcome: str, on: date, by, outcome_ref: str = "") -> WhistleReport:
    require_perm(by, HANDLE_REPORTS, "只有稽核股可以答复举报")
    report = _lock(report)
    check_move(report, S.ANSWERED, "举报")
    if outcome not in WhistleReport.Outcome.values:
        raise ValidationError({"outcome": "请选择处理结果"})
    if outcome == WhistleReport.Outcome.RECOVERY and not outcome_ref.strip():
        raise ValidationError({"outcome_ref": "立案追回须填写追回案件编号"})
    if on < report.received_on:
        raise ValidationError({"on": "答复日期不能早于受理日期"})
    report.answer = required_text(answer, "answer", "请填写答复内容")
    report.outcome, report.outcome_ref, report.answered_on, report.status = outcome, outcome_ref.strip(), on, S.ANSWERED
    report.save(update_fields=["answer", "outcome", "outcome_ref", "answered_on", "status"])
    return report
