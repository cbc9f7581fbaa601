"""Input shape of the reports pages, with Chinese messages. Rules live in services."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from linggao_pension import periods

from .models import BuiltReport, Section, WorkSummary
from .services.statistical import parse_report_month
from .services.workplans import indicator_choices


class ReportMonthField(forms.CharField):
    """A report month typed as YYYY-MM (an <input type=month>), not in the future."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("error_messages", {"required": "请选择报表月份", "max_length": "月份格式应为 YYYY-MM"})
        super().__init__(widget=forms.TextInput(attrs={"type": "month", "class": "input"}), **kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_report_month(value, today=timezone.localdate())
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["month"]) from None

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, date) else value


def last_month() -> date:
    return periods.add_months(periods.month_start(timezone.localdate()), -1)


class BuildForm(forms.Form):
    kind = forms.ChoiceField(label="报表", choices=BuiltReport.Kind.choices, error_messages={"required": "请选择报表"})
    month = ReportMonthField(label="报表月份")


class ReportFilterForm(forms.Form):
    kind = forms.ChoiceField(label="报表", choices=[("", "全部"), *BuiltReport.Kind.choices], required=False)


class DisclosureForm(forms.Form):
    town = forms.ModelChoiceField(label="镇/农场", queryset=None, empty_label=None,
                                  error_messages={"required": "请选择镇/农场", "invalid_choice": "请选择您可以打印的镇/农场"})
    as_of = forms.DateField(label="制表日期", widget=forms.DateInput(attrs={"type": "date", "class": "input"}),
                            error_messages={"required": "请填写制表日期", "invalid": "日期格式应为 YYYY-MM-DD"})

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"]
        if as_of > timezone.localdate():
            raise forms.ValidationError("制表日期不能晚于今天")
        if as_of.year < 2011:
            raise forms.ValidationError("制表日期应在 2011 年之后")
        return as_of


class WorkPlanForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2011, max_value=2100,
                              error_messages={"required": "请填写年度", "invalid": "年度应为数字",
                                              "min_value": "年度不能早于 2011", "max_value": "年度不能晚于 2100"})
    title = forms.CharField(label="标题", max_length=80, error_messages={"required": "请填写标题"})
    note = forms.CharField(label="总体要求", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TargetForm(forms.Form):
    section = forms.ChoiceField(label="股室", choices=Section.choices)
    title = forms.CharField(label="目标", max_length=120, error_messages={"required": "请填写目标"})
    owner = forms.CharField(label="责任人", max_length=30, error_messages={"required": "请填写责任人"})
    indicator = forms.ChoiceField(label="对应统计指标", choices=(), required=False)
    target_value = forms.DecimalField(label="目标值", required=False, max_digits=14, decimal_places=2, min_value=0,
                                      error_messages={"invalid": "目标值应为数字", "max_digits": "目标值过大",
                                                      "max_decimal_places": "目标值最多两位小数",
                                                      "min_value": "目标值不能为负数"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicator_choices()


class SummaryForm(forms.Form):
    period = forms.ChoiceField(label="类型", choices=WorkSummary.Period.choices)
    month = ReportMonthField(label="截至月份")
    text = forms.CharField(label="工作情况", widget=forms.Textarea(attrs={"rows": 6}),
                           error_messages={"required": "请填写工作情况"})
    improvements = forms.CharField(label="存在问题与改进措施", required=False, widget=forms.Textarea(attrs={"rows": 4}))
