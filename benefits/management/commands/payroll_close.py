from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from benefits.models import PayrollLine
from benefits.services import payroll_close

from ._monthend import dumps, refusal, run_for, user_for


class Command(BaseCommand):
    help = ("导入某月的银行回盘文件（流水号、身份证号、银行账号、金额、结果、失败原因），全部校验通过才入账："
            "成功的明细记为已支付并列支个人账户，失败的下月重发（与页面同一服务）。")

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="发放年月 YYYY-MM")
        parser.add_argument("--return", dest="return_file", required=True, metavar="FILE.xlsx", help="银行回盘文件")
        parser.add_argument("--paid-on", required=True, help="银行发放日期 YYYY-MM-DD")
        parser.add_argument("--by", required=True, metavar="USERNAME", help="回盘人的用户名（财务）")
        parser.add_argument("--json", action="store_true", help='输出 {"month", "imported", "paid", "failed", "errors"}')

    def handle(self, *args, month: str, return_file: str, paid_on: str, by: str, json: bool, **options):
        try:
            day = date.fromisoformat(paid_on)
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{paid_on}") from None
        path = Path(return_file).expanduser().resolve()
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        run = run_for(month)
        try:
            with path.open("rb") as file:
                result = payroll_close(run=run, file=file, by=user_for(by), paid_on=day)
        except (ValidationError, PermissionDenied) as exc:
            raise refusal(exc) from None
        lines = run.lines
        data = {"month": f"{run.month:%Y-%m}", "imported": result.imported,
                "paid": lines.filter(status=PayrollLine.Status.PAID).count(),
                "failed": lines.filter(status=PayrollLine.Status.FAILED).count(),
                "errors": result.as_dict().get("errors", [])}
        if json:
            self.stdout.write(dumps(data))
        else:
            for error in data["errors"]:
                self.stdout.write(f"第 {error['row']} 行 {error['column']}：{error['message']}")
        if not result.ok:
            raise CommandError(f"回盘失败：发现 {len(result.errors)} 处错误，未处理任何明细")
        if not json:
            self.stdout.write(f"{run}已回盘：成功 {data['paid']} 笔，失败 {data['failed']} 笔")
