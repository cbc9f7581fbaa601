"""Reads for archives: what a user may open, the certificates' content, lists and counts."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404

from benefits import selectors as benefit_selectors
from benefits.models import PayrollLine, Pension
from contributions import selectors as contribution_selectors
from contributions.models import AccountEntry, EntryKind, Source
from enrollment.models import Person
from linggao_pension.money import ZERO, quantize

from . import records, rules
from .models import (
    Certificate,
    Consultation,
    ConsultationService,
    Document,
    IntegrityFailure,
    Loan,
    PolicyDocument,
    Register,
    Volume,
)

# --- documents ---------------------------------------------------------------------------------------


def document_for(*, user, pk: int) -> Document:
    """A document the user may open: in their scope, and its record visible to them (its app's
    permission and town, read from the record itself, not only the copy on the document)."""
    if not user.has_perm("archives.view_document"):
        raise Http404("没有找到该档案")
    document = get_object_or_404(
        Document.objects.in_scope(user).select_related("doc_type", "record_type", "town", "volume"), pk=pk
    )
    ct = document.record_type
    records.fetch_record(label=f"{ct.app_label}.{ct.model}", pk=document.record_id, user=user)
    return document


def documents_of(*, user, record) -> list[Document]:
    ct = ContentType.objects.get_for_model(record)
    return list(
        Document.objects.in_scope(user).filter(record_type=ct, record_id=record.pk).select_related("doc_type")
    )


def person_documents(*, user, person: Person):
    """Every document of a person (attached to them or to one of their records)."""
    return (
        Document.objects.in_scope(user).filter(person=person)
        .select_related("doc_type", "record_type").order_by("-uploaded_at", "-pk")
    )


def record_link(document: Document) -> dict:
    ct = document.record_type
    rtype = records.record_types().get(f"{ct.app_label}.{ct.model}")
    return {"title": rtype.title if rtype else ct.name, "url_name": rtype.url if rtype else None}


def open_loans_q(today: date) -> Q:
    return Q(returned_on__isnull=True, due_on__lt=today)


def overdue_loans(*, user, today: date):
    return (
        Loan.objects.in_scope(user).filter(open_loans_q(today)).select_related("document", "lent_by")
        .order_by("due_on", "pk")
    )


# --- certificates ------------------------------------------------------------------------------------

SUBSIDY_SOURCES = (Source.CENTRAL, Source.PROVINCE, Source.CITY, Source.COUNTY, Source.TOWNSHIP, Source.VILLAGE)
COLLECTIVE_SOURCES = (Source.COLLECTIVE, Source.SPONSOR)
CONTRIBUTION_KINDS = (EntryKind.CREDIT, EntryKind.REVERSAL)


def _money(value) -> str:
    return str(quantize(value or ZERO))


def contribution_content(*, person: Person) -> dict:
    """参保缴费证明: each contribution year with its amounts by funding item, and the years counted
    (contributions' selectors decide which years count)."""
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    rows = (
        AccountEntry.objects.filter(person=person, year__isnull=False, kind__in=CONTRIBUTION_KINDS)
        .exclude(source__in=[Source.INTEREST])
        .values("year", "source").annotate(total=Sum("amount")).order_by()
    )
    for row in rows:
        sums[row["year"]][row["source"]] += row["total"]
    counted = set(contribution_selectors.counted_years(person=person, before=date.max))
    years = []
    for year in sorted(sums):
        by = sums[year]
        personal = by.get(Source.PERSONAL, ZERO)
        subsidy = sum((by.get(s, ZERO) for s in SUBSIDY_SOURCES), ZERO)
        collective = sum((by.get(s, ZERO) for s in COLLECTIVE_SOURCES), ZERO)
        daijiao = by.get(Source.DAIJIAO, ZERO)
        total = sum(by.values(), ZERO)
        years.append({
            "year": year, "personal": _money(personal), "subsidy": _money(subsidy),
            "collective": _money(collective), "daijiao": _money(daijiao), "total": _money(total),
            "counted": year in counted,
        })  # fmt: skip
    return {
        "insured_no": person.insured_no,
        "town": person.town.name,
        "enrolled_on": person.enrolled_on.isoformat(),
        "status": person.get_status_display(),
        "years": years,
        "counted_years": len(counted),
        "personal_total": _money(sum((Decimal(y["personal"]) for y in years), ZERO)),
        "total": _money(sum((Decimal(y["total"]) for y in years), ZERO)),
        "balance": _money(contribution_selectors.balance(person=person)),
    }


def benefit_content(*, person: Person) -> dict:
    """待遇领取证明: the pension (start, monthly amount) and the months paid so far."""
    pension = Pension.objects.filter(person=person).first()
    if pension is None:
        raise ValueError("该参保人没有养老金待遇记录，不能开具待遇领取证明")
    paid = PayrollLine.objects.filter(pension=pension, status=PayrollLine.Status.PAID)
    agg = paid.aggregate(months=Count("month", distinct=True), total=Sum("amount"))
    last = benefit_selectors.pension_lines(pension).filter(status=PayrollLine.Status.PAID).first()
    return {
        "insured_no": person.insured_no,
        "town": person.town.name,
        "start_month": pension.start_month.strftime("%Y-%m"),
        "status": pension.get_status_display(),
        "basic_pension": _money(pension.basic_pension),
        "account_pension": _money(pension.account_pension),
        "monthly_pension": _money(pension.monthly_pension),
        "months_paid": agg["months"] or 0,
        "total_paid": _money(agg["total"]),
        "last_paid_month": last.month.strftime("%Y-%m") if last else "",
        "last_paid_amount": _money(last.amount) if last else "",
    }


CONTENT_BUILDERS = {Certificate.Kind.CONTRIBUTION: contribution_content, Certificate.Kind.BENEFIT: benefit_content}


def certificate_message(certificate: Certificate) -> str:
    return rules.certificate_message(
        serial=certificate.serial, kind=certificate.kind, id_number=certificate.id_number,
        name=certificate.person_name, issued_on=certificate.issued_on.isoformat(), content=certificate.content,
    )


def certificate_verify(code: str) -> tuple[bool, Certificate | None]:
    """(valid, certificate): valid only when a certificate carries this code and its stored content
    still signs to it (an altered certificate or a made-up code is not valid)."""
    normalized = rules.normalize_code(code)
    if len(normalized) != rules.CODE_LENGTH:
        return False, None
    certificate = Certificate.objects.filter(code=normalized).first()
    if certificate is None:
        return False, None
    return rules.code_matches(certificate_message(certificate), normalized), certificate


# --- consultations -----------------------------------------------------------------------------------


def follow_ups_due(*, user, today: date):
    return (
        Consultation.objects.in_scope(user)
        .filter(follow_up_due__isnull=False, followed_up_on__isnull=True, follow_up_due__lte=today)
        .select_related("service", "created_by", "person").order_by("follow_up_due", "pk")
    )


def monthly_counts(*, user, months: int = 12, today: date) -> dict:
    """Consultations per month (the last `months`) and service: {"months": [...], "rows": [...]}."""
    start_index = today.year * 12 + today.month - months  # month index of the first month shown
    first = date(start_index // 12, start_index % 12 + 1, 1)
    counts = (
        Consultation.objects.in_scope(user).filter(created_at__date__gte=first)
        .annotate(month=TruncMonth("created_at")).values("month", "service_id").annotate(n=Count("pk")).order_by()
    )
    table: dict[int, dict[str, int]] = defaultdict(dict)
    for row in counts:
        month = row["month"]
        key = f"{month.year}-{month.month:02d}"
        table[row["service_id"]][key] = table[row["service_id"]].get(key, 0) + row["n"]
    month_keys = []
    for i in range(months):
        index = start_index + i
        month_keys.append(f"{index // 12}-{index % 12 + 1:02d}")
    rows = []
    for service in ConsultationService.objects.all():
        counts_row = [table[service.pk].get(m, 0) for m in month_keys]
        rows.append({"service": service, "counts": counts_row, "total": sum(counts_row)})
    totals = [sum(r["counts"][i] for r in rows) for i in range(months)]
    return {"months": month_keys, "rows": rows, "totals": totals, "total": sum(totals)}


# --- pages -------------------------------------------------------------------------------------------


def index_counts(*, user, today: date) -> dict:
    out = {"policies": PolicyDocument.objects.filter(is_active=True).order_by("-issued_on", "-pk")[:5]}
    if user.has_perm("archives.view_document"):
        out["documents"] = Document.objects.in_scope(user).count()
        out["overdue"] = overdue_loans(user=user, today=today).count()
        out["integrity_failures"] = IntegrityFailure.objects.filter(document__in=Document.objects.in_scope(user)).count()
    if user.has_perm("archives.view_consultation"):
        out["follow_ups_due"] = follow_ups_due(user=user, today=today).count()
    return out


def document_page(*, document: Document, user) -> dict:
    from .forms import LoanForm

    loans = list(document.loans.select_related("lent_by", "returned_to").order_by("-lent_on", "-pk")[:20])
    open_loan = next((loan for loan in loans if loan.returned_on is None), None)
    return {
        "document": document,
        "record": record_link(document),
        "loans": loans,
        "open_loan": open_loan,
        "loan_form": LoanForm(),
        "failures": list(document.integrity_failures.select_related("detected_by")[:10]),
        "can_lend": user.has_perm("archives.lend_document"),
    }


def volumes():
    return Volume.objects.annotate(document_count=Count("documents")).select_related("created_by").order_by("-year", "category", "number")


def registers():
    return Register.objects.annotate(entry_count=Count("entries")).order_by("sort_order", "code")


def desk_page(*, user, today: date) -> dict:
    return {
        "services": ConsultationService.objects.filter(is_active=True),
        "due": follow_ups_due(user=user, today=today)[:20],
        "recent": Consultation.objects.in_scope(user).select_related("service", "created_by", "person")[:10],
        "today": today,
    }
