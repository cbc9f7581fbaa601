"""Roles are Django groups with permissions. This module is the one place that says which role
may do what; `sync_roles` makes the groups match it after every migrate.

Each app adds the permissions of its own models and actions to ROLE_PERMISSIONS.
"""

from django.contrib.auth.models import Group, Permission

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

# "app_label.codename" for each role. Apps append theirs; every name here must exist (a test checks).
_MODULES = [
    "enrollment.view_person",
    "contributions.view_accountentry",
    "benefits.view_benefits",
]
_COUNTY_MODULES = _MODULES + ["supervision.view_supervision", "archives.view_archives", "reports.view_reports"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    TOWN_AGENT: ["org.view_jobrun", *_MODULES, "archives.view_archives"],
    CLERK: ["org.view_all_towns", "org.view_jobrun", *_COUNTY_MODULES, "enrollment.view_person_full"],
    FINANCE: ["org.view_all_towns", "org.view_jobrun", *_COUNTY_MODULES],
    AUDITOR: ["org.view_all_towns", "org.view_jobrun", "org.view_accesslog", *_COUNTY_MODULES,
              "enrollment.view_person_full"],
    MANAGER: ["org.view_all_towns", "org.view_jobrun", "org.view_accesslog", *_COUNTY_MODULES],
    ADMIN: [],  # every permission, see sync_roles
}

# enrollment: town agents enter applications and change requests and submit them (镇初审); county
# clerks review them (县复核) and run the go-live import; every role with the module sees the
# registry, applications and change requests of its scope. Town agents collect and correct their
# own town's people's data, so they see the full record (身份证号, phone, account) of the people in
# their scope; every full view is logged.
_ENROLLMENT_VIEW = ["enrollment.view_enrollmentapplication", "enrollment.view_changerequest"]
ROLE_PERMISSIONS[TOWN_AGENT] += [
    *_ENROLLMENT_VIEW, "enrollment.submit_enrollmentapplication", "enrollment.submit_changerequest",
    "enrollment.view_person_full",
]  # fmt: skip
ROLE_PERMISSIONS[CLERK] += [
    *_ENROLLMENT_VIEW, "enrollment.review_enrollmentapplication", "enrollment.review_changerequest",
    "enrollment.import_persons",
]  # fmt: skip
for _role in (FINANCE, AUDITOR, MANAGER):
    ROLE_PERMISSIONS[_role] += _ENROLLMENT_VIEW

# contributions: town agents record payments, print receipts and void their town's unconfirmed
# receipts; finance confirms town collections (划拨确认), voids confirmed ones, generates the month-end
# remittance and marks it remitted; county clerks (业务股, who keep the accounts) import bank files,
# reverse entries, record and review old-scheme/land credits and run year-end interest and 代缴;
# auditors and managers see everything, and a manager may also start the year-end interest posting
# and the month-end remittance from their pages (architecture.md "Batch jobs"): confirming receipts
# and marking a remittance remitted stay with finance (maker-checker).
_CONTRIB_VIEW = ["contributions.view_receipt", "contributions.view_interestposting"]
ROLE_PERMISSIONS[TOWN_AGENT] += ["contributions.view_receipt", "contributions.add_receipt", "contributions.void_receipt"]
ROLE_PERMISSIONS[FINANCE] += [
    *_CONTRIB_VIEW, "contributions.confirm_receipt", "contributions.void_receipt", "contributions.view_remittance",
    "contributions.add_remittance", "contributions.remit_remittance",
]  # fmt: skip
ROLE_PERMISSIONS[CLERK] += [
    *_CONTRIB_VIEW, "contributions.import_receipts", "contributions.reverse_accountentry",
    "contributions.view_specialcredit", "contributions.add_specialcredit", "contributions.review_specialcredit",
    "contributions.post_interest", "contributions.post_daijiao",
]  # fmt: skip
for _role in (AUDITOR, MANAGER):
    ROLE_PERMISSIONS[_role] += [*_CONTRIB_VIEW, "contributions.view_remittance", "contributions.view_specialcredit"]
ROLE_PERMISSIONS[MANAGER] += ["contributions.post_interest", "contributions.add_remittance"]

# benefits: town agents submit claims with the preliminary review (镇初审) and see their town's
# claims, 到龄名单 and pensions; county clerks determine claims (县核定) and import the legacy
# pensioners; finance generates, exports and closes the payroll and a second finance user reviews
# it (the service refuses the generator); auditors and managers see everything, and a manager may
# also start the month's payroll generation from its page (architecture.md "Batch jobs"): review,
# export and closing stay with finance.
_BENEFITS_VIEW = ["benefits.view_benefitclaim", "benefits.view_pension"]
ROLE_PERMISSIONS[TOWN_AGENT] += [*_BENEFITS_VIEW, "benefits.submit_claim"]
ROLE_PERMISSIONS[CLERK] += [
    *_BENEFITS_VIEW, "benefits.determine_claim", "benefits.import_pensioners", "benefits.view_payrollrun",
]  # fmt: skip
ROLE_PERMISSIONS[FINANCE] += [
    *_BENEFITS_VIEW, "benefits.view_payrollrun", "benefits.generate_payroll", "benefits.review_payroll",
    "benefits.export_payroll", "benefits.close_payroll",
]  # fmt: skip
for _role in (AUDITOR, MANAGER):
    ROLE_PERMISSIONS[_role] += [*_BENEFITS_VIEW, "benefits.view_payrollrun"]
ROLE_PERMISSIONS[MANAGER] += ["benefits.generate_payroll"]
# benefits lifecycle (issue 11): town agents record certifications and deaths and ask for
# suspensions/resumptions; county clerks review them and run recovery cases with the auditors;
# only a manager approves a write-off.
_LIFECYCLE_VIEW = [
    "benefits.view_certification", "benefits.view_suspension", "benefits.view_suspensionrequest",
    "benefits.view_deathreport", "benefits.view_heirsettlement", "benefits.view_recoverycase",
    "benefits.view_delegatedpayee", "benefits.view_delegatedprogramme",
]
ROLE_PERMISSIONS[TOWN_AGENT] += [*_LIFECYCLE_VIEW, "benefits.record_certification", "benefits.record_death",
                                 "benefits.request_suspension"]
ROLE_PERMISSIONS[CLERK] += [
    *_LIFECYCLE_VIEW, "benefits.record_certification", "benefits.record_death", "benefits.review_death",
    "benefits.review_suspension", "benefits.manage_recovery", "benefits.manage_delegated",
]  # fmt: skip
ROLE_PERMISSIONS[AUDITOR] += [*_LIFECYCLE_VIEW, "benefits.manage_recovery"]
ROLE_PERMISSIONS[FINANCE] += _LIFECYCLE_VIEW
ROLE_PERMISSIONS[MANAGER] += [*_LIFECYCLE_VIEW, "benefits.approve_writeoff"]

# supervision: the audit section (稽核股, auditors) runs everything: the plan, on-site and off-site
# supervision, suspicious-data checks, 举报, referrals; county clerks (业务股) and auditors record the
# training and guidance of the town centres (duty 4); town agents see their own town's inspections,
# sign notices, answer reports, upload data and rectification reports; managers see it all.
_SUPERVISION_VIEW = ["supervision.view_supervision", "supervision.view_inspection", "supervision.view_datarequest",
                     "supervision.view_suspectitem", "supervision.view_whistlereport",
                     "supervision.view_trainingsession", "supervision.view_referral"]
ROLE_PERMISSIONS[TOWN_AGENT] += ["supervision.view_supervision", "supervision.view_inspection",
                                 "supervision.view_datarequest", "supervision.view_trainingsession",
                                 "supervision.respond_inspection"]
ROLE_PERMISSIONS[AUDITOR] += [*_SUPERVISION_VIEW, "supervision.manage_supervision", "supervision.check_suspects",
                              "supervision.handle_reports", "supervision.manage_training"]
ROLE_PERMISSIONS[CLERK] += ["supervision.view_trainingsession", "supervision.manage_training"]
ROLE_PERMISSIONS[MANAGER] += _SUPERVISION_VIEW


# The system user (`system`, services.system_user) is the actor of scheduled jobs: it holds the
# permissions those jobs check and nothing else, in a role of its own that no person is given.
SYSTEM = "系统任务"
SYSTEM_PERMISSIONS = [
    "org.view_all_towns", "org.view_jobrun", "org.resume_jobrun", "benefits.generate_payroll",
    "benefits.record_certification",
    "contributions.post_interest", "contributions.post_daijiao", "contributions.add_remittance",
]  # fmt: skip
ROLE_PERMISSIONS[MANAGER] += ["org.resume_jobrun"]


def _permissions(names: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    apps = {app for app, _ in wanted}
    found = Permission.objects.filter(content_type__app_label__in=apps).select_related("content_type")
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


def sync_roles() -> None:
    """Create the role groups and give each exactly the permissions listed above."""
    for role in ALL_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        if role == ADMIN:
            group.permissions.set(Permission.objects.all())
        else:
            group.permissions.set(_permissions(ROLE_PERMISSIONS[role]))
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
