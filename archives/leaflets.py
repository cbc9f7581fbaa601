"""Printable leaflets of the main rules (duty 1: 宣传政策), filled from the parameter tables of the
year so that a change in the admin changes the leaflet."""

from datetime import date

from django.http import Http404

from benefits import selectors as benefit_selectors
from contributions.models import ContributionGrade
from enrollment import selectors as enrollment_selectors
from linggao_pension import periods
from linggao_pension.money import ZERO

PHONE = "28278663"
TOPICS = [
    ("enroll", "谁可以参保"),
    ("grades", "缴费档次与政府补贴"),
    ("claim", "如何领取养老金"),
    ("transfer", "如何办理关系转移"),
]


def leaflet(*, topic: str, today: date) -> dict:
    builders = {"enroll": _enroll, "grades": _grades, "claim": _claim, "transfer": _transfer}
    if topic not in builders:
        raise Http404("没有这个宣传单")
    context = builders[topic](today)
    return {"topic": topic, "title": dict(TOPICS)[topic], "phone": PHONE, "today": today, "table": None, **context}


def _enroll(today: date) -> dict:
    age = enrollment_selectors.min_enrolment_age(today)
    return {"items": [
        f"年满 {age} 周岁（不含在校学生）、户籍在临高县的城乡居民；",
        "非国家机关和事业单位工作人员，且不属于职工基本养老保险制度覆盖范围；",
        "同一时间只能参加一种基本养老保险，已领取国家规定的基本养老保障待遇的人员不再参保；",
        "携带居民身份证、户口簿到户籍所在镇/农场社保服务点（村/居委会协助）办理参保登记，10 个工作日内办结；",
        "被征地农民、老农保人员、原辞退民办教师及重度残疾人等特殊人群，请向业务股特殊业务部门咨询。",
    ]}  # fmt: skip


def _grades(today: date) -> dict:
    year = today.year
    grades = list(ContributionGrade.objects.filter(year=year).select_related("subsidy").order_by("amount"))
    if not grades:
        year -= 1
        grades = list(ContributionGrade.objects.filter(year=year).select_related("subsidy").order_by("amount"))
    rows = []
    for grade in grades:
        subsidy = getattr(grade, "subsidy", None)
        province = subsidy.province_amount if subsidy else ZERO
        county = subsidy.county_amount if subsidy else ZERO
        rows.append({"grade": grade.amount, "province": province, "county": county, "total": province + county})
    return {
        "year": year,
        "table": {"headers": ["缴费档次（元/年）", "省级补贴（元）", "县级补贴（元）", "补贴合计（元）"], "rows": rows},
        "items": [
            f"{year} 年度可选以上缴费档次，多缴多得，政府补贴全部记入个人账户；",
            "补缴以前年度的保费不享受政府缴费补贴；",
            "缴费可到镇/农场社保服务点或通过银行代收，请保管好缴费票据。",
        ],
    }


def _claim(today: date) -> dict:
    tables = benefit_selectors.pension_tables()
    p = tables.params
    month = periods.month_start(today)
    basic = tables.basic(month=month, years=p.minimum_years, age=p.benefit_age).total
    return {"items": [
        f"年满 {p.benefit_age} 周岁、累计缴费满 {p.minimum_years} 年（制度实施时已年满45周岁的按过渡办法，年限可少于15年）的参保人，可按月领取养老金；",
        f"养老金 = 基础养老金 + 个人账户养老金；本月基础养老金标准 {basic} 元/月（缴费满 {p.minimum_years} 年、{p.benefit_age} 周岁时），缴费年限长的另有加发；",
        f"个人账户养老金 = 个人账户储存额 ÷ {p.account_divisor}；",
        "到龄前后携带居民身份证、户口簿、银行卡（社会保障卡）到镇/农场社保服务点申领，镇初审、县核定后从次月起发放；",
        f"领取待遇期间每 {tables.cycle_months} 个月进行一次领取资格认证；去世的，亲属应及时报告，冒领、误发的养老金须退还。",
    ]}  # fmt: skip


def _transfer(today: date) -> dict:
    return {"items": [
        "尚未领取养老金、户籍迁出临高县的参保人，可随户籍转移养老保险关系：向迁入地经办机构申请，个人账户全部储存额一次性转移，缴费年限累计计算；",
        "已领取养老金的人员，户籍迁移后不转移养老保险关系；",
        "在临高县内的镇、农场之间迁移户籍，只需办理信息变更，无需转移；",
        "达到职工养老保险退休年龄、职工养老保险缴费满15年的，可将城乡居民养老保险转入职工养老保险（居民缴费年限不折算）；不满15年的，可将职工养老保险转入城乡居民养老保险，缴费年限合并计算；",
        "办理时携带居民身份证、户口簿及迁移证明，到户籍所在镇/农场社保服务点或县局业务股。",
    ]}  # fmt: skip
