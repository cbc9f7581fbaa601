"""benefits' lifecycle records for the URL × role test (tests/test_url_roles.py): a suspension request
with its evidence scan and a delegated payee in each town (own, other), and one programme (county-wide).

Plugged in there: in world(), out |= benefits_world(users, here, there)."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile


def benefits_world(users, here, there) -> dict[str, list[int]]:
    from benefits.services import delegated
    from benefits.services.suspension import suspension_request
    from tests.factories import PensionFactory

    out: dict[str, list[int]] = {}
    programme = delegated.programme_save(by=users["clerk2"], code="DF0009", name="原辞退民办教师生活补助",
                                         rule="per_year", amount=10)
    out["programme"] = [programme.pk, programme.pk]
    for town, agent in ((here, users["agent"]), (there, users["agent_elsewhere"])):
        pension = PensionFactory(person__town=town)
        scan = SimpleUploadedFile("判决书.pdf", b"%PDF-1.4\n", content_type="application/pdf")
        record = suspension_request(pension=pension, reason_code="1202", by=agent, start_month=date(2026, 3, 1),
                                    evidence="判决书", evidence_file=scan)
        out.setdefault("suspreq", []).append(record.pk)
        payee = delegated.payee_add(programme=programme, person=PensionFactory(person__town=town).person,
                                    service_years=5, start_month=date(2026, 1, 1), by=users["clerk2"])
        out.setdefault("payee", []).append(payee.pk)
    return out
