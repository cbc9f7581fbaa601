"""The personal account (个人账户): an append-only ledger with one sub-ledger per funding item."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

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
    amount = models.DecimalField("金额", max_digits=14, decimal_places=2)
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
        ]

    def __str__(self) -> str:
        return f"{self.entry_date} {self.get_source_display()} {self.amount}"


class ContributionGrade(models.Model):
    """缴费档次: the yearly amounts a person may choose (domain §2.1, binding defaults)."""

    year = models.PositiveSmallIntegerField("年度")
    amount = models.DecimalField("档次金额（元/年）", max_digits=14, decimal_places=2)
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
