"""supervision's lines for the URL × role test (tests/test_url_roles.py): its EXPECT entries as
keyword arguments of U, and the records they name (own town, other town), made by `world`.

Plug in there: EXPECT |= {name: U(**kw) for name, kw in EXPECT_KWARGS.items()} and, in world(),
out |= supervision_world(users)."""

from datetime import date

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

V, M, R = "supervision.view_inspection", "supervision.manage_supervision", "supervision.respond_inspection"
D, C, W = "supervision.view_datarequest", "supervision.check_suspects", "supervision.handle_reports"
T = "supervision.view_trainingsession"
P, A = "supervision.propose_penalty", "supervision.approve_penalty"
_POST = {"methods": "POST"}

EXPECT_KWARGS: dict[str, dict] = {
    "supervision:index": {"perm": "supervision.view_supervision"},
    "supervision:plan_list": {"perm": V},
    "supervision:plan_create": {"perm": M, **_POST},
    "supervision:plan_detail": {"perm": V},  # the 2025 plan made below
    "supervision:plan_item_add": {"perm": M, **_POST},
    "supervision:inspection_list": {"perm": V},
    "supervision:inspection_export": {"perm": V},
    "supervision:inspection_detail": {"perm": V, "record": "sv_inspection"},
    "supervision:inspection_pdf": {"perm": V, "record": "sv_inspection", "get": 404},  # doc filled with the pk
    "supervision:child_pdf": {"perm": V, "record": "sv_inspection", "get": 404},  # doc filled with the pk
    **{f"supervision:{n}": {"perm": M, "record": "sv_inspection", **_POST} for n in (
        "inspection_programme", "inspection_notify", "inspection_start", "work_record_add", "finding_add",
        "stop_order_issue", "report_send", "rectification_issue", "follow_up_add", "referral_create",
        "inspection_close", "inspection_cancel")},
    "supervision:notice_acknowledge": {"perm": R, "record": "sv_inspection", **_POST},
    "supervision:opinion_submit": {"perm": R, "record": "sv_inspection", **_POST},
    "supervision:seal_release": {"perm": M, "record": "sv_workrecord", **_POST},
    "supervision:stop_order_corrected": {"perm": M, "record": "sv_stoporder", **_POST},
    "supervision:rectification_report": {"perm": R, "record": "sv_rectification", **_POST},
    "supervision:rectification_verify": {"perm": M, "record": "sv_rectification", **_POST},
    "supervision:rectification_file": {"perm": V, "record": "sv_rectification"},
    "supervision:request_list": {"perm": D},
    "supervision:request_create": {"perm": M, "methods": "GET POST"},
    "supervision:request_detail": {"perm": D, "record": "sv_request"},
    "supervision:submission_upload": {"perm": R, "record": "sv_request", **_POST},
    "supervision:submission_review": {"perm": M, "record": "sv_request", **_POST},
    "supervision:request_report": {"perm": M, "record": "sv_request", **_POST},
    "supervision:request_escalate": {"perm": M, "record": "sv_request", **_POST},
    "supervision:submission_file": {"perm": D, "record": "sv_submission"},
    "supervision:suspect_list": {"perm": "supervision.view_suspectitem"},
    "supervision:suspect_export": {"perm": "supervision.view_suspectitem"},
    "supervision:suspect_detail": {"perm": "supervision.view_suspectitem", "record": "sv_suspect"},
    "supervision:suspect_verify": {"perm": C, "record": "sv_suspect", **_POST},
    "supervision:suspect_dismiss": {"perm": C, "record": "sv_suspect", **_POST},
    "supervision:suspect_import": {"perm": C, "methods": "GET POST"},
    "supervision:suspect_template": {"perm": C, "get": 404},  # kind filled with "None"
    "supervision:suspect_import_result": {"perm": C, "record": "sv_suspect_job", "scoped": False},
    "supervision:system_scan": {"perm": C, **_POST},
    "supervision:death_followups": {"perm": "supervision.view_supervision"},
    "supervision:report_list": {"perm": "supervision.view_whistlereport"},
    "supervision:report_create": {"perm": W, "methods": "GET POST"},
    "supervision:report_detail": {"perm": "supervision.view_whistlereport", "record": "sv_report"},
    "supervision:report_assign": {"perm": W, "record": "sv_report", **_POST},
    "supervision:report_investigate": {"perm": W, "record": "sv_report", **_POST},
    "supervision:report_answer": {"perm": W, "record": "sv_report", **_POST},
    "supervision:report_referral": {"perm": M, "record": "sv_report", **_POST},
    "supervision:report_inspection": {"perm": M, "record": "sv_report", **_POST},
    "supervision:referral_list": {"perm": "supervision.view_referral"},
    "supervision:referral_detail": {"perm": "supervision.view_referral", "record": "sv_referral"},
    "supervision:referral_answer": {"perm": M, "record": "sv_referral", **_POST},
    "supervision:referral_pdf": {"perm": "supervision.view_referral", "record": "sv_referral"},
    # 行政处理处罚意见（报批）: drafted from an inspection or a 举报, then the review workflow's steps
    "supervision:penalty_create": {"perm": P, "record": "sv_inspection", **_POST},
    "supervision:report_penalty": {"perm": P, "record": "sv_report", **_POST},
    "supervision:penalty_list": {"perm": "supervision.view_penaltyproposal"},
    "supervision:penalty_detail": {"perm": "supervision.view_penaltyproposal", "record": "sv_penalty"},
    "supervision:penalty_edit": {"perm": P, "record": "sv_penalty", "methods": "GET POST"},
    **{f"supervision:penalty_{n}": {"perm": P, "record": "sv_penalty", **_POST} for n in (
        "submit", "town_return", "cancel")},
    **{f"supervision:penalty_{n}": {"perm": A, "record": "sv_penalty", **_POST} for n in ("approve", "county_return")},
    "supervision:training_list": {"perm": T},
    "supervision:training_create": {"perm": "supervision.manage_training", "methods": "GET POST"},
    "supervision:visit_create": {"perm": "supervision.manage_training", "methods": "GET POST"},
    "supervision:town_overview": {"perm": T},
}  # fmt: skip


def supervision_world(users, here, there) -> dict[str, list[int]]:
    """One record of each kind in the agent's own town and one in another town."""
    from linggao_pension.org.models import JobRun
    from supervision.models import (
        DataRequest,
        DataSubmission,
        Inspection,
        PenaltyProposal,
        Rectification,
        Referral,
        StopOrder,
        SupervisionPlan,
        SuspectItem,
        SuspectList,
        WhistleReport,
        WorkRecord,
    )  # fmt: skip
    from tests.factories import PersonFactory

    auditor = users["auditor"]
    SupervisionPlan.objects.create(year=2025, title="2025年度计划", created_by=auditor)
    suspect_list = SuspectList.objects.create(kind="deaths", filename="x.xlsx", imported_by=auditor)
    out: dict[str, list[int]] = {}
    for n, town in enumerate((here, there)):
        inspection = Inspection.objects.create(
            number=f"监T-{n}", year=2026, kind="spot", title="抽查", town=town, scope=["2"], team_leader="周明",
            planned_start=date(2026, 3, 10), planned_end=date(2026, 3, 12), created_by=auditor)
        out.setdefault("sv_inspection", []).append(inspection.pk)
        out.setdefault("sv_workrecord", []).append(WorkRecord.objects.create(
            inspection=inspection, kind="sealed", on_date=date(2026, 3, 10), documents="认证表", seal_place="县局",
            seal_keeper="周明", created_by=auditor).pk)
        out.setdefault("sv_stoporder", []).append(StopOrder.objects.create(
            inspection=inspection, conduct="divert", facts="挪用", ordered_on=date(2026, 3, 11),
            correct_by=date(2026, 3, 30), created_by=auditor).pk)
        order = Rectification(inspection=inspection, requirements="整改", deadline=date(2026, 4, 30),
                              issued_on=date(2026, 4, 1), created_by=auditor)
        order.report_file.name = default_storage.save(f"supervision/rectifications/t{n}.pdf", ContentFile(b"%PDF"))
        order.save()
        out.setdefault("sv_rectification", []).append(order.pk)
        request = DataRequest.objects.create(number=f"非T-{n}", year=2026, kind="regular", town=town, purpose="报送",
                                             scope="名单", deadline=date(2026, 12, 31), created_by=auditor)
        out.setdefault("sv_request", []).append(request.pk)
        submission = DataSubmission(request=request, filename="data.xlsx", uploaded_by=auditor)
        submission.file.name = default_storage.save(f"supervision/submissions/t{n}.xlsx", ContentFile(b"PK"))
        submission.save()
        out.setdefault("sv_submission", []).append(submission.pk)
        person = PersonFactory(town=town)
        out.setdefault("sv_suspect", []).append(SuspectItem.objects.create(
            kind="pensioner_died", person=person, id_number=person.id_number, name=person.name, key=f"k{n}",
            source_list=suspect_list).pk)
        report = WhistleReport.objects.create(number=f"举T-{n}", received_on=date(2026, 3, 1), channel="phone",
                                              town=town, content="举报", created_by=auditor)
        out.setdefault("sv_report", []).append(report.pk)
        out.setdefault("sv_referral", []).append(Referral.objects.create(
            number=f"移T-{n}", kind="police", town=town, subject="某人", facts="冒领", recipient="临高县公安局",
            sent_on=date(2026, 3, 5), created_by=auditor).pk)
        out.setdefault("sv_penalty", []).append(PenaltyProposal.objects.create(
            number=f"罚T-{n}", town=town, inspection=inspection, subject="某人", facts="冒领", proposal="责令退回",
            recipient="临高县人力资源和社会保障局", created_by=auditor).pk)
    job = JobRun.objects.create(kind="supervision.import_suspect_list", started_by=auditor,
                                status=JobRun.Status.SUCCEEDED, result={"errors": []})
    out["sv_suspect_job"] = [job.pk, job.pk]
    return out
