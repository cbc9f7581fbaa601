"""Stored files (issue 9): nothing under MEDIA_ROOT has a URL; every stored file goes out through the
view of its record (permission, town, access log, Content-Disposition); refused uploads are deleted."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from benefits import services as benefit_services
from benefits.models import PayrollBankFile, PayrollRun
from linggao_pension.files import serve_stored_file
from linggao_pension.org.models import AccessLog, JobRun
from tests.benefits.conftest import at
from tests.enrollment.xlsx import valid_rows, workbook_bytes
from tests.factories import PensionFactory

pytestmark = pytest.mark.django_db
JAN = date(2026, 1, 1)


@pytest.fixture
def bank_file(finance, finance2, town, other_town):
    PensionFactory(person__town=town)
    PensionFactory(person__town=other_town)
    with at(2026, 1, 20):
        benefit_services.payroll_generate(month=JAN, by=finance)
        run = benefit_services.payroll_review(run=PayrollRun.objects.get(), by=finance2)
        benefit_services.payroll_export(run=run, by=finance)
    return PayrollBankFile.objects.get()


def test_a_bank_file_by_its_media_url_is_404_for_everyone(client, bank_file, agent, finance, admin_user):
    url = bank_file.file.url
    assert url.startswith("/media/") and default_storage.exists(bank_file.file.name)
    for user in (agent, finance, admin_user):
        client.force_login(user)
        assert client.get(url).status_code == 404
    assert not AccessLog.objects.filter(action="下载").exists()


def test_the_permitted_download_is_logged_and_an_attachment(client, bank_file, finance2):
    client.force_login(finance2)
    response = client.get(reverse("benefits:bankfile_download", args=[bank_file.pk]))
    assert response.status_code == 200
    assert response.getvalue() == bank_file.file.open("rb").read()
    assert response["Content-Disposition"].startswith("attachment;")
    assert "2026-01" in response["Content-Disposition"] and response["Cache-Control"] == "private, no-store"
    log = AccessLog.objects.get(action="下载")
    assert (log.user, log.object_type, log.object_id) == (finance2, "benefits.payrollbankfile", str(bank_file.pk))
    assert "完整身份证号" in log.label and log.ip_address == "127.0.0.1"


def test_an_agent_gets_no_bank_file_through_the_view(client, bank_file, agent):
    client.force_login(agent)
    assert client.get(reverse("benefits:bankfile_download", args=[bank_file.pk])).status_code == 403
    assert not AccessLog.objects.exists()


def test_serve_stored_file_checks_permission_town_and_a_name_outside_media_root(agent, agent_elsewhere, town):
    default_storage.save("imports/x.xlsx", ContentFile(b"PK.."))
    request = RequestFactory().get("/")
    request.user = agent
    ok = serve_stored_file(request, record=town, field_file="imports/x.xlsx", filename="x.xlsx", label="x",
                           town_id=town.pk)
    assert ok.status_code == 200 and ok["Content-Type"].startswith("application/vnd.openxml")
    request.user = agent_elsewhere
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(Http404):
        serve_stored_file(request, record=town, field_file="imports/x.xlsx", filename="x.xlsx", label="x",
                          town_id=town.pk)
    with pytest.raises(PermissionDenied):
        serve_stored_file(request, record=town, field_file="imports/x.xlsx", filename="x.xlsx", label="x",
                          perm="benefits.export_payroll")
    for name in ("../../etc/passwd", "/etc/passwd", "imports/missing.xlsx", ""):
        with pytest.raises(Http404):
            serve_stored_file(request, record=town, field_file=name, filename="x", label="x")
    assert AccessLog.objects.count() == 1


def _upload(client, rows, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("enrollment:import_upload"),
                    {"file": SimpleUploadedFile("在册人员.xlsx", workbook_bytes(rows))})
    return JobRun.objects.latest("pk")


def test_a_refused_upload_is_deleted_and_an_accepted_one_kept_with_its_job(
    client, clerk, agent, django_capture_on_commit_callbacks
):
    client.force_login(clerk)
    bad = valid_rows(2)
    bad[1][3] = "加来镇"
    refused = _upload(client, bad, django_capture_on_commit_callbacks)
    assert refused.status == JobRun.Status.FAILED
    assert refused.params["stored"] == "" and refused.params["discarded"] is True
    folder = "jobs/import_residents"  # where job_start stores an upload
    assert not default_storage.exists(folder) or default_storage.listdir(folder)[1] == []
    page = client.get(reverse("org:jobrun_detail", args=[refused.pk])).content.decode()
    assert "文件未通过校验，已删除" in page
    assert client.get(reverse("org:jobrun_file", args=[refused.pk])).status_code == 404

    accepted = _upload(client, valid_rows(2, seed=7), django_capture_on_commit_callbacks)
    assert accepted.status == JobRun.Status.SUCCEEDED and default_storage.exists(accepted.params["stored"])
    response = client.get(reverse("org:jobrun_file", args=[accepted.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert AccessLog.objects.filter(user=clerk, action="下载", object_type="org.jobrun",
                                    object_id=str(accepted.pk)).exists()
    client.force_login(agent)  # the job is not the agent's: not found
    assert client.get(reverse("org:jobrun_file", args=[accepted.pk])).status_code == 404
