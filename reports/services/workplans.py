"""Work plans and summaries (duty 8: 制定工作计划并组织实施，做好工作总结).

A yearly plan holds targets by section (股室) with owners; a summary (monthly, quarterly,
mid-year, year-end) records progress against every target, the actual value of a target tied to
a figure of the statistical report being taken from the filed monthly report of that month.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from linggao_pension.org.access import require_perm

from ..figures import figures_of, monthly_groups
from ..models import BuiltReport, PlanTarget, Section, SummaryProgress, WorkPlan, WorkSummary

PERM = "reports.manage_workplan"
QUARTER_ENDS = {3, 6, 9, 12}


def indicator_choices() -> list[tuple[str, str]]:
    """Figures a target may be tied to: the additive figures of the statistical report."""
    return [("", "（不对应统计指标）")] + [
        (f.name, f.name) for f in figures_of(monthly_groups([])) if f.additive
    ]


@transaction.atomic
def workplan_create(*, year: int, title: str, note: str = "", by) -> WorkPlan:
    require_perm(by, PERM)
    if WorkPlan.objects.filter(year=year).exists():
        raise ValidationError({"year": f"{year} 年度工作计划已制定，请在原计划中增加目标"})
    return WorkPlan.objects.create(year=year, title=title.strip(), note=note, created_by=by)


@transaction.atomic
def plan_target_add(*, plan: WorkPlan, section: str, title: str, owner: str, by,
                    indicator: str = "", target_value: Decimal | None = None) -> PlanTarget:
    require_perm(by, PERM)
    if section not in Section.values:
        raise ValidationError({"section": "请选择股室"})
    if indicator and indicator not in dict(indicator_choices()):
        raise ValidationError({"indicator": "统计月报中没有这个指标"})
    if indicator and target_value is None:
        raise ValidationError({"target_value": "对应统计指标的目标须填写目标值"})
    return PlanTarget.objects.create(
        plan=plan, section=section, title=title.strip(), owner=owner.strip(), indicator=indicator,
        target_value=target_value,
    )


def _check_period(period: str, month: date, plan: WorkPlan) -> None:
    if month.year != plan.year:
        raise ValidationError({"month": f"总结月份应在计划年度 {plan.year} 年内"})
    if period == WorkSummary.Period.QUARTERLY and month.month not in QUARTER_ENDS:
        raise ValidationError({"month": "季度总结的截至月份应为 3、6、9 或 12 月"})
    if period == WorkSummary.Period.MID_YEAR and month.month != 6:
        raise ValidationError({"month": "半年总结的截至月份应为 6 月"})
    if period == WorkSummary.Period.YEAR_END and month.month != 12:
        raise ValidationError({"month": "年终总结的截至月份应为 12 月"})


@transaction.atomic
def work_summary_create(*, plan: WorkPlan, period: str, month: date, text: str, by,
                        improvements: str = "") -> WorkSummary:
    """A summary with one progress row per target, actual values from that month's filed report."""
    require_perm(by, PERM)
    if period not in WorkSummary.Period.values:
        raise ValidationError({"period": "请选择总结类型"})
    _check_period(period, month, plan)
    if period == WorkSummary.Period.YEAR_END and not improvements.strip():
        raise ValidationError({"improvements": "年终总结须写明存在问题与改进措施"})
    report = (BuiltReport.objects.filter(kind=BuiltReport.Kind.MONTHLY, month=month).order_by("-version").first())
    targets = list(plan.targets.all())
    if report is None and any(t.indicator for t in targets):
        raise ValidationError({"month": f"{month:%Y年%m月}统计月报尚未生成，请先在统计报表页生成"})
    try:
        summary = WorkSummary.objects.create(
            plan=plan, period=period, month=month, report=report, text=text, improvements=improvements, created_by=by
        )
    except IntegrityError:
        raise ValidationError({"month": "该月份的这类总结已撰写"}) from None
    total = report.data["total"] if report else {}
    SummaryProgress.objects.bulk_create([
        SummaryProgress(summary=summary, target=t, actual_value=_actual(total, t.indicator)) for t in targets
    ])
    return summary


def _actual(total: dict, indicator: str) -> Decimal | None:
    if not indicator or indicator not in total:
        return None
    try:
        return Decimal(str(total[indicator]))
    except InvalidOperation:
        return None


@transaction.atomic
def summary_progress_note(*, progress: SummaryProgress, note: str, by) -> SummaryProgress:
    require_perm(by, PERM)
    progress.note = note.strip()[:200]
    progress.save(update_fields=["note"])
    return progress
