"""Certificates issued on request (签发): content frozen from the ledgers, serial, HMAC code, PDF with
a QR code of the public verification URL, and the issue recorded in the register (台账)."""

import base64
import io
from datetime import date

import qrcode
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Person
from linggao_pension.exports import render_pdf
from linggao_pension.org.access import scope_q as town_scope_q
from linggao_pension.org.models import User

from .. import rules, selectors
from ..models import Certificate, Register, RegisterEntry
from ._common import number_next, require_perm

SERIAL_PREFIX = {Certificate.Kind.CONTRIBUTION: "JFZM", Certificate.Kind.BENEFIT: "DYZM"}
REGISTER_CODE = {Certificate.Kind.CONTRIBUTION: "certificate_contribution", Certificate.Kind.BENEFIT: "certificate_benefit"}


def verification_url(code: str) -> str:
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("archives:verify_code", args=[code])


def qr_data_uri(text: str) -> str:
    image = qrcode.make(text, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def certificate_issue(*, person: Person, kind: str, by: User | None, purpose: str = "", today: date | None = None) -> Certificate:
    """Issue a certificate for a person the issuer may see. `by` None: the shell (issue_certificate)."""
    require_perm(by, "archives.issue_certificate", "签发证明")
    if kind not in Certificate.Kind.values:
        raise ValidationError({"kind": "证明类型应为 contribution（参保缴费证明）或 benefit（待遇领取证明）"})
    if by is not None:
        q = town_scope_q(by)
        if q is not None and not Person.objects.filter(q, pk=person.pk).exists():
            raise ValidationError("只能为本镇/农场的参保人开具证明")
    today = today or timezone.localdate()
    try:
        content = selectors.CONTENT_BUILDERS[kind](person=person)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if kind == Certificate.Kind.CONTRIBUTION and not content["years"]:
        raise ValidationError("该参保人没有缴费记录，不能开具参保缴费证明")
    with transaction.atomic():
        prefix = SERIAL_PREFIX[kind]
        number = number_next(key=f"certificate:{prefix}:{today.year}")
        serial = f"{prefix}-{today.year}-{number:06d}"
        certificate = Certificate(
            kind=kind, serial=serial, person=person, person_name=person.name, id_number=person.id_number,
            content=content, purpose=purpose.strip()[:60], issued_on=today, issued_by=by,
        )
        certificate.code = rules.certificate_code(selectors.certificate_message(certificate))
        certificate.save()
        pdf = certificate_pdf_bytes(certificate)
        certificate.pdf.save(f"certificates/{today.year}/{serial}.pdf", ContentFile(pdf), save=True)
        register = Register.objects.get(code=REGISTER_CODE[kind])
        RegisterEntry.objects.create(
            register=register, action=RegisterEntry.Action.ISSUED, reference=serial, by=by,
            note=f"{person.name}（{person.insured_no}）{('，' + certificate.purpose) if certificate.purpose else ''}",
        )
    return certificate


def certificate_pdf_bytes(certificate: Certificate) -> bytes:
    url = verification_url(certificate.code)
    return render_pdf(
        "archives/certificate_pdf.html",
        {
            "c": certificate, "content": certificate.content, "code_display": rules.code_display(certificate.code),
            "verify_url": url, "qr": qr_data_uri(url),
        },
    )
