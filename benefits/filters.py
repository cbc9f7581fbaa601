"""One FilterSet per list page (linggao_pension.filters.BaseFilterSet)."""

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict

from enrollment.models import Person
from linggao_pension.filters import BaseFilterSet, town_choices

from .models import BenefitClaim, PayrollLine, Pension
from .selectors import DUE_RESULTS


def _search(queryset, prefix: str, value: str):
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(
        Q(**{f"{prefix}name__icontains": value}) | Q(**{f"{prefix}id_number": value.upper()})
        | Q(**{f"{prefix}insured_no": value})
    )


class ClaimFilter(BaseFilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=BenefitClaim.Status.choices, empty_label="全部")
    town = django_filters.ModelChoiceFilter(label="镇/农场", field_name="person__town", queryset=town_choices,
                                            empty_label="全部")
    q = django_filters.CharFilter(label="姓名/身份证号", method="search")

    class Meta:
        model = BenefitClaim
        fields = ["status", "town", "q"]

    def search(self, queryset, name, value):
        return _search(queryset, "person__", value)


class PensionFilter(BaseFilterSet):
    town = django_filters.ModelChoiceFilter(label="镇/农场", field_name="person__town", queryset=town_choices,
                                            empty_label="全部")
    source = django_filters.ChoiceFilter(label="来源", choices=Pension.Source.choices, empty_label="全部")
    status = django_filters.ChoiceFilter(label="状态", choices=Pension.Status.choices, empty_label="全部")
    q = django_filters.CharFilter(label="姓名/身份证号", method="search")

    class Meta:
        model = Pension
        fields = ["town", "source", "status", "q"]

    def search(self, queryset, name, value):
        return _search(queryset, "person__", value)


class PayrollLineFilter(BaseFilterSet):
    """A run's lines (60,000 for the county): one town at a time, the first town of the user's scope
    unless another is chosen, read in key order by the (run, town, id) index instead of sorting the
    whole run for each page; a search by name or ID number looks across all towns."""

    def __init__(self, data=None, *args, request=None, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("town") and not data.get("q", "").strip() and request is not None:
            first = town_choices(request).order_by("sort_order", "pk").first()
            if first is not None:
                data["town"] = str(first.pk)
        super().__init__(data, *args, request=request, **kwargs)

    status = django_filters.ChoiceFilter(label="支付状态", choices=PayrollLine.Status.choices, empty_label="全部")
    kind = django_filters.ChoiceFilter(label="类型", choices=PayrollLine.Kind.choices, empty_label="全部")
    town = django_filters.ModelChoiceFilter(label="镇/农场", queryset=town_choices,
                                            empty_label="全部（查询姓名/身份证号时）")
    bank_name = django_filters.CharFilter(label="开户银行", lookup_expr="exact")
    q = django_filters.CharFilter(label="姓名/身份证号", method="search")

    class Meta:
        model = PayrollLine
        fields = ["status", "kind", "town", "bank_name", "q"]

    def search(self, queryset, name, value):
        return _search(queryset, "person__", value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("town") is not None:
            return queryset.order_by("pk")  # one town: the index's order, nothing to sort
        return queryset


class DueFilter(BaseFilterSet):
    """到龄名单: the month is applied by the view (birth ranges), the result after the calculation."""

    month = django_filters.CharFilter(label="到龄年月", method="keep",
                                      widget=forms.TextInput(attrs={"type": "month"}))  # ISO 2026-11
    town = django_filters.ModelChoiceFilter(label="镇/农场", queryset=town_choices, empty_label="全部")
    result = django_filters.ChoiceFilter(label="核查结果", choices=list(DUE_RESULTS.items()), method="keep",
                                         empty_label="全部")

    class Meta:
        model = Person
        fields = ["month", "town", "result"]

    def keep(self, queryset, name, value):
        return queryset
