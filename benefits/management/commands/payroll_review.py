from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand

from benefits.services import payroll_review

from ._monthend import dumps, refusal, run_for, user_for


class Command(BaseCommand):
    help = "复核某月的发放明细（与页面同一服务：生成人不能复核）。"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="发放年月 YYYY-MM")
        parser.add_argument("--by", required=True, metavar="USERNAME", help="复核人的用户名（财务）")
        parser.add_argument("--note", default="", help="复核意见")
        parser.add_argument("--json", action="store_true", help='输出 {"month", "status", "lines", "total"}')

    def handle(self, *args, month: str, by: str, note: str, json: bool, **options):
        run = run_for(month)
        try:
            run = payroll_review(run=run, by=user_for(by), note=note)
        except (ValidationError, PermissionDenied) as exc:
            raise refusal(exc) from None
        from benefits.selectors import run_totals

        count, total = run_totals(run)
        data = {"month": f"{run.month:%Y-%m}", "status": run.status, "lines": count, "total": str(total)}
        self.stdout.write(dumps(data) if json else f"{run}已复核：{count} 条，合计 {total} 元")
