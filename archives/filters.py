"""FilterSets of the archives list pages."""

import django_filters as df

from linggao_pension.org.models import Town

from .models import (
    Category,
    Certificate,
    Consultation,
    ConsultationService,
    Document,
    DocumentType,
    PolicyDocument,
    Volume,
)


def _towns(request):
    return Town.choices_for(request.user) if request is not None else Town.objects.none()


class DocumentFilter(df.FilterSet):
    archive_no = df.CharFilter(label="档号", lookup_expr="startswith")
    title = df.CharFilter(label="题名", lookup_expr="icontains")
    year = df.NumberFilter(label="年度")
    category = df.ChoiceFilter(label="类别", choices=Category.choices)
    doc_type = df.ModelChoiceFilter(label="文件类型", queryset=DocumentType.objects.all())
    town = df.ModelChoiceFilter(label="镇/农场", queryset=_towns)

    class Meta:
        model = Document
        fields = []


class VolumeFilter(df.FilterSet):
    year = df.NumberFilter(label="年度")
    category = df.ChoiceFilter(label="类别", choices=Category.choices)

    class Meta:
        model = Volume
        fields = []


class CertificateFilter(df.FilterSet):
    serial = df.CharFilter(label="证明编号", lookup_expr="startswith")
    kind = df.ChoiceFilter(label="证明类型", choices=Certificate.Kind.choices)
    id_number = df.CharFilter(label="身份证号")
    issued_from = df.DateFilter(label="签发日期起", field_name="issued_on", lookup_expr="gte")
    issued_to = df.DateFilter(label="签发日期止", field_name="issued_on", lookup_expr="lte")

    class Meta:
        model = Certificate
        fields = []


class ConsultationFilter(df.FilterSet):
    service = df.ModelChoiceFilter(label="服务事项", queryset=ConsultationService.objects.all())
    channel = df.ChoiceFilter(label="方式", choices=Consultation.Channel.choices)
    pending = df.BooleanFilter(label="待回访", method="filter_pending")
    date_from = df.DateFilter(label="受理日期起", field_name="created_at__date", lookup_expr="gte")
    date_to = df.DateFilter(label="受理日期止", field_name="created_at__date", lookup_expr="lte")

    class Meta:
        model = Consultation
        fields = []

    def filter_pending(self, queryset, name, value):
        if value is None:
            return queryset
        q = dict(follow_up_due__isnull=False, followed_up_on__isnull=True)
        return queryset.filter(**q) if value else queryset.exclude(**q)


class PolicyFilter(df.FilterSet):
    kind = df.ChoiceFilter(label="类别", choices=PolicyDocument.Kind.choices)
    q = df.CharFilter(label="标题/文号", method="filter_q")
    issuing_body = df.CharFilter(label="发文机关", lookup_expr="icontains")

    class Meta:
        model = PolicyDocument
        fields = []

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(title__icontains=value) | Q(doc_no__icontains=value))
