"""Input shape and field cleaning (Chinese messages). Cross-object rules live in services."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from enrollment.models import Person
from linggao_pension import periods
from linggao_pension.inputs import ascii_digits, parse_id
from linggao_pension.uploads import upload_size_limit

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


def _looks_like_id_number(value: str) -> bool:
    return len(value) in (15, 18) and ascii_digits(value[:-1])


class PayerField(forms.Field):
    """The person who pays: the pk chosen from the payer search (or a typed 身份证号), looked up among
    the persons the user may see. Only a 正常参保 person may pay (R4); anyone else is refused here,
    at the field, and again by the service."""

    widget = forms.HiddenInput
    default_error_messages = {"required": "请先查找并选择缴费的参保人"}

    def __init__(self, *args, queryset=None, **kwargs):
        self.queryset = queryset
        kwargs.setdefault("label", "参保人")
        super().__init__(*args, **kwargs)

    def lookup(self, value) -> Person | None:
        value = str(value or "").strip().upper()
        if _looks_like_id_number(value):
            return self.queryset.filter(id_number=value).first()
        try:
            return self.queryset.filter(pk=parse_id(value)).first()
        except ValueError:
            return None

    def clean(self, value):
        value = super().clean(value)
        person = self.lookup(value)
        if person is None:
            if _looks_like_id_number(str(value).strip().upper()):
                raise forms.ValidationError("未找到该身份证号的参保人（或不属于您所在的镇/农场）")
            raise forms.ValidationError("未找到该参保人（或不属于您所在的镇/农场），请重新查找")
        problem = selectors.payer_problem(person.status)
        if problem:
            raise forms.ValidationError(problem)
        return person


# Django's own messages for these read "输入一个数字。" or end in an English full stop: say it plainly.
AMOUNT_ERRORS = {
    "invalid": "请输入金额（数字，单位元）",
    "min_value": "金额不能为负数",
    "max_decimal_places": "金额最多保留两位小数（精确到分）",
    "max_digits": "金额过大",
    "max_whole_digits": "金额过大",
}


class ReceiptForm(forms.Form):
    """登记缴费: the year is chosen among the years with grades up to this year, and the grade among
    that year's grades only (a small script swaps the grade list when the year changes; without it,
    a grade the year does not offer is refused at the field and the list is redrawn for that year)."""

    person = PayerField()
    year = forms.TypedChoiceField(
        label="缴费年度", coerce=int, choices=(),
        error_messages={"invalid_choice": "%(value)s 年度不能缴费：只能选择已设置缴费档次、且不晚于今年的年度"},
    )
    grade = forms.TypedChoiceField(
        label="缴费档次", coerce=Decimal, choices=(),
        error_messages={"invalid_choice": "所选缴费年度没有 %(value)s 元档次，请重新选择"},
    )
    # An <input type="date"> reads only ISO dates: the zh-hans display format (2026/06/15) left it empty.
    paid_on = forms.DateField(label="缴费日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    collective_amount = forms.DecimalField(
        label="集体补助（元）", max_digits=14, decimal_places=2, min_value=0, required=False,
        error_messages=AMOUNT_ERRORS,
    )
    sponsor_amount = forms.DecimalField(
        label="其他资助（元）", max_digits=14, decimal_places=2, min_value=0, required=False,
        error_messages=AMOUNT_ERRORS,
    )

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["person"].queryset = persons
        self.grade_table = {
            str(year): [yuan(g) for g in grades] for year, grades in selectors.grade_table(up_to=today.year).items()
        }
        self.fields["year"].choices = [(y, f"{y} 年度") for y in sorted(self.grade_table, reverse=True)]
        self.fields["year"].initial = today.year
        self.fields["paid_on"].initial = today
        year = str(self.data.get(self.add_prefix("year")) or today.year) if self.is_bound else str(today.year)
        self.fields["grade"].choices = [(g, f"{g} 元") for g in self.grade_table.get(year, [])]

    def payer(self) -> tuple[Person | None, list[str]]:
        """The chosen person for the page to show, or None with the reasons (unknown person, not 正常参保)."""
        if self.is_bound:
            self.is_valid()  # cleans once; later calls reuse the result
            return self.cleaned_data.get("person"), list(self.errors.get("person", []))
        if not self.initial.get("person"):
            return None, []
        try:
            return self.fields["person"].clean(self.initial["person"]), []
        except forms.ValidationError as exc:
            return None, exc.messages

    def clean_collective_amount(self):
        return self.cleaned_data.get("collective_amount") or Decimal("0.00")

    def clean_sponsor_amount(self):
        return self.cleaned_data.get("sponsor_amount") or Decimal("0.00")


class PayerSearchForm(forms.Form):
    q = forms.CharField(label="查找参保人", max_length=30, help_text="输入身份证号或姓名")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label="银行代收文件（.xlsx）", validators=[upload_size_limit])
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


class BackpayForm(forms.Form):
    """补缴 of several years at once: one grade select per open year (left at 不补缴 for a year not
    paid now) and one payment date. The fields are grade_<year>, where the service puts its errors."""

    paid_on = forms.DateField(label="缴费日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, years: dict[int, list[Decimal]], **kwargs):
        kwargs.setdefault("initial", {}).setdefault("paid_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.years = sorted(years)
        for year in self.years:
            self.fields[f"grade_{year}"] = forms.TypedChoiceField(
                label=f"{year} 年度", coerce=Decimal, required=False, empty_value=None,
                choices=[("", "不补缴"), *((str(g), f"{yuan(g)} 元") for g in years[year])],
                error_messages={"invalid_choice": f"{year} 年度没有 %(value)s 元档次，请重新选择"},
            )

    def grades(self) -> dict[int, Decimal]:
        return {y: self.cleaned_data[f"grade_{y}"] for y in self.years if self.cleaned_data.get(f"grade_{y}")}

    def clean(self):
        cleaned = super().clean()
        if self.years and not any(cleaned.get(f"grade_{y}") for y in self.years):
            raise forms.ValidationError("请至少为一个年度选择补缴档次")
        return cleaned
