"""The access log's filters: the auditors' main tool (who saw whose data, how, when)."""

import django_filters
from django.db.models import Q

from linggao_pension.filters import BaseFilterSet

from .models import AccessLog


class AccessLogFilter(BaseFilterSet):
    q = django_filters.CharFilter(label="对象（姓名/编号）", field_name="label", lookup_expr="icontains")
    user = django_filters.CharFilter(label="用户（账号/姓名）", method="filter_user")
    action = django_filters.CharFilter(label="操作（如 查看、打印、下载）", field_name="action", lookup_expr="icontains")
    date_from = django_filters.DateFilter(label="日期从", field_name="at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(label="至", field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AccessLog
        fields = ["q", "user", "action", "date_from", "date_to"]

    def filter_user(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(user__username__iexact=value) | Q(user__full_name__icontains=value))
