"""`{% record_documents record %}`: the 电子档案 of any business record an app declares in
`archive_record_types` (archives/records.py) — its scans (档号, type, date, download) and, for a user
who may upload, the upload form posting to archives:document_upload and coming back to the page.
Apps put it on their record pages without importing archives' code."""

from django import template

from .. import forms, records, selectors

register = template.Library()


@register.inclusion_tag("archives/_record_documents.html", takes_context=True)
def record_documents(context, record):
    request = context["request"]
    user = request.user
    label = records.label_of(record)
    visible = user.has_perm("archives.view_document") and label in records.record_types()
    return {
        "visible": visible,
        "documents": selectors.documents_of(user=user, record=record) if visible else [],
        "can_upload": visible and user.has_perm("archives.add_document"),
        "form": forms.DocumentUploadForm(),
        "label": label, "record": record, "request": request,
    }
