"""The benefits lifecycle's lines for the URL × role test (tests/test_url_roles.py): certification,
death and heirs' settlement, recovery. EXPECT entries as keyword arguments of U, and the records they
name (own town, other town), made by `lifecycle_world` through benefits' services (as
tests/benefits/test_death.py and test_recovery.py do); `benefits_world` makes the suspension requests
(with an evidence scan) and delegated payees of each town and one programme (county-wide)."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

B = "benefits."
_POST = {"methods": "POST"}

EXPECT_KWARGS: dict[str, dict] = {
    # certification (领取资格认证) of a pension of the town
    "benefits:certification_list": {"perm": B + "view_certification"},
    "benefits:certification_export": {"perm": B + "view_certification"},
    "benefits:certification_record": {"perm": B + "record_certification", "record": "pension", **_POST},
    # death: the town records it, the county reviews it; the heirs' settlement follows the approval
    "benefits:death_list": {"perm": B + "view_deathreport"},
    "benefits:death_create": {"perm": B + "record_death", "methods": "GET POST"},
    "benefits:death_detail": {"perm": B + "view_deathreport", "record": "bn_death"},
    # the review workflow's steps (linggao_pension.workflow_views.review_paths) and the edit page
    "benefits:death_edit": {"perm": B + "record_death", "record": "bn_death", "methods": "GET POST"},
    "benefits:death_submit": {"perm": B + "record_death", "record": "bn_death", **_POST},
    "benefits:death_town_return": {"perm": B + "record_death", "record": "bn_death", **_POST},
    "benefits:death_cancel": {"perm": B + "record_death", "record": "bn_death", **_POST},
    "benefits:death_approve": {"perm": B + "review_death", "record": "bn_death", **_POST},
    "benefits:death_county_return": {"perm": B + "review_death", "record": "bn_death", **_POST},
    # an empty POST is the heirs' form with every required field missing: 400, the errors at the fields
    "benefits:settlement_heirs": {"perm": B + "record_death", "record": "bn_settlement", **_POST,
                                  "post": frozenset({400})},
    "benefits:settlement_sheet": {"perm": B + "view_heirsettlement", "record": "bn_settlement"},
    # recovery (待遇追回): seen by who views cases, each step done by who manages them
    "benefits:recovery_list": {"perm": B + "view_recoverycase"},
    "benefits:recovery_detail": {"perm": B + "view_recoverycase", "record": "bn_recovery"},
    "benefits:recovery_notice": {"perm": B + "view_recoverycase", "record": "bn_recovery"},
    "benefits:recovery_step": {"perm": B + "manage_recovery", "record": "bn_recovery", **_POST,
                               "args": {"step": "verify"}},
}  # fmt: skip


def lifecycle_world(users, here, there) -> dict[str, list[int]]:
    """In each town: a death report awaiting the county's review, an approved one with its heirs'
    settlement, and a notified recovery case (it has a notice)."""
    from benefits.services import death, recovery
    from tests.factories import PensionFactory

    from .conftest import at

    agents = {here: users["agent"], there: users["agent_elsewhere"]}
    clerk, auditor = users["clerk2"], users["auditor"]
    out: dict[str, list[int]] = {}
    for town, agent in agents.items():
        with at(2026, 5, 10):
            pending = death.death_record(person=PensionFactory(person__town=town).person, death_date=date(2026, 5, 2),
                                         source="family", by=agent)
            approved = death.death_record(person=PensionFactory(person__town=town).person,
                                          death_date=date(2026, 5, 3), source="family", by=agent)
            settlement = death.death_approve(report=approved, by=clerk)
            pension = PensionFactory(person__town=town)
            case = recovery.recovery_case_open(person=pension.person, pension=pension, source="supervision",
                                               amount=Decimal("250.00"), by=auditor, reason="稽核发现重复领取",
                                               months=[date(2026, 1, 1)])
            case = recovery.recovery_verify(case=case, by=auditor)
            case = recovery.recovery_notify(case=case, by=auditor, repay_by=date(2026, 6, 30))
        out.setdefault("bn_death", []).append(pending.pk)
        out.setdefault("bn_settlement", []).append(settlement.pk)
        out.setdefault("bn_recovery", []).append(case.pk)
    return out


def benefits_world(users, here, there) -> dict[str, list[int]]:
    from benefits.services import delegated
    from benefits.services.other_pension import other_pension_record
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
        other = other_pension_record(person=PensionFactory(person__town=town).person, origin="declaration",
                                     scheme="城镇职工基本养老保险", from_month=date(2026, 1, 1), by=users["clerk2"])
        out.setdefault("bn_other_pension", []).append(other.pk)
    return out
