"""The navigation each role sees. An item shows when the user holds its permission.

Apps add their sections here; the permission is the same one their views check, so the menu
never offers a page that would answer 403. (Hiding a link is never the check itself.)
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str | None = None  # None: every signed-in user


@dataclass(frozen=True)
class NavSection:
    title: str
    items: tuple[NavItem, ...]


SECTIONS: list[NavSection] = [
    NavSection("工作台", (NavItem("首页", "home"),)),
    NavSection(
        "参保登记",
        (
            NavItem("参保登记", "enrollment:index", "enrollment.view_person"),
            NavItem("参保人员", "enrollment:person_list", "enrollment.view_person"),
            NavItem("参保登记申请", "enrollment:application_list", "enrollment.view_enrollmentapplication"),
            NavItem("信息变更", "enrollment:changerequest_list", "enrollment.view_changerequest"),
            NavItem("历史数据导入", "enrollment:import_upload", "enrollment.import_persons"),
        ),
    ),
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
        ),
    ),
    NavSection(
        "待遇",
        (
            NavItem("待遇", "benefits:index", "benefits.view_benefits"),
            NavItem("到龄名单", "benefits:due_list", "benefits.view_benefitclaim"),
            NavItem("待遇申领", "benefits:claim_list", "benefits.view_benefitclaim"),
            NavItem("领取人员", "benefits:pension_list", "benefits.view_pension"),
            NavItem("月度发放", "benefits:payroll_list", "benefits.view_payrollrun"),
            NavItem("待遇人员导入", "benefits:pensioner_import", "benefits.import_pensioners"),
        ),
    ),
    NavSection(
        "监督检查",
        (
            NavItem("监督检查", "supervision:index", "supervision.view_supervision"),
            NavItem("年度监督计划", "supervision:plan_list", "supervision.view_inspection"),
            NavItem("现场监督", "supervision:inspection_list", "supervision.view_inspection"),
            NavItem("非现场监督", "supervision:request_list", "supervision.view_datarequest"),
            NavItem("疑点核查", "supervision:suspect_list", "supervision.view_suspectitem"),
            NavItem("举报受理", "supervision:report_list", "supervision.view_whistlereport"),
            NavItem("移送处理", "supervision:referral_list", "supervision.view_referral"),
            NavItem("培训与指导", "supervision:training_list", "supervision.view_trainingsession"),
        ),
    ),
    NavSection("档案", (NavItem("档案", "archives:index", "archives.view_archives"),)),
    NavSection("统计报表", (NavItem("统计报表", "reports:index", "reports.view_reports"),)),
    NavSection(
        "系统",
        (
            NavItem("批处理任务", "org:jobrun_list", "org.view_jobrun"),
            NavItem("个人信息查看日志", "org:accesslog_list", "org.view_accesslog"),
        ),
    ),
]


def _active_url(path: str, urls: list[str]) -> str | None:
    """The one menu address the page belongs to: the longest one the path starts with
    ("/" only for itself), so 参保人员 lights up on a person's page and 参保登记 does not."""
    matches = [url for url in urls if path == url or (url != "/" and path.startswith(url))]
    return max(matches, key=len, default=None)


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    sections = []
    for section in SECTIONS:
        items = [
            {"label": item.label, "url": reverse(item.url_name)}
            for item in section.items
            if item.perm is None or user.has_perm(item.perm)
        ]
        if items:
            sections.append({"title": section.title, "items": items})
    active = _active_url(request.path, [item["url"] for s in sections for item in s["items"]])
    for section in sections:
        for item in section["items"]:
            item["active"] = item["url"] == active
    return {"nav_sections": sections}
