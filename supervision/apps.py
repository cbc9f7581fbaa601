from celery.schedules import crontab
from django.apps import AppConfig

from linggao_pension.navigation import NavItem, NavSection
from linggao_pension.org import roles as r

_VIEW = ["supervision.view_supervision", "supervision.view_inspection", "supervision.view_datarequest",
         "supervision.view_suspectitem", "supervision.view_whistlereport", "supervision.view_trainingsession",
         "supervision.view_referral", "supervision.view_penaltyproposal"]  # fmt: skip


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "监督检查与稽核"

    # linggao_pension.registry: what this app declares.
    # The suspect-list import, the scan of the system's own data and the daily job (逾期视同无异议).
    job_handlers = {
        "supervision.import_suspect_list": "supervision.services.suspects.suspect_list_job",
        "supervision.scan_system": "supervision.services.suspects.system_scan_job",
        "supervision.daily": "supervision.services.daily.daily_job",
    }
    job_labels = {
        "supervision.import_suspect_list": "疑点比对名单导入",
        "supervision.scan_system": "系统数据疑点比对",
        "supervision.daily": "监督检查每日任务（逾期视同无异议）",
    }
    job_result_pages = {"supervision.import_suspect_list": "supervision:suspect_import_result"}
    # Every morning, reports unanswered 10 days after they reached the unit are recorded as
    # 逾期视同无异议 (once; the job skips what is done).
    beat_schedule = {
        "supervision-daily": {"task": "supervision.tasks.supervision_daily", "schedule": crontab(minute=10, hour=1)},
    }
    # 待办: the town's (contributors found dead by a verified check whose termination is still to
    # enter; supervision reports awaiting its written opinion), the leader's (penalty proposals to
    # approve) and the auditor's (proposals returned to them)
    home_todos = ["supervision.todos.todos"]
    # Records archives may attach scans to (archives/records.py): the inspection's 监督报告, 询问笔录,
    # 整改报告 ... and a 举报's materials, with 档号; shown on their pages ({% record_documents %}).
    archive_record_types = {
        "supervision.inspection": {
            "title": "现场监督", "town": "town", "person": None, "perm": "supervision.view_inspection",
            "url": "supervision:inspection_detail",
        },
        "supervision.whistlereport": {
            "title": "举报", "town": "town", "person": "person", "perm": "supervision.view_whistlereport",
            "url": "supervision:report_detail",
        },
    }
    demo_seeder = "supervision.demo.seed"
    demo_order = 40
    nav_sections = [
        NavSection(
            "监督检查",
            (
                NavItem("监督检查", "supervision:index", "supervision.view_supervision"),
                NavItem("年度监督计划", "supervision:plan_list", "supervision.view_inspection"),
                NavItem("现场监督", "supervision:inspection_list", "supervision.view_inspection"),
                NavItem("非现场监督", "supervision:request_list", "supervision.view_datarequest"),
                NavItem("疑点核查", "supervision:suspect_list", "supervision.view_suspectitem"),
                NavItem("举报受理", "supervision:report_list", "supervision.view_whistlereport"),
                NavItem("处理处罚意见报批", "supervision:penalty_list", "supervision.view_penaltyproposal"),
                NavItem("移送处理", "supervision:referral_list", "supervision.view_referral"),
                NavItem("培训与指导", "supervision:training_list", "supervision.view_trainingsession"),
            ),
        )
    ]
    # The audit section (稽核股, auditors) runs everything: the plan, on-site and off-site supervision,
    # suspicious-data checks, 举报, referrals; county clerks (业务股) and auditors record the training
    # and guidance of the town centres (duty 4); town agents see their own town's inspections, sign
    # notices, answer reports, upload data and rectification reports; managers see it all. An
    # administrative penalty proposal (六(2)) is drafted and submitted by an auditor and approved by a
    # bureau leader (局领导) before it is sent.
    role_permissions = r.merged(
        r.every(r.COUNTY_STAFF, ["supervision.view_supervision"]),
        {
            r.TOWN_AGENT: ["supervision.view_supervision", "supervision.view_inspection",
                           "supervision.view_datarequest", "supervision.view_trainingsession",
                           "supervision.respond_inspection"],
            # a verified suspect item starts the benefits step it calls for (the county still reviews it)
            r.AUDITOR: [*_VIEW, "supervision.manage_supervision", "supervision.check_suspects",
                        "supervision.handle_reports", "supervision.manage_training",
                        "supervision.propose_penalty", "benefits.record_death", "benefits.request_suspension"],
            r.CLERK: ["supervision.view_trainingsession", "supervision.manage_training"],
            r.MANAGER: [*_VIEW, "supervision.approve_penalty"],
        },
    )  # fmt: skip
