"""The 待遇 section of the person page (the app's person_page_sections)."""

from django.utils import timezone

from . import lifecycle_selectors, selectors


def person_section(request, person) -> dict | None:
    """For a pensioner: the pension, the account drawn so far and the payments; for anyone else:
    the estimate at their benefit start month, computed as determination would."""
    if not request.user.has_perm("benefits.view_benefits"):
        return None
    context = selectors.person_benefits(person=person, today=timezone.localdate())
    context["lifecycle"] = lifecycle_selectors.person_lifecycle(person)
    return {"title": "养老金待遇", "template": "benefits/_person_section.html", "context": context}
