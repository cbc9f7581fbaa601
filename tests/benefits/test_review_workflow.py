"""Deaths and suspension requests on the shared review workflow, through the pages (Django test
client): the town records and submits at once, a county clerk approves (the effect applied once) or
returns; a returned record is corrected and resubmitted, or withdrawn; whoever recorded, edited or
submitted it never approves it; another town's agent gets 404; the county's to-do leaves a clerk's
own records to another clerk."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benefits.models import DeathReport, HeirSettlement, Pension, Suspension, SuspensionRequest
from benefits.todos import todos
from enrollment.models import Person
from linggao_pension.org import roles
from tests.conftest import make_user
from tests.factories import PensionFactory

from .conftest import at

pytestmark = pytest.mark.django_db
STEPS = ("submit", "town_return", "cancel", "approve", "county_return")


@pytest.fixture
def both(town):
    """A town agent who is also in the county clerks' group: may record and review."""
    user = make_user("both", roles.TOWN_AGENT, town)
    user.groups.add(Group.objects.get(name=roles.CLERK))
    return user


def text(response) -> str:
    return response.content.decode()


def todo_count(user, label: str) -> int:
    return next(t.count for t in todos(user) if t.label == label)


def record_death(client, agent, pension, death_date="2026-02-20"):
    client.force_login(agent)
    client.post(
        reverse("benefits:death_create"),
        {
            "id_number": pension.person.id_number,
            "death_date": death_date,
            "source": "family",
            "note": "家属报告",
        },
    )
    return DeathReport.objects.get(person=pension.person)


def step(client, name: str, pk: int, opinion: str = ""):
    return client.post(reverse(f"benefits:{name}", args=[pk]), {"opinion": opinion}, follow=True)


def test_death_recorded_and_approved_once_through_the_pages(
    client, town, agent, clerk, django_assert_max_num_queries
):
    pension = PensionFactory(person__town=town)
    with at(2026, 3, 5):
        report = record_death(client, agent, pension)
        assert report.status == "town_approved" and report.submitted_by == agent
        assert todo_count(clerk, "待县复核的死亡登记") == 1
        client.force_login(clerk)
        with django_assert_max_num_queries(25):
            page = text(client.get(reverse("benefits:death_detail", args=[report.pk])))
        assert reverse("benefits:death_approve", args=[report.pk]) in page and "家属报告" in page
        done = text(step(client, "death_approve", report.pk, "经民政核实"))
        assert "复核通过：已停止发放、终止参保关系，并核算继承额" in done
        again = text(step(client, "death_approve", report.pk))
        assert "不能县复核通过" in again
    report.refresh_from_db()
    assert (report.status, report.reviewed_by, report.county_opinion) == (
        "county_approved",
        clerk,
        "经民政核实",
    )
    assert HeirSettlement.objects.filter(person=pension.person).count() == 1
    pension.refresh_from_db()
    pension.person.refresh_from_db()
    assert pension.status != Pension.Status.ACTIVE and pension.person.status == Person.Status.TERMINATED
    assert [(s.to_status, s.by) for s in report.status_changes.all()] == [
        ("draft", agent),
        ("town_approved", agent),
        ("county_approved", clerk),
    ]


def test_returned_death_is_edited_resubmitted_and_its_editor_cannot_approve(client, town, agent, both, clerk):
    pension = PensionFactory(person__town=town)
    with at(2026, 3, 5):
        report = record_death(client, agent, pension)
        client.force_login(clerk)
        refused = step(client, "death_county_return", report.pk)  # returning needs the reason
        assert "县复核退回时必须填写意见" in text(refused)
        step(client, "death_county_return", report.pk, "死亡日期与死亡证明不符")
        report.refresh_from_db()
        assert report.status == "county_returned"
        assert todo_count(agent, "退回的死亡登记") == 1

        client.force_login(both)  # a clerk of the county who also works for the town corrects it
        page = text(client.get(reverse("benefits:death_detail", args=[report.pk])))
        assert reverse("benefits:death_edit", args=[report.pk]) in page
        edit = reverse("benefits:death_edit", args=[report.pk])
        bad = client.post(edit, {"death_date": "2026-04-01", "source": "family", "note": "更正"})
        assert bad.status_code == 200 and "死亡日期不能晚于今天" in text(bad)
        report.refresh_from_db()
        assert (
            report.death_date == date(2026, 2, 20)
            and not report.status_changes.filter(action="edit").exists()
        )
        assert (
            client.post(
                edit, {"death_date": "2026-02-12", "source": "civil", "note": "按死亡证明更正"}
            ).status_code
            == 302
        )

        client.force_login(agent)
        assert "已重新提交县局复核" in text(step(client, "death_submit", report.pk))
        client.force_login(both)
        assert todo_count(both, "待县复核的死亡登记") == 0
        refused = text(step(client, "death_approve", report.pk))
        assert "修改过该死亡登记的人不能复核" in refused
        assert not HeirSettlement.objects.exists()

        client.force_login(clerk)
        assert todo_count(clerk, "待县复核的死亡登记") == 1
        step(client, "death_approve", report.pk, "核实无误")
    report.refresh_from_db()
    assert (report.status, report.death_date, report.source) == (
        "county_approved",
        date(2026, 2, 12),
        "civil",
    )
    settlement = HeirSettlement.objects.get(person=pension.person)
    assert settlement.last_payable_month == date(2026, 2, 1)
    labels = [s.step_label for s in report.status_changes.all()]
    assert labels == [
        "草稿",
        "草稿 → 镇初审通过",
        "镇初审通过 → 县复核退回",
        "修改",
        "县复核退回 → 镇初审通过",
        "镇初审通过 → 县复核通过",
    ]


def test_returned_death_is_withdrawn_and_the_person_is_free_for_a_new_report(client, town, agent, clerk):
    pension = PensionFactory(person__town=town)
    with at(2026, 3, 5):
        report = record_death(client, agent, pension)
        client.force_login(clerk)
        step(client, "death_county_return", report.pk, "非本人")
        client.force_login(agent)
        page = text(client.get(reverse("benefits:death_detail", args=[report.pk])))
        assert reverse("benefits:death_town_return", args=[report.pk]) not in page  # no town reviewer here
        assert "撤销时必须填写意见" in text(step(client, "death_cancel", report.pk))
        step(client, "death_cancel", report.pk, "登记错误")
        report.refresh_from_db()
        assert report.status == "cancelled"
        client.post(
            reverse("benefits:death_create"),
            {"id_number": pension.person.id_number, "death_date": "2026-02-21", "source": "family"},
        )
    assert DeathReport.objects.filter(person=pension.person, status="town_approved").count() == 1


PDF = b"%PDF-1.4\n% scan\n"


def test_suspension_request_returned_edited_resubmitted_and_approved_once(client, town, agent, both, clerk):
    pension = PensionFactory(person__town=town)
    with at(2026, 3, 10):
        client.force_login(agent)
        client.post(
            reverse("benefits:suspension_request_create", args=[pension.pk]),
            {"reason_code": "1299", "start_month": "2026-03", "evidence": "村委会证明", "note": "长期失联"},
        )
        record = SuspensionRequest.objects.get()
        client.force_login(clerk)
        step(client, "suspension_request_county_return", record.pk, "服刑应选 1202，请附判决书")
        client.force_login(both)
        edit = reverse("benefits:suspension_request_edit", args=[record.pk])
        page = text(client.get(edit))
        assert "服刑应选 1202，请附判决书" in page and "村委会证明" in page
        bad = client.post(
            edit,
            {
                "reason_code": "1202",
                "start_month": "2026-03",
                "evidence": "判决书",
                "evidence_file": SimpleUploadedFile("判决书.pdf", b"MZ not a scan"),
            },
        )
        assert "PDF、JPG 或 PNG" in text(bad)
        record.refresh_from_db()
        assert (record.reason_code, record.evidence, record.evidence_file.name) == ("1299", "村委会证明", "")
        scan = SimpleUploadedFile("判决书.pdf", PDF, content_type="application/pdf")
        client.post(
            edit,
            {
                "reason_code": "1202",
                "start_month": "2026-04",
                "evidence": "（2026）琼9028刑初12号",
                "evidence_file": scan,
            },
        )
        client.force_login(agent)
        step(client, "suspension_request_submit", record.pk)
        client.force_login(both)
        assert "修改过该暂停/恢复领取申请的人不能复核" in text(
            step(client, "suspension_request_approve", record.pk)
        )
        assert not Suspension.objects.exists()
        client.force_login(clerk)
        assert "复核通过：已暂停领取" in text(step(client, "suspension_request_approve", record.pk))
        assert "不能县复核通过" in text(step(client, "suspension_request_approve", record.pk))
    record.refresh_from_db()
    suspension = Suspension.objects.get(pension=pension)
    assert (record.status, record.suspension_id, record.reason_code) == (
        "county_approved",
        suspension.pk,
        "1202",
    )
    assert (suspension.reason_code, suspension.start_month, suspension.evidence) == (
        "1202",
        date(2026, 4, 1),
        "（2026）琼9028刑初12号",
    )
    assert record.evidence_file.name.endswith(".pdf")
    pension.person.refresh_from_db()
    assert pension.person.status == Person.Status.BENEFIT_SUSPENDED


def test_the_county_to_do_and_list_leave_a_clerks_own_request_to_another_clerk(client, town, both, clerk):
    pension = PensionFactory(person__town=town)
    with at(2026, 3, 10):
        client.force_login(both)
        client.post(
            reverse("benefits:suspension_request_create", args=[pension.pk]),
            {"reason_code": "1299", "start_month": "2026-03", "evidence": "村委会证明"},
        )
        record = SuspensionRequest.objects.get()
        assert todo_count(both, "待县复核的暂停/恢复领取申请") == 0
        assert todo_count(clerk, "待县复核的暂停/恢复领取申请") == 1
        url = reverse("benefits:suspension_request_list") + "?review=mine"
        assert reverse("benefits:suspension_request_detail", args=[record.pk]) not in text(client.get(url))
        client.force_login(clerk)
        assert reverse("benefits:suspension_request_detail", args=[record.pk]) in text(client.get(url))


def test_another_towns_agent_gets_404_on_every_step(client, town, agent, agent_elsewhere, clerk):
    pension = PensionFactory(person__town=town)
    with at(2026, 3, 10):
        report = record_death(client, agent, PensionFactory(person__town=town))
        client.post(
            reverse("benefits:suspension_request_create", args=[pension.pk]),
            {"reason_code": "1299", "start_month": "2026-03", "evidence": "村委会证明"},
        )
        request = SuspensionRequest.objects.get()
        client.force_login(clerk)
        step(client, "death_county_return", report.pk, "请核实")
        step(client, "suspension_request_county_return", request.pk, "请核实")
        client.force_login(agent_elsewhere)
        for name, pk in (("death", report.pk), ("suspension_request", request.pk)):
            assert client.get(reverse(f"benefits:{name}_detail", args=[pk])).status_code == 404
            assert client.get(reverse(f"benefits:{name}_edit", args=[pk])).status_code == 404
            assert client.post(reverse(f"benefits:{name}_edit", args=[pk]), {}).status_code == 404
            for suffix in STEPS:
                answer = client.post(reverse(f"benefits:{name}_{suffix}", args=[pk]), {"opinion": "越权"})
                # the town's steps: 404 (the record does not exist elsewhere); the county's: 403 (no role)
                assert answer.status_code == (403 if suffix in ("approve", "county_return") else 404), (
                    name,
                    suffix,
                )
    for record in (report, request):
        record.refresh_from_db()
        assert record.status == "county_returned"
        assert not record.status_changes.filter(by=agent_elsewhere).exists()


def test_a_death_report_has_no_town_return_step(client, town, agent, clerk):
    """Recorded and submitted at once: even a returned report shows no 镇初审退回 button, and the
    workflow refuses the step (the town corrects and resubmits it, or withdraws it)."""
    pension = PensionFactory(person__town=town)
    with at(2026, 3, 10):
        report = record_death(client, agent, pension)
        client.force_login(clerk)
        step(client, "death_county_return", report.pk, "请附死亡证明")
        client.force_login(agent)
        page = text(client.get(reverse("benefits:death_detail", args=[report.pk])))
        refused = text(step(client, "death_town_return", report.pk, "退回"))
    assert reverse("benefits:death_town_return", args=[report.pk]) not in page
    assert "死亡登记录入即提交，没有镇初审退回" in refused
    report.refresh_from_db()
    assert report.status == DeathReport.Status.COUNTY_RETURNED
