"""Demo data of transfers and terminations (seed_demo): a transfer out waiting for the county's
review, and a settling-abroad refund approved and waiting for finance to pay, so a clerk and a
finance user logging in see both. Skipped when any application exists."""

from django.core.files.base import ContentFile
from django.utils import timezone

from enrollment.models import Person, RelationshipApplication
from enrollment.services.relationships import relationship_application_create, relationship_document_add
from linggao_pension.org.models import User
from linggao_pension.workflow import RS, review_move


def _with_balance(town_id):
    return (
        Person.objects.contributing().filter(town_id=town_id, account_entries__isnull=False)
        .exclude(relationship_applications__isnull=False).distinct().order_by("pk").first()
    )


def seed(*, stdout) -> dict:
    if RelationshipApplication.objects.exists():
        return {"relationship_applications": RelationshipApplication.objects.count(), "skipped": True}
    agent, clerk = User.objects.filter(username="agent_lc").first(), User.objects.filter(username="clerk").first()
    if agent is None or clerk is None:
        return {"relationship_applications": 0}
    today = timezone.localdate()
    made = 0
    for kind, approve in (("transfer_out", False), ("abroad", True)):
        person = _with_balance(agent.town_id)
        if person is None:
            break
        data = {"kind": kind, "event_on": today, "other_area": "海口市" if kind == "transfer_out" else "",
                "note": "演示数据"}
        if kind == "abroad":
            data.update(payee_name=person.name, payee_id_number=person.id_number, bank_name="海南农信",
                        bank_account="6228480402564890018")
        application = relationship_application_create(person=person, data=data, by=agent)
        title = "户籍迁移证明" if kind == "transfer_out" else "出国（境）定居证明"
        relationship_document_add(application=application, title=title, file=ContentFile(b"demo", name="demo.txt"), by=agent)
        review_move(record=application, to=RS.TOWN_APPROVED, by=agent)
        if approve:
            review_move(record=application, to=RS.COUNTY_APPROVED, by=clerk)
        made += 1
    stdout.write(f"转移接续/终止演示：{made} 笔（一笔转出待县复核，一笔出国定居退费待财务支付）。\n")
    return {"relationship_applications": made}
