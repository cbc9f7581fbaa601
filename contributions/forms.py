"""Input shape and field cleaning (Chinese messages). Cross-object rules live in services."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from enrollment.models import Person
from linggao_pension import periods

from . import selectors
from .models import SpecialCredit
from .rules import yuan


class PersonByIdNumberField(forms.CharField):
    """A person typed by 身份证号, looked up among the persons the user may see."""

    def __init__(self, *args, queryset=None, **kwargs):
        self.queryset = queryset
        kwargs.setdefault("label", "身份证号")
        kwargs.setdefault("max_length", 18)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value).strip().upper()
        person = self.queryset.filter(id_number=value).first() if value else None
        if person is None:
            raise forms.ValidationError("未找到该身份证号的参保人（或不属于您所在的镇/农场）")
        return person


def _grade_choices():
    return [(yuan(g), f"{yuan(g)} 元") for g in selectors.grade_choices()]


class ReceiptForm(forms.Form):
    person = PersonByIdNumberField(help_text="参保人的18位身份证号")
    year = forms.IntegerField(label="缴费年度", min_value=2000, max_value=2100)
    grade = forms.TypedChoiceField(label="缴费档次", coerce=Decimal, choices=())
    paid_on = forms.DateField(label="缴费日期", widget=forms.DateInput(attrs={"type": "date"}))
    collective_amount = forms.DecimalField(
        label="集体补助（元）", max_digits=14, decimal_places=2, min_value=0, required=False
    )
    sponsor_amount = forms.DecimalField(label="其他资助（元）", max_digits=14, decimal_places=2, min_value=0, required=False)

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons
        self.fields["grade"].choices = _grade_choices()
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["paid_on"].initial = today

    def clean_collective_amount(self):
        return self.cleaned_data.get("collective_amount") or Decimal("0.00")

    def clean_sponsor_amount(self):
        return self.cleaned_data.get("sponsor_amount") or Decimal("0.00")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label="银行代收文件（.xlsx）")
    legacy = forms.BooleanField(
        label="历史数据迁移（原系统已上缴，不进入月末上缴）", required=False,
    )


class YearForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


class MonthForm(forms.Form):
    month = forms.CharField(label="月份", widget=forms.DateInput(attrs={"type": "month"}), help_text="如 2026-03")

    def clean_month(self):
        try:
            return periods.parse_month(self.cleaned_data["month"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class VoucherForm(forms.Form):
    voucher_no = forms.CharField(label="银行凭证号", max_length=40)


class SpecialCreditForm(forms.Form):
    person = PersonByIdNumberField(help_text="参保人的18位身份证号")
    kind = forms.ChoiceField(label="类型", choices=SpecialCredit.Kind.choices)
    amount = forms.DecimalField(label="金额（元）", max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    document_no = forms.CharField(label="批准文号", max_length=60)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons if persons is not None else Person.objects.none()


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="复核结论", choices=[("approve", "通过并入账"), ("reject", "退回")])
    opinion = forms.CharField(label="复核意见", max_length=200, required=False)
