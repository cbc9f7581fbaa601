"""Benefits: the pension parameters as data, benefit claims, frozen pensions and the monthly payroll.

domain.md §4, R7-R9 and the binding defaults. Amounts are 元 (Decimal, 2 places); a month is the
first day of that month as a DateField.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from linggao_pension.org.models import ScopedQuerySet


def _money(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


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
    central_part = _money("中央基础养老金")
    provincial_part = _money("省级基础养老金", default=0)
    county_part = _money("县级基础养老金", default=0)
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
    amount_per_year = _money("每多缴一年加发（元/月）")
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
    amount = _money("加发金额（元/月）")
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
    amount = _money("丧葬补助金（元）")
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


class Pension(models.Model):
    """A person's pension: the account pension and the start balance are fixed for life (R8);
    the basic part of each later month follows the standards in force for that month."""

    class Source(models.TextChoices):
        DETERMINED = "determined", "县核定"
        IMPORTED = "imported", "系统迁移"

    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        STOPPED = "stopped", "停止"

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
    opening_balance = _money("上年末余额", default=0)
    interest_rate = models.DecimalField("过渡期利率", max_digits=7, decimal_places=4, null=True, blank=True)
    interim_interest = _money("当年过渡期利息", default=0)
    account_balance = _money("个人账户储存额")
    account_divisor = models.PositiveSmallIntegerField("计发月数", default=139)
    account_pension = _money("个人账户养老金（元/月）")
    basic_central = _money("中央基础养老金", default=0)
    basic_provincial = _money("省级基础养老金", default=0)
    basic_county = _money("县级基础养老金", default=0)
    long_extra = _money("长缴多得加发", default=0)
    age_extra = _money("高龄加发", default=0)
    basic_pension = _money("基础养老金（开始月）")
    exhausted_month = models.DateField(
        "个人账户支付完毕年月", null=True, blank=True, help_text="此后个人账户养老金继续发放，由基金支付"
    )
    last_certified_on = models.DateField("最近认证日期")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="核定/导入人"
    )
    created_at = models.DateTimeField("核定时间", auto_now_add=True)
    history = HistoricalRecords()

    objects = PensionQuerySet.as_manager()

    class Meta:
        verbose_name = "养老金待遇"
        verbose_name_plural = "养老金待遇"
        ordering = ["-start_month", "pk"]
        permissions = [("import_pensioners", "可导入原系统待遇领取人员")]
        constraints = [
            models.CheckConstraint(condition=Q(source__in=["determined", "imported"]), name="pension_source_valid"),
            models.CheckConstraint(condition=Q(status__in=["active", "stopped"]), name="pension_status_valid"),
            models.CheckConstraint(condition=Q(start_month__day=1), name="pension_start_first_of_month"),
            models.CheckConstraint(condition=Q(first_payroll_month__day=1), name="pension_first_pay_first_of_month"),
            models.CheckConstraint(condition=Q(account_pension__gte=0), name="pension_account_pension_not_negative"),
            models.CheckConstraint(condition=Q(basic_pension__gte=0), name="pension_basic_not_negative"),
        ]

    def __str__(self) -> str:
        return f"养老金 #{self.pk}"

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
        """Lines that are, or will be, paid (a failed line is replaced by its 重发)."""
        return self.exclude(status=PayrollLine.Status.FAILED)


class PayrollLine(models.Model):
    """What one pensioner is paid for one month (费款所属期 `month`) in one run.

    Unique per (pension, month, kind) among lines not failed: a second run, or two at once, never
    pays a month twice. A failed line is paid again, once, by a 重发 line in a later run."""

    class Kind(models.TextChoices):
        NORMAL = "normal", "正常"
        ARREARS = "arrears", "补发"
        REISSUE = "reissue", "重发"

    class Status(models.TextChoices):
        PENDING = "pending", "待支付"
        PAID = "paid", "已支付"
        FAILED = "failed", "支付失败"

    run = models.ForeignKey(PayrollRun, models.PROTECT, related_name="lines", verbose_name="发放批次")
    pension = models.ForeignKey(Pension, models.PROTECT, related_name="payroll_lines", verbose_name="养老金")
    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="payroll_lines", verbose_name="参保人")
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="镇/农场")
    month = models.DateField("费款所属期")
    kind = models.CharField("类型", max_length=8, choices=Kind, default=Kind.NORMAL)
    basic_amount = _money("基础养老金")
    account_amount = _money("个人账户养老金")
    amount = _money("合计")
    bank_name = models.CharField("开户银行", max_length=40, blank=True)
    bank_account = models.CharField("银行账号", max_length=32, blank=True)
    status = models.CharField("支付状态", max_length=8, choices=Status, default=Status.PENDING)
    failure_reason = models.CharField("失败原因", max_length=120, blank=True)
    paid_on = models.DateField("支付日期", null=True, blank=True)
    drawn_amount = _money("个人账户支出", default=0, help_text="从个人账户实际列支的金额")
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
            models.Index(fields=["pension", "month"], name="payline_pension_month_idx"),
            models.Index(fields=["person", "month"], name="payline_person_month_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["pension", "month", "kind"], condition=~Q(status="failed"), name="payline_once_per_month_kind"
            ),
            models.CheckConstraint(condition=Q(kind__in=["normal", "arrears", "reissue"]), name="payline_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=["pending", "paid", "failed"]), name="payline_status_valid"),
            models.CheckConstraint(condition=Q(month__day=1), name="payline_month_first_of_month"),
            # Within half a cent, not "=": SQLite compares decimals as floats, and INSERT OR IGNORE
            # (the payroll's ON CONFLICT DO NOTHING there) silently drops a row that fails a check.
            models.CheckConstraint(
                condition=Q(amount__gt=F("basic_amount") + F("account_amount") - Decimal("0.005"))
                & Q(amount__lt=F("basic_amount") + F("account_amount") + Decimal("0.005")),
                name="payline_amount_sum",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(basic_amount__gte=0) & Q(account_amount__gte=0),
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
    total = _money("金额合计")
    file = models.FileField("文件", upload_to="payroll/")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "银行发放文件"
        verbose_name_plural = "银行发放文件"
        ordering = ["run", "bank_name"]
        constraints = [models.UniqueConstraint(fields=["run", "bank_name"], name="bankfile_one_per_bank")]

    def __str__(self) -> str:
        return f"{self.run} {self.bank_name}"
