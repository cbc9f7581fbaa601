"""Roles are Django groups with permissions. This module is the one place that says which role
may do what; `sync_roles` makes the groups match it after every migrate.

Each app declares the permissions of its own models and actions in its AppConfig
(`role_permissions`, linggao_pension.registry); this module names the roles and applies them.
"""

TOWN_AGENT = "镇/农场经办员"
CLERK = "县局经办员"
FINANCE = "财务"
AUDITOR = "稽核员"
MANAGER = "局领导"
ADMIN = "系统管理员"

ALL_ROLES = [TOWN_AGENT, CLERK, FINANCE, AUDITOR, MANAGER, ADMIN]
COUNTY_ROLES = [CLERK, FINANCE, AUDITOR, MANAGER, ADMIN]

ROLE_DESCRIPTIONS = {
    TOWN_AGENT: "采集本镇/农场参保人信息、收缴保费、提交初审；只能看到本镇/农场的人员",
    CLERK: "县局业务股：复核参保登记、信息变更、待遇核定、转移与终止",
    FINANCE: "县局财务：确认保费划拨、上缴财政专户、月度待遇发放",
    AUDITOR: "稽核股：监督检查、疑点数据核查、待遇追回",
    MANAGER: "局领导：查看全县数据、报表与批处理任务",
    ADMIN: "系统管理员：用户、机构与参数配置",
}

STAFF_ROLES = [TOWN_AGENT, CLERK, FINANCE, AUDITOR, MANAGER]  # every role but the admin (who has all)
COUNTY_STAFF = [CLERK, FINANCE, AUDITOR, MANAGER]

# The system user (`system`, services.system_user) is the actor of scheduled jobs: it holds the
# permissions those jobs check and nothing else, in a role of its own that no person is given.
SYSTEM = "系统任务"
SYSTEM_PERMISSIONS = [
    "org.view_all_towns", "org.view_jobrun", "org.resume_jobrun", "benefits.generate_payroll",
    "benefits.record_certification", "reports.build_report",
    "contributions.post_interest", "contributions.post_daijiao", "contributions.add_remittance",
    "contributions.import_receipts",
]  # fmt: skip


def every(roles: list[str], names: list[str]) -> dict[str, list[str]]:
    """{role: names} for each of `roles`: for an app's `role_permissions` declaration."""
    return {role: list(names) for role in roles}


def merged(*parts: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in parts:
        for role, names in part.items():
            out.setdefault(role, []).extend(names)
    return out


def role_permissions() -> dict[str, list[str]]:
    """"app_label.codename" for each role, as the apps declare them (their AppConfig's
    `role_permissions`, linggao_pension.registry); every name must exist (a test checks)."""
    from linggao_pension import registry

    return registry.role_permissions()


def _permissions(names: list[str]) -> list:
    from django.contrib.auth.models import Permission

    wanted = {tuple(name.split(".", 1)) for name in names}
    apps = {app for app, _ in wanted}
    found = Permission.objects.filter(content_type__app_label__in=apps).select_related("content_type")
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


def sync_roles() -> None:
    """Create the role groups and give each exactly the permissions the apps declare."""
    from django.contrib.auth.models import Group, Permission

    declared = role_permissions()
    for role in ALL_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        if role == ADMIN:
            group.permissions.set(Permission.objects.all())
        else:
            group.permissions.set(_permissions(declared.get(role, [])))
    group, _ = Group.objects.get_or_create(name=SYSTEM)
    group.permissions.set(_permissions(SYSTEM_PERMISSIONS))
    from .services import system_user

    system_user().groups.set([group])


def sync_roles_after_migrate(sender, **kwargs) -> None:
    # Sent once per app; permissions of later apps appear as their turn comes, so run each time
    # (idempotent) and the last call leaves every group complete.
    sync_roles()


def has_role(user, role: str) -> bool:
    return user.is_authenticated and any(g.name == role for g in user.groups.all())
