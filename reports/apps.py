from celery.schedules import crontab
from django.apps import AppConfig

from linggao_pension.navigation import NavItem, NavSection
from linggao_pension.org import roles as r

_COUNTY = ["reports.view_reports", "reports.view_disclosure"]


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "统计报表"

    # linggao_pension.registry: what this app declares.
    job_handlers = {"reports.build": "reports.services.statistical.report_build_job"}
    job_labels = {"reports.build": "生成统计报表"}
    # The 1st of each month, early morning: both reports of the month just ended (filed once).
    beat_schedule = {
        "reports-build-last-month": {
            "task": "reports.tasks.build_reports_for_last_month",
            "schedule": crontab(minute=30, hour=3, day_of_month=1),
        },
    }
    demo_seeder = "reports.demo.seed"
    demo_order = 90  # after every app whose records the reports read
    nav_sections = [
        NavSection("统计报表", (
            NavItem("统计报表", "reports:index", "reports.view_reports"),
            NavItem("局领导看板", "reports:dashboard", "reports.view_dashboard"),
            NavItem("村（居）公示表", "reports:disclosure", "reports.view_disclosure"),
            NavItem("工作计划与总结", "reports:workplan_list", "reports.view_reports"),
        )),
    ]
    # Town agents print their own villages' disclosure lists; the county report is the county's.
    # Clerks (业务股), finance and managers build reports; managers and clerks keep the work plan.
    role_permissions = {
        r.TOWN_AGENT: ["reports.view_disclosure"],
        r.CLERK: [*_COUNTY, "reports.build_report", "reports.manage_workplan"],
        r.FINANCE: [*_COUNTY, "reports.build_report"],
        r.AUDITOR: _COUNTY,
        r.MANAGER: [*_COUNTY, "reports.build_report", "reports.view_dashboard", "reports.manage_workplan"],
    }
