"""One determination worked by hand and followed through the PAGES, as the users do it: the town
agent submits the claim on the claim form, a county clerk determines it on the claim page, the
养老金计算表 PDF is served, the person page shows the pension, and the first month's payroll line
carries the same amounts.

The person: born 1965-09-10 in 临城镇. At the scheme start (2011-07-01) 45 full years old, so the
transitional rule does not apply (45 < a < 60 is false): 15 years required. 60 in September 2025,
benefit start 2025-10 (the month after the birthday month).

Ledger (posted as the contributions app would have booked it):
  2011-2024  个人缴费 300 a year (1 June)                 14 × 300 = 4,200.00
  2011-2024  省级财政补贴 30 a year                        14 × 30  =   420.00
  2015-2024  县级财政补贴 20 a year                        10 × 20  =   200.00
  2024-12-31 利息                                                     1,111.11
  2025-03-10 个人缴费 500, 省级 60, 县级 20 (2025 counts)              580.00

Contribution years before 2025-10-01: 2011-2025 = 15 (each year's personal ≥ the lowest grade 100).
Opening balance of 2025 (entries dated before 2025-01-01) = 4,200 + 420 + 200 + 1,111.11 = 5,931.11.
Interim interest = round(5,931.11 × 1.50% (2025's rate) × (10 − 1) / 12, 2) = round(66.7249875) = 66.72.
Balance at 2025-10-01 = 5,931.11 + 580.00 + 66.72 = 6,577.83:
  个人缴费 4,700.00; 省级财政补贴 480.00; 县级财政补贴 220.00; 利息 1,111.11 + 66.72 = 1,177.83.
Account pension = round(6,577.83 / 139, 2) = round(47.3225…) = 47.32 (139 × 47.32 = 6,577.48).
Basic pension for 2025-10 = central 143.00 + Hainan provincial 128.00 + county 0 = 271.00
(no long-contribution extra: 15 − 15 = 0 years beyond; no age extra).
Monthly pension = 271.00 + 47.32 = 318.32 (叁佰壹拾捌元叁角贰分).
"""

from datetime import date
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from benefits.models import BenefitClaim, PayrollLine, Pension
from contributions.models import AccountEntry, EntryKind, Source
from enrollment.models import Person
from linggao_pension.org.models import JobRun
from tests.factories import PersonFactory

from .conftest import at, credit, yearly

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def person(town, poster):
    person = PersonFactory(birth_date=date(1965, 9, 10), town=town, enrolled_on=date(2011, 7, 1))
    yearly(person, range(2011, 2025), "300.00", by=poster)
    yearly(person, range(2011, 2025), "30.00", by=poster, source=Source.PROVINCE)
    yearly(person, range(2015, 2025), "20.00", by=poster, source=Source.COUNTY)
    credit(person, "1111.11", date(2024, 12, 31), by=poster, source=Source.INTEREST, kind=EntryKind.INTEREST)
    credit(person, "500.00", date(2025, 3, 10), by=poster)
    credit(person, "60.00", date(2025, 3, 10), by=poster, source=Source.PROVINCE)
    credit(person, "20.00", date(2025, 3, 10), by=poster, source=Source.COUNTY)
    return person


FIGURES = ["5,931.11", "66.72", "6,577.83", "4,700.00", "480.00", "220.00", "1,177.83", "143.00", "128.00",
           "271.00", "47.32", "318.32"]


def test_claim_determination_sheet_and_person_page_through_the_pages(
    client, agent, clerk, finance, person, django_capture_on_commit_callbacks
):
    # 1. The town agent submits the claim in the birthday month on the claim form.
    client.force_login(agent)
    with at(2025, 9, 12):
        form = client.get(reverse("benefits:claim_create"), {"person": person.pk})
        assert person.id_number in form.content.decode()  # prefilled from the 到龄名单's link
        response = client.post(reverse("benefits:claim_create"), {"id_number": person.id_number, "opinion": "材料齐全"})
    claim = BenefitClaim.objects.get(person=person)
    assert response["Location"] == reverse("benefits:claim_detail", args=[claim.pk])
    assert (claim.status, claim.start_month) == (BenefitClaim.Status.TOWN_REVIEWED, date(2025, 10, 1))

    # 2. The clerk opens it in September: the figures are shown, determination waits for October.
    client.force_login(clerk)
    determine_url = reverse("benefits:claim_determine", args=[claim.pk])
    with at(2025, 9, 20):
        early = client.get(reverse("benefits:claim_detail", args=[claim.pk])).content.decode()
    assert "待遇开始年月为2025年10月，核定须在该月1日及以后进行" in early and determine_url not in early
    for figure in FIGURES:
        assert figure in early, figure

    # 3. In October the clerk determines it on the claim page.
    with at(2025, 10, 8):
        page = client.get(reverse("benefits:claim_detail", args=[claim.pk])).content.decode()
        assert determine_url in page and "符合领取条件" in page
        done = client.post(determine_url, {"opinion": "同意"}, follow=True)
    assert "已核定：月养老金 318.32 元" in done.content.decode()
    pension = Pension.objects.get(person=person)
    assert (pension.start_month, pension.contribution_years, pension.required_years) == (date(2025, 10, 1), 15, 15)
    assert (pension.opening_balance, pension.interest_rate, pension.interim_interest) == (
        D("5931.11"), D("0.0150"), D("66.72"))
    assert pension.balance_by_source == {"personal": "4700.00", "province": "480.00", "county": "220.00",
                                         "interest": "1177.83"}
    assert (pension.account_balance, pension.account_pension) == (D("6577.83"), D("47.32"))
    assert (pension.basic_central, pension.basic_provincial, pension.basic_county) == (D("143.00"), D("128.00"), D("0"))
    assert (pension.long_extra, pension.age_extra, pension.basic_pension) == (D("0"), D("0"), D("271.00"))
    assert pension.monthly_pension == D("318.32")
    interim = AccountEntry.objects.get(person=person, kind=EntryKind.INTEREST, year=2025)
    assert (interim.amount, interim.entry_date) == (D("66.72"), date(2025, 10, 1))
    person.refresh_from_db()
    assert person.status == Person.Status.RECEIVING

    # 4. The 养老金计算表 PDF is served, rendered from the frozen figures.
    sheet = client.get(reverse("benefits:pension_sheet", args=[pension.pk]))
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
    assert sheet.content.startswith(b"%PDF")
    assert [t.name for t in sheet.templates][0] == "benefits/pension_sheet.html"
    context = sheet.context[0].flatten()  # the context the PDF was rendered from
    assert (context["pension"].pk, context["monthly"], context["interim_months"], context["rate_percent"]) == (
        pension.pk, D("318.32"), 9, D("1.50"))
    html = render_to_string("benefits/pension_sheet.html", {**context, "pdf_font_url": ""})
    for text in [*FIGURES, person.id_number, "2011", "15 年", "9/12", "1.50%", "139", "叁佰壹拾捌元叁角贰分"]:
        assert text in html, text

    # 5. The person page shows the pension.
    person_page = client.get(reverse("enrollment:person_detail", args=[person.pk])).content.decode()
    for text in ["养老金待遇", "2025年10月", "6,577.83", "47.32 元/月", "开始月 271.00 元/月",
                 reverse("benefits:pension_sheet", args=[pension.pk])]:
        assert text in person_page, text

    # 6. October's payroll pays exactly that, and the person page lists the line.
    client.force_login(finance)
    with at(2025, 10, 20), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("benefits:payroll_start"), {"month": "2025-10"})
    assert JobRun.objects.get(kind="benefits.payroll").result == {"lines": 1, "total": "318.32", "created": 1, "suspended": 0, "backpay_lines": 0}
    line = PayrollLine.objects.get(pension=pension)
    assert (line.month, line.basic_amount, line.account_amount, line.amount) == (
        date(2025, 10, 1), D("271.00"), D("47.32"), D("318.32"))
    client.force_login(clerk)
    person_page = client.get(reverse("enrollment:person_detail", args=[person.pk])).content.decode()
    assert "发放记录（最近 1 条，共 1 条）" in person_page and "318.32" in person_page
