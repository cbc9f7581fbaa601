from celery.schedules import crontab
from django.apps import AppConfig

from linggao_pension.imports import ImportKind
from linggao_pension.navigation import NavItem, NavSection
from linggao_pension.org import roles as r

_VIEW = ["benefits.view_benefits", "benefits.view_benefitclaim", "benefits.view_pension"]
_LIFECYCLE_VIEW = [
    "benefits.view_certification", "benefits.view_suspension", "benefits.view_suspensionrequest",
    "benefits.view_deathreport", "benefits.view_heirsettlement", "benefits.view_recoverycase",
    "benefits.view_delegatedpayee", "benefits.view_delegatedprogramme", "benefits.view_otherpensionrecord",
]  # fmt: skip


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = "待遇核定与发放"

    # linggao_pension.registry: what this app declares.
    # The monthly payroll, its bank files, the bank return file and the go-live import of pensioners.
    job_handlers = {
        "benefits.payroll": "benefits.services.payroll_job",
        "benefits.payroll_export": "benefits.services.payroll_export_job",
        "benefits.payroll_close": "benefits.services.payroll_close_job",
        "benefits.import_pensioners": "benefits.services.pensioners_import_job",
        "benefits.import_certifications": "benefits.services.certification.certifications_import_job",
    }
    job_labels = {
        "benefits.payroll": "月度待遇发放（生成发放明细）",
        "benefits.payroll_export": "月度待遇发放（导出银行文件）",
        "benefits.payroll_close": "月度待遇发放（银行回盘入账）",
        "benefits.import_pensioners": "原系统待遇领取人员导入",
        "benefits.import_certifications": "省自助认证结果导入",
    }
    imports = [ImportKind(
        kind="benefits.import_pensioners", label="原系统待遇领取人员导入", perm="benefits.import_pensioners",
        upload_url="benefits:pensioner_import", done_url="benefits:pension_list", done_label="查看领取人员",
        success="已导入 {imported} 名待遇领取人员。",
    ), ImportKind(
        kind="benefits.import_certifications", label="省自助认证结果导入", perm="benefits.import_certifications",
        upload_url="benefits:certification_import", done_url="benefits:certification_list",
        done_label="查看认证名单", success="已导入 {imported} 条领取资格认证结果，因未认证暂停的人员已恢复发放。",
    )]  # fmt: skip
    # The monthly payroll, generated once on or after the payroll day (a parameter in the admin);
    # the task checks twice a day and does nothing when not due or already generated.
    beat_schedule = {
        "benefits-monthly-payroll": {
            "task": "benefits.tasks.payroll_monthly",
            "schedule": crontab(minute=15, hour="2,14"),
        },
    }
    person_page_sections = ["benefits.sections.person_section"]
    person_moved = ["benefits.services.pensions.pension_places_follow"]  # the pension's copy of town, village
    job_file_permissions = {
        "benefits.import_pensioners": "benefits.import_pensioners",
        "benefits.payroll_close": "benefits.close_payroll",
        "benefits.import_certifications": "benefits.import_certifications",
    }
    demo_seeder = "benefits.demo.seed"
    demo_order = 30
    nav_sections = [
        NavSection(
            "待遇",
            (
                NavItem("待遇", "benefits:index", "benefits.view_benefits"),
                NavItem("到龄名单", "benefits:due_list", "benefits.view_benefitclaim"),
                NavItem("待遇申领", "benefits:claim_list", "benefits.view_benefitclaim"),
                NavItem("领取人员", "benefits:pension_list", "benefits.view_pension"),
                NavItem("月度发放", "benefits:payroll_list", "benefits.view_payrollrun"),
                NavItem("领取资格认证", "benefits:certification_list", "benefits.view_certification"),
                NavItem("暂停/恢复领取", "benefits:suspension_request_list", "benefits.view_suspensionrequest"),
                NavItem("死亡登记", "benefits:death_list", "benefits.view_deathreport"),
                NavItem("待遇追回", "benefits:recovery_list", "benefits.view_recoverycase"),
                NavItem("代发项目", "benefits:programme_list", "benefits.view_delegatedprogramme"),
                NavItem("认证结果导入", "benefits:certification_import", "benefits.import_certifications"),
                NavItem("待遇人员导入", "benefits:pensioner_import", "benefits.import_pensioners"),
            ),
        )
    ]
    # Town agents submit claims with the preliminary review (镇初审) and see their town's claims,
    # 到龄名单 and pensions; county clerks determine claims (县核定) and import the legacy pensioners;
    # finance generates, exports and closes the payroll and a second finance user reviews it (the
    # service refuses the generator); auditors and managers see everything, and a manager may also
    # start the month's payroll generation from its page (architecture.md "Batch jobs"): review,
    # export and closing stay with finance.
    # Lifecycle (issue 11): town agents record certifications and deaths and ask for
    # suspensions/resumptions; county clerks review them and run recovery cases with the auditors;
    # only a manager approves a write-off.
    role_permissions = r.merged(
        r.every(r.STAFF_ROLES, _VIEW),
        r.every(r.STAFF_ROLES, _LIFECYCLE_VIEW),
        {
            r.TOWN_AGENT: ["benefits.record_certification", "benefits.record_death", "benefits.request_suspension"],
            r.CLERK: ["benefits.record_certification", "benefits.record_death", "benefits.review_death",
                      "benefits.review_suspension", "benefits.manage_recovery", "benefits.manage_delegated",
                      "benefits.import_certifications", "benefits.add_otherpensionrecord"],
            r.AUDITOR: ["benefits.manage_recovery"],
            r.MANAGER: ["benefits.approve_writeoff"],
        },
        {
            r.TOWN_AGENT: ["benefits.submit_claim"],
            r.CLERK: ["benefits.determine_claim", "benefits.import_pensioners", "benefits.view_payrollrun"],
            r.FINANCE: ["benefits.view_payrollrun", "benefits.generate_payroll", "benefits.review_payroll",
                        "benefits.export_payroll", "benefits.close_payroll"],
            r.AUDITOR: ["benefits.view_payrollrun"],
            r.MANAGER: ["benefits.view_payrollrun", "benefits.generate_payroll"],
        },
    )  # fmt: skip
    home_todos = ["benefits.todos.todos"]  # the home page's 待办 (linggao_pension.org.todos)
    kept_figures = {  # the dashboard's counts (org.figures)
        "benefits.pensioners": "benefits.figures.pensioners_by_town",
        "benefits.due_this_month": "benefits.figures.due_this_month_by_town",
    }

    # Records that archives may attach scanned documents to (archives/records.py).
    archive_record_types = {
        "benefits.benefitclaim": {
            "title": "待遇申领", "town": "person__town", "person": "person", "perm": "benefits.view_benefitclaim",
            "url": "benefits:claim_detail",
        },
        "benefits.pension": {
            "title": "养老金待遇", "town": "person__town", "person": "person", "perm": "benefits.view_pension",
            "url": "benefits:pension_detail",
        },
        "benefits.deathreport": {
            "title": "死亡登记", "town": "town", "person": "person", "perm": "benefits.view_deathreport",
            "url": "benefits:death_detail",
        },
        "benefits.recoverycase": {
            "title": "待遇追回案件", "town": "person__town", "person": "person", "perm": "benefits.view_recoverycase",
            "url": "benefits:recovery_detail",
        },
    }

    def ready(self):
        # The pensioner side of transfers and terminations (contributions may not import benefits).
        from contributions.services.exits import exit_provider_register

        from . import exits, settlement_exits  # noqa: F401 (settlement_exits registers the exit reasons)

        exit_provider_register(figures=exits.exit_figures, settled=exits.exit_settled)
