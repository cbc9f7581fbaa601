"""Input shape and field checks with Chinese messages. The rules live in the services; each form
names its fields after the service's keywords, so a refusal lands at its field."""

from django import forms
from django.utils import timezone

from linggao_pension.org.models import Town, User, Village

from .models import (
    SCOPE_CHOICES,
    DataRequest,
    FollowUp,
    PlanItem,
    Referral,
    StopOrder,
    WhistleReport,
    WorkRecord,
)

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def _date(label: str, **kw) -> forms.DateField:
    return forms.DateField(label=label, **DATE, **kw)


def _text(label: str, required: bool = True, rows: int = 3, **kw) -> forms.CharField:
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kw)


class TownField(forms.ModelChoiceField):
    def __init__(self, label="镇/农场", **kw):
        super().__init__(queryset=Town.objects.filter(is_active=True), label=label, **kw)


class VillageField(forms.ModelChoiceField):
    def __init__(self, **kw):
        super().__init__(queryset=Village.objects.filter(is_active=True).select_related("town"),
                         label="村（居）委会", required=False, **kw)

    def label_from_instance(self, obj) -> str:
        return f"{obj.town.name} · {obj.name}"


def _scope(**kw) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label="监督内容", choices=SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple,
                                     error_messages={"required": "请至少选择一项监督内容"}, **kw)


class PlanForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2011, max_value=2100)
    title = forms.CharField(label="计划名称", max_length=80)
    goals = _text("监督目标与重点", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        year = timezone.localdate().year
        self.initial.setdefault("year", year)
        self.initial.setdefault("title", f"{year}年度参保人员信息监督检查计划")


class PlanItemForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=PlanItem.Kind.choices)
    title = forms.CharField(label="检查项目", max_length=80)
    objects_text = forms.CharField(label="检查对象", max_length=200, initial="各镇、农场参保业务经办机构")
    towns = forms.ModelMultipleChoiceField(queryset=Town.objects.filter(is_active=True), label="被检查镇/农场",
                                           widget=forms.CheckboxSelectMultiple, required=False,
                                           help_text="全县专项检查通常选择全部镇/农场")
    village = VillageField(help_text="抽查某一村（居）委会时选择")
    scope = _scope()
    team_leader = forms.CharField(label="组长", max_length=30)
    team_members = forms.CharField(label="组员", max_length=120, required=False)
    start = _date("开始日期")
    end = _date("结束日期")


class InspectionForm(forms.Form):
    """An inspection outside the plan's items (from a 举报)."""

    title = forms.CharField(label="监督项目", max_length=80)
    town = TownField(label="被监督单位（镇/农场）")
    village = VillageField()
    scope = _scope()
    team_leader = forms.CharField(label="组长", max_length=30)
    team_members = forms.CharField(label="组员", max_length=120, required=False)
    start = _date("计划开始日期")
    end = _date("计划结束日期")


class ProgrammeForm(forms.Form):
    programme = _text("监督方案", rows=5, help_text="监督目的、内容、方法、步骤与人员分工")
    start = _date("计划开始日期")
    end = _date("计划结束日期")


class NoticeForm(forms.Form):
    on = _date("通知日期", help_text="须在实施开始日期5日前")
    text = _text("通知内容", initial="请按监督方案准备相关资料，届时配合检查组工作。")


class StartForm(forms.Form):
    on = _date("实施开始日期")


class WorkRecordForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=WorkRecord.Kind.choices)
    on_date = _date("日期")
    documents = _text("资料/物品清单", required=False, rows=2)
    content = _text("记录内容（询问笔录的问答）", required=False, rows=4)
    seal_place = forms.CharField(label="封存地点", max_length=80, required=False)
    seal_keeper = forms.CharField(label="封存保管人", max_length=30, required=False)
    interviewee = forms.CharField(label="被询问人", max_length=30, required=False)
    interviewee_role = forms.CharField(label="被询问人单位及职务", max_length=60, required=False)
    place = forms.CharField(label="地点", max_length=80, required=False)
    recorder = forms.CharField(label="记录人", max_length=30, required=False)


class ReleaseForm(forms.Form):
    on_date = _date("解除封存日期")
    note = forms.CharField(label="解除封存说明", max_length=200)


class FindingForm(forms.Form):
    scope = forms.ChoiceField(label="监督内容", choices=SCOPE_CHOICES)
    description = _text("发现的问题")
    persons_involved = forms.IntegerField(label="涉及人数", min_value=0, initial=0)
    amount_involved = forms.DecimalField(label="涉及金额（元）", min_value=0, decimal_places=2, max_digits=14, initial=0)


class StopOrderForm(forms.Form):
    conduct = forms.ChoiceField(label="行为", choices=StopOrder.Conduct.choices)
    facts = _text("违法事实")
    amount = forms.DecimalField(label="涉及金额（元）", min_value=0, decimal_places=2, max_digits=14, initial=0)
    ordered_on = _date("责令日期")
    correct_by = _date("改正期限")


class CorrectedForm(forms.Form):
    on_date = _date("改正日期")
    note = _text("改正情况", rows=2)


class ReportForm(forms.Form):
    text = _text("监督报告", rows=8)
    on = _date("送达日期", help_text="被监督单位应在送达后10日内提出书面意见")


class OpinionForm(forms.Form):
    text = _text("书面意见", rows=5)


class RectificationForm(forms.Form):
    requirements = _text("整改意见")
    issued_on = _date("下达日期")
    deadline = _date("整改期限")


class RectificationReportForm(forms.Form):
    text = _text("整改情况", rows=5)
    file = forms.FileField(label="整改报告附件", required=False, help_text="PDF、Word 或图片，10MB 以内")

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file and file.size > 10 * 1024 * 1024:
            raise forms.ValidationError("附件不能超过 10MB")
        if file and file.name.lower().rsplit(".", 1)[-1] not in ("pdf", "doc", "docx", "jpg", "jpeg", "png", "xlsx"):
            raise forms.ValidationError("附件应为 PDF、Word、Excel 或图片")
        return file


class VerifyRectificationForm(forms.Form):
    done = forms.TypedChoiceField(label="核实结果", choices=[("1", "整改到位"), ("0", "未到位，退回整改")],
                                  coerce=lambda v: v == "1")
    note = _text("核实情况", rows=2)
    on_date = _date("核实日期")


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=FollowUp.Kind.choices)
    on_date = _date("日期")
    person_talked = forms.CharField(label="约谈对象（姓名、职务）", max_length=60, required=False)
    notes = _text("情况记录")


class CloseForm(forms.Form):
    conclusion = _text("结案意见")
    on = _date("结案日期")


class ReasonForm(forms.Form):
    reason = _text("原因/意见", rows=2)


class ReferralForm(forms.Form):
    """六(3)-(4): a transfer, sent at once (a penalty proposal, 六(2), is PenaltyForm: approved first)."""

    kind = forms.ChoiceField(label="类型", choices=[c for c in Referral.Kind.choices if c[0] != Referral.Kind.PENALTY])
    subject = forms.CharField(label="涉及单位或个人", max_length=80)
    facts = _text("事实与依据")
    proposal = _text("处理意见", required=False)
    recipient = forms.CharField(label="接收机关", max_length=60, required=False, help_text="留空按类型填写默认机关")
    sent_on = _date("移送/报批日期")


class PenaltyForm(forms.Form):
    """六(2): 行政处理处罚意见, drafted by an auditor, approved by a bureau leader before it is sent."""

    subject = forms.CharField(label="涉及单位或个人", max_length=80)
    facts = _text("事实与依据")
    proposal = _text("处理处罚意见", help_text="如责令退回、处骗取金额2-5倍罚款",
                     error_messages={"required": "请写明处理处罚意见（如责令退回、处骗取金额2-5倍罚款）"})
    recipient = forms.CharField(label="报送机关", max_length=60, required=False, help_text="留空为临高县人力资源和社会保障局")


class ReferralAnswerForm(forms.Form):
    answer = _text("反馈结果")
    on_date = _date("反馈日期")


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=DataRequest.Kind.choices)
    town = TownField(label="被监督单位")
    purpose = forms.CharField(label="监督目的", max_length=120)
    scope = _text("报送数据范围")
    data_format = forms.CharField(label="报送格式", max_length=120, required=False,
                                  initial="Excel（.xlsx），按通知所附表样填写")
    method = forms.CharField(label="报送方式", max_length=60, required=False, initial="通过本系统上传")
    deadline = _date("报送期限")


class SubmissionForm(forms.Form):
    file = forms.FileField(label="报送数据（Excel .xlsx）")
    note = forms.CharField(label="报送说明", max_length=200, required=False)


class SubmissionReviewForm(forms.Form):
    accept = forms.TypedChoiceField(label="审核结果", choices=[("1", "通过"), ("0", "要求补报/重新报送")],
                                    coerce=lambda v: v == "1")
    reason = _text("审核意见/重报原因", required=False, rows=2)


class OffsiteReportForm(forms.Form):
    analysis = _text("数据分析与存在的问题", rows=4)
    report = _text("非现场监督报告", rows=6)
    serious = forms.BooleanField(label="发现严重违法违纪问题（应转现场监督）", required=False)
    on = _date("报告日期")


class EscalateForm(forms.Form):
    scope = _scope()
    team_leader = forms.CharField(label="组长", max_length=30)
    team_members = forms.CharField(label="组员", max_length=120, required=False)
    start = _date("计划开始日期")
    end = _date("计划结束日期")


class SuspectImportForm(forms.Form):
    kind = forms.ChoiceField(label="名单类型", choices=[("deaths", "死亡人员名单（deaths）"),
                                                       ("employee_pensions", "职工养老保险领取人员（employee_pensions）"),
                                                       ("prison", "服刑人员名单（prison）")])
    file = forms.FileField(label="名单文件（Excel .xlsx）")

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 Excel（.xlsx）文件，可先下载模板填写")
        return file


class WhistleForm(forms.Form):
    received_on = _date("受理日期")
    channel = forms.ChoiceField(label="举报方式", choices=WhistleReport.Channel.choices)
    reporter = forms.CharField(label="举报人", max_length=30, required=False, help_text="可匿名")
    reporter_contact = forms.CharField(label="举报人联系方式", max_length=30, required=False)
    town = TownField(label="涉及镇/农场")
    content = _text("举报内容", rows=4)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), label="承办人")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            groups__permissions__codename="handle_reports", is_active=True).distinct()


class InvestigateForm(forms.Form):
    notes = _text("调查情况", rows=4)


class AnswerForm(forms.Form):
    answer = _text("答复内容", rows=4)
    outcome = forms.ChoiceField(label="处理结果", choices=WhistleReport.Outcome.choices)
    outcome_ref = forms.CharField(label="关联记录（追回案件编号等）", max_length=60, required=False)
    on = _date("答复日期")


class TrainingForm(forms.Form):
    held_on = _date("培训日期")
    topic = forms.CharField(label="培训主题", max_length=80)
    trainer = forms.CharField(label="授课人", max_length=40)
    place = forms.CharField(label="地点", max_length=60, required=False)
    content = _text("培训内容", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for town in Town.objects.filter(is_active=True).order_by("sort_order"):
            self.fields[f"town_{town.pk}"] = forms.IntegerField(label=f"{town.name}参训人数", min_value=0,
                                                               required=False)

    def attendance(self) -> dict:
        towns = {t.pk: t for t in Town.objects.filter(is_active=True)}
        return {towns[int(k[5:])]: v for k, v in self.cleaned_data.items() if k.startswith("town_") and v}


class VisitForm(forms.Form):
    town = TownField()
    kind = forms.ChoiceField(label="类型", choices=[("guidance", "业务指导"), ("check", "工作检查")])
    visited_on = _date("日期")
    visitors = forms.CharField(label="县局人员", max_length=80)
    notes = _text("指导/检查情况")
    problems = _text("发现问题及要求", required=False, rows=2)
