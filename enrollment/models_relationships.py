"""The insurance relationship (参保关系) and its transfers and terminations.

A person (参保人, one per ID number) holds one insurance relationship after another: the first from
their enrolment (or the go-live import), a later one when someone whose relationship ended other
than by death enrols again or transfers back in. An ended relationship is final; the earlier ones
and their history are kept. Person.status is the status of the current relationship.

Transfers and terminations are applications (RelationshipApplication) reviewed town → county through
the shared workflow; the money is settled by a contributions service that then ends the
relationship here (enrollment never imports contributions).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from linggao_pension.org.models import ScopedQuerySet
from linggao_pension.workflow import OPEN_REVIEW_STATUSES, Reviewable


class RelationshipStart(models.TextChoices):
    LEGACY = "legacy", "系统迁移"
    ENROLLED = "enrolled", "参保登记"
    TRANSFER_IN = "transfer_in", "跨地区转入"
    FROM_EMPLOYEE = "from_employee", "职保转入"


class RelationshipEnd(models.TextChoices):
    DEATH = "death", "死亡"
    TRANSFER_OUT = "transfer_out", "跨地区转出"
    TO_EMPLOYEE = "to_employee", "转入职工养老保险"
    ABROAD = "abroad", "出国（境）定居"
    DUPLICATE_ENROLLMENT = "duplicate_enrollment", "重复参保注销"
    DUPLICATE_RECEIPT = "duplicate_receipt", "重复领取注销"
    OTHER = "other", "其他（迁移前终止）"


class InsuranceRelationship(models.Model):
    """One insurance relationship of a person: from its start to its end (final once ended)."""

    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="relationships", verbose_name="参保人")
    number = models.PositiveSmallIntegerField("序号", help_text="该参保人的第几次参保关系")
    started_on = models.DateField("开始日期")
    start_kind = models.CharField("开始方式", max_length=14, choices=RelationshipStart)
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_kind = models.CharField("终止方式", max_length=20, choices=RelationshipEnd, blank=True)
    end_reason = models.CharField("终止原因代码", max_length=4, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "参保关系"
        verbose_name_plural = "参保关系"
        ordering = ["person", "number"]
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="relationship_number_unique"),
            # At most one open relationship per person.
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_on__isnull=True), name="relationship_one_open_per_person"
            ),
            models.CheckConstraint(condition=Q(start_kind__in=RelationshipStart.values), name="relationship_start_valid"),
            models.CheckConstraint(
                condition=(Q(ended_on__isnull=True) & Q(end_kind=""))
                | (Q(ended_on__isnull=False) & Q(end_kind__in=RelationshipEnd.values)),
                name="relationship_end_iff_ended",
            ),
        ]

    def __str__(self) -> str:
        return f"第{self.number}次参保关系（{self.started_on}起）"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class ApplicationKind(models.TextChoices):
    """What a transfer or termination application asks for (domain §5, §6, R12-R16)."""

    TRANSFER_OUT = "transfer_out", "跨地区转出（居保）"
    TRANSFER_IN = "transfer_in", "跨地区转入（居保）"
    TO_EMPLOYEE = "to_employee", "转入职工养老保险"
    FROM_EMPLOYEE = "from_employee", "职工养老保险转入"
    DEATH = "death", "参保人死亡（缴费人员）"
    ABROAD = "abroad", "出国（境）定居退保"
    DUPLICATE_ENROLLMENT = "duplicate_enrollment", "重复参保注销退费"
    DUPLICATE_RECEIPT = "duplicate_receipt", "重复领取注销退费"
    DUPLICATE_CONTRIBUTION = "duplicate_contribution", "同年重复缴费退费"


AK = ApplicationKind
# Kinds that end the relationship, with how it ends.
ENDS_AS = {
    AK.TRANSFER_OUT: RelationshipEnd.TRANSFER_OUT,
    AK.TO_EMPLOYEE: RelationshipEnd.TO_EMPLOYEE,
    AK.DEATH: RelationshipEnd.DEATH,
    AK.ABROAD: RelationshipEnd.ABROAD,
    AK.DUPLICATE_ENROLLMENT: RelationshipEnd.DUPLICATE_ENROLLMENT,
    AK.DUPLICATE_RECEIPT: RelationshipEnd.DUPLICATE_RECEIPT,
}
INCOMING = (AK.TRANSFER_IN, AK.FROM_EMPLOYEE)
# Kinds whose money is paid to a person (a refund with bank details).
REFUNDED = (AK.DEATH, AK.ABROAD, AK.DUPLICATE_ENROLLMENT, AK.DUPLICATE_RECEIPT, AK.DUPLICATE_CONTRIBUTION)


class RelationshipApplicationQuerySet(ScopedQuerySet):
    town_field = "town"


class RelationshipApplication(Reviewable):
    """转移接续/终止申请: a transfer (out, in, between schemes) or a termination with a refund, with its
    evidence, reviewed town → county. Approval settles the money (contributions) and ends the
    relationship; a transfer in opens the person's new relationship when their last one had ended."""

    review_flow = "enrollment.services.relationships.RELATIONSHIP_FLOW"

    person = models.ForeignKey(
        "enrollment.Person", models.PROTECT, related_name="relationship_applications", verbose_name="参保人"
    )
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="受理镇/农场")
    kind = models.CharField("业务类型", max_length=24, choices=ApplicationKind)
    event_on = models.DateField("发生日期", help_text="转移、死亡、定居、重复领取开始等的日期")
    other_area = models.CharField("转入地/转出地/职保经办机构", max_length=80, blank=True)
    certificate_no = models.CharField("参保缴费凭证编号", max_length=60, blank=True)
    amount_in = models.DecimalField("转入金额", max_digits=14, decimal_places=2, null=True, blank=True)
    years_in = models.JSONField("转入缴费年度", default=list, blank=True)
    employee_years = models.PositiveSmallIntegerField("职保缴费年限", null=True, blank=True)
    employee_start = models.DateField("职保待遇开始年月", null=True, blank=True, help_text="重复领取：职保领取开始月份")
    overlap_year = models.PositiveSmallIntegerField("重复缴费年度", null=True, blank=True)
    overlap_months = models.PositiveSmallIntegerField("重复缴费月数", null=True, blank=True)
    payee_name = models.CharField("收款人", max_length=30, blank=True)
    payee_id_number = models.CharField("收款人身份证号", max_length=18, blank=True)
    payee_relation = models.CharField("与参保人关系", max_length=20, blank=True)
    bank_name = models.CharField("开户银行", max_length=40, blank=True)
    bank_account = models.CharField("银行账号", max_length=32, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()

    objects = RelationshipApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "转移接续/终止申请"
        verbose_name_plural = "转移接续/终止申请"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["town", "status"], name="relapp_town_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ApplicationKind.values), name="relapp_kind_valid"),
            models.UniqueConstraint(
                fields=["person"], condition=Q(status__in=OPEN_REVIEW_STATUSES),
                name="relapp_one_open_per_person", violation_error_message="该参保人已有未办结的转移接续/终止申请",
            ),
        ]
        permissions = [
            ("submit_relationshipapplication", "可录入转移接续/终止申请并提交镇初审"),
            ("review_relationshipapplication", "可县复核转移接续/终止申请"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def number(self) -> str:
        return f"ZY{self.pk:08d}" if self.pk else ""

    @property
    def ends_relationship(self) -> bool:
        return self.kind in ENDS_AS


class RelationshipDocument(models.Model):
    """An evidence document of an application (死亡证明, 户籍注销, 定居证明, 职保参保证明, 转出地凭证 ...),
    stored and served only through the application's page (checked and logged)."""

    application = models.ForeignKey(
        RelationshipApplication, models.PROTECT, related_name="documents", verbose_name="申请"
    )
    title = models.CharField("材料名称", max_length=60)
    file = models.FileField("文件", upload_to="relationship_documents/%Y/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


def _settlement_summary(self) -> dict:
    """What was settled for this application (contributions' rows, reached through their reverse
    relations: enrollment does not import contributions)."""
    exit_ = getattr(self, "account_exit", None)
    return {
        "exit": exit_,
        "refund": getattr(exit_, "refund", None) if exit_ is not None else None,
        "transfer_in": getattr(self, "account_transfer_in", None),
    }


RelationshipApplication.settlement_summary = _settlement_summary
