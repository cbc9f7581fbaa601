"""Reports: built statistical reports (stored as built, versioned), work plans and their summaries."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class ModuleAccess(models.Model):
    """No table: carries the permissions that open this module's pages."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_reports", "可查看统计报表"),
            ("build_report", "可生成统计报表"),
            ("view_disclosure", "可打印村（居）公示名单"),
            ("view_dashboard", "可查看局领导看板"),
            ("manage_workplan", "可制定工作计划、撰写工作总结"),
        ]

    def __str__(self) -> str:
        return self._meta.verbose_name


class BuiltReportKind(models.TextChoices):
    MONTHLY = "monthly", "统计月报"
    FUND = "fund", "基金收支月报"


class BuiltReport(models.Model):
    """One build of a report for a month. A built report never changes: a correction is a new version."""

    Kind = BuiltReportKind

    kind = models.CharField("报表", max_length=10, choices=Kind)
    month = models.DateField("报表月份", help_text="该月1日")
    version = models.PositiveSmallIntegerField("版本", default=1)
    data = models.JSONField("报表数据", help_text='{"month", "towns": [...], "total": {...}}，金额为字符串')
    groups = models.JSONField("栏目分组", default=list, help_text="[[分组名称, [[指标名称, 类型, 均值来源], ...]], ...]")
    xlsx_file = models.FileField("Excel", upload_to="reports/", blank=True)
    pdf_file = models.FileField("PDF", upload_to="reports/", blank=True)
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="生成人")
    built_at = models.DateTimeField("生成时间", auto_now_add=True)
    job = models.ForeignKey("org.JobRun", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="任务")

    class Meta:
        verbose_name = "已生成报表"
        verbose_name_plural = "已生成报表"
        ordering = ["-month", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "month", "version"], name="builtreport_unique_version"),
            models.CheckConstraint(condition=Q(kind__in=BuiltReportKind.values), name="builtreport_kind_valid"),
        ]
        indexes = [models.Index(fields=["kind", "month", "-version"], name="builtreport_latest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:%Y-%m} 第{self.version}版"

    @property
    def label(self) -> str:
        return f"{self.month:%Y年%m月}{self.get_kind_display()}（第{self.version}版）"


class Section(models.TextChoices):
    """股室 of the bureau that own plan targets (seed: 业务股、稽核股、财务 and the office)."""

    BUSINESS = "business", "业务股"
    AUDIT = "audit", "稽核股"
    FINANCE = "finance", "财务"
    OFFICE = "office", "办公室"
    TOWNS = "towns", "各镇/农场经办机构"


class WorkPlan(models.Model):
    """The bureau's yearly work plan (duty 8: 制定工作计划)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    title = models.CharField("标题", max_length=80)
    note = models.TextField("总体要求", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="制定人")
    created_at = models.DateTimeField("制定时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "年度工作计划"
        verbose_name_plural = "年度工作计划"
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class PlanTarget(models.Model):
    """One target of a plan, owned by a section; an indicator ties it to a figure of the monthly report."""

    plan = models.ForeignKey(WorkPlan, models.CASCADE, related_name="targets", verbose_name="工作计划")
    section = models.CharField("股室", max_length=10, choices=Section)
    title = models.CharField("目标", max_length=120)
    indicator = models.CharField(
        "对应统计指标", max_length=40, blank=True, help_text="统计月报的指标名称，如 本年缴费人数；填写后总结自动带出实际数"
    )
    target_value = models.DecimalField("目标值", max_digits=14, decimal_places=2, null=True, blank=True)
    owner = models.CharField("责任人", max_length=30)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "计划目标"
        verbose_name_plural = "计划目标"
        ordering = ["plan", "section", "pk"]

    def __str__(self) -> str:
        return self.title


class WorkSummaryPeriod(models.TextChoices):
    MONTHLY = "monthly", "月度总结"
    QUARTERLY = "quarterly", "季度总结"
    MID_YEAR = "mid_year", "半年总结"
    YEAR_END = "year_end", "年终总结"


class WorkSummary(models.Model):
    """A monthly, quarterly, mid-year or year-end summary of progress against the plan's targets."""

    Period = WorkSummaryPeriod

    plan = models.ForeignKey(WorkPlan, models.PROTECT, related_name="summaries", verbose_name="工作计划")
    period = models.CharField("类型", max_length=10, choices=Period)
    month = models.DateField("截至月份", help_text="总结所截至的月份（该月1日）；统计数取自该月统计月报")
    report = models.ForeignKey(
        BuiltReport, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="所用统计月报"
    )
    text = models.TextField("工作情况")
    improvements = models.TextField("存在问题与改进措施", blank=True, help_text="年终总结必填")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="撰写人")
    created_at = models.DateTimeField("撰写时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "工作总结"
        verbose_name_plural = "工作总结"
        ordering = ["-month", "period"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "period", "month"], name="worksummary_unique_period"),
            models.CheckConstraint(condition=Q(period__in=WorkSummaryPeriod.values),
                                   name="worksummary_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}{self.get_period_display()}"


class SummaryProgress(models.Model):
    """Progress of one target in one summary; the actual value comes from the report's figure."""

    summary = models.ForeignKey(WorkSummary, models.CASCADE, related_name="progress", verbose_name="工作总结")
    target = models.ForeignKey(PlanTarget, models.PROTECT, related_name="+", verbose_name="计划目标")
    actual_value = models.DecimalField("实际数", max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField("完成情况", max_length=200, blank=True)

    class Meta:
        verbose_name = "目标完成情况"
        verbose_name_plural = "目标完成情况"
        ordering = ["summary", "target"]
        constraints = [models.UniqueConstraint(fields=["summary", "target"], name="summaryprogress_unique")]

    def __str__(self) -> str:
        return f"{self.summary} · {self.target}"

    @property
    def percent(self):
        if self.actual_value is None or not self.target.target_value:
            return None
        return (self.actual_value * 100 / self.target.target_value).quantize(1)
