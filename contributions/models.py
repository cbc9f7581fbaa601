"""The personal account (个人账户): an append-only ledger with one sub-ledger per funding item."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from linggao_pension.db import money_field
from linggao_pension.org.models import ScopedQuerySet


class Source(models.TextChoices):
    """Funding items (筹资项目 aae341, domain §2.6) plus interest and transfer-in: the sub-ledgers."""

    PERSONAL = "personal", "个人缴费"
    CENTRAL = "central", "中央财政补贴"
    PROVINCE = "province", "省级财政补贴"
    CITY = "city", "市级财政补贴"  # kept for the national code list; unused in Hainan (§0)
    COUNTY = "county", "县级财政补贴"
    COLLECTIVE = "collective", "集体补助"
    SPONSOR = "sponsor", "其他资助"
    TOWNSHIP = "township", "镇级财政补贴"
    VILLAGE = "village", "村级财政补贴"
    DAIJIAO = "daijiao", "政府代缴"
    LAND = "land", "被征地补助"
    OLD_RURAL = "old_rural", "老农保个账"
    INTEREST = "interest", "利息"
    TRANSFER_IN = "transfer_in", "转入"


# Sub-ledgers that are government money: excluded from refunds on settling abroad and on
# duplicate receipt (domain binding defaults, R12, R16).
GOVERNMENT_SOURCES = frozenset(
    {Source.CENTRAL, Source.PROVINCE, Source.CITY, Source.COUNTY, Source.TOWNSHIP, Source.VILLAGE, Source.DAIJIAO}
)


class EntryKind(models.TextChoices):
    CREDIT = "credit", "入账"
    INTEREST = "interest", "利息"
    TRANSFER_IN = "transfer_in", "转入"
    TRANSFER_OUT = "transfer_out", "转出"
    REFUND = "refund", "退还"
    PENSION = "pension", "待遇支出"
    INHERIT = "inherit", "继承支付"
    REVERSAL = "reversal", "冲正"
    RECLAIM = "reclaim", "补贴收回"  # government subsidies not refunded on an exit return to the fund


class AccountEntryQuerySet(ScopedQuerySet):
    town_field = "person__town"

    def before(self, day):
        """Entries dated before `day` (balances at a benefit start, transfer or termination)."""
        return self.filter(entry_date__lt=day)


class AccountEntry(models.Model):
    """One posting to a person's account. Never edited or deleted: a mistake gets a reversing entry.

    Credits are positive, debits (pension drawn, transfer out, refund) negative; a balance is a sum.
    """

    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="account_entries", verbose_name="参保人")
    source = models.CharField("资金来源", max_length=12, choices=Source)
    kind = models.CharField("类型", max_length=12, choices=EntryKind)
    amount = money_field("金额")
    entry_date = models.DateField("记账日期", help_text="资金到账（划拨）之日")
    year = models.PositiveSmallIntegerField("所属年度", null=True, blank=True, help_text="缴费年度或结息年度")
    memo = models.CharField("摘要", max_length=120, blank=True)
    reverses = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name="冲正的分录"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="记账人"
    )
    created_at = models.DateTimeField("记账时间", auto_now_add=True)
    receipt = models.ForeignKey(
        "Receipt", models.PROTECT, null=True, blank=True, related_name="entries", verbose_name="缴费票据",
        help_text="由缴费票据入账的分录（个人缴费、入口补贴、集体补助、其他资助）",
    )

    objects = AccountEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "个人账户分录"
        verbose_name_plural = "个人账户分录"
        ordering = ["entry_date", "pk"]
        indexes = [
            models.Index(fields=["person", "entry_date"], name="entry_person_date_idx"),
            models.Index(fields=["entry_date", "source"], name="entry_date_source_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(source__in=Source.values), name="entry_source_valid"),
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="entry_kind_valid"),
            models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_not_zero"),
            # Interest of a year is booked once per person and sub-ledger (R6): the database refuses a second.
            models.UniqueConstraint(
                fields=["person", "year", "source"], condition=Q(kind="interest"), name="entry_interest_once_per_year"
            ),
            # 代缴 of a year is credited once per person (§2.5): the yearly batch can run twice, or twice at once.
            models.UniqueConstraint(
                fields=["person", "year"], condition=Q(kind="credit", source="daijiao"), name="entry_daijiao_once_per_year"
            ),
        ]
        permissions = [("reverse_accountentry", "可冲正个人账户分录")]

    def __str__(self) -> str:
        return f"{self.entry_date} {self.get_source_display()} {self.amount}"


class LedgerMonthTotal(models.Model):
    """The ledger summed by month, town, sub-ledger and kind (a reversal also by the kind it reverses),
    for the monthly reports: a few thousand rows instead of the three million entries.

    Kept by the ledger services in the transaction that posts the entries (ledger_totals.py), moved
    with a person who moves town (ledger_totals_move, from enrollment's change approval), rebuilt
    from the entries by `manage.py rebuild_ledger_totals` (a data load that bypassed the services)."""

    month = models.DateField("月份", help_text="记账日期所在月的第一天")
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="镇/农场",
                             help_text="参保人现在所属的镇/农场")
    source = models.CharField("资金来源", max_length=12, choices=Source)
    kind = models.CharField("类型", max_length=12, choices=EntryKind)
    reversed_kind = models.CharField("被冲正分录类型", max_length=12, blank=True, help_text="冲正分录冲正的分录类型")
    amount = money_field("金额合计")
    entries = models.IntegerField("分录数")

    class Meta:
        verbose_name = "个人账户分录月汇总"
        verbose_name_plural = "个人账户分录月汇总"
        constraints = [
            models.UniqueConstraint(fields=["month", "town", "source", "kind", "reversed_kind"],
                                    name="ledger_total_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.town_id} {self.source} {self.kind} {self.amount}"


class ContributionGrade(models.Model):
    """缴费档次: the yearly amounts a person may choose (domain §2.1, binding defaults)."""

    year = models.PositiveSmallIntegerField("年度")
    amount = money_field("档次金额（元/年）")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "缴费档次"
        verbose_name_plural = "缴费档次"
        ordering = ["year", "amount"]
        constraints = [
            models.UniqueConstraint(fields=["year", "amount"], name="grade_unique_per_year"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="grade_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.amount}元"


class InterestRate(models.Model):
    """记账利率 by year (domain §3.2, R6). A year with no row cannot be posted."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    rate = models.DecimalField("利率", max_digits=7, decimal_places=4, help_text="如 0.0262 表示 2.62%")
    note = models.CharField("依据", max_length=120, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "记账利率"
        verbose_name_plural = "记账利率"
        ordering = ["year"]
        constraints = [models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lt=1), name="interest_rate_range")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.rate * 100:.2f}%"


# --- Configuration that changes by year (binding defaults seeded by migration 0005) ---------------
# The collective subsidy + sponsorship cap (§2.4: "the year's highest grade") is not stored: it is
# derived from ContributionGrade (selectors.collective_cap), so it can never disagree with the grades.


class GradeSubsidy(models.Model):
    """入口补贴 of one grade of one year, split by level (§2.3, R4). Binding default: grade below 500:
    30 元, 500 and above: 60 元, all 省级财政补贴; credited on the payment's date."""

    grade = models.OneToOneField(ContributionGrade, models.PROTECT, related_name="subsidy", verbose_name="缴费档次")
    province_amount = money_field("省级补贴（元）", default=Decimal("0.00"))
    county_amount = money_field("县级补贴（元）", default=Decimal("0.00"))
    note = models.CharField("依据", max_length=120, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "入口补贴标准"
        verbose_name_plural = "入口补贴标准"
        ordering = ["grade__year", "grade__amount"]
        constraints = [
            models.CheckConstraint(
                condition=Q(province_amount__gte=0) & Q(county_amount__gte=0), name="subsidy_amounts_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grade}：省{self.province_amount} 县{self.county_amount}"

    @property
    def total(self) -> Decimal:
        return self.province_amount + self.county_amount


class DaijiaoAmount(models.Model):
    """政府代缴 by year and identity code (§2.5). Binding default 2011-2026: 021/031/051/061 the full
    lowest grade (100 元), 022/062 half (50 元), none otherwise (no row)."""

    year = models.PositiveSmallIntegerField("年度")
    identity = models.ForeignKey(
        "enrollment.IdentityCode", models.PROTECT, related_name="daijiao_amounts", verbose_name="参保身份"
    )
    amount = money_field("代缴金额（元）")
    note = models.CharField("依据", max_length=120, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "政府代缴标准"
        verbose_name_plural = "政府代缴标准"
        ordering = ["year", "identity"]
        constraints = [
            models.UniqueConstraint(fields=["year", "identity"], name="daijiao_unique_year_identity"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="daijiao_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.identity_id} {self.amount}元"

    def clean(self):
        # R4: 代缴 is capped at the year's lowest grade.
        from django.core.exceptions import ValidationError
        from django.db.models import Min

        lowest = ContributionGrade.objects.filter(year=self.year).aggregate(m=Min("amount"))["m"]
        if lowest is None:
            raise ValidationError({"year": f"{self.year} 年度未设置缴费档次"})
        if self.amount is not None and self.amount > lowest:
            raise ValidationError({"amount": f"代缴金额不能超过当年最低档次 {lowest} 元"})


class CollectionPolicy(models.Model):
    """Collection rules in force from a contribution year on (the row with the largest from_year <= Y).
    Binding default: a back-payment (补缴) earns no subsidy (§2.8)."""

    from_year = models.PositiveSmallIntegerField("起始缴费年度", unique=True)
    backpay_earns_subsidy = models.BooleanField("补缴享受入口补贴", default=False)
    note = models.CharField("依据", max_length=120, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "征缴政策"
        verbose_name_plural = "征缴政策"
        ordering = ["from_year"]

    def __str__(self) -> str:
        return f"{self.from_year} 年度起：补缴{'享受' if self.backpay_earns_subsidy else '不享受'}补贴"


# --- Premium collection: receipts (票据) -----------------------------------------------------------


class ReceiptQuerySet(ScopedQuerySet):
    town_field = "town"

    def not_voided(self):
        return self.exclude(status=Receipt.Status.VOIDED)

    def awaiting_confirmation(self):
        return self.filter(status=Receipt.Status.COLLECTED)

    def remittable(self, *, up_to: date):
        """Confirmed premium money not yet remitted, paid up to `up_to`; legacy receipts never (R18)."""
        return self.filter(
            status=Receipt.Status.CONFIRMED, legacy=False, remittance__isnull=True, paid_on__lte=up_to
        )


class ReceiptStatus(models.TextChoices):
    COLLECTED = "collected", "已收款"
    CONFIRMED = "confirmed", "已确认"
    VOIDED = "voided", "已作废"


class ReceiptMethod(models.TextChoices):
    # 缴费方式 aab033 (§2.6)
    BANK = "2", "银行代收"
    AGENCY = "3", "经办机构自收"


class Receipt(models.Model):
    """One premium payment of a person for a contribution year (R4).

    collected (已收款, cash taken by the town) -> confirmed (已确认, county finance 划拨确认; only then
    is the account credited) -> remitted in a month-end Remittance; or voided with a reason. Each
    transition records who and when in its own columns (collected_by, confirmed_by, voided_by).
    Bank-collection imports are created confirmed.
    """

    Status = ReceiptStatus

    # The allowed moves, beside the states (receipt_confirm_batch, receipt_void, receipt_actions ask
    # `may_move`). Entering a remittance is not a move: a confirmed receipt gets its remittance.
    TRANSITIONS = {
        Status.COLLECTED: frozenset({Status.CONFIRMED, Status.VOIDED}),
        Status.CONFIRMED: frozenset({Status.VOIDED}),
        Status.VOIDED: frozenset(),
    }

    Method = ReceiptMethod

    receipt_no = models.CharField("票据号", max_length=30, unique=True)
    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="receipts", verbose_name="参保人")
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="镇/农场")
    year = models.PositiveSmallIntegerField("缴费年度")
    grade = money_field("缴费档次（元）")
    personal_amount = money_field("个人缴费（元）")
    collective_amount = money_field("集体补助（元）", default=Decimal("0.00"))
    sponsor_amount = money_field("其他资助（元）", default=Decimal("0.00"))
    paid_on = models.DateField("缴费日期")
    method = models.CharField("缴费方式", max_length=1, choices=Method, default=Method.AGENCY)
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.COLLECTED)
    legacy = models.BooleanField("历史迁移", default=False, help_text="原系统已上缴财政专户，不进入上缴")
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="收款人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="确认人"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="作废人"
    )
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)
    remittance = models.ForeignKey(
        "Remittance", models.PROTECT, null=True, blank=True, related_name="receipts", verbose_name="上缴单"
    )

    objects = ReceiptQuerySet.as_manager()

    class Meta:
        verbose_name = "缴费票据"
        verbose_name_plural = "缴费票据"
        ordering = ["-paid_on", "-pk"]
        indexes = [
            models.Index(fields=["town", "status"], name="receipt_town_status_idx"),
            models.Index(fields=["paid_on"], name="receipt_paid_on_idx"),
            # The receipts list's order (-paid_on, -pk): a deep page's keys from the index alone.
            models.Index(fields=["paid_on", "id"], name="receipt_paid_on_id_idx"),
            # The month-end claim (R18) reads exactly these rows.
            models.Index(
                fields=["paid_on"], name="receipt_remittable_idx",
                condition=Q(status="confirmed", legacy=False, remittance__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReceiptStatus.values), name="receipt_status_valid"),
            models.CheckConstraint(condition=Q(method__in=ReceiptMethod.values), name="receipt_method_valid"),
            models.CheckConstraint(condition=Q(grade__gt=0), name="receipt_grade_positive"),
            models.CheckConstraint(
                condition=Q(personal_amount__gte=0) & Q(collective_amount__gte=0) & Q(sponsor_amount__gte=0),
                name="receipt_amounts_gte_0",
            ),
            # One payment per person and contribution year (R4); a voided receipt frees the year.
            models.UniqueConstraint(
                fields=["person", "year"], condition=~Q(status="voided"), name="receipt_one_per_person_year"
            ),
            # Maker-checker: the collector never confirms their own collection.
            models.CheckConstraint(condition=~Q(confirmed_by=F("collected_by")), name="receipt_confirmer_not_collector"),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False), name="receipt_confirmed_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="voided") | (Q(voided_at__isnull=False) & ~Q(void_reason="")),
                name="receipt_voided_has_reason",
            ),
            # Only confirmed, non-legacy money is ever remitted (R18).
            models.CheckConstraint(
                condition=Q(remittance__isnull=True) | (Q(status="confirmed") & Q(legacy=False)),
                name="receipt_remitted_is_confirmed",
            ),
        ]
        permissions = [
            ("confirm_receipt", "可确认镇/农场收缴的保费（划拨确认）"),
            ("void_receipt", "可作废缴费票据"),
            ("import_receipts", "可导入银行代收缴费文件"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.year}年 {self.total_amount}元"

    @property
    def total_amount(self) -> Decimal:
        """The money received: personal + collective + sponsorship (subsidies and 代缴 are fiscal money)."""
        return self.personal_amount + self.collective_amount + self.sponsor_amount

    @property
    def is_backpay(self) -> bool:
        """补缴 (type 31): paid after 31 December of the contribution year (binding defaults)."""
        return self.paid_on > date(self.year, 12, 31)

    def may_move(self, to_status: str) -> bool:
        return to_status in self.TRANSITIONS[self.status]


class ReceiptSequence(models.Model):
    """Hands out receipt numbers per town and year under a row lock: <town code><year><6 digits>."""

    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="镇/农场")
    year = models.PositiveSmallIntegerField("年份")
    last_number = models.PositiveIntegerField("已用到", default=0)

    class Meta:
        verbose_name = "票据号序列"
        verbose_name_plural = "票据号序列"
        constraints = [models.UniqueConstraint(fields=["town", "year"], name="receiptseq_unique_town_year")]

    def __str__(self) -> str:
        return f"{self.town_id} {self.year} {self.last_number}"


# --- Month-end remittance to the fiscal special account (R18, §9.1) ----------------------------------


class RemittanceStatus(models.TextChoices):
    GENERATED = "generated", "已生成"
    REMITTED = "remitted", "已上缴"


class Remittance(models.Model):
    """保费上缴财政专户: one per month; generated -> remitted (已上缴) with the bank voucher number.

    The totals are written once, when the receipts are claimed, and never change afterwards (a
    remitted receipt cannot be voided); selectors.remittance_by_town recomputes them from the receipts.
    """

    Status = RemittanceStatus

    # The allowed moves, beside the states (remittance_mark_remitted asks `may_move`).
    TRANSITIONS = {Status.GENERATED: frozenset({Status.REMITTED}), Status.REMITTED: frozenset()}

    month = models.DateField("所属月份", unique=True, help_text="该月1日")
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.GENERATED)
    receipts_count = models.PositiveIntegerField("票据数", default=0)
    personal_total = money_field("个人缴费", default=Decimal("0.00"))
    collective_total = money_field("集体补助", default=Decimal("0.00"))
    sponsor_total = money_field("其他资助", default=Decimal("0.00"))
    total_amount = money_field("上缴合计", default=Decimal("0.00"))
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="生成人", help_text="空：系统定时任务",
    )
    remitted_at = models.DateTimeField("上缴时间", null=True, blank=True)
    remitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="上缴确认人"
    )
    voucher_no = models.CharField("银行凭证号", max_length=40, blank=True)
    # The voucher files, written by the remittance job into MEDIA_ROOT (default storage) and served as
    # stored: the Excel lists every receipt (50,000 in a month take seconds to write, too long for a
    # web request); the PDF is the one-page summary for signatures, rewritten when marked remitted.
    voucher_xlsx = models.FileField("上缴凭证（Excel）", upload_to="remittances/", blank=True)
    voucher_pdf = models.FileField("上缴凭证（PDF）", upload_to="remittances/", blank=True)

    class Meta:
        verbose_name = "保费上缴单"
        verbose_name_plural = "保费上缴单"
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RemittanceStatus.values), name="remittance_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="remitted") | (~Q(voucher_no="") & Q(remitted_at__isnull=False)),
                name="remittance_remitted_has_voucher",
            ),
            models.CheckConstraint(condition=~Q(remitted_by=F("created_by")), name="remittance_checker_not_maker"),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="remittance_total_gte_0"),
        ]
        permissions = [("remit_remittance", "可确认保费已上缴财政专户")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 保费上缴 {self.total_amount}元"

    def may_move(self, to_status: str) -> bool:
        return to_status in self.TRANSITIONS[self.status]


# --- Year-end interest (R6) ---------------------------------------------------------------------------


class InterestPostingStatus(models.TextChoices):
    RUNNING = "running", "结息中"
    DONE = "done", "已结息"


class InterestPosting(models.Model):
    """年度结息: one row per year. Created (running) when a posting starts, done when every account is
    posted; a rerun after a crash resumes (the unique interest entry refuses a second credit)."""

    Status = InterestPostingStatus

    year = models.PositiveSmallIntegerField("结息年度", unique=True)
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.RUNNING)
    rate = models.DecimalField("记账利率", max_digits=7, decimal_places=4)
    accounts = models.PositiveIntegerField("结息账户数", default=0)
    total = money_field("利息合计", default=Decimal("0.00"))
    skipped = models.PositiveIntegerField(
        "待遇核定时已结息", default=0,
        help_text="当年开始领取待遇的人员：核定时已按过渡期利息结息，年度结息不再重复计息（R6）",
    )
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="经办人", help_text="空：系统定时任务",
    )
    job = models.ForeignKey("org.JobRun", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="任务")

    class Meta:
        verbose_name = "年度结息"
        verbose_name_plural = "年度结息"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=InterestPostingStatus.values), name="interestposting_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(finished_at__isnull=False), name="interestposting_done_has_time"
            ),
        ]
        permissions = [("post_interest", "可执行年度结息"), ("post_daijiao", "可执行政府代缴入账")]

    def __str__(self) -> str:
        return f"{self.year} 年度结息"

    @property
    def rate_percent(self) -> str:
        return f"{self.rate * 100:.2f}%"


class InterestSettlement(models.Model):
    """A person's interest of a year settled before the year end (R6): at a benefit start, for the months
    before it (interim interest, binding defaults). The interest of a year is settled once: either here
    or by the year-end posting (InterestPosting), never both. The amount may be 0.00 (a January start,
    an empty account, an interim that rounds to nothing): the settlement still closes the year, so the
    year-end posting credits that person nothing for it. A non-zero amount is booked as the person's 利息
    entry of the year (`entry`)."""

    person = models.ForeignKey(
        "enrollment.Person", models.PROTECT, related_name="interest_settlements", verbose_name="参保人"
    )
    year = models.PositiveSmallIntegerField("结息年度")
    settled_on = models.DateField("结息日期", help_text="待遇开始：开始月份1日")
    amount = money_field("利息（元）", help_text="可为 0.00")
    reason = models.CharField("原因", max_length=60)
    entry = models.OneToOneField(
        AccountEntry, models.PROTECT, null=True, blank=True, related_name="interest_settlement",
        verbose_name="利息分录", help_text="利息为 0.00 时无分录",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="经办人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "年中结息"
        verbose_name_plural = "年中结息"
        ordering = ["-year", "person"]
        constraints = [
            # The interest of a year is settled once per person (R6).
            models.UniqueConstraint(fields=["person", "year"], name="interestsettlement_once_per_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="interestsettlement_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(amount=0, entry__isnull=True) | (~Q(amount=0) & Q(entry__isnull=False)),
                name="interestsettlement_entry_iff_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年度 {self.reason}结息 {self.amount}元"


# --- 老农保 merge (R21) and 被征地 subsidies (§8.2): recorded by one clerk, reviewed by another ------------


class SpecialCreditQuerySet(ScopedQuerySet):
    town_field = "town"


class SpecialCreditKind(models.TextChoices):
    OLD_RURAL = "old_rural", "老农保个账并入"
    LAND = "land", "被征地补助"


class SpecialCreditStatus(models.TextChoices):
    PENDING = "pending", "待复核"
    APPROVED = "approved", "已入账"
    REJECTED = "rejected", "已退回"


class SpecialCredit(models.Model):
    Kind = SpecialCreditKind

    Status = SpecialCreditStatus

    person = models.ForeignKey(
        "enrollment.Person", models.PROTECT, related_name="special_credits", verbose_name="参保人"
    )
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="镇/农场")
    kind = models.CharField("类型", max_length=10, choices=Kind)
    amount = money_field("金额（元）")
    document_no = models.CharField("批准文号", max_length=60)
    note = models.CharField("说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.PENDING)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="经办人"
    )
    prepared_at = models.DateTimeField("经办时间", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="复核人"
    )
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    review_opinion = models.CharField("复核意见", max_length=200, blank=True)
    entry = models.OneToOneField(
        AccountEntry, models.PROTECT, null=True, blank=True, related_name="special_credit", verbose_name="入账分录"
    )
    history = HistoricalRecords()

    objects = SpecialCreditQuerySet.as_manager()

    class Meta:
        verbose_name = "老农保并入/被征地补助"
        verbose_name_plural = "老农保并入/被征地补助"
        ordering = ["-prepared_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SpecialCreditKind.values), name="specialcredit_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=SpecialCreditStatus.values), name="specialcredit_status_valid"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="specialcredit_amount_positive"),
            models.CheckConstraint(condition=~Q(reviewed_by=F("prepared_by")), name="specialcredit_checker_not_maker"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(entry__isnull=False), name="specialcredit_approved_has_entry"
            ),
            # The old-scheme balance is merged once (R21); an approval document is used once per person.
            models.UniqueConstraint(
                fields=["person"], condition=Q(kind="old_rural") & ~Q(status="rejected"),
                name="specialcredit_old_rural_once",
            ),
            models.UniqueConstraint(
                fields=["person", "kind", "document_no"], condition=~Q(status="rejected"),
                name="specialcredit_document_once",
            ),
        ]
        permissions = [("review_specialcredit", "可复核老农保并入/被征地补助")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}元（{self.document_no}）"

    @property
    def source(self) -> str:
        return Source.OLD_RURAL if self.kind == self.Kind.OLD_RURAL else Source.LAND


# --- Transfers and terminations: the account settled at an exit, transfers in, refunds (§5, §6, R12-R16) ---


class ExitKind(models.TextChoices):
    """How money leaves an account (the same values as enrollment's ApplicationKind)."""

    TRANSFER_OUT = "transfer_out", "跨地区转出"
    TO_EMPLOYEE = "to_employee", "转入职工养老保险"
    DEATH = "death", "参保人死亡"
    ABROAD = "abroad", "出国（境）定居退保"
    DUPLICATE_ENROLLMENT = "duplicate_enrollment", "重复参保注销退费"
    DUPLICATE_RECEIPT = "duplicate_receipt", "重复领取注销退费"
    DUPLICATE_CONTRIBUTION = "duplicate_contribution", "同年重复缴费退费"


class AccountExitQuerySet(ScopedQuerySet):
    town_field = "person__town"


class AccountExit(models.Model):
    """The settlement of a person's account at a transfer out or a termination (or an R13 refund):
    the figures as computed on approval, frozen, and the entries it posted. One per application,
    so an application is never settled twice."""

    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="account_exits", verbose_name="参保人")
    application = models.OneToOneField(
        "enrollment.RelationshipApplication", models.PROTECT, null=True, blank=True, related_name="account_exit",
        verbose_name="申请",
    )
    kind = models.CharField("类型", max_length=24, choices=ExitKind)
    on = models.DateField("结算日期", help_text="转出/终止月份1日：之前的分录加过渡期利息")
    balance = models.DecimalField("账户余额（含过渡期利息）", max_digits=14, decimal_places=2)
    interim_interest = models.DecimalField("过渡期利息", max_digits=14, decimal_places=2, default=Decimal("0.00"))
    by_source = models.JSONField("分项余额", default=dict, help_text="资金来源 → 金额（字符串）")
    payable = models.DecimalField("支付/转出金额", max_digits=14, decimal_places=2)
    reclaimed = models.DecimalField("政府补贴收回", max_digits=14, decimal_places=2, default=Decimal("0.00"))
    offset = models.DecimalField("冲抵重复领取", max_digits=14, decimal_places=2, default=Decimal("0.00"))
    funeral_subsidy = models.DecimalField("丧葬补助金", max_digits=14, decimal_places=2, default=Decimal("0.00"))
    to_recover = models.DecimalField("待追回", max_digits=14, decimal_places=2, default=Decimal("0.00"))
    years = models.JSONField("缴费年度", default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="经办人")
    created_at = models.DateTimeField("结算时间", auto_now_add=True)

    objects = AccountExitQuerySet.as_manager()

    class Meta:
        verbose_name = "账户结算（转出/终止）"
        verbose_name_plural = "账户结算（转出/终止）"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ExitKind.values), name="accountexit_kind_valid"),
            models.CheckConstraint(
                condition=Q(payable__gte=0) & Q(reclaimed__gte=0) & Q(offset__gte=0) & Q(to_recover__gte=0),
                name="accountexit_amounts_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.payable}元"


class AccountTransferIn(models.Model):
    """A balance arriving from another area (转入) or from the employee scheme (R15b), with the years
    carried over: they count towards the contribution years (R5) as the sending area's certificate says."""

    person = models.ForeignKey(
        "enrollment.Person", models.PROTECT, related_name="account_transfers_in", verbose_name="参保人"
    )
    application = models.OneToOneField(
        "enrollment.RelationshipApplication", models.PROTECT, null=True, blank=True,
        related_name="account_transfer_in", verbose_name="申请",
    )
    from_employee = models.BooleanField("职保转入", default=False)
    received_on = models.DateField("到账日期")
    amount = models.DecimalField("转入金额", max_digits=14, decimal_places=2)
    years = models.JSONField("转入缴费年度", default=list)
    certificate_no = models.CharField("转出地参保缴费凭证编号", max_length=60)
    from_area = models.CharField("转出地", max_length=80)
    entry = models.OneToOneField(AccountEntry, models.PROTECT, related_name="transfer_in", verbose_name="转入分录")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="经办人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "账户转入"
        verbose_name_plural = "账户转入"
        ordering = ["-received_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="transferin_amount_positive")]

    def __str__(self) -> str:
        return f"{self.from_area} 转入 {self.amount}元"


class RefundStatus(models.TextChoices):
    PENDING = "pending", "待支付"
    IN_FILE = "in_file", "已出银行文件"
    PAID = "paid", "已支付"


class RefundQuerySet(ScopedQuerySet):
    town_field = "person__town"


class Refund(models.Model):
    """A refund payment (F10006 享受终止退保, F10004 重复缴费退费) to the person or the heirs, with their
    bank details; paid once: in one refund bank file (RefundBatch), then confirmed paid by finance."""

    Status = RefundStatus
    TRANSITIONS = {
        Status.PENDING: frozenset({Status.IN_FILE}),
        Status.IN_FILE: frozenset({Status.PAID}),
        Status.PAID: frozenset(),
    }

    exit = models.OneToOneField(AccountExit, models.PROTECT, related_name="refund", verbose_name="账户结算")
    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="refunds", verbose_name="参保人")
    amount = models.DecimalField("退款金额", max_digits=14, decimal_places=2)
    pay_type = models.CharField("支付类型", max_length=6, help_text="F10006 终止退保 / F10004 重复缴费退费")
    payee_name = models.CharField("收款人", max_length=30)
    payee_id_number = models.CharField("收款人身份证号", max_length=18)
    payee_relation = models.CharField("与参保人关系", max_length=20, blank=True)
    bank_name = models.CharField("开户银行", max_length=40)
    bank_account = models.CharField("银行账号", max_length=32)
    status = models.CharField("状态", max_length=8, choices=Status, default=Status.PENDING, db_index=True)
    batch = models.ForeignKey(
        "RefundBatch", models.PROTECT, null=True, blank=True, related_name="refunds", verbose_name="退款批次"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    history = HistoricalRecords()

    objects = RefundQuerySet.as_manager()

    class Meta:
        verbose_name = "退款"
        verbose_name_plural = "退款"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RefundStatus.values), name="refund_status_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="pending", batch__isnull=True) | (~Q(status="pending") & Q(batch__isnull=False)),
                name="refund_batch_iff_not_pending",
            ),
        ]
        permissions = [("pay_refund", "可生成退款银行文件并确认退款已支付")]

    def __str__(self) -> str:
        return f"退款 {self.payee_name} {self.amount}元"

    def may_move(self, to_status: str) -> bool:
        return to_status in self.TRANSITIONS[self.status]


class RefundBatchStatus(models.TextChoices):
    GENERATED = "generated", "已生成"
    PAID = "paid", "已支付"


class RefundBatch(models.Model):
    """A refund bank file: the pending refunds claimed at once (a refund is in at most one file), then
    confirmed paid by another finance user (maker-checker)."""

    Status = RefundBatchStatus
    TRANSITIONS = {Status.GENERATED: frozenset({Status.PAID}), Status.PAID: frozenset()}

    status = models.CharField("状态", max_length=10, choices=Status, default=Status.GENERATED)
    count = models.PositiveIntegerField("笔数", default=0)
    total = models.DecimalField("合计", max_digits=14, decimal_places=2, default=Decimal("0.00"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="生成人")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="支付确认人"
    )
    paid_on = models.DateField("支付日期", null=True, blank=True)
    bank_file = models.FileField("退款银行文件", upload_to="refunds/", blank=True)

    class Meta:
        verbose_name = "退款批次"
        verbose_name_plural = "退款批次"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RefundBatchStatus.values), name="refundbatch_status_valid"),
            models.CheckConstraint(condition=~Q(paid_by=F("created_by")), name="refundbatch_checker_not_maker"),
            models.CheckConstraint(condition=~Q(status="paid") | Q(paid_on__isnull=False), name="refundbatch_paid_has_date"),
        ]

    def __str__(self) -> str:
        return f"退款批次 {self.pk}（{self.count}笔 {self.total}元）"

    def may_move(self, to_status: str) -> bool:
        return to_status in self.TRANSITIONS[self.status]
