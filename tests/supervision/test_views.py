"""Pages: scoping (a town sees only its own), the procedure through the pages, refusals at their
fields, stored files only through the checked view, printed documents."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from linggao_pension.org.models import AccessLog, Town
from supervision.models import DataRequest, DataSubmission, Inspection, Rectification, SuspectItem
from supervision.services import offsite, onsite, plans

from ..factories import PensionFactory
from .conftest import xlsx

pytestmark = pytest.mark.django_db


def _inspection(auditor, town, start=None):
    start = start or timezone.localdate() + timedelta(days=10)
    return plans.inspection_create(kind="spot", title=f"{town.name}抽查", town=town, scope=["2"], team_leader="周明",
                                   start=start, end=start + timedelta(days=3), by=auditor, programme="方案")


def test_a_town_sees_only_its_own_inspections_requests_and_files(client, auditor, agent, town, other_town):
    mine, theirs = _inspection(auditor, town), _inspection(auditor, other_town)
    req_mine = offsite.data_request_create(kind="regular", town=town, purpose="季度数据", scope="新增人员", by=auditor,
                                           deadline=timezone.localdate() + timedelta(days=5))
    req_theirs = offsite.data_request_create(kind="regular", town=other_town, purpose="季度数据", scope="新增人员",
                                             by=auditor, deadline=timezone.localdate() + timedelta(days=5))
    client.force_login(agent)
    listing = client.get(reverse("supervision:inspection_list")).content.decode()
    assert mine.number in listing and theirs.number not in listing
    assert client.get(reverse("supervision:inspection_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("supervision:inspection_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("supervision:inspection_pdf", args=[theirs.pk, "programme"])).status_code == 404
    requests = client.get(reverse("supervision:request_list")).content.decode()
    assert req_mine.number in requests and req_theirs.number not in requests
    assert client.get(reverse("supervision:request_detail", args=[req_theirs.pk])).status_code == 404
    # the town cannot act for another town even by posting directly
    upload = SimpleUploadedFile("data.xlsx", xlsx(["身份证号"], [["1"]]).getvalue())
    response = client.post(reverse("supervision:submission_upload", args=[req_theirs.pk]), {"upload-file": upload})
    assert response.status_code == 404 and DataSubmission.objects.count() == 0
    # suspects, reports and the plan's management are not theirs
    assert client.get(reverse("supervision:suspect_list")).status_code == 403
    assert client.get(reverse("supervision:report_list")).status_code == 403
    assert client.post(reverse("supervision:plan_create"), {"year": 2026, "title": "x"}).status_code == 403


def test_the_town_uploads_its_data_and_the_auditor_asks_to_resubmit_with_reasons(client, auditor, agent, town):
    req = offsite.data_request_create(kind="special", town=town, purpose="重复领取核查", scope="领取人员名单", by=auditor,
                                      deadline=timezone.localdate() + timedelta(days=5))
    client.force_login(agent)
    upload = SimpleUploadedFile("data.xlsx", xlsx(["身份证号", "姓名"], [["1", "a"], ["2", "b"]]).getvalue())
    response = client.post(reverse("supervision:submission_upload", args=[req.pk]), {"upload-file": upload})
    assert response.status_code == 302
    submission = DataSubmission.objects.get()
    assert submission.rows == 2
    download = client.get(reverse("supervision:submission_file", args=[submission.pk]))
    assert download.status_code == 200 and AccessLog.objects.filter(action="下载").count() == 1
    client.force_login(auditor)
    response = client.post(reverse("supervision:submission_review", args=[req.pk]), {"review-accept": "0",
                                                                                      "review-reason": ""})
    assert "要求补报或重新报送须写明原因" in response.content.decode()
    assert DataSubmission.objects.get().status == DataSubmission.Status.PENDING
    client.post(reverse("supervision:submission_review", args=[req.pk]), {"review-accept": "0",
                                                                           "review-reason": "缺少身份证号列"})
    assert DataRequest.objects.get().status == DataRequest.Status.RESUBMIT


def test_the_procedure_through_the_pages_with_the_notice_refused_at_its_field(client, auditor, agent, town):
    start = timezone.localdate() + timedelta(days=4)
    inspection = _inspection(auditor, town, start=start)
    client.force_login(auditor)
    url = reverse("supervision:inspection_notify", args=[inspection.pk])
    response = client.post(url, {"notice-on": timezone.localdate().isoformat(), "notice-text": "通知"})
    assert response.status_code == 200
    assert "应在实施监督5日前通知被监督单位" in response.content.decode()
    assert Inspection.objects.get().status == Inspection.Status.PLANNED
    client.post(reverse("supervision:inspection_programme", args=[inspection.pk]), {
        "programme-programme": "方案", "programme-start": (start + timedelta(days=2)).isoformat(),
        "programme-end": (start + timedelta(days=5)).isoformat()})
    response = client.post(url, {"notice-on": timezone.localdate().isoformat(), "notice-text": "通知"})
    assert response.status_code == 302 and Inspection.objects.get().status == Inspection.Status.NOTIFIED
    assert client.get(reverse("supervision:inspection_pdf", args=[inspection.pk, "notice"]))["Content-Type"] == "application/pdf"
    client.force_login(agent)
    client.post(reverse("supervision:notice_acknowledge", args=[inspection.pk]))
    assert Inspection.objects.get().notice_acknowledged_by == agent


def test_rectification_report_file_is_served_only_through_the_checked_view(client, auditor, agent, agent_elsewhere,
                                                                           town):
    inspection = _inspection(auditor, town, start=date(2026, 3, 10))
    plans.inspection_notify(inspection=inspection, on=date(2026, 3, 1), text="通知", by=auditor)
    plans.inspection_start(inspection=inspection, on=date(2026, 3, 10), by=auditor)
    plans.inspection_send_report(inspection=inspection, text="报告", on=date(2026, 3, 20), by=auditor)
    plans.inspection_deem_agreed(inspection_id=inspection.pk, today=date(2026, 4, 1))
    order = onsite.rectification_issue(inspection=inspection, requirements="补齐认证表", issued_on=date(2026, 4, 2),
                                       deadline=date(2026, 4, 30), by=auditor)
    assert Inspection.objects.get().status == Inspection.Status.RECTIFYING
    client.force_login(agent)
    upload = SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(reverse("supervision:rectification_report", args=[order.pk]), {"text": "已补齐", "file": upload})
    order.refresh_from_db()
    assert order.status == Rectification.Status.REPORTED and order.report_file
    assert client.get(reverse("supervision:rectification_file", args=[order.pk])).status_code == 200
    client.force_login(agent_elsewhere)
    assert client.get(reverse("supervision:rectification_file", args=[order.pk])).status_code == 404
    assert client.get(reverse("supervision:child_pdf", args=["rectification", order.pk])).status_code == 404
    client.force_login(auditor)
    assert client.get(reverse("supervision:child_pdf", args=["rectification", order.pk]))["Content-Type"] == "application/pdf"


def test_plan_page_shows_the_range_warning(client, auditor):
    plans.plan_create(year=2026, title="2026年度计划", by=auditor)
    client.force_login(auditor)
    page = client.get(reverse("supervision:plan_detail", args=[2026])).content.decode()
    assert "制度要求每年定期组织 3-5 次" in page


def test_suspect_pages_mask_for_the_manager_and_dismiss_needs_a_reason(client, auditor, manager, tmp_path):
    from supervision.services.suspects import system_scan

    PensionFactory(person__bank_account="6217000000009999")
    PensionFactory(person__bank_account="6217000000009999")
    system_scan(by=auditor)
    item = SuspectItem.objects.first()
    client.force_login(manager)
    page = client.get(reverse("supervision:suspect_detail", args=[item.pk])).content.decode()
    assert item.id_number not in page and "核实属实" not in page
    client.force_login(auditor)
    response = client.post(reverse("supervision:suspect_dismiss", args=[item.pk]), {"dismiss-reason": ""})
    assert "这个字段是必填项" in response.content.decode() or "排除疑点须写明理由" in response.content.decode()
    assert SuspectItem.objects.get(pk=item.pk).status == SuspectItem.Status.OPEN
    client.post(reverse("supervision:suspect_dismiss", args=[item.pk]), {"dismiss-reason": "夫妻共用账户，均健在"})
    assert SuspectItem.objects.get(pk=item.pk).status == SuspectItem.Status.DISMISSED


def test_every_list_page_answers_for_the_auditor_and_the_overview_for_the_manager(client, auditor, manager):
    client.force_login(auditor)
    for name in ["index", "plan_list", "inspection_list", "request_list", "suspect_list", "suspect_import",
                 "report_list", "referral_list", "training_list", "town_overview", "report_create", "request_create",
                 "training_create", "visit_create"]:
        assert client.get(reverse(f"supervision:{name}")).status_code == 200, name
    client.force_login(manager)
    assert client.get(reverse("supervision:town_overview")).status_code == 200
    assert Town.objects.count() == 12


def test_a_report_is_registered_assigned_investigated_answered_and_checked_on_site(client, auditor, town):
    from supervision.models import WhistleReport

    client.force_login(auditor)
    response = client.post(reverse("supervision:report_create"), {
        "received_on": "2026-03-01", "channel": "phone", "town": town.pk, "content": "某老人去世后仍有人领取"})
    report = WhistleReport.objects.get()
    assert response.status_code == 302 and report.number.startswith("举2026-")
    client.post(reverse("supervision:report_assign", args=[report.pk]), {"assign-assignee": auditor.pk})
    client.post(reverse("supervision:report_investigate", args=[report.pk]), {"investigate-notes": "走访村委会"})
    client.post(reverse("supervision:report_inspection", args=[report.pk]), {
        "inspect-title": "举报核查", "inspect-town": town.pk, "inspect-scope": ["2"], "inspect-team_leader": "周明",
        "inspect-start": "2026-03-20", "inspect-end": "2026-03-21"})
    assert Inspection.objects.get().source_report == report
    response = client.post(reverse("supervision:report_answer", args=[report.pk]), {
        "answer-answer": "属实", "answer-outcome": "recovery", "answer-outcome_ref": "", "answer-on": "2026-03-25"})
    assert "立案追回须填写追回案件编号" in response.content.decode()
    client.post(reverse("supervision:report_answer", args=[report.pk]), {
        "answer-answer": "属实，已立案追回", "answer-outcome": "recovery", "answer-outcome_ref": "追回案件 #12",
        "answer-on": "2026-03-25"})
    report.refresh_from_db()
    assert report.status == WhistleReport.Status.ANSWERED and report.outcome_ref == "追回案件 #12"
