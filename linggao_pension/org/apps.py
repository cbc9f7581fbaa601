from django.apps import AppConfig
from django.conf import settings

from linggao_pension.navigation import NavItem, NavSection

from . import roles as r


class OrgConfig(AppConfig):
    name = "linggao_pension.org"
    label = "org"
    verbose_name = "机构与用户"

    # linggao_pension.registry: what this app declares.
    # Stalled jobs (no heartbeat for JOB_STALL_SECONDS) are resumed every JOB_RESUME_EVERY_SECONDS.
    beat_schedule = {
        "org-resume-stalled-jobs": {
            "task": "linggao_pension.org.tasks.jobs_resume_stalled",
            "schedule": float(settings.JOB_RESUME_EVERY_SECONDS),
        },
        "org-refresh-figures": {
            "task": "linggao_pension.org.tasks.figures_refresh",
            "schedule": float(settings.KEPT_FIGURES_SECONDS),
        },
    }
    demo_seeder = "linggao_pension.org.demo.seed"
    demo_order = 0
    nav_sections = [
        NavSection("工作台", (NavItem("首页", "home"),), order=0),
        NavSection(
            "系统",
            (
                NavItem("批处理任务", "org:jobrun_list", "org.view_jobrun"),
                NavItem("个人信息查看日志", "org:accesslog_list", "org.view_accesslog"),
            ),
            order=100,
        ),
    ]
    # County staff see every town; everyone follows their own jobs; auditors and managers read the access log.
    role_permissions = r.merged(
        r.every(r.STAFF_ROLES, ["org.view_jobrun"]),
        r.every(r.COUNTY_STAFF, ["org.view_all_towns"]),
        r.every([r.AUDITOR, r.MANAGER], ["org.view_accesslog"]),
        {r.MANAGER: ["org.resume_jobrun"]},
    )

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from linggao_pension import registry
        from linggao_pension.celery import app as celery_app

        # Groups and their permissions follow the apps' declarations after every migrate. This keeps
        # configuration in step with code; it is not a business rule.
        post_migrate.connect(r.sync_roles_after_migrate, dispatch_uid="org.sync_roles")
        # The one beat schedule, gathered from the apps (beat wrappers live in each app's tasks.py).
        celery_app.conf.beat_schedule = registry.beat_schedule()
