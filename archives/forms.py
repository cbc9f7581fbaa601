"""Input shapes of the archives pages, with Chinese messages. The services check again."""

from django import forms
from django.utils import timezone

from .files import SIGNATURES, max_upload_bytes
from .models import (
    Category,
    Certificate,
    Consultation,
    ConsultationService,
    DocumentType,
    PolicyDocument,
    Retention,
    Unit,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACCEPT = ",".join(f".{ext}" for _, ext in SIGNATURES.values()) + ",.jpeg"


class DocumentUploadForm(forms.Form):
    doc_type = forms.ModelChoiceField(DocumentType.objects.filter(is_active=True), label="文件类型", empty_label=None)
    title = forms.CharField(label="文件题名", max_length=120, required=False, help_text="留空则用文件类型名称")
    year = forms.IntegerField(label="年度", min_value=1990, required=False, help_text="留空为今年")
    retention = forms.ChoiceField(
        label="保管期限", choices=[("", "按文件类型默认")] + list(Retention.choices), required=False
    )
    custody_location = forms.CharField(label="纸质件存放位置", max_length=80, required=False)
    file = forms.FileField(
        label="扫描文件", widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": "请选择要上传的扫描文件"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"PDF、JPEG 或 PNG，不超过 {max_upload_bytes() // (1024 * 1024)} MB"


class LoanForm(forms.Form):
    borrower = forms.CharField(label="借阅人", max_length=40)
    borrower_unit = forms.CharField(label="借阅单位/股室", max_length=60, required=False)
    purpose = forms.CharField(label="借阅事由", max_length=120)
    due_on = forms.DateField(label="应还日期", widget=DATE)


class VolumeForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=1990, initial=lambda: timezone.localdate().year)
    category = forms.ChoiceField(label="档案类别", choices=Category.choices)
    title = forms.CharField(label="案卷题名", max_length=120)
    retention = forms.ChoiceField(label="保管期限", choices=Retention.choices)
    custody_location = forms.CharField(label="存放位置", max_length=80, required=False)


class VolumeDocumentsForm(forms.Form):
    archive_nos = forms.CharField(
        label="档号", widget=forms.Textarea(attrs={"rows": 3}), help_text="每行一个档号，或用空格、逗号分隔"
    )

    def clean_archive_nos(self) -> list[str]:
        raw = self.cleaned_data["archive_nos"].replace("，", " ").replace(",", " ")
        return raw.split()


class CertificateForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=18)
    kind = forms.ChoiceField(label="证明类型", choices=Certificate.Kind.choices, widget=forms.RadioSelect)
    purpose = forms.CharField(label="用途", max_length=60, required=False)

    def clean_id_number(self) -> str:
        return self.cleaned_data["id_number"].strip().upper()


class VerifyForm(forms.Form):
    code = forms.CharField(label="验证码", max_length=40)


class ConsultationForm(forms.Form):
    service = forms.ModelChoiceField(
        ConsultationService.objects.filter(is_active=True), label="服务事项", empty_label=None, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(label="方式", choices=Consultation.Channel.choices, initial="phone")
    id_number = forms.CharField(label="参保人身份证号（知道时填）", max_length=18, required=False)
    caller_name = forms.CharField(label="咨询人", max_length=30, required=False)
    caller_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    question = forms.CharField(label="咨询问题", widget=forms.Textarea(attrs={"rows": 2}))
    answer = forms.CharField(label="答复", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    referred_to = forms.ChoiceField(label="转交承办机构", choices=[("", "不转交")] + list(Unit.choices), required=False)
    follow_up_due = forms.DateField(label="回访期限", widget=DATE, required=False)


class FollowUpForm(forms.Form):
    follow_up_note = forms.CharField(label="回访情况", max_length=200)


class PolicyForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=PolicyDocument.Kind.choices)
    title = forms.CharField(label="标题", max_length=120)
    doc_no = forms.CharField(label="文号", max_length=60, required=False)
    issuing_body = forms.CharField(label="发文机关", max_length=60)
    issued_on = forms.DateField(label="发文日期", widget=DATE)
    effective_on = forms.DateField(label="施行日期", widget=DATE, required=False)
    summary = forms.CharField(label="内容摘要", widget=forms.Textarea(attrs={"rows": 4}))
    file = forms.FileField(label="原文（PDF，可选）", required=False, widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}))


class RegisterEntryForm(forms.Form):
    action = forms.ChoiceField(label="事项", choices=[])
    reference = forms.CharField(label="单证编号/名称", max_length=60)
    quantity = forms.IntegerField(label="份数", min_value=1, initial=1)
    reviews = forms.IntegerField(label="复核的缮制记录编号", required=False, help_text="复核时填写")
    custody_location = forms.CharField(label="保管位置", max_length=80, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from .models import RegisterEntry

        super().__init__(*args, **kwargs)
        # 签发 of certificates is recorded by the system when it issues them; other registers take all four.
        self.fields["action"].choices = RegisterEntry.Action.choices


class VillageImportForm(forms.Form):
    file = forms.FileField(label="村/居委会名单（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
