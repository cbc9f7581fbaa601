"""The base FilterSet every list page uses: widgets set once, town choices scoped by the request."""

import django_filters
from django import forms

from linggao_pension.inputs import MAX_ID, parse_id
from linggao_pension.org.models import Town, Village


def town_choices(request):
    if request is None:
        return Town.objects.none()
    return Town.choices_for(request.user)


def village_choices(request):
    if request is None:
        return Village.objects.none()
    return Village.objects.in_scope(request.user).filter(is_active=True).select_related("town")


class SafeModelChoiceField(django_filters.fields.ModelChoiceField):
    """A choice by id that never sends an id the database cannot hold (a 20-digit id, '¹'): an invalid choice."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            parse_id(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None
        return super().to_python(value)


class BaseFilterSet(django_filters.FilterSet):
    """Every list filter: numbers bounded (a bigint at most) and ids checked before they reach the database,
    so a huge number in a filter is a field error on the page, not a 500 (issue 9)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.filters.values():
            if isinstance(f, django_filters.ModelChoiceFilter):
                f.field_class = SafeModelChoiceField
            elif isinstance(f, django_filters.NumberFilter):
                f.extra.setdefault("max_value", MAX_ID)
                f.extra.setdefault("min_value", -MAX_ID)
                f.extra.setdefault("max_digits", 19)
                f.extra.setdefault("decimal_places", 2)
        for field in self.form.fields.values():
            widget = field.widget
            # Date filters get the browser's date picker; it reads and sends ISO dates only.
            if isinstance(field, forms.DateField) and type(widget) is forms.DateInput:
                field.widget = widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "select")
            else:
                widget.attrs.setdefault("class", "input")
