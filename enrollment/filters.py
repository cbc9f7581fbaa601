"""FilterSets of the registry's list pages."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from linggao_pension import periods
from linggao_pension.filters import BaseFilterSet, town_choices, village_choices

from .models import ChangeRequest, EnrollmentApplication, IdentityCode, Person, ReviewStatus


def _village_label(village) -> str:
    return f"{village.town.name} · {village.name}"


class PersonFilter(BaseFilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名")
    id_number = django_filters.CharFilter(method="filter_id_number", label="身份证号")
    town = django_filters.ModelChoiceFilter(field_name="town", queryset=town_choices, label="镇/农场")
    village = django_filters.ModelChoiceFilter(field_name="village", queryset=village_choices, label="村/居委会")
    status = django_filters.ChoiceFilter(field_name="status", choices=Person.Status.choices, label="参保状态")
    identity = django_filters.ModelChoiceFilter(
        field_name="identity", queryset=IdentityCode.objects.all(), label="参保身份"
    )
    age_min = django_filters.NumberFilter(method="filter_age_min", label="年龄从（周岁）", min_value=0, max_value=150)
    age_max = django_filters.NumberFilter(method="filter_age_max", label="年龄至（周岁）", min_value=0, max_value=150)

    class Meta:
        model = Person
        fields = ["name", "id_number", "town", "village", "status", "identity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["village"].label_from_instance = _village_label

    def filter_id_number(self, queryset, name, value):
        # A full number, or its first digits (e.g. the birth date part).
        return queryset.filter(id_number__startswith=value.strip().upper())

    def filter_age_min(self, queryset, name, value):
        # age >= a  <=>  born on or before today minus a years
        return queryset.filter(birth_date__lte=periods.add_years(timezone.localdate(), -int(value)))

    def filter_age_max(self, queryset, name, value):
        # age <= b  <=>  born after today minus (b + 1) years
        return queryset.filter(birth_date__gt=periods.add_years(timezone.localdate(), -int(value) - 1))


class ApplicationFilter(BaseFilterSet):
    q = django_filters.CharFilter(method="filter_q", label="姓名/身份证号")
    town = django_filters.ModelChoiceFilter(field_name="town", queryset=town_choices, label="镇/农场")
    status = django_filters.ChoiceFilter(field_name="status", choices=ReviewStatus.choices, label="状态")

    class Meta:
        model = EnrollmentApplication
        fields = ["q", "town", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(id_number__startswith=value.upper()))


class ChangeRequestFilter(BaseFilterSet):
    q = django_filters.CharFilter(method="filter_q", label="姓名/身份证号")
    town = django_filters.ModelChoiceFilter(field_name="town", queryset=town_choices, label="受理镇/农场")
    status = django_filters.ChoiceFilter(field_name="status", choices=ReviewStatus.choices, label="状态")

    class Meta:
        model = ChangeRequest
        fields = ["q", "town", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(person__name__icontains=value) | Q(person__id_number__startswith=value.upper()))
