"""Suspension (1202 服刑, 1299 其他) and resumption requests through the pages (Django test client):
the town agent files the request with its evidence scan, the county clerk approves or returns it
(never the one who prepared it), approval suspends or resumes the pension; another town's request
is 404, the evidence is served only through its request."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benefits.models import Suspension, SuspensionRequest
from enrollment.models import Person
from linggao_pension.org import roles
from tests.conftest import make_user
from tests.factories import PensionFactory

from .conftest import at

pytestmark = pytest.mark.django_db
MAR, MAY = date(2026, 3, 1), date(2026, 5, 1)
PDF = b"%PDF-1.4\n% judgement scan\n"


def pdf(name="判决书.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def suspend_data(**overrides):
    return {"reason_code": "1202", "start_month": "2026-03", "evidence": "（2026）琼9028刑初12号判决书",
            "note": "判处有期徒刑一年", "evidence_file": pdf()} | overrides


def stored_files():
    try:
        return default_storage.listdir("benefits/suspension_evidence/2026/03")[1]
    except FileNotFoundError:
        return []


def test_agent_files_a_1202_request_and_the_clerk_approves_it(client, town, agent, clerk):
    pension = PensionFactory(person__town=town)
    with at(2026, 3, 10):
        client.force_login(agent)
        page = client.get(reverse("benefits:pension_detail", args=[pension.pk]))
        assert reverse("benefits:suspension_request_create", args=[pension.pk]) in page.content.decode()
        response = client.post(reverse("benefits:suspension_request_create", args=[pension.pk]), suspend_data())
        record = SuspensionRequest.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse(
            "benefits:suspension_request_detail", args=[record.pk])
        assert (record.status, record.action, record.reason_code, record.month) == ("town_approved", "suspend", "1202",
                                                                                   MAR)
        assert record.evidence_file.name.endswith(".pdf") and not Suspension.objects.exists()
        listing = client.get(reverse("benefits:suspension_request_list")).content.decode()
        assert pension.person.name in listing and "镇初审通过" in listing
        # The agent cannot review.
        assert client.post(reverse("benefits:suspension_request_approve", args=[record.pk]),
                           {}).status_code == 403

        client.force_login(clerk)
        home = client.get(reverse("home")).content.decode()
        assert "待县复核的暂停/恢复领取申请" in home
        detail = client.get(reverse("benefits:suspension_request_detail", args=[record.pk])).content.decode()
        assert "县复核通过" in detail and "查看附件" in detail
        evidence = client.get(reverse("benefits:suspension_request_evidence", args=[record.pk]))
        assert evidence.status_code == 200 and b"".join(evidence.streaming_content) == PDF
        assert evidence["Cache-Control"] == "private, no-store"
        # Returning needs an opinion; nothing changes without it.
        client.post(reverse("benefits:suspension_request_county_return", args=[record.pk]), {})
        record.refresh_from_db()
        assert record.status == "town_approved"
        response = client.post(reverse("benefits:suspension_request_approve", args=[record.pk]),
                               {"opinion": "判决书核实无误"}, follow=True)
        assert "复核通过：已暂停领取" in response.content.decode()
        detail = client.get(reverse("benefits:suspension_request_detail", args=[record.pk])).content.decode()
        assert "判决书核实无误" in detail
        assert reverse("benefits:suspension_request_approve", args=[record.pk]) not in detail
    record.refresh_from_db()
    suspension = Suspension.objects.get(pension=pension)
    assert (record.status, record.suspension_id, record.reviewed_by) == ("county_approved", suspension.pk, clerk)
    assert (suspension.reason_code, suspension.start_month, suspension.end_month, suspension.backpay) == (
        "1202", MAR, None, False)
    pension.person.refresh_from_db()
    assert pension.person.status == Person.Status.BENEFIT_SUSPENDED
    steps = [(s.action, s.to_status, s.by, s.maker) for s in record.status_changes.all()]
    assert steps == [("create", "draft", agent, True), ("move", "town_approved", agent, True),
                     ("move", "county_approved", clerk, False)]


def test_resumption_through_the_pages(client, town, agent, clerk):
    pension = PensionFactory(person__town=town)
    with at(2026, 3, 10):
        client.force_login(agent)
        client.post(reverse("benefits:suspension_request_create", args=[pension.pk]), suspend_data())
        client.force_login(clerk)
        first = SuspensionRequest.objects.get()
        client.post(reverse("benefits:suspension_request_approve", args=[first.pk]), {})
    with at(2026, 5, 3):
        client.force_login(agent)
        page = client.get(reverse("benefits:resumption_request_create", args=[pension.pk])).content.decode()
        assert "当前暂停：1202 服刑" in page
        bad = client.post(reverse("benefits:resumption_request_create", args=[pension.pk]),
                          {"resume_month": "2026-02", "evidence": "刑满释放证明"})
        assert "恢复年月不能早于暂停起始年月" in bad.content.decode()
        assert SuspensionRequest.objects.count() == 1
        client.post(reverse("benefits:resumption_request_create", args=[pension.pk]),
                    {"resume_month": "2026-05", "evidence": "刑满释放证明", "backpay": "on"})
        record = SuspensionRequest.objects.get(action="resume")
        assert (record.month, record.backpay) == (MAY, False)  # 1202 is never back-paid
        client.force_login(clerk)
        client.post(reverse("benefits:suspension_request_approve", args=[record.pk]), {})
    suspension = Suspension.objects.get(pension=pension)
    assert suspension.end_month == MAY
    pension.person.refresh_from_db()
    assert pension.person.status == Person.Status.RECEIVING


def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(client, town, agent):
    pension = PensionFactory(person__town=town)
    url = reverse("benefits:suspension_request_create", args=[pension.pk])
    with at(2026, 3, 10):
        client.force_login(agent)
        cases = [
            (suspend_data(evidence=""), "请填写依据或证明材料"),
            (suspend_data(start_month="2026-13"), "年月"),
            (suspend_data(evidence_file=pdf("判决书.pdf", b"MZ\x90\x00 not a scan")), "PDF、JPG 或 PNG"),
            (suspend_data(evidence_file=pdf("空.pdf", b"")), "证明材料附件"),
            (suspend_data(reason_code="1201"), "选择一个有效的选项"),
        ]
        for data, message in cases:
            response = client.post(url, data)
            assert response.status_code == 200 and message in response.content.decode(), message
    assert not SuspensionRequest.objects.exists() and stored_files() == []


def test_another_towns_pension_and_request_are_404(client, town, agent, agent_elsewhere, clerk):
    pension = PensionFactory(person__town=town)
    with at(2026, 3, 10):
        client.force_login(agent)
        client.post(reverse("benefits:suspension_request_create", args=[pension.pk]), suspend_data())
        record = SuspensionRequest.objects.get()
        client.force_login(agent_elsewhere)
        for name in ("suspension_request_detail", "suspension_request_evidence"):
            assert client.get(reverse(f"benefits:{name}", args=[record.pk])).status_code == 404, name
        for name in ("suspension_request_create", "resumption_request_create"):
            assert client.get(reverse(f"benefits:{name}", args=[pension.pk])).status_code == 404, name
        assert client.post(reverse("benefits:suspension_request_create", args=[pension.pk]),
                           suspend_data()).status_code == 404
        assert pension.person.name not in client.get(reverse("benefits:suspension_request_list")).content.decode()
    assert SuspensionRequest.objects.count() == 1


def test_whoever_prepared_the_request_never_approves_it(client, town, clerk):
    both = make_user("both", roles.TOWN_AGENT, town)
    both.groups.add(Group.objects.get(name=roles.CLERK))
    pension = PensionFactory(person__town=town)
    with at(2026, 3, 10):
        client.force_login(both)
        client.post(reverse("benefits:suspension_request_create", args=[pension.pk]), suspend_data())
        record = SuspensionRequest.objects.get()
        detail = client.get(reverse("benefits:suspension_request_detail", args=[record.pk])).content.decode()
        assert "不能复核" in detail
        assert reverse("benefits:suspension_request_approve", args=[record.pk]) not in detail
        response = client.post(reverse("benefits:suspension_request_approve", args=[record.pk]),
                               {}, follow=True)
        assert "不能复核" in response.content.decode()
    record.refresh_from_db()
    assert record.status == "town_approved" and not Suspension.objects.exists()


def test_the_returned_request_is_a_todo_of_the_town(client, town, agent, clerk):
    pension = PensionFactory(person__town=town)
    with at(2026, 3, 10):
        client.force_login(agent)
        client.post(reverse("benefits:suspension_request_create", args=[pension.pk]), suspend_data())
        record = SuspensionRequest.objects.get()
        client.force_login(clerk)
        client.post(reverse("benefits:suspension_request_county_return", args=[record.pk]),
                    {"opinion": "判决书不清晰，请重新扫描"})
        record.refresh_from_db()
        assert (record.status, record.county_opinion) == ("county_returned", "判决书不清晰，请重新扫描")
        client.force_login(agent)
        assert "退回的暂停/恢复领取申请" in client.get(reverse("home")).content.decode()
        # A returned request holds nothing: the town files a new one.
        client.post(reverse("benefits:suspension_request_create", args=[pension.pk]), suspend_data())
    assert SuspensionRequest.objects.filter(status="town_approved").count() == 1
