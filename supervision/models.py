"""Supervision (事中事后监管制度, the seed's section 三, and duty 4): the yearly plan, on-site and
off-site inspections of the town/farm agencies and village committees, suspicious-data checks,
reports of wrongful payments (举报), referrals, and the training and guidance of town centres.

The inspected units are org data: a town or farm agency (Town), or a village committee (Village)
under it. Each workflow keeps its states and allowed moves next to its status enum; the services
in supervision/services/ perform the moves and record who, when and why.

The choice enums stand at module level, before their model (`InspectionStatus`), so that the
model's check constraints list `InspectionStatus.values` instead of a hand-copied list; the model
names them as before (`Inspection.Status`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from linggao_pension.org.models import ScopedQuerySet
from linggao_pension.workflow import Reviewable, ReviewStatus

USER = settings.AUTH_USER_MODEL


def _money(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def _by(verbose_name: str, **kwargs) -> models.ForeignKey:
    return models.ForeignKey(USER, models.PROTECT, related_name="+", verbose_name=verbose_name, **kwargs)


def _by_null(verbose_name: str) -> models.ForeignKey:
    return _by(verbose_name, null=True, blank=True)


class ModuleAccess(models.Model):
    """No table: carries the permission that opens this module's pages."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_supervision", "可进入监督检查模块")]

    def __str__(self) -> str:
        return self._meta.verbose_name


# The seed's 二 监督检查内容, (1)-(4): the scope of an inspection is a subset of these.
SCOPE_CHOICES = [
    ("1", "（1）贯彻执行社会养老保险政策法律、法规和国家政策的情况"),
    ("2", "（2）参保人员的信息采集、保费征缴、受理情况"),
    ("3", "（3）参保人员缴纳保险费收支、管理及收益、结余情况"),
    ("4", "（4）社会养老保险个人信息管理的其他事项"),
]
SCOPE_CODES = [code for code, _ in SCOPE_CHOICES]
SCOPE_SHORT = {"1": "政策执行", "2": "信息采集与征缴受理", "3": "保费收支管理结余", "4": "个人信息管理其他事项"}


# --- the yearly plan (年度监督计划) --------------------------------------------------------------


class SupervisionPlan(models.Model):
    """One plan per year: its county-wide special inspections (3-5 a year, the seed's 三(1)①) and
    the spot checks (三(1)②) are the Inspection rows of that year."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    title = models.CharField("计划名称", max_length=80)
    goals = models.TextField("监督目标与重点", blank=True)
    created_by = _by("编制人")
    created_at = models.DateTimeField("编制时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "年度监督计划"
        verbose_name_plural = "年度监督计划"
        ordering = ["-year"]
        permissions = [("manage_supervision", "可实施监督检查（编制计划、现场与非现场监督、处理）")]

    def __str__(self) -> str:
        return self.title


class PlanItemKind(models.TextChoices):
    SPECIAL = "special", "全县专项检查（定期）"
    SPOT = "spot", "不定期抽查"


class PlanItem(models.Model):
    """A line of the yearly plan: a county-wide special inspection (定期, one inspection per town
    or farm it covers) or a spot check (不定期抽查, of the units chosen), with its object, scope
    (the seed's 二(1)-(4)), team and dates. Each covered unit gets its own Inspection."""

    Kind = PlanItemKind

    plan = models.ForeignKey(SupervisionPlan, models.PROTECT, related_name="items", verbose_name="年度计划")
    kind = models.CharField("类型", max_length=8, choices=Kind)
    title = models.CharField("检查项目", max_length=80)
    objects_text = models.CharField("检查对象", max_length=200, help_text="如：各镇、农场参保业务经办机构")
    scope = models.JSONField("监督内容", default=list)
    team_leader = models.CharField("组长", max_length=30)
    team_members = models.CharField("组员", max_length=120, blank=True)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    created_by = _by("录入人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "计划检查项目"
        verbose_name_plural = "计划检查项目"
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PlanItemKind.values), name="planitem_kind_valid"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="planitem_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_labels(self) -> list[str]:
        return [SCOPE_SHORT[c] for c in self.scope if c in SCOPE_SHORT]


# --- on-site inspection (现场监督, 五(1)) ---------------------------------------------------------


class InspectionQuerySet(ScopedQuerySet):
    town_field = "town"


class InspectionKind(models.TextChoices):
    SPECIAL = "special", "全县专项检查（定期）"
    SPOT = "spot", "不定期抽查"
    REPORT = "report", "举报核查"
    OFFSITE = "offsite", "非现场监督转现场"


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    NOTIFIED = "notified", "已通知"
    IN_PROGRESS = "in_progress", "实施中"
    REPORT_SENT = "report_sent", "报告已送达"
    OPINION = "opinion", "意见反馈"
    RECTIFYING = "rectifying", "整改中"
    CLOSED = "closed", "已结案"
    CANCELLED = "cancelled", "已撤销"


class InspectionOpinionKind(models.TextChoices):
    WRITTEN = "written", "书面意见"
    DEEMED = "deemed", "逾期视同无异议"


class Inspection(models.Model):
    """现场监督: 计划（监督方案）→ 已通知 (≥5 days before the start) → 实施中 (work records) →
    报告已送达 → 意见反馈 (the unit's written opinion within 10 days, or 逾期视同无异议) →
    整改中 (rectification orders) → 已结案; or 已撤销 before it starts."""

    Kind = InspectionKind
    Status = InspectionStatus
    OpinionKind = InspectionOpinionKind

    # The allowed moves (architecture.md "Inspection").
    TRANSITIONS: dict[str, set[str]] = {
        Status.PLANNED: {Status.NOTIFIED, Status.CANCELLED},
        Status.NOTIFIED: {Status.IN_PROGRESS, Status.CANCELLED},
        Status.IN_PROGRESS: {Status.REPORT_SENT},
        Status.REPORT_SENT: {Status.OPINION},
        Status.OPINION: {Status.RECTIFYING, Status.CLOSED},
        Status.RECTIFYING: {Status.CLOSED},
        Status.CLOSED: set(),
        Status.CANCELLED: set(),
    }
    NOTICE_DAYS = 5  # 在实施监督5日前通知被监督单位
    OPINION_DAYS = 10  # 接到监督报告10日内提出书面意见

    number = models.CharField("编号", max_length=20, unique=True)
    plan_item = models.ForeignKey(
        PlanItem, models.PROTECT, null=True, blank=True, related_name="inspections", verbose_name="计划检查项目"
    )
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    kind = models.CharField("监督方式", max_length=8, choices=Kind)
    title = models.CharField("监督项目", max_length=80)
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="被监督单位（镇/农场）")
    village = models.ForeignKey(
        "org.Village", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="村（居）委会",
        help_text="检查村（居）委员会时填写；留空为镇/农场经办机构",
    )
    scope = models.JSONField("监督内容", default=list, help_text="二（1）-（4）中的一项或多项")
    team_leader = models.CharField("组长", max_length=30)
    team_members = models.CharField("组员", max_length=120, blank=True)
    planned_start = models.DateField("计划开始日期")
    planned_end = models.DateField("计划结束日期")
    programme = models.TextField("监督方案", blank=True, help_text="监督目的、内容、方法、步骤与人员分工")
    status = models.CharField("状态", max_length=12, choices=Status, default=Status.PLANNED, db_index=True)
    notified_on = models.DateField("通知日期", null=True, blank=True)
    notice_text = models.TextField("通知内容", blank=True)
    notice_acknowledged_by = _by_null("通知签收人")
    notice_acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    started_on = models.DateField("实施开始日期", null=True, blank=True)
    report_text = models.TextField("监督报告", blank=True)
    report_sent_on = models.DateField("报告送达日期", null=True, blank=True)
    opinion_due = models.DateField("书面意见截止日期", null=True, blank=True, db_index=True)
    opinion_kind = models.CharField("意见形式", max_length=8, choices=OpinionKind, blank=True)
    opinion_text = models.TextField("被监督单位书面意见", blank=True)
    opinion_by = _by_null("意见提交人")
    opinion_at = models.DateTimeField("意见记录时间", null=True, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    conclusion = models.TextField("结案意见", blank=True)
    source_request = models.ForeignKey(
        "DataRequest", models.PROTECT, null=True, blank=True, related_name="escalations", verbose_name="来源非现场监督"
    )
    source_report = models.ForeignKey(
        "WhistleReport", models.PROTECT, null=True, blank=True, related_name="inspections", verbose_name="来源举报"
    )
    created_by = _by("录入人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "现场监督"
        verbose_name_plural = "现场监督"
        ordering = ["-planned_start", "-pk"]
        permissions = [("respond_inspection", "可答复监督检查（签收通知、书面意见、整改报告、报送数据）")]
        indexes = [models.Index(fields=["town", "status"], name="inspection_town_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=InspectionKind.values),
                                   name="inspection_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=InspectionStatus.values),
                name="inspection_status_valid",
            ),
            models.CheckConstraint(condition=Q(planned_end__gte=models.F("planned_start")),
                                   name="inspection_end_after_start"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def unit_label(self) -> str:
        return f"{self.town.name}{self.village.name}村（居）委会" if self.village_id else f"{self.town.name}社保中心"

    @property
    def scope_labels(self) -> list[str]:
        labels = dict(SCOPE_CHOICES)
        return [labels[c] for c in self.scope if c in labels]

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.CANCELLED)


class InspectionStep(models.Model):
    """One move of an inspection: from which state to which, who, when and the note."""

    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="steps", verbose_name="现场监督")
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=Inspection.Status)
    by = _by_null("经办人")
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "现场监督步骤"
        verbose_name_plural = "现场监督步骤"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"

    @property
    def to_label(self) -> str:
        return Inspection.Status(self.to_status).label


class WorkRecordKind(models.TextChoices):
    CONSULTED = "consulted", "查阅资料"
    COPIED = "copied", "复制资料"
    SEALED = "sealed", "封存资料"
    INTERVIEW = "interview", "询问笔录"
    BRIEFING = "briefing", "听取汇报"
    EVIDENCE = "evidence", "调查取证"


class WorkRecord(models.Model):
    """What the team did on site (五(1)②, 四(1)(2)): documents consulted or copied, materials sealed
    (list, place, who keeps them) and later released, interviews (询问笔录, printable), briefings."""

    Kind = WorkRecordKind

    inspection = models.ForeignKey(Inspection, models.PROTECT, related_name="work_records", verbose_name="现场监督")
    kind = models.CharField("类型", max_length=10, choices=Kind)
    on_date = models.DateField("日期")
    documents = models.TextField("资料/物品清单", blank=True, help_text="查阅、复制或封存的资料名称、份数")
    content = models.TextField("记录内容", blank=True, help_text="询问笔录填写问答内容")
    seal_place = models.CharField("封存地点", max_length=80, blank=True)
    seal_keeper = models.CharField("封存保管人", max_length=30, blank=True)
    interviewee = models.CharField("被询问人", max_length=30, blank=True)
    interviewee_role = models.CharField("被询问人单位及职务", max_length=60, blank=True)
    place = models.CharField("地点", max_length=80, blank=True)
    recorder = models.CharField("记录人", max_length=30, blank=True)
    released_on = models.DateField("解除封存日期", null=True, blank=True)
    released_by = _by_null("解除封存经办人")
    release_note = models.CharField("解除封存说明", max_length=200, blank=True)
    created_by = _by("录入人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "现场工作记录"
        verbose_name_plural = "现场工作记录"
        ordering = ["on_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=WorkRecordKind.values),
                name="workrecord_kind_valid",
            ),
            models.CheckConstraint(condition=Q(released_on__isnull=True) | Q(kind="sealed"),
                                   name="workrecord_release_only_sealed"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on_date}"


class Finding(models.Model):
    """A problem found (根据检查结果), under one of the four contents."""

    inspection = models.ForeignKey(Inspection, models.PROTECT, related_name="findings", verbose_name="现场监督")
    scope = models.CharField("监督内容", max_length=1, choices=SCOPE_CHOICES)
    description = models.TextField("发现的问题")
    persons_involved = models.PositiveIntegerField("涉及人数", default=0)
    amount_involved = _money("涉及金额（元）", default=0)
    created_by = _by("录入人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "检查发现问题"
        verbose_name_plural = "检查发现问题"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=SCOPE_CODES), name="finding_scope_valid"),
            models.CheckConstraint(condition=Q(amount_involved__gte=0), name="finding_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.description[:30]


class StopOrderConduct(models.TextChoices):
    CONCEAL = "conceal", "隐匿"
    SEIZE = "seize", "侵占"
    DIVERT = "divert", "挪用"


class StopOrder(models.Model):
    """四(3): an order to stop and correct 隐匿、侵占、挪用 of pensioners' benefits."""

    Conduct = StopOrderConduct

    inspection = models.ForeignKey(Inspection, models.PROTECT, related_name="stop_orders", verbose_name="现场监督")
    conduct = models.CharField("行为", max_length=8, choices=Conduct)
    facts = models.TextField("违法事实")
    amount = _money("涉及金额（元）", default=0)
    ordered_on = models.DateField("责令日期")
    correct_by = models.DateField("改正期限")
    corrected_on = models.DateField("改正日期", null=True, blank=True)
    correction_note = models.TextField("改正情况", blank=True)
    created_by = _by("录入人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "责令改正（制止隐匿、侵占、挪用）"
        verbose_name_plural = "责令改正（制止隐匿、侵占、挪用）"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(conduct__in=StopOrderConduct.values), name="stoporder_conduct_valid"),
            models.CheckConstraint(condition=Q(correct_by__gte=models.F("ordered_on")), name="stoporder_deadline_after"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="stoporder_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"责令改正（{self.get_conduct_display()}）"


class RectificationStatus(models.TextChoices):
    ISSUED = "issued", "已下达"
    REPORTED = "reported", "已报送整改报告"
    VERIFIED = "verified", "整改到位"


class Rectification(models.Model):
    """六(1): a rectification order with its deadline; the unit reports (text and an upload), the
    team follows up and verifies it."""

    Status = RectificationStatus

    TRANSITIONS: dict[str, set[str]] = {
        Status.ISSUED: {Status.REPORTED},
        Status.REPORTED: {Status.VERIFIED, Status.ISSUED},  # not yet done: back to the unit
        Status.VERIFIED: set(),
    }

    inspection = models.ForeignKey(Inspection, models.PROTECT, related_name="rectifications", verbose_name="现场监督")
    requirements = models.TextField("整改意见")
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=8, choices=Status, default=Status.ISSUED)
    issued_on = models.DateField("下达日期")
    report_text = models.TextField("整改报告", blank=True)
    report_file = models.FileField("整改报告附件", upload_to="supervision/rectifications/", blank=True)
    reported_by = _by_null("报送人")
    reported_at = models.DateTimeField("报送时间", null=True, blank=True)
    verified_by = _by_null("核实人")
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    created_by = _by("下达人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "整改通知"
        verbose_name_plural = "整改通知"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RectificationStatus.values),
                                   name="rectification_status_valid"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"整改通知 #{self.pk}"


class FollowUpKind(models.TextChoices):
    FOLLOW_UP = "follow_up", "跟踪检查"
    TALK = "talk", "约谈单位主要领导"


class FollowUp(models.Model):
    """A follow-up of a rectification (跟踪检查) or a 约谈 of the unit's leader (六(1))."""

    Kind = FollowUpKind

    inspection = models.ForeignKey(Inspection, models.PROTECT, related_name="follow_ups", verbose_name="现场监督")
    rectification = models.ForeignKey(
        Rectification, models.PROTECT, null=True, blank=True, related_name="follow_ups", verbose_name="整改通知"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind)
    on_date = models.DateField("日期")
    person_talked = models.CharField("约谈对象（姓名、职务）", max_length=60, blank=True)
    notes = models.TextField("情况记录")
    created_by = _by("录入人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "跟踪检查/约谈"
        verbose_name_plural = "跟踪检查/约谈"
        ordering = ["on_date", "pk"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=FollowUpKind.values), name="followup_kind_valid")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on_date}"


class ReferralQuerySet(ScopedQuerySet):
    town_field = "town"


class ReferralKind(models.TextChoices):
    PENALTY = "penalty", "行政处理处罚意见（报批）"
    POLICE = "police", "移送公安机关"
    DISCIPLINE = "discipline", "移送纪检监察机关"
    PROCURATORATE = "procuratorate", "移送人民检察院"


class ReferralStatus(models.TextChoices):
    SENT = "sent", "已移送/已批准送达"
    ANSWERED = "answered", "已反馈"


class Referral(models.Model):
    """六(2)-(4): an administrative penalty proposal once a bureau leader approved it (its
    PenaltyProposal, below), a transfer to the police, or to the discipline inspection organ or
    procuratorate. Its own record, with the answer."""

    Kind = ReferralKind
    Status = ReferralStatus

    number = models.CharField("编号", max_length=20, unique=True)
    kind = models.CharField("类型", max_length=14, choices=Kind)
    inspection = models.ForeignKey(
        Inspection, models.PROTECT, null=True, blank=True, related_name="referrals", verbose_name="现场监督"
    )
    report = models.ForeignKey(
        "WhistleReport", models.PROTECT, null=True, blank=True, related_name="referrals", verbose_name="举报"
    )
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="涉及镇/农场")
    subject = models.CharField("涉及单位或个人", max_length=80)
    facts = models.TextField("事实与依据")
    proposal = models.TextField("处理意见", blank=True, help_text="行政处理处罚意见：如责令退回、处骗取金额2-5倍罚款")
    recipient = models.CharField("接收机关", max_length=60)
    sent_on = models.DateField("移送/报批日期")
    status = models.CharField("状态", max_length=8, choices=Status, default=Status.SENT)
    answer = models.TextField("反馈结果", blank=True)
    answered_on = models.DateField("反馈日期", null=True, blank=True)
    created_by = _by("经办人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = "移送与处理处罚意见"
        verbose_name_plural = "移送与处理处罚意见"
        ordering = ["-sent_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ReferralKind.values),
                                   name="referral_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"


class PenaltyProposalQuerySet(ScopedQuerySet):
    town_field = "town"


# The review workflow's states as a penalty proposal reads them: the auditor's submission is the
# workflow's town-side step (镇初审通过), the bureau leader's approval its county-side one (县复核通过).
PENALTY_STATUS_CHOICES = [
    (ReviewStatus.DRAFT, "草稿"),
    (ReviewStatus.TOWN_APPROVED, "已报批，待局领导审批"),
    (ReviewStatus.TOWN_RETURNED, "已退回拟稿人"),
    (ReviewStatus.COUNTY_APPROVED, "已批准，已送达"),
    (ReviewStatus.COUNTY_RETURNED, "局领导退回修改"),
    (ReviewStatus.CANCELLED, "已撤销"),
]


class PenaltyProposal(Reviewable):
    """六(2): 行政处理处罚意见（报批）. An auditor (稽核股) drafts it and submits it; a bureau leader
    (局领导) approves it or returns it with an opinion (linggao_pension.workflow, flow
    supervision.services.penalties.PENALTY_FLOW; whoever drafted, edited or submitted it never
    approves it). Only the approval sends it: it creates the Referral of kind 行政处理处罚意见
    (`referral`), which is printed, sent and answered like the other referrals."""

    status = models.CharField(
        "状态", max_length=16, choices=PENALTY_STATUS_CHOICES, default=ReviewStatus.DRAFT, db_index=True
    )
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="涉及镇/农场")
    number = models.CharField("编号", max_length=20, unique=True)
    inspection = models.ForeignKey(
        Inspection, models.PROTECT, null=True, blank=True, related_name="penalty_proposals", verbose_name="现场监督"
    )
    report = models.ForeignKey(
        "WhistleReport", models.PROTECT, null=True, blank=True, related_name="penalty_proposals", verbose_name="举报"
    )
    subject = models.CharField("涉及单位或个人", max_length=80)
    facts = models.TextField("事实与依据")
    proposal = models.TextField("处理处罚意见", help_text="如责令退回、处骗取金额2-5倍罚款")
    recipient = models.CharField("报送机关", max_length=60)
    referral = models.OneToOneField(
        Referral, models.PROTECT, null=True, blank=True, related_name="penalty_proposal", verbose_name="送达记录"
    )
    history = HistoricalRecords()

    objects = PenaltyProposalQuerySet.as_manager()
    review_flow = "supervision.services.penalties.PENALTY_FLOW"

    class Meta:
        verbose_name = "行政处理处罚意见（报批）"
        verbose_name_plural = "行政处理处罚意见（报批）"
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("propose_penalty", "可拟定并提交行政处理处罚意见（报批）"),
            ("approve_penalty", "可审批行政处理处罚意见"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="penalty_status_valid"),
            models.CheckConstraint(
                condition=Q(referral__isnull=True) | Q(status=ReviewStatus.COUNTY_APPROVED),
                name="penalty_referral_only_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} 行政处理处罚意见"


# --- off-site supervision (非现场监督, 五(2)) -------------------------------------------------------


class DataRequestQuerySet(ScopedQuerySet):
    town_field = "town"


class DataRequestKind(models.TextChoices):
    REGULAR = "regular", "定期报送（常规监督）"
    SPECIAL = "special", "专项报送（专项监督）"


class DataRequestStatus(models.TextChoices):
    REQUESTED = "requested", "已通知报送"
    SUBMITTED = "submitted", "已报送待审核"
    RESUBMIT = "resubmit", "要求补报/重报"
    ACCEPTED = "accepted", "数据已审核通过"
    REPORTED = "reported", "已出具监督报告"
    ESCALATED = "escalated", "已转现场监督"


class DataRequest(models.Model):
    """五(2)①: what the unit must submit (scope, format, method, deadline); ② review of each
    submission (accept or ask to resubmit with reasons); ③ analysis and report; 三(2)③ escalation
    to an on-site inspection when serious problems are found."""

    Kind = DataRequestKind
    Status = DataRequestStatus

    TRANSITIONS: dict[str, set[str]] = {
        Status.REQUESTED: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.ACCEPTED, Status.RESUBMIT},
        Status.RESUBMIT: {Status.SUBMITTED},
        Status.ACCEPTED: {Status.REPORTED},
        Status.REPORTED: {Status.ESCALATED},
        Status.ESCALATED: set(),
    }

    number = models.CharField("编号", max_length=20, unique=True)
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    kind = models.CharField("类型", max_length=8, choices=Kind)
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="被监督单位")
    purpose = models.CharField("监督目的", max_length=120)
    scope = models.TextField("报送数据范围")
    data_format = models.CharField("报送格式", max_length=120, default="Excel（.xlsx），按通知所附表样填写")
    method = models.CharField("报送方式", max_length=60, default="通过本系统上传")
    deadline = models.DateField("报送期限")
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.REQUESTED, db_index=True)
    analysis = models.TextField("数据分析与存在的问题", blank=True)
    report_text = models.TextField("非现场监督报告", blank=True)
    reported_on = models.DateField("报告日期", null=True, blank=True)
    serious = models.BooleanField("发现严重违法违纪问题", default=False)
    created_by = _by("经办人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    objects = DataRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "非现场监督"
        verbose_name_plural = "非现场监督"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DataRequestKind.values), name="datarequest_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=DataRequestStatus.values),
                name="datarequest_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.purpose}"


class DataSubmissionStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    ACCEPTED = "accepted", "通过"
    RESUBMIT = "resubmit", "要求补报/重报"


class DataSubmission(models.Model):
    """One upload by the unit (Excel) and its review."""

    Status = DataSubmissionStatus

    request = models.ForeignKey(DataRequest, models.PROTECT, related_name="submissions", verbose_name="非现场监督")
    file = models.FileField("报送文件", upload_to="supervision/submissions/")
    filename = models.CharField("文件名", max_length=120)
    rows = models.PositiveIntegerField("数据行数", default=0)
    note = models.CharField("报送说明", max_length=200, blank=True)
    uploaded_by = _by("报送人")
    uploaded_at = models.DateTimeField("报送时间", auto_now_add=True)
    status = models.CharField("审核结果", max_length=8, choices=Status, default=Status.PENDING)
    review_reason = models.TextField("审核意见/重报原因", blank=True)
    reviewed_by = _by_null("审核人")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "报送数据"
        verbose_name_plural = "报送数据"
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DataSubmissionStatus.values),
                                   name="submission_status_valid"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.filename


# --- suspicious-data checks (疑点核查, 三(2)①) -----------------------------------------------------


class SuspectListKind(models.TextChoices):
    DEATHS = "deaths", "死亡人员名单"
    EMPLOYEE_PENSIONS = "employee_pensions", "职工养老保险领取人员名单"
    PRISON = "prison", "服刑人员名单"
    SYSTEM = "system", "本系统数据比对"


class SuspectList(models.Model):
    """One imported external list (deaths, employee pensions, prison) and what matching found."""

    Kind = SuspectListKind

    kind = models.CharField("名单类型", max_length=20, choices=Kind)
    filename = models.CharField("文件名", max_length=120, blank=True)
    rows = models.PositiveIntegerField("行数", default=0)
    matched = models.PositiveIntegerField("匹配参保人", default=0)
    new_items = models.PositiveIntegerField("新增疑点", default=0)
    job = models.OneToOneField("org.JobRun", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="任务")
    imported_by = _by_null("导入人")
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "疑点比对名单"
        verbose_name_plural = "疑点比对名单"
        ordering = ["-imported_at", "-pk"]
        permissions = [("check_suspects", "可导入比对名单并核查疑点")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SuspectListKind.values),
                                   name="suspectlist_kind_valid"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.imported_at:%Y-%m-%d}"


class SuspectItemQuerySet(ScopedQuerySet):
    town_field = "person__town"


class SuspectItemKind(models.TextChoices):
    PAID_AFTER_DEATH = "paid_after_death", "死亡后仍领取待遇"
    PENSIONER_DIED = "pensioner_died", "领取人死亡未停发"
    DUPLICATE_EMPLOYEE = "duplicate_employee", "与职工养老保险重复领取"
    IMPRISONED = "imprisoned", "服刑期间领取待遇"
    CONTRIBUTOR_DIED = "contributor_died", "缴费人员死亡（个人账户待结算）"
    SHARED_ACCOUNT = "shared_account", "多名领取人共用一个银行账号"
    CENTENARIAN_UNCERTIFIED = "over_100_uncertified", "百岁以上且一年内未认证"


class SuspectItemStatus(models.TextChoices):
    OPEN = "open", "待核查"
    VERIFIED = "verified", "核实属实"
    DISMISSED = "dismissed", "排除"


class SuspectItem(models.Model):
    """A suspicious case for an auditor to verify or dismiss with a reason. One per (kind, person,
    key): the key is what identifies the case in its list (the death date, the employee pension's
    start month, the sentence start, the shared account), so a rerun of the same list adds nothing."""

    Kind = SuspectItemKind
    Status = SuspectItemStatus

    TRANSITIONS: dict[str, set[str]] = {
        Status.OPEN: {Status.VERIFIED, Status.DISMISSED},
        Status.VERIFIED: set(),
        Status.DISMISSED: set(),
    }

    kind = models.CharField("疑点类型", max_length=22, choices=Kind, db_index=True)
    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="suspect_items", verbose_name="参保人")
    id_number = models.CharField("身份证号", max_length=18)
    name = models.CharField("姓名", max_length=30)
    key = models.CharField("比对依据", max_length=40, help_text="死亡日期、职工养老金开始年月、服刑开始日期或共用账号")
    event_date = models.DateField("事件日期", null=True, blank=True)
    event_end = models.DateField("结束日期", null=True, blank=True)
    months = models.JSONField("涉及月份", default=list, blank=True)
    amount = _money("涉及金额（元）", null=True, blank=True)
    basic_amount = _money("其中基础养老金（元）", null=True, blank=True)
    detail = models.CharField("说明", max_length=300, blank=True)
    source_list = models.ForeignKey(
        SuspectList, models.PROTECT, related_name="items", verbose_name="来源名单"
    )
    status = models.CharField("核查结果", max_length=10, choices=Status, default=Status.OPEN, db_index=True)
    reason = models.TextField("核查意见", blank=True)
    decided_by = _by_null("核查人")
    decided_at = models.DateTimeField("核查时间", null=True, blank=True)
    action = models.CharField("后续处理", max_length=120, blank=True)
    created_at = models.DateTimeField("发现时间", auto_now_add=True)
    history = HistoricalRecords()

    objects = SuspectItemQuerySet.as_manager()

    class Meta:
        verbose_name = "疑点"
        verbose_name_plural = "疑点"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "kind"], name="suspect_status_kind_idx")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "person", "key"], name="suspect_once_per_case"),
            models.CheckConstraint(condition=Q(status__in=SuspectItemStatus.values), name="suspect_status_valid"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="suspect_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


# --- reports of wrongful or fraudulent payments (举报, 三(1)③) -------------------------------------


class WhistleReportQuerySet(ScopedQuerySet):
    town_field = "town"


class WhistleReportStatus(models.TextChoices):
    REGISTERED = "registered", "已登记"
    ASSIGNED = "assigned", "已分办"
    INVESTIGATING = "investigating", "调查中"
    ANSWERED = "answered", "已答复办结"


class WhistleReportOutcome(models.TextChoices):
    RECOVERY = "recovery", "立案追回"
    CORRECTION = "correction", "更正信息/停发"
    DISMISSED = "dismissed", "查无实据"


class WhistleReportChannel(models.TextChoices):
    PHONE = "phone", "电话（28278663）"
    VISIT = "visit", "来访"
    LETTER = "letter", "来信"
    TRANSFERRED = "transferred", "上级转办"


class WhistleReport(models.Model):
    """举报: 已登记 → 已分办 → 调查中 → 已答复 (with the outcome: a recovery case, a correction, or
    dismissed)."""

    Status = WhistleReportStatus
    Outcome = WhistleReportOutcome
    Channel = WhistleReportChannel

    TRANSITIONS: dict[str, set[str]] = {
        Status.REGISTERED: {Status.ASSIGNED},
        Status.ASSIGNED: {Status.INVESTIGATING, Status.ASSIGNED},
        Status.INVESTIGATING: {Status.ANSWERED},
        Status.ANSWERED: set(),
    }

    number = models.CharField("编号", max_length=20, unique=True)
    received_on = models.DateField("受理日期")
    channel = models.CharField("举报方式", max_length=12, choices=Channel)
    reporter = models.CharField("举报人", max_length=30, blank=True, help_text="可匿名")
    reporter_contact = models.CharField("举报人联系方式", max_length=30, blank=True)
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="涉及镇/农场")
    person = models.ForeignKey(
        "enrollment.Person", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="被举报参保人"
    )
    content = models.TextField("举报内容")
    status = models.CharField("状态", max_length=14, choices=Status, default=Status.REGISTERED, db_index=True)
    assigned_to = _by_null("承办人")
    investigation = models.TextField("调查情况", blank=True)
    answer = models.TextField("答复内容", blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    outcome = models.CharField("处理结果", max_length=12, choices=Outcome, blank=True)
    outcome_ref = models.CharField("关联记录", max_length=60, blank=True, help_text="追回案件编号等")
    created_by = _by("登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    history = HistoricalRecords()

    objects = WhistleReportQuerySet.as_manager()

    class Meta:
        verbose_name = "错发误发举报"
        verbose_name_plural = "错发误发举报"
        ordering = ["-received_on", "-pk"]
        permissions = [("handle_reports", "可受理、调查、答复举报")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=WhistleReportStatus.values),
                                   name="report_status_valid"),
            models.CheckConstraint(condition=Q(outcome__in=["", *WhistleReportOutcome.values]),
                                   name="report_outcome_valid"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.number


# --- training and guidance of town centres (duty 4) -----------------------------------------------


class TrainingSession(models.Model):
    """定期开办培训班对各镇、农场业务经办人员进行培训."""

    held_on = models.DateField("培训日期", db_index=True)
    topic = models.CharField("培训主题", max_length=80)
    trainer = models.CharField("授课人", max_length=40)
    place = models.CharField("地点", max_length=60, blank=True)
    content = models.TextField("培训内容", blank=True)
    created_by = _by("录入人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训班"
        verbose_name_plural = "培训班"
        ordering = ["-held_on", "-pk"]
        permissions = [("manage_training", "可登记培训与指导检查")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class TrainingAttendance(models.Model):
    session = models.ForeignKey(TrainingSession, models.CASCADE, related_name="attendances", verbose_name="培训班")
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="镇/农场")
    attendees = models.PositiveSmallIntegerField("参训人数")
    names = models.CharField("参训人员", max_length=200, blank=True)

    class Meta:
        verbose_name = "参训情况"
        verbose_name_plural = "参训情况"
        ordering = ["town__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["session", "town"], name="attendance_once_per_town"),
            models.CheckConstraint(condition=Q(attendees__gte=1), name="attendance_at_least_one"),
        ]

    def __str__(self) -> str:
        return f"{self.town} {self.attendees} 人"


class GuidanceVisitQuerySet(ScopedQuerySet):
    town_field = "town"


class GuidanceVisitKind(models.TextChoices):
    GUIDANCE = "guidance", "业务指导"
    CHECK = "check", "工作检查"


class GuidanceVisit(models.Model):
    """A guidance or check visit to a town centre (指导、检查), with its notes."""

    Kind = GuidanceVisitKind

    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="镇/农场")
    kind = models.CharField("类型", max_length=8, choices=Kind)
    visited_on = models.DateField("日期", db_index=True)
    visitors = models.CharField("县局人员", max_length=80)
    notes = models.TextField("指导/检查情况")
    problems = models.TextField("发现问题及要求", blank=True)
    created_by = _by("录入人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    objects = GuidanceVisitQuerySet.as_manager()

    class Meta:
        verbose_name = "指导检查"
        verbose_name_plural = "指导检查"
        ordering = ["-visited_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=GuidanceVisitKind.values), name="visit_kind_valid")]

    def __str__(self) -> str:
        return f"{self.town} {self.get_kind_display()} {self.visited_on}"


class NumberCounter(models.Model):
    """Yearly document numbers (临社保监〔2026〕3号), handed out under a row lock."""

    prefix = models.CharField("前缀", max_length=10)
    year = models.PositiveSmallIntegerField("年度")
    last_value = models.PositiveIntegerField("已用到", default=0)

    class Meta:
        verbose_name = "文书编号"
        verbose_name_plural = "文书编号"
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="supervision_counter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}{self.year}-{self.last_value}"
