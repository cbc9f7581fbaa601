"""Row builders for supervision's Excel exports (linggao_pension.exports: openpyxl write-only, frozen
header, 元 formats, totals row): the inspections with their findings (现场监督台账), and the
suspicious-data results (疑点核查结果). The querysets come from the list pages' filters, already
scoped to the user's town; ID numbers go through linggao_pension.masking (full only with
enrollment.view_person_full). The views log every download (org AccessLog, 下载)."""

from django.db.models import Count, Sum
from django.utils import timezone

from linggao_pension import exports
from linggao_pension.masking import shown_id

from .models import SCOPE_SHORT, Finding, Rectification

BUREAU = "临高县城乡居民社会养老保险局"

INSPECTION_COLUMNS = [
    exports.Column("编号", 14), exports.Column("年度", 6), exports.Column("监督方式", 16), exports.Column("监督项目", 24),
    exports.Column("被监督单位", 22), exports.Column("监督内容", 28), exports.Column("组长", 8),
    exports.Column("计划开始", 11), exports.Column("计划结束", 11), exports.Column("状态", 10),
    exports.Column("报告送达", 11), exports.Column("书面意见", 14), exports.Column("发现问题（条）", 8, total=True),
    exports.Column("涉及金额（元）", 14, money=True, total=True), exports.Column("未完成整改（项）", 8, total=True),
    exports.Column("结案日期", 11),
]
FINDING_COLUMNS = [
    exports.Column("监督编号", 14), exports.Column("被监督单位", 22), exports.Column("监督内容", 18),
    exports.Column("发现的问题", 48), exports.Column("涉及人数", 8, total=True),
    exports.Column("涉及金额（元）", 14, money=True, total=True), exports.Column("录入日期", 11),
]
SUSPECT_COLUMNS = [
    exports.Column("序号", 6), exports.Column("疑点类型", 24), exports.Column("镇/农场", 10), exports.Column("姓名", 10),
    exports.Column("身份证号", 20), exports.Column("事件日期", 11), exports.Column("涉及月份", 22),
    exports.Column("涉及金额（元）", 14, money=True, total=True), exports.Column("核查结果", 10),
    exports.Column("核查意见", 30), exports.Column("后续处理", 36), exports.Column("核查人", 10),
    exports.Column("发现日期", 11),
]


def _date(value):
    return timezone.localtime(value).date() if value else None


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _months(months: list[str]) -> str:
    if not months:
        return ""
    return months[0] if len(months) == 1 else f"{months[0]} 至 {months[-1]}（{len(months)} 个月）"


def inspection_rows(inspections):
    qs = (inspections.select_related("town", "village")
          .annotate(n_findings=Count("findings", distinct=True), amount=Sum("findings__amount_involved"))
          .order_by("year", "planned_start", "pk"))  # fmt: skip
    open_counts = dict(
        Rectification.objects.filter(inspection__in=inspections).exclude(status=Rectification.Status.VERIFIED)
        .values_list("inspection").annotate(n=Count("pk"))
    )
    for i in qs.iterator(chunk_size=500):
        yield [
            i.number, i.year, i.get_kind_display(), i.title, i.unit_label,
            "、".join(SCOPE_SHORT.get(c, c) for c in i.scope), i.team_leader, i.planned_start, i.planned_end,
            i.get_status_display(), i.report_sent_on, i.get_opinion_kind_display() if i.opinion_kind else "",
            i.n_findings, i.amount or 0, open_counts.get(i.pk, 0), i.closed_on,
        ]


def finding_rows(inspections):
    findings = (Finding.objects.filter(inspection__in=inspections)
                .select_related("inspection", "inspection__town", "inspection__village")
                .order_by("inspection__year", "inspection__planned_start", "inspection_id", "pk"))  # fmt: skip
    for f in findings.iterator(chunk_size=500):
        yield [
            f.inspection.number, f.inspection.unit_label, f.get_scope_display(), f.description, f.persons_involved,
            f.amount_involved, _date(f.created_at),
        ]


def inspections_xlsx(inspections) -> bytes:
    """现场监督台账: one row per inspection (findings, money involved, rectifications still open) and a
    second sheet with every finding. No personal data is listed."""
    printed = timezone.localtime()
    heading = [f"{BUREAU} 现场监督台账", f"导出时间 {printed:%Y-%m-%d %H:%M}"]
    wb = exports.new_workbook()
    exports.add_sheet(wb, "现场监督", INSPECTION_COLUMNS, inspection_rows(inspections), heading_lines=heading)
    exports.add_sheet(wb, "发现问题", FINDING_COLUMNS, finding_rows(inspections),
                      heading_lines=[f"{BUREAU} 现场监督发现问题清单"])
    return exports.workbook_bytes(wb)


def suspect_rows(items, viewer):
    qs = items.select_related("person__town", "decided_by").order_by("status", "-created_at", "-pk")
    for n, item in enumerate(qs.iterator(chunk_size=500), start=1):
        yield [
            n, item.get_kind_display(), item.person.town.name, item.name, shown_id(item.id_number, viewer),
            item.event_date, _months(item.months), item.amount, item.get_status_display(), item.reason,
            item.action, _who(item.decided_by),
            _date(item.created_at),
        ]


def suspects_xlsx(items, viewer) -> bytes:
    """疑点核查结果: the filtered items, ID numbers masked unless the viewer may see them in full."""
    printed = timezone.localtime()
    heading = [f"{BUREAU} 疑点核查结果", f"导出时间 {printed:%Y-%m-%d %H:%M}"]
    wb = exports.new_workbook()
    exports.add_sheet(wb, "疑点核查结果", SUSPECT_COLUMNS, suspect_rows(items, viewer), heading_lines=heading)
    return exports.workbook_bytes(wb)

