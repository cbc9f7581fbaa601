"""Documents: upload checked by content and size, 档号, checked download, town scoping, loans, volumes."""

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from archives import services
from archives.models import Document, IntegrityFailure, Loan
from linggao_pension.org.models import AccessLog

from .conftest import PDF, PNG, media_files, upload


def _upload(person, by, doc_type, **kw):
    return services.document_upload(
        record_label="enrollment.person", record_id=person.pk, doc_type=doc_type, title="", upload=kw.pop("file", upload()),
        by=by, **kw,
    )


def test_upload_numbers_and_checksums(person, agent, id_copy, settings):
    doc = _upload(person, agent, id_copy, year=2025)
    doc2 = _upload(person, agent, id_copy, year=2025, file=upload(PNG, "photo.png", "image/png"))
    assert doc.archive_no == "LGYL-2025-CB-0001" and doc2.archive_no == "LGYL-2025-CB-0002"
    assert doc.town_id == person.town_id and doc.person_id == person.pk
    assert doc.mime_type == "application/pdf" and doc2.mime_type == "image/png"
    assert len(doc.sha256) == 64 and doc.file.name.endswith(".pdf") and doc2.file.name.endswith(".png")
    assert str(settings.MEDIA_ROOT) in doc.file.path


def test_upload_page_refuses_disguised_file_and_stores_nothing(client, person, agent, id_copy, settings):
    client.force_login(agent)
    url = reverse("archives:document_upload") + f"?record=enrollment.person&id={person.pk}"
    exe = upload(b"MZ\x90\x00" + b"\x00" * 100, "身份证.pdf")
    response = client.post(url, {"doc_type": id_copy.pk, "file": exe})
    assert response.status_code == 400
    assert "文件内容不是 PDF、JPG、PNG 格式（按文件内容判断，与文件名无关）" in response.content.decode()
    assert Document.objects.count() == 0 and media_files(settings) == []


def test_upload_page_refuses_too_large_file(client, person, agent, id_copy, settings):
    settings.ARCHIVES_MAX_UPLOAD_BYTES = 1024 * 1024
    client.force_login(agent)
    url = reverse("archives:document_upload") + f"?record=enrollment.person&id={person.pk}"
    big = upload(PDF + b"0" * (1024 * 1024 + 1), "big.pdf")
    response = client.post(url, {"doc_type": id_copy.pk, "file": big})
    assert response.status_code == 400
    assert "文件过大" in response.content.decode() and "不能超过 1 MB" in response.content.decode()
    assert Document.objects.count() == 0 and media_files(settings) == []


def test_upload_from_person_page_lands_back(client, person, agent, id_copy):
    client.force_login(agent)
    page = reverse("enrollment:person_detail", args=[person.pk])
    assert "电子档案" in client.get(page).content.decode()
    url = reverse("archives:document_upload") + f"?record=enrollment.person&id={person.pk}"
    response = client.post(url, {"doc_type": id_copy.pk, "file": upload(), "next": page})
    assert response.status_code == 302 and response.url == page
    assert Document.objects.get().archive_no in client.get(page).content.decode()


def test_download_checks_checksum_and_logs(client, person, agent, id_copy):
    doc = _upload(person, agent, id_copy)
    client.force_login(agent)
    response = client.get(reverse("archives:document_download", args=[doc.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment")
    assert AccessLog.objects.filter(object_id=str(doc.pk), action="下载", user=agent).exists()


def test_tampered_file_is_refused_and_reported(client, person, agent, id_copy):
    doc = _upload(person, agent, id_copy)
    with open(doc.file.path, "r+b") as f:  # someone edits the stored file
        f.seek(10)
        f.write(b"X")
    client.force_login(agent)
    response = client.get(reverse("archives:document_download", args=[doc.pk]))
    assert response.status_code == 409
    assert "文件校验失败，已拒绝下载" in response.content.decode()
    failure = IntegrityFailure.objects.get(document=doc)
    assert failure.expected == doc.sha256 and failure.actual not in ("", doc.sha256)
    assert AccessLog.objects.filter(object_id=str(doc.pk), action="下载校验失败").exists()
    assert not AccessLog.objects.filter(object_id=str(doc.pk), action="下载").exists()
    # A missing file is refused and reported the same way.
    doc.file.storage.delete(doc.file.name)
    assert client.get(reverse("archives:document_download", args=[doc.pk])).status_code == 409
    assert IntegrityFailure.objects.filter(document=doc, actual="").exists()


def test_town_agent_cannot_fetch_other_towns_document(client, person_elsewhere, agent, agent_elsewhere, id_copy, clerk):
    doc = _upload(person_elsewhere, agent_elsewhere, id_copy)
    client.force_login(agent)
    for name in ("archives:document_detail", "archives:document_download"):
        assert client.get(reverse(name, args=[doc.pk])).status_code == 404
    assert doc.archive_no not in client.get(reverse("archives:document_list")).content.decode()
    assert not AccessLog.objects.filter(object_id=str(doc.pk)).exists()
    # Nor attach a document to another town's person.
    url = reverse("archives:document_upload") + f"?record=enrollment.person&id={person_elsewhere.pk}"
    assert client.get(url).status_code == 404
    with pytest.raises(Exception) as exc:
        _upload(person_elsewhere, agent, id_copy)
    assert exc.type.__name__ == "Http404"
    client.force_login(clerk)
    assert client.get(reverse("archives:document_download", args=[doc.pk])).status_code == 200


def test_document_follows_its_record_town(client, person, agent, agent_elsewhere, other_town, id_copy):
    """The record decides: after the person moves town, the old town's agent loses the document."""
    doc = _upload(person, agent, id_copy)
    type(person).objects.filter(pk=person.pk).update(town=other_town)
    client.force_login(agent)
    assert client.get(reverse("archives:document_download", args=[doc.pk])).status_code == 404


def test_unknown_record_type_is_404(client, agent):
    client.force_login(agent)
    assert client.get(reverse("archives:document_upload") + "?record=org.user&id=1").status_code == 404


def test_loans_and_overdue_list(client, person, agent, clerk, id_copy):
    doc = _upload(person, agent, id_copy)
    today = date.today()
    loan = services.loan_create(document=doc, borrower="周明", purpose="稽核调阅", due_on=today - timedelta(days=1),
                                lent_on=today - timedelta(days=10), by=clerk)
    with pytest.raises(ValidationError) as exc:
        services.loan_create(document=doc, borrower="李四", purpose="查阅", due_on=today, by=clerk)
    assert "已借出" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.loan_create(document=doc, borrower="x", purpose="y", due_on=today, by=agent)
    client.force_login(clerk)
    assert doc.archive_no in client.get(reverse("archives:loan_list") + "?overdue=1").content.decode()
    client.post(reverse("archives:loan_return", args=[loan.pk]))
    loan.refresh_from_db()
    assert loan.returned_on == today and loan.returned_to == clerk
    assert doc.archive_no not in client.get(reverse("archives:loan_list") + "?overdue=1").content.decode()
    assert Loan.objects.count() == 1


def test_volume_catalogue(client, person, agent, clerk, id_copy):
    doc = _upload(person, agent, id_copy, year=2025)
    volume = services.volume_create(year=2025, category="CB", title="2025年参保登记材料", by=clerk)
    assert services.volume_add_documents(volume=volume, archive_nos=[doc.archive_no], by=clerk) == 1
    with pytest.raises(ValidationError):
        services.volume_add_documents(volume=volume, archive_nos=["LGYL-2025-CB-9999"], by=clerk)
    client.force_login(clerk)
    pdf = client.get(reverse("archives:volume_catalogue", args=[volume.pk, "pdf"]))
    xlsx = client.get(reverse("archives:volume_catalogue", args=[volume.pk, "xlsx"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert doc.archive_no in [c.value for c in ws[4]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_archive_numbers_never_collide_under_concurrency(town, id_copy):
    from linggao_pension.org import roles
    from tests.conftest import make_user
    from tests.factories import PersonFactory

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    agent = make_user("agent_c", roles.TOWN_AGENT, town)
    person = PersonFactory(town=town)
    errors = []

    def work():
        try:
            for _ in range(5):
                _upload(person, agent, id_copy, year=2025)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(Document.objects.values_list("item_no", flat=True))
    assert numbers == list(range(1, 21))
