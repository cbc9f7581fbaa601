from django.apps import AppConfig

from linggao_pension.imports import ImportKind
from linggao_pension.navigation import NavItem, NavSection
from linggao_pension.org import roles as r

_VIEW = ["enrollment.view_person", "enrollment.view_enrollmentapplication", "enrollment.view_changerequest"]


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = "参保登记"

    # linggao_pension.registry: what this app declares.
    job_handlers = {"import_residents": "enrollment.services.residents_import_job"}
    job_labels = {"import_residents": "历史参保人员导入"}
    imports = [ImportKind(
        kind="import_residents", label="历史参保人员导入", perm="enrollment.import_persons",
        upload_url="enrollment:import_upload", done_url="enrollment:person_list", done_label="查看参保人员",
        success="已导入 {imported} 名参保人员，状态均为“正常参保”。",
    )]  # fmt: skip
    job_file_permissions = {"import_residents": "enrollment.import_persons"}
    demo_seeder = "enrollment.demo.seed"
    # The person page's 参保关系与转移终止 section (relationships, transfers and terminations).
    person_page_sections = ["enrollment.sections_relationships.person_section"]
    demo_order = 10
    nav_sections = [
        NavSection(
            "参保登记",
            (
                NavItem("参保登记", "enrollment:index", "enrollment.view_person"),
                NavItem("参保人员", "enrollment:person_list", "enrollment.view_person"),
                NavItem("参保登记申请", "enrollment:application_list", "enrollment.view_enrollmentapplication"),
                NavItem("信息变更", "enrollment:changerequest_list", "enrollment.view_changerequest"),
                NavItem("转移接续与终止", "enrollment:relationship_list", "enrollment.view_relationshipapplication"),
                NavItem("历史数据导入", "enrollment:import_upload", "enrollment.import_persons"),
            ),
        )
    ]
    # Town agents enter applications and change requests and submit them (镇初审); county clerks
    # review them (县复核) and run the go-live import; every role sees the registry, applications and
    # change requests of its scope. Town agents collect and correct their own town's people's data,
    # so they see the full record (身份证号, phone, account) of the people in their scope; every full
    # view is logged.
    role_permissions = r.merged(
        r.every(r.STAFF_ROLES, _VIEW),
        {
            r.TOWN_AGENT: ["enrollment.submit_enrollmentapplication", "enrollment.submit_changerequest",
                           "enrollment.view_person_full"],
            r.CLERK: ["enrollment.view_person_full", "enrollment.review_enrollmentapplication",
                      "enrollment.review_changerequest", "enrollment.import_persons"],
            r.AUDITOR: ["enrollment.view_person_full"],
        },
        # Transfers and terminations (issue 12): the town enters them with their evidence and submits
        # them; a county clerk who did not prepare one approves it (its money is settled then).
        r.every(r.STAFF_ROLES, ["enrollment.view_relationshipapplication"]),
        {r.TOWN_AGENT: ["enrollment.submit_relationshipapplication"],
         r.CLERK: ["enrollment.review_relationshipapplication"]},
    )  # fmt: skip
    home_todos = ["enrollment.todos.todos"]  # the home page's 待办 (linggao_pension.org.todos)
    kept_figures = {"enrollment.person_status": "enrollment.figures.person_status_by_town"}  # dashboards (org.figures)

    # Records that archives may attach scanned documents to (archives/records.py): how to find
    # each record's town and person, and the permission that shows it.
    archive_record_types = {
        "enrollment.person": {
            "title": "参保人", "town": "town", "person": "", "perm": "enrollment.view_person",
            "url": "enrollment:person_detail",
        },
        "enrollment.enrollmentapplication": {
            "title": "参保登记申请", "town": "town", "person": "person", "perm": "enrollment.view_enrollmentapplication",
            "url": "enrollment:application_detail",
        },
        "enrollment.relationshipapplication": {
            "title": "转移接续/终止申请", "town": "town", "person": "person",
            "perm": "enrollment.view_relationshipapplication", "url": "enrollment:relationship_detail",
        },
    }
