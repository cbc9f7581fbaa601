import django_filters
from django import forms
from django.db.models import Q

from enrollment.models import Person
from linggao_pension.filters import BaseFilterSet, town_choices

from .models import Receipt, Remittance, SpecialCredit


class ReceiptFilter(BaseFilterSet):
    q = django_filters.CharFilter(label="票据号/身份证号/姓名", method="search")
    # From the account page: one person's receipts, without the 身份证号 in the address.
    person = django_filters.NumberFilter(field_name="person", widget=forms.HiddenInput)
    # From a remittance page: the receipts it took.
    remittance = django_filters.NumberFilter(field_name="remittance", widget=forms.HiddenInput)
    year = django_filters.NumberFilter(label="缴费年度")
    status = django_filters.ChoiceFilter(label="状态", choices=Receipt.Status.choices)
    method = django_filters.ChoiceFilter(label="缴费方式", choices=Receipt.Method.choices)
    town = django_filters.ModelChoiceFilter(label="镇/农场", queryset=town_choices)
    paid_from = django_filters.DateFilter(label="缴费日期从", field_name="paid_on", lookup_expr="gte")
    paid_to = django_filters.DateFilter(label="至", field_name="paid_on", lookup_expr="lte")

    class Meta:
        model = Receipt
        fields = ["q", "person", "remittance", "year", "status", "method", "town", "paid_from", "paid_to"]

    def search(self, queryset, name, value):
        # The same three matches as one OR, but as a UNION of three index look-ups (票据号, the person's
        # 身份证号 or name, then the receipts by person): an OR across the join scans every receipt.
        value = value.strip()
        people = Person.objects.filter(Q(id_number=value.upper()) | Q(name=value)).order_by().values("pk")
        by_no = Receipt.objects.filter(receipt_no=value).order_by().values("pk")
        by_person = Receipt.objects.filter(person_id__in=people).order_by().values("pk")
        return queryset.filter(pk__in=by_no.union(by_person))


class RemittanceFilter(BaseFilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=Remittance.Status.choices)

    class Meta:
        model = Remittance
        fields = ["status"]


class SpecialCreditFilter(BaseFilterSet):
    kind = django_filters.ChoiceFilter(label="类型", choices=SpecialCredit.Kind.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=SpecialCredit.Status.choices)
    town = django_filters.ModelChoiceFilter(label="镇/农场", queryset=town_choices)

    class Meta:
        model = SpecialCredit
        fields = ["kind", "status", "town"]
