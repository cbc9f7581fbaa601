"""Archives (档案): scanned documents with archive numbers and checksums, volumes, paper-file loans,
issued certificates, the registers of 表、单、证、卡、册, the consultation desk and the policy library.

Documents attach to any business record through a generic relation; each app declares how to find
its records' town and permission (`archive_record_types` on its AppConfig, see records.py), so this
app imports no later app to scope a document.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from linggao_pension.org.models import ScopedQuerySet


class ModuleAccess(models.Model):
    """No table: carries the permission that opens this module's pages."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_archives", "可进入档案模块")]

    def __str__(self) -> str:
        return self._meta.verbose_name


class Category(models.TextChoices):
    """档案类别 (the 类别 part of 档号)."""

    ENROLLMENT = "CB", "参保登记"
    CONTRIBUTION = "JF", "保费征缴"
    BENEFIT = "DY", "待遇"
    TRANSFER = "ZY", "转移与终止"
    SUPERVISION = "JC", "稽核监督"
    GENERAL = "ZH", "综合"


class Retention(models.TextChoices):
    PERMANENT = "Y", "永久"
    YEARS_30 = "D30", "30年"
    YEARS_10 = "D10", "10年"


class Sequence(models.Model):
    """The last number given out under a key (档号 件号 per fonds/year/category, certificate serials).

    Numbers are taken with one UPDATE ... SET last = last + 1 inside the caller's transaction, so
    two uploads at once never get the same number (the row stays locked until commit)."""

    key = models.CharField("键", max_length=60, unique=True)
    last = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = "档案编号序列"
        verbose_name_plural = "档案编号序列"

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class DocumentType(models.Model):
    """A kind of scanned file (参保登记表, 身份证复印件 ...) with its category and default retention."""

    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    category = models.CharField("档案类别", max_length=3, choices=Category)
    retention = models.CharField("默认保管期限", max_length=3, choices=Retention, default=Retention.PERMANENT)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "文件类型"
        verbose_name_plural = "文件类型"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Volume(models.Model):
    """案卷: documents of one year and category bound together, with a catalogue (卷内目录)."""

    year = models.PositiveSmallIntegerField("年度")
    category = models.CharField("档案类别", max_length=3, choices=Category)
    number = models.PositiveSmallIntegerField("案卷号")
    title = models.CharField("案卷题名", max_length=120)
    retention = models.CharField("保管期限", max_length=3, choices=Retention, default=Retention.PERMANENT)
    custody_location = models.CharField("存放位置", max_length=80, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="立卷人")
    created_at = models.DateTimeField("立卷时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "案卷"
        verbose_name_plural = "案卷"
        ordering = ["-year", "category", "number"]
        constraints = [models.UniqueConstraint(fields=["year", "category", "number"], name="volume_unique_number")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        return f"{self.year}-{self.category}-J{self.number:03d}"


class DocumentQuerySet(ScopedQuerySet):
    town_field = "town"


class Document(models.Model):
    """A scanned file attached to a business record, with its 档号 and SHA-256 checksum."""

    record_type = models.ForeignKey(ContentType, models.PROTECT, related_name="+", verbose_name="业务记录类型")
    record_id = models.PositiveBigIntegerField("业务记录编号")
    record = GenericForeignKey("record_type", "record_id")
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="镇/农场")
    person = models.ForeignKey(
        "enrollment.Person", models.PROTECT, null=True, blank=True, related_name="documents", verbose_name="参保人"
    )
    doc_type = models.ForeignKey(DocumentType, models.PROTECT, related_name="documents", verbose_name="文件类型")
    title = models.CharField("文件题名", max_length=120)
    fonds = models.CharField("全宗号", max_length=12)
    year = models.PositiveSmallIntegerField("年度")
    category = models.CharField("档案类别", max_length=3, choices=Category)
    item_no = models.PositiveIntegerField("件号")
    archive_no = models.CharField("档号", max_length=40, unique=True)
    retention = models.CharField("保管期限", max_length=3, choices=Retention)
    custody_location = models.CharField("纸质件存放位置", max_length=80, blank=True)
    volume = models.ForeignKey(
        Volume, models.PROTECT, null=True, blank=True, related_name="documents", verbose_name="案卷"
    )
    file = models.FileField("文件", upload_to="archives/", max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    mime_type = models.CharField("文件格式", max_length=30)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256 校验值", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    history = HistoricalRecords()

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "电子档案"
        verbose_name_plural = "电子档案"
        ordering = ["-uploaded_at", "-pk"]
        indexes = [
            models.Index(fields=["record_type", "record_id"], name="document_record_idx"),
            models.Index(fields=["town", "year", "category"], name="document_town_year_idx"),
            models.Index(fields=["year", "category", "item_no"], name="document_year_cat_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["fonds", "year", "category", "item_no"], name="document_unique_item"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="document_category_valid"),
            models.CheckConstraint(condition=Q(retention__in=Retention.values), name="document_retention_valid"),
        ]
        permissions = [("lend_document", "可登记纸质档案借阅与归还")]

    def __str__(self) -> str:
        return f"{self.archive_no} {self.title}"


class IntegrityFailure(models.Model):
    """A download refused because the stored file no longer matches its checksum (or is missing)."""

    document = models.ForeignKey(Document, models.PROTECT, related_name="integrity_failures", verbose_name="电子档案")
    detected_at = models.DateTimeField("发现时间", auto_now_add=True)
    detected_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="下载人")
    expected = models.CharField("应有校验值", max_length=64)
    actual = models.CharField("实际校验值", max_length=64, help_text="文件缺失时为空")

    class Meta:
        verbose_name = "档案校验失败记录"
        verbose_name_plural = "档案校验失败记录"
        ordering = ["-detected_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.document.archive_no} {self.detected_at:%Y-%m-%d %H:%M}"


class LoanQuerySet(ScopedQuerySet):
    town_field = "document__town"


class Loan(models.Model):
    """借阅: a paper file lent out (who, when, due) and its return."""

    document = models.ForeignKey(Document, models.PROTECT, related_name="loans", verbose_name="档案")
    borrower = models.CharField("借阅人", max_length=40)
    borrower_unit = models.CharField("借阅单位/股室", max_length=60, blank=True)
    purpose = models.CharField("借阅事由", max_length=120)
    lent_on = models.DateField("借出日期")
    due_on = models.DateField("应还日期")
    lent_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="经办人")
    returned_on = models.DateField("归还日期", null=True, blank=True)
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="接收人"
    )
    history = HistoricalRecords()

    objects = LoanQuerySet.as_manager()

    class Meta:
        verbose_name = "纸质档案借阅"
        verbose_name_plural = "纸质档案借阅"
        ordering = ["-lent_on", "-pk"]
        indexes = [models.Index(fields=["returned_on", "due_on"], name="loan_open_due_idx")]
        constraints = [
            # A paper file is in one place: at most one open loan per document.
            models.UniqueConstraint(fields=["document"], condition=Q(returned_on__isnull=True), name="loan_one_open"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("lent_on")), name="loan_due_after_lent"),
        ]

    def __str__(self) -> str:
        return f"{self.document.archive_no} → {self.borrower}"


# --- certificates and the registers of 表、单、证、卡、册 -------------------------------------------------


class Register(models.Model):
    """A register (台账) of one kind of 表、单、证、卡、册: what was made, reviewed, issued, kept."""

    class Kind(models.TextChoices):
        FORM = "表", "表"
        SLIP = "单", "单"
        CERTIFICATE = "证", "证"
        CARD = "卡", "卡"
        BOOK = "册", "册"

    code = models.CharField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    kind = models.CharField("类别", max_length=1, choices=Kind)
    description = models.CharField("说明", max_length=200, blank=True)
    custody_location = models.CharField("保管位置", max_length=80, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "单证台账"
        verbose_name_plural = "单证台账"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}·{self.name}"


class RegisterEntryAction(models.TextChoices):
    MADE = "made", "缮制"
    REVIEWED = "reviewed", "复核"
    ISSUED = "issued", "签发"
    KEPT = "kept", "保管"


class RegisterEntry(models.Model):
    """One line of a register: 缮制 (made), 复核 (reviewed, never by its maker), 签发 (issued), 保管 (kept)."""

    Action = RegisterEntryAction

    register = models.ForeignKey(Register, models.PROTECT, related_name="entries", verbose_name="台账")
    action = models.CharField("事项", max_length=10, choices=Action)
    reference = models.CharField("单证编号/名称", max_length=60)
    quantity = models.PositiveIntegerField("份数", default=1)
    note = models.CharField("说明", max_length=200, blank=True)
    reviews = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="reviewed_by", verbose_name="复核的缮制记录"
    )
    custody_location = models.CharField("保管位置", max_length=80, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="经办人",
        help_text="为空：由命令行办理",
    )
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "台账记录"
        verbose_name_plural = "台账记录"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["register", "at"], name="regentry_register_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=RegisterEntryAction.values), name="regentry_action_valid"
            ),
            models.CheckConstraint(
                condition=Q(action="reviewed", reviews__isnull=False) | (~Q(action="reviewed") & Q(reviews__isnull=True)),
                name="regentry_review_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.register.name} {self.get_action_display()} {self.reference}"


class CertificateQuerySet(ScopedQuerySet):
    town_field = "person__town"


class CertificateKind(models.TextChoices):
    CONTRIBUTION = "contribution", "参保缴费证明"
    BENEFIT = "benefit", "待遇领取证明"


class Certificate(models.Model):
    """A certificate issued on request (签发): its content is frozen at issue and signed by its code."""

    Kind = CertificateKind

    kind = models.CharField("证明类型", max_length=12, choices=Kind)
    serial = models.CharField("证明编号", max_length=30, unique=True)
    code = models.CharField("验证码", max_length=32, unique=True)
    person = models.ForeignKey("enrollment.Person", models.PROTECT, related_name="certificates", verbose_name="参保人")
    person_name = models.CharField("姓名", max_length=30)
    id_number = models.CharField("身份证号", max_length=18)
    content = models.JSONField("证明内容")
    purpose = models.CharField("用途", max_length=60, blank=True)
    issued_on = models.DateField("签发日期")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="签发人",
        help_text="为空：由命令行签发",
    )
    issued_at = models.DateTimeField("签发时间", auto_now_add=True)
    pdf = models.FileField("PDF", upload_to="certificates/", max_length=200, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = "证明"
        verbose_name_plural = "证明"
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["kind", "issued_on"], name="certificate_kind_date_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CertificateKind.values), name="certificate_kind_valid")
        ]
        permissions = [("issue_certificate", "可签发参保缴费证明、待遇领取证明")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"


# --- the consultation desk (公共服务事项) ----------------------------------------------------------------


class Unit(models.TextChoices):
    BUSINESS = "业务股", "业务股"
    SPECIAL = "业务股特殊业务部门", "业务股特殊业务部门"
    AUDIT = "稽核股", "稽核股"


class ConsultationService(models.Model):
    """One of the bureau's public services (公共服务事项登记表), loaded by a migration."""

    number = models.PositiveSmallIntegerField("序号", unique=True)
    name = models.CharField("服务事项", max_length=40, unique=True)
    content = models.CharField("主要内容", max_length=200)
    unit = models.CharField("承办机构", max_length=20, choices=Unit)
    co_unit = models.CharField("协办机构", max_length=20, choices=Unit, blank=True)
    phone = models.CharField("联系电话", max_length=20)
    is_active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "公共服务事项"
        verbose_name_plural = "公共服务事项"
        ordering = ["number"]

    def __str__(self) -> str:
        return self.name


class ConsultationQuerySet(ScopedQuerySet):
    town_field = "town"


class ConsultationChannel(models.TextChoices):
    PHONE = "phone", "电话"
    VISIT = "visit", "来访"
    ONLINE = "online", "网络"
    LETTER = "letter", "信函"


class Consultation(models.Model):
    """One consultation taken at the desk (or by phone): question, answer, follow-up, referral."""

    Channel = ConsultationChannel

    service = models.ForeignKey(ConsultationService, models.PROTECT, related_name="+", verbose_name="服务事项")
    channel = models.CharField("方式", max_length=8, choices=Channel, default=Channel.PHONE)
    person = models.ForeignKey(
        "enrollment.Person", models.PROTECT, null=True, blank=True, related_name="consultations", verbose_name="参保人"
    )
    caller_name = models.CharField("咨询人", max_length=30, blank=True)
    caller_phone = models.CharField("联系电话", max_length=20, blank=True)
    question = models.TextField("咨询问题")
    answer = models.TextField("答复", blank=True)
    referred_to = models.CharField("转交承办机构", max_length=20, choices=Unit, blank=True)
    follow_up_due = models.DateField("回访/答复期限", null=True, blank=True)
    followed_up_on = models.DateField("回访日期", null=True, blank=True)
    follow_up_note = models.CharField("回访情况", max_length=200, blank=True)
    town = models.ForeignKey("org.Town", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="镇/农场")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="受理人")
    created_at = models.DateTimeField("受理时间", auto_now_add=True, db_index=True)
    history = HistoricalRecords()

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = "咨询记录"
        verbose_name_plural = "咨询记录"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["followed_up_on", "follow_up_due"], name="consult_followup_idx"),
            models.Index(fields=["service", "created_at"], name="consult_service_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=ConsultationChannel.values), name="consultation_channel_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service.name} {self.created_at:%Y-%m-%d}"


# --- policy publicity (duty 1) ---------------------------------------------------------------------


class PolicyDocumentKind(models.TextChoices):
    POLICY = "policy", "政策文件"
    NOTICE = "notice", "通知公告"
    INTERPRETATION = "interpretation", "政策解读"


class PolicyDocument(models.Model):
    """A policy document or notice in the library shown to every staff user."""

    Kind = PolicyDocumentKind

    kind = models.CharField("类别", max_length=16, choices=Kind, default=Kind.POLICY)
    title = models.CharField("标题", max_length=120)
    doc_no = models.CharField("文号", max_length=60, blank=True)
    issuing_body = models.CharField("发文机关", max_length=60)
    issued_on = models.DateField("发文日期", db_index=True)
    effective_on = models.DateField("施行日期", null=True, blank=True)
    summary = models.TextField("内容摘要")
    file = models.FileField("原文（PDF）", upload_to="policies/", max_length=200, blank=True)
    sha256 = models.CharField("SHA-256 校验值", max_length=64, blank=True)
    is_active = models.BooleanField("有效", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="录入人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "政策文件"
        verbose_name_plural = "政策文件"
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PolicyDocumentKind.values), name="policy_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.title
