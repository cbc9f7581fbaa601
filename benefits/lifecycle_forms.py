"""Forms of the benefit lifecycle pages (certification, death, heirs, suspension, recovery)."""

from decimal import Decimal

from django import forms

from linggao_pension.uploads import upload_size_limit

from .forms import MonthField
from .models import Certification, DeathReport, DelegatedPayee, DelegatedProgramme, OtherPensionRecord

DATE = forms.DateInput(attrs={"type": "date", "class": "input"}, format="%Y-%m-%d")


class CertificationForm(forms.Form):
    certified_on = forms.DateField(label="认证日期", widget=DATE)
    method = forms.ChoiceField(label="认证方式", choices=Certification.Method.choices)
    note = forms.CharField(label="备注", max_length=200, required=False)


class DeathEditForm(forms.Form):
    death_date = forms.DateField(label="死亡日期", widget=DATE)
    source = forms.ChoiceField(label="信息来源", choices=DeathReport.Source.choices)
    note = forms.CharField(label="说明", max_length=200, required=False)


class DeathForm(DeathEditForm):
    id_number = forms.CharField(label="身份证号", max_length=18)
    field_order = ["id_number", "death_date", "source", "note"]

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip().upper()


class HeirsForm(forms.Form):
    heir_name = forms.CharField(label="继承人姓名", max_length=30)
    heir_id_number = forms.CharField(label="继承人身份证号", max_length=18)
    heir_relation = forms.CharField(label="与死者关系", max_length=20)
    heir_bank_name = forms.CharField(label="开户银行", max_length=40)
    heir_bank_account = forms.CharField(label="银行账号", max_length=40)


EVIDENCE_HELP = "判决书、证明等扫描件（PDF、JPG 或 PNG），按文件内容判断格式"


class SuspensionRequestForm(forms.Form):
    reason_code = forms.ChoiceField(label="暂停原因", choices=[("1202", "1202 服刑"), ("1299", "1299 其他")])
    start_month = MonthField(label="暂停起始年月", error_messages={"required": "请填写暂停起始年月"})
    evidence = forms.CharField(label="依据/证明材料", max_length=200,
                               error_messages={"required": "请填写依据或证明材料（如判决书文号）"})
    evidence_file = forms.FileField(label="证明材料附件", required=False, help_text=EVIDENCE_HELP,
                                    validators=[upload_size_limit])
    note = forms.CharField(label="说明", max_length=200, required=False)


class ResumptionForm(forms.Form):
    resume_month = MonthField(label="恢复发放年月", error_messages={"required": "请填写恢复发放年月"})
    backpay = forms.BooleanField(label="补发暂停期间待遇（服刑期间不补发）", required=False)
    evidence = forms.CharField(label="依据/证明材料", max_length=200,
                               error_messages={"required": "请填写恢复发放的依据（如刑满释放证明）"})
    evidence_file = forms.FileField(label="证明材料附件", required=False, help_text=EVIDENCE_HELP,
                                    validators=[upload_size_limit])
    note = forms.CharField(label="说明", max_length=200, required=False)


class RecoveryActionForm(forms.Form):
    """One form for the case's steps; each step reads the fields it needs."""

    amount = forms.DecimalField(label="金额（元）", max_digits=14, decimal_places=2, required=False)
    on = forms.DateField(label="日期", widget=DATE, required=False)
    count = forms.IntegerField(label="分期期数", min_value=2, max_value=60, required=False)
    note = forms.CharField(label="说明/原因", max_length=200, required=False)


class ProgrammeForm(forms.Form):
    code = forms.CharField(label="代发类型代码", max_length=10, error_messages={"required": "请填写代发类型代码"})
    name = forms.CharField(label="项目名称", max_length=60, error_messages={"required": "请填写项目名称"})
    rule = forms.ChoiceField(label="计发办法", choices=DelegatedProgramme.Rule.choices)
    amount = forms.DecimalField(label="金额（元）", max_digits=14, decimal_places=2, min_value=Decimal("0.01"),
                                help_text="定额：每人每月金额；按服务年限：每满一年服务年限每月金额",
                                error_messages={"required": "请填写金额", "min_value": "金额应大于 0",
                                                "invalid": "请输入金额，如 120.00",
                                                "max_decimal_places": "金额最多两位小数"})
    note = forms.CharField(label="依据", max_length=200, required=False, help_text="文件依据，如 琼人社发〔2012〕X号")
    active = forms.BooleanField(label="在发", required=False, initial=True)


class PayeeForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=18, min_length=18,
                                error_messages={"required": "请填写身份证号", "min_length": "身份证号应为 18 位"})
    service_years = forms.IntegerField(label="服务年限", min_value=0, max_value=60, initial=0,
                                       error_messages={"required": "请填写服务年限", "min_value": "服务年限不能为负数",
                                                       "max_value": "服务年限不能超过 60 年"})
    start_month = MonthField(label="起发年月", error_messages={"required": "请填写起发年月"})
    note = forms.CharField(label="说明", max_length=200, required=False)

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip().upper()


class PayeeStatusForm(forms.Form):
    status = forms.ChoiceField(label="发放状态", choices=[(DelegatedPayee.Status.NORMAL, "恢复正常发放"),
                                                       (DelegatedPayee.Status.SUSPENDED, "暂停发放"),
                                                       (DelegatedPayee.Status.TERMINATED, "终止发放")],
                               error_messages={"required": "请选择发放状态"})
    note = forms.CharField(label="原因", max_length=200, error_messages={"required": "请填写变更原因"})


class OtherPensionForm(forms.Form):
    origin = forms.ChoiceField(label="信息来源", choices=OtherPensionRecord.Origin.choices)
    scheme = forms.CharField(label="其他基本养老保障待遇", max_length=60, initial="城镇职工基本养老保险",
                             error_messages={"required": "请填写其他养老保障待遇的名称"})
    from_month = MonthField(label="起始领取年月", error_messages={"required": "请填写起始领取年月"})
    note = forms.CharField(label="说明", max_length=200, required=False, help_text="如 职保领取名单比对批次、本人申报书")


class OtherPensionEndForm(forms.Form):
    to_month = MonthField(label="末次领取年月", error_messages={"required": "请填写末次领取年月"},
                          help_text="其他养老保障待遇发放的最后一个月；自次月起恢复发放城乡居民养老金")
    reason = forms.CharField(label="终止原因", max_length=200, error_messages={"required": "请填写终止原因"},
                             help_text="如 职保待遇停发通知、比对结果有误")
