"""Every archives page opens for the roles that have it, with demo-like data."""

import pytest
from django.urls import reverse

from archives import services
from archives.models import ConsultationService, DocumentType, Register

from .conftest import upload

LIST_PAGES = [
    "archives:index", "archives:document_list", "archives:loan_list", "archives:volume_list",
    "archives:certificate_list", "archives:register_list", "archives:desk", "archives:consultation_list",
    "archives:consultation_stats", "archives:policy_list",
]


@pytest.fixture
def data(contributor, agent, clerk):
    doc = services.document_upload(record_label="enrollment.person", record_id=contributor.pk,
                                   doc_type=DocumentType.objects.get(code="enroll_form"), title="", upload=upload(), by=agent)
    volume = services.volume_create(year=doc.year, category="CB", title="卷", by=clerk)
    services.certificate_issue(person=contributor, kind="contribution", by=clerk)
    services.consultation_record(service=ConsultationService.objects.first(), question="q", answer="a", by=agent)
    return {"doc": doc, "volume": volume}


@pytest.mark.parametrize("name", LIST_PAGES)
def test_clerk_sees_every_page(client, clerk, data, name):
    client.force_login(clerk)
    assert client.get(reverse(name)).status_code == 200


def test_detail_pages(client, clerk, data):
    client.force_login(clerk)
    for url in (reverse("archives:document_detail", args=[data["doc"].pk]), reverse("archives:volume_detail", args=[data["volume"].pk]),
                reverse("archives:register_detail", args=[Register.objects.first().pk]), reverse("archives:volume_create"),
                reverse("archives:policy_create"), reverse("archives:certificate_issue")):
        assert client.get(url).status_code == 200, url


def test_town_agent_pages(client, agent, data):
    client.force_login(agent)
    for name in ("archives:index", "archives:document_list", "archives:desk", "archives:policy_list"):
        assert client.get(reverse(name)).status_code == 200
    for name in ("archives:volume_list", "archives:certificate_list", "archives:register_list"):
        assert client.get(reverse(name)).status_code == 403


def test_register_review_is_never_by_its_maker(client, clerk, clerk2):
    register = Register.objects.get(code="statistics_report")
    made = services.register_entry_record(register=register, action="made", reference="月报", by=clerk)
    client.force_login(clerk)
    response = client.post(reverse("archives:register_detail", args=[register.pk]),
                           {"action": "reviewed", "reference": "月报", "quantity": 1, "reviews": made.pk})
    assert response.status_code == 400 and "缮制人不能复核自己缮制的单证" in response.content.decode()
    client.force_login(clerk2)
    response = client.post(reverse("archives:register_detail", args=[register.pk]),
                           {"action": "reviewed", "reference": "月报", "quantity": 1, "reviews": made.pk})
    assert response.status_code == 302 and register.entries.filter(action="reviewed", by=clerk2).exists()


def test_filing_into_a_volume_needs_add_volume_403(client, clerk, auditor, data):
    """An auditor may read a volume but not file documents into it: 403 (not 404), nothing filed."""
    url = reverse("archives:volume_detail", args=[data["volume"].pk])
    client.force_login(auditor)
    assert client.get(url).status_code == 200
    assert client.post(url, {"archive_nos": data["doc"].archive_no}).status_code == 403
    assert not data["volume"].documents.exists()
    client.force_login(clerk)
    assert client.post(url, {"archive_nos": data["doc"].archive_no}).status_code == 302
    assert list(data["volume"].documents.all()) == [data["doc"]]


def test_recording_a_register_entry_needs_add_registerentry_403(client, manager, auditor):
    register = Register.objects.get(code="statistics_report")
    url = reverse("archives:register_detail", args=[register.pk])
    for user in (manager, auditor):
        client.force_login(user)
        assert client.get(url).status_code == 200
        assert client.post(url, {"action": "made", "reference": "月报", "quantity": 1}).status_code == 403
        assert client.post(url, {"action": "made"}).status_code == 403  # refused before the form is read
    assert not register.entries.exists()
