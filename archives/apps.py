from django.apps import AppConfig

from linggao_pension.imports import ImportKind
from linggao_pension.navigation import NavItem, NavSection
from linggao_pension.org import roles as r

_EVERYONE = [
    "archives.view_archives", "archives.view_policydocument", "archives.view_consultation",
    "archives.add_consultation", "archives.view_document",
]  # fmt: skip
_COUNTY_VIEW = ["archives.view_volume", "archives.view_certificate", "archives.view_registerentry"]


class ArchivesConfig(AppConfig):
    name = "archives"
    verbose_name = "档案管理"

    # linggao_pension.registry: what this app declares.
    # Every staff role reads the policy library and uses the consultation desk (towns 受理咨询 too);
    # town agents and auditors upload scans to the records they handle; county clerks (业务股, duty 5)
    # lend paper files, bind volumes, issue certificates and keep the registers; finance keeps the
    # registers of its 单; managers read everything and publish policies with the clerks.
    role_permissions = r.merged(
        r.every(r.STAFF_ROLES, _EVERYONE),
        r.every([r.CLERK, r.FINANCE, r.AUDITOR, r.MANAGER], _COUNTY_VIEW),
        {
            r.TOWN_AGENT: ["archives.add_document"],
            r.AUDITOR: ["archives.add_document"],
            r.CLERK: ["archives.add_document", "archives.lend_document", "archives.add_volume",
                      "archives.issue_certificate", "archives.add_registerentry", "archives.add_policydocument"],
            r.FINANCE: ["archives.add_registerentry"],
            r.MANAGER: ["archives.add_policydocument"],
        },
    )
    person_page_sections = ["archives.sections.person_section"]
    demo_seeder = "archives.demo.seed"
    demo_order = 60
    nav_sections = [
        NavSection(
            "档案与服务",
            (
                NavItem("档案", "archives:index", "archives.view_archives"),
                NavItem("电子档案", "archives:document_list", "archives.view_document"),
                NavItem("案卷", "archives:volume_list", "archives.view_volume"),
                NavItem("证明签发台账", "archives:certificate_list", "archives.view_certificate"),
                NavItem("单证台账", "archives:register_list", "archives.view_registerentry"),
                NavItem("咨询台", "archives:desk", "archives.add_consultation"),
                NavItem("政策文件", "archives:policy_list", "archives.view_policydocument"),
                NavItem("村/居委会名单导入", "org:village_import", "org.import_villages"),
            ),
        ),
    ]
    # The village list import is org data; its job is declared here with the rest of this issue.
    job_handlers = {"org.import_villages": "linggao_pension.org.villages.villages_import_job"}
    job_labels = {"org.import_villages": "村/居委会名单导入"}
    job_file_permissions = {"org.import_villages": "org.import_villages"}
    # ...and its outcome is shown by the one import result page (org:import_result, org:import_errors).
    imports = [ImportKind(
        kind="org.import_villages", label="村/居委会名单导入", perm="org.import_villages",
        upload_url="org:village_import",
        success="已导入 {imported} 个村/居委会；文件中已登记的村/居委会跳过，不重复添加。",
    )]  # fmt: skip
