from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "linggao_pension.org"
    label = "org"
    verbose_name = "机构与用户"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import roles

        # Groups and their permissions follow roles.py after every migrate. This keeps
        # configuration in step with code; it is not a business rule.
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="org.sync_roles")
