"""archives' lines for the URL × role test (tests/test_url_roles.py): its EXPECT entries as keyword
arguments of U, and the records they name (own town, other town), made by `archives_world` through
archives' services (as tests/archives/test_pages.py does)."""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

A = "archives."
_POST = {"methods": "POST"}
# a form page: an empty POST (no fields, not even the CSRF token a browser sends) leaves its form
# unbound (`request.POST or None`): the page is shown again, nothing saved
_FORM = {"methods": "GET POST", "post": frozenset({200})}

EXPECT_KWARGS: dict[str, dict] = {
    "archives:index": {"perm": A + "view_archives"},
    # documents: a document follows its record's town; uploading starts from a record (?record=&id=)
    "archives:document_list": {"perm": A + "view_document"},
    "archives:document_upload": {"perm": A + "add_document", "record": "person",
                                 "query": "record=enrollment.person&id={pk}", **_FORM},
    "archives:document_detail": {"perm": A + "view_document", "record": "ar_document"},
    "archives:document_download": {"perm": A + "view_document", "record": "ar_document"},
    "archives:loan_create": {"perm": A + "lend_document", "record": "ar_document", **_POST, "post": frozenset({400})},
    "archives:loan_list": {"perm": A + "view_document"},
    "archives:loan_return": {"perm": A + "lend_document", "record": "ar_loan", **_POST},
    # volumes are the county's (no town); adding documents to one needs add_volume
    "archives:volume_list": {"perm": A + "view_volume"},
    "archives:volume_create": {"perm": A + "add_volume", **_FORM},
    "archives:volume_detail": {"perm": A + "view_volume", "record": "ar_volume", "methods": "GET POST",
                               "scoped": False, "post_perm": A + "add_volume", "post": frozenset({200})},
    "archives:volume_catalogue": {"perm": A + "view_volume", "record": "ar_volume", "scoped": False,
                                  "args": {"fmt": "xlsx"}},
    # certificates follow the person's town
    "archives:certificate_list": {"perm": A + "view_certificate"},
    "archives:certificate_issue": {"perm": A + "issue_certificate", **_FORM},
    "archives:certificate_detail": {"perm": A + "view_certificate", "record": "ar_certificate"},
    "archives:certificate_pdf": {"perm": A + "view_certificate", "record": "ar_certificate"},
    # the public check of a certificate's code (no login)
    "archives:verify": {"perm": "public"},
    "archives:verify_code": {"perm": "public", "args": {"code": "ABCD-EFGH"}},
    # registers (表、单、证、卡、册) are the county's; recording an entry needs add_registerentry
    "archives:register_list": {"perm": A + "view_registerentry"},
    "archives:register_detail": {"perm": A + "view_registerentry", "record": "ar_register", "methods": "GET POST",
                                 "scoped": False, "post_perm": A + "add_registerentry", "post": frozenset({200})},
    # the consultation desk: a consultation is of the town it was taken in
    "archives:desk": {"perm": A + "add_consultation", **_FORM},
    "archives:consultation_list": {"perm": A + "view_consultation"},
    "archives:consultation_stats": {"perm": A + "view_consultation"},
    "archives:consultation_follow_up": {"perm": A + "add_consultation", "record": "ar_consultation", **_POST},
    # the policy library and leaflets: county-wide
    "archives:policy_list": {"perm": A + "view_policydocument"},
    "archives:policy_create": {"perm": A + "add_policydocument", **_FORM},
    "archives:policy_file": {"perm": A + "view_policydocument", "record": "ar_policy", "scoped": False},
    "archives:leaflet": {"perm": A + "view_policydocument", "args": {"topic": "enroll"}},
}  # fmt: skip

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name="scan.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def archives_world(users, here, there) -> dict[str, list[int]]:
    """A document (of a person), its loan, a certificate and a consultation in each town; a volume,
    a register and a policy document of the county."""
    from archives import services
    from archives.models import ConsultationService, DocumentType, Register
    from tests.factories import AccountEntryFactory, PersonFactory

    clerk = users["clerk2"]
    agents = {here: users["agent"], there: users["agent_elsewhere"]}
    enroll_form = DocumentType.objects.get(code="enroll_form")
    service = ConsultationService.objects.first()
    out: dict[str, list[int]] = {}
    for town, agent in agents.items():
        person = PersonFactory(town=town)
        AccountEntryFactory(person=person, year=2025, entry_date=date(2025, 3, 1))
        document = services.document_upload(record_label="enrollment.person", record_id=person.pk,
                                            doc_type=enroll_form, title="", upload=_pdf(), by=agent)
        out.setdefault("ar_document", []).append(document.pk)
        out.setdefault("ar_loan", []).append(services.loan_create(
            document=document, borrower="周明", purpose="稽核调阅", due_on=timezone.localdate() + timedelta(days=30),
            by=clerk).pk)
        out.setdefault("ar_certificate", []).append(
            services.certificate_issue(person=person, kind="contribution", by=clerk).pk)
        out.setdefault("ar_consultation", []).append(services.consultation_record(
            service=service, question="参保条件", by=agent, referred_to="稽核股", follow_up_due=timezone.localdate()).pk)
    volume = services.volume_create(year=2025, category="CB", title="2025年参保登记材料", by=clerk)
    policy = services.policy_create(title="关于调整基础养老金标准的通知", issuing_body="海南省人力资源和社会保障厅",
                                    issued_on=date(2026, 1, 5), summary="基础养老金提高", by=clerk, upload=_pdf("p.pdf"))
    register = Register.objects.first()
    return out | {"ar_volume": [volume.pk] * 2, "ar_register": [register.pk] * 2, "ar_policy": [policy.pk] * 2}
