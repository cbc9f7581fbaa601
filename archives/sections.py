"""The person page's 电子档案 section (settings.PERSON_PAGE_SECTIONS): the person's scans and an
upload form a clerk can use on the spot."""

from . import forms, selectors


def person_section(request, person) -> dict | None:
    user = request.user
    if not user.has_perm("archives.view_document"):
        return None
    documents = list(selectors.person_documents(user=user, person=person)[:20])
    return {
        "title": "电子档案",
        "template": "archives/_person_section.html",
        "context": {
            "person": person, "documents": documents, "can_upload": user.has_perm("archives.add_document"),
            "form": forms.DocumentUploadForm(), "can_issue": user.has_perm("archives.issue_certificate"),
        },
    }
