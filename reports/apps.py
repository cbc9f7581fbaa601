from django.apps import AppConfig

from linggao_pension.navigation import NavItem, NavSection
from linggao_pension.org import roles as r


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "统计报表"

    # linggao_pension.registry: what this app declares.
    nav_sections = [NavSection("统计报表", (NavItem("统计报表", "reports:index", "reports.view_reports"),))]
    role_permissions = r.every(r.COUNTY_STAFF, ["reports.view_reports"])
