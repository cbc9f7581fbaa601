"""Demo data for reports: this year's work plan with targets, and the filed monthly reports of the
last months (so the managers' dashboard has its trend and last month's comparison)."""

import random
from decimal import Decimal

from django.utils import timezone

from linggao_pension import periods
from linggao_pension.org.models import User

from .models import BuiltReport, Section, WorkPlan
from .services import statistical, workplans

MONTHS_FILED = 12

TARGETS = [
    # section, target, indicator of the statistical report, target as a share of the residents, owner
    (Section.BUSINESS, "本年度缴费人数达到参保人数的 55%", "本年缴费人数", "0.55", "李建国"),
    (Section.BUSINESS, "按时足额发放养老金，领取人数全部纳入发放", "实发人数", "0.25", "李建国"),
    (Section.FINANCE, "保费按月足额上缴财政专户，收入户月末无余额", "", None, "吴文静"),
    (Section.AUDIT, "开展全县参保人员数据专项检查 4 次", "", None, "周明"),
    (Section.TOWNS, "领取资格认证率达到 100%", "", None, "各镇/农场经办员"),
]


def seed(*, rng: random.Random, residents: int, stdout) -> dict:
    manager = User.objects.get(username="manager")
    today = timezone.localdate()
    plan = WorkPlan.objects.filter(year=today.year).first()
    if plan is None:
        plan = workplans.workplan_create(year=today.year, title=f"{today.year}年度工作计划", by=manager,
                                         note="依法经办、规范管理：参保扩面、足额征缴、按时足额发放、加强稽核与信息公开。")
        for section, title, indicator, share, owner in TARGETS:
            value = (Decimal(residents) * Decimal(share)).quantize(Decimal(1)) if share else None
            workplans.plan_target_add(plan=plan, section=section, title=title, indicator=indicator,
                                      target_value=value, owner=owner, by=manager)
    this_month = periods.month_start(today)
    built = 0
    for i in range(MONTHS_FILED, 0, -1):
        month = periods.add_months(this_month, -i)
        if month.year < 2011 or BuiltReport.objects.filter(kind=BuiltReport.Kind.MONTHLY, month=month).exists():
            continue
        statistical.report_build(kind=BuiltReport.Kind.MONTHLY, month=month, by=manager, files=False)
        built += 1
    last = periods.add_months(this_month, -1)
    if not BuiltReport.objects.filter(kind=BuiltReport.Kind.FUND, month=last).exists():
        statistical.report_build(kind=BuiltReport.Kind.FUND, month=last, by=manager, files=False)
    stdout.write(f"  统计报表：{today.year}年度工作计划，已生成 {built} 份统计月报和上月基金收支月报")
    return {"reports": built}
