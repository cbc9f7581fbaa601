"""The job page: a way back to the record, parameters in words, amounts with separators, and no
"已开始生成" once the job has finished."""

from datetime import date

import pytest
from django.contrib.messages import constants, get_messages
from django.urls import reverse

from benefits.models import PayrollRun
from linggao_pension.org.models import JobRun

from .html import doc, text

pytestmark = pytest.mark.django_db


def _job(user, kind, params, result, status=JobRun.Status.SUCCEEDED):
    return JobRun.objects.create(kind=kind, started_by=user, status=status, params=params, result=result)


def test_export_job_links_back_to_its_payroll_with_readable_parameters(client, finance):
    run = PayrollRun.objects.create(month=date(2026, 11, 1))
    job = _job(finance, "benefits.payroll_export", {"run": run.pk},
               {"month": "2026-11", "lines": 1234, "total": "1234567.8"})
    client.force_login(finance)
    page = doc(client.get(reverse("org:jobrun_detail", args=[job.pk])))
    link = page.xpath("//a[@data-record-link]")[0]
    assert link.get("href") == reverse("benefits:payroll_detail", args=[run.pk])
    assert text(link) == "返回2026年11月月度发放"
    body = text(page)
    assert "发放批次 2026年11月发放" in body and "run=" not in body
    assert "1,234,567.80" in body and "1,234" in body and "2026年11月" in body


def test_payroll_job_links_to_the_month_it_generated(client, finance):
    run = PayrollRun.objects.create(month=date(2026, 10, 1))
    job = _job(finance, "benefits.payroll", {"month": "2026-10"}, {"lines": 3, "total": "4500.00", "created": 3})
    client.force_login(finance)
    page = doc(client.get(reverse("org:jobrun_detail", args=[job.pk])))
    assert page.xpath("//a[@data-record-link]")[0].get("href") == reverse("benefits:payroll_detail", args=[run.pk])
    assert "月份 2026年10月" in text(page) and "4,500.00" in text(page)


def test_import_job_hides_where_the_file_was_stored(client, clerk):
    job = _job(clerk, "import_residents", {"stored": "imports/abc.xlsx", "filename": "花名册.xlsx"}, {"imported": 2})
    client.force_login(clerk)
    body = text(doc(client.get(reverse("org:jobrun_detail", args=[job.pk]))))
    assert "文件名 花名册.xlsx" in body and "imports/abc.xlsx" not in body and "查看导入结果" in body


def test_started_message_is_not_shown_under_a_finished_job(client, finance):
    job = _job(finance, "benefits.payroll", {"month": "2026-10"}, {"lines": 0, "total": "0.00", "created": 0})
    client.force_login(finance)
    # What the start view says on its way to the job page.
    response = client.get(reverse("home"))
    request = response.wsgi_request
    get_messages(request).add(constants.INFO, "已开始生成2026年10月的发放明细")
    get_messages(request).update(response)
    client.cookies.update(response.cookies)
    page = client.get(reverse("org:jobrun_detail", args=[job.pk])).content.decode()
    assert "已开始生成" not in page


def test_started_message_stays_while_the_job_runs(client, finance):
    job = _job(finance, "benefits.payroll", {"month": "2026-10"}, {}, status=JobRun.Status.RUNNING)
    client.force_login(finance)
    response = client.get(reverse("home"))
    get_messages(response.wsgi_request).add(constants.INFO, "已开始生成2026年10月的发放明细")
    get_messages(response.wsgi_request).update(response)
    client.cookies.update(response.cookies)
    assert "已开始生成" in client.get(reverse("org:jobrun_detail", args=[job.pk])).content.decode()


def test_report_build_job_links_to_the_built_report_in_words(client, manager):
    """The reports page sends a build to its job page: once built, the page leads to the report (its
    Excel and PDF downloads), and the parameters and result read in Chinese, not `kind monthly`."""
    from reports.models import BuiltReport

    report = BuiltReport.objects.create(kind="monthly", month=date(2026, 3, 1), version=1, built_by=manager, data={})
    job = _job(manager, "reports.build", {"kind": "monthly", "month": "2026-03"},
               {"report": report.pk, "version": 1, "label": report.label})
    client.force_login(manager)
    page = doc(client.get(reverse("org:jobrun_detail", args=[job.pk])))
    link = page.xpath("//a[@data-record-link]")[0]
    assert link.get("href") == reverse("reports:report_detail", args=[report.pk])
    assert text(link) == f"查看{report.label}（下载 Excel、PDF）"
    body = text(page)
    assert "类型 统计月报" in body and "月份 2026年03月" in body and "报表编号" in body and "版本" in body
    assert "kind" not in body and "monthly" not in body
    running = _job(manager, "reports.build", {"kind": "monthly", "month": "2026-03"}, {},
                   status=JobRun.Status.RUNNING)
    link = doc(client.get(reverse("org:jobrun_detail", args=[running.pk]))).xpath("//a[@data-record-link]")[0]
    assert link.get("href") == reverse("reports:index") and text(link) == "返回统计报表"
