"""Benefits: the pension parameters as data, benefit claims, frozen pensions and the monthly payroll.

domain.md §4, R7-R9 and the binding defaults. Amounts are 元 (Decimal, 2 places); a month is the
first day of that month as a DateField.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from linggao_pension.db import money_field
from linggao_pension.org.models import ScopedQuerySet
from linggao_pension.workflow import Reviewable


class ModuleAccess(models.Model):
    """No table: carries the permission that opens this module's pages."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_benefits", "可进入待遇模块")]

    def __str__(self) -> str:
        return self._meta.verbose_name


# --- configuration (edited in the admin, with history) --------------------------------------------


class SchemeParameters(models.Model):
    """The scheme's parameters (binding defaults): one row, edited in the admin."""

    benefit_age = models.PositiveSmallIntegerField("领取年龄（周岁）", default=60)
    minimum_years = models.PositiveSmallIntegerField("最低缴费年限（年）", default=15)
    scheme_start_date = models.DateField("临高县制度实施日期", help_text="过渡办法按此日的年龄计算应缴年限")
    account_divisor = models.PositiveSmallIntegerField("计发月数", default=139)
    certification_cycle_months = models.PositiveSmallIntegerField("领取资格认证周期（月）", default=12)
    payroll_day = models.PositiveSmallIntegerField(
        "每月自动生成发放的日期", default=20, help_text="定时任务在每月该日（或之后首次运行时）生成当月发放"
    )
    note = models.CharField("依据", max_length=120, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "待遇参数"
        verbose_name_plural = "待遇参数"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="scheme_parameters_single_row"),
            models.CheckConstraint(condition=Q(account_divisor__gt=0), name="scheme_parameters_divisor_positive"),
            models.CheckConstraint(
                condition=Q(payroll_day__gte=1) & Q(payroll_day__lte=28), name="scheme_parameters_payroll_day_range"
            ),
        ]

    def __str__(self) -> str:
        return "待遇参数"


class BasicPensionStandard(models.Model):
    """基础养老金标准 (元/月) from an effective month: central, Hainan provincial and county parts (§4.2, §4.3)."""

    effective_from = models.DateField("起始年月", unique=True, help_text="该月1日")
    central_part = money_field("中央基础养老金")
    provincial_part = money_field("省级基础养老金", default=0)
    county_part = money_field("县级基础养老金", default=0)
    note = models.CharField("依据", max_length=120, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "基础养老金标准"
        verbose_name_plural = "基础养老金标准"
        ordering = ["effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(effective_from__day=1), name="standard_effective_first_of_month"),
            models.CheckConstraint(
                condition=Q(central_part__gte=0) & Q(provincial_part__gte=0) & Q(county_part__gte=0),
                name="standard_parts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m} 起 {self.central_part + self.provincial_part + self.county_part} 元/月"


class LongContributionExtra(models.Model):
    """长缴多得: 元/月 for each contribution year beyond the minimum, from an effective month (§2.9)."""

    effective_from = models.DateField("起始年月", unique=True, help_text="该月1日")
    amount_per_year = money_field("每多缴一年加发（元/月）")
    note = models.CharField("依据", max_length=120, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "长缴多得加发标准"
        verbose_name_plural = "长缴多得加发标准"
        ordering = ["effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(effective_from__day=1), name="long_extra_effective_first_of_month"),
            models.CheckConstraint(condition=Q(amount_per_year__gte=0), name="long_extra_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m} 起 每年 {self.amount_per_year} 元/月"


class AgeExtra(models.Model):
    """高龄加发: from `min_age` full years, `amount` 元/月, from an effective month (§4.6).

    The highest bracket reached applies; age counts like the benefit start: the month after the
    birthday month."""

    min_age = models.PositiveSmallIntegerField("起始年龄（周岁）")
    effective_from = models.DateField("起始年月", help_text="该月1日")
    amount = money_field("加发金额（元/月）")
    note = models.CharField("依据", max_length=120, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "高龄加发标准"
        verbose_name_plural = "高龄加发标准"
        ordering = ["min_age", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["min_age", "effective_from"], name="age_extra_unique"),
            models.CheckConstraint(condition=Q(effective_from__day=1), name="age_extra_effective_first_of_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="age_extra_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.min_age} 周岁起 {self.amount} 元/月（{self.effective_from:%Y-%m} 起）"


class FuneralSubsidy(models.Model):
    """丧葬补助金 from an effective month (§4.7); paid once to heirs with the account refund."""

    effective_from = models.DateField("起始年月", unique=True, help_text="该月1日")
    amount = money_field("丧葬补助金（元）")
    note = models.CharField("依据", max_length=120, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "丧葬补助金标准"
        verbose_name_plural = "丧葬补助金标准"
        ordering = ["effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(effective_from__day=1), name="funeral_effective_first_of_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funeral_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m} 起 {self.amount} 元"


# --- the benefit claim (待遇申领) -----------------------------------------------------------------


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", "申请"
    TOWN_REVIEWED = "town_reviewed", "镇初审通过"
    DETERMINED = "determined", "县核定"
    RECEIVING = "receiving", "领取中"
    RETURNED = "returned", "退回"


# The claim's allowed moves (architecture.md): 申请 → 镇初审 → 县核定 → 领取中, or 退回.
CLAIM_MOVES: dict[str, set[str]] = {
    "": {ClaimStatus.SUBMITTED},
    ClaimStatus.SUBMITTED: {ClaimStatus.TOWN_REVIEWED, ClaimStatus.RETURNED},
    ClaimStatus.TOWN_REVIEWED: {ClaimStatus.DETERMINED, ClaimStatus.RETURNED},
    ClaimStatus.DETERMINED: {ClaimStatus.RECEIVING},
    ClaimStatus.RECEIVING: set(),
    ClaimStatus.RETURNED: set(),
}


class BenefitClaimQuerySet(ScopedQuerySet):
    town_field = "person__town"

    def open(self):
        return self.filter(status__in=[BenefitClaim.Status.SUBMITTED, BenefitClaim.Status.TOWN_REVIEWED])

    def to_determine(self):
        return self.filter(status=BenefitClaim.Status.TOWN_REVIEWED)


class BenefitClaim(models.Model):
    """待遇申领: 申请 → 镇初审 → 县核定 (pension frozen) → 领取中 (first month paid); or 退回."""

    Status = ClaimStatus
    MOVES = CLAIM_MOVES

    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="benefit_claims", verbose_name="参保人")
    status = models.CharField("状态", max_length=14, choices=Status, default=Status.SUBMITTED, db_index=True)
    start_month = models.DateField("待遇开始年月")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="申报经办人"
    )
    submitted_at = models.DateTimeField("申报时间", auto_now_add=True)
    town_opinion = models.CharField("镇初审意见", max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="县核定人"
    )
    decided_at = models.DateTimeField("县核定时间", null=True, blank=True)
    county_opinion = models.CharField("县核定意见", max_length=200, blank=True)

    objects = BenefitClaimQuerySet.as_manager()

    class Meta:
        verbose_name = "待遇申领"
        verbose_name_plural = "待遇申领"
        ordering = ["-submitted_at", "-pk"]
        permissions = [
            ("submit_claim", "可提交待遇申领（镇初审）"),
            ("determine_claim", "可核定待遇（县核定）"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ClaimStatus.values),
                name="claim_status_valid",
            ),
            models.CheckConstraint(condition=Q(start_month__day=1), name="claim_start_first_of_month"),
            # One claim in progress per person; a returned claim may be submitted again.
            models.UniqueConstraint(
                fields=["person"], condition=~Q(status="returned"), name="claim_one_active_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"待遇申领 #{self.pk}"


class BenefitClaimStatusChange(models.Model):
    """Who moved a claim, when, from what to what, and their opinion (审核意见)."""

    claim = models.ForeignKey(BenefitClaim, models.PROTECT, related_name="status_changes", verbose_name="申领")
    from_status = models.CharField("原状态", max_length=14, blank=True)
    to_status = models.CharField("新状态", max_length=14)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="经办人"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    opinion = models.CharField("意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "待遇申领状态变更"
        verbose_name_plural = "待遇申领状态变更"
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_status__in=BenefitClaim.Status.values), name="claim_change_to_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"

    @property
    def from_label(self) -> str:
        return BenefitClaim.Status(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return BenefitClaim.Status(self.to_status).label


# --- the pension, frozen at determination (R8) ---------------------------------------------------


class PensionQuerySet(ScopedQuerySet):
    town_field = "person__town"

    def active(self):
        return self.filter(status=Pension.Status.ACTIVE)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        pension_places_fill(objs)
        return super().bulk_create(objs, *args, **kwargs)


def pension_places_fill(pensions) -> None:
    """Copy the person's town and village onto new pensions that lack them (Pension.town/village,
    the certification list's order): from the person object if given, else read (5,000 at a time)."""
    from enrollment.models import Person

    missing = [p for p in pensions if p.town_id is None]
    unread = {p.person_id for p in missing if not Pension.person.is_cached(p)}
    places, unread = {}, sorted(unread)
    for i in range(0, len(unread), 5000):  # SQLite binds at most 32,766 parameters
        rows = Person.objects.filter(pk__in=unread[i : i + 5000]).values_list("pk", "town_id", "village_id")
        places |= {pk: (town_id, village_id) for pk, town_id, village_id in rows}
    for p in missing:
        p.town_id, p.village_id = (
            (p.person.town_id, p.person.village_id) if Pension.person.is_cached(p) else places[p.person_id]
        )


class PensionSource(models.TextChoices):
    DETERMINED = "determined", "县核定"
    IMPORTED = "imported", "系统迁移"


class PensionStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    STOPPED = "stopped", "停止"


class Pension(models.Model):
    """A person's pension: the account pension and the start balance are fixed for life (R8);
    the basic part of each later month follows the standards in force for that month."""

    Source = PensionSource

    Status = PensionStatus

    person = models.OneToOneField("enrollment.Person", models.PROTECT, related_name="pension", verbose_name="参保人")
    claim = models.OneToOneField(
        BenefitClaim, models.PROTECT, null=True, blank=True, related_name="pension", verbose_name="待遇申领"
    )
    source = models.CharField("来源", max_length=10, choices=Source)
    status = models.CharField("状态", max_length=8, choices=Status, default=Status.ACTIVE, db_index=True)
    start_month = models.DateField("待遇开始年月")
    first_payroll_month = models.DateField(
        "本系统首次发放年月", help_text="核定的待遇自开始年月起发放；迁移人员自导入当月起由本系统发放"
    )
    last_month = models.DateField("最后发放年月", null=True, blank=True, help_text="停止发放时填写（如死亡当月）")
    stop_reason = models.CharField("停止原因", max_length=120, blank=True)
    required_years = models.PositiveSmallIntegerField("应缴费年限", default=0)
    contribution_years = models.PositiveSmallIntegerField("累计缴费年限")
    first_contribution_year = models.PositiveSmallIntegerField("缴费起始年度", null=True, blank=True)
    balance_on = models.DateField("余额截至日", help_text="核定：待遇开始月1日（含当年过渡期利息）；迁移：导入日")
    balance_by_source = models.JSONField("个人账户余额（分项）", default=dict)
    opening_balance = money_field("上年末余额", default=0)
    interest_rate = models.DecimalField("过渡期利率", max_digits=7, decimal_places=4, null=True, blank=True)
    interim_interest = money_field("当年过渡期利息", default=0)
    account_balance = money_field("个人账户储存额")
    account_divisor = models.PositiveSmallIntegerField("计发月数", default=139)
    account_pension = money_field("个人账户养老金（元/月）")
    basic_central = money_field("中央基础养老金", default=0)
    basic_provincial = money_field("省级基础养老金", default=0)
    basic_county = money_field("县级基础养老金", default=0)
    long_extra = money_field("长缴多得加发", default=0)
    age_extra = money_field("高龄加发", default=0)
    basic_pension = money_field("基础养老金（开始月）")
    exhausted_month = models.DateField(
        "个人账户支付完毕年月", null=True, blank=True, help_text="此后个人账户养老金继续发放，由基金支付"
    )
    last_certified_on = models.DateField("最近认证日期")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="核定/导入人"
    )
    created_at = models.DateTimeField("核定时间", auto_now_add=True)
    # The person's town and village, copied (set when the pension is made, moved with the person
    # by the change-request service, benefits.services.pension_places_follow): the certification
    # list sorts its 5,600 due pensions by them without joining the 250,000 persons.
    town = models.ForeignKey(
        "org.Town", models.PROTECT, related_name="+", editable=False, verbose_name="镇/农场（随参保人）"
    )
    village = models.ForeignKey(
        "org.Village", models.PROTECT, null=True, blank=True, related_name="+", editable=False,
        verbose_name="村/居委会（随参保人）",
    )
    history = HistoricalRecords()

    objects = PensionQuerySet.as_manager()

    class Meta:
        verbose_name = "养老金待遇"
        verbose_name_plural = "养老金待遇"
        ordering = ["-start_month", "pk"]
        permissions = [("import_pensioners", "可导入原系统待遇领取人员")]
        # The pensioners list's order, read from the index (60,000 rows never sorted per page).
        indexes = [
            models.Index(F("start_month").desc(), "id", name="pension_list_order_idx"),
            # 领取资格认证名单: the pensions in payment whose certification falls due (one range), with
            # the order's keys, read from the index alone (PostgreSQL; SQLite ignores the INCLUDE).
            models.Index(
                fields=["last_certified_on"], include=["id", "town", "village"], condition=Q(status="active"),
                name="pension_cert_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(source__in=PensionSource.values), name="pension_source_valid"),
            models.CheckConstraint(condition=Q(status__in=PensionStatus.values), name="pension_status_valid"),
            models.CheckConstraint(condition=Q(start_month__day=1), name="pension_start_first_of_month"),
            models.CheckConstraint(condition=Q(first_payroll_month__day=1), name="pension_first_pay_first_of_month"),
            models.CheckConstraint(condition=Q(account_pension__gte=0), name="pension_account_pension_not_negative"),
            models.CheckConstraint(condition=Q(basic_pension__gte=0), name="pension_basic_not_negative"),
        ]

    def __str__(self) -> str:
        return f"养老金 #{self.pk}"

    def save(self, *args, **kwargs):
        if self.town_id is None:
            pension_places_fill([self])
        super().save(*args, **kwargs)

    @property
    def monthly_pension(self):
        return self.basic_pension + self.account_pension


# --- the monthly payroll (月度发放) ---------------------------------------------------------------


class RunStatus(models.TextChoices):
    GENERATED = "generated", "已生成"
    REVIEWED = "reviewed", "已复核"
    EXPORTED = "exported", "已导出"
    CLOSED = "closed", "已发放"


# The payroll's allowed moves: 生成 (again, to complete it) → 复核 → 已导出 → 已发放.
RUN_MOVES: dict[str, set[str]] = {
    "": {RunStatus.GENERATED},
    RunStatus.GENERATED: {RunStatus.GENERATED, RunStatus.REVIEWED},
    RunStatus.REVIEWED: {RunStatus.EXPORTED},
    RunStatus.EXPORTED: {RunStatus.CLOSED},
    RunStatus.CLOSED: set(),
}


class PayrollRun(models.Model):
    """One payroll per month: 生成 → 复核 → 已导出 → 已发放 (closed with the bank's return file)."""

    Status = RunStatus
    MOVES = RUN_MOVES

    month = models.DateField("发放年月", unique=True)
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.GENERATED)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="生成人"
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="复核人"
    )
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="导出人"
    )
    exported_at = models.DateTimeField("导出时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="回盘人"
    )
    closed_at = models.DateTimeField("回盘时间", null=True, blank=True)
    paid_on = models.DateField("银行发放日期", null=True, blank=True)
    return_template = models.FileField(
        "银行回盘模板", upload_to="payroll/", blank=True, help_text="导出银行文件时按同一批明细生成"
    )
    # The run's counts and totals by (status, kind, bank), kept by the services that add or change its
    # lines (services/run_summary.py), so the run page does not add up 60,000 lines on every view.
    summary_groups = models.JSONField("汇总（按状态、类别、银行）", default=list, blank=True, editable=False)
    summary_at = models.DateTimeField("汇总时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "月度发放"
        verbose_name_plural = "月度发放"
        ordering = ["-month"]
        permissions = [
            ("generate_payroll", "可生成月度发放"),
            ("review_payroll", "可复核月度发放"),
            ("export_payroll", "可导出银行发放文件"),
            ("close_payroll", "可导入银行回盘文件"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="payroll_status_valid"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="payroll_month_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}发放"


class PayrollRunStatusChange(models.Model):
    run = models.ForeignKey(PayrollRun, models.PROTECT, related_name="status_changes", verbose_name="发放批次")
    from_status = models.CharField("原状态", max_length=10, blank=True)
    to_status = models.CharField("新状态", max_length=10)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="经办人"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "月度发放状态变更"
        verbose_name_plural = "月度发放状态变更"
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_status__in=RunStatus.values),
                name="payroll_change_to_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"

    @property
    def to_label(self) -> str:
        return PayrollRun.Status(self.to_status).label


class PayrollLineQuerySet(ScopedQuerySet):
    town_field = "town"

    def live(self):
        """Lines that are, or will be, paid (a failed line is replaced by its 重发; a cancelled one never is)."""
        return self.exclude(status__in=PayrollLine.DEAD_STATUSES)


class PayrollLineKind(models.TextChoices):
    NORMAL = "normal", "正常"
    ARREARS = "arrears", "补发"
    REISSUE = "reissue", "重发"
    BACKPAY = "backpay", "恢复补发"  # a month withheld by a suspension, paid once on resumption (R10)
    SETTLEMENT = "settlement", "继承支付"  # the heirs' one-off settlement (R11)
    DELEGATED = "delegated", "代发"  # a delegated programme's monthly amount (R22)


class PayrollLineStatus(models.TextChoices):
    PENDING = "pending", "待支付"
    PAID = "paid", "已支付"
    FAILED = "failed", "支付失败"
    CANCELLED = "cancelled", "已取消"  # e.g. a month after a recorded death, before it reached the bank


# A month's pension is paid once, as 正常 or (after a suspension) 恢复补发.
BASE_LINE_KINDS = (PayrollLineKind.NORMAL, PayrollLineKind.BACKPAY)
# Lines that are not, and will never be, paid (a failed line is replaced by its 重发).
DEAD_LINE_STATUSES = (PayrollLineStatus.FAILED, PayrollLineStatus.CANCELLED)


class PayrollLine(models.Model):
    """What one pensioner is paid for one month (费款所属期 `month`) in one run.

    Unique per (pension, month, kind) among lines not failed: a second run, or two at once, never
    pays a month twice. A failed line is paid again, once, by a 重发 line in a later run. 补发 is
    unique per (pension, month, run): each later standard change pays the month's remaining
    difference in its own run (the generation compares the month's lines with what is due)."""

    Kind = PayrollLineKind

    Status = PayrollLineStatus

    BASE_KINDS = BASE_LINE_KINDS
    DEAD_STATUSES = DEAD_LINE_STATUSES

    run = models.ForeignKey(PayrollRun, models.PROTECT, related_name="lines", verbose_name="发放批次")
    pension = models.ForeignKey(Pension, models.PROTECT, null=True, blank=True, related_name="payroll_lines",
                                verbose_name="养老金")
    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="payroll_lines", verbose_name="参保人")
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="镇/农场")
    month = models.DateField("费款所属期")
    kind = models.CharField("类型", max_length=10, choices=Kind, default=Kind.NORMAL)
    basic_amount = money_field("基础养老金")
    account_amount = money_field("个人账户养老金")
    other_amount = money_field("其他金额", default=0, help_text="继承支付、代发金额")
    offset_amount = money_field("抵扣追回", default=0, help_text="从本笔待遇中抵扣的多发待遇（R17）")
    amount = money_field("实发金额", help_text="基础养老金 + 个人账户养老金 + 其他 − 抵扣")
    offset_case = models.ForeignKey("RecoveryCase", models.PROTECT, null=True, blank=True, related_name="offset_lines",
                                    verbose_name="抵扣的追回案件")
    payee_name = models.CharField("收款人", max_length=30, blank=True, help_text="空：参保人本人")
    payee_id_number = models.CharField("收款人身份证号", max_length=18, blank=True)
    settlement = models.ForeignKey("HeirSettlement", models.PROTECT, null=True, blank=True, related_name="lines",
                                   verbose_name="继承结算")
    delegated_payee = models.ForeignKey("DelegatedPayee", models.PROTECT, null=True, blank=True,
                                        related_name="lines", verbose_name="代发对象")
    bank_name = models.CharField("开户银行", max_length=40, blank=True)
    bank_account = models.CharField("银行账号", max_length=32, blank=True)
    status = models.CharField("支付状态", max_length=10, choices=Status, default=Status.PENDING)
    failure_reason = models.CharField("失败原因", max_length=120, blank=True)
    paid_on = models.DateField("支付日期", null=True, blank=True)
    drawn_amount = money_field("个人账户支出", default=0, help_text="从个人账户实际列支的金额")
    account_exhausted = models.BooleanField("个人账户已支付完毕", default=False)
    reissue_of = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="reissued_by", verbose_name="重发的原明细"
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    objects = PayrollLineQuerySet.as_manager()

    class Meta:
        verbose_name = "发放明细"
        verbose_name_plural = "发放明细"
        ordering = ["run", "pk"]
        indexes = [
            models.Index(fields=["run", "status"], name="payline_run_status_idx"),
            # The run page lists one town's lines in key order (benefits.filters.PayrollLineFilter).
            models.Index(fields=["run", "town", "id"], name="payline_run_town_idx"),
            models.Index(fields=["pension", "month"], name="payline_pension_month_idx"),
            models.Index(fields=["person", "month"], name="payline_person_month_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["pension", "month", "kind"],
                condition=~Q(status__in=DEAD_LINE_STATUSES) & ~Q(kind="arrears"),
                name="payline_once_per_month_kind",
            ),
            # 补发 (R9): each later standard change may pay a month's difference again, once per run; the
            # generation compares what the month's lines paid with what is due (one run generates at a time).
            models.UniqueConstraint(
                fields=["pension", "month", "run"],
                condition=Q(kind="arrears") & ~Q(status__in=DEAD_LINE_STATUSES),
                name="payline_arrears_once_per_run",
            ),
            models.UniqueConstraint(
                fields=["pension", "month"],
                condition=Q(kind__in=BASE_LINE_KINDS) & ~Q(status__in=DEAD_LINE_STATUSES),
                name="payline_base_once_per_month",
            ),
            models.UniqueConstraint(
                fields=["settlement"], condition=Q(kind="settlement"), name="payline_settlement_once"
            ),
            models.UniqueConstraint(
                fields=["delegated_payee", "month"],
                condition=Q(kind="delegated") & ~Q(status__in=DEAD_LINE_STATUSES),
                name="payline_delegated_once_per_month",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=PayrollLineKind.values),
                name="payline_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PayrollLineStatus.values), name="payline_status_valid"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="payline_month_first_of_month"),
            models.CheckConstraint(
                condition=Q(pension__isnull=False)
                | Q(kind__in=[PayrollLineKind.DELEGATED, PayrollLineKind.REISSUE]),
                name="payline_pension_set",
            ),
            # Within half a cent, not "=": SQLite compares decimals as floats, and INSERT OR IGNORE
            # (the payroll's ON CONFLICT DO NOTHING there) silently drops a row that fails a check.
            models.CheckConstraint(
                condition=Q(
                    amount__gt=F("basic_amount") + F("account_amount") + F("other_amount") - F("offset_amount")
                    - Decimal("0.005")
                ) & Q(
                    amount__lt=F("basic_amount") + F("account_amount") + F("other_amount") - F("offset_amount")
                    + Decimal("0.005")
                ),
                name="payline_amount_sum",
            ),
            models.CheckConstraint(
                condition=(Q(amount__gt=0) | Q(offset_amount__gt=0)) & Q(amount__gte=0) & Q(basic_amount__gte=0)
                & Q(account_amount__gte=0) & Q(other_amount__gte=0) & Q(offset_amount__gte=0),
                name="payline_amounts_positive",
            ),
            models.CheckConstraint(
                condition=Q(kind="reissue", reissue_of__isnull=False) | (~Q(kind="reissue") & Q(reissue_of__isnull=True)),
                name="payline_reissue_has_original",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_kind_display()} {self.amount}"


class PayrollBankFile(models.Model):
    """One bank's payment file of a run, with the count and total in its header."""

    run = models.ForeignKey(PayrollRun, models.PROTECT, related_name="bank_files", verbose_name="发放批次")
    bank_name = models.CharField("开户银行", max_length=40)
    line_count = models.PositiveIntegerField("笔数")
    total = money_field("金额合计")
    file = models.FileField("文件", upload_to="payroll/")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "银行发放文件"
        verbose_name_plural = "银行发放文件"
        ordering = ["run", "bank_name"]
        constraints = [models.UniqueConstraint(fields=["run", "bank_name"], name="bankfile_one_per_bank")]

    def __str__(self) -> str:
        return f"{self.run} {self.bank_name}"


# === the benefit lifecycle (issue 11): certification, suspension, death, recovery, delegated payments ===


# --- certification (领取资格认证, R10) --------------------------------------------------------------


class CertificationQuerySet(ScopedQuerySet):
    town_field = "person__town"


class CertificationMethod(models.TextChoices):
    ONSITE = "onsite", "现场"
    PHONE = "phone", "电话"
    FACE = "face", "人脸识别自助"
    HOME = "home", "入户"
    VILLAGE = "village", "村委会证明"


class Certification(models.Model):
    """One 领取资格认证 of a pensioner: the date and how; the next one is due a cycle later (参数)."""

    Method = CertificationMethod

    class Origin(models.TextChoices):
        MANUAL = "manual", "经办录入"
        IMPORT = "import", "省自助认证导入"

    pension = models.ForeignKey(Pension, models.PROTECT, related_name="certifications", verbose_name="养老金")
    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="certifications",
                               verbose_name="参保人")
    certified_on = models.DateField("认证日期")
    method = models.CharField("认证方式", max_length=8, choices=Method)
    origin = models.CharField("来源", max_length=8, choices=Origin, default=Origin.MANUAL)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="录入人")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = CertificationQuerySet.as_manager()

    class Meta:
        verbose_name = "领取资格认证"
        verbose_name_plural = "领取资格认证"
        ordering = ["-certified_on", "-pk"]
        permissions = [("record_certification", "可录入领取资格认证"),
                       ("import_certifications", "可导入省自助认证系统的认证结果")]
        indexes = [models.Index(fields=["pension", "certified_on"], name="cert_pension_date_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(method__in=CertificationMethod.values),
                                   name="cert_method_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.certified_on} {self.get_method_display()}"


# --- suspension (暂停领取) and resumption -----------------------------------------------------------

SUSPENSION_REASONS = [("1201", "1201 未按期认证"), ("1202", "1202 服刑"), ("1299", "1299 其他")]


class SuspensionQuerySet(ScopedQuerySet):
    town_field = "person__town"

    def open(self):
        return self.filter(end_month__isnull=True)


class Suspension(models.Model):
    """Months withheld from a pension: from start_month until end_month (the first month paid again,
    NULL while it lasts). On resumption the withheld months are back-paid once (恢复补发) when
    `backpay` (1201 always; 1202 never: no pension is due while serving a sentence)."""

    pension = models.ForeignKey(Pension, models.PROTECT, related_name="suspensions", verbose_name="养老金")
    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="benefit_suspensions",
                               verbose_name="参保人")
    reason_code = models.CharField("暂停原因", max_length=4, choices=SUSPENSION_REASONS)
    start_month = models.DateField("暂停起始年月")
    end_month = models.DateField("恢复发放年月", null=True, blank=True)
    backpay = models.BooleanField("恢复时补发暂停月份", default=True)
    evidence = models.CharField("依据/证明材料", max_length=200, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="暂停人")
    created_at = models.DateTimeField("暂停时间", auto_now_add=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="恢复人")
    ended_at = models.DateTimeField("恢复时间", null=True, blank=True)
    end_note = models.CharField("恢复说明", max_length=200, blank=True)
    history = HistoricalRecords()

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        verbose_name = "暂停领取"
        verbose_name_plural = "暂停领取"
        ordering = ["-start_month", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["pension"], condition=Q(end_month__isnull=True),
                                    name="suspension_one_open_per_pension"),
            models.CheckConstraint(condition=Q(start_month__day=1), name="suspension_start_first_of_month"),
            models.CheckConstraint(condition=Q(end_month__isnull=True) | Q(end_month__gte=F("start_month")),
                                   name="suspension_end_after_start"),
            models.CheckConstraint(condition=Q(reason_code__in=[code for code, _ in SUSPENSION_REASONS]),
                                   name="suspension_reason_valid"),
        ]

    def __str__(self) -> str:
        return f"暂停领取 {self.get_reason_code_display()} {self.start_month:%Y-%m} 起"


class SuspensionRequestQuerySet(ScopedQuerySet):
    town_field = "town"


class SuspensionRequest(Reviewable):
    """A town's request to suspend (1202 服刑, 1299 其他) or resume a pension, through the shared review
    workflow (recorded and submitted at once; the county approves or returns it)."""

    review_flow = "benefits.services.suspension.SUSPENSION_FLOW"

    class Action(models.TextChoices):
        SUSPEND = "suspend", "暂停领取"
        RESUME = "resume", "恢复发放"

    pension = models.ForeignKey(Pension, models.PROTECT, related_name="suspension_requests", verbose_name="养老金")
    action = models.CharField("申请事项", max_length=8, choices=Action)
    reason_code = models.CharField("暂停原因", max_length=4, choices=SUSPENSION_REASONS, blank=True)
    month = models.DateField("起始年月", help_text="暂停：首个暂停月份；恢复：首个恢复发放月份")
    backpay = models.BooleanField("恢复时补发暂停月份", default=True)
    suspension = models.ForeignKey(Suspension, models.PROTECT, null=True, blank=True, related_name="requests",
                                   verbose_name="暂停记录")
    evidence = models.CharField("依据/证明材料", max_length=200, blank=True)
    # The scanned evidence (判决书, 证明): served only by the request's own view (linggao_pension.files).
    evidence_file = models.FileField("证明材料附件", upload_to="benefits/suspension_evidence/%Y/%m/", blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()

    objects = SuspensionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "暂停/恢复领取申请"
        verbose_name_plural = "暂停/恢复领取申请"
        ordering = ["-created_at", "-pk"]
        permissions = [("request_suspension", "可申请暂停/恢复领取（镇初审）"),
                       ("review_suspension", "可复核暂停/恢复领取（县复核）")]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="suspreq_month_first_of_month")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}申请 #{self.pk}"


# --- death (R11) and the heirs' settlement -----------------------------------------------------------


class DeathReportQuerySet(ScopedQuerySet):
    town_field = "town"


class DeathReport(Reviewable):
    """A recorded death, through the shared review workflow (recorded and submitted at once, reviewed
    by a county clerk); approval ends the pension and the relationship and prepares the heirs'
    settlement."""

    review_flow = "benefits.services.death.DEATH_FLOW"

    class Source(models.TextChoices):
        FAMILY = "family", "家属报告"
        CIVIL = "civil", "民政"
        POLICE = "police", "公安"
        HOSPITAL = "hospital", "医院"
        AUDIT = "audit", "稽核发现"

    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="death_reports",
                               verbose_name="参保人")
    death_date = models.DateField("死亡日期")
    source = models.CharField("信息来源", max_length=8, choices=Source)
    note = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()

    objects = DeathReportQuerySet.as_manager()

    class Meta:
        verbose_name = "死亡登记"
        verbose_name_plural = "死亡登记"
        ordering = ["-created_at", "-pk"]
        permissions = [("record_death", "可登记死亡（镇初审）"), ("review_death", "可复核死亡登记（县复核）")]
        constraints = [
            # One death in progress or approved per person: a second approval pays nothing twice.
            models.UniqueConstraint(fields=["person"], condition=~Q(status="cancelled"), name="death_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"死亡登记 #{self.pk}"


class HeirSettlementQuerySet(ScopedQuerySet):
    town_field = "person__town"


class HeirSettlementStatus(models.TextChoices):
    AWAITING_HEIRS = "awaiting", "待登记继承人"
    READY = "ready", "待发放"
    IN_PAYROLL = "in_payroll", "已纳入发放"
    PAID = "paid", "已支付"


class HeirSettlement(models.Model):
    """The heirs' settlement (R11), computed when the death is approved and paid once, as a one-off
    line of the next payroll once the heirs' details are in."""

    Status = HeirSettlementStatus

    death = models.OneToOneField(DeathReport, models.PROTECT, related_name="settlement", verbose_name="死亡登记")
    person = models.OneToOneField("enrollment.Person", models.PROTECT, related_name="heir_settlement",
                                  verbose_name="参保人")
    pension = models.ForeignKey(Pension, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="养老金")
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.AWAITING_HEIRS)
    last_payable_month = models.DateField("最后应发年月")
    overpaid_months = models.JSONField("多发月份", default=list)
    overpaid_basic = money_field("多发基础养老金")
    overpaid_account = money_field("多发个人账户养老金")
    balance = money_field("死亡时个人账户储存额")
    by_source = models.JSONField("储存额（分项）", default=dict)
    interim_interest = money_field("当年过渡期利息")
    funeral_subsidy = money_field("丧葬补助金")
    payable = money_field("应付继承额")
    to_recover = money_field("应追回金额")
    recovery_case = models.ForeignKey("RecoveryCase", models.PROTECT, null=True, blank=True, related_name="+",
                                      verbose_name="追回案件")
    heir_name = models.CharField("继承人姓名", max_length=30, blank=True)
    heir_id_number = models.CharField("继承人身份证号", max_length=18, blank=True)
    heir_relation = models.CharField("与死者关系", max_length=20, blank=True)
    heir_bank_name = models.CharField("继承人开户银行", max_length=40, blank=True)
    heir_bank_account = models.CharField("继承人银行账号", max_length=32, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="核算人")
    created_at = models.DateTimeField("核算时间", auto_now_add=True)
    paid_on = models.DateField("支付日期", null=True, blank=True)
    history = HistoricalRecords()

    objects = HeirSettlementQuerySet.as_manager()

    class Meta:
        verbose_name = "继承结算"
        verbose_name_plural = "继承结算"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(payable__gte=0), name="settlement_payable_not_negative"),
            models.CheckConstraint(condition=Q(status__in=HeirSettlementStatus.values),
                                   name="settlement_status_valid"),
        ]

    def __str__(self) -> str:
        return f"继承结算 #{self.pk}"


# --- overpayment recovery (待遇追回, R17) -------------------------------------------------------------


class RecoveryStatus(models.TextChoices):
    DETECTED = "detected", "已立案"
    VERIFIED = "verified", "已核实"
    NOTIFIED = "notified", "已责令退回"
    INSTALMENT = "instalment", "分期退回中"
    OFFSET = "offset", "待遇抵扣中"
    DEFAULTED = "defaulted", "逾期未还"
    REPAID = "repaid", "已全部追回"
    WRITE_OFF_PENDING = "wo_pending", "核销待批"
    WRITTEN_OFF = "written_off", "已核销"
    CLOSED = "closed", "已结案"


RS_ = RecoveryStatus
# R17: DETECTED → VERIFIED → NOTIFIED → repaid / instalments / offset → CLOSED; uncollectible →
# 核销待批 → 已核销 (a manager's approval). REPAID is reached when the outstanding amount is zero.
RECOVERY_MOVES: dict[str, set[str]] = {
    "": {RS_.DETECTED},
    RS_.DETECTED: {RS_.VERIFIED, RS_.WRITE_OFF_PENDING},
    RS_.VERIFIED: {RS_.NOTIFIED, RS_.OFFSET, RS_.REPAID, RS_.WRITE_OFF_PENDING},
    RS_.NOTIFIED: {RS_.INSTALMENT, RS_.OFFSET, RS_.REPAID, RS_.DEFAULTED, RS_.WRITE_OFF_PENDING},
    RS_.INSTALMENT: {RS_.REPAID, RS_.DEFAULTED, RS_.OFFSET, RS_.WRITE_OFF_PENDING},
    RS_.OFFSET: {RS_.REPAID, RS_.INSTALMENT, RS_.WRITE_OFF_PENDING},
    RS_.DEFAULTED: {RS_.INSTALMENT, RS_.OFFSET, RS_.REPAID, RS_.WRITE_OFF_PENDING},
    RS_.WRITE_OFF_PENDING: {RS_.WRITTEN_OFF, RS_.NOTIFIED},
    RS_.REPAID: {RS_.CLOSED},
    RS_.WRITTEN_OFF: {RS_.CLOSED},
    RS_.CLOSED: set(),
}
# Repayments and offsets may still come in while the case is in one of these.
RECOVERY_COLLECTING = (RS_.VERIFIED, RS_.NOTIFIED, RS_.INSTALMENT, RS_.OFFSET, RS_.DEFAULTED, RS_.WRITE_OFF_PENDING)


class RecoveryCaseQuerySet(ScopedQuerySet):
    town_field = "person__town"


class RecoveryCase(models.Model):
    """An overpayment to recover. outstanding = amount − repaid − offset − written off, never below zero
    (kept on the row, checked by a constraint; every posting moves it in the same transaction)."""

    class Source(models.TextChoices):
        DEATH = "death", "死亡后多发"
        SUPERVISION = "supervision", "稽核疑点核查"
        WRONG_PAYMENT = "wrong_payment", "误发"
        REPORT = "report", "举报"
        STANDARD_CHANGE = "standard", "标准调整多发"
        SUSPENSION = "suspension", "暂停期间已发"

    Status = RecoveryStatus
    MOVES = RECOVERY_MOVES

    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="recovery_cases", verbose_name="参保人")
    pension = models.ForeignKey(Pension, models.PROTECT, null=True, blank=True, related_name="recovery_cases",
                                verbose_name="养老金")
    source = models.CharField("案件来源", max_length=14, choices=Source)
    status = models.CharField("状态", max_length=12, choices=RecoveryStatus, default=RecoveryStatus.DETECTED,
                              db_index=True)
    reason = models.CharField("立案原因", max_length=200)
    detail = models.TextField("详细情况", blank=True)
    months = models.JSONField("涉及月份", default=list)
    amount = money_field("应追回金额")
    repaid = money_field("已退回", default=0)
    offset = money_field("已抵扣", default=0)
    written_off = money_field("已核销", default=0)
    outstanding = money_field("未追回余额")
    monthly_offset = money_field("每月抵扣额", default=0, help_text="待遇抵扣：每月从待遇中抵扣的上限，0 为全额抵扣")
    notice_no = models.CharField("责令退回通知书编号", max_length=30, blank=True)
    notified_on = models.DateField("通知日期", null=True, blank=True)
    repay_by = models.DateField("限期退回日期", null=True, blank=True)
    fraud = models.BooleanField("涉嫌欺诈", default=False)
    fine_multiple = models.DecimalField("罚款倍数", max_digits=3, decimal_places=1, null=True, blank=True)
    police_referred = models.BooleanField("已移送公安", default=False)
    fraud_note = models.CharField("移送情况", max_length=200, blank=True)
    write_off_reason = models.CharField("核销原因", max_length=200, blank=True)
    write_off_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                               related_name="+", verbose_name="核销申请人")
    write_off_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                              related_name="+", verbose_name="核销批准人")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="立案人")
    opened_at = models.DateTimeField("立案时间", auto_now_add=True)
    history = HistoricalRecords()

    objects = RecoveryCaseQuerySet.as_manager()

    class Meta:
        verbose_name = "待遇追回案件"
        verbose_name_plural = "待遇追回案件"
        ordering = ["-opened_at", "-pk"]
        permissions = [("manage_recovery", "可办理待遇追回"), ("approve_writeoff", "可批准核销（局领导）")]
        indexes = [models.Index(fields=["status", "opened_at"], name="recovery_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_amount_positive"),
            models.CheckConstraint(condition=Q(outstanding__gte=0), name="recovery_outstanding_not_negative"),
            # Within half a cent, not "=": SQLite compares decimals as floats.
            models.CheckConstraint(
                condition=Q(outstanding__gt=F("amount") - F("repaid") - F("offset") - F("written_off") - Decimal("0.005"))
                & Q(outstanding__lt=F("amount") - F("repaid") - F("offset") - F("written_off") + Decimal("0.005")),
                name="recovery_outstanding_sum",
            ),
            models.CheckConstraint(condition=Q(status__in=RecoveryStatus.values), name="recovery_status_valid"),
            models.CheckConstraint(condition=Q(fine_multiple__isnull=True) | (Q(fine_multiple__gte=2)
                                   & Q(fine_multiple__lte=5)), name="recovery_fine_2_to_5"),
        ]

    def __str__(self) -> str:
        return f"追回案件 #{self.pk}"


class RecoveryCaseChange(models.Model):
    case = models.ForeignKey(RecoveryCase, models.PROTECT, related_name="status_changes", verbose_name="案件")
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="经办人")
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "追回案件状态变更"
        verbose_name_plural = "追回案件状态变更"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"

    @property
    def to_label(self) -> str:
        return RecoveryStatus(self.to_status).label


class RecoveryPosting(models.Model):
    """Money recovered or written off: a repayment, a payroll offset (linked to its line) or a write-off."""

    class Kind(models.TextChoices):
        REPAYMENT = "repayment", "退回"
        OFFSET = "offset", "待遇抵扣"
        WRITE_OFF = "write_off", "核销"

    case = models.ForeignKey(RecoveryCase, models.PROTECT, related_name="postings", verbose_name="案件")
    kind = models.CharField("类型", max_length=10, choices=Kind)
    amount = money_field("金额")
    on = models.DateField("日期")
    line = models.OneToOneField(PayrollLine, models.PROTECT, null=True, blank=True, related_name="recovery_posting",
                                verbose_name="抵扣的发放明细")
    instalment = models.ForeignKey("RecoveryInstalment", models.PROTECT, null=True, blank=True,
                                   related_name="postings", verbose_name="分期")
    note = models.CharField("说明", max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                           verbose_name="经办人")
    at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "追回记录"
        verbose_name_plural = "追回记录"
        ordering = ["on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_posting_positive")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class RecoveryInstalment(models.Model):
    """One instalment of a repayment agreement (还款协议)."""

    case = models.ForeignKey(RecoveryCase, models.PROTECT, related_name="instalments", verbose_name="案件")
    number = models.PositiveSmallIntegerField("期次")
    due_date = models.DateField("应还日期", db_index=True)
    amount = money_field("应还金额")
    paid = money_field("已还金额", default=0)

    class Meta:
        verbose_name = "分期还款"
        verbose_name_plural = "分期还款"
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="instalment_unique_number"),
            models.CheckConstraint(condition=Q(paid__lte=F("amount")) & Q(paid__gte=0), name="instalment_paid_range"),
        ]

    def __str__(self) -> str:
        return f"第{self.number}期 {self.amount}"

    @property
    def remaining(self):
        return self.amount - self.paid


class RecoveryCaseMonth(models.Model):
    """One month of a case opened for a past-dated decrease (标准调整多发): what was paid above the amount
    now due for that month. The payroll counts these when it compares a month's payments with a
    later standard, so a decrease is recovered once and a later increase pays only the difference."""

    case = models.ForeignKey(RecoveryCase, models.PROTECT, related_name="month_amounts", verbose_name="案件")
    pension = models.ForeignKey(Pension, models.PROTECT, related_name="recovered_months", verbose_name="养老金")
    month = models.DateField("费款所属期")
    paid = money_field("已发基础养老金")
    due = money_field("应发基础养老金")
    amount = money_field("多发金额")

    class Meta:
        verbose_name = "追回案件月份"
        verbose_name_plural = "追回案件月份"
        ordering = ["case", "month"]
        indexes = [models.Index(fields=["pension", "month"], name="recoverymonth_pension_idx")]
        constraints = [
            models.UniqueConstraint(fields=["case", "month"], name="recoverymonth_once_per_case"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="recoverymonth_amount_positive"),
            models.CheckConstraint(condition=Q(month__day=1), name="recoverymonth_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.amount}"


# --- delegated payments (代发, R22) -----------------------------------------------------------------


class DelegatedProgramme(models.Model):
    """A programme the bureau pays on behalf of another body (原辞退民办教师生活补助 ...): its monthly rule."""

    class Rule(models.TextChoices):
        FLAT = "flat", "定额"
        PER_YEAR = "per_year", "按服务年限"

    code = models.CharField("代发类型代码", max_length=10, unique=True)
    name = models.CharField("项目名称", max_length=60)
    rule = models.CharField("计发办法", max_length=8, choices=Rule)
    amount = money_field("金额（定额：元/月；按年限：元/年·月）")
    active = models.BooleanField("在发", default=True)
    note = models.CharField("依据", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "代发项目"
        verbose_name_plural = "代发项目"
        ordering = ["code"]
        permissions = [("manage_delegated", "可办理代发对象")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="programme_amount_positive")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DelegatedPayeeQuerySet(ScopedQuerySet):
    town_field = "person__town"


class DelegatedPayeeStatus(models.TextChoices):
    PENDING = "0", "待复核"
    NORMAL = "1", "正常发放"
    SUSPENDED = "2", "暂停发放"
    TERMINATED = "3", "终止发放"


class DelegatedPayee(models.Model):
    """A payee of a delegated programme: 正常发放 ⇄ 暂停发放 → 终止发放 (R22). One added through the
    pages waits (待复核) until another county clerk confirms it (maker-checker); only 正常发放 is paid."""

    Status = DelegatedPayeeStatus

    MOVES: dict[str, set[str]] = {
        "": {Status.NORMAL, Status.PENDING},
        Status.PENDING: {Status.NORMAL, Status.TERMINATED},
        Status.NORMAL: {Status.SUSPENDED, Status.TERMINATED},
        Status.SUSPENDED: {Status.NORMAL, Status.TERMINATED},
        Status.TERMINATED: set(),
    }

    programme = models.ForeignKey(DelegatedProgramme, models.PROTECT, related_name="payees", verbose_name="代发项目")
    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="delegated_payments",
                               verbose_name="参保人")
    service_years = models.PositiveSmallIntegerField("服务年限", default=0)
    monthly_amount = money_field("月发放额")
    start_month = models.DateField("起发年月")
    last_month = models.DateField("最后发放年月", null=True, blank=True)
    status = models.CharField("状态", max_length=1, choices=Status, default=Status.NORMAL)
    status_note = models.CharField("状态说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="录入人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="复核人")
    confirmed_at = models.DateTimeField("复核时间", null=True, blank=True)
    history = HistoricalRecords()

    objects = DelegatedPayeeQuerySet.as_manager()

    class Meta:
        verbose_name = "代发对象"
        verbose_name_plural = "代发对象"
        ordering = ["programme", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "person"], name="payee_once_per_programme"),
            models.CheckConstraint(condition=Q(monthly_amount__gt=0), name="payee_amount_positive"),
            models.CheckConstraint(condition=Q(start_month__day=1), name="payee_start_first_of_month"),
            models.CheckConstraint(
                condition=Q(status__in=DelegatedPayeeStatus.values), name="payee_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name} {self.person_id}"


# --- R7: another basic state pension ------------------------------------------------------------------


class OtherPensionRecord(models.Model):
    """"Already receives another basic state pension" (R7): from the person's declaration or from
    supervision's employee-pension list. A claim is refused; a running pension is suspended (1299)."""

    class Origin(models.TextChoices):
        DECLARATION = "declaration", "本人申报"
        EMPLOYEE_LIST = "employee_list", "职保领取名单比对"

    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="other_pensions",
                               verbose_name="参保人")
    origin = models.CharField("来源", max_length=14, choices=Origin)
    scheme = models.CharField("其他养老保障待遇", max_length=60, default="城镇职工基本养老保险")
    from_month = models.DateField("起始领取年月")
    active = models.BooleanField("仍在领取", default=True)
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="录入人")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)
    suspension = models.ForeignKey(Suspension, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name="因此暂停的养老金", help_text="登记时暂停（1299）的在发养老金")
    to_month = models.DateField("末次领取年月", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=200, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="终止登记人")
    ended_at = models.DateTimeField("终止登记时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "领取其他基本养老保障待遇"
        verbose_name_plural = "领取其他基本养老保障待遇"
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(from_month__day=1), name="otherpension_first_of_month"),
            models.CheckConstraint(condition=Q(to_month__isnull=True) | (Q(to_month__day=1)
                                   & Q(to_month__gte=F("from_month"))), name="otherpension_to_after_from"),
            models.CheckConstraint(condition=Q(active=True, to_month__isnull=True)
                                   | Q(active=False, to_month__isnull=False), name="otherpension_ended_has_to_month"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.from_month:%Y-%m}"
