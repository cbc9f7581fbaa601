"""The on-site procedure's dates (五(1)): the 5-day notice, the 10-day opinion and the daily job."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from supervision.models import Inspection, InspectionStep
from supervision.services import daily, plans

pytestmark = pytest.mark.django_db
I = Inspection.Status  # noqa: E741


def test_a_notice_less_than_5_days_before_the_start_is_refused_and_nothing_changes(inspection, auditor):
    with pytest.raises(ValidationError) as exc:
        plans.inspection_notify(inspection=inspection, on=date(2026, 3, 6), text="通知", by=auditor)
    assert "应在实施监督5日前通知被监督单位" in str(exc.value)
    assert "只有 4 日" in str(exc.value)
    inspection.refresh_from_db()
    assert inspection.status == I.PLANNED and inspection.notified_on is None
    # exactly 5 days before is enough
    plans.inspection_notify(inspection=inspection, on=date(2026, 3, 5), text="通知", by=auditor)
    assert Inspection.objects.get(pk=inspection.pk).status == I.NOTIFIED


def test_a_start_earlier_than_announced_is_refused(inspection, auditor):
    plans.inspection_notify(inspection=inspection, on=date(2026, 3, 1), text="通知", by=auditor)
    with pytest.raises(ValidationError) as exc:
        plans.inspection_start(inspection=inspection, on=date(2026, 3, 9), by=auditor)
    assert "早于通知的开始日期 2026-03-10" in str(exc.value)
    assert Inspection.objects.get(pk=inspection.pk).status == I.NOTIFIED
    plans.inspection_start(inspection=inspection, on=date(2026, 3, 10), by=auditor)
    assert Inspection.objects.get(pk=inspection.pk).status == I.IN_PROGRESS


def test_no_start_without_a_notice_and_no_report_before_the_start(inspection, auditor):
    with pytest.raises(ValidationError, match="不能变为“实施中”"):
        plans.inspection_start(inspection=inspection, on=date(2026, 3, 12), by=auditor)
    with pytest.raises(ValidationError, match="不能变为“报告已送达”"):
        plans.inspection_send_report(inspection=inspection, text="报告", on=date(2026, 3, 12), by=auditor)


def test_report_gives_the_unit_10_days(reported):
    assert reported.status == I.REPORT_SENT
    assert reported.opinion_due == date(2026, 4, 4)


def test_the_unit_answers_within_10_days(reported, agent):
    plans.inspection_opinion_submit(inspection=reported, text="无异议，已组织整改", by=agent, today=date(2026, 4, 4))
    reported.refresh_from_db()
    assert reported.status == I.OPINION and reported.opinion_kind == Inspection.OpinionKind.WRITTEN
    assert reported.opinion_by == agent


def test_a_written_opinion_after_the_10_days_is_refused(reported, agent):
    with pytest.raises(ValidationError, match="逾期未提出书面意见的视同无异议"):
        plans.inspection_opinion_submit(inspection=reported, text="晚了", by=agent, today=date(2026, 4, 5))
    assert Inspection.objects.get(pk=reported.pk).status == I.REPORT_SENT


def test_another_town_cannot_answer_and_the_auditor_is_not_the_unit(reported, agent_elsewhere, auditor):
    with pytest.raises(Http404):
        plans.inspection_opinion_submit(inspection=reported, text="x", by=agent_elsewhere, today=date(2026, 3, 26))
    with pytest.raises(PermissionDenied):
        plans.inspection_opinion_submit(inspection=reported, text="x", by=auditor, today=date(2026, 3, 26))


def test_the_daily_job_records_deemed_agreement_once(reported):
    # on the due date itself the unit still has time
    job = daily.daily_run(today=date(2026, 4, 4))
    assert job.result["deemed"] == 0
    assert Inspection.objects.get(pk=reported.pk).status == I.REPORT_SENT
    job = daily.daily_run(today=date(2026, 4, 5))
    assert job.result == {"deemed": 1, "inspections": [reported.pk]}
    again = daily.daily_run(today=date(2026, 4, 6))
    assert again.result["deemed"] == 0
    reported.refresh_from_db()
    assert reported.status == I.OPINION
    assert reported.opinion_kind == Inspection.OpinionKind.DEEMED and reported.opinion_text == "逾期视同无异议"
    steps = InspectionStep.objects.filter(inspection=reported, to_status=I.OPINION)
    assert steps.count() == 1 and "逾期视同无异议" in steps.get().note
    assert steps.get().by.username == "system"  # the scheduled job acts as the system user


def test_the_daily_command_and_the_beat_task(reported, settings):
    from django.core.management import call_command

    from supervision.tasks import supervision_daily

    call_command("supervision_daily", "--today", "2026-04-05")
    assert Inspection.objects.get(pk=reported.pk).opinion_kind == Inspection.OpinionKind.DEEMED
    assert supervision_daily() == "succeeded"
    assert InspectionStep.objects.filter(inspection=reported, to_status=I.OPINION).count() == 1
