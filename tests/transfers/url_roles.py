"""Transfers' and terminations' lines for the URL × role test (tests/test_url_roles.py): the
relationship applications (enrollment), their refunds and transfer certificates (contributions).
EXPECT entries as keyword arguments of U, and the records they name (own town, other town), made by
`transfers_world` through the services (as tests/transfers/test_applications.py and test_refunds.py do)."""


from django.core.files.base import ContentFile

VIEW, SUBMIT = "enrollment.view_relationshipapplication", "enrollment.submit_relationshipapplication"
REVIEW, PAY = "enrollment.review_relationshipapplication", "contributions.pay_refund"
_POST = {"methods": "POST"}

EXPECT_KWARGS: dict[str, dict] = {
    "enrollment:relationship_list": {"perm": VIEW},
    "enrollment:relationship_create": {"perm": SUBMIT, "record": "person", "methods": "GET POST"},
    "enrollment:relationship_detail": {"perm": VIEW, "record": "tr_application"},
    "enrollment:relationship_edit": {"perm": SUBMIT, "record": "tr_application", "methods": "GET POST"},
    "enrollment:relationship_document_add": {"perm": SUBMIT, "record": "tr_application", **_POST},
    "enrollment:relationship_document": {"perm": VIEW, "record": "tr_application",
                                         "args": {"doc_pk": "@tr_document"}},
    "enrollment:relationship_pdf": {"perm": VIEW, "record": "tr_application"},
    # the shared review steps: the town's by who submits, the county's by who reviews
    **{f"enrollment:relationship_{step}": {"perm": SUBMIT, "record": "tr_application", **_POST}
       for step in ("submit", "town_return", "cancel")},
    **{f"enrollment:relationship_{step}": {"perm": REVIEW, "record": "tr_application", **_POST}
       for step in ("approve", "county_return")},
    # refunds: listed by town; a refund batch (bank file) is the county's, finance's only
    "contributions:refund_list": {"perm": "contributions.view_refund"},
    "contributions:refund_batch_create": {"perm": PAY, **_POST},
    "contributions:refund_batch_detail": {"perm": PAY, "record": "tr_refund_batch", "scoped": False},
    "contributions:refund_batch_paid": {"perm": PAY, "record": "tr_refund_batch", "scoped": False, **_POST},
    "contributions:refund_batch_file": {"perm": PAY, "record": "tr_refund_batch", "scoped": False},
    # 参保缴费凭证 of a transfer out, of the person's town
    "contributions:exit_certificate": {"perm": VIEW, "record": "tr_exit"},
}  # fmt: skip


def transfers_world(users, here, there) -> dict[str, list[int]]:
    """In each town: a draft termination (abroad) with one evidence document, a settled transfer out
    (its AccountExit) and a settled termination with a refund; one refund batch of the county."""
    from contributions.models import AccountExit
    from contributions.services.exits import relationship_application_settle
    from contributions.services.refunds import refund_batch_generate
    from enrollment.services.relationships import relationship_application_create, relationship_document_add
    from tests.factories import PersonFactory

    from ..contributions.conftest import at
    from .test_applications import abroad_data
    from .test_settlement import application, funded

    agents = {here: users["agent"], there: users["agent_elsewhere"]}
    clerk = users["clerk2"]
    out: dict[str, list[int]] = {}
    for town, agent in agents.items():
        person = PersonFactory(town=town, age=40)
        draft = relationship_application_create(person=person, data=abroad_data(person), by=agent)
        document = relationship_document_add(application=draft, title="出国定居证明",
                                             file=ContentFile(b"x", name="proof.txt"), by=agent)
        out.setdefault("tr_application", []).append(draft.pk)
        out.setdefault("tr_document", []).append(document.pk)
        moved, refunded = PersonFactory(town=town, age=40), PersonFactory(town=town, age=40)
        funded(moved)
        funded(refunded)
        with at(2026, 7, 20):
            relationship_application_settle(application=application(moved, "transfer_out", by=clerk), by=clerk)
            relationship_application_settle(application=application(refunded, "abroad", by=clerk), by=clerk)
        out.setdefault("tr_exit", []).append(AccountExit.objects.get(person=moved).pk)
    with at(2026, 7, 21):
        batch = refund_batch_generate(by=users["finance2"])
    out["tr_refund_batch"] = [batch.pk, batch.pk]
    return out
