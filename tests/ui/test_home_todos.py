"""The home page's 待办 per role: counts scoped to the user's town and permissions, with links."""

from datetime import date

import pytest
from django.urls import reverse

from benefits.models import BenefitClaim, PayrollRun
from enrollment import services
from enrollment.models import EnrollmentApplication, ReviewStatus
from tests.enrollment.conftest import application_data
from tests.factories import PensionFactory, PersonFactory, ReceiptFactory, make_id_number

from .html import doc, text

pytestmark = pytest.mark.django_db


def todos(client, user) -> dict[str, tuple[int, str]]:
    client.force_login(user)
    page = doc(client.get(reverse("home")))
    out = {}
    for li in page.xpath('//section[@id="todos"]//li'):
        a = li.xpath(".//a")[0]
        out[text(li.xpath('.//span[@class="label"]')[0])] = (int(text(li.xpath('.//b[@class="count"]')[0])), a.get("href"))
    return out


def _application(agent, town, status, n):
    app = services.application_create(data=application_data(town, id_number=make_id_number(date(1980, 1, n), "1")),
                                      by=agent)
    EnrollmentApplication.objects.filter(pk=app.pk).update(status=status)


def test_agent_sees_returned_applications_of_the_own_town_only(client, agent, agent_elsewhere, town, other_town):
    _application(agent, town, ReviewStatus.COUNTY_RETURNED, 1)
    _application(agent, town, ReviewStatus.COUNTY_RETURNED, 2)
    _application(agent_elsewhere, other_town, ReviewStatus.COUNTY_RETURNED, 3)
    mine = todos(client, agent)
    count, url = mine["县局退回的参保登记申请"]
    assert count == 2 and url == reverse("enrollment:application_list") + "?status=county_returned"
    assert client.get(url).status_code == 200
    assert todos(client, agent_elsewhere)["县局退回的参保登记申请"][0] == 1


def test_clerk_sees_applications_to_review_and_claims_to_determine(client, agent, clerk, town):
    _application(agent, town, ReviewStatus.TOWN_APPROVED, 4)
    claim_person = PersonFactory(town=town, age=60)
    BenefitClaim.objects.create(person=claim_person, status=BenefitClaim.Status.TOWN_REVIEWED,
                                start_month=date(2026, 12, 1), submitted_by=agent)  # fmt: skip
    mine = todos(client, clerk)
    assert mine["待县复核的参保登记申请"][0] == 1
    count, url = mine["待县核定的待遇申领"]
    assert count == 1 and "status=town_reviewed" in url
    assert "待划拨确认的缴费票据" not in mine  # not a clerk's work


def test_finance_sees_receipts_to_confirm_and_a_payroll_to_review_made_by_someone_else(client, finance, finance2, town):
    ReceiptFactory.create_batch(3, person__town=town)
    run = PayrollRun.objects.create(month=date(2026, 11, 1), generated_by=finance)
    assert todos(client, finance)["待划拨确认的缴费票据"][0] == 3
    assert "待复核的月度发放" not in todos(client, finance)  # the maker does not review
    count, url = todos(client, finance2)["待复核的月度发放"]
    assert count == 1 and url == reverse("benefits:payroll_detail", args=[run.pk])


def test_overdue_certifications(client, agent, town, other_town):
    PensionFactory(person__town=town, last_certified_on=date(2025, 1, 10))
    PensionFactory(person__town=town, last_certified_on=date(2026, 10, 1))
    PensionFactory(person__town=other_town, last_certified_on=date(2024, 1, 10))
    assert todos(client, agent)["超期未认证的领取人员"][0] == 1


def test_nothing_to_do_says_so(client, auditor):
    client.force_login(auditor)
    assert "暂无待办事项" in client.get(reverse("home")).content.decode()
