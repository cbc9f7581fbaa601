from celery.schedules import crontab
from django.apps import AppConfig

from linggao_pension.imports import ImportKind
from linggao_pension.navigation import NavItem, NavSection
from linggao_pension.org import roles as r

_VIEW = ["contributions.view_receipt", "contributions.view_interestposting"]


class ContributionsConfig(AppConfig):
    name = "contributions"
    verbose_name = "保费征缴与个人账户"

    # linggao_pension.registry: what this app declares.
    # The year-end and month-end batches (their commands run the same handlers).
    job_handlers = {
        "contributions.post_interest": "contributions.services.interest_post_job",
        "contributions.post_daijiao": "contributions.services.daijiao_post_job",
        "contributions.remit_premiums": "contributions.services.remittance_generate_job",
        "contributions.import_receipts": "contributions.services.receipts_import_job",
    }
    job_labels = {
        "contributions.post_interest": "年度结息",
        "contributions.post_daijiao": "政府代缴入账",
        "contributions.remit_premiums": "保费上缴财政专户",
        "contributions.import_receipts": "银行代收缴费导入",
    }
    # The bank collection file (银行代收): uploaded, checked and imported as a job, all or nothing.
    imports = [ImportKind(
        kind="contributions.import_receipts", label="银行代收缴费导入", perm="contributions.import_receipts",
        upload_url="contributions:receipt_import", done_url="contributions:receipt_list", done_label="查看缴费记录",
        success="已导入 {imported} 条缴费记录并记入个人账户。",
    )]  # fmt: skip
    job_file_permissions = {"contributions.import_receipts": "contributions.import_receipts"}
    # Year-end interest on 1 January for the year just ended (R6); the month-end remittance to the
    # fiscal special account, which acts only on the last day of the month (R18).
    beat_schedule = {
        "contributions-post-interest": {
            "task": "contributions.tasks.post_interest_for_last_year",
            "schedule": crontab(minute=30, hour=1, day_of_month=1, month_of_year=1),
        },
        "contributions-remit-premiums": {
            "task": "contributions.tasks.remit_premiums_month_end",
            "schedule": crontab(minute=0, hour=22, day_of_month="28-31"),
        },
    }
    person_page_sections = ["contributions.views.person_account_section"]
    person_moved = ["contributions.services.ledger_totals.ledger_totals_person_moved"]  # month totals by town
    demo_seeder = "contributions.demo.seed"
    demo_order = 20
    nav_sections = [
        NavSection(
            "保费征缴",
            (
                NavItem("保费征缴", "contributions:index", "contributions.view_accountentry"),
                NavItem("缴费票据", "contributions:receipt_list", "contributions.view_receipt"),
                NavItem("登记缴费", "contributions:receipt_create", "contributions.add_receipt"),
                NavItem("银行代收导入", "contributions:receipt_import", "contributions.import_receipts"),
                NavItem("年度结息与代缴", "contributions:year_end", "contributions.view_interestposting"),
                NavItem("上缴财政专户", "contributions:remittance_list", "contributions.view_remittance"),
                NavItem("老农保/被征地", "contributions:special_list", "contributions.view_specialcredit"),
                NavItem("退款", "contributions:refund_list", "contributions.view_refund"),
            ),
        )
    ]
    # Town agents record payments, print receipts and void their town's unconfirmed receipts; finance
    # confirms town collections (划拨确认), voids confirmed ones, generates the month-end remittance
    # and marks it remitted; county clerks (业务股, who keep the accounts) import bank files, reverse
    # entries, record and review old-scheme/land credits and run year-end interest and 代缴;
    # auditors and managers see everything, and a manager may also start the year-end interest
    # posting and the month-end remittance from their pages (architecture.md "Batch jobs"):
    # confirming receipts and marking a remittance remitted stay with finance (maker-checker).
    role_permissions = r.merged(
        r.every(r.STAFF_ROLES, ["contributions.view_accountentry"]),
        {
            r.TOWN_AGENT: ["contributions.view_receipt", "contributions.add_receipt", "contributions.void_receipt"],
            r.FINANCE: [*_VIEW, "contributions.confirm_receipt", "contributions.void_receipt",
                        "contributions.view_remittance", "contributions.add_remittance",
                        "contributions.remit_remittance"],
            r.CLERK: [*_VIEW, "contributions.import_receipts", "contributions.reverse_accountentry",
                      "contributions.view_specialcredit", "contributions.add_specialcredit",
                      "contributions.review_specialcredit", "contributions.post_interest",
                      "contributions.post_daijiao"],
        },
        r.every([r.AUDITOR, r.MANAGER], [*_VIEW, "contributions.view_remittance", "contributions.view_specialcredit"]),
        {r.MANAGER: ["contributions.post_interest", "contributions.add_remittance"]},
        # Refunds of terminations: everyone sees them in scope; finance makes the refund bank file and
        # another finance user confirms it paid.
        r.every(r.STAFF_ROLES, ["contributions.view_refund"]),
        {r.FINANCE: ["contributions.pay_refund"]},
    )  # fmt: skip
    home_todos = ["contributions.todos.todos"]  # the home page's 待办 (linggao_pension.org.todos)

    def ready(self):
        # An approved transfer or termination is settled here, then ends the relationship in enrollment
        # (enrollment never imports contributions).
        from enrollment.relationships import settler_register

        from .services.exits import relationship_application_settle

        settler_register(relationship_application_settle)
