from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contributions import services
from linggao_pension.imports import FileFormatError
from linggao_pension.org.services import system_user


class Command(BaseCommand):
    help = "导入银行代收缴费文件（.xlsx，表头：身份证号、缴费年度、缴费档次、缴费日期、缴费方式、票据号），全部校验通过才导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel 文件路径")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
        parser.add_argument("--legacy", action="store_true", help="历史数据迁移：原系统已上缴，不进入月末上缴")

    def handle(self, *args, file: str, json: bool, legacy: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            with path.open("rb") as handle:
                result = services.receipts_import(file=handle, by=system_user(), legacy=legacy)
        except FileFormatError as exc:
            raise CommandError(str(exc)) from None
        if json:
            self.stdout.write(result.as_json())
        else:
            for error in result.errors:
                self.stdout.write(f"第 {error.row} 行 {error.column}：{error.message}")
            self.stdout.write(f"已导入 {result.imported} 条")
        if not result.ok:
            raise CommandError(f"发现 {len(result.errors)} 处错误，未导入任何数据")
