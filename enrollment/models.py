"""The resident registry: insured persons (参保人) and the data tables they refer to."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from linggao_pension.org.models import ScopedQuerySet

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


class PersonQuerySet(ScopedQuerySet):
    def contributing(self):
        return self.filter(status__in=[Person.Status.CONTRIBUTING, Person.Status.CONTRIB_SUSPENDED])

    def receiving(self):
        return self.filter(status=Person.Status.RECEIVING)


class Person(models.Model):
    """An insured person (参保人): created when the county approves enrollment, or by the go-live import."""

    class Sex(models.TextChoices):
        MALE = "1", "男"
        FEMALE = "2", "女"

    class HukouType(models.TextChoices):
        URBAN = "10", "城镇"
        RURAL = "20", "农村"

    class Status(models.TextChoices):
        # domain R3: (参保状态, 缴费状态)
        CONTRIBUTING = "contributing", "正常参保"
        CONTRIB_SUSPENDED = "contrib_suspended", "暂停缴费"
        RECEIVING = "receiving", "待遇领取"
        BENEFIT_SUSPENDED = "benefit_suspended", "暂停领取"
        TERMINATED = "terminated", "终止参保"

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
        indexes = [models.Index(fields=["town", "status"], name="person_town_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=["1", "2"]), name="person_sex_valid"),
            models.CheckConstraint(condition=Q(hukou_type__in=["10", "20"]), name="person_hukou_type_valid"),
            models.CheckConstraint(
                condition=Q(
                    status__in=["contributing", "contrib_suspended", "receiving", "benefit_suspended", "terminated"]
                ),
                name="person_status_valid",
            ),
        ]
        permissions = [("view_person_full", "可查看参保人完整信息（身份证号、电话、账号）")]

    def __str__(self) -> str:
        return f"{self.name}（{self.insured_no}）"

