"""Through the pages (Django test client): a town agent records a death, a county clerk approves it,
the settlement sheet downloads, the heirs' line appears in the next payroll."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from benefits.models import DeathReport, HeirSettlement, PayrollLine
from benefits.services import payroll_generate
from tests.factories import PensionFactory, make_id_number

from .conftest import at, credit, pay_month

pytestmark = pytest.mark.django_db


def masked_viewer():
    """Someone who may open the settlement but not see personal numbers in full (finance, managers)."""
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    user = UserFactory(username="viewer")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_heirsettlement", "view_all_towns"]))
    return user


def assert_sheet_shows(client, settlement, *, full: bool):
    import io

    from pypdf import PdfReader

    from linggao_pension.org.models import AccessLog

    response = client.get(reverse("benefits:settlement_sheet", args=[settlement.pk]))
    assert response.status_code == 200
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text().replace(" ", "")
    for number in (settlement.person.id_number, settlement.heir_id_number, settlement.heir_bank_account):
        assert (number in text) is full
    if not full:
        assert settlement.heir_id_number[:6] + "********" + settlement.heir_id_number[-4:] in text
        assert "************0001" in text
    assert AccessLog.objects.filter(action="打印继承结算表").exists()


def test_death_walk(client, town, agent, clerk, finance, finance2, poster):
    pension = PensionFactory(person__town=town)
    PensionFactory(person__town=town)
    credit(pension.person, "1390.00", date(2026, 1, 1), by=poster)
    with at(2026, 1, 25):
        pay_month(date(2026, 1, 1), finance=finance, finance2=finance2)
    with at(2026, 2, 3):
        client.force_login(agent)
        bad = client.post(reverse("benefits:death_create"), {"id_number": pension.person.id_number,
                                                            "death_date": "2026-03-01", "source": "family"})
        assert "死亡日期不能晚于今天" in bad.content.decode() and not DeathReport.objects.exists()
        response = client.post(reverse("benefits:death_create"), {"id_number": pension.person.id_number,
                                                                 "death_date": "2026-01-28", "source": "family"})
        report = DeathReport.objects.get()
        assert response.status_code == 302 and report.status == "town_approved"
        client.force_login(clerk)
        page = client.get(reverse("benefits:death_detail", args=[report.pk]))
        assert "县复核通过" in page.content.decode()
        client.post(reverse("benefits:death_approve", args=[report.pk]), {"opinion": "核实无误"})
        settlement = HeirSettlement.objects.get(death=report)
        assert settlement.payable == Decimal("1380.00")  # 1390 − January's 10.00 (January was payable)
        sheet = client.get(reverse("benefits:settlement_sheet", args=[settlement.pk]))
        assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
        client.force_login(agent)
        client.post(reverse("benefits:settlement_heirs", args=[settlement.pk]), {
            "heir_name": "王小明", "heir_id_number": make_id_number(date(1990, 3, 4)), "heir_relation": "子女",
            "heir_bank_name": "海南农信", "heir_bank_account": "6217000099990001"})
        settlement.refresh_from_db()
        assert settlement.status == HeirSettlement.Status.READY
        # the sheet follows the one masking rule: full for the town's agent, masked for a viewer without it
        assert_sheet_shows(client, settlement, full=True)
        client.force_login(masked_viewer())
        assert_sheet_shows(client, settlement, full=False)
    with at(2026, 2, 25):
        payroll_generate(month=date(2026, 2, 1), by=finance)
    line = PayrollLine.objects.get(kind=PayrollLine.Kind.SETTLEMENT)
    assert (line.run.month, line.amount, line.payee_name) == (date(2026, 2, 1), Decimal("1380.00"), "王小明")
    assert not PayrollLine.objects.filter(pension=pension, month=date(2026, 2, 1), kind="normal").exists()


def test_refused_heirs_details_are_shown_at_their_fields_and_nothing_is_saved(client, town, agent, clerk, poster):
    """The heirs' form on the death page: a wrong ID (check digit) or a missing field answers the
    page again (400) with the error at that field and what was typed kept; the settlement is unchanged."""
    pension = PensionFactory(person__town=town)
    credit(pension.person, "1390.00", date(2026, 1, 1), by=poster)
    with at(2026, 2, 3):
        client.force_login(agent)
        client.post(reverse("benefits:death_create"), {"id_number": pension.person.id_number,
                                                       "death_date": "2026-01-28", "source": "family"})
        report = DeathReport.objects.get()
        client.force_login(clerk)
        client.post(reverse("benefits:death_approve", args=[report.pk]), {"opinion": "核实"})
        settlement = HeirSettlement.objects.get(death=report)
        client.force_login(agent)
        page = client.get(reverse("benefits:death_detail", args=[report.pk])).content.decode()
        assert "继承人身份证号" in page and "银行账号" in page  # labelled fields, not placeholders only
        good = make_id_number(date(1990, 3, 4))
        data = {"heir_name": "王小明", "heir_id_number": good[:17] + ("0" if good[17] != "0" else "1"),
                "heir_relation": "子女", "heir_bank_name": "海南农信", "heir_bank_account": "6217000099990001"}
        url = reverse("benefits:settlement_heirs", args=[settlement.pk])
        wrong_id = client.post(url, data)
        assert wrong_id.status_code == 400
        assert wrong_id.context["heirs_form"].errors == {"heir_id_number": ["身份证号校验位错误"]}
        assert 'value="王小明"' in wrong_id.content.decode()
        missing = client.post(url, {**data, "heir_id_number": good, "heir_bank_name": ""})
        assert missing.status_code == 400 and list(missing.context["heirs_form"].errors) == ["heir_bank_name"]
        settlement.refresh_from_db()
        assert (settlement.status, settlement.heir_name, settlement.heir_id_number) == (
            HeirSettlement.Status.AWAITING_HEIRS, "", "")
        done = client.post(url, {**data, "heir_id_number": good})
        assert done.status_code == 302
        settlement.refresh_from_db()
        assert (settlement.status, settlement.heir_id_number) == (HeirSettlement.Status.READY, good)
