"""Template access to the form layout (linggao_pension.forms_layout)."""

from django import template

from linggao_pension.forms_layout import form_sections

register = template.Library()


@register.filter
def sections(form) -> list[dict]:
    return form_sections(form)
