"""Build the monthly statistical report and the fund report, and store each build as filed.

A build computes every figure from the records (selectors), checks that it reconciles (the
county row is the sum of the towns, closing = opening + income − expenditure, the paid amount is
the payroll's), and stores the figures, the Excel and the PDF as a new version: a filed report
is never changed, a correction is a later version.
"""

import json
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from linggao_pension import periods
from linggao_pension.org.access import require_perm
from linggao_pension.org.models import JobRun
from linggao_pension.org.services import job_start, jobrun_progress, system_user

from .. import documents, selectors
from ..figures import (
    Figure,
    Group,
    complete_row,
    figures_of,
    from_json_value,
    fund_groups,
    monthly_groups,
    reconcile,
    to_json_value,
    total_row,
)
from ..models import BuiltReport

BUILD_JOB = "reports.build"
FORMATS = ("xlsx", "pdf", "json")


def parse_report_month(text: str, *, today: date) -> date:
    """A month to report on: a real YYYY-MM not after the current month (clear Chinese errors)."""
    try:
        month = periods.parse_month(text)
    except ValueError as exc:
        raise ValidationError({"month": str(exc)}) from None
    if month > periods.month_start(today):
        raise ValidationError({"month": "不能生成未来月份的报表"})
    if month.year < 2011:
        raise ValidationError({"month": "临高县城乡居民养老保险自 2011 年 7 月起实施，之前的月份没有报表"})
    return month


def report_compute(*, kind: str, month: date) -> tuple[list[Group], list[dict], dict]:
    """(groups, town rows, county row) with Decimal amounts, computed from the records."""
    if kind not in BuiltReport.Kind.values:
        raise ValidationError({"kind": "报表类型应为 monthly（统计月报）或 fund（基金收支月报）"})
    p = selectors.Period(month)
    with selectors.report_reads():
        if kind == BuiltReport.Kind.MONTHLY:
            grades = selectors.grades_of(month.year)
            groups = monthly_groups(grades)
            parts = [selectors.coverage(p), selectors.contributions(p, grades), selectors.benefits(p), selectors.fund(p)]
            parts += selectors.lifecycle_parts(p)
        else:
            groups = fund_groups()
            parts = [selectors.fund(p)]
        towns_ = selectors.towns()
        paid_total = selectors.payroll_paid_total(month) if kind == BuiltReport.Kind.MONTHLY else None
    figs = figures_of(groups)
    towns = []
    for town in towns_:
        row = {}
        for part in parts:
            row.update(part.get(town.pk, {}))
        towns.append({"town": town.name, **complete_row(row, figs)})
    total = total_row(towns, figs)
    problems = reconcile(towns, total, figs)
    if kind == BuiltReport.Kind.MONTHLY and total["实发金额"] != paid_total:
        problems.append("实发金额与当月发放批次的已支付合计不符")
    if problems:
        raise ValidationError("报表数字不平衡：" + "；".join(problems))
    return groups, towns, total


def report_json(*, month: date, groups: list[Group], towns: list[dict], total: dict) -> dict:
    """The JSON form: {"month", "towns": [{"town", figures...}], "total": {figures...}}, amounts as strings."""
    figs = figures_of(groups)
    return {
        "month": f"{month:%Y-%m}",
        "towns": [{"town": t["town"], **{f.name: to_json_value(f, t[f.name]) for f in figs}} for t in towns],
        "total": {f.name: to_json_value(f, total[f.name]) for f in figs},
    }


def report_rows(report: BuiltReport) -> tuple[list[Group], list[dict], dict]:
    """A stored report's figures back as values (what its pages and files show)."""
    groups = [Group(title, tuple(Figure(name, kind, tuple(of) if of else None) for name, kind, of in figs))
              for title, figs in report.groups]
    figs = {f.name: f for f in figures_of(groups)}

    def values(row):
        return {name: from_json_value(figs[name], v) for name, v in row.items() if name in figs}

    return groups, [{"town": t["town"], **values(t)} for t in report.data["towns"]], values(report.data["total"])


def report_build(*, kind: str, month: date, by, job: JobRun | None = None, files: bool = True) -> BuiltReport:
    """Compute and file one report as the next version of (kind, month), with its Excel and PDF.

    `files=False` (demo data only) files the figures and leaves the two files to be written from
    them on first download (report_file), which gives the same files.
    """
    require_perm(by, "reports.build_report")
    groups, towns, total = report_compute(kind=kind, month=month)
    if job:
        jobrun_progress(job=job, done=1, total=3)
    data = report_json(month=month, groups=groups, towns=towns, total=total)
    with transaction.atomic():
        # Versions are numbered under a lock on the month's earlier builds, so two builds at once
        # get 1 and 2; the unique constraint is the last word.
        earlier = BuiltReport.objects.select_for_update().filter(kind=kind, month=month)
        version = (earlier.aggregate(v=Max("version"))["v"] or 0) + 1
        report = BuiltReport(
            kind=kind, month=month, version=version, data=data, built_by=by, job=job,
            groups=[[g.title, [[f.name, f.kind, f.of] for f in g.figures]] for g in groups],
        )
        report.save()
        if files:
            _write_files(report, groups=groups, towns=towns, total=total, job=job)
    return report


def _write_files(report: BuiltReport, *, groups, towns, total, job=None) -> None:
    args = dict(kind=report.kind, month=report.month, groups=groups, towns=towns, total=total,
                version=report.version, issued_on=timezone.localtime(report.built_at).date())
    stem = f"{report.kind}-{report.month:%Y-%m}-v{report.version}"
    report.xlsx_file.save(f"{stem}.xlsx", ContentFile(documents.report_xlsx(**args)), save=False)
    if job:
        jobrun_progress(job=job, done=2, total=3)
    report.pdf_file.save(f"{stem}.pdf", ContentFile(documents.report_pdf(**args)), save=False)
    report.save(update_fields=["xlsx_file", "pdf_file"])


def report_build_start(*, kind: str, month: date, by) -> JobRun:
    """A manager's build from the reports page, run as a recorded job."""
    require_perm(by, "reports.build_report")
    if kind not in BuiltReport.Kind.values:
        raise ValidationError({"kind": "请选择报表"})
    return job_start(kind=BUILD_JOB, by=by, params={"kind": kind, "month": f"{month:%Y-%m}"})


def report_build_job(*, job: JobRun, by, kind: str, month: str) -> dict:
    report = report_build(kind=kind, month=periods.parse_month(month), by=by, job=job)
    return {"report": report.pk, "version": report.version, "label": report.label}


def reports_build_previous_month(*, today: date, by) -> list[BuiltReport]:
    """The beat job on the 1st: both reports for the month just ended, once (a rerun adds nothing)."""
    month = selectors.previous_month(periods.month_start(today))
    built = []
    for kind in BuiltReport.Kind.values:
        if not BuiltReport.objects.filter(kind=kind, month=month).exists():
            built.append(report_build(kind=kind, month=month, by=by))
    return built


def report_filename(report: BuiltReport, fmt: str) -> str:
    return f"{report.month:%Y年%m月}{report.get_kind_display()}（第{report.version}版）.{fmt}"


def report_files_ensure(report: BuiltReport) -> BuiltReport:
    """Write the Excel and PDF of a report filed without them (demo data), once, from its figures."""
    if not (report.xlsx_file and report.pdf_file):
        with transaction.atomic():
            report = BuiltReport.objects.select_for_update().get(pk=report.pk)
            if not (report.xlsx_file and report.pdf_file):
                groups, towns, total = report_rows(report)
                _write_files(report, groups=groups, towns=towns, total=total)
    return report


def report_file(report: BuiltReport, fmt: str) -> bytes:
    """The content of a filed report in a format (xlsx, pdf or json)."""
    if fmt == "json":
        return json.dumps(report.data, ensure_ascii=False, indent=1).encode()
    report = report_files_ensure(report)
    field = report.xlsx_file if fmt == "xlsx" else report.pdf_file
    with field.open("rb") as fh:
        return fh.read()

def system_actor():
    """The actor of scheduled builds and of commands run without --by."""
    return system_user()
