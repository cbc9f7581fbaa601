import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from archives.models import DocumentType
from contributions.models import AccountEntry, EntryKind, Source
from tests.factories import PersonFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(content: bytes = PDF, name: str = "scan.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def person(db, town):
    return PersonFactory(town=town, name="王大明")


@pytest.fixture
def person_elsewhere(db, other_town):
    return PersonFactory(town=other_town, name="符小红")


@pytest.fixture
def id_copy(db):
    return DocumentType.objects.get(code="id_copy")


@pytest.fixture
def contributor(person):
    """A person with two contribution years in the ledger."""
    for year, amount in ((2024, "300.00"), (2025, "500.00")):
        AccountEntry.objects.create(
            person=person, source=Source.PERSONAL, kind=EntryKind.CREDIT, amount=Decimal(amount),
            entry_date=date(year, 3, 1), year=year,
        )
        AccountEntry.objects.create(
            person=person, source=Source.PROVINCE, kind=EntryKind.CREDIT, amount=Decimal("60.00"),
            entry_date=date(year, 3, 1), year=year,
        )
    return person


def media_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


__all__ = ["PDF", "PNG", "io", "media_files", "upload"]
