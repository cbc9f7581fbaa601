"""Transfer and termination applications through the shared review workflow: refusals, the walk
through the pages, the 审批表 and the certificate, re-enrolment."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contributions.models import AccountExit, Refund
from enrollment.models import Person, RelationshipApplication
from enrollment.services.relationships import relationship_application_create, relationship_document_add
from linggao_pension.org import roles
from linggao_pension.workflow import RS, review_move
from tests.factories import PensionFactory, PersonFactory

from ..contributions.conftest import at
from .test_settlement import funded

pytestmark = pytest.mark.django_db


def abroad_data(person, **kw):
    return {"kind": "abroad", "event_on": date(2026, 7, 15), "payee_name": person.name,
            "payee_id_number": person.id_number, "bank_name": "农商银行", "bank_account": "6228480000000000001", **kw}


def prepared(person, data, *, agent):
    application = relationship_application_create(person=person, data=data, by=agent)
    relationship_document_add(application=application, title="证明", file=ContentFile(b"x", name="p.txt"), by=agent)
    review_move(record=application, to=RS.TOWN_APPROVED, by=agent)
    return application


def test_a_pensioner_cannot_transfer_out(town, agent):
    pension = PensionFactory(person__town=town)
    with at(2026, 7, 20), pytest.raises(ValidationError) as exc:
        relationship_application_create(person=pension.person, data={"kind": "transfer_out", "event_on": date(2026, 7, 1)}, by=agent)
    assert "已领取待遇的人员不能转出" in str(exc.value.message_dict["kind"])
    assert not RelationshipApplication.objects.exists()


def test_bad_input_is_refused_at_the_field_and_nothing_saved(town, agent):
    person = PersonFactory(town=town, age=40)
    with at(2026, 7, 20), pytest.raises(ValidationError) as exc:
        relationship_application_create(person=person, data=abroad_data(person, payee_id_number="123", bank_account="x"), by=agent)
    assert "收款人身份证号" in exc.value.message_dict["payee_id_number"][0]
    assert "8至32位数字" in exc.value.message_dict["bank_account"][0]
    with at(2026, 7, 20), pytest.raises(ValidationError) as exc:
        relationship_application_create(person=person, data={"kind": "to_employee", "event_on": date(2026, 7, 1), "employee_years": 12}, by=agent)
    assert "满15年" in exc.value.message_dict["employee_years"][0]
    assert not RelationshipApplication.objects.exists()


def test_town_agent_cannot_approve_and_submission_needs_evidence(town, agent, agent2):
    person = PersonFactory(town=town, age=40)
    with at(2026, 7, 20):
        application = relationship_application_create(person=person, data=abroad_data(person), by=agent)
        with pytest.raises(ValidationError, match="证明材料"):
            review_move(record=application, to=RS.TOWN_APPROVED, by=agent)
        relationship_document_add(application=application, title="定居证明", file=ContentFile(b"x", name="p.txt"), by=agent)
        review_move(record=application, to=RS.TOWN_APPROVED, by=agent)
        with pytest.raises(PermissionDenied):
            review_move(record=application, to=RS.COUNTY_APPROVED, by=agent2)
    assert not AccountExit.objects.exists()


def test_the_maker_cannot_approve(town, agent, clerk, clerk2):
    clerk.groups.add(Group.objects.get(name=roles.TOWN_AGENT))
    clerk.town = town
    clerk.save()
    person = PersonFactory(town=town, age=40)
    funded(person)
    with at(2026, 7, 20):
        application = relationship_application_create(person=person, data=abroad_data(person), by=clerk)
        relationship_document_add(application=application, title="定居证明", file=ContentFile(b"x", name="p.txt"), by=agent)
        review_move(record=application, to=RS.TOWN_APPROVED, by=agent)
        with pytest.raises(ValidationError, match="录入人不能复核"):
            review_move(record=application, to=RS.COUNTY_APPROVED, by=clerk)
        review_move(record=application, to=RS.COUNTY_APPROVED, by=clerk2)
    assert AccountExit.objects.get().payable == D("1210.20")


def test_a_second_termination_is_refused(town, agent, clerk):
    person = PersonFactory(town=town, age=40)
    funded(person)
    with at(2026, 7, 20):
        review_move(record=prepared(person, abroad_data(person), agent=agent), to=RS.COUNTY_APPROVED, by=clerk)
        with pytest.raises(ValidationError, match="终止的参保关系不能再次终止"):
            relationship_application_create(person=person, data=abroad_data(person, kind="duplicate_enrollment"), by=agent)
    assert Refund.objects.count() == 1


def test_walk_through_the_pages(client, town, agent, clerk, finance, finance2):
    person = PersonFactory(town=town, age=40)
    funded(person)
    with at(2026, 7, 20):
        client.force_login(agent)
        response = client.post(reverse("enrollment:relationship_create", args=[person.pk]), {
            "kind": "transfer_out", "event_on": "2026-07-15", "other_area": "海口市", "note": "户籍迁出",
        })  # fmt: skip
        application = RelationshipApplication.objects.get()
        assert response.status_code == 302
        client.post(reverse("enrollment:relationship_document_add", args=[application.pk]),
                    {"title": "户口迁移证", "file": SimpleUploadedFile("h.pdf", b"%PDF-1.4")})  # fmt: skip
        client.post(reverse("enrollment:relationship_submit", args=[application.pk]), {"opinion": ""})
        assert client.post(reverse("enrollment:relationship_approve", args=[application.pk])).status_code == 403
        client.force_login(clerk)
        client.post(reverse("enrollment:relationship_approve", args=[application.pk]), {"opinion": "同意"})
        application.refresh_from_db()
        assert application.status == RS.COUNTY_APPROVED
        exit_ = AccountExit.objects.get()
        assert exit_.payable == D("1370.20")
        pdf = client.get(reverse("enrollment:relationship_pdf", args=[application.pk]))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        cert = client.get(reverse("contributions:exit_certificate", args=[exit_.pk]))
        assert cert.status_code == 200 and cert.content.startswith(b"%PDF")
        page = client.get(reverse("enrollment:person_detail", args=[person.pk]))
        assert "户口迁移证" in page.content.decode() and "1,370.20" in page.content.decode()
    person.refresh_from_db()
    assert person.status == Person.Status.TERMINATED


def test_another_towns_agent_gets_404(client, town, agent, agent_elsewhere):
    person = PersonFactory(town=town, age=40)
    with at(2026, 7, 20):
        application = relationship_application_create(person=person, data=abroad_data(person), by=agent)
    client.force_login(agent_elsewhere)
    assert client.get(reverse("enrollment:relationship_detail", args=[application.pk])).status_code == 404
    assert client.get(reverse("enrollment:relationship_create", args=[person.pk])).status_code == 404
