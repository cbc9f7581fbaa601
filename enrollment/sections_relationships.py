"""The 参保关系与转移终止 section of the person page: every insurance relationship, and every transfer
and termination with its documents and amounts."""

from django.db.models import Prefetch

from .models import InsuranceRelationship, RelationshipApplication, RelationshipDocument
from .relationships import reopen_problem

APPLICATION_LIMIT = 50


def person_section(request, person) -> dict | None:
    if not request.user.has_perm("enrollment.view_relationshipapplication"):
        return None
    applications = list(
        RelationshipApplication.objects.filter(person=person)
        .select_related("account_exit", "account_exit__refund", "account_transfer_in", "created_by")
        .prefetch_related(Prefetch("documents", queryset=RelationshipDocument.objects.order_by("pk")))
        .order_by("-created_at", "-pk")[:APPLICATION_LIMIT]
    )
    return {
        "title": "参保关系与转移终止",
        "template": "enrollment/_person_relationships.html",
        "context": {
            "person": person,
            "relationships": list(InsuranceRelationship.objects.filter(person=person).order_by("number")),
            "applications": [(a, a.settlement_summary()) for a in applications],
            "can_apply": request.user.has_perm("enrollment.submit_relationshipapplication"),
            "reopen_problem": reopen_problem(person),
        },
    }
