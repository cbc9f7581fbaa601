"""Building, filing and downloading the reports; the command; who may see what."""

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from linggao_pension.org.models import AccessLog, JobRun
from reports.models import BuiltReport
from reports.services.statistical import report_build

from .conftest import MARCH


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.django_db
def test_a_build_is_filed_and_a_rebuild_is_a_new_version(county, manager):
    first = report_build(kind="monthly", month=MARCH, by=manager)
    filed = first.xlsx_file.read()
    second = report_build(kind="monthly", month=MARCH, by=manager)
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    first.xlsx_file.open("rb")
    assert first.xlsx_file.read() == filed  # the filed version is never rewritten
    assert BuiltReport.objects.filter(kind="monthly", month=MARCH).count() == 2


@pytest.mark.django_db
def test_excel_layout(county, manager):
    report = report_build(kind="monthly", month=MARCH, by=manager)
    ws = load_workbook(report.xlsx_file.path).active
    assert ws["A1"].value == "临高县城乡居民基本养老保险统计月报"
    assert "2026年3月" in ws["A2"].value and "单位：人、笔、元" in ws["A2"].value
    assert ws.freeze_panes == "B5"
    assert "A3:A4" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["B3"].value == "参保情况" and ws["B4"].value == "参保人数"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    rows = {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1)}
    heads = {ws.cell(4, c).value: c for c in range(2, ws.max_column + 1)}
    assert ws.cell(rows["临城镇"], heads["实发金额"]).value == 301
    assert ws.cell(rows["全县合计"], heads["期末余额"]).value == 1390
    assert ws.cell(rows["全县合计"], heads["期末余额"]).number_format == "#,##0.00"
    assert any("制表人" in str(ws.cell(r, 1).value or "") for r in range(5, ws.max_row + 1))


@pytest.mark.django_db
def test_pdf_has_the_chinese_title_and_signatures(county, manager):
    report = report_build(kind="fund", month=MARCH, by=manager)
    text = _pdf_text(report.pdf_file.read())
    assert "临高县城乡居民基本养老保险基金收支月报" in text
    assert "单位负责人" in text and "全县合计" in text
    assert "1,390.00" in text


@pytest.mark.django_db
def test_command_writes_json_with_the_issue_keys(county, manager, tmp_path, system_user):
    out = tmp_path / "m.json"
    call_command("build_report", "monthly", "--month", "2026-03", "--format", "json", "--out", str(out))
    data = json.loads(out.read_text())
    assert set(data) == {"month", "towns", "total"}
    assert data["total"]["实发金额"] == "301.00"
    assert {"town": "临城镇"}.items() <= data["towns"][0].items()
    xlsx = tmp_path / "f.xlsx"
    call_command("build_report", "fund", "--month", "2026-03", "--format", "xlsx", "--out", str(xlsx), "--by", "manager")
    assert load_workbook(xlsx).active["A1"].value.endswith("基金收支月报")
    assert BuiltReport.objects.get(kind="fund").built_by == manager


@pytest.mark.django_db
@pytest.mark.parametrize("month, message", [
    ("2026-13", "月"), ("99999999-01", "月"), ("2099-01", "不能生成未来月份的报表"), ("2009-01", "2011"),
])
def test_command_refuses_bad_months_and_files_nothing(county, manager, tmp_path, month, message):
    with pytest.raises(CommandError, match=message):
        call_command("build_report", "monthly", "--month", month, "--format", "pdf", "--out", str(tmp_path / "x"),
                     "--by", "manager")
    assert not BuiltReport.objects.exists()


@pytest.mark.django_db
def test_manager_builds_from_the_page_and_downloads(client, county, manager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:build"), {"kind": "monthly", "month": "2026-03"})
    job = JobRun.objects.get(kind="reports.build")
    job.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == reverse("org:jobrun_detail", args=[job.pk])
    assert job.status == JobRun.Status.SUCCEEDED
    report = BuiltReport.objects.get()
    page = client.get(reverse("reports:index"))
    assert "2026年3月" in page.content.decode()
    for fmt, ctype in (("xlsx", "spreadsheetml"), ("pdf", "application/pdf")):
        download = client.get(reverse("reports:report_download", args=[report.pk, fmt]))
        assert download.status_code == 200 and ctype in download["Content-Type"]
        assert "attachment" in download["Content-Disposition"]
    assert AccessLog.objects.filter(user=manager, object_id=str(report.pk)).count() == 2
    detail = client.get(reverse("reports:report_detail", args=[report.pk]))
    assert "实发金额" in detail.content.decode()


@pytest.mark.django_db
def test_a_future_month_is_refused_at_the_field(client, county, manager):
    client.force_login(manager)
    response = client.post(reverse("reports:build"), {"kind": "monthly", "month": "2099-01"})
    assert response.status_code == 400
    assert "不能生成未来月份的报表" in response.content.decode()
    assert not JobRun.objects.filter(kind="reports.build").exists()


@pytest.mark.django_db
def test_town_agent_cannot_download_the_county_report(client, county, manager, agent):
    report = report_build(kind="monthly", month=MARCH, by=manager)
    client.force_login(agent)
    for url in (reverse("reports:index"), reverse("reports:report_download", args=[report.pk, "pdf"]),
                reverse("reports:report_detail", args=[report.pk]), reverse("reports:dashboard")):
        assert client.get(url).status_code == 403
    assert client.post(reverse("reports:build"), {"kind": "monthly", "month": "2026-03"}).status_code == 403
    assert BuiltReport.objects.count() == 1


@pytest.mark.django_db
def test_unknown_format_is_404(client, county, manager):
    report = report_build(kind="monthly", month=MARCH, by=manager)
    client.force_login(manager)
    assert client.get(reverse("reports:report_download", args=[report.pk, "exe"])).status_code == 404


@pytest.mark.django_db
def test_scheduled_build_files_both_reports_once(county, system_user):
    from reports.services.statistical import reports_build_previous_month

    built = reports_build_previous_month(today=date(2026, 4, 1), by=system_user)
    assert sorted(r.kind for r in built) == ["fund", "monthly"]
    assert reports_build_previous_month(today=date(2026, 4, 1), by=system_user) == []
    assert BuiltReport.objects.count() == 2


@pytest.mark.django_db
def test_a_report_filed_without_files_writes_them_once_from_its_figures(client, county, manager):
    report = report_build(kind="monthly", month=MARCH, by=manager, files=False)
    assert not report.xlsx_file and not report.pdf_file
    client.force_login(manager)
    download = client.get(reverse("reports:report_download", args=[report.pk, "xlsx"]))
    ws = load_workbook(io.BytesIO(download.getvalue())).active
    heads = {ws.cell(4, c).value: c for c in range(2, ws.max_column + 1)}
    total_row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value == "全县合计")
    assert ws.cell(total_row, heads["期末余额"]).value == 1390
    report.refresh_from_db()
    stored = report.pdf_file.name
    assert stored and report.xlsx_file
    client.get(reverse("reports:report_download", args=[report.pk, "pdf"]))
    report.refresh_from_db()
    assert report.pdf_file.name == stored  # written once
