import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from benefits.services import PAYROLL_JOB
from linggao_pension import periods
from linggao_pension.org.models import User
from linggao_pension.org.services import jobrun_create, jobrun_execute


class Command(BaseCommand):
    help = (
        "生成某月的月度待遇发放明细（正常发放、标准调整补发、支付失败重发）。可重复运行：已生成的明细不会重复生成；"
        "上月未回盘、本月已复核等情况拒绝生成，退出码非零。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="发放年月，YYYY-MM，如 2026-03")
        parser.add_argument("--json", action="store_true", help='输出 {"lines": n, "total": "x.xx", "created": k, "suspended": s, "backpay_lines": b}')
        parser.add_argument("--by", metavar="USERNAME", help="记录为生成人的用户名（可选，默认记为系统）")

    def handle(self, *args, month: str, json: bool, by: str | None, **options):
        try:
            periods.parse_month(month)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        user = None
        if by:
            user = User.objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"用户不存在：{by}")
        job = jobrun_create(kind=PAYROLL_JOB, by=user, params={"month": month})
        try:
            job = jobrun_execute(job=job)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from None
        result = job.result
        if json:
            self.stdout.write(_dumps({key: result[key] for key in ("lines", "total", "created", "suspended",
                                                                   "backpay_lines")}))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"{month} 发放：共 {result['lines']} 条，合计 {result['total']} 元，本次新增 {result['created']} 条"
                f"；认证逾期暂停 {result['suspended']} 人，恢复补发 {result['backpay_lines']} 条（任务 #{job.pk}）"
            ))


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
