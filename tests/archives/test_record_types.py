"""Scans attached to an inspection, a 举报, a transfer/termination application, a death report and a
recovery case (issue 14's list of records): numbered with an archive number, shown on the record's
page with its upload form, and never served to another town's agent."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from archives import services
from archives.models import Category, Document, DocumentType
from benefits.services.death import death_record
from benefits.services.recovery import recovery_case_open
from enrollment.services.relationships import relationship_application_create
from supervision.services import plans, whistle
from tests.factories import PensionFactory, PersonFactory

from .conftest import upload

pytestmark = pytest.mark.django_db


def _attach(label, record, by, code="inspection_report"):
    return services.document_upload(record_label=label, record_id=record.pk, by=by, title="",
                                    doc_type=DocumentType.objects.get(code=code), upload=upload())


def _inspection(auditor, town):
    start = timezone.localdate() + timedelta(days=10)
    return plans.inspection_create(kind="spot", title=f"{town.name}抽查", town=town, scope=["2"], team_leader="周明",
                                   start=start, end=start + timedelta(days=2), by=auditor, programme="方案")


def test_an_inspections_scans_are_archived_and_shown_on_its_page_to_its_town_only(
        client, auditor, agent, agent_elsewhere, town, other_town):
    inspection = _inspection(auditor, town)
    document = _attach("supervision.inspection", inspection, auditor)
    assert document.category == Category.SUPERVISION and f"-{Category.SUPERVISION}-" in document.archive_no
    assert document.town_id == town.pk and document.person_id is None

    client.force_login(agent)
    page = client.get(reverse("supervision:inspection_detail", args=[inspection.pk])).content.decode()
    assert document.archive_no in page
    assert f"{reverse('archives:document_upload')}?record=supervision.inspection&amp;id={inspection.pk}" in page
    assert client.get(reverse("archives:document_download", args=[document.pk])).status_code == 200
    detail = client.get(reverse("archives:document_detail", args=[document.pk])).content.decode()
    assert "现场监督" in detail and reverse("supervision:inspection_detail", args=[inspection.pk]) in detail

    client.force_login(agent_elsewhere)
    assert client.get(reverse("archives:document_download", args=[document.pk])).status_code == 404
    theirs = _inspection(auditor, other_town)
    # uploading to another town's inspection by its URL: 404, nothing stored
    response = client.post(f"{reverse('archives:document_upload')}?record=supervision.inspection&id={inspection.pk}",
                           {"doc_type": DocumentType.objects.get(code="inspection_report").pk, "file": upload()})
    assert response.status_code == 404 and Document.objects.count() == 1
    assert document.archive_no not in client.get(
        reverse("supervision:inspection_detail", args=[theirs.pk])).content.decode()


def test_the_agent_uploads_a_scan_from_the_inspection_page_and_comes_back(client, auditor, agent, town):
    inspection = _inspection(auditor, town)
    client.force_login(agent)
    back = reverse("supervision:inspection_detail", args=[inspection.pk])
    response = client.post(f"{reverse('archives:document_upload')}?record=supervision.inspection&id={inspection.pk}",
                           {"doc_type": DocumentType.objects.get(code="rectification").pk, "file": upload(),
                            "next": back})
    assert response.status_code == 302 and response["Location"] == back
    document = Document.objects.get()
    assert document.archive_no in client.get(back).content.decode()


def test_reports_transfers_deaths_and_recovery_cases_take_scans_scoped_to_their_town(
        client, auditor, agent, agent_elsewhere, town):
    person = PersonFactory(town=town)
    report = whistle.report_register(received_on=timezone.localdate(), channel="phone", town=town, person=person,
                                     content="冒领待遇", by=auditor, reporter="", reporter_contact="")
    application = relationship_application_create(person=person, data={
        "kind": "death", "event_on": timezone.localdate() - timedelta(days=30),
        "payee_name": "符小海", "payee_id_number": "11010519491231002X", "payee_relation": "子", "bank_name": "农商银行",
        "bank_account": "6228480000000000001"}, by=agent)
    pension = PensionFactory(person__town=town)
    death = death_record(person=pension.person, death_date=timezone.localdate(), source="audit", by=agent)
    case = recovery_case_open(person=pension.person, source="supervision", amount=Decimal("100.00"), by=auditor,
                              reason="多发", pension=pension)
    attached = [
        _attach("supervision.whistlereport", report, auditor, "other"),
        _attach("enrollment.relationshipapplication", application, agent, "death_proof"),
        _attach("benefits.deathreport", death, agent, "death_proof"),
        _attach("benefits.recoverycase", case, auditor, "recovery_decision"),
    ]
    assert [d.person_id for d in attached] == [person.pk, person.pk, pension.person.pk, pension.person.pk]
    assert len({d.archive_no for d in attached}) == 4
    client.force_login(agent_elsewhere)
    for document in attached:
        assert client.get(reverse("archives:document_download", args=[document.pk])).status_code == 404
    client.force_login(auditor)
    page = client.get(reverse("supervision:report_detail", args=[report.pk])).content.decode()
    assert attached[0].archive_no in page
    # each record's own page lists its scans with the upload form (the {% record_documents %} tag)
    pension_scan = _attach("benefits.pension", pension, agent, "other")
    client.force_login(agent)
    pages = {
        attached[1]: reverse("enrollment:relationship_detail", args=[application.pk]),
        pension_scan: reverse("benefits:pension_detail", args=[pension.pk]),
        attached[2]: reverse("benefits:death_detail", args=[death.pk]),
    }
    for document, url in pages.items():
        page = client.get(url).content.decode()
        assert document.archive_no in page and reverse("archives:document_upload") in page, url
