from django.apps import AppConfig

from linggao_pension.navigation import NavItem, NavSection
from linggao_pension.org import roles as r


class ArchivesConfig(AppConfig):
    name = "archives"
    verbose_name = "档案管理"

    # linggao_pension.registry: what this app declares.
    nav_sections = [NavSection("档案", (NavItem("档案", "archives:index", "archives.view_archives"),))]
    role_permissions = r.every(r.STAFF_ROLES, ["archives.view_archives"])
