"""Reads for the managers' dashboard: this month's key figures, a 12-month trend, coverage by town.

The trend and the comparisons come from the monthly reports the beat job files on the 1st of
each month (aggregates kept by the job, not recomputed per page view); this month's figures so
far are a few indexed counts. The page therefore costs the same few queries at any county size.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce

from benefits.models import PayrollLine, PayrollRun
from contributions.models import Receipt
from enrollment.models import EnrollmentApplication, Person, ReviewStatus
from linggao_pension import periods
from linggao_pension.org.figures import kept

from .models import BuiltReport

ZERO = Decimal("0.00")
TREND = (("参保人数", "参保人数"), ("领取人数", "领取人数"), ("征缴", "本月征缴"), ("实发金额", "实发金额"))


@dataclass
class KeyFigure:
    label: str
    value: Decimal | int
    previous: Decimal | int | None
    money: bool = False

    @property
    def change(self):
        return None if self.previous is None else self.value - self.previous


def latest_reports(*, months: list[date]) -> dict[date, BuiltReport]:
    """The latest version of the monthly report of each month (one query)."""
    found = {}
    for report in (BuiltReport.objects.filter(kind=BuiltReport.Kind.MONTHLY, month__in=months)
                   .only("month", "version", "data").order_by("month", "-version")):
        found.setdefault(report.month, report)
    return found


def _collected(total: dict) -> Decimal:
    return Decimal(total.get("个人缴费收入", "0")) + Decimal(total.get("集体补助及资助收入", "0"))


def dashboard(*, today: date) -> dict:
    this_month = periods.month_start(today)
    months = [periods.add_months(this_month, -i) for i in range(12, 0, -1)]  # the 12 months before this one
    reports = latest_reports(months=months)
    last = reports.get(months[-1])
    last_total = last.data["total"] if last else {}
    figures = kept("enrollment.person_status")  # kept by a job: no count of the registry per view
    by_status = Counter()
    for counts in figures.data.values():
        by_status.update(counts)
    people = {
        "enrolled": sum(n for status, n in by_status.items() if status != Person.Status.TERMINATED),
        "receiving": by_status[Person.Status.RECEIVING],
    }
    collected = Receipt.objects.filter(paid_on__gte=this_month, paid_on__lte=today).exclude(
        status=Receipt.Status.VOIDED
    ).aggregate(t=Coalesce(Sum("personal_amount"), ZERO) + Coalesce(Sum("collective_amount"), ZERO))["t"]
    paid = PayrollLine.objects.filter(run__month=this_month, status=PayrollLine.Status.PAID).aggregate(
        t=Coalesce(Sum("amount"), ZERO))["t"]
    def prev(key, conv=int):
        return conv(last_total[key]) if key in last_total else None

    keys = [
        KeyFigure("参保人数", people["enrolled"], prev("参保人数")),
        KeyFigure("领取人数", people["receiving"], prev("领取人数")),
        KeyFigure("本月征缴（元）", collected, _collected(last_total) if last else None, money=True),
        KeyFigure("本月实发（元）", paid, prev("实发金额", Decimal), money=True),
    ]
    trend = {
        label: [(m, _trend_value(reports.get(m), key)) for m in months] for key, label in TREND
    }
    towns = last.data["towns"] if last else []
    run = PayrollRun.objects.filter(month=this_month).only("status").first()
    open_work = {
        "待县复核的参保登记": EnrollmentApplication.objects.filter(status=ReviewStatus.TOWN_APPROVED).count(),
        "本月发放": run.get_status_display() if run else "未生成",
    }
    return {
        "keys": keys, "trend": trend, "months": months, "missing": [m for m in months if m not in reports],
        "coverage": [(t["town"], int(t["参保人数"]), int(t["领取人数"])) for t in towns],
        "coverage_month": last.month if last else None, "open_work": open_work, "figures_at": figures.computed_at,
    }


def _trend_value(report, key):
    if report is None:
        return None
    total = report.data["total"]
    if key == "征缴":
        return _collected(total)
    value = total.get(key)
    return None if value is None else Decimal(value)
