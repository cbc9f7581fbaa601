"""The certification results upload page: what `import_certifications FILE.xlsx` does, as a job whose
result is shown on org:import_result; all or nothing; the template; clerks only."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from benefits.models import Certification, Suspension
from benefits.services import payroll_generate
from benefits.services.certification import CERT_HEADERS
from linggao_pension.org.models import JobRun
from tests.factories import PensionFactory

from .conftest import at, xlsx

pytestmark = pytest.mark.django_db
URL = "benefits:certification_import"


def upload(rows, name="认证结果.xlsx"):
    buffer = xlsx(CERT_HEADERS, rows)
    buffer.name = name
    return buffer


def test_upload_imports_all_and_resumes_the_suspended(client, town, other_town, clerk, finance,
                                                     django_capture_on_commit_callbacks):
    pension = PensionFactory(person__town=town, last_certified_on=date(2025, 1, 5))
    elsewhere = PensionFactory(person__town=other_town)
    with at(2026, 1, 20):
        payroll_generate(month=date(2026, 1, 1), by=finance)
    assert Suspension.objects.filter(pension=pension, end_month__isnull=True).exists()
    with at(2026, 1, 22):
        client.force_login(clerk)
        assert "下载导入模板" in client.get(reverse(URL)).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse(URL), {"file": upload([
                [pension.person.id_number, "2026-01-21", "人脸识别自助"],
                [elsewhere.person.id_number, "2026-01-21", "入户"]])})
        job = JobRun.objects.get(kind="benefits.import_certifications")
        assert response.status_code == 302 and response["Location"] == reverse("org:import_result", args=[job.pk])
        result = client.get(response["Location"]).content.decode()
        assert "已导入 2 条领取资格认证结果" in result
        assert "认证结果.xlsx" in client.get(reverse(URL)).content.decode()
    assert sorted(Certification.objects.values_list("method", "origin")) == [("face", "import"), ("home", "import")]
    pension.refresh_from_db()
    assert pension.last_certified_on == date(2026, 1, 21)
    assert Suspension.objects.get(pension=pension).end_month == date(2026, 2, 1)


def test_a_bad_row_imports_nothing_and_lists_every_error(client, town, clerk, django_capture_on_commit_callbacks):
    good, other = PensionFactory(person__town=town), PensionFactory(person__town=town)
    with at(2026, 3, 10):
        client.force_login(clerk)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse(URL), {"file": upload([
                [good.person.id_number, "2026-03-09", "现场"],
                [other.person.id_number, "2026-03-11", "飞鸽传书"],
                ["469024195001019999", "2026-03-01", "电话"]])})
        response = client.get(response["Location"])
        page = response.content.decode()
        assert "未导入任何数据" in page or "导入失败" in page
        for message in ("应为现场", "认证日期不能晚于今天", "未找到该身份证号的待遇领取人员"):
            assert message in page, message
        job = JobRun.objects.get(kind="benefits.import_certifications")
        errors = client.get(reverse("org:import_errors", args=[job.pk]))
        assert errors.status_code == 200
        cells = [str(c) for row in load_workbook(io.BytesIO(errors.getvalue())).active.iter_rows(values_only=True)
                 for c in row if c is not None]
        assert sum("认证日期不能晚于今天" in c or "应为现场" in c or "未找到该身份证号" in c for c in cells) == 3
    assert not Certification.objects.exists()
    good.refresh_from_db()
    assert good.last_certified_on == date(2026, 1, 5)


def test_not_a_spreadsheet_is_refused_at_the_field(client, clerk):
    client.force_login(clerk)
    text = io.BytesIO(b"id,date\n")
    text.name = "认证.txt"
    response = client.post(reverse(URL), {"file": text})
    assert response.status_code == 200 and "xlsx" in response.content.decode()
    assert not JobRun.objects.filter(kind="benefits.import_certifications").exists()


def test_template_has_the_three_columns(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("benefits:certification_import_template"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == CERT_HEADERS


def test_only_county_clerks_upload(client, agent, finance):
    for user in (agent, finance):
        client.force_login(user)
        assert client.get(reverse(URL)).status_code == 403
        assert client.post(reverse(URL), {"file": upload([])}).status_code == 403
    assert not JobRun.objects.filter(kind="benefits.import_certifications").exists()


def test_a_town_agent_importing_from_the_shell_reaches_only_their_town(town, other_town, agent):
    from benefits.services.certification import certifications_import

    here, elsewhere = PensionFactory(person__town=town), PensionFactory(person__town=other_town)
    with at(2026, 3, 10):
        result = certifications_import(file=upload([[here.person.id_number, "2026-03-09", "现场"],
                                                    [elsewhere.person.id_number, "2026-03-09", "现场"]]), by=agent)
    assert [(e.row, e.message) for e in result.errors] == [(3, "未找到该身份证号的待遇领取人员")]
    assert not Certification.objects.exists()
