from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from benefits.services import payroll_export, return_template_bytes

from ._monthend import dumps, refusal, run_for, user_for


class Command(BaseCommand):
    help = "导出某月已复核发放的银行文件（每个银行一个）和银行回盘模板，写入 --out 目录（与页面同一服务）。"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="发放年月 YYYY-MM")
        parser.add_argument("--out", required=True, metavar="DIR", help="输出目录")
        parser.add_argument("--by", required=True, metavar="USERNAME", help="导出人的用户名（财务）")
        parser.add_argument("--json", action="store_true",
                            help='输出 {"month", "files": [{"bank", "lines", "total", "path"}], "return_template"}')

    def handle(self, *args, month: str, out: str, by: str, json: bool, **options):
        directory = Path(out).expanduser().resolve()
        directory.mkdir(parents=True, exist_ok=True)
        if not directory.is_dir():
            raise CommandError(f"不是目录：{directory}")
        run = run_for(month)
        try:
            files = payroll_export(run=run, by=user_for(by))
        except (ValidationError, PermissionDenied) as exc:
            raise refusal(exc) from None
        listed = []
        for bank_file in files:
            path = directory / f"{run.month:%Y-%m}_{bank_file.bank_name}_代发.xlsx"
            with bank_file.file.open("rb") as f:
                path.write_bytes(f.read())
            listed.append({"bank": bank_file.bank_name, "lines": bank_file.line_count, "total": str(bank_file.total),
                           "path": str(path)})
        template = directory / f"{run.month:%Y-%m}_银行回盘模板.xlsx"
        template.write_bytes(return_template_bytes(run))
        data = {"month": f"{run.month:%Y-%m}", "files": listed, "return_template": str(template)}
        if json:
            self.stdout.write(dumps(data))
        else:
            for item in listed:
                self.stdout.write(f"{item['bank']}：{item['lines']} 笔，{item['total']} 元 → {item['path']}")
            self.stdout.write(f"回盘模板 → {template}")
