"""行政处理处罚意见（报批）, the seed's 六(2), through the pages: an auditor drafts and submits it, a
bureau leader approves it (or returns it with an opinion); only the approval sends it (its
Referral), which then receives its answer. Maker-checker, town scoping and the 待办."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from linggao_pension.org import roles
from linggao_pension.workflow import RS
from supervision.models import Inspection, PenaltyProposal, Referral
from supervision.services import onsite, plans, whistle

from ..conftest import make_user
from ..ui.test_home_todos import todos

pytestmark = pytest.mark.django_db

DRAFT = {"penalty-subject": "临城镇居民王某", "penalty-facts": "死亡后其家属继续冒领养老金14个月，计4214.00元",
         "penalty-proposal": "责令退回冒领金额，并处冒领金额2倍罚款", "penalty-recipient": ""}  # fmt: skip


def _url(name, proposal):
    return reverse(f"supervision:{name}", args=[proposal.pk])


def _draft(client, user, inspection) -> PenaltyProposal:
    client.force_login(user)
    response = client.post(reverse("supervision:penalty_create", args=[inspection.pk]), DRAFT)
    proposal = PenaltyProposal.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == _url("penalty_detail", proposal)
    return proposal


def _step(client, user, proposal, step, opinion=""):
    client.force_login(user)
    return client.post(_url(f"penalty_{step}", proposal), {"opinion": opinion}, follow=True)


@pytest.fixture
def lead(db):
    """A bureau leader who also works in the audit section: holds both permissions."""
    user = make_user("lead", roles.MANAGER)
    user.groups.add(Group.objects.get(name=roles.AUDITOR))
    return user


def test_drafted_and_submitted_by_an_auditor_approved_by_a_leader_then_sent_and_answered(
    client, auditor, manager, inspection, django_assert_max_num_queries
):
    proposal = _draft(client, auditor, inspection)
    assert (
        proposal.status == RS.DRAFT
        and proposal.town_id == inspection.town_id
        and proposal.inspection == inspection
    )
    assert proposal.recipient == "临高县人力资源和社会保障局"
    page = client.get(_url("penalty_detail", proposal)).content.decode()
    assert "提交局领导审批" in page and "批准（送达执行）" not in page and "镇初审退回" not in page

    _step(client, auditor, proposal, "submit")
    proposal.refresh_from_db()
    assert proposal.status == RS.TOWN_APPROVED and proposal.submitted_by == auditor
    assert proposal.referral is None and not Referral.objects.exists()  # submitted, not sent

    # the auditor who drafted and submitted it may not approve it: no button, and a direct POST is refused
    page = client.get(_url("penalty_detail", proposal)).content.decode()
    assert "批准（送达执行）" not in page
    assert client.post(_url("penalty_approve", proposal), {"opinion": ""}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == RS.TOWN_APPROVED and not Referral.objects.exists()

    client.force_login(manager)
    with django_assert_max_num_queries(30):
        page = client.get(_url("penalty_detail", proposal)).content.decode()
    assert "批准（送达执行）" in page and "退回修改" in page
    response = _step(client, manager, proposal, "approve")
    assert "已批准，处理处罚意见已送达" in response.content.decode()
    proposal.refresh_from_db()
    referral = proposal.referral
    assert proposal.status == RS.COUNTY_APPROVED and proposal.reviewed_by == manager
    assert proposal.county_opinion == "同意，送达执行"
    assert referral.kind == Referral.Kind.PENALTY and referral.status == Referral.Status.SENT
    assert referral.sent_on == timezone.localdate() and referral.created_by == auditor
    assert (referral.proposal, referral.town_id, referral.inspection_id) == (DRAFT["penalty-proposal"], inspection.town_id,
                                                                             inspection.pk)  # fmt: skip
    steps = [(s.from_status, s.to_status, s.by_id) for s in proposal.status_changes.all()]
    assert steps == [("", RS.DRAFT, auditor.pk), (RS.DRAFT, RS.TOWN_APPROVED, auditor.pk),
                     (RS.TOWN_APPROVED, RS.COUNTY_APPROVED, manager.pk)]  # fmt: skip
    assert (
        "已报批，待局领导审批 → 已批准，已送达"
        in client.get(_url("penalty_detail", proposal)).content.decode()
    )

    # once sent it is answered like any referral; an approved proposal is no longer edited
    client.force_login(auditor)
    page = client.get(_url("referral_detail", referral)).content.decode()
    assert f"报批记录 {proposal.number}" in page and "已移送/已批准送达" in page
    answered_on = timezone.localdate().isoformat()
    client.post(
        _url("referral_answer", referral),
        {"answer-answer": "县人社局批准，已责令退回", "answer-on_date": answered_on},
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ANSWERED and referral.answer == "县人社局批准，已责令退回"
    response = client.post(_url("penalty_edit", proposal), {"subject": "改", "facts": "改", "proposal": "改"})
    assert "不能修改" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.proposal == DRAFT["penalty-proposal"]


def test_whoever_drafted_edited_or_submitted_it_never_approves_it(client, auditor, lead, manager, inspection):
    mine = _draft(client, lead, inspection)  # the leader drafted it and submits it
    _step(client, lead, mine, "submit")
    response = _step(client, lead, mine, "approve")
    assert "录入人不能复核本人录入的申请，请由其他局领导复核" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == RS.TOWN_APPROVED and not Referral.objects.exists()

    edited = _draft(client, auditor, inspection)  # drafted by an auditor, corrected by the leader
    client.force_login(lead)
    client.post(_url("penalty_edit", edited), {"subject": "王某", "facts": "冒领", "proposal": "责令退回"})
    _step(client, auditor, edited, "submit")
    response = _step(client, lead, edited, "approve")
    assert "修改过该行政处理处罚意见的人不能复核，请由其他局领导复核" in response.content.decode()
    edited.refresh_from_db()
    assert edited.status == RS.TOWN_APPROVED and not Referral.objects.exists()
    _step(client, manager, edited, "approve")  # another leader may
    edited.refresh_from_db()
    assert edited.status == RS.COUNTY_APPROVED and Referral.objects.get() == edited.referral


def test_returned_with_an_opinion_then_corrected_and_resubmitted(client, auditor, manager, inspection):
    proposal = _draft(client, auditor, inspection)
    _step(client, auditor, proposal, "submit")
    response = _step(client, manager, proposal, "county_return")  # no opinion: refused at its field
    assert response.status_code == 200 and "县复核退回时必须填写意见" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == RS.TOWN_APPROVED
    _step(client, manager, proposal, "county_return", opinion="罚款倍数依据不足，请补充")
    proposal.refresh_from_db()
    assert proposal.status == RS.COUNTY_RETURNED and proposal.county_opinion == "罚款倍数依据不足，请补充"
    assert not Referral.objects.exists()

    client.force_login(auditor)
    edit = _url("penalty_edit", proposal)
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"subject": "王某", "facts": "冒领14个月", "proposal": ""})  # bad input
    assert response.status_code == 200 and "请写明处理处罚意见" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.proposal == DRAFT["penalty-proposal"]
    client.post(
        edit,
        {
            "subject": "王某",
            "facts": "冒领14个月",
            "proposal": "责令退回，并处2倍罚款（社会保险法第八十八条）",
        },
    )
    proposal.refresh_from_db()
    assert (
        proposal.proposal == "责令退回，并处2倍罚款（社会保险法第八十八条）"
        and proposal.status == RS.COUNTY_RETURNED
    )

    _step(client, auditor, proposal, "submit")
    _step(client, manager, proposal, "approve")
    proposal.refresh_from_db()
    assert proposal.status == RS.COUNTY_APPROVED
    assert proposal.referral.proposal == "责令退回，并处2倍罚款（社会保险法第八十八条）"


def test_a_town_agent_gets_403_or_404_on_every_proposal_url(client, auditor, agent, inspection):
    report = whistle.report_register(received_on=timezone.localdate(), channel="phone", town=inspection.town,
                                     content="冒领", by=auditor)  # fmt: skip
    client.force_login(auditor)
    client.post(reverse("supervision:report_penalty", args=[report.pk]), DRAFT)
    proposal = PenaltyProposal.objects.get(report=report)  # drafted from the 举报 too, about the agent's town
    assert proposal.town == agent.town
    urls = [reverse("supervision:penalty_list"), reverse("supervision:penalty_create", args=[inspection.pk]),
            reverse("supervision:report_penalty", args=[report.pk])]  # fmt: skip
    urls += [_url(f"penalty_{n}", proposal) for n in
             ("detail", "edit", "submit", "town_return", "approve", "county_return", "cancel")]  # fmt: skip
    client.force_login(agent)
    for url in urls:
        for response in (client.get(url), client.post(url, {**DRAFT, "opinion": "x"})):
            assert response.status_code in (403, 404, 405), url
    assert PenaltyProposal.objects.count() == 1
    proposal.refresh_from_db()
    assert proposal.status == RS.DRAFT and proposal.status_changes.count() == 1


def test_a_penalty_is_no_longer_sent_at_once_as_a_referral(client, auditor, inspection):
    client.force_login(auditor)
    response = client.post(reverse("supervision:referral_create", args=[inspection.pk]), {
        "referral-kind": "penalty", "referral-subject": "王某", "referral-facts": "冒领", "referral-proposal": "罚款",
        "referral-sent_on": timezone.localdate().isoformat()})  # fmt: skip
    assert response.status_code == 200 and not Referral.objects.exists()
    with pytest.raises(Exception) as refused:
        onsite.referral_create(
            kind="penalty",
            town=inspection.town,
            subject="王某",
            facts="冒领",
            proposal="罚款",
            recipient="县人社局",
            sent_on=timezone.localdate(),
            by=auditor,
            inspection=inspection,
        )
    assert "须报局领导审批后送达" in str(refused.value.message_dict["kind"])
    assert not Referral.objects.exists()


def test_the_leaders_todo_counts_proposals_awaiting_approval_they_did_not_prepare(
    client, auditor, lead, manager, inspection
):
    for _ in range(2):
        _step(client, auditor, _draft(client, auditor, inspection), "submit")
    _step(client, lead, _draft(client, lead, inspection), "submit")
    _draft(client, auditor, inspection)  # a draft is not awaiting approval
    label = "待审批的行政处理处罚意见"
    count, url = todos(client, manager)[label]
    assert count == 3 and url == reverse("supervision:penalty_list") + f"?status={RS.TOWN_APPROVED}"
    assert todos(client, lead)[label][0] == 2  # not the one the leader prepared
    assert label not in todos(client, auditor)
    listing = client.get(url).content.decode()
    assert listing.count("已报批，待局领导审批") >= 3

    returned = PenaltyProposal.objects.filter(status=RS.TOWN_APPROVED, created_by=auditor).first()
    _step(client, manager, returned, "county_return", opinion="补充证据")
    assert todos(client, auditor)["局领导退回的行政处理处罚意见"][0] == 1
    assert todos(client, manager)[label][0] == 2


def test_the_town_has_a_todo_while_a_supervision_report_awaits_its_written_opinion(
    client, auditor, agent, agent_elsewhere, reported
):
    label = "待提出书面意见的监督报告"
    count, url = todos(client, agent)[label]
    assert count == 1 and url == reverse("supervision:inspection_list") + "?status=report_sent"
    assert reported.number in client.get(url).content.decode()
    assert label not in todos(client, agent_elsewhere) and label not in todos(client, auditor)
    plans.inspection_opinion_submit(
        inspection=reported, text="无异议", by=agent, today=reported.report_sent_on + timedelta(days=3)
    )
    assert Inspection.objects.get(pk=reported.pk).status == Inspection.Status.OPINION
    assert label not in todos(client, agent)


def test_a_penalty_proposal_has_no_town_return_step(client, auditor, manager, inspection):
    proposal = _draft(client, auditor, inspection)
    _step(client, auditor, proposal, "submit")
    _step(client, manager, proposal, "county_return", "事实不清")
    client.force_login(auditor)
    page = client.get(_url("penalty_detail", proposal)).content.decode()
    assert _url("penalty_town_return", proposal) not in page
    refused = _step(client, auditor, proposal, "town_return", "退回").content.decode()
    assert "行政处理处罚意见由拟稿人修改后重新报批，没有初审退回" in refused
    proposal.refresh_from_db()
    assert proposal.status == RS.COUNTY_RETURNED
