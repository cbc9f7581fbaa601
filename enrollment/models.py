"""The resident registry: insured persons (参保人) and the data tables they refer to."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from linggao_pension.org.models import ScopedQuerySet
from linggao_pension.states import Moves
from linggao_pension.workflow import (  # noqa: F401 (the review names enrollment's callers import from here)
    EDITABLE_REVIEW_STATUSES,
    OPEN_REVIEW_STATUSES,
    Reviewable,
    ReviewStatus,
)

# GB 3304 民族代码. Lingao's residents are mostly 汉族 and 黎族.
ETHNICITIES = [
    ("01", "汉族"), ("02", "蒙古族"), ("03", "回族"), ("04", "藏族"), ("05", "维吾尔族"), ("06", "苗族"),
    ("07", "彝族"), ("08", "壮族"), ("09", "布依族"), ("10", "朝鲜族"), ("11", "满族"), ("12", "侗族"),
    ("13", "瑶族"), ("14", "白族"), ("15", "土家族"), ("16", "哈尼族"), ("17", "哈萨克族"), ("18", "傣族"),
    ("19", "黎族"), ("20", "傈僳族"), ("21", "佤族"), ("22", "畲族"), ("23", "高山族"), ("24", "拉祜族"),
    ("25", "水族"), ("26", "东乡族"), ("27", "纳西族"), ("28", "景颇族"), ("29", "柯尔克孜族"), ("30", "土族"),
    ("31", "达斡尔族"), ("32", "仫佬族"), ("33", "羌族"), ("34", "布朗族"), ("35", "撒拉族"), ("36", "毛南族"),
    ("37", "仡佬族"), ("38", "锡伯族"), ("39", "阿昌族"), ("40", "普米族"), ("41", "塔吉克族"), ("42", "怒族"),
    ("43", "乌孜别克族"), ("44", "俄罗斯族"), ("45", "鄂温克族"), ("46", "德昂族"), ("47", "保安族"),
    ("48", "裕固族"), ("49", "京族"), ("50", "塔塔尔族"), ("51", "独龙族"), ("52", "鄂伦春族"), ("53", "赫哲族"),
    ("54", "门巴族"), ("55", "珞巴族"), ("56", "基诺族"), ("97", "其他"), ("98", "外国血统中国籍人士"),
]
ETHNICITY_CODES = [code for code, _ in ETHNICITIES]


class IdentityCode(models.Model):
    """参保身份 (aac066): the special-group code table, editable as data (domain §1.2)."""

    code = models.CharField("代码", max_length=3, primary_key=True)
    name = models.CharField("名称", max_length=40)
    is_active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "参保身份"
        verbose_name_plural = "参保身份"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PersonSex(models.TextChoices):
    MALE = "1", "男"
    FEMALE = "2", "女"


class HukouType(models.TextChoices):
    URBAN = "10", "城镇"
    RURAL = "20", "农村"


class PersonStatus(models.TextChoices):
    """参保状态 (domain R3: 参保状态, 缴费状态); Person.Status."""

    CONTRIBUTING = "contributing", "正常参保"
    CONTRIB_SUSPENDED = "contrib_suspended", "暂停缴费"
    RECEIVING = "receiving", "待遇领取"
    BENEFIT_SUSPENDED = "benefit_suspended", "暂停领取"
    TERMINATED = "terminated", "终止参保"


_P = PersonStatus
# domain R3: the insurance relationship's allowed moves (linggao_pension.states).
PersonStatus.moves = Moves(PersonStatus, {
    _P.CONTRIBUTING: {_P.CONTRIB_SUSPENDED, _P.RECEIVING, _P.TERMINATED},
    _P.CONTRIB_SUSPENDED: {_P.CONTRIBUTING, _P.TERMINATED},
    _P.RECEIVING: {_P.BENEFIT_SUSPENDED, _P.TERMINATED},
    _P.BENEFIT_SUSPENDED: {_P.RECEIVING, _P.TERMINATED},
})  # fmt: skip


class PersonQuerySet(ScopedQuerySet):
    def contributing(self):
        return self.filter(status__in=[Person.Status.CONTRIBUTING, Person.Status.CONTRIB_SUSPENDED])

    def receiving(self):
        return self.filter(status=Person.Status.RECEIVING)


class Person(models.Model):
    """An insured person (参保人): created when the county approves enrollment, or by the go-live import."""

    Sex = PersonSex
    HukouType = HukouType
    Status = PersonStatus

    insured_no = models.CharField("参保编号", max_length=20, unique=True)
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    name = models.CharField("姓名", max_length=30, db_index=True)
    sex = models.CharField("性别", max_length=1, choices=Sex)
    birth_date = models.DateField("出生日期", db_index=True)
    ethnicity = models.CharField("民族", max_length=2, choices=ETHNICITIES, default="01")
    hukou_type = models.CharField("户籍性质", max_length=2, choices=HukouType, default=HukouType.RURAL)
    hukou_address = models.CharField("户籍地址", max_length=120, blank=True)
    residential_address = models.CharField("居住地址", max_length=120, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="persons", verbose_name="镇/农场")
    village = models.ForeignKey(
        "org.Village", models.PROTECT, null=True, blank=True, related_name="persons", verbose_name="村/居委会"
    )
    identity = models.ForeignKey(
        IdentityCode, models.PROTECT, related_name="persons", verbose_name="参保身份", default="011"
    )
    land_expropriated = models.BooleanField("被征地农民", default=False)
    old_rural_pension = models.BooleanField("老农保", default=False)
    dismissed_teacher = models.BooleanField("原辞退民办教师", default=False)
    bank_name = models.CharField("开户银行", max_length=40, blank=True)
    bank_account = models.CharField("银行/社保卡账号", max_length=32, blank=True)
    enrolled_on = models.DateField("参保日期")
    status = models.CharField("参保状态", max_length=20, choices=Status, default=Status.CONTRIBUTING, db_index=True)
    status_reason = models.CharField("状态原因代码", max_length=4, blank=True)
    status_changed_on = models.DateField("状态变更日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "参保人"
        verbose_name_plural = "参保人"
        ordering = ["town__sort_order", "insured_no"]
        indexes = [
            models.Index(fields=["town", "status"], name="person_town_status_idx"),
            # The registry's order with the key: a deep page's keys from the index alone (PostgreSQL
            # INCLUDE; a plain index elsewhere).
            models.Index(fields=["insured_no"], include=["id"], name="person_insured_no_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=PersonSex.values), name="person_sex_valid"),
            models.CheckConstraint(condition=Q(hukou_type__in=HukouType.values), name="person_hukou_type_valid"),
            models.CheckConstraint(condition=Q(status__in=PersonStatus.values), name="person_status_valid"),
            models.CheckConstraint(condition=Q(ethnicity__in=ETHNICITY_CODES), name="person_ethnicity_valid"),
        ]
        permissions = [
            ("view_person_full", "可查看参保人完整信息（身份证号、电话、账号）"),
            ("import_persons", "可导入历史参保数据"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.insured_no}）"



class EnrollmentParameter(models.Model):
    """Enrollment parameters in force from a date (binding default: minimum age 16 full years, R2)."""

    effective_from = models.DateField("生效日期", unique=True)
    min_enrolment_age = models.PositiveSmallIntegerField("最低参保年龄（周岁）")
    note = models.CharField("依据", max_length=120, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "参保登记参数"
        verbose_name_plural = "参保登记参数"
        ordering = ["effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_enrolment_age__gte=1) & Q(min_enrolment_age__lte=100), name="enrolparam_age_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.effective_from} 起：年满{self.min_enrolment_age}周岁"


class NumberSequence(models.Model):
    """A counter handed out under a row lock (参保编号), so two approvals or imports at once never
    produce the same number. The number's format lives with the service that allocates it."""

    name = models.CharField("名称", max_length=30, primary_key=True)
    last_value = models.BigIntegerField("已用到", default=0)

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"
        constraints = [models.CheckConstraint(condition=Q(last_value__gte=0), name="numberseq_last_value_gte_0")]

    def __str__(self) -> str:
        return f"{self.name} {self.last_value}"


# The review path (草稿 → 镇初审 → 县复核) is the shared one (linggao_pension.workflow).
REVIEW_STATUS_VALUES = ReviewStatus.values


class TownOrPersonTownQuerySet(ScopedQuerySet):
    """Rows of a town (where they were entered) or of a person now in that town (after a move)."""

    town_fields = ("town", "person__town")


class EnrollmentApplication(Reviewable):
    """参保登记申请: entered by a town agent, 镇初审, then 县复核; approval creates the Person."""

    id_number = models.CharField("身份证号", max_length=18, db_index=True)
    name = models.CharField("姓名", max_length=30)
    sex = models.CharField("性别", max_length=1, choices=Person.Sex)
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=2, choices=ETHNICITIES, default="01")
    hukou_type = models.CharField("户籍性质", max_length=2, choices=Person.HukouType, default=Person.HukouType.RURAL)
    hukou_address = models.CharField("户籍地址", max_length=120)
    residential_address = models.CharField("居住地址", max_length=120, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    town = models.ForeignKey(
        "org.Town", models.PROTECT, related_name="enrollment_applications", verbose_name="镇/农场"
    )
    village = models.ForeignKey(
        "org.Village", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="村/居委会"
    )
    identity = models.ForeignKey(
        IdentityCode, models.PROTECT, related_name="+", verbose_name="参保身份", default="011"
    )
    land_expropriated = models.BooleanField("被征地农民", default=False)
    old_rural_pension = models.BooleanField("老农保", default=False)
    dismissed_teacher = models.BooleanField("原辞退民办教师", default=False)
    bank_name = models.CharField("开户银行", max_length=40, blank=True)
    bank_account = models.CharField("银行/社保卡账号", max_length=32, blank=True)
    # R2 declarations, made by the applicant and checked by the town agent.
    is_student = models.BooleanField("在校学生", default=False)
    in_employee_scheme = models.BooleanField("已参加职工基本养老保险", default=False)
    is_public_servant = models.BooleanField("机关事业单位工作人员", default=False)
    receives_state_pension = models.BooleanField("已领取国家规定的基本养老保障待遇", default=False)
    applied_on = models.DateField("申请日期")
    # A person whose relationship ended other than by death may enrol again: a second application
    # of the same person (a new insurance relationship, enrollment.relationships).
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="enrollment_applications", verbose_name="参保人"
    )
    history = HistoricalRecords()

    objects = TownOrPersonTownQuerySet.as_manager()
    review_flow = "enrollment.services.applications.APPLICATION_FLOW"

    class Meta:
        verbose_name = "参保登记申请"
        verbose_name_plural = "参保登记申请"
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("submit_enrollmentapplication", "可录入参保登记申请并提交镇初审"),
            ("review_enrollmentapplication", "可县复核参保登记申请"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=REVIEW_STATUS_VALUES), name="enrolapp_status_valid"),
            models.CheckConstraint(condition=Q(sex__in=PersonSex.values), name="enrolapp_sex_valid"),
            models.CheckConstraint(condition=Q(hukou_type__in=HukouType.values), name="enrolapp_hukou_type_valid"),
            models.CheckConstraint(condition=Q(ethnicity__in=ETHNICITY_CODES), name="enrolapp_ethnicity_valid"),
            # Approved <=> the person exists.
            models.CheckConstraint(
                condition=(Q(status="county_approved") & Q(person__isnull=False))
                | (~Q(status="county_approved") & Q(person__isnull=True)),
                name="enrolapp_person_iff_approved",
            ),
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(status__in=OPEN_REVIEW_STATUSES),
                name="enrolapp_one_open_per_id",
                violation_error_message="该身份证号已有未办结的参保登记申请",
            ),
        ]

    def __str__(self) -> str:
        return f"参保登记申请 {self.number} {self.name}"

    @property
    def number(self) -> str:
        return f"DJ{self.pk:08d}" if self.pk else ""


# Person fields a change request (信息变更) may change, with their labels. A move between towns
# changes town and village together.
CHANGEABLE_FIELDS = {
    "phone": "联系电话",
    "residential_address": "居住地址",
    "hukou_address": "户籍地址",
    "bank_name": "开户银行",
    "bank_account": "银行/社保卡账号",
    "town": "镇/农场",
    "village": "村/居委会",
    "identity": "参保身份",
}


class ChangeRequest(Reviewable):
    """信息变更: a change of a person's contact, bank, town/village or identity code, reviewed like an
    enrollment. `town` is the person's town when the request was entered (its agents handle it)."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="change_requests", verbose_name="参保人")
    town = models.ForeignKey("org.Town", models.PROTECT, related_name="+", verbose_name="受理镇/农场")
    changed_fields = models.JSONField("变更项目", default=list)
    new_phone = models.CharField("新联系电话", max_length=20, blank=True)
    new_residential_address = models.CharField("新居住地址", max_length=120, blank=True)
    new_hukou_address = models.CharField("新户籍地址", max_length=120, blank=True)
    new_bank_name = models.CharField("新开户银行", max_length=40, blank=True)
    new_bank_account = models.CharField("新银行/社保卡账号", max_length=32, blank=True)
    new_town = models.ForeignKey(
        "org.Town", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="新镇/农场"
    )
    new_village = models.ForeignKey(
        "org.Village", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="新村/居委会"
    )
    new_identity = models.ForeignKey(
        IdentityCode, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="新参保身份"
    )
    reason = models.CharField("变更原因", max_length=200)
    before = models.JSONField("变更前", default=dict, blank=True, help_text="复核通过时被替换的值")

    objects = TownOrPersonTownQuerySet.as_manager()
    review_flow = "enrollment.services.change_requests.CHANGE_REQUEST_FLOW"

    class Meta:
        verbose_name = "信息变更申请"
        verbose_name_plural = "信息变更申请"
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("submit_changerequest", "可录入信息变更并提交镇初审"),
            ("review_changerequest", "可县复核信息变更"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=REVIEW_STATUS_VALUES), name="changereq_status_valid"),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=OPEN_REVIEW_STATUSES),
                name="changereq_one_open_per_person",
                violation_error_message="该参保人已有未办结的信息变更申请",
            ),
        ]

    def __str__(self) -> str:
        return f"信息变更 {self.number}"

    @property
    def number(self) -> str:
        return f"BG{self.pk:08d}" if self.pk else ""


# The insurance relationship and its transfers and terminations (issue 12) live in their own module.
from .models_relationships import (  # noqa: E402, F401
    ApplicationKind,
    InsuranceRelationship,
    RelationshipApplication,
    RelationshipDocument,
    RelationshipEnd,
    RelationshipStart,
)
