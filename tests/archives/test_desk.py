"""The consultation desk and the policy library."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from archives import selectors, services
from archives.models import Consultation, ConsultationService, PolicyDocument

from ..security.test_headers import csp_violations
from .conftest import upload


def test_the_six_services_are_data(db):
    services_ = list(ConsultationService.objects.values_list("name", "unit", "co_unit", "phone"))
    assert services_ == [
        ("参保政策咨询", "业务股", "", "28278663"),
        ("老农保政策咨询", "业务股特殊业务部门", "", "28278663"),
        ("被征地农民参保咨询", "业务股", "", "28278663"),
        ("原辞退民办教师遗留问题咨询", "业务股特殊业务部门", "", "28278663"),
        ("特殊人群参保咨询", "业务股特殊业务部门", "", "28278663"),
        ("养老待遇追回政策咨询", "稽核股", "业务股", "28278663"),
    ]


def test_record_consultation_from_desk(client, agent, person):
    client.force_login(agent)
    service = ConsultationService.objects.get(number=1)
    response = client.post(reverse("archives:desk"), {
        "service": service.pk, "channel": "phone", "id_number": person.id_number, "question": "怎么补缴？", "answer": "到镇服务点",
    })
    assert response.status_code == 302
    c = Consultation.objects.get()
    assert c.person == person and c.town == person.town and c.created_by == agent and c.caller_name == person.name


def test_unanswered_consultation_needs_follow_up_or_referral(client, agent):
    client.force_login(agent)
    service = ConsultationService.objects.get(number=6)
    response = client.post(reverse("archives:desk"), {"service": service.pk, "channel": "visit", "question": "冒领怎么办"})
    assert response.status_code == 400 and "请填写答复" in response.content.decode()
    assert Consultation.objects.count() == 0


def test_follow_ups_due_and_monthly_counts(agent, agent_elsewhere, clerk):
    s1, s6 = ConsultationService.objects.get(number=1), ConsultationService.objects.get(number=6)
    today = date.today()
    due = services.consultation_record(service=s6, question="误发", by=agent, referred_to="稽核股", follow_up_due=today)
    services.consultation_record(service=s1, question="参保条件", answer="年满16周岁", by=agent)
    services.consultation_record(service=s1, question="参保条件", answer="年满16周岁", by=agent_elsewhere)
    assert list(selectors.follow_ups_due(user=agent, today=today)) == [due]
    assert list(selectors.follow_ups_due(user=agent_elsewhere, today=today)) == []
    stats = selectors.monthly_counts(user=clerk, today=today)
    key = f"{today.year}-{today.month:02d}"
    idx = stats["months"].index(key)
    by_name = {r["service"].name: r["counts"][idx] for r in stats["rows"]}
    assert by_name["参保政策咨询"] == 2 and by_name["养老待遇追回政策咨询"] == 1 and stats["total"] == 3
    assert selectors.monthly_counts(user=agent, today=today)["total"] == 2
    services.consultation_follow_up(consultation=due, note="已转稽核股立案", by=agent)
    assert list(selectors.follow_ups_due(user=agent, today=today + timedelta(days=1))) == []
    with pytest.raises(ValidationError):
        services.consultation_follow_up(consultation=due, note="again", by=agent)


def test_monthly_counts_page_satisfies_the_content_security_policy(client, agent):
    services.consultation_record(service=ConsultationService.objects.first(), question="q", answer="a", by=agent)
    client.force_login(agent)
    page = client.get(reverse("archives:consultation_stats"))
    assert page.status_code == 200 and csp_violations(page.content.decode()) == []


def test_policy_library_for_every_staff_user(client, clerk, finance, agent):
    services.policy_create(title="关于调整城乡居民基础养老金标准的通知", issuing_body="海南省人力资源和社会保障厅",
                           issued_on=date(2026, 1, 5), summary="基础养老金提高", by=clerk, upload=upload())
    for user in (finance, agent):
        client.force_login(user)
        assert "关于调整城乡居民基础养老金标准的通知" in client.get(reverse("archives:policy_list")).content.decode()
    with pytest.raises(ValidationError) as exc:
        services.policy_create(title="x", issuing_body="y", issued_on=date(2026, 1, 5), summary="z", by=clerk,
                               upload=upload(b"\x89PNG\r\n\x1a\n....", "x.pdf"))
    assert "文件内容不是 PDF 格式" in str(exc.value)
    assert PolicyDocument.objects.count() == 1


@pytest.mark.parametrize("topic", ["enroll", "grades", "claim", "transfer"])
def test_leaflets_print(client, agent, topic):
    client.force_login(agent)
    page = client.get(reverse("archives:leaflet", args=[topic]))
    assert page.status_code == 200 and "28278663" in page.content.decode()
    assert csp_violations(page.content.decode()) == []  # the print link has no inline handler
    pdf = client.get(reverse("archives:leaflet", args=[topic]) + "?format=pdf")
    assert pdf.content.startswith(b"%PDF")


def test_enroll_leaflet_reads_the_parameter(client, agent):
    client.force_login(agent)
    assert "年满 16 周岁" in client.get(reverse("archives:leaflet", args=["enroll"])).content.decode()
