"""FilterSets of supervision's list pages."""

import django_filters
from django.db.models import Q

from linggao_pension.filters import BaseFilterSet, town_choices

from .models import (
    PENALTY_STATUS_CHOICES,
    DataRequest,
    Inspection,
    PenaltyProposal,
    Referral,
    SuspectItem,
    WhistleReport,
)


class InspectionFilter(BaseFilterSet):
    year = django_filters.NumberFilter(field_name="year", label="年度")
    town = django_filters.ModelChoiceFilter(field_name="town", queryset=town_choices, label="被监督单位")
    kind = django_filters.ChoiceFilter(field_name="kind", choices=Inspection.Kind.choices, label="方式")
    status = django_filters.ChoiceFilter(field_name="status", choices=Inspection.Status.choices, label="状态")

    class Meta:
        model = Inspection
        fields = ["year", "town", "kind", "status"]


class DataRequestFilter(BaseFilterSet):
    town = django_filters.ModelChoiceFilter(field_name="town", queryset=town_choices, label="被监督单位")
    status = django_filters.ChoiceFilter(field_name="status", choices=DataRequest.Status.choices, label="状态")

    class Meta:
        model = DataRequest
        fields = ["town", "status"]


class SuspectFilter(BaseFilterSet):
    q = django_filters.CharFilter(method="filter_q", label="姓名/身份证号")
    kind = django_filters.ChoiceFilter(field_name="kind", choices=SuspectItem.Kind.choices, label="疑点类型")
    status = django_filters.ChoiceFilter(field_name="status", choices=SuspectItem.Status.choices, label="核查结果")
    town = django_filters.ModelChoiceFilter(field_name="person__town", queryset=town_choices, label="镇/农场")

    class Meta:
        model = SuspectItem
        fields = ["q", "kind", "status", "town"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(id_number__startswith=value.upper()))


class WhistleFilter(BaseFilterSet):
    town = django_filters.ModelChoiceFilter(field_name="town", queryset=town_choices, label="镇/农场")
    status = django_filters.ChoiceFilter(field_name="status", choices=WhistleReport.Status.choices, label="状态")

    class Meta:
        model = WhistleReport
        fields = ["town", "status"]


class ReferralFilter(BaseFilterSet):
    kind = django_filters.ChoiceFilter(field_name="kind", choices=Referral.Kind.choices, label="类型")
    status = django_filters.ChoiceFilter(field_name="status", choices=Referral.Status.choices, label="状态")

    class Meta:
        model = Referral
        fields = ["kind", "status"]


class PenaltyFilter(BaseFilterSet):
    status = django_filters.ChoiceFilter(field_name="status", choices=PENALTY_STATUS_CHOICES, label="状态")
    town = django_filters.ModelChoiceFilter(field_name="town", queryset=town_choices, label="涉及镇/农场")

    class Meta:
        model = PenaltyProposal
        fields = ["status", "town"]
