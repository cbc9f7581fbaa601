"""Input shape and field cleaning, with Chinese messages. Rules live in services."""

from datetime import date

from django import forms
from django.utils import timezone

from linggao_pension import periods
from linggao_pension.imports import SPREADSHEET_REFUSAL, SPREADSHEET_SUFFIXES
from linggao_pension.uploads import upload_size_limit


class MonthField(forms.Field):
    """A 年月 typed as YYYY-MM, cleaned to the first of the month."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"type": "month", "placeholder": "YYYY-MM", "class": "input", "maxlength": "7"})

    def to_python(self, value):
        value = str(value or "").strip()
        if not value:
            return None
        try:
            return periods.parse_month(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, date) else value


class ClaimForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=18, min_length=18,
                                error_messages={"min_length": "身份证号应为 18 位", "required": "请填写身份证号"})
    opinion = forms.CharField(label="镇初审意见", max_length=200, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="已核对身份证、户口簿与银行/社保卡账号；留空则记为“镇初审通过”")

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip().upper()


class DetermineForm(forms.Form):
    opinion = forms.CharField(label="县核定意见", max_length=200, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写退回原因"})


class EstimateForm(forms.Form):
    start = MonthField(label="待遇开始年月", required=False, help_text="留空：按到龄次月（或补缴后次月）测算")


class PayrollStartForm(forms.Form):
    month = MonthField(label="发放年月", error_messages={"required": "请填写发放年月"})


class ReviewForm(forms.Form):
    note = forms.CharField(label="复核意见", max_length=200, required=False)


class XlsxUploadForm(forms.Form):
    file = forms.FileField(label="文件（.xlsx、.xls 或 .csv）", error_messages={"required": "请选择要上传的文件"},
                           validators=[upload_size_limit])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(SPREADSHEET_SUFFIXES):
            raise forms.ValidationError(SPREADSHEET_REFUSAL)
        return upload


class ReturnUploadForm(XlsxUploadForm):
    paid_on = forms.DateField(label="银行发放日期", required=False, help_text="留空为今天；个人账户支出按此日期记账",
                              # <input type="date"> reads only ISO dates: the zh-hans format left it empty.
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                              error_messages={"invalid": "请输入有效的日期，如 2026-03-15"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()
