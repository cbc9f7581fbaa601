"""The base FilterSet every list page uses: widgets set once, town choices scoped by the request."""

import django_filters
from django import forms

from linggao_pension.org.models import Town, Village


def town_choices(request):
    if request is None:
        return Town.objects.none()
    return Town.choices_for(request.user)


def village_choices(request):
    if request is None:
        return Village.objects.none()
    return Village.objects.in_scope(request.user).filter(is_active=True).select_related("town")


class BaseFilterSet(django_filters.FilterSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            widget = field.widget
            # Date filters get the browser's date picker; it reads and sends ISO dates only.
            if isinstance(field, forms.DateField) and type(widget) is forms.DateInput:
                field.widget = widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "select")
            else:
                widget.attrs.setdefault("class", "input")
