"""Documents: upload (type by content, size limit, 档号), checked download, loans of paper files, volumes."""

import hashlib
import uuid
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from linggao_pension.org.models import User
from linggao_pension.org.services import access_log_record

from .. import files, records, rules
from ..models import Document, DocumentType, IntegrityFailure, Loan, Volume
from ._common import fonds_no, number_next, require_perm

EARLIEST_YEAR = 1990


class DocumentTampered(Exception):
    """The stored file does not match its checksum (or is gone): the download is refused."""

    def __init__(self, failure: IntegrityFailure):
        super().__init__(f"档案 {failure.document.archive_no} 校验失败")
        self.failure = failure


def _check_year(year: int, today: date) -> int:
    if not (EARLIEST_YEAR <= year <= today.year):
        raise ValidationError({"year": f"年度应在 {EARLIEST_YEAR} 至 {today.year} 之间"})
    return year


def document_upload(
    *, record_label: str, record_id: int, doc_type: DocumentType, title: str, upload, by: User,
    year: int | None = None, retention: str = "", custody_location: str = "",
) -> Document:
    """Attach a scan to a record the uploader may see: the file's type is checked by its content and
    its size by the limit before anything is stored; the 档号 is numbered under a row lock."""
    require_perm(by, "archives.add_document", "上传电子档案")
    rtype, record = records.fetch_record(label=record_label, pk=record_id, user=by)
    today = timezone.localdate()
    year = _check_year(year or today.year, today)
    title = (title or "").strip() or doc_type.name
    checked = files.check_upload(upload)
    name = f"archives/{year}/{doc_type.category}/{uuid.uuid4().hex}.{checked.extension}"
    document = None
    try:
        with transaction.atomic():
            fonds = fonds_no()
            item_no = number_next(key=f"document:{fonds}:{year}:{doc_type.category}")
            document = Document(
                record_type=rtype_content_type(rtype), record_id=record.pk, town_id=rtype.town_id_of(record),
                person_id=rtype.person_id_of(record), doc_type=doc_type, title=title[:120], fonds=fonds, year=year,
                category=doc_type.category, item_no=item_no,
                archive_no=rules.archive_no(fonds=fonds, year=year, category=doc_type.category, item_no=item_no),
                retention=retention or doc_type.retention, custody_location=custody_location.strip(),
                original_name=(getattr(upload, "name", "") or "")[:200], mime_type=checked.mime_type,
                size=checked.size, sha256=checked.sha256, uploaded_by=by,
            )
            document.file.save(name, ContentFile(checked.content), save=False)
            document.save()
    except Exception:
        if document is not None and document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


def rtype_content_type(rtype: records.RecordType) -> ContentType:
    return ContentType.objects.get_for_model(rtype.model)


def document_verify(*, document: Document, by: User, request=None) -> None:
    """Check the stored file against the SHA-256 recorded at upload (read in chunks). A mismatch or
    a missing file is recorded as an IntegrityFailure and in the access log, and refused."""
    require_perm(by, "archives.view_document", "查看电子档案")
    digest = hashlib.sha256()
    try:
        with document.file.storage.open(document.file.name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
        actual = digest.hexdigest()
    except (FileNotFoundError, OSError, ValueError):
        actual = ""
    if actual != document.sha256:
        with transaction.atomic():
            failure = IntegrityFailure.objects.create(
                document=document, detected_by=by, expected=document.sha256, actual=actual
            )
            access_log_record(user=by, obj=document, label=document.archive_no, action="下载校验失败", request=request)
        raise DocumentTampered(failure)


# --- loans of paper files --------------------------------------------------------------------------


def loan_create(
    *, document: Document, borrower: str, purpose: str, due_on: date, by: User, borrower_unit: str = "",
    lent_on: date | None = None,
) -> Loan:
    require_perm(by, "archives.lend_document", "登记档案借阅")
    lent_on = lent_on or timezone.localdate()
    errors = {}
    if not borrower.strip():
        errors["borrower"] = "请填写借阅人"
    if not purpose.strip():
        errors["purpose"] = "请填写借阅事由"
    if due_on < lent_on:
        errors["due_on"] = "应还日期不能早于借出日期"
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            Document.objects.select_for_update().get(pk=document.pk)
            if Loan.objects.filter(document=document, returned_on__isnull=True).exists():
                raise ValidationError("该档案已借出，尚未归还")
            return Loan.objects.create(
                document=document, borrower=borrower.strip(), borrower_unit=borrower_unit.strip(),
                purpose=purpose.strip(), lent_on=lent_on, due_on=due_on, lent_by=by,
            )
    except IntegrityError:
        raise ValidationError("该档案已借出，尚未归还") from None


def loan_return(*, loan: Loan, by: User, on: date | None = None) -> Loan:
    require_perm(by, "archives.lend_document", "登记档案归还")
    on = on or timezone.localdate()
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.returned_on is not None:
            raise ValidationError("该借阅已登记归还")
        if on < loan.lent_on:
            raise ValidationError({"returned_on": "归还日期不能早于借出日期"})
        loan.returned_on, loan.returned_to = on, by
        loan.save()
    return loan


# --- volumes (案卷) ----------------------------------------------------------------------------------


def volume_create(
    *, year: int, category: str, title: str, by: User, retention: str = "", custody_location: str = ""
) -> Volume:
    require_perm(by, "archives.add_volume", "立卷")
    _check_year(year, timezone.localdate())
    if not title.strip():
        raise ValidationError({"title": "请填写案卷题名"})
    with transaction.atomic():
        number = number_next(key=f"volume:{year}:{category}")
        return Volume.objects.create(
            year=year, category=category, number=number, title=title.strip(), created_by=by,
            retention=retention or Volume._meta.get_field("retention").default, custody_location=custody_location,
        )


def volume_add_documents(*, volume: Volume, archive_nos: list[str], by: User) -> int:
    """File documents (by 档号) into a volume of their year and category; all or none."""
    require_perm(by, "archives.add_volume", "组卷")
    wanted = [n.strip() for n in archive_nos if n.strip()]
    if not wanted:
        raise ValidationError({"archive_nos": "请填写要归入本卷的档号"})
    with transaction.atomic():
        docs = {d.archive_no: d for d in Document.objects.select_for_update().filter(archive_no__in=wanted)}
        problems = []
        for number in wanted:
            doc = docs.get(number)
            if doc is None:
                problems.append(f"{number}：没有这个档号")
            elif (doc.year, doc.category) != (volume.year, volume.category):
                problems.append(f"{number}：年度或类别与本卷不同（{doc.year} {doc.get_category_display()}）")
            elif doc.volume_id not in (None, volume.pk):
                problems.append(f"{number}：已归入案卷 {doc.volume.code}")
        if problems:
            raise ValidationError({"archive_nos": problems})
        for doc in docs.values():
            doc.volume = volume
            doc.save(update_fields=["volume"])  # with history: who filed it and when
        return len(docs)
