"""Policy publicity (duty 1) and the registers of 表、单、证、卡、册."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from linggao_pension.org.models import User

from .. import files
from ..models import PolicyDocument, Register, RegisterEntry
from ._common import require_perm


def policy_create(
    *, title: str, issuing_body: str, issued_on: date, summary: str, by: User, kind: str = PolicyDocument.Kind.POLICY,
    doc_no: str = "", effective_on: date | None = None, upload=None,
) -> PolicyDocument:
    """Add a policy document or notice to the library; its original, if given, must be a PDF."""
    require_perm(by, "archives.add_policydocument", "发布政策文件")
    errors = {}
    for field, value, label in (("title", title, "标题"), ("issuing_body", issuing_body, "发文机关"), ("summary", summary, "内容摘要")):
        if not (value or "").strip():
            errors[field] = f"请填写{label}"
    if errors:
        raise ValidationError(errors)
    checked = files.check_upload(upload, allowed=("application/pdf",)) if upload else None
    policy = PolicyDocument(
        kind=kind, title=title.strip(), doc_no=doc_no.strip(), issuing_body=issuing_body.strip(), issued_on=issued_on,
        effective_on=effective_on, summary=summary.strip(), created_by=by,
    )
    with transaction.atomic():
        if checked:
            policy.sha256 = checked.sha256
            policy.file.save(f"policies/{issued_on.year}/{checked.sha256[:16]}.pdf", ContentFile(checked.content), save=False)
        policy.save()
    return policy


def register_entry_record(
    *, register: Register, action: str, reference: str, by: User, quantity: int = 1, note: str = "",
    custody_location: str = "", reviews: RegisterEntry | None = None,
) -> RegisterEntry:
    """One line in a register. 复核 names the 缮制 line it reviews and is never by its maker."""
    require_perm(by, "archives.add_registerentry", "登记单证台账")
    errors = {}
    if not reference.strip():
        errors["reference"] = "请填写单证编号或名称"
    if quantity < 1:
        errors["quantity"] = "份数至少为 1"
    if action == RegisterEntry.Action.REVIEWED:
        if reviews is None or reviews.register_id != register.pk or reviews.action != RegisterEntry.Action.MADE:
            errors["reviews"] = "复核须指明本台账中被复核的缮制记录"
        elif reviews.by_id is not None and reviews.by_id == by.pk:
            errors["reviews"] = "缮制人不能复核自己缮制的单证"
    else:
        reviews = None
    if action == RegisterEntry.Action.KEPT and not custody_location.strip():
        errors["custody_location"] = "保管须填写保管位置"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return RegisterEntry.objects.create(
            register=register, action=action, reference=reference.strip(), quantity=quantity, note=note.strip(),
            custody_location=custody_location.strip(), reviews=reviews, by=by,
        )
