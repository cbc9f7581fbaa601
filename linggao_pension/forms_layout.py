"""The one way every form is laid out (settings.FORM_RENDERER).

Each field renders as one group (`templates/forms/field.html`): its label, input, help text and
errors inside one element, so a grid of fields never separates a field from its error. A form may
group long field lists in sections with a class attribute

    fieldsets = [("身份信息", ["id_number", "name"]), ("银行账户", ["bank_name", "bank_account"])]

each rendered as a <fieldset> with its <legend>; fields it does not name follow in a last section.
"""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


def form_sections(form) -> list[dict]:
    """The visible fields of `form` grouped by its `fieldsets` (one untitled section without)."""
    visible = {bf.name: bf for bf in form.visible_fields()}
    sections = []
    for title, names in getattr(form, "fieldsets", None) or ():
        fields = [visible.pop(name) for name in names if name in visible]
        if fields:
            sections.append({"title": title, "fields": fields})
    if visible:
        sections.append({"title": "其他" if sections else "", "fields": list(visible.values())})
    return sections


def apply_refusal(form, exc) -> None:
    """A service's refusal (ValidationError) shown where the user looks: a message naming a field of
    the form at that field, anything else above the form. Every view that calls a service uses it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
