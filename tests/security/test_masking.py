"""The one masking rule (issue 9) per role on pages, PDFs (text extracted) and Excel: finance and
managers (no enrollment.view_person_full) see masked ID and bank numbers; agents of the person's
town, clerks and auditors see them in full; every opening is logged."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from benefits import services as benefit_services
from linggao_pension.masking import shown_account, shown_id
from linggao_pension.org.models import AccessLog
from linggao_pension.templatetags.formatting import account_masked, id_masked
from tests.benefits.conftest import at, yearly
from tests.factories import PensionFactory, PersonFactory, ReceiptFactory

pytestmark = pytest.mark.django_db
FULL_ROLES = ["agent", "clerk", "auditor"]
MASKED_ROLES = ["finance", "manager"]


@pytest.fixture
def person(town, clerk):
    """60 in April 2026 in 临城镇 with 15 years paid, with a claim submitted and a receipt."""
    person = PersonFactory(birth_date=date(1966, 4, 10), town=town, bank_account="6217000011112222")
    yearly(person, range(2011, 2026), "200.00", by=clerk)
    return person


@pytest.fixture
def claim(person, agent):
    with at(2026, 4, 15):
        return benefit_services.claim_submit(person=person, by=agent)


@pytest.fixture
def pension(town):
    return PensionFactory(person__town=town, person__bank_account="6217000033334444")


def _user(request, role):
    return request.getfixturevalue(role)


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = response.getvalue() if response.streaming else response.content
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).replace(" ", "")


def _expect(text: str, value: str, masked_value: str, full: bool):
    if full:
        assert value in text
    else:
        assert value not in text and masked_value in text


def test_the_rule():
    class U:
        is_authenticated = True

        def __init__(self, full):
            self.full = full

        def has_perm(self, perm):
            return self.full and perm == "enrollment.view_person_full"

    assert shown_id("460028196604101234", U(True)) == "460028196604101234"
    assert shown_id("460028196604101234", U(False)) == "460028********1234"
    assert shown_account("6217000011112222", U(False)) == "************2222"
    assert shown_id("460028196604101234", None) == "460028********1234"


@pytest.mark.parametrize("role", FULL_ROLES + MASKED_ROLES)
def test_claim_and_pension_pages(client, request, role, claim, pension):
    user = _user(request, role)
    full = role in FULL_ROLES
    client.force_login(user)
    html = client.get(reverse("benefits:claim_detail", args=[claim.pk])).content.decode()
    _expect(html, claim.person.id_number, id_masked(claim.person.id_number), full)
    _expect(html, claim.person.bank_account, account_masked(claim.person.bank_account), full)
    html = client.get(reverse("benefits:pension_detail", args=[pension.pk])).content.decode()
    _expect(html, pension.person.id_number, id_masked(pension.person.id_number), full)
    _expect(html, pension.person.bank_account, account_masked(pension.person.bank_account), full)
    assert AccessLog.objects.filter(user=user).count() == 2


@pytest.mark.parametrize("role", FULL_ROLES + MASKED_ROLES)
def test_pdfs(client, request, role, person, pension):
    user = _user(request, role)
    full = role in FULL_ROLES
    client.force_login(user)
    receipt = ReceiptFactory(person=person)
    text = _pdf_text(client.get(reverse("contributions:receipt_pdf", args=[receipt.pk])))
    _expect(text, person.id_number, id_masked(person.id_number), full)
    with at(2026, 3, 10):
        text = _pdf_text(client.get(reverse("contributions:account_statement_pdf", args=[person.pk, 2025])))
    _expect(text, person.id_number, id_masked(person.id_number), full)
    text = _pdf_text(client.get(reverse("benefits:pension_sheet", args=[pension.pk])))
    _expect(text, pension.person.id_number, id_masked(pension.person.id_number), full)
    _expect(text, pension.person.bank_account, account_masked(pension.person.bank_account), full)
    assert AccessLog.objects.filter(user=user).count() == 3


@pytest.mark.parametrize("role", FULL_ROLES + MASKED_ROLES)
def test_the_due_list_excel(client, request, role, person):
    user = _user(request, role)
    client.force_login(user)
    with at(2026, 4, 2):
        response = client.get(reverse("benefits:due_export") + "?month=2026-04")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.getvalue()), read_only=True).active
    cells = [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    expected = person.id_number if role in FULL_ROLES else id_masked(person.id_number)
    assert expected in cells and (role in FULL_ROLES or person.id_number not in cells)
    assert AccessLog.objects.filter(user=user, action="下载").count() == 1
